"""Release pages and trend charts made in worker processes: the same pages, in the same order, as one process makes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from reportgen import build, page_pool
from reportgen.analyse import analyse
from reportgen.cache import charts_cached
from reportgen.errors import BuildError
from reportgen.page_pool import MIN_RELEASES, PROCESSES, processes, release_pages
from reportgen.project import Project
from reportgen.samples import SampleSource
from tests.conftest import copy_of_the_example

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


def _generated(root: Path, processes: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, bytes]:
    monkeypatch.setenv(PROCESSES, processes)
    with charts_cached(root):
        files, home = build.generate(Project(root), analyse(Project(root)))
    return {n: c.read_bytes() if isinstance(c, Path) else c for n, c in files.items()} | {"home": home}


def test_a_render_in_two_processes_writes_the_bytes_of_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every generated file is the same bytes when workers render the release pages and draw the trend charts as
    when one process does it all; a release whose narrative cites another release is rendered by the build's
    own process (it needs that release's page model), the others are not."""
    root = copy_of_the_example(tmp_path)
    manifest = root / "results" / "v1.2.0" / "release.yaml"
    cites = 'summary: |\n  Against {{ metric("checkout_p95", release="v1.1.0") }} in v1.1.0.\n'
    manifest.write_text(manifest.read_text().replace("summary: |\n", cites, 1))
    monkeypatch.setenv("REPORTGEN_NO_CACHE", "1")  # every chart drawn and every page rendered in both builds
    monkeypatch.setattr(page_pool, "_ALLOWED", [True])
    here: list[str] = []
    real = build.release_files

    def spy(env: Any, folder: Path, result: Any, *args: Any) -> Any:
        here.append(result.id)
        return real(env, folder, result, *args)

    monkeypatch.setattr(build, "release_files", spy)
    alone = _generated(root, "1", monkeypatch)
    shared = _generated(root, "2", monkeypatch)
    assert here == ["v1.2.0", "v1.2.0"]  # in one process too: the release task leaves it to the build
    assert alone.keys() == shared.keys()
    assert [name for name in alone if alone[name] != shared[name]] == []
    assert b"in v1.1.0" in shared["v1.2.0/index.md"]
    assert any(name.startswith("trends/") and b"<svg" in content for name, content in shared.items())


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
