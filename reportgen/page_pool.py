"""The render stage's worker processes: release pages built one release per task, in release order, then the
trend charts (the tasks are :mod:`reportgen.render_tasks`).

Building a release's page model is most of a cold build's render time: every chart is drawn by vl-convert
(about 40-80 ms of cpu each, in one thread of one process) and every change is bootstrapped. Page models are
pure functions of the analysed results (and the raw samples they read), so releases are independent: with more
than one core and enough releases, they are built in that many processes and collected in release order, so the
pages are the bytes a single process writes (``tests/test_page_pool.py``).

Workers are started fresh (``spawn``), never forked: a forked copy of a process whose vl-convert JavaScript
engine or DuckDB threads are running can hang. A spawned worker imports the program's main module again, which
is only harmless when that module runs nothing on import: so workers are used only once the program said so
(:func:`allow_processes`; the ``reportgen`` command does), and a script that calls the build as a library gets
one process. Starting a worker costs a second or two of imports, so a build with few releases to render stays in
one process too. ``REPORTGEN_PROCESSES`` sets the number of processes (``1``: one).
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from reportgen.errors import BuildError
from reportgen.project import Project

if TYPE_CHECKING:  # the page models' modules load Altair: not for every command that imports this one
    from reportgen.samples import SampleSource
    from reportgen.schemas.page import ReleasePage
    from reportgen.schemas.report import ReleaseResult

PROCESSES = "REPORTGEN_PROCESSES"
#: Fewer releases to render than this: one process (workers would cost more to start than they save).
MIN_RELEASES = 20

Job = tuple["ReleaseResult", "ReleaseResult | None"]


_ALLOWED = [False]


def allow_processes() -> None:
    """Let builds in this program use worker processes: its main module runs nothing when imported again
    (``if __name__ == "__main__"``)."""
    _ALLOWED[0] = True


def setting() -> int | None:
    """The number of processes ``REPORTGEN_PROCESSES`` asks for (None: unset), or BuildError when it is no count."""
    value = os.environ.get(PROCESSES, "").strip()
    if not value:
        return None
    if not value.isdigit() or int(value) < 1:
        raise BuildError(f"{PROCESSES}={value!r}: expected a whole number of processes, 1 or more")
    return int(value)


def processes(releases: int) -> int:
    """How many processes build ``releases`` page models: the cores this process may use, or
    ``REPORTGEN_PROCESSES``; one for fewer than MIN_RELEASES, and one unless :func:`allow_processes` was called."""
    if not _ALLOWED[0]:
        return 1
    chosen = setting()
    if chosen is not None:
        return min(chosen, max(releases, 1))
    if releases < MIN_RELEASES:
        return 1
    return max(1, min(len(os.sched_getaffinity(0)), releases))


def release_pages(
    project: Project, jobs: list[Job], samples: SampleSource, workers: int | None = None
) -> list[ReleasePage]:
    """The page model of each (result, baseline), in the order given; in ``workers`` processes when more than
    one (default :func:`processes`)."""
    from reportgen.assemble import release_page

    count = processes(len(jobs)) if workers is None else workers
    with pool(project, count) as started:
        if started is None:
            return [release_page(result, baseline, samples) for result, baseline in jobs]
        return list(started.map(_page, jobs))


@contextmanager
def pool(project: Project, count: int) -> Iterator[ProcessPoolExecutor | None]:
    """``count`` worker processes for this build's tasks (None for one: the caller does the work itself). Tasks
    find what the build gave them with :func:`worker`. Leaving the block by an error (or an interrupt) cancels
    the tasks not started."""
    from reportgen.cache import chart_cache_folder

    if count <= 1:
        yield None
        return
    context = multiprocessing.get_context("spawn")
    start = (project.root, chart_cache_folder(), os.getpid())
    executor = ProcessPoolExecutor(count, mp_context=context, initializer=_start, initargs=start)
    try:
        yield executor
    except BaseException:
        executor.shutdown(wait=True, cancel_futures=True)
        raise
    executor.shutdown(wait=True)


@dataclass(frozen=True)
class Worker:
    """What a task works with: the project, its raw samples (with the sample store) and the chart cache folder."""

    project: Project
    samples: SampleSource
    charts: Path | None


def worker() -> Worker:
    """In a worker process: what :func:`pool` gave it."""
    found = _WORKER["worker"]
    assert isinstance(found, Worker)
    return found


#: In a worker: its Worker (the raw samples it read, the build's cache folder for charts and comparisons).
_WORKER: dict[str, object] = {}


def _start(root: Path, charts: Path | None, build: int) -> None:
    """``build`` is the build's process id as the build saw it: a worker that asked os.getppid() itself would,
    when the build was killed before the worker got this far (a loaded machine), watch its new parent forever."""
    from reportgen.samples import SampleSource

    # With the project's sample store: the analysis before the pool has read every raw file's samples into it,
    # and a worker without it read each stream again (about 0.4 s a k6 stream, the largest part of a cold render).
    _WORKER["worker"] = Worker(Project(root), SampleSource.of(Project(root)), charts)
    threading.Thread(target=_end_when_orphaned, args=(build,), daemon=True).start()


def _end_when_orphaned(parent: int) -> None:
    """A worker whose build was killed ends itself instead of drawing charts for no one."""
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(1)


def _page(job: Job) -> ReleasePage:
    from reportgen.assemble import release_page
    from reportgen.cache import charts_in

    found = worker()
    with charts_in(found.charts):
        return release_page(job[0], job[1], found.samples)
