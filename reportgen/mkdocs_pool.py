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
entries and the log records it emitted: its answer (:mod:`reportgen.mkdocs_answers`). The parent takes each page
in MkDocs' order, sets those attributes, re-emits the records through its own handlers (``--strict`` counts and
shows them as one process does) and goes on; the search plugin, when it reaches the page, is given the entries
(:mod:`reportgen.mkdocs_search_entries`). A page a worker could not do (an exception, something that would not
pickle, a worker gone) and every page after it are populated by the parent itself, so an error is raised there,
in the words and at the point of a one-process build, and the log keeps its order. The parent writes nothing new:
MkDocs still writes every file, after the pages are back.

Fork, not spawn (:mod:`reportgen.page_pool` spawns): what a worker needs is MkDocs' state, not picklable and
costly to rebuild. A forked child gets a copy of one thread only, so the fork is safe as long as the child never
enters a library whose threads may hold its locks in the parent: vl-convert's JavaScript engine and DuckDB keep
threads once used (the analysis and the trend charts ran in this process), but a worker runs only Python-Markdown,
MkDocs, Material's search parser and reportgen's own plugin, and ends with ``os._exit``, never running the
parent's exit handlers. Workers ignore Ctrl-C (the build stops them), end themselves when the build process is
gone, and are stopped and reaped before :func:`pages_in_processes` returns, whatever happened.

A page whose conversion was kept by an earlier build (:mod:`reportgen.page_conversions`) is not converted at all:
its kept answer is applied as a worker's is. The pages left are converted by the workers, or by the parent in the
same way (:func:`reportgen.mkdocs_answers.convert`), and each answer that logged nothing is kept for the next build.

Only plugins whose per-page state is known here take part (Material's search and reportgen's); with any other
plugin, or fewer than :data:`MIN_PAGES` pages to convert, or ``REPORTGEN_PROCESSES=1``, pages are converted in
one process as MkDocs does.

This module owns the workers and the order of the pages: which pages are converted where, the workers' start,
their turns and their end, and the fall-back to one process. What a page's answer holds and how it crosses the
processes is :mod:`reportgen.mkdocs_answers`'s; how the search plugin is given a page's entries is
:mod:`reportgen.mkdocs_search_entries`'s.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any

from reportgen import page_pool
from reportgen.mkdocs_answers import apply, convert, records_held, shared_names
from reportgen.mkdocs_search_entries import SearchEntries
from reportgen.page_conversions import Conversions
from reportgen.site_increment import search_plugin, supported

#: Fewer pages to convert than this: one process (a worker's share would not pay for its start and the transfer).
MIN_PAGES = 20
#: Where forking the build's process is safe. Windows has no fork; on macOS the system's own libraries may
#: deadlock or crash in a forked child (why CPython spawns there since 3.8): one process, as MkDocs does.
FORK_SAFE = sys.platform.startswith("linux")


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
        self.entries: SearchEntries | None = None

    def populate(self, page: Any, config: Any, files: Any, dirty: bool = False) -> None:
        """MkDocs' ``_populate_page``, from a worker's answer where there is one."""
        if not self.started:
            self.started = True
            self._start(config, files, dirty)
        name = page.file.src_uri
        kept = self.ready.pop(name, None)
        if kept is not None and (answer := Conversions.answer(kept)) is not None:
            try:
                apply(answer, page, config, files, self.entries)
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
            records, lookups = apply(answer, page, config, files, self.entries)
        except Exception:  # noqa: BLE001 - no answer (the worker failed here), or one that does not fit
            # The parent converts this page and every later one, so an error is raised as one process raises it.
            self.serial, self.kept = True, None
            self._stop()
            self.original(page, config, files, dirty)
            return
        if self.kept is not None and not records and lookups is not None:
            self.kept.put(page.file, answer, lookups)

    def _convert_here(self, page: Any, config: Any, files: Any, dirty: bool) -> bytes:
        """The page converted in this process as a worker converts it (its log records held for :func:`apply`)."""
        records: list[logging.LogRecord] = []
        with records_held(records):
            index = self.entries.index if self.entries is not None else None
            return convert(self.original, page, config, files, dirty, index, records, shared_names(config, files))

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
            self.entries = SearchEntries(index)
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
        shared = shared_names(self.config, self.files)
        with records_held(records):  # never left: the worker ends inside, with os._exit
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
        return convert(self.populate, file.page, self.config, self.files, self.dirty, self.index, records, shared)
