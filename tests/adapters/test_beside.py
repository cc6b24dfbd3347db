"""Work on the block's database in a thread beside the calling thread's query (:mod:`reportgen.adapters._beside`)."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from reportgen.adapters._beside import Beside
from reportgen.adapters._duckdb import NotReducible, connect, fetch

#: A query that runs for minutes unless interrupted (a cross product counted row by row).
_MINUTES = "SELECT count(*) FROM range(100000000) AS a, range(1000) AS b WHERE a.range + b.range < 0"


def test_the_answer_of_the_work_is_the_callers() -> None:
    """The work runs in a thread of its own, on a cursor of the block's database, and its answer is the caller's."""
    with connect() as connection:
        connection.execute("CREATE TABLE made AS SELECT 41 AS x")  # the block drops it
        read = "SELECT x + 1 FROM made"
        with Beside(connection, lambda cursor: (threading.current_thread().name, fetch(cursor, read))) as work:
            assert work.result() == ("reportgen-beside", [(42,)])


def test_an_error_of_the_work_is_raised_when_its_answer_is_asked_for() -> None:
    """What the work raised (here DuckDB refusing a query, as NotReducible) is raised to the caller by result()."""
    with (
        connect() as connection,
        Beside(connection, lambda cursor: fetch(cursor, "SELECT nothing")) as work,
        pytest.raises(NotReducible),
    ):
        work.result()


def test_leaving_the_block_interrupts_the_work_and_waits_for_it() -> None:
    """A caller that leaves without the answer (its own query failed, or made the work unneeded) interrupts the
    work's query: the block ends in seconds, not minutes, no thread outlives it, and the work's error is dropped."""

    def long(cursor: Any) -> Any:
        return fetch(cursor, _MINUTES)

    with connect() as connection:
        started = time.monotonic()
        with Beside(connection, long):
            time.sleep(0.5)  # the query is running
        assert time.monotonic() - started < 10
    assert not [t for t in threading.enumerate() if t.name == "reportgen-beside"]


def test_the_works_cursor_draws_no_progress_bar() -> None:
    """The cursor's own setting is the block's: no DuckDB progress bar on the terminal reportgen's display owns."""
    with connect() as connection:
        setting = "SELECT current_setting('enable_progress_bar')"
        with Beside(connection, lambda cursor: fetch(cursor, setting)) as work:
            assert work.result() == [(False,)]
