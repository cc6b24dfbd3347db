"""The k6 stream reduction as SQL over the file (DuckDB), with the rules of :mod:`._k6_reduce`.

:func:`load_ndjson` and :func:`load_csv` read a k6 stream into one table, ``lines``, in file
order (``rowid``); :func:`reduce` then computes every slice the line reader computes, with the
same statistics in the same order and the same numbers:

* percentiles with ``quantile_cont``, which is k6's rule (``i = p(n-1)``, linear interpolation),
  bit for bit;
* sums (a Trend's avg, a Counter's count) in a single-threaded pass, so the values are added in
  file order, as k6 adds them; everything else in parallel;
* a Gauge's value is the last in time, ties going to the later line.

Input that DuckDB cannot parse, or that breaks a rule the line reader enforces, raises
:class:`~._duckdb.NotReducible`: the adapter then re-reads the file line by line, which names the line.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reportgen.adapters._duckdb import NotReducible, identifier, literal, run_statement, source
from reportgen.adapters._k6_common import KINDS, builtin_contains, builtin_kind
from reportgen.adapters._k6_reduce import (
    BREAKDOWN_TAGS,
    LATENCY_SERIES_METRIC,
    RATE_SERIES_METRIC,
    LabelKey,
    MetricDeclaration,
    per_second_series,
    run_info,
    slice_measurements,
)
from reportgen.estimators import percentile_name
from reportgen.schemas.measurement import Measurement, Series

#: Tags every load reads: the breakdown tags and ``check`` (per-check figures of ``checks``).
BASE_TAGS = (*BREAKDOWN_TAGS, "check")

Requested = Sequence[tuple[str, dict[str, str]]]


@dataclass(frozen=True)
class Loaded:
    """The ``lines`` table: which column holds which tag, and the metric declarations it holds."""

    tags: dict[str, str]  # tag name → column
    declared: list[tuple[int, MetricDeclaration]]  # (rowid of the first Metric line, declaration)


def tag_columns(names: Iterable[str]) -> dict[str, str]:
    """Tag name → a plain column name (tag names are user text)."""
    unique = list(dict.fromkeys(names))
    return {name: f"tag_{index}" for index, name in enumerate(unique)}


def _time_ns(t: str) -> str:
    """RFC 3339 text → Unix nanoseconds (NULL when it is not shaped like one)."""
    zulu = f"right({t}, 1) = 'Z'"
    base = f"CASE WHEN {zulu} THEN left({t}, length({t}) - 1) ELSE left({t}, length({t}) - 6) END"
    sign = f"CASE WHEN substr({t}, -6, 1) = '-' THEN -1 ELSE 1 END"
    offset = (
        f"CASE WHEN {zulu} THEN 0 ELSE {sign} * "
        f"(TRY_CAST(substr({t}, -5, 2) AS BIGINT) * 3600 + TRY_CAST(substr({t}, -2, 2) AS BIGINT) * 60) END"
    )
    shape = (
        f"(length({t}) >= 20 AND substr({t}, 11, 1) = 'T' AND "
        f"({zulu} OR (substr({t}, -6, 1) IN ('+', '-') AND substr({t}, -3, 1) = ':')))"
    )
    return f"CASE WHEN {shape} THEN epoch_ns(TRY_CAST({base} AS TIMESTAMP_NS)) - {offset} * 1000000000 END"


def load_ndjson(connection: Any, path: Path, tags: Iterable[str]) -> Loaded:
    """Read a k6 ``--out json`` file into ``lines`` (Metric and Point lines, file order)."""
    columns = tag_columns((*BASE_TAGS, *tags))
    tag_struct = ", ".join(f"{identifier(name)} VARCHAR" for name in columns)
    data = (
        f'STRUCT("time" VARCHAR, "value" DOUBLE, tags STRUCT({tag_struct}), name VARCHAR, "type" VARCHAR, '
        '"contains" VARCHAR, thresholds JSON, submetrics JSON)'
    )
    schema = "{" + f"type: 'VARCHAR', metric: 'VARCHAR', data: {literal(data)}" + "}"
    reader = source(path, "read_json", f"format = 'newline_delimited', columns = {schema}")
    picked = ", ".join(f"data.tags.{identifier(name)} AS {column}" for name, column in columns.items())
    run_statement(
        connection,
        f"""
        CREATE TABLE lines AS
        SELECT kind, metric, value, {_time_ns("t")} AS time_ns, {", ".join(columns.values())},
               decl_name, decl_type, decl_contains, decl_thresholds, decl_submetrics
        FROM (SELECT type AS kind, metric, data."value" AS value, data."time" AS t, {picked},
                     data.name AS decl_name, data."type" AS decl_type, data."contains" AS decl_contains,
                     data.thresholds AS decl_thresholds, data.submetrics AS decl_submetrics
              FROM {reader})
        """,
    )
    kinds = ", ".join(literal(k) for k in KINDS)
    bad = connection.execute(
        f"""
        SELECT count(*) FROM lines WHERE NOT coalesce(
            (kind = 'Point' AND metric IS NOT NULL AND isfinite(value) AND time_ns IS NOT NULL)
            OR (kind = 'Metric' AND decl_name IS NOT NULL AND decl_type IN ({kinds})), false)
        """
    ).fetchone()[0]
    if bad:
        raise NotReducible(f"{bad} line(s) the line reader must judge")
    return Loaded(columns, _declarations(connection))


def _declarations(connection: Any) -> list[tuple[int, MetricDeclaration]]:
    rows = connection.execute(
        """
        SELECT first(rowid ORDER BY rowid), decl_name, first(decl_type ORDER BY rowid),
               first(decl_contains ORDER BY rowid), first(CAST(decl_thresholds AS VARCHAR) ORDER BY rowid),
               first(CAST(decl_submetrics AS VARCHAR) ORDER BY rowid)
        FROM lines WHERE kind = 'Metric' GROUP BY decl_name
        """
    ).fetchall()
    declared = []
    for rowid, name, kind, contains, thresholds, submetrics in rows:
        threshold_list = json.loads(thresholds) if thresholds else None
        submetric_list = json.loads(submetrics) if submetrics else None
        declaration = MetricDeclaration(
            name,
            kind,
            contains if contains is not None else "default",
            [str(t) for t in threshold_list] if isinstance(threshold_list, list) else [],
            [
                {str(k): str(v) for k, v in sub["tags"].items()}
                for sub in (submetric_list if isinstance(submetric_list, list) else [])
                if isinstance(sub, dict) and isinstance(sub.get("tags"), dict)
            ],
        )
        declared.append((rowid, declaration))
    return sorted(declared, key=lambda item: item[0])


def _extra_tag(extra: str, name: str) -> str:
    """The value of ``name`` in a k6 ``extra_tags`` cell (``k=v&k=v``; the last one wins, as in a dict)."""
    pattern = literal("(?:^|&)" + re.escape(name) + "=([^&]*)")
    return f"CASE WHEN {extra} <> '' THEN regexp_extract_all({extra}, {pattern}, 1)[-1] END"


def _csv_time_ns(t: str) -> str:
    """k6 CSV ``timestamp`` in any timeFormat (unix s / ms / µs / ns by digit count, or RFC 3339)."""
    digits = f"regexp_full_match({t}, '[0-9]+')"
    scale = (
        f"CASE WHEN length({t}) <= 11 THEN 1000000000 WHEN length({t}) <= 14 THEN 1000000 "
        f"WHEN length({t}) <= 17 THEN 1000 ELSE 1 END"
    )
    return f"CASE WHEN {digits} THEN TRY_CAST({t} AS BIGINT) * {scale} ELSE {_time_ns(t)} END"


def load_csv(connection: Any, path: Path, header: list[str], tags: Iterable[str]) -> Loaded:
    """Read a k6 ``--out csv`` file into ``lines`` (every row a Point; no declarations in the file)."""
    columns = tag_columns((*BASE_TAGS, *tags))
    schema = "{" + ", ".join(f"{literal(c)}: 'VARCHAR'" for c in header) + "}"
    options = f"header = true, delim = ',', quote = '\"', escape = '\"', strict_mode = true, columns = {schema}"
    reader = source(path, "read_csv", options)
    picked = []
    for name, column in columns.items():
        cell = f"NULLIF({identifier(name)}, '')" if name in header and name not in ("extra_tags", "metadata") else None
        extra = _extra_tag("extra_tags", name) if "extra_tags" in header else None
        value = f"coalesce({cell}, {extra})" if cell and extra else cell or extra or "CAST(NULL AS VARCHAR)"
        picked.append(f"{value} AS {column}")
    run_statement(
        connection,
        f"""
        CREATE TABLE lines AS
        SELECT 'Point' AS kind, metric_name AS metric, TRY_CAST(metric_value AS DOUBLE) AS value,
               {_csv_time_ns("timestamp")} AS time_ns, {", ".join(picked)}
        FROM {reader}
        """,
    )
    bad = connection.execute(
        "SELECT count(*) FROM lines WHERE NOT coalesce(metric IS NOT NULL AND isfinite(value) "
        "AND time_ns IS NOT NULL, false)"
    ).fetchone()[0]
    if bad:
        raise NotReducible(f"{bad} row(s) the line reader must judge")
    return Loaded(columns, [])


# ---------------------------------------------------------------------------- the reduction


@dataclass
class _Stats:
    """What every kind of metric needs of one slice."""

    n: int
    total: float | None
    low: float
    high: float
    nonzero: int
    last: float | None
    quantiles: dict[float, float]  # p → value (trends only)


def _in(names: Iterable[str]) -> str:
    listed = ", ".join(literal(n) for n in names)
    return f"metric IN ({listed})" if listed else "false"


class _Single:
    """Run a block single-threaded (sums in file order), restoring the thread count after."""

    def __init__(self, connection: Any) -> None:
        self.connection = connection
        self.threads = connection.execute("SELECT current_setting('threads')").fetchone()[0]

    def __enter__(self) -> None:
        self.connection.execute("SET threads = 1")

    def __exit__(self, *_: object) -> None:
        self.connection.execute(f"SET threads = {int(self.threads)}")


def _declarations_in_order(connection: Any, loaded: Loaded) -> tuple[dict[str, MetricDeclaration], list[str]]:
    """The declaration each metric is reduced with, as the line reader picks it, and metrics in first-point order.

    The line reader takes the first Metric line of a metric, unless a Point of that metric comes
    first: then the metric is assumed from its name (or a Trend) and later Metric lines are ignored.
    """
    first_points = connection.execute(
        "SELECT metric, min(rowid) FROM lines WHERE kind = 'Point' GROUP BY metric ORDER BY 2"
    ).fetchall()
    events: list[tuple[int, MetricDeclaration]] = list(loaded.declared)
    for metric, rowid in first_points:
        kind = builtin_kind(metric)
        events.append(
            (rowid, MetricDeclaration(metric, kind or "trend", builtin_contains(metric), assumed=kind is None))
        )
    declarations: dict[str, MetricDeclaration] = {}
    for _, declaration in sorted(events, key=lambda event: event[0]):
        declarations.setdefault(declaration.name, declaration)
    return declarations, [metric for metric, _ in first_points]


def k6_percentile(values: str, p: float) -> str:
    """k6's percentile of the sorted list ``values`` in SQL, with k6's own expression (``i = p(n-1)``, then
    ``lo + (hi - lo) * (i - floor(i))``): DuckDB's ``quantile_cont`` interpolates as ``lo(1-d) + hi d``, which
    differs in the last bit."""
    i = f"(CAST({literal(repr(p))} AS DOUBLE) * CAST(len({values}) - 1 AS DOUBLE))"
    low = f"{values}[CAST(floor({i}) AS BIGINT) + 1]"
    high = f"{values}[CAST(ceil({i}) AS BIGINT) + 1]"
    return f"CASE WHEN len({values}) > 0 THEN {low} + ({high} - {low}) * ({i} - floor({i})) END"


def _aggregates(declarations: dict[str, MetricDeclaration]) -> str:
    """Per slice: count, min, max, non-zero count, the gauge's last value and (trends) the sorted values."""
    trends = [n for n, d in declarations.items() if d.kind == "trend"]
    gauges = [n for n, d in declarations.items() if d.kind == "gauge"]
    return (
        "count(*) AS n, min(value) AS low, max(value) AS high, count(*) FILTER (WHERE value <> 0) AS nonzero, "
        f"arg_max(value, (time_ns, rowid)) FILTER (WHERE {_in(gauges)}) AS last, "
        f"list_sort(list(value) FILTER (WHERE {_in(trends)})) AS sorted_values"
    )


def _percentiles(wanted: Sequence[float]) -> str:
    listed = ", ".join(k6_percentile("sorted_values", p) for p in wanted)
    return f"n, low, high, nonzero, last, [{listed}] AS quantiles"


def _breakdowns(
    connection: Any, loaded: Loaded, declarations: dict[str, MetricDeclaration], wanted: list[float]
) -> dict[tuple[str, LabelKey], _Stats]:
    """The total and one slice per breakdown tag of every metric.

    One query per tag, so that only one tag's sorted values are held at a time (memory bounded by what exact
    percentiles need); the sums of all of them in one GROUPING SETS query, single-threaded.
    """
    columns = [loaded.tags[name] for name in BREAKDOWN_TAGS]
    sets = ", ".join(["(metric)", *(f"(metric, {c})" for c in columns)])
    keys = ", ".join(["metric", *(f"GROUPING({c}), {c}" for c in columns)])
    with _Single(connection):
        sums = connection.execute(
            f"SELECT {keys}, sum(value) FROM lines WHERE kind = 'Point' GROUP BY GROUPING SETS ({sets})"
        ).fetchall()
    total_of: dict[tuple[str, LabelKey], float] = {}
    for row in sums:
        labels = _breakdown_labels(list(BREAKDOWN_TAGS), row[1:-1])
        if labels is not None:
            total_of[(row[0], labels)] = row[-1]
    found: dict[tuple[str, LabelKey], _Stats] = {}
    for name, column in [(None, None), *zip(BREAKDOWN_TAGS, columns, strict=True)]:
        key = f"metric, {column}" if column else "metric"
        inner = f"SELECT {key}, {_aggregates(declarations)} FROM lines WHERE kind = 'Point' GROUP BY {key}"
        where = f" WHERE {column} <> ''" if column else ""
        for row in connection.execute(f"SELECT {key}, {_percentiles(wanted)} FROM ({inner}){where}").fetchall():
            labels = ((name, row[1]),) if name else ()
            n, low, high, nonzero, last, quantiles = row[-6:]
            found[(row[0], labels)] = _Stats(
                n, total_of[(row[0], labels)], low, high, nonzero, last, dict(zip(wanted, quantiles, strict=True))
            )
    return found


def _breakdown_labels(names: list[str], keys: Sequence[Any]) -> LabelKey | None:
    """``()`` for the total, ``((tag, value),)`` for a tag's slice, None for rows without the tag."""
    for index, name in enumerate(names):
        rolled_up, value = keys[2 * index], keys[2 * index + 1]
        if not rolled_up:
            return ((name, value),) if value else None
    return ()


def _extra_slices(
    connection: Any,
    loaded: Loaded,
    declarations: dict[str, MetricDeclaration],
    requested: Requested,
    requested_percentiles: Sequence[float],
) -> dict[tuple[str, LabelKey], _Stats]:
    """Submetrics, requested label sets and per-check slices: one filtered aggregate each, single-threaded."""
    wanted: list[tuple[str, LabelKey]] = []
    for name, declaration in declarations.items():
        wanted += [(name, tuple(sorted(sub.items()))) for sub in declaration.submetrics if sub]
    wanted += [(metric, tuple(sorted(labels.items()))) for metric, labels in requested if metric in declarations]
    wanted = [w for w in dict.fromkeys(wanted) if not (len(w[1]) == 1 and w[1][0][0] in BREAKDOWN_TAGS)]
    branches = []
    for index, (metric, labels) in enumerate(wanted):
        declaration = declarations[metric]
        where = " AND ".join(
            [f"metric = {literal(metric)}", *(f"{loaded.tags[tag]} = {literal(value)}" for tag, value in labels)]
        )
        inner = f"SELECT sum(value) AS total, {_aggregates({metric: declaration})} FROM lines WHERE kind = 'Point' AND {where}"
        own = declaration.percentiles(requested_percentiles)
        branches.append(f"SELECT {index}, total, {_percentiles(own)} FROM ({inner})")
    found: dict[tuple[str, LabelKey], _Stats] = {}
    if branches:
        with _Single(connection):
            rows = connection.execute(" UNION ALL ".join(branches)).fetchall()
        for index, total, n, low, high, nonzero, last, quantiles in rows:
            if n:
                own = declarations[wanted[index][0]].percentiles(requested_percentiles)
                found[wanted[index]] = _Stats(
                    n, total, low, high, nonzero, last, dict(zip(own, quantiles, strict=True))
                )
    if "checks" in declarations:
        check, group = loaded.tags["check"], loaded.tags["group"]
        rows = connection.execute(
            f"SELECT {check}, coalesce({group}, ''), count(*), count(*) FILTER (WHERE value <> 0) FROM lines "
            f"WHERE kind = 'Point' AND metric = 'checks' AND {check} <> '' GROUP BY ALL"
        ).fetchall()
        for name, group_path, n, nonzero in rows:
            found[("checks", (("check", name), ("group", group_path)))] = _Stats(n, None, 0.0, 0.0, nonzero, None, {})
    return found


def _stats_of(
    declaration: MetricDeclaration, stats: _Stats, percentiles: Sequence[float]
) -> Iterator[tuple[str, float]]:
    """The (stat, value) pairs :func:`._k6_reduce.reduce_samples` yields, from SQL aggregates."""
    if declaration.kind == "trend":
        assert stats.total is not None
        yield "count", float(stats.n)
        yield "avg", stats.total / stats.n
        yield "min", stats.low
        yield "max", stats.high
        for p in percentiles:
            yield percentile_name(p), stats.quantiles[p]
    elif declaration.kind == "rate":
        yield "rate", stats.nonzero / stats.n
        yield "passes", float(stats.nonzero)
        yield "fails", float(stats.n - stats.nonzero)
    elif declaration.kind == "gauge":
        assert stats.last is not None
        yield "value", stats.last
        yield "min", stats.low
        yield "max", stats.high
    else:
        assert stats.total is not None
        yield "count", stats.total


def _series(connection: Any, declarations: dict[str, MetricDeclaration]) -> list[Series]:
    second = "(time_ns // 1000000000 - CASE WHEN time_ns % 1000000000 < 0 THEN 1 ELSE 0 END)"
    with _Single(connection):
        requests = connection.execute(
            f"SELECT {second}, sum(value) FROM lines WHERE kind = 'Point' AND metric = {literal(RATE_SERIES_METRIC)} "
            "GROUP BY 1"
        ).fetchall()
    p95 = connection.execute(
        f"SELECT s, {k6_percentile('sorted_values', 0.95)} FROM (SELECT {second} AS s, list_sort(list(value)) AS "
        f"sorted_values FROM lines WHERE kind = 'Point' AND metric = {literal(LATENCY_SERIES_METRIC)} GROUP BY 1)"
    ).fetchall()
    latency = declarations.get(LATENCY_SERIES_METRIC)
    return per_second_series(dict(requests), dict(p95), latency.contains if latency else "")


def reduce(
    connection: Any, loaded: Loaded, requested: Requested = (), percentiles: Sequence[float] = ()
) -> tuple[list[Measurement], list[Series], dict[str, str]]:
    """Every measurement, the per-second series and the run facts of the loaded stream."""
    declarations, metrics = _declarations_in_order(connection, loaded)
    missing = {tag for d in declarations.values() for sub in d.submetrics for tag in sub} - loaded.tags.keys()
    if missing:
        raise MissingTags(missing)
    wanted = sorted({p for n in metrics for p in declarations[n].percentiles(percentiles)})
    slices = _breakdowns(connection, loaded, declarations, wanted)
    slices.update(_extra_slices(connection, loaded, declarations, requested, percentiles))
    by_metric: dict[str, list[LabelKey]] = {}
    for metric, labels in slices:
        by_metric.setdefault(metric, []).append(labels)
    found: list[Measurement] = []
    for metric in metrics:
        declaration = declarations[metric]
        own = declaration.percentiles(percentiles)
        for labels in sorted(by_metric.get(metric, []), key=lambda key: (len(key), key)):
            pairs = _stats_of(declaration, slices[(metric, labels)], own)
            found.extend(slice_measurements(declaration, labels, pairs))
    points, first_ns, last_ns = connection.execute(
        "SELECT count(*), min(time_ns), max(time_ns) FROM lines WHERE kind = 'Point'"
    ).fetchone()
    info = run_info(points, first_ns, last_ns, declarations, metrics)
    return found, _series(connection, declarations), info


class MissingTags(Exception):
    """Submetrics name tags the load did not read: load again with them."""

    def __init__(self, tags: set[str]) -> None:
        super().__init__(", ".join(sorted(tags)))
        self.tags = tags
