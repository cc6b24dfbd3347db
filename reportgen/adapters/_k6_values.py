"""The Trend values of a k6 stream's finest groups from a second read that DuckDB spills, for a stream whose
values do not fit in ``memory_limit`` as the list states of the one query (:mod:`._k6_sql`).

The one query gathers each finest group's values with ``list(value)``, a state DuckDB cannot spill and does not
hold to ``memory_limit``: about 26 bytes a value (measured: 418 MB of DuckDB's memory for the 15.8 M Trend values
of the 2 GB benchmark CSV, where the default ``memory_limit`` is 256 MB; the query then either ran out of memory
or finished with the process at 490 MiB, depending on how far its threads got). So a stream whose Trend values
(:meth:`LinesEstimate.trend_values`: its lines, by the share of its first MiB's lines that are not of a known
Counter, Rate or Gauge, with a margin) would outgrow ``memory_limit`` as list states is not given to the lists
(:func:`lists_fit`): the query counts each finest group's values instead, and this module
reads them again (as it does when the lists ran out of memory even so). The file's Trend values, with a hash of
their metric and finest group, go into a table of the block's database, which DuckDB keeps to ``memory_limit``
by writing it out; then one metric at a time, its values sorted by group (``ORDER BY``, which spills too) come
back as one numpy array of 8 bytes a value while DuckDB has :data:`SORT_SHARE` of its limit, and
:mod:`._k6_rollup` selects that metric's percentiles from it before the next metric's are read. The process so
holds one metric's values, not the stream's (the 2 GB benchmark CSV: 2 M of its 15.8 M). They are the values the
lists would hold, so the figures are the same bit for bit.

Why not one read (all tried on the 2 GB benchmark CSV, DuckDB 2.0.1): DuckDB's other aggregates that keep every
value keep them where it cannot spill too (``quantile_disc``: 9.5 bytes a value, and no way to read them out); a
window or a materialised CTE below the aggregate holds every line, not only the Trend values; loading the lines
into a table first costs as much cpu as the whole one query (33 s against 30 s), and parsing the CSV once that
way, for both the counting query and this read, more than the two reads (2026-12-03: the table of every column
the query reads took 48.9 s, then the query over it 6.1 s, against 13.8 s and 9.8 s over the file).

Why the share and not every line (as until 2026-12-03): a k6 stream's Counters, Rates and Gauges (``http_reqs``,
``data_sent``, ``http_req_failed``, ``vus``, ...) are about a third of its lines, and a stream taken for all Trend
values went to the slower second read a third too early. The 900 MiB benchmark CSV (10.8 M lines, 7 M Trend
values) took 16.9 s read again and 10.9–13.0 s as lists, its process peaking at 299–341 MiB; same figures.
"""

from __future__ import annotations

import re
import zlib
from collections import Counter
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reportgen import named_files
from reportgen.adapters._duckdb import (
    NotReducible,
    fetch,
    fetch_arrays,
    literal,
    memory_limit,
    memory_share,
    run_statement,
)

Row = tuple[Any, ...]

#: The share of ``memory_limit`` DuckDB sorts one metric's values in; the rest is for their numpy array.
SORT_SHARE = 0.5
#: The share of ``memory_limit`` DuckDB loads the table of Trend values in (writing the rest out): its CSV and
#: JSON readers' buffers come on top of it (the 2 GB benchmark CSV loaded at the whole limit: 392 MiB of process).
LOAD_SHARE = 0.5
#: DuckDB's memory for one value in a ``list()`` state (measured, DuckDB 2.0.1: see the module's docstring).
LIST_STATE_BYTES = 26
#: How much of the start of a stream :func:`lines_estimate` reads (and at most inflates, for a gzip file).
_SAMPLE_BYTES = 2**20
#: The table of the Trend values read again (dropped after, and with the block's tables by ``connect``).
_TABLE = "reportgen_trend_values"


#: How many times its first MiB's share of Trend lines a stream is taken to hold: its later lines may hold more
#: (a run's first MiB may be its setup and ramp-up), and list states past ``memory_limit`` are not refused by
#: DuckDB but held (see the module).
TREND_MARGIN = 1.25
#: A first MiB of fewer complete lines says too little of the stream's mix: every line is then taken for a Trend's.
FEWEST_HEAD_LINES = 1000


@dataclass(frozen=True)
class LinesEstimate:
    """About how many lines a stream holds, and the metrics of its first MiB's complete lines."""

    lines: int = 0
    head_lines: int = 0
    #: Of the head's complete lines, how many are of each metric the pattern names.
    metric_counts: Mapping[str, int] = field(default_factory=dict)

    def trend_values(self, not_trends: Collection[str]) -> int:
        """About how many Trend values the stream holds: its lines but those of a metric in ``not_trends`` (the
        known Counters, Rates and Gauges), in the head's proportion times :data:`TREND_MARGIN`; every line when
        the head holds fewer than :data:`FEWEST_HEAD_LINES`."""
        if self.head_lines < FEWEST_HEAD_LINES:
            return self.lines
        others = sum(count for name, count in self.metric_counts.items() if name in not_trends)
        return round(self.lines * min(1.0, (1 - others / self.head_lines) * TREND_MARGIN))


def lines_estimate(path: Path, metric: re.Pattern[bytes] | None = None) -> LinesEstimate:
    """About how many lines the stream at ``path`` holds: its size on disk over the bytes a line takes there in
    its first MiB (inflated, for a gzip file, so that what is counted is lines); with ``metric`` (a pattern of a
    line feed and the start of a line, whose group is the line's metric name), the metrics of that MiB's complete
    lines, found in one scan."""
    with named_files.open_file(path) as stream:
        head = stream.read(_SAMPLE_BYTES)
        size = max(stream.seek(0, 2), 1)
    text, read = head, len(head)
    if head[:2] == b"\x1f\x8b":
        inflate = zlib.decompressobj(wbits=31)
        try:
            text = inflate.decompress(head, _SAMPLE_BYTES)
        except zlib.error:
            return LinesEstimate()  # damage: the line reader will name it
        read = len(head) - len(inflate.unconsumed_tail) - len(inflate.unused_data)
    lines = round(size * text.count(b"\n") / max(read, 1))
    if metric is None:
        return LinesEstimate(lines)
    complete = text[: text.rfind(b"\n") + 1]  # the last line is cut at the MiB's end (or empty)
    counts = Counter(metric.findall(b"\n" + complete))  # the first line too
    return LinesEstimate(lines, complete.count(b"\n"), {name.decode(): n for name, n in counts.items()})


def lists_fit(connection: Any, values: int) -> bool:
    """Whether ``values`` Trend values fit in the connection's ``memory_limit`` as the one query's list states."""
    return values * LIST_STATE_BYTES <= memory_limit(connection)


def _key_sql(key: str) -> str:
    """SQL text of a finest-group key (its tags joined by NUL, :func:`._k6_rollup.finest_key`)."""
    return " || chr(0) || ".join(literal(part) for part in key.split("\x00"))


def by_metric(connection: Any, source: str, trend: str, key: str, finest: Sequence[Row]) -> Iterator[list[Row]]:
    """``finest`` (rows of the one query, whose column 15 counts each group's Trend values), one metric's rows at a
    time, with column 15 the group's values (None for a group of no Trend values), read again from ``source``
    (the same rows as the query's; ``trend`` and ``key``: SQL of a row's being a Trend value and of its finest
    group). NotReducible when the second read does not give the groups the first one counted (the file changed
    in between)."""
    metrics: dict[str, list[Row]] = {}
    for row in finest:
        metrics.setdefault(row[0], []).append(row)
    counted = sum(int(row[15] or 0) for row in finest)
    if counted:
        table = f"""CREATE OR REPLACE TABLE {_TABLE} AS SELECT metric, hash(metric, {key}) AS h, value
                     FROM ({source}) WHERE kind = 'Point' AND {trend}"""
        with memory_share(connection, LOAD_SHARE):
            run_statement(connection, table)
        if fetch(connection, f"SELECT count(*) FROM {_TABLE}") != [(counted,)]:
            raise NotReducible("the Trend values read again are not those counted")
    for metric, rows in metrics.items():
        yield _with_values(connection, metric, rows) if any(row[15] for row in rows) else _without(rows)
    if counted:  # its disk space for the next reduction (after an error, the block's end drops it)
        run_statement(connection, f"DROP TABLE {_TABLE}")


def _without(rows: list[Row]) -> list[Row]:
    return [(*row[:15], None, *row[16:]) for row in rows]


def _with_values(connection: Any, metric: str, rows: list[Row]) -> list[Row]:
    """One metric's finest rows with their values, from the table :func:`by_metric` made."""
    import numpy as np  # here, not at import: detect() loads every adapter (tests/adapters/test_detect_imports.py)

    groups = [row for row in rows if row[15]]
    # Sorted by a hash of (metric, group), not by the groups' keys: a sort by two numbers, where sorting by key
    # compares every line's key text. The groups' own hashes say their order (two equal: declined).
    keys = ", ".join(f"({literal(row[0])}, {_key_sql(row[2])}, {index})" for index, row in enumerate(groups))
    hashes = [h for (h,) in fetch(connection, f"SELECT hash(m, k) FROM (VALUES {keys}) AS g(m, k, i) ORDER BY i")]
    if len(set(hashes)) != len(hashes):
        raise NotReducible("two finest groups of one hash")
    groups = [row for _, row in sorted(zip(hashes, groups, strict=True), key=lambda pair: pair[0])]
    with memory_share(connection, SORT_SHARE):
        # By group only: the rollup selects from each group's values unsorted (0.42 s against 0.66 s for the 2 GB
        # benchmark CSV's 2M http_req_duration values with the values sorted too).
        query = f"SELECT value FROM {_TABLE} WHERE metric = {literal(metric)} ORDER BY h"
        values = fetch_arrays(connection, query)["value"]
    counts = [int(row[15]) for row in groups]
    if len(values) != sum(counts):
        raise NotReducible("the Trend values read again are not those counted")
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    lows, highs = np.minimum.reduceat(values, starts), np.maximum.reduceat(values, starts)
    if lows.tolist() != [row[4] for row in groups] or highs.tolist() != [row[5] for row in groups]:
        raise NotReducible("the Trend values read again are not those counted")
    parts = dict(zip((id(row) for row in groups), np.split(values, starts[1:]), strict=True))
    return [(*row[:15], parts.get(id(row)), *row[16:]) for row in rows]
