"""The reused DuckDB database (reportgen.adapters._duckdb): each block finds it as a new one would be."""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from reportgen.adapters import _duckdb


def test_a_block_finds_nothing_of_the_block_before(monkeypatch: pytest.MonkeyPatch) -> None:
    """The second of two blocks gets the same connection, but none of the first block's tables, views or files,
    and the settings of its own environment."""
    monkeypatch.setenv("REPORTGEN_DUCKDB_THREADS", "1")
    monkeypatch.setenv("REPORTGEN_DUCKDB_MEMORY", "100MB")
    with _duckdb.connect() as first:
        assert first.execute("SELECT current_setting('threads')").fetchone() == (1,)
        first.execute("CREATE TABLE kept AS SELECT 1 AS x")
        first.execute("CREATE TEMP TABLE scratch AS SELECT 2 AS y")
        first.execute("CREATE VIEW seen AS SELECT * FROM kept")
        folder = _duckdb.scratch_folder(first)
        (folder / "unzipped.txt").write_text("made for this reduction")
    assert not folder.exists()
    monkeypatch.delenv("REPORTGEN_DUCKDB_THREADS")
    monkeypatch.delenv("REPORTGEN_DUCKDB_MEMORY")
    with _duckdb.connect() as second:
        assert second is first
        assert second.execute("SELECT count(*) FROM duckdb_tables()").fetchone() == (0,)
        assert second.execute("SELECT count(*) FROM duckdb_views() WHERE NOT internal").fetchone() == (0,)
        fresh = duckdb.connect()
        fresh.execute(f"SET memory_limit = {_duckdb.literal(_duckdb.DEFAULT_MEMORY)}")
        asked = "SELECT current_setting('threads'), current_setting('memory_limit')"
        assert second.execute(asked).fetchone() == fresh.execute(asked).fetchone()
        assert list(_duckdb.scratch_folder(second).iterdir()) == []


def test_a_block_inside_a_block_and_one_after_an_error_get_their_own_database() -> None:
    """A nested block cannot share the connection in use; a block left by an error closes the database, so the
    next one does not inherit whatever state the error left."""
    with _duckdb.connect() as outer, _duckdb.connect() as inner:
        assert inner is not outer
        assert _duckdb.scratch_folder(inner) != _duckdb.scratch_folder(outer)
    with pytest.raises(ZeroDivisionError), _duckdb.connect() as failed:
        raise ZeroDivisionError
    with _duckdb.connect() as after:
        assert after is not failed


def test_a_process_leaves_no_folder_behind() -> None:
    """The process's database folder is removed when it exits, and a forked child does not close its parent's."""
    script = """
import os, sys
from reportgen.adapters import _duckdb
with _duckdb.connect() as c:
    folder = _duckdb.scratch_folder(c).parent
pid = os.fork()
if pid == 0:
    with _duckdb.connect() as c:
        c.execute("SELECT 1").fetchall()
    sys.exit(0)
os.waitpid(pid, 0)
with _duckdb.connect() as c:  # the parent's own database, reopened after the fork closed it
    assert c.execute("SELECT 42").fetchone() == (42,)
print(folder)
"""
    if not hasattr(os, "fork"):
        pytest.skip("no fork here")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    folder = done.stdout.strip()
    assert folder and not os.path.exists(folder)


def test_a_folder_left_by_a_killed_process_is_removed_by_the_next_one(tmp_path: Path) -> None:
    """A reducing process killed by SIGKILL cannot remove its database folder; the next process's first database
    removes it, and leaves alone the folder of a process still running and one without a lock file."""
    hold = """
import sys, time
from reportgen.adapters import _duckdb
with _duckdb.connect() as c:
    print(_duckdb.scratch_folder(c).parent, flush=True)
    time.sleep(60)
"""
    env = {**os.environ, "TMPDIR": str(tmp_path)}
    killed = subprocess.Popen([sys.executable, "-c", hold], stdout=subprocess.PIPE, text=True, env=env)
    running = subprocess.Popen([sys.executable, "-c", hold], stdout=subprocess.PIPE, text=True, env=env)
    try:
        assert killed.stdout is not None and running.stdout is not None
        abandoned, alive = Path(killed.stdout.readline().strip()), Path(running.stdout.readline().strip())
        killed.send_signal(signal.SIGKILL)
        killed.wait(timeout=30)
        unlocked = tmp_path / f"{_duckdb.FOLDER_PREFIX}older"  # an older reportgen's: no lock file
        unlocked.mkdir()
        sweep = "from reportgen.adapters import _duckdb\nwith _duckdb.connect() as c: pass"
        subprocess.run([sys.executable, "-c", sweep], check=True, env=env, timeout=60)
        assert not abandoned.exists()
        assert alive.is_dir() and unlocked.is_dir()
    finally:
        for process in (killed, running):
            process.kill()
            process.wait(timeout=30)
            if process.stdout is not None:
                process.stdout.close()


def test_a_temporary_directory_without_locks_still_reduces(monkeypatch: pytest.MonkeyPatch) -> None:
    """Where the file system refuses flock (a network or FUSE temporary directory) the folder is used unlocked,
    as before the sweep existed, instead of every reduction failing; and no half-made lock file is left."""
    from reportgen.adapters import _owned_folders

    def refused(fd: int, operation: int) -> None:
        raise OSError(errno.ENOLCK, "No locks available")

    monkeypatch.setattr(_owned_folders.fcntl, "flock", refused)
    folder = _owned_folders.OwnedFolder("reportgen-test-")
    try:
        assert folder.path.is_dir() and list(folder.path.iterdir()) == []
    finally:
        folder.remove()
    assert not folder.path.exists()


class _Interrupted:
    """A connection whose every statement DuckDB interrupts: what a read beside the query that refuses the file
    (tests/adapters/test_gzip_end.py) does to whichever statement is running then."""

    def execute(self, statement: str) -> None:
        raise duckdb.InterruptException("INTERRUPT Error: Interrupted!")


def test_reading_the_memory_limit_when_interrupted_is_not_reducible_like_any_query() -> None:
    """The memory_limit a reduction reads before its query, interrupted, is NotReducible as an interrupted query
    is (which the gzip read beside turns into its limit's error), not DuckDB's own exception."""
    with pytest.raises(_duckdb.NotReducible):
        _duckdb.memory_limit(_Interrupted())
