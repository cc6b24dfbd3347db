"""The Trend values of a k6 stream's finest groups from a second read that DuckDB sorts and spills, for a stream
whose values do not fit in ``memory_limit`` as the list states of the one query (:mod:`._k6_sql`).

The one query gathers each finest group's values with ``list(value)``, a state DuckDB cannot spill: about 26 bytes
a value (measured: 418 MB of DuckDB's memory for the 15.8 M Trend values of the 2 GB benchmark CSV, where the
default ``memory_limit`` is 256 MB, so that query may run out of memory, depending on how far its threads got).
When it does, the query is run again counting each finest group's values instead, and this module reads them
again: the file's Trend values, numbered by their
finest group (a join with the groups the query found), sorted by group and value with ``ORDER BY`` (DuckDB sorts
beyond ``memory_limit`` in its temp folder), fetched as one numpy array of 8 bytes a value while DuckDB has half
its ``memory_limit``. Each group's part of it is the values :mod:`._k6_rollup` selects k6's percentiles from, as
from the lists: the same values, so the same figures bit for bit.

Why not one read (all tried on the 2 GB benchmark CSV, DuckDB 2.0.1): DuckDB's other aggregates that keep every
value keep them where it cannot spill too (``quantile_disc``: 9.5 bytes a value, and no way to read them out); a
window or a materialised CTE below the aggregate holds every line, not only the Trend values; loading the lines
into a table first costs as much cpu as the whole one query (33 s against 30 s).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from reportgen.adapters._duckdb import NotReducible, fetch, fetch_arrays, literal, memory_share

Row = tuple[Any, ...]

#: The share of ``memory_limit`` DuckDB sorts the values read again in; the rest is for their numpy array.
SORT_SHARE = 0.75


def _key_sql(key: str) -> str:
    """SQL text of a finest-group key (its tags joined by NUL, :func:`._k6_rollup.finest_key`)."""
    return " || chr(0) || ".join(literal(part) for part in key.split("\x00"))


def with_values(connection: Any, source: str, trend: str, key: str, finest: Sequence[Row]) -> list[Row]:
    """``finest`` (rows of the one query, whose column 15 counts each group's Trend values) with column 15 the
    group's values (None for a group of no Trend values), read again from ``source`` (the same rows as the query's;
    ``trend`` and ``key``: SQL of a row's being a Trend value and of its finest group). NotReducible when the
    second read does not give the groups the first one counted (the file changed in between)."""
    import numpy as np  # here, not at import: detect() loads every adapter (tests/adapters/test_detect_imports.py)

    groups = [row for row in finest if row[15]]
    if not groups:
        return [(*row[:15], None, *row[16:]) for row in finest]
    # Grouped by a hash of (metric, group), not joined with the groups' keys: a sort by two numbers, where a join
    # builds and compares every line's key text. The groups' own hashes say their order (two equal: declined).
    keys = ", ".join(f"({literal(row[0])}, {_key_sql(row[2])}, {index})" for index, row in enumerate(groups))
    hashes = [h for (h,) in fetch(connection, f"SELECT hash(m, k) FROM (VALUES {keys}) AS g(m, k, i) ORDER BY i")]
    if len(set(hashes)) != len(hashes):
        raise NotReducible("two finest groups of one hash")
    groups = [row for _, row in sorted(zip(hashes, groups, strict=True), key=lambda pair: pair[0])]
    query = f"""
        SELECT value FROM (SELECT hash(metric, {key}) AS h, value FROM ({source}) WHERE kind = 'Point' AND {trend})
        ORDER BY h, value
    """
    with memory_share(connection, SORT_SHARE):
        values = fetch_arrays(connection, query)["value"]
    counts = [int(row[15]) for row in groups]
    if len(values) != sum(counts):
        raise NotReducible("the Trend values read again are not those counted")
    parts = dict(zip((id(row) for row in groups), np.split(values, np.cumsum(counts)[:-1]), strict=True))
    for row in groups:
        part = parts[id(row)]
        if part[0] != row[4] or part[-1] != row[5]:
            raise NotReducible("the Trend values read again are not those counted")
    return [(*row[:15], parts.get(id(row)), *row[16:]) for row in finest]
