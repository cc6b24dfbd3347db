"""Python's cyclic garbage collector run less often during a reduction: :func:`spaced`.

A reduction allocates in bursts that make no reference cycles worth collecting: DuckDB's result rows and arrays,
the measurements built from them, and (the first time in a process) the numpy and DuckDB modules it imports. Each
burst still triggers collections at CPython's default of one per 700 allocations, and every tenth of every tenth
is a full one, which traverses every object the process holds. Measured on the benchmark's 205 MiB k6 NDJSON
(2-core AMD EPYC, Python 3.11): 115 young, 11 middle and 1 full collection during one `extract`, 0.06-0.08 s of
its 1.4-1.6 s; the same with the 200 MiB JMeter JTL and the 101 MiB k6 CSV.

The collector is spaced, not turned off: a line reader's pass over a damaged multi-gigabyte stream allocates
per line for minutes, and whatever cycles it makes are still collected, one young collection per
:data:`YOUNG_THRESHOLD` allocations instead of 700.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

#: Allocations between two young collections while spaced (CPython's default: 700).
YOUNG_THRESHOLD = 100_000

_lock = threading.Lock()
#: Spaced blocks open now (threads of a build may reduce at once), and the thresholds the first one found.
_open = [0]
_found: list[tuple[int, int, int]] = []


@contextmanager
def spaced() -> Iterator[None]:
    """The block runs with young collections at most every :data:`YOUNG_THRESHOLD` allocations; the thresholds
    found are restored when the last open block ends (a caller's own thresholds included)."""
    with _lock:
        if _open[0] == 0:
            found = gc.get_threshold()
            _found[:] = [found]
            gc.set_threshold(max(found[0], YOUNG_THRESHOLD), *found[1:])
        _open[0] += 1
    try:
        yield
    finally:
        with _lock:
            _open[0] -= 1
            if _open[0] == 0:
                gc.set_threshold(*_found.pop())
