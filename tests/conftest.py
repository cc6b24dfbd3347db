"""Shared fixtures: paths, and a real loopback server that tool runs can load."""

from __future__ import annotations

import fcntl
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.support.browser import ARGS, CHROMIUM, CHROMIUM_REQUIRED, NO_CHROMIUM, browser_required

if TYPE_CHECKING:
    from playwright.sync_api import Browser

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "real"
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for_port(port: int, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError(f"nothing listening on 127.0.0.1:{port} after {timeout}s")


@pytest.fixture(scope="session")
def target_server() -> Iterator[str]:
    """The fixtures' target app on 127.0.0.1 (a free port); yields its base URL."""
    port = free_port()
    proc = subprocess.Popen([sys.executable, str(ROOT / "tests" / "support" / "target_server.py"), str(port)])
    try:
        wait_for_port(port)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def copy_of_the_example(folder: Path, source: Path = ROOT) -> Path:
    """Into ``folder``: this repository as a report repository (results/, templates, site_docs/, mkdocs.yml …)
    without what a build or a test run left in it (site/, generated releases, caches, .venv, .git).
    Tool state is left out above all because other test workers change it while this copies: Hypothesis
    creates and deletes ``.hypothesis/tmp`` under a running suite, and copying a folder that vanished
    between its listing and its copy fails the test that asked for the example."""
    copy = folder / "repo"
    ignore = shutil.ignore_patterns(".venv", ".git", "site", "releases", "__pycache__", ".*cache", ".hypothesis")
    shutil.copytree(source, copy, ignore=ignore, symlinks=True)
    return copy


@pytest.fixture(scope="session")
def example_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An unbuilt copy of this repository's example, for the tests that analyse, check, compare or explain it:
    run on the checkout they would write its .reportgen-cache/, one folder for every test worker at once.
    Tests share it (and its cache) as they shared the checkout's; one that changes its inputs makes its own."""
    return copy_of_the_example(tmp_path_factory.mktemp("example-repo"))


@pytest.fixture(scope="session")
def example_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of this repository's example built by `reportgen build` (strict MkDocs): the copy's root.
    Built once per run, by the first test worker that needs it (the others wait on a lock, then read the same
    folder), and never changed: a test that changes the build copies it (``shutil.copytree``) first."""
    from reportgen.cli import main

    run = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        run = run.parent  # the folder all workers of this run share (pytest-xdist: basetemp/popen-gwN)
    folder, done = run / "example-site", run / "example-site.built"
    with (run / "example-site.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not folder.exists():
            folder.mkdir()
            assert main(["-C", str(copy_of_the_example(folder)), "build"]) == 0
            done.touch()
    assert done.is_file(), f"the example's build failed in another test worker ({folder})"
    return folder / "repo"


@pytest.fixture
def fixtures() -> Path:
    return FIXTURES


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Keep each phase's report on the test item (``item.rep_call``), so a fixture can save a screenshot on failure."""
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests marked ``browser`` need Debian's chromium: without one they skip, and under CI the run stops instead."""
    needing = [item for item in items if item.get_closest_marker("browser")]
    if not needing or CHROMIUM is not None:
        return
    if browser_required():
        pytest.exit(CHROMIUM_REQUIRED, returncode=pytest.ExitCode.INTERRUPTED)
    for item in needing:
        item.add_marker(pytest.mark.skip(reason=NO_CHROMIUM))


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's chromium driven by Playwright (``executable_path``, never a downloaded browser), one per module."""
    from playwright.sync_api import sync_playwright

    assert CHROMIUM is not None, NO_CHROMIUM  # browser-marked tests were skipped or the run stopped at collection
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield instance
        instance.close()
