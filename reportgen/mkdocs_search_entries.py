"""A MkDocs page's search entries made away from Material's search plugin, and given to the plugin for that page.

The search plugin parses each page's HTML when the page goes through the theme (``add_entry_from_context``), the
second costly part of a page after its Markdown. Where a page's conversion is done elsewhere (a forked worker,
:mod:`reportgen.mkdocs_pool`) or kept for the next build (:mod:`reportgen.page_conversions`), its entries are made
with it (:func:`page_entries`), as the plugin would make them, and the plugin, when it reaches the page, is given
them instead of parsing again (:class:`SearchEntries`); a page without them is parsed by the plugin itself.

Separate: the one place that knows the search plugin's index from inside (its ``add_entry_from_context``, its
``entries`` and its config), which the conversion's answer (:mod:`reportgen.mkdocs_answers`) and the pool use.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


class SearchEntries:
    """The search plugin's ``add_entry_from_context`` for this build: a page a worker indexed gets its entries."""

    def __init__(self, index: Any) -> None:
        self.index = index
        self.ready: dict[str, list[Any]] = {}
        self.own: Callable[[Any], None] = type(index).add_entry_from_context.__get__(index)
        index.add_entry_from_context = self

    def __call__(self, page: Any) -> None:
        entries = self.ready.pop(page.file.src_uri, None)
        if entries is None:
            self.own(page)
        else:
            self.index.entries.extend(entries)

    def close(self) -> None:
        if self.index.__dict__.get("add_entry_from_context") is self:
            del self.index.add_entry_from_context


def page_entries(index: Any, page: Any) -> list[Any] | None:
    """The search entries of the page's HTML as the search plugin makes them (None: the plugin makes them)."""
    if index is None:
        return None
    own = type(index)(**index.config)
    try:
        own.add_entry_from_context(page)
    except Exception:  # noqa: BLE001 - the search plugin meets it again when it reaches the page
        return None
    return list(own.entries)
