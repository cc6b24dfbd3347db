"""MkDocs' pages converted in forked workers: the same site, the same warnings and errors, and no worker left."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from reportgen import engine, mkdocs_pool
from reportgen.errors import BuildError
from reportgen.mkdocs_pool import MIN_PAGES, processes
from reportgen.page_pool import PROCESSES
from tests.support.project import tree_digest

ROOT = Path(__file__).resolve().parent.parent

MKDOCS_YML = """\
site_name: pool
theme: {name: material}
plugins: [search, reportgen]
markdown_extensions: [tables, attr_list, md_in_html, {toc: {permalink: true}}]
validation: {links: {not_found: warn, anchors: warn, unrecognized_links: warn}}
"""


def _docs(root: Path, pages: dict[str, str]) -> Path:
    """A MkDocs project in ``root`` (Material, search, reportgen) with these pages; its mkdocs.yml."""
    (root / "docs").mkdir(parents=True)
    for name, text in pages.items():
        (root / "docs" / name).write_text(text, encoding="utf-8")
    (root / "mkdocs.yml").write_text(MKDOCS_YML, encoding="utf-8")
    return root / "mkdocs.yml"


def _page(number: int, rows: int = 30) -> str:
    """A page like reportgen's: a heading, sections and a table of escaped text with inline markup."""
    table = "\n".join(f"| r{i} &lt;b&gt; | **{i * number}** ms | `code {i}` |" for i in range(rows))
    return (
        f"# Page {number}\n\nSee [the next](p{number + 1}.md#section-1) and [home](index.md).\n\n"
        f"## Section 1\n\n| name | value | note |\n| --- | --- | --- |\n{table}\n\n## Section 2 {{ #s2 }}\n\ntext\n"
    )


def _counted(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many pages the parent took from a worker's answer (one number per build, appended as it goes)."""
    answered: list[int] = []
    real = mkdocs_pool._Pool._answer

    def counting(pool: mkdocs_pool._Pool, index: int) -> bytes | None:
        answer = real(pool, index)
        if index == 0:
            answered.append(0)
        answered[-1] += answer is not None
        return answer

    monkeypatch.setattr(mkdocs_pool._Pool, "_answer", counting)
    return answered


def _build(
    config: Path, site: Path, workers: int, monkeypatch: pytest.MonkeyPatch, log: pytest.LogCaptureFixture
) -> str:
    """Build ``config`` strictly into ``site`` with ``workers`` processes: MkDocs' warnings and errors as logged,
    in order, then the build's error ("" when it built)."""
    monkeypatch.setenv(PROCESSES, str(workers))
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    log.clear()
    error = ""
    try:
        engine.run(config, site)
    except Exception as exc:  # noqa: BLE001 - whichever it is, both builds must raise the same
        error = f"{type(exc).__name__}: {exc}"
    logged = [f"{r.levelname} {r.name}: {r.getMessage()}" for r in log.records if r.levelno >= logging.WARNING]
    return "\n".join([*logged, error])


def test_workers_build_the_bytes_one_process_builds(
    example_site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The example's site built with its pages converted in two workers is byte for byte the one-process site
    (every page, search_index.json, sitemap, 404), and every page came from a worker."""
    answered = _counted(monkeypatch)
    settings = {"docs_dir": str(example_site / "site_docs")}
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    monkeypatch.setenv(PROCESSES, "1")
    engine.run(example_site / "mkdocs.yml", tmp_path / "one", overrides=settings)
    monkeypatch.setenv(PROCESSES, "2")
    engine.run(example_site / "mkdocs.yml", tmp_path / "two", overrides=settings)
    one, two = tree_digest(tmp_path / "one"), tree_digest(tmp_path / "two")
    assert {"search/search_index.json", "sitemap.xml", "404.html"} <= set(one)
    assert two == one
    pages = sum(1 for _ in (example_site / "site_docs").rglob("*.md"))
    assert answered == [pages] and pages > MIN_PAGES


def test_strict_warnings_are_those_of_one_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """Broken links and anchors found in workers fail a strict build with the same messages, in the same order."""
    pages = {"index.md": "# Home\n\n[gone](nowhere.md), [page 2](p2.md#no-such-anchor)\n"}
    pages |= {f"p{n}.md": _page(n) for n in range(1, 8)}  # p7 links to p8.md, which does not exist
    config = _docs(tmp_path / "project", pages)
    answered = _counted(monkeypatch)
    alone = _build(config, tmp_path / "one", 1, monkeypatch, caplog)
    shared = _build(config, tmp_path / "two", 2, monkeypatch, caplog)
    assert "nowhere.md" in alone and "p8.md" in alone and "does not contain an anchor '#no-such-anchor'" in alone
    assert shared == alone
    assert answered == [len(pages)]


def test_a_page_no_worker_can_convert_fails_as_in_one_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """A page that cannot be read (not UTF-8) fails the build with the error one process gives; the pages before
    it came from workers and the parent converted it itself."""
    config = _docs(tmp_path / "project", {"index.md": "# Home\n", **{f"p{n}.md": _page(n) for n in range(1, 6)}})
    (tmp_path / "project/docs/p3.md").write_bytes(b"# Three\n\n\xff\xfe not UTF-8\n")
    answered = _counted(monkeypatch)
    alone = _build(config, tmp_path / "one", 1, monkeypatch, caplog)
    shared = _build(config, tmp_path / "two", 2, monkeypatch, caplog)
    assert "Error reading page 'p3.md'" in alone and alone.endswith("invalid start byte")
    assert shared == alone
    assert answered and 0 < answered[0] < 6


def test_where_fork_is_not_safe_pages_stay_in_one_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """Off Linux (no fork on Windows, fork-unsafe system libraries on macOS) no worker is forked, whatever
    REPORTGEN_PROCESSES says, and the site is built as one process builds it."""
    pages = {"index.md": "# Home\n", **{f"p{n}.md": _page(n) for n in range(1, 6)}, "p6.md": "# Six\n\n## Section 1\n"}
    config = _docs(tmp_path / "project", pages)
    answered = _counted(monkeypatch)
    monkeypatch.setattr(mkdocs_pool, "FORK_SAFE", False)
    assert _build(config, tmp_path / "site", 2, monkeypatch, caplog) == ""
    assert answered == [] and (tmp_path / "site/p5/index.html").exists()


def test_few_pages_stay_in_one_process_unless_told(monkeypatch: pytest.MonkeyPatch) -> None:
    """Below MIN_PAGES pages one process; REPORTGEN_PROCESSES sets the count (1: one), and is checked."""
    monkeypatch.delenv(PROCESSES, raising=False)
    assert processes(MIN_PAGES - 1) == 1
    assert processes(500) == len(os.sched_getaffinity(0))
    monkeypatch.setenv(PROCESSES, "1")
    assert processes(500) == 1
    monkeypatch.setenv(PROCESSES, "3")
    assert processes(2) == 2 and processes(500) == 3
    monkeypatch.setenv(PROCESSES, "many")
    with pytest.raises(BuildError, match=PROCESSES):
        processes(500)


_SLOW_BUILD = """
import sys
from pathlib import Path
from reportgen import engine
engine.run(Path(sys.argv[1]), Path(sys.argv[2]))
"""


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(p) for p in text.split()]


def _start_slow_build(tmp_path: Path) -> tuple[subprocess.Popen[bytes], list[int]]:
    """A build of many large pages in a child process, once its two workers are running: (process, workers)."""
    config = _docs(tmp_path / "project", {"index.md": "# Home\n", **{f"p{n}.md": _page(n, 400) for n in range(400)}})
    env = {**os.environ, PROCESSES: "2", "SOURCE_DATE_EPOCH": "1767225600"}
    build = subprocess.Popen(
        [sys.executable, "-c", _SLOW_BUILD, str(config), str(tmp_path / "site")],
        cwd=ROOT,
        env=env,
        # Ctrl-C as a terminal delivers it: a pytest-xdist worker ignores SIGINT, and an ignored signal stays
        # ignored across exec, so the build would never see it (Python installs its handler only over SIG_DFL).
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    deadline = time.monotonic() + 60
    while len(workers := _children(build.pid)) < 2 and time.monotonic() < deadline and build.poll() is None:
        time.sleep(0.05)
    return build, workers


def _gone(workers: list[int], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while any(Path(f"/proc/{p}").exists() for p in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    alive = [p for p in workers if Path(f"/proc/{p}").exists()]
    for pid in alive:
        os.kill(pid, signal.SIGKILL)
    return not alive


def test_an_interrupted_build_stops_its_workers(tmp_path: Path) -> None:
    """Ctrl-C during the page pass ends the build with KeyboardInterrupt and leaves no worker running."""
    build, workers = _start_slow_build(tmp_path)
    assert len(workers) == 2, "the build did not start two workers"
    try:
        build.send_signal(signal.SIGINT)
        assert build.wait(timeout=60) != 0
    finally:
        build.kill()  # a build that did not stop in time must not outlive the test (nor its Popen warn later)
        build.wait()
    assert _gone(workers, 5)


def test_workers_of_a_killed_build_end_themselves(tmp_path: Path) -> None:
    """When the build process is killed, its workers end after the page they are on instead of working on."""
    build, workers = _start_slow_build(tmp_path)
    assert len(workers) == 2, "the build did not start two workers"
    build.kill()
    build.wait()
    assert _gone(workers, 20)
