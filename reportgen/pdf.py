"""``reportgen pdf``: one release's report printed to PDF by headless Chromium.

Debian's ``chromium`` through Playwright (``executable_path``: no browser download), from the offline
build of :mod:`reportgen.bundle` opened as file:// with every other request refused. Print rules of our
own (``print.css``) hide the navigation, let wide tables shrink to the page instead of scrolling, and
keep table rows, charts and code blocks whole across page breaks; Chromium's header and footer carry
the release, its verdict and page numbers.
"""

from __future__ import annotations

import html
import re
import shutil
import tempfile
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from importlib.resources import files
from io import BytesIO
from pathlib import Path

from reportgen import __version__, chart_pages, outputs, write
from reportgen.analyse import analyse
from reportgen.bundle import build_offline
from reportgen.errors import PublishError
from reportgen.project import Project
from reportgen.publish import as_of

PRINT_CSS = files("reportgen").joinpath("assets", "print.css")
CREATOR = "reportgen"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        raise PublishError(
            "reportgen pdf prints with Chromium, and none is installed: install Debian's package "
            "`chromium` (apt-get install chromium)"
        )
    return found


def is_our_pdf(path: Path) -> bool:
    """A PDF whose Creator says reportgen made it (so a later ``pdf`` may replace it)."""
    try:
        from pypdf import PdfReader

        info = PdfReader(path).metadata
    except Exception:  # noqa: BLE001 - anything unreadable is not ours
        return False
    return info is not None and str(info.get("/Creator", "")).startswith(CREATOR)


def default_pdf_path(project: Project, release: str) -> Path:
    return project.root / "exports" / f"{release}.pdf"


def _header(release: str, title: str, verdict: str) -> str:
    left = html.escape(f"{title} ({release})" if title != release else release)
    return (
        '<div style="font-size:8px;width:100%;margin:0 12mm;display:flex;justify-content:space-between;'
        f'font-family:sans-serif"><span>{left}</span><span>verdict: {html.escape(verdict.upper())}</span></div>'
    )


_FOOTER = (
    '<div style="font-size:8px;width:100%;text-align:center;font-family:sans-serif">'
    'page <span class="pageNumber"></span> of <span class="totalPages"></span></div>'
)


#: Appends each of the HTML texts given to the page's article, each in a section of its own.
_APPEND = """(contents) => {
    const article = document.querySelector("article.md-content__inner");
    for (const content of contents) {
        const section = document.createElement("section");
        section.innerHTML = content;
        article.appendChild(section);
    }
}"""


def print_page(page_file: Path, header: str, appended: Sequence[str] = ()) -> bytes:
    """``page_file`` (a page of an offline build) printed by Chromium, with our print rules, ``appended`` (the
    contents of other pages, :func:`chart_pages_content`) after its own, so that page numbers run through all.

    In a thread of its own: Playwright's sync API refuses to run where an event loop is running (a
    notebook, an async caller, another Playwright session in this thread)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(_print_page, page_file, header, appended).result()


#: A chart page's link on its release page (reportgen.chart_pages), as MkDocs writes it: ``charts/x/`` or, for a
#: site on disk (``use_directory_urls: false``), ``charts/x.html``.
_CHART_PAGE_LINK = re.compile(rf'href="({chart_pages.FOLDER}/[a-z0-9-]+(?:/|\.html))"')
#: The content of a page of the theme: its one article.
_ARTICLE = re.compile(r'<article class="md-content__inner md-typeset">(.*?)</article>', re.DOTALL)


def chart_pages_content(release_page: Path) -> list[str]:
    """The content (the article's HTML) of each chart page the release page links, in the order it links them:
    the charts of a release too heavy to draw them on its own page (:mod:`reportgen.chart_pages`)."""
    html_text = release_page.read_text(encoding="utf-8")
    contents = []
    for link in dict.fromkeys(_CHART_PAGE_LINK.findall(html_text)):
        page_file = release_page.parent / (link + "index.html" if link.endswith("/") else link)
        found = _ARTICLE.search(page_file.read_text(encoding="utf-8"))
        if found is None:  # a theme override of main.html without Material's article
            raise PublishError(
                f'{page_file}: no <article class="md-content__inner md-typeset"> to print the charts from; '
                "reportgen pdf prints the article of Material's page template: keep it in overrides/main.html"
            )
        contents.append(found.group(1))
    return contents


def _print_page(page_file: Path, header: str, appended: Sequence[str]) -> bytes:
    try:
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright
    except ImportError:
        raise PublishError(
            "reportgen pdf drives Chromium with Playwright, which is not installed: "
            "pip install 'release-reportgen[pdf]'"
        ) from None
    executable = chromium()
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=executable, headless=True, args=LAUNCH_ARGS)
            try:
                context = browser.new_context()
                # The page is on disk; anything else (a host on the network) is refused, so nothing leaks out.
                context.route(
                    "**/*", lambda route: route.continue_() if route.request.url.startswith("file:") else route.abort()
                )
                page = context.new_page()
                page.goto(page_file.as_uri(), wait_until="load")
                # reportgen's own pages' content, from files of the same build: each after the page's article
                page.evaluate(_APPEND, list(appended))
                page.emulate_media(media="print")
                page.add_style_tag(content=PRINT_CSS.read_text(encoding="utf-8"))
                data: bytes = page.pdf(
                    format="A4",
                    print_background=True,
                    display_header_footer=True,
                    header_template=header,
                    footer_template=_FOOTER,
                    margin={"top": "16mm", "bottom": "14mm", "left": "12mm", "right": "12mm"},
                )
            finally:
                browser.close()
    except PlaywrightError as exc:
        raise PublishError(f"{executable}: printing {page_file.name} failed: {exc}") from None
    return data


def _stamped(data: bytes, title: str) -> bytes:
    """The PDF with reportgen named as its creator (how a later run knows the file is its own)."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(BytesIO(data)))
    writer.add_metadata({"/Creator": f"{CREATOR} {__version__}", "/Title": title})
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def pdf(project: Project, release: str, output: Path | None = None) -> Path:
    """Print ``release``'s report page, then its chart pages if it has any (:mod:`reportgen.chart_pages`), to
    ``output`` (default exports/RELEASE.pdf)."""
    target = outputs.guard_output_file(
        project, output or default_pdf_path(project, release), what="PDF", ours=is_our_pdf
    )
    chromium()  # before any work: say what is missing first
    subset = as_of(analyse(project), release)
    result = subset[0]
    with tempfile.TemporaryDirectory(prefix="reportgen-pdf-") as tmp:
        site = Path(tmp) / "site"
        build_offline(project, subset, site)
        page_file = site / "releases" / release / "index.html"
        header = _header(release, result.manifest.title, result.verdict)
        data = print_page(page_file, header, chart_pages_content(page_file))
    write.write_file(target, _stamped(data, f"{result.manifest.title} ({release}): {result.verdict.upper()}"))
    return target
