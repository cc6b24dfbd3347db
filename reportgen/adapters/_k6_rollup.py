"""The total and breakdown slices of a k6 stream, rolled up exactly from its finest groups.

A sample belongs to its metric's total and to one breakdown slice per tag it carries (name, status, scenario,
group, expected_response). Sent to each of those six groups in SQL, every line became six rows of the one
aggregate (and every Trend value six list entries, sorted six times). Instead the query groups each sample ONCE,
by its *finest* group (the metric and all five breakdown tags, :func:`finest_key`), and every total or breakdown
slice is the union of some finest groups, rolled up here without losing a bit: counts and the integer parts of the
exact sums add up as Python integers, minimum, maximum, first and last lines and times are the extremes, a Gauge's
last value is that of the latest (time, line) key, and k6's percentiles are selected from the values of the
finest groups (:mod:`._k6_ranks`).

Measured on the 103 MiB benchmark stream: about a quarter less cpu for the query than six rows per line.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from reportgen.adapters._duckdb import FileOrderNeeded, NotReducible
from reportgen.adapters._k6_order import same_value
from reportgen.adapters._k6_ranks import picked
from reportgen.adapters._k6_reduce import BREAKDOWN_TAGS

Row = tuple[Any, ...]

#: Separates the tags of a finest-group key; a tag value holding it makes the key split into too many parts,
#: which sends the file to the line reader instead of mixing two groups.
_SEPARATOR = "chr(0)"


def finest_key(tag_columns: Sequence[str]) -> str:
    """SQL: the finest group of a line, its breakdown tags (``v`` + value, or empty when absent) joined by NUL."""
    parts = [f"coalesce('v' || NULLIF({column}, ''), '')" for column in tag_columns]
    return f"concat_ws({_SEPARATOR}, {', '.join(parts)})"


def _tags_of(key: str) -> tuple[str | None, ...]:
    parts = key.split("\x00")
    if len(parts) != len(BREAKDOWN_TAGS):
        raise NotReducible("a breakdown tag value holding a NUL character")
    return tuple(part[1:] if part else None for part in parts)


def _key(value: Any) -> tuple[Any, ...]:
    return tuple(value.values()) if isinstance(value, dict) else tuple(value)


def _merged(metric: str, s: int, k: str, rows: list[Row], percentiles: Sequence[float]) -> Row:
    """One slice's row, in the query's column order, from the rows of the finest groups it is made of."""
    n = sum(row[3] for row in rows)
    sums = [_key(row[7]) for row in rows]
    gauges = [row for row in rows if row[16] is not None]
    last = None
    if gauges:
        latest = max(gauges, key=lambda row: _key(row[16]))
        last = latest[8]
        # Unnumbered (every line 0), two groups can share the latest time: which is last is the line order's.
        if any(_key(row[16]) == _key(latest[16]) and not same_value(row[8], last) for row in gauges):
            raise FileOrderNeeded(f"{metric}: two Gauge values at its latest time")
    arrays = [row[15] for row in rows if row[15] is not None]
    listed, values = None, None
    if arrays:
        import numpy as np  # the arrays are numpy's: it is loaded (not at import: see _k6_ranks.picked)

        together = arrays[0] if len(arrays) == 1 else np.concatenate(arrays)
        if len(together) != n:
            raise NotReducible(f"{metric}: the finest groups' values do not add up to the slice")
        listed, values = n, picked(together, percentiles)
    return (
        metric,
        s,
        k,
        n,
        min(row[4] for row in rows),
        max(row[5] for row in rows),
        sum(row[6] for row in rows),
        (sum(int(whole) for whole, _ in sums), sum(int(rest) for _, rest in sums)),
        last,
        min(row[9] for row in rows),
        min(row[10] for row in rows),
        max(row[11] for row in rows),
        listed,
        values,
        max(row[14] for row in rows),
        None,
        None,
    )


def rolled_up(finest: Iterable[Row], percentiles: Sequence[float]) -> list[Row]:
    """The total (slice 0) and breakdown slices (1..5, keyed by the tag value) of every metric, from the rows of
    its finest groups (slice number and key as the query gives them, values unsorted)."""
    members: dict[tuple[str, int, str], list[Row]] = {}
    for row in finest:
        metric = row[0]
        members.setdefault((metric, 0, ""), []).append(row)
        for index, tag in enumerate(_tags_of(row[2]), start=1):
            if tag is not None:
                members.setdefault((metric, index, tag), []).append(row)
    # A slice made of the same finest groups as one before it has the same figures (a run of one scenario: its
    # scenario slice is the total): its row is copied, not merged and its values selected again (a fifth of the
    # values the selections of the 205 MiB benchmark stream read).
    merged: dict[tuple[int, ...], Row] = {}
    found = []
    for (metric, s, k), rows in members.items():
        same = tuple(id(row) for row in rows)
        if same not in merged:
            merged[same] = _merged(metric, s, k, rows, percentiles)
        found.append((metric, s, k, *merged[same][3:]))
    return found
