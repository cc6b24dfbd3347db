"""The hostile-input corpus: every tests/hostile/<class>/<case>.yaml is one case (format: tests/hostile/README.md)."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from reportgen.cli import main
from reportgen.scaffold import init

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
CASES = sorted(HERE.glob("*/*.yaml"))
KNOWN_KEYS = {"rule", "files", "copy", "dirs", "fifos", "symlinks", "env", "run", "expect"}
EXPECT_KEYS = {"exit", "stderr", "stdout", "no_stderr", "no_stdout", "unchanged", "absent", "html", "no_html"}
#: Seconds a case with FIFOs may take: opening a FIFO blocks until a writer comes, so a regression must fail.
FIFO_SECONDS = 60
#: Commands whose job is to change results/: by default only the files the case wrote must stay as they were.
CHANGES_RESULTS = {"new", "sign"}


def _load(case: Path) -> dict[str, Any]:
    data = YAML(typ="safe").load(case.read_text(encoding="utf-8"))
    assert isinstance(data, dict), f"{case}: a case is a mapping"
    assert isinstance(data.get("rule"), str) and data["rule"].strip(), f"{case}: every case states its rule"
    assert set(data) <= KNOWN_KEYS, f"{case}: unknown keys {sorted(set(data) - KNOWN_KEYS)}"
    assert set(data.get("expect") or {}) <= EXPECT_KEYS, f"{case}: unknown expect keys"
    return data


def snapshot(path: Path) -> dict[str, str]:
    """Every file, folder and link at or under ``path``, with its content's SHA-256 (or link target)."""
    if path.is_symlink():
        return {".": f"link:{os.readlink(path)}"}
    if path.is_fifo():
        return {".": "fifo"}
    if path.is_file():
        return {".": hashlib.sha256(path.read_bytes()).hexdigest()}
    if not path.exists():
        return {".": "absent"}
    state = {".": "dir"}
    for item in sorted(path.rglob("*")):
        relative = item.relative_to(path).as_posix()
        if item.is_symlink():
            state[relative] = f"link:{os.readlink(item)}"
        elif item.is_dir():
            state[relative] = "dir"
        elif item.is_fifo():
            state[relative] = "fifo"  # never opened: reading it would wait for a writer
        else:
            state[relative] = hashlib.sha256(item.read_bytes()).hexdigest()
    return state


class _VisibleText(HTMLParser):
    """The text a reader sees: character data outside <script> and <style>, entities decoded."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._hidden += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._hidden = max(0, self._hidden - 1)

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _VisibleText()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def _fill(project: Path, case: dict[str, Any]) -> list[str]:
    """Write the case's files, copies, folders and links into ``project``; the paths written."""
    written: list[str] = []
    for relative, text in (case.get("files") or {}).items():
        target = project / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(text if isinstance(text, bytes) else str(text).encode("utf-8"))  # !!binary: bytes
        written.append(relative)
    for relative, source in (case.get("copy") or {}).items():
        target = project / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(ROOT / source, target)
        written.append(relative)
    for relative in case.get("dirs") or []:
        (project / relative).mkdir(parents=True, exist_ok=True)
    for relative in case.get("fifos") or []:
        (project / relative).parent.mkdir(parents=True, exist_ok=True)
        os.mkfifo(project / relative)
    for relative, pointing_to in (case.get("symlinks") or {}).items():
        link = project / relative
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to(str(pointing_to).replace("{project}", str(project)))
    return written


class _Hung(Exception):
    """The command did not return in time (it waits on a FIFO)."""


@contextmanager
def _deadline(seconds: int | None) -> Iterator[None]:
    """Fail the case after ``seconds`` instead of hanging: SIGALRM interrupts a blocking open() of a FIFO."""
    if seconds is None:
        yield
        return

    def hung(signum: int, frame: object) -> None:
        raise _Hung(f"still running after {seconds} s: blocked on a FIFO?")

    previous = signal.signal(signal.SIGALRM, hung)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    root = tmp_path / "project"
    init(root)
    monkeypatch.chdir(root)
    yield root


@pytest.mark.parametrize("case_path", CASES, ids=[c.relative_to(HERE).with_suffix("").as_posix() for c in CASES])
def test_case(
    case_path: Path, project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Each hostile case exits as expected, says what it expects, and changes nothing it must not."""
    case = _load(case_path)
    expect = case.get("expect") or {}
    written = _fill(project, case)
    for key, value in (case.get("env") or {}).items():
        monkeypatch.setenv(key, str(value))

    def expand(text: str) -> str:
        return text.replace("{project}", str(project))

    argv = [expand(str(a)) for a in case.get("run") or ["check"]]
    default_unchanged = written if argv[0] in CHANGES_RESULTS else ["results", *written]
    unchanged = [expand(p) for p in expect.get("unchanged", default_unchanged)]
    before = {p: snapshot(project / p) for p in unchanged}

    with _deadline(FIFO_SECONDS if case.get("fifos") else None):
        try:
            code = main(argv)
        except SystemExit as exc:  # argparse refusing the arguments
            code = exc.code if isinstance(exc.code, int) else 2
    out, err = capsys.readouterr()

    assert code == expect.get("exit", 0), f"exit {code}\nstdout:\n{out}\nstderr:\n{err}"
    assert "Traceback" not in err
    for needle in expect.get("stderr") or []:
        assert expand(needle) in err, f"{needle!r} not in stderr:\n{err}"
    for needle in expect.get("stdout") or []:
        assert expand(needle) in out, f"{needle!r} not in stdout:\n{out}"
    for needle in expect.get("no_stderr") or []:
        assert expand(needle) not in err, f"{needle!r} in stderr:\n{err}"
    for needle in expect.get("no_stdout") or []:
        assert expand(needle) not in out, f"{needle!r} in stdout:\n{out}"
    for path in unchanged:
        assert snapshot(project / path) == before[path], f"{path} changed"
    for path in expect.get("absent") or []:
        assert not (project / expand(path)).exists(), f"{path} exists"
    for page, texts in (expect.get("html") or {}).items():
        seen = visible_text((project / "site" / page).read_text(encoding="utf-8"))
        for text in texts:
            assert " ".join(text.split()) in seen, f"{page}: {text!r} not shown literally"
    for page, needles in (expect.get("no_html") or {}).items():
        raw = (project / "site" / page).read_text(encoding="utf-8")
        for needle in needles:
            assert needle not in raw, f"{page}: raw HTML contains {needle!r}"


def test_every_case_names_its_class_folder() -> None:
    """Cases live one level down in a folder naming their rule class, with a lower-case file name."""
    assert CASES, "the corpus is empty"
    for case in CASES:
        assert re.fullmatch(r"[a-z0-9_-]+/[a-z0-9_.-]+\.yaml", case.relative_to(HERE).as_posix()), case
