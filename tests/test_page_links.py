"""Links inside Markdown fields (citations in the summary and sections, links in scenario descriptions) resolve
in the served site (directory URLs) and in a bundle opened from disk (``use_directory_urls: false``).

Checked by following every relative link of every built HTML page to a file, and its fragment to an id there.
"""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from reportgen.cli import main
from tests.support.project import BASE_MANIFEST, make_project

NARRATIVE = """\
summary: |
  Slow p95 is {{ metric("p95_slow") }} ({{ verdict("p95_slow") }}); before: {{ metric("p95_slow", release="v1.0.0") }}.
  See [the evidence](evidence.md#metric-error-rate) and [the earlier report](../v1.0.0/index.md).
sections:
  - title: Findings
    body: |
      Failed requests: {{ metric("error_rate") }}, earlier {{ metric("error_rate", release="v1.0.0") }}.
"""
V1 = BASE_MANIFEST.format(release="v1.0.0", date="2026-10-01")
V2 = (
    BASE_MANIFEST.format(release="v1.1.0", date="2026-11-01").replace(
        "status: final", "status: final\nbaseline: v1.0.0"
    )
    + NARRATIVE
).replace(
    "    title: Browse the catalogue\n",
    "    title: Browse the catalogue\n    description: 'Figures on [the evidence page](evidence.md#metric-p95-slow).'\n",
)
#: Links in the page's own Markdown fields, as the release page must carry them once built.
FIELD_LINKS = ("evidence{}#metric-p95-slow", "evidence{}#metric-error-rate", "../v1.0.0/evidence{}#metric-p95-slow")


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.hrefs: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if found.get("id"):
            self.ids.add(str(found["id"]))
        if tag == "a" and found.get("href") is not None:
            self.hrefs.append(str(found["href"]))


def _parse(page: Path) -> _Links:
    parser = _Links()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser


def broken_links(site: Path, *, directory_index: bool) -> list[str]:
    """Every relative link of every page of ``site`` that names no file (a folder counts only when the server
    serves its index.html: not from file://), or a fragment that is no id of the page it names."""
    broken: list[str] = []
    for page in sorted(site.rglob("*.html")):
        if page.name == "404.html":
            continue  # served for any missing path, so MkDocs writes its links from the site root
        for href in _parse(page).hrefs:
            parts = urlsplit(href)
            if parts.scheme or parts.netloc:
                continue
            target = (page.parent / unquote(parts.path)).resolve() if parts.path else page
            if not target.is_relative_to(site.resolve()):
                continue  # the link to all versions, above the site, for a site deployed with mike
            if target.is_dir() and directory_index:
                target = target / "index.html"
            where = f"{page.relative_to(site)}: {href}"
            if not target.is_file():
                broken.append(where)
            elif parts.fragment and target.suffix == ".html" and unquote(parts.fragment) not in _parse(target).ids:
                broken.append(where + " (no such id)")
    return broken


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = make_project(tmp_path_factory.mktemp("links"), {"v1.0.0": V1, "v1.1.0": V2})
    assert main(["-C", str(root), "build"]) == 0
    assert main(["-C", str(root), "bundle", "v1.1.0"]) == 0
    return root


def test_links_in_markdown_fields_resolve_in_the_bundle(repo: Path) -> None:
    """In a bundle every link, those in Markdown fields included, names an .html file and an id in it."""
    bundle = repo / "exports/v1.1.0-site"
    hrefs = _parse(bundle / "releases/v1.1.0/index.html").hrefs
    for link in FIELD_LINKS:
        assert link.format(".html") in hrefs, link
    assert broken_links(bundle, directory_index=False) == []


def test_links_in_markdown_fields_resolve_in_the_served_site(repo: Path) -> None:
    """In the built site (directory URLs) the same links name the evidence folders, and every link resolves."""
    hrefs = _parse(repo / "site/releases/v1.1.0/index.html").hrefs
    for link in FIELD_LINKS:
        assert link.format("/") in hrefs, link
    assert broken_links(repo / "site", directory_index=True) == []
