"""The built site in a real headless Chromium (Debian's, driven by Playwright): what a reviewer sees and clicks."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import pytest

from reportgen.cli import main
from tests.support.browser import serve_folder
from tests.support.project import make_project
from tests.test_site import TWO_RELEASES

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Locator, Page

pytestmark = pytest.mark.browser  # conftest: Debian's chromium, or a skip (a failure under CI)


@pytest.fixture(scope="module")
def site_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The example site built by the real MkDocs, served on 127.0.0.1 only."""
    root = make_project(tmp_path_factory.mktemp("browser"), TWO_RELEASES)
    assert main(["-C", str(root), "build"]) == 0
    with serve_folder(root / "site") as url:
        yield url


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def test_release_page_makes_no_request_to_another_host(page: Page, site_url: str) -> None:
    """Loading a release page and its evidence requests only 127.0.0.1: fonts, scripts and search are local."""
    hosts: set[str] = set()
    page.on("request", lambda request: hosts.add(urlsplit(request.url).hostname or request.url))
    page.goto(f"{site_url}/releases/v1.1.0/", wait_until="networkidle")
    page.goto(f"{site_url}/releases/v1.1.0/evidence/", wait_until="networkidle")
    assert hosts == {"127.0.0.1"}


def test_badges_are_visible_with_their_words(page: Page, site_url: str) -> None:
    """Measured and projected badges render as visible words next to figures; the verdict badge says FAIL."""
    page.goto(f"{site_url}/releases/v1.1.0/")
    assert page.locator(".rg-badge--measured").first.is_visible()
    assert page.locator(".rg-badge--measured").first.inner_text() == "measured"
    projected = page.locator(".rg-badge--projected").first
    assert projected.is_visible() and projected.inner_text() == "projected"
    assert page.locator(".rg-verdict--fail").first.inner_text() == "FAIL"
    style = projected.evaluate("e => getComputedStyle(e).borderTopStyle")
    assert style == "dashed"


def test_a_projected_figure_shows_method_and_basis_on_hover(page: Page, site_url: str) -> None:
    """Hovering a projected figure shows its method and basis (the link's title)."""
    page.goto(f"{site_url}/releases/v1.1.0/")
    link = page.locator("a[href$='#target-capacity']").first
    assert "Method: linear extrapolation. Basis: one node at 4 VUs." in (link.get_attribute("title") or "")


def test_clicking_a_figure_lands_on_its_evidence_entry(page: Page, site_url: str) -> None:
    """Clicking a measured figure opens the evidence page at its entry, which names the file and its SHA-256."""
    page.goto(f"{site_url}/releases/v1.1.0/")
    page.locator("a[href$='#metric-p95-slow']").first.click()
    page.wait_for_url("**/evidence/#metric-p95-slow")
    row = page.locator("tr", has=page.locator("#metric-p95-slow"))
    assert row.is_visible()
    assert "p95" in row.inner_text()
    assert "json:/metrics/http_req_duration{name:slow}/p(95)" in row.inner_text()


def test_raw_artifact_link_downloads_the_unchanged_file(page: Page, site_url: str, tmp_path: Path) -> None:
    """The raw-data link serves the artifact byte for byte (what an auditor re-hashes)."""
    from tests.support.project import K6_EXPORT

    response = page.request.get(f"{site_url}/releases/v1.1.0/artifacts/k6/summary-export.json")
    assert response.ok and response.body() == K6_EXPORT.read_bytes()


def test_local_search_finds_a_release(page: Page, site_url: str) -> None:
    """The built-in search works from the site's own index, offline."""
    page.goto(f"{site_url}/")
    page.locator(".md-search__input").first.click()
    page.keyboard.type("Evidence")
    page.wait_for_selector(".md-search-result__item")
    assert page.locator(".md-search-result__item").count() > 0


def test_charts_render_without_errors_and_with_unique_ids(page: Page, site_url: str) -> None:
    """Release pages and a metric's trend page draw their SVG charts visibly, with no console error and no id used
    twice."""
    errors: list[str] = []
    # The version selector asks for mike's versions.json, which only a deployed site has: answer as one would.
    versions = '[{"version": "v1.1.0", "title": "v1.1.0", "aliases": ["latest"]}]'
    page.route(
        "**/versions.json", lambda route: route.fulfill(status=200, body=versions, content_type="application/json")
    )
    page.on(
        "console",
        lambda message: errors.append(f"{message.text} {message.location}") if message.type == "error" else None,
    )
    page.goto(f"{site_url}/releases/trends/", wait_until="networkidle")
    trend = page.locator("article table a").first.get_attribute("href")  # the first metric's trend page
    assert trend is not None
    for path, least in (("/releases/v1.1.0/", 2), (f"/releases/trends/{trend}", 1)):
        page.goto(f"{site_url}{path}", wait_until="networkidle")
        charts = page.locator("figure.rg-chart svg[role=img]")
        assert charts.count() >= least, path
        box = charts.first.bounding_box()
        assert box is not None and box["width"] > 200 and box["height"] > 50
        ids = page.evaluate("[...document.querySelectorAll('[id]')].map(e => e.id)")
        assert len(ids) == len(set(ids)), path
        assert page.locator("figure.rg-chart[data-search-exclude]").count() == charts.count()
    assert errors == [], errors


#: Release and trends pages of the example (with the fewest tables each has), and what each table of them must
#: fit: a 1280 px window, and an A4 page printed as the browser prints it and through `reportgen pdf`'s print
#: rules (794 px: 210 mm at 96 px per inch).
_EXAMPLE_PAGES = {
    "/releases/v1.0.0/": 4,
    "/releases/v1.1.0/": 4,
    "/releases/v1.2.0/": 4,
    "/releases/trends/": 1,
    "/releases/trends/checkout-p95/": 1,
}
_TABLES = "[...document.querySelectorAll('.md-typeset__scrollwrap, .md-typeset__table, .md-typeset table')]"


@pytest.fixture(scope="module")
def example_url(example_site: Path) -> Iterator[str]:
    """The built example site (real k6, Locust, pytest and hyperfine results), served on 127.0.0.1 only."""
    with serve_folder(example_site / "site") as url:
        yield url


@pytest.mark.parametrize(
    ("width", "media", "pdf_rules"), [(1280, "screen", False), (794, "print", False), (794, "print", True)]
)
def test_no_table_column_hides_behind_a_sideways_scroll(
    browser: Browser, example_url: str, width: int, media: str, pdf_rules: bool
) -> None:
    """Every table of the example's release and trends pages (the index, a metric's) fits its wrapper (scrollWidth <= clientWidth) in a
    1280 px window and on an A4 page, so no column is scrolled out of sight or clipped in print."""
    from reportgen.pdf import PRINT_CSS

    context = browser.new_context(viewport={"width": width, "height": 900})
    try:
        page = context.new_page()
        for path, tables in _EXAMPLE_PAGES.items():
            page.goto(f"{example_url}{path}", wait_until="networkidle")
            page.emulate_media(media="print" if media == "print" else "screen")
            if pdf_rules:
                page.add_style_tag(content=PRINT_CSS.read_text(encoding="utf-8"))
            assert page.evaluate(f"{_TABLES}.length") >= tables, path
            wide = page.evaluate(
                f"{_TABLES}.filter(e => e.scrollWidth > e.clientWidth)"
                ".map(e => [e.className || e.tagName, e.scrollWidth, e.clientWidth, e.innerText.slice(0, 60)])"
            )
            assert wide == [], f"{path} at {width} px ({media}{', pdf rules' if pdf_rules else ''}): {wide}"
    finally:
        context.close()


def test_a_relative_target_shows_its_mark_baseline_and_noise_word(page: Page, example_url: str) -> None:
    """v1.2.0's relative target (checkout no slower than in v1.1.0) shows, in its row, the dashed "relative" mark,
    v1.1.0's figure linking to v1.1.0's evidence entry, the change's noise word and the FAIL it computed."""
    row = _failing_row_with_mark(page, f"{example_url}/releases/v1.2.0/", "relative")
    assert "Checkout no slower than in v1.1.0" in row.inner_text()
    assert row.locator(".rg-change--regressed").inner_text().strip() == "regressed"
    assert "relative" in page.locator("article").inner_text().split("judged against the baseline")[0][-80:]
    baseline = row.locator("small a").first
    assert baseline.inner_text().strip() == "107.2 ms"
    with page.expect_navigation():
        baseline.click()
    assert urlsplit(page.url).path == "/releases/v1.1.0/evidence/"
    assert page.locator(f"[id='{urlsplit(page.url).fragment}']").count() == 1


@pytest.fixture(scope="module")
def marginal_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The example's releases, v1.2.0 with one more target whose interval straddles it (checkout p95
    309 ms, interval about 294 to 319 ms, against < 300 ms), built by the real MkDocs and served on 127.0.0.1."""
    import shutil

    from reportgen.scaffold import init
    from tests.test_relative_targets import ROOT

    root = tmp_path_factory.mktemp("marginal") / "repo"
    init(root)
    shutil.copytree(ROOT / "results", root / "results", dirs_exist_ok=True)
    manifest = root / "results/v1.2.0/release.yaml"
    extra = '  - {id: checkout_300, metric: checkout_p95, comparator: "<", threshold: 300 ms, severity: should}\n'
    manifest.write_text(manifest.read_text().replace("\nacknowledge:", "\n" + extra + "acknowledge:", 1))
    assert main(["-C", str(root), "build"]) == 0
    with serve_folder(root / "site") as url:
        yield url


def test_a_marginal_verdict_shows_its_mark_beside_the_verdict(page: Page, marginal_url: str) -> None:
    """A target whose 95 % interval straddles its threshold shows the computed FAIL and, beside it, the dashed
    "marginal" mark, with the sentence saying what marginal means; a target far from its bound has no mark."""
    row = _failing_row_with_mark(page, f"{marginal_url}/releases/v1.2.0/", "marginal")
    assert "< 300 ms" in row.inner_text()
    assert page.locator("article .rg-mark--marginal").count() == 1
    assert "Marginal: the 95 % interval straddles the bound" in page.locator("article").inner_text()


def _failing_row_with_mark(page: Page, url: str, kind: str) -> Locator:
    """The first target row of the page at ``url`` carrying the ``kind`` mark, after checking that the mark is
    shown as the dashed word ``kind`` and that the row's computed verdict is FAIL."""
    page.goto(url, wait_until="networkidle")
    row = page.locator("article tr", has=page.locator(f".rg-mark--{kind}")).first
    mark = row.locator(f".rg-mark--{kind}")
    assert mark.is_visible() and mark.inner_text().strip() == kind
    assert mark.evaluate("e => getComputedStyle(e).borderTopStyle") == "dashed"
    assert row.locator(".rg-verdict--fail").inner_text().strip() == "FAIL"
    return row
