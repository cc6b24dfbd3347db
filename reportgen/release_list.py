"""The list of releases on the home page and on releases/, in pages, so neither grows with the number of releases.

The home page (and releases/index.md, the same list) shows the newest :data:`HOME_RELEASES`; older releases are
listed :data:`HOME_RELEASES` a page under ``older/`` (``1.md`` the oldest block, as :mod:`reportgen.paging` cuts
them), each page newest first and linking to the newest, newer, older and oldest page. Pure.
"""

from __future__ import annotations

import posixpath

from reportgen.paging import label, pager, windows
from reportgen.schemas.page import PageLink, ReleaseListPage, ReleaseSummary
from reportgen.site_nav import OLDER_FOLDER

#: Releases the home page lists (the newest); the others are on the pages of older releases.
HOME_RELEASES = 20
#: The home page's list, from a page of older releases.
_HOME = "../index.md"


def release_lists(summaries: list[ReleaseSummary]) -> tuple[list[ReleaseSummary], list[ReleaseListPage]]:
    """The home page's releases (newest first) and the pages of older ones, oldest page first."""
    if len(summaries) <= HOME_RELEASES:
        return summaries, []
    pages = windows(list(reversed(summaries)), HOME_RELEASES)
    older = pages[:-1]
    paths = [f"{OLDER_FOLDER}/{block}.md" for block in range(1, len(older) + 1)]
    links = [
        PageLink(label=label([r.id for r in p], HOME_RELEASES), link=posixpath.basename(path))
        for p, path in zip(older, paths, strict=True)
    ]
    home = PageLink(label=label([r.id for r in pages[-1]]), link=_HOME)
    built = []
    for at, (releases, path) in enumerate(zip(older, paths, strict=True)):
        built.append(
            ReleaseListPage(
                path=path,
                releases=list(reversed(releases)),
                **pager([*links, home], at),
            )
        )
    return list(reversed(pages[-1])), built


def home_links(pages: list[ReleaseListPage]) -> tuple[PageLink | None, PageLink | None]:
    """From the home page (links relative to the generated folder): the newest page of older releases and the
    oldest page, if it is another."""
    if not pages:
        return None, None
    newest = pages[-1]
    older = PageLink(label=label([r.id for r in reversed(newest.releases)]), link=newest.path)
    oldest = pages[0]
    first = PageLink(label=label([r.id for r in reversed(oldest.releases)]), link=oldest.path)
    return older, (first if len(pages) > 1 else None)
