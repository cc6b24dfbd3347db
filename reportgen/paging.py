"""Pages of a list that grows with every release (a metric's trend, the release list), so no page grows with it.

A list ordered oldest first is cut into blocks of a fixed size counted from the oldest, then the newest ``size``
items: the newest page is always full, older blocks keep their releases as new ones arrive (only the last block
fills), and each page links to the newest, newer, older and oldest page, never to all of them. A new release
changes the newest page and the last block only: the links name neither the newest page's releases nor the
filling block's last one. Pure.
"""

from __future__ import annotations

from typing import TypedDict, TypeVar

from reportgen.schemas.page import PageLink

T = TypeVar("T")


def windows(items: list[T], size: int) -> list[list[T]]:
    """Pages of ``items`` (oldest first), oldest page first: blocks of ``size`` counted from the oldest, then the
    newest ``size`` (which may share items with the last block)."""
    if len(items) <= size:
        return [items]
    older = items[:-size]
    return [older[start : start + size] for start in range(0, len(older), size)] + [items[-size:]]


class Pager(TypedDict):
    newest: PageLink | None
    newer: PageLink | None
    older: PageLink | None
    oldest: PageLink | None


def pager(links: list[PageLink], at: int) -> Pager:
    """The links of page ``at`` of ``links`` (one per page, oldest first) to the newest, newer, older and oldest
    page; a neighbour that is also the newest or oldest is named once, as that."""
    last = len(links) - 1
    return Pager(
        newest=links[last] if at < last else None,
        newer=links[at + 1] if at < last - 1 else None,
        older=links[at - 1] if at > 1 else None,
        oldest=links[0] if at > 0 else None,
    )


def label(releases: list[str], size: int | None = None) -> str:
    """A page named by its releases, oldest first: ``v1.0.0 to v1.19.0``. Given the block ``size``, a block not yet
    full is named by its first release only (``from v1.20.0``): the pages linking to it then stay as they are
    while new releases fill it."""
    if size is not None and len(releases) < size:
        return f"from {releases[0]}"
    return releases[0] if len(releases) == 1 else f"{releases[0]} to {releases[-1]}"
