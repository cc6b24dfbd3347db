"""A MkDocs page's conversion as bytes (its answer), and that answer put back on the build process's own page.

An answer is what ``_populate_page`` changed on a page (its attributes), what reportgen's plugin lifted out of it
(the chart SVG lines), its search entries (:mod:`reportgen.mkdocs_search_entries`), the log records it emitted
and what its links looked up in the site's files (:func:`reportgen.page_conversions.recording`), pickled as one
tuple. A forked worker makes it (:mod:`reportgen.mkdocs_pool`), or the build process itself when the page is to be
kept, and :mod:`reportgen.page_conversions` keeps it for the next build; :func:`apply` reads each the same way.

A page's attributes may point at MkDocs objects that every page shares, which would not pickle or must not be
copied: a File, a Page, the config, the files. Those are pickled by name (:class:`_Refs`), and the build process
puts its own objects in their place (:class:`_Names`), so the page it gets back points at what every other page
sees, not at copies. Log records travel with their message and traceback as text (:func:`records_held`): their
arguments may not pickle.

Separate from the pool: the answer's layout and its by-name pickling are one contract between the worker that
writes it, the build process that reads it and the cache that keeps it, and so are written in one place.
"""

from __future__ import annotations

import io
import logging
import pickle
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from reportgen.mkdocs_search_entries import SearchEntries, page_entries
from reportgen.page_conversions import recording

#: The plugin of this package (reportgen.mkdocs_plugin.NAME; not imported here, it imports MkDocs).
_REPORTGEN = "reportgen"


class _Refs(pickle.Pickler):
    """Pickles a worker's answer with MkDocs' objects by name, so the parent puts its own ones in their place."""

    def __init__(self, stream: io.BytesIO, shared: dict[int, tuple[str, ...]]) -> None:
        super().__init__(stream, pickle.HIGHEST_PROTOCOL)
        self.shared = shared

    def persistent_id(self, obj: Any) -> Any:
        from mkdocs.structure.files import File
        from mkdocs.structure.pages import Page

        if isinstance(obj, File):
            return ("file", obj.src_uri)
        if isinstance(obj, Page):
            return ("page", obj.file.src_uri)
        return self.shared.get(id(obj))


class _Names(pickle.Unpickler):
    def __init__(self, data: bytes, files: Any, shared: dict[tuple[str, ...], Any]) -> None:
        super().__init__(io.BytesIO(data))
        self.files, self.shared = files, shared

    def persistent_load(self, pid: Any) -> Any:
        if pid[0] == "file":
            return self.files.get_file_from_path(pid[1])
        if pid[0] == "page":
            return self.files.get_file_from_path(pid[1]).page
        return self.shared[pid]


def _shared(config: Any, files: Any) -> dict[tuple[str, ...], Any]:
    """The objects a page's attributes may point at that every page shares, by name."""
    return {("config",): config, ("files",): files}


def shared_names(config: Any, files: Any) -> dict[int, tuple[str, ...]]:
    """The name of each object every page shares, by its id (what :func:`convert` pickles by name)."""
    return {id(v): k for k, v in _shared(config, files).items()}


def _portable(record: logging.LogRecord) -> logging.LogRecord:
    """The record with its message and traceback as text (its arguments may not pickle)."""
    record.msg, record.args = record.getMessage(), None
    if record.exc_info:
        record.exc_text = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
        record.exc_info = None
    return record


@contextmanager
def records_held(records: list[logging.LogRecord]) -> Iterator[None]:
    """While active, every log record this process emits is appended to ``records`` (:func:`_portable`) instead of
    handled: a page's answer carries them to the build process, which emits them there (:func:`apply`)."""
    emit = logging.Logger.callHandlers
    logging.Logger.callHandlers = lambda _logger, record: records.append(_portable(record))  # type: ignore[method-assign,assignment]
    try:
        yield
    finally:
        logging.Logger.callHandlers = emit  # type: ignore[method-assign]


def convert(
    populate: Callable[..., None],
    page: Any,
    config: Any,
    files: Any,
    dirty: bool,
    index: Any,
    records: list[logging.LogRecord],
    shared: dict[int, tuple[str, ...]],
) -> bytes:
    """The page converted, as its answer pickled: what changed on it, what reportgen's plugin lifted out of it, its
    search entries, the log records it emitted and what its links looked up in ``files``
    (:func:`reportgen.page_conversions.recording`). Empty when the page failed or its answer would not pickle."""
    try:
        before = dict(page.__dict__)
        with recording(files) as lookups:
            populate(page, config, files, dirty)
        changed = {k: v for k, v in page.__dict__.items() if k not in before or before[k] is not v}
        plugin = config.plugins.get(_REPORTGEN)
        lifted = plugin.lifted(page.file.src_uri) if plugin is not None else None
        entries = page_entries(index, page)
        stream = io.BytesIO()
        _Refs(stream, shared).dump((changed, lifted, entries, records, lookups))
        return stream.getvalue()
    except Exception:  # noqa: BLE001 - whatever it was, the parent meets it again and reports it
        return b""


def apply(answer: bytes, page: Any, config: Any, files: Any, search: SearchEntries | None) -> tuple[list[Any], Any]:
    """Set what a conversion changed on the page (a worker's, this process's or a kept one); its log records
    (emitted again here) and look-ups."""
    changed, lifted, entries, records, lookups = _Names(answer, files, _shared(config, files)).load()
    page.__dict__.update(changed)
    if lifted is not None:
        config.plugins[_REPORTGEN].keep_lifted(page.file.src_uri, lifted)
    if entries is not None and search is not None:
        search.ready[page.file.src_uri] = entries
    for record in records:
        logging.getLogger(record.name).callHandlers(record)
    return records, lookups
