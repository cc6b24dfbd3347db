"""MkDocs' page pass (Markdown → HTML, and the search plugin's reading of that HTML) in forked worker processes.

MkDocs 1.6 builds a site in one process, in two passes over the pages: each page's Markdown is converted
(``mkdocs.commands.build._populate_page``: the ``pre_page``, ``page_markdown`` and ``page_content`` events around
``Page.render``), then each page is put through the theme's templates and written. For a site of many generated
pages the first pass is most of MkDocs' cpu (Markdown's inline patterns over every table cell), and so is the
search plugin's parsing of each page's HTML in the second; each page's part of both depends only on its own
source and on the config, files and nav that every page sees.

While :func:`pages_in_processes` is active, the first page MkDocs populates starts the workers, forked: they hold
MkDocs' config, files, nav and plugins as they are at that point (none of which would pickle). They take pages in
turn, run MkDocs' own ``_populate_page`` on each, read its HTML as the search plugin would, and send back what
changed on the page (its attributes), what reportgen's plugin keeps of it (the lifted chart SVGs), its search
entries and the log records it emitted. The parent takes each page in MkDocs' order, sets those attributes,
re-emits the records through its own handlers (``--strict`` counts and shows them as one process does) and goes
on; the search plugin, when it reaches the page, is given the entries (:class:`_Entries`). A page a worker could
not do (an exception, something that would not pickle, a worker gone) and every page after it are populated by
the parent itself, so an error is raised there, in the words and at the point of a one-process build, and the
log keeps its order. The parent writes nothing new: MkDocs still writes every file, after the pages are back.

Fork, not spawn (:mod:`reportgen.page_pool` spawns): what a worker needs is MkDocs' state, not picklable and
costly to rebuild. A forked child gets a copy of one thread only, so the fork is safe as long as the child never
enters a library whose threads may hold its locks in the parent: vl-convert's JavaScript engine and DuckDB keep
threads once used (the analysis and the trend charts ran in this process), but a worker runs only Python-Markdown,
MkDocs, Material's search parser and reportgen's own plugin, and ends with ``os._exit``, never running the
parent's exit handlers. Workers ignore Ctrl-C (the build stops them), end themselves when the build process is
gone, and are stopped and reaped before :func:`pages_in_processes` returns, whatever happened.

A page whose conversion was kept by an earlier build (:mod:`reportgen.page_conversions`) is not converted at all:
its kept answer is applied as a worker's is. The pages left are converted by the workers, or by the parent in the
same way (:func:`_answer`), and each answer that logged nothing is kept for the next build.

Only plugins whose per-page state is known here take part (Material's search and reportgen's); with any other
plugin, or fewer than :data:`MIN_PAGES` pages to convert, or ``REPORTGEN_PROCESSES=1``, pages are converted in
one process as MkDocs does.
"""

from __future__ import annotations

import io
import logging
import multiprocessing
import os
import pickle
import signal
import sys
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any

from reportgen import page_pool
from reportgen.page_conversions import Conversions, recording
from reportgen.site_increment import search_plugin, supported

#: Fewer pages to convert than this: one process (a worker's share would not pay for its start and the transfer).
MIN_PAGES = 20
#: Where forking the build's process is safe. Windows has no fork; on macOS the system's own libraries may
#: deadlock or crash in a forked child (why CPython spawns there since 3.8): one process, as MkDocs does.
FORK_SAFE = sys.platform.startswith("linux")
#: The plugin of this package (reportgen.mkdocs_plugin.NAME; not imported here, it imports MkDocs).
_REPORTGEN = "reportgen"


def processes(pages: int) -> int:
    """How many worker processes convert ``pages`` pages: the cores this process may use, or
    ``REPORTGEN_PROCESSES``; 1 (the build's own process) for fewer than MIN_PAGES."""
    chosen = page_pool.setting()
    if chosen is not None:
        return min(chosen, max(pages, 1))
    if pages < MIN_PAGES:
        return 1
    return max(1, min(len(os.sched_getaffinity(0)), pages))


@contextmanager
def pages_in_processes(config: Any, workers: int | None = None) -> Iterator[None]:
    """While active, the MkDocs build of ``config`` converts its pages in worker processes (``workers``: how many;
    default :func:`processes`)."""
    from mkdocs.commands import build as mkdocs_build

    if not supported(config):
        yield  # a plugin whose per-page state would stay in the workers
        return
    original = mkdocs_build._populate_page
    pool = _Pool(original, workers, Conversions.of(config))
    mkdocs_build._populate_page = pool.populate
    try:
        yield
    finally:
        mkdocs_build._populate_page = original
        pool.close()


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


def _portable(record: logging.LogRecord) -> logging.LogRecord:
    """The record with its message and traceback as text (its arguments may not pickle)."""
    record.msg, record.args = record.getMessage(), None
    if record.exc_info:
        record.exc_text = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
        record.exc_info = None
    return record


class _Entries:
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


class _Pool:
    """The pages of one build: which to convert, the workers converting them, and their answers so far."""

    def __init__(self, original: Callable[..., None], workers: int | None, kept: Conversions | None = None) -> None:
        self.original, self.workers, self.kept = original, workers, kept
        self.started = False
        #: The pages to convert (a dirty build skips the others), and where those kept are (page_conversions).
        self.todo: set[str] = set()
        self.ready: dict[str, Path] = {}
        self.serial = False  # from the first page no worker delivered on, the parent converts every page
        self.order: dict[str, int] = {}
        self.answers: dict[int, bytes | None] = {}
        self.processes: list[Any] = []
        self.connections: list[Connection] = []
        self.entries: _Entries | None = None

    def populate(self, page: Any, config: Any, files: Any, dirty: bool = False) -> None:
        """MkDocs' ``_populate_page``, from a worker's answer where there is one."""
        if not self.started:
            self.started = True
            self._start(config, files, dirty)
        name = page.file.src_uri
        kept = self.ready.pop(name, None)
        if kept is not None and (answer := Conversions.answer(kept)) is not None:
            try:
                self._apply(answer, page, config, files)
                return
            except Exception:  # noqa: BLE001 - a damaged entry (or another pickle's): converted again, rewritten
                pass
        index = self.order.get(name)
        if self.serial or index is None:
            if self.kept is None or name not in self.todo:
                self.original(page, config, files, dirty)
                return
            answer = self._convert_here(page, config, files, dirty)
        else:
            answer = self._answer(index) or b""
            if index == len(self.order) - 1:
                self._stop()  # every page is in: the workers have ended
        try:
            records, lookups = self._apply(answer, page, config, files)
        except Exception:  # noqa: BLE001 - no answer (the worker failed here), or one that does not fit
            # The parent converts this page and every later one, so an error is raised as one process raises it.
            self.serial, self.kept = True, None
            self._stop()
            self.original(page, config, files, dirty)
            return
        if self.kept is not None and not records and lookups is not None:
            self.kept.put(page.file, answer, lookups)

    def _apply(self, answer: bytes, page: Any, config: Any, files: Any) -> tuple[list[Any], Any]:
        """Set what a conversion changed on the page (a worker's, this process's or a kept one); its log records
        (emitted again here) and look-ups."""
        changed, lifted, entries, records, lookups = _Names(answer, files, _shared(config, files)).load()
        page.__dict__.update(changed)
        if lifted is not None:
            config.plugins[_REPORTGEN].keep_lifted(page.file.src_uri, lifted)
        if entries is not None and self.entries is not None:
            self.entries.ready[page.file.src_uri] = entries
        for record in records:
            logging.getLogger(record.name).callHandlers(record)
        return records, lookups

    def _convert_here(self, page: Any, config: Any, files: Any, dirty: bool) -> bytes:
        """The page converted in this process as a worker converts it (its log records held for :meth:`_apply`)."""
        records: list[logging.LogRecord] = []
        emit = logging.Logger.callHandlers
        logging.Logger.callHandlers = lambda _logger, record: records.append(_portable(record))  # type: ignore[method-assign,assignment]
        try:
            index = self.entries.index if self.entries is not None else None
            return _answer(self.original, page, config, files, dirty, index, records, _ids(config, files))
        finally:
            logging.Logger.callHandlers = emit  # type: ignore[method-assign]

    def _start(self, config: Any, files: Any, dirty: bool) -> None:
        from mkdocs.structure.files import InclusionLevel

        pages = [
            f
            for f in files.documentation_pages(inclusion=InclusionLevel.is_included)
            if not (dirty and not f.is_modified())
        ]
        self.todo = {f.src_uri for f in pages}
        if self.kept is not None:
            found = {f.src_uri: self.kept.valid(f, files) for f in pages}
            self.ready = {name: path for name, path in found.items() if path is not None}
            pages = [f for f in pages if f.src_uri not in self.ready]
        search = search_plugin(config)
        index = search.search_index if search is not None and search.config.enabled else None
        count = processes(len(pages)) if self.workers is None else self.workers
        if index is not None and (self.kept is not None or (count > 1 and FORK_SAFE)):
            self.entries = _Entries(index)
        if count <= 1 or not FORK_SAFE:
            self.serial = True
            return
        self.order = {f.src_uri: i for i, f in enumerate(pages)}
        context = multiprocessing.get_context("fork")
        turn = context.Value("l", 0)
        job = _Job(self.original, config, files, dirty, pages, index, turn, os.getpid())
        pipes = [context.Pipe(duplex=False) for _ in range(count)]
        self.connections = [receive for receive, _ in pipes]
        for own in range(count):
            worker = context.Process(target=job.run, args=(own, pipes), daemon=True)
            worker.start()
            self.processes.append(worker)
        for _, send in pipes:
            send.close()

    def _answer(self, index: int) -> bytes | None:
        """The answer for page ``index``, waiting for it; None when no worker will give it."""
        while index not in self.answers and self.connections:
            for connection in wait(self.connections):
                assert isinstance(connection, Connection)
                try:
                    data = connection.recv_bytes()
                except EOFError:  # that worker ended (done, failed, or killed)
                    self.connections.remove(connection)
                    connection.close()
                    continue
                at = int.from_bytes(data[:8], "little")
                self.answers[at] = data[8:] or None
        return self.answers.pop(index, None)

    def _stop(self) -> None:
        for worker in self.processes:
            if worker.is_alive():
                worker.terminate()
        for worker in self.processes:
            worker.join()
        for connection in self.connections:
            connection.close()
        self.processes, self.connections, self.answers = [], [], {}

    def close(self) -> None:
        self._stop()
        if self.entries is not None:
            self.entries.close()


class _Job:
    """What a worker does: convert the next page nobody took, until none is left."""

    def __init__(
        self,
        populate: Callable[..., None],
        config: Any,
        files: Any,
        dirty: bool,
        pages: list[Any],
        index: Any,
        turn: Any,
        build: int,
    ) -> None:
        self.populate, self.config, self.files, self.dirty = populate, config, files, dirty
        self.pages, self.index, self.turn, self.build = pages, index, turn, build

    def run(self, own: int, pipes: list[tuple[Connection, Connection]]) -> None:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the build's to handle: it stops the workers
        # Only its own pipe's sending end: when the build is gone, a send fails instead of waiting for a reader,
        # and the build sees the end of a worker's pipe when that worker ends.
        for number, (receive, send_end) in enumerate(pipes):
            receive.close()
            if number != own:
                send_end.close()
        send = pipes[own][1]
        records: list[logging.LogRecord] = []
        logging.Logger.callHandlers = lambda _logger, record: records.append(_portable(record))  # type: ignore[method-assign,assignment]
        shared = _ids(self.config, self.files)
        try:
            while os.getppid() == self.build:  # a build that was killed is not worked for
                with self.turn.get_lock():
                    at = self.turn.value
                    self.turn.value += 1
                if at >= len(self.pages):
                    break
                records.clear()
                answer = self._convert(self.pages[at], records, shared)
                send.send_bytes(at.to_bytes(8, "little") + answer)
                if not answer:
                    break  # the parent converts this page and the rest itself
        except BrokenPipeError:
            pass  # the build stopped listening
        finally:
            send.close()
            os._exit(0)

    def _convert(self, file: Any, records: list[logging.LogRecord], shared: dict[int, tuple[str, ...]]) -> bytes:
        """The page's answer, pickled; empty when the page failed or its answer would not pickle."""
        from mkdocs.structure.pages import Page

        try:
            if file.page is None:
                Page(None, file, self.config)  # as MkDocs does for a page outside the nav
        except Exception:  # noqa: BLE001 - the parent meets it again and reports it
            return b""
        return _answer(self.populate, file.page, self.config, self.files, self.dirty, self.index, records, shared)


def _ids(config: Any, files: Any) -> dict[int, tuple[str, ...]]:
    return {id(v): k for k, v in _shared(config, files).items()}


def _answer(
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
        entries = _entries(index, page)
        stream = io.BytesIO()
        _Refs(stream, shared).dump((changed, lifted, entries, records, lookups))
        return stream.getvalue()
    except Exception:  # noqa: BLE001 - whatever it was, the parent meets it again and reports it
        return b""


def _entries(index: Any, page: Any) -> list[Any] | None:
    """The search entries of the page's HTML as the search plugin makes them (None: the plugin makes them)."""
    if index is None:
        return None
    own = type(index)(**index.config)
    try:
        own.add_entry_from_context(page)
    except Exception:  # noqa: BLE001 - the search plugin meets it again when it reaches the page
        return None
    return list(own.entries)
