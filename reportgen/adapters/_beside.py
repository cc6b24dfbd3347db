"""Work on the block's database in a thread while the calling thread runs a query: for a read that DuckDB runs on
one thread, which would otherwise leave a core idle after a parallel query.

A numbered read (``row_number() OVER ()``) keeps DuckDB's scan on one thread. The JMeter reduction reads the
percentile windows of its large series from a numbered suffix of the file after its parallel aggregate; run beside
that aggregate instead, on a noisy 2-core VM, the 200 MiB benchmark JTL's two reads took 1.63-2.07 s of wall time
where they took 1.86-2.29 s one after the other (five runs each), for about 0.1-0.2 s more cpu (the two contend);
whole extracts in ``make bench`` moved within that VM's noise.

The work gets a cursor of its own (a DuckDB connection is not to be used by two threads at once) with the block's
settings: the database's own (memory, threads, temp folder) are shared, ``enable_progress_bar`` is the cursor's.
Its answer or its error is the caller's when asked for (:meth:`Beside.result`), so a failure beside a query that
fails first, or whose answer makes the work unneeded, is dropped with it. Leaving the block interrupts the work and
waits for the thread: nothing of it outlives the block's database. DuckDB drops an interrupt that comes between two
statements (:mod:`._gzip_end` found so too), so a work of several statements may run its next one to the end
before the thread ends: time, never a figure.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from types import TracebackType
from typing import Any, Generic, TypeVar

Result = TypeVar("Result")


class Beside(Generic[Result]):
    """``work(cursor)`` run in a thread from the start, on a cursor of ``connection`` (a context manager: leaving it
    interrupts the work and waits for it)."""

    def __init__(self, connection: Any, work: Callable[[Any], Result]) -> None:
        self._cursor = connection.cursor()
        self._cursor.execute("SET enable_progress_bar = false")  # a cursor's own setting: reportgen owns the terminal
        self._work = work
        self._answer: Result | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="reportgen-beside", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            self._answer = self._work(self._cursor)
        except BaseException as exc:  # noqa: BLE001 - the caller's, when it asks (result)
            self._error = exc

    def result(self) -> Result:
        """The work's answer, once it has ended; its error, raised here."""
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._answer  # type: ignore[return-value]  # set by the work, which ended without error

    def stop(self) -> None:
        """Interrupt the work (a query it runs stops) and wait for the thread; its answer or error is dropped."""
        if self._thread.is_alive():
            self._cursor.interrupt()
        self._thread.join()
        self._cursor.close()

    def __enter__(self) -> Beside[Result]:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.stop()
