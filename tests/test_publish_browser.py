"""Published sites in a real headless Chromium (Debian's, via Playwright), served on 127.0.0.1 only:
the mike version selector and outdated banner, the file:// bundle, and the PDF."""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import tarfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import pytest

from reportgen import chart_pages
from reportgen.bundle import bundle
from reportgen.cli import main
from reportgen.pdf import pdf
from reportgen.project import Project
from tests.conftest import copy_of_the_example
from tests.support.browser import serve_folder
from tests.support.project import make_project
from tests.test_deploy import git_repo
from tests.test_site import TWO_RELEASES

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.browser  # conftest: Debian's chromium, or a skip (a failure under CI)

SCREENSHOTS = Path(__file__).resolve().parent.parent / ".test-screenshots"


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return git_repo(make_project(tmp_path_factory.mktemp("pub"), TWO_RELEASES))


@pytest.fixture(scope="module")
def pages_url(repo: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Both releases deployed with mike (site_url = this server), gh-pages served as GitHub Pages would.
    The server listens first (a port no other test process can take meanwhile), then the deployment fills it."""
    served = tmp_path_factory.mktemp("gh-pages")
    with serve_folder(served) as address:
        url = f"{address}/"
        saved = os.environ.get("SITE_URL")
        os.environ["SITE_URL"] = url
        try:
            assert main(["-C", str(repo), "deploy", "v1.0.0"]) == 0
            assert main(["-C", str(repo), "deploy", "v1.1.0"]) == 0
        finally:
            os.environ.pop("SITE_URL") if saved is None else os.environ.__setitem__("SITE_URL", saved)
        archive = subprocess.run(["git", "archive", "gh-pages"], cwd=repo, check=True, capture_output=True).stdout
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(served, filter="data")
        yield url


@pytest.fixture
def page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A fresh page that records every URL it requests; on a failed test its screenshot is saved."""
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(15_000)
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    page.requested = requested  # type: ignore[attr-defined]
    # Console errors and uncaught exceptions (Chromium reports a failed `new URL` as the latter, a 404 as the former).
    errors: list[str] = []
    page.on("console", lambda m: errors.append(f"console: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(f"exception: {e}"))
    page.errors = errors  # type: ignore[attr-defined]
    yield page
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        SCREENSHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{request.node.name}.png"), full_page=True)
    context.close()


def _foreign(requested: list[str], allowed: tuple[str, ...]) -> list[str]:
    return [u for u in requested if urlsplit(u).scheme not in ("data", "blob") and not u.startswith(allowed)]


def test_version_selector_lists_every_deployed_release(page: Page, pages_url: str) -> None:
    """The root redirects to latest, whose selector names the current version and lists both releases."""
    page.goto(pages_url)
    page.wait_for_url(f"{pages_url}latest/")
    page.wait_for_selector(".md-version__current")
    assert page.inner_text(".md-version__current").strip() == "v1.1.0"
    listed = [t.strip() for t in page.locator(".md-version__link").all_inner_texts()]
    assert listed == ["v1.1.0", "v1.0.0"]
    assert not _foreign(page.requested, ("http://127.0.0.1:",))  # type: ignore[attr-defined]


def test_switching_versions_keeps_the_page(page: Page, pages_url: str) -> None:
    """On v1.0.0's report in latest, choosing v1.0.0 lands on the same report in version v1.0.0."""
    page.goto(f"{pages_url}latest/releases/v1.0.0/")
    page.wait_for_selector(".md-version__current")
    page.hover(".md-version")
    page.click(".md-version__link:text-is('v1.0.0')")
    page.wait_for_url(f"{pages_url}v1.0.0/releases/v1.0.0/")
    assert "v1.0.0" in page.inner_text("h1")


def test_an_older_version_shows_the_outdated_banner(page: Page, pages_url: str) -> None:
    """v1.0.0's site says it is older and links to the latest; latest shows no banner; neither logs an error."""
    page.goto(f"{pages_url}v1.0.0/releases/v1.0.0/", wait_until="networkidle")
    banner = page.locator("[data-md-component=outdated]")
    banner.wait_for(state="visible")
    assert "older release" in banner.inner_text()
    page.goto(f"{pages_url}latest/", wait_until="networkidle")
    page.wait_for_selector(".md-version__current")
    assert page.locator("[data-md-component=outdated]").is_hidden()
    assert page.errors == []  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def built_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """A site that was never deployed: `reportgen build`'s site/ served from the server's root, and its folder."""
    root = make_project(tmp_path_factory.mktemp("built"), TWO_RELEASES)
    assert main(["-C", str(root), "build"]) == 0
    with serve_folder(root / "site") as url:
        yield f"{url}/", root / "site"


def test_a_site_never_deployed_logs_no_error(page: Page, built_url: tuple[str, Path]) -> None:
    """Served over HTTP and opened from disk, a build with no versions.json logs no error, asks for no versions.json
    and shows neither version selector nor banner."""
    url, site = built_url
    pages = {
        f"{url}releases/v1.1.0/": "v1.1.0",
        url: "Release validation reports",
        (site / "releases/v1.0.0/index.html").as_uri(): "v1.0.0",
    }
    for address, heading in pages.items():
        page.goto(address, wait_until="networkidle")
        assert heading in page.inner_text("h1"), address
        assert page.locator(".md-version").count() == 0, address
        assert page.locator("[data-md-component=outdated]").is_hidden(), address
    assert page.errors == []  # type: ignore[attr-defined]
    assert not [u for u in page.requested if u.endswith("versions.json")]  # type: ignore[attr-defined]


def test_a_site_never_deployed_served_from_a_sub_path_asks_for_no_versions_json(
    page: Page, built_url: tuple[str, Path], tmp_path: Path
) -> None:
    """The same build served below a path (as a project site without mike would be, /reports/) records no request
    for versions.json, logs no error and shows no version selector: its folder is no version this site names."""
    _, site = built_url
    shutil.copytree(site, tmp_path / "reports")
    with serve_folder(tmp_path) as url:
        for path in ("/reports/", "/reports/releases/v1.1.0/", "/reports/releases/v1.0.0/evidence/"):
            page.goto(f"{url}{path}", wait_until="networkidle")
            assert page.locator(".md-version").count() == 0, path
    assert not [u for u in page.requested if u.endswith("versions.json")]  # type: ignore[attr-defined]
    assert page.errors == []  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def bundled(repo: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder, archive = bundle(Project(repo), "v1.1.0", tmp_path_factory.mktemp("bundle") / "v1.1.0-site")
    assert archive.is_file()
    return folder


def test_the_bundle_opens_from_disk_with_navigation_and_search(page: Page, bundled: Path) -> None:
    """From file://, the home page links to the release report, search finds it, and only file:// is requested."""
    page.goto((bundled / "index.html").as_uri())
    page.click("a[href$='releases/v1.1.0/index.html']")
    page.wait_for_url("**/releases/v1.1.0/index.html")
    assert "v1.1.0" in page.inner_text("h1")
    images = page.eval_on_selector_all("img", "els => els.filter(e => !(e.complete && e.naturalWidth > 0)).length")
    assert images == 0  # every chart or image that the page has is drawn
    page.locator(".md-search__input").first.click()
    page.keyboard.type("capacity")
    page.wait_for_selector(".md-search-result__item")
    assert page.locator(".md-search-result__item").count() > 0
    assert page.locator(".md-version").count() == 0  # no versions.json beside a folder on disk
    assert not _foreign(page.requested, ("file://",))  # type: ignore[attr-defined]


def test_wide_tables_fit_the_printed_page(page: Page, bundled: Path) -> None:
    """With the print rules, no table of the report is wider than the page's text column."""
    from reportgen.pdf import PRINT_CSS

    page.goto((bundled / "releases/v1.1.0/index.html").as_uri())
    page.set_viewport_size({"width": 700, "height": 1000})  # about an A4 text column
    page.emulate_media(media="print")
    page.add_style_tag(content=PRINT_CSS.read_text(encoding="utf-8"))
    overflowing = page.eval_on_selector_all(
        "article table", "ts => ts.filter(t => t.scrollWidth > t.parentElement.clientWidth + 1).length"
    )
    assert overflowing == 0


def test_the_pdf_holds_title_verdict_page_numbers_and_every_target(repo: Path, tmp_path: Path) -> None:
    """The printed report's text has the release title, its verdict in the header, page numbers and each target row."""
    from pypdf import PdfReader

    out = pdf(Project(repo), "v1.1.0", tmp_path / "v1.1.0.pdf")
    reader = PdfReader(out)
    text = " ".join(" ".join(p.extract_text().split()) for p in reader.pages)
    assert "Demo v1.1.0" in text and "verdict: FAIL" in text and f"page 1 of {len(reader.pages)}" in text
    for title, threshold, verdict in (
        ("Peak capacity", ">= 1,000 req/s", "UNVERIFIED"),
        ("p95 of /slow", "< 1 s", "INVALID"),
        ("p95 of /slow", "<= 0.2 s", "FAIL"),
    ):
        row = re.search(rf"{re.escape(title)} must {re.escape(threshold)} .{{0,40}}? {verdict}\b", text)
        assert row, (title, threshold, verdict)
    assert str((reader.metadata or {}).get("/Creator", "")).startswith("reportgen")


def test_the_pdf_of_a_release_with_chart_pages_prints_them_after_its_page(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A release whose charts are drawn on a page per scenario prints each of those pages after its own, in the
    order the release page links them, with page numbers running through the whole document."""
    from pypdf import PdfReader

    monkeypatch.setattr(chart_pages, "INLINE_CHART_BYTES", 1)  # no release's charts fit on its page
    monkeypatch.setenv("REPORTGEN_PROCESSES", "1")  # the budget is this process's
    out = pdf(Project(copy_of_the_example(tmp_path)), "v1.2.0", tmp_path / "v1.2.0.pdf")
    reader = PdfReader(out)
    text = " ".join(" ".join(p.extract_text().split()) for p in reader.pages)
    k6, locust = text.find("Charts: Browse and checkout (k6)"), text.find("Charts: Mixed shopping (Locust)")
    assert text.find("Sign-off") < k6 < locust, "the chart pages follow the release page, in its order"
    assert text.count("Share of requests at or below each latency (ECDF)") == 2  # each scenario's distribution
    assert f"page {len(reader.pages)} of {len(reader.pages)}" in text


@pytest.fixture(scope="module")
def raw_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A release with .html, .svg and .xml attachments holding script (tests.test_raw_copies), built and served."""
    from tests.test_raw_copies import ACTIVE, ATTACHED, _large_log

    root = make_project(tmp_path_factory.mktemp("raw-browser"), {"v1.0.0": ATTACHED})
    for path, text in ACTIVE.items():
        (root / "results/v1.0.0" / path).parent.mkdir(parents=True, exist_ok=True)
        (root / "results/v1.0.0" / path).write_text(text, encoding="utf-8")
    (root / "results/v1.0.0/evidence/requests.log").write_bytes(_large_log())
    assert main(["-C", str(root), "build"]) == 0
    with serve_folder(root / "site") as url:
        yield f"{url}/"


def test_a_raw_copy_holding_script_opens_as_text(page: Page, raw_url: str) -> None:
    """Following the release page's links to attached .html, .svg and .xml files with script shows their source as
    plain text: no dialog opens and no element of theirs is rendered."""
    from tests.test_raw_copies import ACTIVE

    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    for path, text in ACTIVE.items():
        page.goto(f"{raw_url}releases/v1.0.0/", wait_until="networkidle")
        with page.expect_navigation():
            page.click(f"a[href$='artifacts/{path}.txt']")
        assert page.evaluate("document.contentType") == "text/plain", path
        assert page.inner_text("body").strip() == text.strip(), path  # the source, shown literally
        assert page.locator("script, svg, p").count() == 0, path
    assert dialogs == []
