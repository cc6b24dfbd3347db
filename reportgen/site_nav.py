"""The releases in the site's navigation: a bounded window, by id as written, in release order.

MkDocs puts every page into every page's sidebar, so with the auto-generated nav each release page
carried a link to every other release and grew with the number of releases (117 KB → 268 KB of HTML
at 100 releases), and MkDocs' own time grew with it. The full list lives on the home page and on
releases/index.md; the sidebar keeps the release pages (not their evidence pages, one click from every figure)
of the newest :data:`DEFAULT_NAV_RELEASES` (``plugins: - reportgen: {nav_releases: N}`` in mkdocs.yml), oldest
of them first, as :func:`reportgen.ordering.release_order`
orders them (v1.10.0 after v1.9.0). Each release folder is titled by its id as written: MkDocs'
auto-nav would capitalise ``v1.2.0`` to ``V1.2.0``. A release page outside the window is still built
and linked from the release lists (the home page's, then the pages of older releases); only the sidebar leaves
it out, as it leaves out the folders of those pages and of the per-metric trend pages.

The release order comes from ``releases/index.json`` (id and date of every release), which the build
writes beside the pages.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from reportgen.ordering import release_order

if TYPE_CHECKING:  # MkDocs is imported where a nav is windowed: the folder names below are read without it
    from mkdocs.structure.nav import Navigation, Section

#: The folder of the per-metric trend pages (:mod:`reportgen.trends`), beside the release folders. The trends
#: index links them; the sidebar leaves the folder out, so it grows with neither metrics nor releases.
TRENDS_FOLDER = "trends"
#: The folder of the pages of older releases (:mod:`reportgen.release_list`), linked from the home page's list and
#: from each other; left out of the sidebar too.
OLDER_FOLDER = "older"

#: Releases the sidebar lists (the newest); the release lists reach all of them.
DEFAULT_NAV_RELEASES = 10


def releases_in_order(index_json: bytes) -> list[str]:
    """Release ids of a ``releases/index.json``, oldest first (empty if it lists none or is not ours)."""
    try:
        entries = json.loads(index_json).get("releases", [])
        dated = [(str(e["id"]), dt.date.fromisoformat(str(e["date"]))) for e in entries]
    except (ValueError, TypeError, KeyError, AttributeError):
        return []  # not an index reportgen wrote: leave the nav as MkDocs made it
    return [release for release, _ in release_order(dated, key=lambda item: item)]


def _is_page(item: Any) -> bool:
    from mkdocs.structure.pages import Page

    return isinstance(item, Page)


def _is_section(item: Any) -> bool:
    from mkdocs.structure.nav import Section

    return isinstance(item, Section)


def _release_of(section: Section, generated: str, releases: set[str]) -> str | None:
    """The release a nav section is the folder of (every page under ``generated/ID/``), else None."""
    pages = [item for item in _walk(section.children) if _is_page(item)]
    found = {page.file.src_uri.split("/")[1] for page in pages if page.file.src_uri.startswith(f"{generated}/")}
    if len(found) != 1 or not all(page.file.src_uri.count("/") >= 2 for page in pages):
        return None
    (release,) = found
    return release if release in releases else None


def _is_unlisted(section: Section, generated: str) -> bool:
    """The section is the folder of the trend pages or of the older releases' pages."""
    pages = [item for item in _walk(section.children) if _is_page(item)]
    folders = {
        page.file.src_uri.split("/")[1] if page.file.src_uri.startswith(f"{generated}/") else "" for page in pages
    }
    return (
        len(folders) == 1
        and folders <= {TRENDS_FOLDER, OLDER_FOLDER}
        and all(page.file.src_uri.count("/") >= 2 for page in pages)
    )


def _walk(items: Iterable[Any]) -> Iterable[Any]:
    for item in items:
        yield item
        if item.children:
            yield from _walk(item.children)


def _window(items: list[Any], generated: str, order: list[str], keep: int) -> list[Any]:
    """``items`` with its release folders replaced by the newest ``keep``, in release order, titled by id."""
    known = set(order)
    folders = {}
    for item in items:
        if _is_section(item) and (release := _release_of(item, generated, known)) is not None:
            folders[release] = item
    shown = [release for release in order if release in folders][-keep:] if keep > 0 else []
    folder_ids = {id(folder) for folder in folders.values()}
    result: list[Any] = []
    placed = False
    for item in items:
        if _is_section(item) and _is_unlisted(item, generated):
            continue  # linked from the trends index and the home page's list
        if id(item) not in folder_ids:
            result.append(_descend(item, generated, order, keep))
        elif not placed:  # the window takes the place of the first release folder
            placed = True
            for release in shown:
                folder = folders[release]
                folder.title = release
                # The release page only: its evidence page is one click from every figure on it.
                folder.children = [c for c in folder.children if getattr(c, "is_index", False)] or folder.children
                result.append(folder)
    return result


def _descend(item: Any, generated: str, order: list[str], keep: int) -> Any:
    if _is_section(item):
        item.children = _window(item.children, generated, order, keep)
    return item


def window_releases(nav: Navigation, generated: str, order: list[str], keep: int) -> Navigation:
    """``nav`` with only the newest ``keep`` release folders of ``generated/`` (ids oldest first in ``order``);
    previous/next and parent links recomputed, so a page left out links to no neighbour."""
    items = _window(list(nav.items), generated, order, keep)
    for page in nav.pages:
        page.previous_page = page.next_page = None
        page.parent = None
    pages = [item for item in _walk(items) if _is_page(item)]
    for before, page, after in zip([None, *pages[:-1]], pages, [*pages[1:], None], strict=True):
        page.previous_page, page.next_page = before, after
    for item in _walk(items):
        if _is_section(item):
            for child in item.children:
                child.parent = item
    for item in items:
        item.parent = None
    from mkdocs.structure.nav import Navigation

    return Navigation(items, pages)
