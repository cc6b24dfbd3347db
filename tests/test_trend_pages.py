"""The trends pages at many releases (real builds: analysis, templates, MkDocs + Material): no page grows with
the number of releases, and every release's figures are reached from the trends index by links."""

from __future__ import annotations

import posixpath
import re
from html import unescape
from pathlib import Path

import pytest

from reportgen.analyse import analyse
from reportgen.build import build, generate
from reportgen.paging import windows
from reportgen.project import Project
from reportgen.trends import TREND_WINDOW
from tests.support.project import add_releases, many_releases, release_manifests

PAGE_LIMIT = 500_000


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> dict[int, Path]:
    """Built sites of 20 and 60 releases (v1.0.0 oldest), keyed by the number of releases."""
    built = {}
    for count in (20, 60):
        root = many_releases(tmp_path_factory.mktemp(f"releases-{count}"), count)
        build(Project(root))
        built[count] = root / "site"
    return built


def _sizes(site: Path) -> dict[str, int]:
    return {page.relative_to(site).as_posix(): page.stat().st_size for page in site.rglob("*.html")}


def _links(page: Path, site: Path) -> list[str]:
    """The site pages a built page links to (relative hrefs resolved, fragments dropped; not the outdated banner's
    link to the versions above the site)."""
    here = page.parent.relative_to(site).as_posix()
    found = []
    for href in re.findall(r'href="([^"#:]+)(?:#[^"]*)?"', page.read_text()):
        target = posixpath.normpath(posixpath.join(here, unescape(href)))
        if target.startswith(".."):
            continue
        found.append(target if (site / target).is_file() else f"{target}/index.html")
    return found


def test_windows_are_blocks_from_the_oldest_and_a_full_newest_page() -> None:
    """Older pages are fixed blocks counted from the oldest; the newest page always holds the newest 20."""
    releases = [f"r{n}" for n in range(45)]
    pages = windows(releases, TREND_WINDOW)
    assert [len(p) for p in pages] == [20, 5, TREND_WINDOW]
    assert pages[0] == releases[:20] and pages[1] == releases[20:25] and pages[-1] == releases[-20:]
    assert windows(releases[:3], TREND_WINDOW) == [releases[:3]]


#: Each kind of page, and the kind whose largest page at 20 releases bounds it at 60 (a page of older releases
#: is the home page's list without its metric table).
_KINDS = {
    r"index\.html": "home",
    r"releases/index\.html": "release list",
    r"releases/older/[^/]+/index\.html": "release list",
    r"releases/trends/index\.html": "trends index",
    r"releases/trends/[^/]+/(?:[^/]+/)?index\.html": "metric trend",
    r"releases/v[^/]+/index\.html": "release",
    r"releases/v[^/]+/evidence/index\.html": "evidence",
}


def _kind(page: str) -> str | None:
    return next((kind for pattern, kind in _KINDS.items() if re.fullmatch(pattern, page)), None)


def test_no_page_grows_from_20_to_60_releases(sites: dict[int, Path]) -> None:
    """Every HTML page of the 60-release site is under 500 KB and no bigger than the largest page of its kind at
    20 releases, give or take the release ids' extra digits (2 %)."""
    small, large = _sizes(sites[20]), _sizes(sites[60])
    assert max(large.values()) < PAGE_LIMIT
    bound: dict[str, int] = {}
    for page, size in small.items():
        if (kind := _kind(page)) is not None:
            bound[kind] = max(size, bound.get(kind, 0))
    grown = {page: size for page, size in large.items() if (kind := _kind(page)) and size > bound[kind] * 1.02}
    assert grown == {}, bound
    assert {_kind(page) for page in large if page.startswith("releases/")} >= set(_KINDS.values()) - {"home"}
    assert len([p for p in large if p.startswith("releases/trends/p95-slow/")]) == 3  # 1–20, 21–40, 41–60
    assert len([p for p in large if p.startswith("releases/older/")]) == 2  # 1–20, 21–40


def test_the_oldest_release_is_reached_from_the_trends_index(sites: dict[int, Path]) -> None:
    """trends index → the metric's newest page → its oldest page → v1.0.0's release page and its evidence, each by
    a link on the page before it, and the newest page no longer lists v1.0.0."""
    site = sites[60]
    index = site / "releases/trends/index.html"
    newest = "releases/trends/p95-slow/index.html"
    assert newest in _links(index, site)
    assert "releases/v1.0.0/index.html" not in _links(site / newest, site)
    oldest = "releases/trends/p95-slow/1/index.html"
    assert oldest in _links(site / newest, site)
    reached = _links(site / oldest, site)
    assert "releases/v1.0.0/index.html" in reached and "releases/v1.0.0/evidence/index.html" in reached
    assert all((site / page).is_file() for page in reached), [p for p in reached if not (site / p).is_file()]


def test_the_oldest_release_is_reached_from_the_home_page(sites: dict[int, Path]) -> None:
    """The home page lists the newest 20 releases and links the oldest page of older ones, which links v1.0.0."""
    site = sites[60]
    home = _links(site / "index.html", site)
    assert "releases/v1.59.0/index.html" in home and "releases/v1.39.0/index.html" not in home
    assert "releases/older/2/index.html" in home and "releases/older/1/index.html" in home
    oldest = _links(site / "releases/older/1/index.html", site)
    assert "releases/v1.0.0/index.html" in oldest and "releases/v1.19.0/index.html" in oldest
    assert "releases/older/2/index.html" in oldest and "releases/index.html" in oldest


def test_a_release_added_changes_only_the_newest_trend_page_and_the_last_block(tmp_path: Path) -> None:
    """With 41 releases and a 42nd added, each metric's trend changes its newest page and its last (filling)
    block only, and the release lists their last page only: older pages name no count and no newest release,
    so a rebuild converts them again for nothing."""
    count = 2 * TREND_WINDOW + 1
    project = Project(many_releases(tmp_path, count))
    before, _ = generate(project, analyse(project))
    newest = release_manifests(count + 1).popitem()
    add_releases(project.root, dict([newest]))
    after, _ = generate(project, analyse(project))
    changed = {path for path in before.keys() & after.keys() if before[path] != after[path]}
    trend_pages = {path for path in after if path.startswith("trends/") and path.endswith(".md")}
    metrics = {posixpath.dirname(path) for path in trend_pages}
    assert len(metrics) == 2 and {posixpath.basename(path) for path in trend_pages} == {"1.md", "2.md", "index.md"}
    assert changed & trend_pages == {f"{metric}/{page}" for metric in metrics for page in ("2.md", "index.md")}
    older = {path for path in after if path.startswith("older/")}
    assert older == {"older/1.md", "older/2.md"} and changed & older == {"older/2.md"}
    assert {path for path in changed if path.startswith("v")} == set()  # no earlier release's page
