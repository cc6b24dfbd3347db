"""Release page models built in worker processes: the same pages, in the same order, as one process builds."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from reportgen import page_pool
from reportgen.analyse import analyse
from reportgen.errors import BuildError
from reportgen.page_pool import MIN_RELEASES, PROCESSES, processes, release_pages
from reportgen.project import Project
from reportgen.samples import SampleSource

ROOT = Path(__file__).resolve().parent.parent


def test_pages_built_in_two_processes_are_the_pages_one_process_builds(example_repo: Path) -> None:
    """Each release's page model (charts, comparisons with their noise tests) is equal field for field, in order."""
    project = Project(example_repo)
    results = analyse(project)
    by_id = {r.id: r for r in results}
    jobs = [(r, by_id.get(r.manifest.baseline) if r.manifest.baseline else None) for r in results][:2]
    samples = SampleSource(project.release_dir)
    alone = release_pages(project, jobs, samples, workers=1)
    shared = release_pages(project, jobs, samples, workers=2)
    assert [p.id for p in shared] == [r.id for r, _ in jobs]
    assert [p.model_dump_json() for p in shared] == [p.model_dump_json() for p in alone]
    assert any(c.svg for p in shared for g in p.chart_groups for c in g.charts)


def test_few_releases_stay_in_one_process_and_the_setting_is_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    """Below MIN_RELEASES one process; REPORTGEN_PROCESSES overrides, and a value that is no count is an error.
    A program that did not allow workers (a script calling the build as a library) always gets one process."""
    monkeypatch.setattr(page_pool, "_ALLOWED", [False])
    monkeypatch.setenv(PROCESSES, "3")
    assert processes(100) == 1
    page_pool.allow_processes()
    monkeypatch.delenv(PROCESSES, raising=False)
    assert processes(MIN_RELEASES - 1) == 1
    assert processes(100) == len(os.sched_getaffinity(0))  # the cores this process may use
    monkeypatch.setenv(PROCESSES, "1")
    assert processes(100) == 1
    monkeypatch.setenv(PROCESSES, "3")
    assert processes(2) == 2 and processes(100) == 3
    for wrong in ("0", "two", "-1"):
        monkeypatch.setenv(PROCESSES, wrong)
        with pytest.raises(BuildError, match=PROCESSES):
            processes(10)


_KILLED_BUILD = """
import os, sys, time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path
from reportgen import page_pool
pool = ProcessPoolExecutor(2, mp_context=get_context("spawn"), initializer=page_pool._start, initargs=(Path("."), None, os.getpid()))
futures = [pool.submit(time.sleep, 60) for _ in range(2)]
print(" ".join(str(p) for p in pool._processes), flush=True)
time.sleep(60)
"""


def test_workers_of_a_killed_build_end_themselves() -> None:
    """When the build process is killed, its workers end within seconds instead of working on for no one, even
    when it is killed before they have started (killed at once here: what a loaded machine did to a sleep of 3 s)."""
    build = subprocess.Popen([sys.executable, "-c", _KILLED_BUILD], stdout=subprocess.PIPE, text=True, cwd=ROOT)
    assert build.stdout is not None
    workers = [int(p) for p in build.stdout.readline().split()]
    build.kill()
    build.wait()
    build.stdout.close()
    deadline = time.monotonic() + 20
    while any(Path(f"/proc/{p}").exists() for p in workers) and time.monotonic() < deadline:
        time.sleep(0.2)
    alive = [p for p in workers if Path(f"/proc/{p}").exists()]
    for pid in alive:
        os.kill(pid, signal.SIGKILL)
    assert len(workers) == 2 and not alive
