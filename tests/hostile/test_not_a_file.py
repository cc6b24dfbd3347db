"""Paths that are no regular file (FIFO, socket) are refused by name, never opened in a way that can block.

The corpus (tests/hostile/not-a-file/) covers FIFOs at every path a user or a manifest names; these tests cover
what YAML cases cannot make: a socket, and a file swapped for a FIFO between the check and the open.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from reportgen.scaffold import init

MANIFEST = "release: v1\ntitle: t\ndate: 2026-10-01\nartifacts: [k6/summary.json]\n"


def test_socket_as_artifact_is_refused_at_its_place_in_release_yaml(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An artifact path that is a Unix socket is refused as a socket, at release.yaml's position."""
    root = tmp_path / "repo"
    init(root)
    release = root / "results/v1"
    (release / "k6").mkdir(parents=True)
    (release / "release.yaml").write_text(MANIFEST, encoding="utf-8")
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    monkeypatch.chdir(release / "k6")  # AF_UNIX paths are limited to ~100 bytes: bind a relative name
    listener.bind("summary.json")
    try:
        done = subprocess.run(
            [sys.executable, "-m", "reportgen.cli", "-C", str(root), "check", "v1"],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    finally:
        listener.close()
    assert done.returncode == 2, done.stderr
    assert "release.yaml:4:" in done.stderr, done.stderr
    assert "artifact 'k6/summary.json' is a socket, not a regular file" in done.stderr, done.stderr


RACE = """
import os, sys
from pathlib import Path
from reportgen import named_files
path = Path(sys.argv[1])
named_files.not_a_file = lambda p: None  # as if the path were a regular file when stat'ed, a FIFO when opened
try:
    named_files.open_file(path)
except named_files.NotAFileError as exc:
    print(exc)
"""


def test_a_file_swapped_for_a_fifo_after_the_check_cannot_block_the_open(tmp_path: Path) -> None:
    """Even when the stat said "regular file", opening a FIFO returns at once and is refused on the descriptor."""
    fifo = tmp_path / "release.yaml"
    os.mkfifo(fifo)
    done = subprocess.run(
        [sys.executable, "-c", RACE, str(fifo)], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "release.yaml: is a FIFO (named pipe), not a regular file" in done.stdout, done.stdout
