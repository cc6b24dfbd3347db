"""The k6 stream reduction as one SQL query over the file (DuckDB), with the rules of :mod:`._k6_reduce`.

:func:`ndjson_rows` and :func:`csv_rows` describe a k6 stream as rows, one per line, numbered in file order
(``rn``, from ``row_number() OVER ()``); :func:`reduce` then reads the file ONCE: every line is sent to each
group it belongs to (its finest group: metric and all breakdown tags; per check, per second, each submetric or
requested label set) and one aggregate computes them all; the total and breakdown slices are rolled up from the
finest groups exactly (:mod:`._k6_rollup`), with the same statistics in the same order and the same numbers as
the line reader:

* percentiles with k6's own expression over the two values it reads: selected from the finest groups' values
  (:mod:`._k6_ranks`), or for per-second and label-set slices read from the sorted values
  (``list(value ORDER BY value)``), bit for bit (DuckDB's ``quantile_cont`` interpolates differently in the last
  bit, and ``quantile_disc`` reads other positions);
* sums (a Trend's avg, a Counter's count, requests per second) exact, as the line reader's
  :func:`~._k6_reduce.exact_sum`: each value is split into two integers (its multiple of 2^-32 and the rest, in
  units of 2^-96), summed as HUGEINT and rounded once in Python, so no order of adding, spilling or parallel
  partial sums changes a bit; a value that does not split exactly (beyond 2^62, or below about 1e-13 with a full
  mantissa) goes to the line reader;
* a Gauge's value is the last in time, ties going to the later line (``rn``); metrics come in first-point order.

Nothing is materialised: no table holds the lines, so memory is what exact percentiles need (each Trend value
once, and the sorted per-second values), and DuckDB spills beyond ``memory_limit``; a stream whose Trend values
would not fit in it as list states has them counted instead, and read again into a table (:mod:`._k6_values`).
Input that DuckDB cannot parse, or that breaks a rule the line reader enforces, raises
:class:`~._duckdb.NotReducible`: the adapter then re-reads the file line by line, which names the line.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reportgen.adapters._duckdb import (
    FileOrderNeeded,
    NotReducible,
    OutOfMemory,
    fetch_columns,
    identifier,
    literal,
    source,
)
from reportgen.adapters._k6_common import BUILTIN_KINDS, KINDS, builtin_contains, builtin_kind
from reportgen.adapters._k6_order import GAUGE_HIGH, GAUGE_LOW, first_lines, resolve_gauge
from reportgen.adapters._k6_ranks import quantiles
from reportgen.adapters._k6_reduce import (
    BREAKDOWN_TAGS,
    LATENCY_SERIES_METRIC,
    RATE_SERIES_METRIC,
    TREND_PERCENTILES,
    LabelKey,
    MetricDeclaration,
    per_second_series,
    run_info,
    slice_measurements,
)
from reportgen.adapters._k6_rollup import finest_key, rolled_up
from reportgen.adapters._k6_values import LinesEstimate, by_metric, lines_estimate, lists_fit
from reportgen.errors import ArtifactError
from reportgen.estimators import percentile_name
from reportgen.schemas.measurement import Measurement, Series

#: Tags every reduction reads: the breakdown tags and ``check`` (per-check figures of ``checks``).
BASE_TAGS = (*BREAKDOWN_TAGS, "check")

Requested = Sequence[tuple[str, dict[str, str]]]

# Slice numbers (``s``) of the rows the one aggregate groups by (metric, s, k).
_TOTAL, _CHECKS, _SECOND, _LABELS = 0, 6, 7, 8  # 1..5: the breakdown tags, in BREAKDOWN_TAGS order
_DECLARATION, _INVALID = -1, -2
_FINEST = -3  # a metric's finest group (all breakdown tags), rolled up into slices 0..5 by :mod:`._k6_rollup`
#: What a per-second slice reports of its values (:func:`._k6_reduce.per_second_series`).
_SECOND_PERCENTILES = (0.95,)


@dataclass(frozen=True)
class Rows:
    """A k6 stream as SQL rows (``rn, kind, metric, value, time_ns, valid``, a column per tag, ``decl_name``, and
    ``decl``: a Metric line's declaration as JSON)."""

    sql: str
    tags: dict[str, str]  # tag name → column
    #: The first Metric line of each name, in file order (NDJSON; read ahead of the query), and how many there are;
    #: None when they were read ahead from the start of the file only: then ``whole_file`` gives the rows for the
    #: Metric lines the query read (the JSON of each distinct one, and their number), planned from all of them.
    declared: dict[str, MetricDeclaration] = field(default_factory=dict)
    metric_lines: int | None = 0
    #: The line reader's error for a last line cut short (k6 killed mid-write), if it is: the file is then read
    #: with ``ignore_errors`` and that line must be the one bad row (NDJSON: a row of NULLs, the last one).
    cut_tail: ArtifactError | None = None
    #: CSV with a cut tail: the rows DuckDB must read, every complete line but the header (it skips the cut row,
    #: and would skip any other bad row as silently: a different count goes to the line reader).
    rows_before_tail: int | None = None
    #: The same rows, not numbered (``rn`` 0): DuckDB reads them on every core (:mod:`._k6_order`).
    unnumbered: str = ""
    whole_file: WholeFile | None = None
    #: The same rows with each Point's ``metric`` checked to be a JSON string, when these read it as text: a
    #: metric name that JSON reads as another value (``7``, ``true``, ``{…}``) sends the reduction to them
    #: (:func:`names_read_as_text`).
    strict: Rows | None = None
    #: About how many lines the file holds and the metrics of its first MiB's (:func:`._k6_values.lines_estimate`):
    #: whether its Trend values fit in ``memory_limit`` as the one query's list states.
    lines: LinesEstimate = field(default_factory=LinesEstimate)


#: The rows for every Metric line the query read (the JSON of each distinct one, their number), as ``ndjson_rows``
#: makes them, with the first rows' line estimate (the same file: not read again).
WholeFile = Callable[[list[str], int, LinesEstimate], Rows]


#: ``rn`` of :class:`Rows`: each line's number in file order, or 0 in the unnumbered rows DuckDB reads in parallel.
_NUMBERED, _UNNUMBERED = "row_number() OVER ()", "CAST(0 AS BIGINT)"


def tag_columns(names: Iterable[str]) -> dict[str, str]:
    """Tag name → a plain column name (tag names are user text)."""
    unique = list(dict.fromkeys(names))  # callers pass a fixed order: the query's text is compared (:func:`reduce`)
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
    # k6 writes UTC ('Z'): that shape is cast as it is (DuckDB reads the 'Z' as UTC), which costs a third of
    # the general expression's time on a stream; other offsets are cut off and subtracted. The shape is tested
    # on bytes (strlen, ends_with, LIKE): length, right and substr count UTF-8 characters, and cost as much as
    # the cast (callgrind, 10 MiB stream: the whole time expression 30 % fewer instructions).
    utc = f"ends_with({t}, 'Z') AND strlen({t}) >= 20 AND {t} LIKE '__________T%'"
    general = f"CASE WHEN {shape} THEN epoch_ns(TRY_CAST({base} AS TIMESTAMP_NS)) - {offset} * 1000000000 END"
    return f"CASE WHEN {utc} THEN epoch_ns(TRY_CAST({t} AS TIMESTAMP_NS)) ELSE {general} END"


def ndjson_rows(
    path: Path,
    tags: Iterable[str],
    declared: dict[str, MetricDeclaration],
    metric_lines: int | None,
    cut_tail: ArtifactError | None = None,
    whole_file: WholeFile | None = None,
    strict: bool = False,
    estimate: LinesEstimate | None = None,
) -> Rows:
    """A k6 ``--out json`` file as rows: Metric and Point lines, file order.

    ``value`` is read as JSON so that only a JSON number counts (DuckDB would turn ``"2"`` or ``true`` into a
    number, where the line reader refuses the line); likewise a declaration's ``name`` must be a JSON string. A
    Point's ``metric`` is read as text (DuckDB spells a number or an object as its JSON), and ``strict`` as JSON,
    checked to be a string: the rows that are not ``strict`` carry the ``strict`` ones (:func:`names_read_as_text`).
    A Metric line's ``decl`` holds what the line reader reads of it (:func:`._k6_stream` checks that
    DuckDB's JSON says the same). With
    ``cut_tail``, lines DuckDB cannot parse become rows of NULLs (invalid) instead of stopping the read.
    """
    columns = tag_columns((*BASE_TAGS, *sorted(tags)))
    tag_struct = ", ".join(f"{identifier(name)} VARCHAR" for name in columns)
    data = f'STRUCT("time" VARCHAR, "value" JSON, tags STRUCT({tag_struct}), name JSON, "type" VARCHAR, '
    data += "contains JSON, thresholds JSON, submetrics JSON)"
    schema = "{" + f"type: 'VARCHAR', metric: '{'JSON' if strict else 'VARCHAR'}', data: {literal(data)}" + "}"
    ignore = ", ignore_errors = true" if cut_tail is not None else ""
    reader = source(path, "read_json", f"format = 'newline_delimited', columns = {schema}{ignore}")
    picked = ", ".join(f"data.tags.{identifier(name)} AS {column}" for name, column in columns.items())
    kinds = ", ".join(literal(k) for k in KINDS)
    # Only a JSON number's text casts to a DOUBLE (a string's starts with a quote; true, false, [ and { do not
    # cast), and it casts to the double the JSON parser reads (DuckDB keeps a big or overflowing number's text as
    # written, and writes others from the double it read; tested against Python's json). The same values as
    # json_type() IN (the number types) and then CAST(JSON AS DOUBLE), without parsing every value twice more:
    # about 5 % of the query's cpu (205 MiB benchmark stream, means of 7 alternating runs, load 1.2-1.6).
    number = 'TRY_CAST(CAST(data."value" AS VARCHAR) AS DOUBLE)'
    # Text, not JSON: DuckDB then writes no JSON text of every line's metric (7 % of the query's cpu, 205 MiB
    # benchmark stream, 9 alternating runs, load 4); the strict rows, read only when a name could be a JSON
    # non-string's text, check it as the line reader does.
    metric = "CASE WHEN json_type(metric) = 'VARCHAR' THEN metric ->> '$' END" if strict else "metric"

    def sql(rn: str) -> str:
        return f"""
        SELECT rn, kind, metric, value, time_ns, {", ".join(columns.values())}, decl_name, decl,
               coalesce(CASE kind
                   WHEN 'Point' THEN metric IS NOT NULL AND isfinite(value) AND time_ns IS NOT NULL
                        AND {splits_exactly("value")}
                   WHEN 'Metric' THEN decl_name IS NOT NULL AND decl_type IN ({kinds}) END, false) AS valid
        FROM (SELECT {rn} AS rn, type AS kind,
                     {metric} AS metric, {number} AS value,
                     {_time_ns('data."time"')} AS time_ns, {picked}, decl_name, data."type" AS decl_type,
                     CASE WHEN type = 'Metric' THEN CAST(json_object('name', decl_name, 'type', data."type",
                         'contains', data.contains, 'thresholds', data.thresholds, 'submetrics', data.submetrics)
                         AS VARCHAR) END AS decl
              FROM (SELECT *, CASE WHEN json_type(data.name) = 'VARCHAR' THEN data.name ->> '$' END AS decl_name
                    FROM {reader}))
    """

    if estimate is None:
        estimate = lines_estimate(path, POINT_METRIC)
    checked = None if strict else ndjson_rows(path, tags, declared, metric_lines, cut_tail, whole_file, True, estimate)
    numbered, unnumbered = sql(_NUMBERED), sql(_UNNUMBERED)
    return Rows(numbered, columns, declared, metric_lines, cut_tail, None, unnumbered, whole_file, checked, estimate)


#: A Point line as k6 writes it (``{"metric":"http_reqs","type":"Point",...``) after a line feed, its metric's name
#: the group: what :func:`._k6_values.lines_estimate` counts of a stream's first MiB (any other line is taken for a
#: Trend value's). A line feed, not ``^`` with MULTILINE: the literal start lets ``re`` skip to each candidate (a
#: MiB in 2.8 ms instead of 12.6).
POINT_METRIC = re.compile(rb'\n\{"metric":"([A-Za-z0-9_]+)","type":"Point"')
#: A k6 CSV row's metric, its first cell as k6 writes it (a metric name needs no quotes), for the same count.
CSV_METRIC = re.compile(rb"\n([A-Za-z0-9_]+),")


class NamesReadAsText(NotReducible):
    """A Point's metric name may be a JSON number, boolean or object read as text: read the strict rows."""


def names_read_as_text(rows: Rows, names: Iterable[str | None]) -> None:
    """:class:`NamesReadAsText` when ``rows`` read ``metric`` as text and one of its ``names`` parses as JSON (the
    text DuckDB gives for ``7``, ``true``, ``{"a": 1}``): only the strict rows tell it from a string. k6's names
    (``http_reqs``) are not JSON, so this costs nothing but on such a name."""
    if rows.strict is None:
        return
    for name in names:
        if name is None:
            continue
        try:
            json.loads(name)
        except ValueError:
            continue
        raise NamesReadAsText(f"metric name {name!r}")


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


def csv_rows(
    path: Path, header: list[str], tags: Iterable[str], cut_tail: ArtifactError | None = None, complete_lines: int = 0
) -> Rows:
    """A k6 ``--out csv`` file as rows (every row a Point; no declarations in the file). With ``cut_tail``, DuckDB
    skips rows it cannot read; the reduction then checks that it read all ``complete_lines`` but the header."""
    columns = tag_columns((*BASE_TAGS, *sorted(tags)))
    schema = "{" + ", ".join(f"{literal(c)}: 'VARCHAR'" for c in header) + "}"
    options = f"header = true, delim = ',', quote = '\"', escape = '\"', strict_mode = true, columns = {schema}"
    options += ", ignore_errors = true" if cut_tail is not None else ""
    reader = source(path, "read_csv", options)
    picked = []
    for name, column in columns.items():
        cell = f"NULLIF({identifier(name)}, '')" if name in header and name not in ("extra_tags", "metadata") else None
        extra = _extra_tag("extra_tags", name) if "extra_tags" in header else None
        value = f"coalesce({cell}, {extra})" if cell and extra else cell or extra or "CAST(NULL AS VARCHAR)"
        picked.append(f"{value} AS {column}")

    def sql(rn: str) -> str:
        return f"""
        SELECT *, coalesce(metric IS NOT NULL AND isfinite(value) AND time_ns IS NOT NULL
                           AND {splits_exactly("value")}, false) AS valid
        FROM (SELECT {rn} AS rn, 'Point' AS kind, metric_name AS metric,
                     TRY_CAST(metric_value AS DOUBLE) AS value, {_csv_time_ns("timestamp")} AS time_ns,
                     {", ".join(picked)}, CAST(NULL AS VARCHAR) AS decl_name, CAST(NULL AS VARCHAR) AS decl
              FROM {reader})
    """

    before_tail = complete_lines - 1 if cut_tail else None
    return Rows(
        sql(_NUMBERED),
        columns,
        cut_tail=cut_tail,
        rows_before_tail=before_tail,
        unnumbered=sql(_UNNUMBERED),
        lines=lines_estimate(path, CSV_METRIC if header[:1] == ["metric_name"] else None),
    )


# ---------------------------------------------------------------------------- the plan: which slices exist


@dataclass
class _Plan:
    """What the one query computes: the kinds it assumes, the label sets beyond the breakdown, the percentiles."""

    kinds: dict[str, str]  # declared metric → kind; undeclared metrics get their built-in kind or trend
    label_sets: dict[LabelKey, list[str]]  # label set → the metrics that ask for it
    percentiles: list[float]  # every percentile any trend needs (each metric picks its own)


def _plan(rows: Rows, requested: Requested, percentiles: Sequence[float]) -> _Plan:
    label_sets: dict[LabelKey, list[str]] = {}
    # Sorted: the query's text must not depend on the order the declarations were found in (:func:`reduce`).
    wanted = sorted((name, sorted(sub.items())) for name, d in rows.declared.items() for sub in d.submetrics if sub)
    for metric, labels in [*((name, dict(sub)) for name, sub in wanted), *requested]:
        key = tuple(sorted(labels.items()))
        if len(key) == 1 and key[0][0] in BREAKDOWN_TAGS and key[0][1]:
            continue  # the same samples as that tag's breakdown slice
        if metric == "checks" and {tag for tag, _ in key} == {"check", "group"}:
            raise NotReducible("a label set that is also a per-check slice")
        label_sets.setdefault(key, [])
        if metric not in label_sets[key]:
            label_sets[key].append(metric)
    every = {p for d in rows.declared.values() for p in d.percentiles(percentiles)}
    every |= {*TREND_PERCENTILES, *percentiles}
    return _Plan({n: d.kind for n, d in rows.declared.items()}, label_sets, sorted(every))


def _in(names: Iterable[str]) -> str:
    listed = ", ".join(literal(n) for n in names)
    return f"metric IN ({listed})" if listed else "false"


def _of_kind(plan: _Plan, kind: str) -> list[str]:
    """The metrics the plan takes to be of ``kind``: declared so, or undeclared built-ins of that kind, sorted (the
    same text however the declarations were found: :func:`reduce` compares it)."""
    declared = {n for n, k in plan.kinds.items() if k == kind}
    return sorted(declared | {n for n, k in BUILTIN_KINDS.items() if k == kind and n not in plan.kinds})


def _is_trend(plan: _Plan) -> str:
    """SQL: the row's metric is a Trend (declared one, or undeclared and not a built-in of another kind)."""
    return f"NOT ({_in(sorted(_non_trends(plan)))})"


def _is_gauge(rows: Rows, plan: _Plan) -> str:
    """SQL: the row's metric may be a Gauge: a declared one, an undeclared built-in Gauge, or, when the rows' Metric
    lines were read ahead from the start of the file only (``whole_file``), a metric neither declared nor built in
    (a Trend, unless its Metric line lies beyond the read-ahead: :func:`_answers`; k6 declares every metric, so only
    then is one unknown). With every Metric line read ahead (a CSV has none), an undeclared metric that is not
    built in is a Trend, and its lines need no Gauge's last value (the 2 GB benchmark CSV's four such metrics are
    5 % of its lines)."""
    late = f" OR NOT {_in(_known(plan))}" if rows.whole_file is not None else ""
    return f"({_in(_of_kind(plan, 'gauge'))}{late})"


def _known(plan: _Plan) -> list[str]:
    return sorted(set(plan.kinds) | set(BUILTIN_KINDS))


def _finest(rows: Rows) -> str:
    """SQL: a line's finest group (:func:`._k6_rollup.finest_key`)."""
    return finest_key([rows.tags[name] for name in BREAKDOWN_TAGS])


def _trend_values(plan: _Plan, queried: list[tuple[Any, ...]]) -> str:
    """SQL: the line holds a value of a Trend's finest group, as the query of ``plan`` counted them (``queried``):
    every line is valid unless it found one that is not (a line cut short), so only then is it tested again."""
    invalid = any(row[1] == _INVALID for row in queried)
    return f"{'valid AND ' if invalid else ''}{_is_trend(plan)}"


def _entries(rows: Rows, plan: _Plan) -> str:
    """SQL: the (s, k) slices a row belongs to, as a list (unnested, then NULL keys dropped)."""
    tag = rows.tags
    second = "(time_ns // 1000000000 - CASE WHEN time_ns % 1000000000 < 0 THEN 1 ELSE 0 END)"
    point = [f"{{'s': {_FINEST}, 'k': {_finest(rows)}}}"]
    check = f"CASE WHEN metric = 'checks' AND {tag['check']} <> '' THEN {tag['check']} || chr(0) || coalesce({tag['group']}, '') END"
    point.append(f"{{'s': {_CHECKS}, 'k': {check}}}")
    timed = _in((RATE_SERIES_METRIC, LATENCY_SERIES_METRIC))
    point.append(f"{{'s': {_SECOND}, 'k': CASE WHEN {timed} THEN CAST({second} AS VARCHAR) END}}")
    for index, (labels, metrics) in enumerate(plan.label_sets.items(), start=_LABELS):
        match = " AND ".join([_in(metrics), *(f"{tag[t]} = {literal(v)}" for t, v in labels)])
        point.append(f"{{'s': {index}, 'k': CASE WHEN {match} THEN '' END}}")
    return (
        f"CASE WHEN NOT valid THEN [{{'s': {_INVALID}, 'k': ''}}] "
        f"WHEN kind = 'Metric' THEN [{{'s': {_DECLARATION}, 'k': decl}}] "
        f"ELSE [{', '.join(point)}] END"
    )


_SCALE = "4294967296.0"  # 2^32: a value is whole × 2^-32 + rest × 2^-96, both integers when it splits exactly


def _rest(value: str) -> str:
    """SQL: the part of ``value`` below 2^-32, in units of 2^-96 (an integer when the value splits exactly)."""
    return f"CAST(({value} * {_SCALE} - floor({value} * {_SCALE})) * 18446744073709551616.0 AS HUGEINT)"


def splits_exactly(value: str) -> str:
    """SQL: ``value`` is whole × 2^-32 + rest × 2^-96 with both parts integers small enough to sum as HUGEINT."""
    rest = f"(({value} * {_SCALE} - floor({value} * {_SCALE})) * 18446744073709551616.0)"
    return f"(abs({value}) < 4611686018427387904.0 AND {rest} = floor({rest}))"


def _exact(parts: dict[str, Any] | tuple[Any, Any]) -> float:
    """The exact sum from its two integer parts, rounded once (Python divides integers with correct rounding)."""
    whole, rest = parts.values() if isinstance(parts, dict) else parts
    return (int(whole) * 2**64 + int(rest)) / 2**96


def _picked_positions(percentiles: Sequence[float], count: str) -> str:
    """SQL: the 1-based positions :func:`._k6_ranks.positions` gives for each percentile, as one list, with the same double
    arithmetic as Python (so both sides agree on which values were picked)."""
    picked = []
    for p in percentiles:
        i = f"(CAST({literal(repr(p))} AS DOUBLE) * CAST({count} - 1 AS DOUBLE))"
        picked += [f"CAST(floor({i}) AS BIGINT) + 1", f"CAST(ceil({i}) AS BIGINT) + 1"]
    return "[" + ", ".join(picked) + "]"


def _query(rows: Rows, plan: _Plan, numbered: bool = True, lists: bool = True) -> str:
    """The one query: every slice's count, min, max, non-zero count, exact sum, a Gauge's last value (in time,
    then line; only Gauges pay for it), first line, time span, and the values k6's percentiles read: for
    per-second and label-set slices the sorted values at those positions (only those leave DuckDB), for the
    totals and breakdown slices of Trends each value once, unsorted, in its finest group (:mod:`._k6_ranks`).

    What depends on the line alone (the sum's two integer parts, the metric's kind) is computed in a subquery
    below the ``unnest``, once per line: written beside it, DuckDB computed it per slice, after the rows had
    multiplied five- to eightfold (a third of the aggregate's input work on the benchmark stream).

    Not ``numbered``, the rows are read unnumbered (in parallel): lines are all 0, and a Gauge's ``last`` and
    ``last_key`` are the aggregates :func:`._k6_order.resolve_gauge` takes its last value from. Not ``lists``, the
    finest groups' Trend values are counted, not gathered: :mod:`._k6_values` reads them again."""
    last = "arg_max(value, struct_pack(t := time_ns, r := rn)) FILTER (WHERE gauge)" if numbered else GAUGE_LOW
    # The sign beside the line: arg_max with a STRUCT key gives -0.0 as 0.0 (DuckDB 2.0.1).
    last_key = "max(struct_pack(t := time_ns, r := rn, s := signbit(value))) FILTER (WHERE gauge)"
    last_key = last_key if numbered else GAUGE_HIGH
    listed = (
        f"CASE WHEN e.s = {_SECOND} THEN metric = {literal(LATENCY_SERIES_METRIC)} ELSE e.s >= {_LABELS} AND trend END"
    )
    picked = _picked_positions(plan.percentiles, "len(sorted_values)")
    return f"""
        SELECT metric, s, k, n, low, high, nonzero, (whole, rest), last, first_rn, first_ns, last_ns,
               len(sorted_values), list_select(sorted_values, {picked}), last_rn, finest_values, last_key
        FROM (
            SELECT metric, e.s AS s, e.k AS k, count(*) AS n, min(value) AS low, max(value) AS high,
                   count(*) FILTER (WHERE value <> 0) AS nonzero,
                   sum(whole_part) AS whole, sum(rest_part) AS rest,
                   {last} AS last, {last_key} AS last_key,
                   min(rn) AS first_rn, max(rn) AS last_rn,
                   min(time_ns) AS first_ns, max(time_ns) AS last_ns,
                   list(value ORDER BY value) FILTER (WHERE {listed}) AS sorted_values,
                   {"list(value)" if lists else "count(*)"} FILTER (WHERE e.s = {_FINEST} AND trend) AS finest_values
            FROM (SELECT metric, value, time_ns, rn, trend, gauge, whole_part, rest_part,
                         unnest({_entries(rows, plan)}) AS e
                  FROM (SELECT *, {_is_trend(plan)} AS trend, {_is_gauge(rows, plan)} AS gauge,
                               CAST(floor(value * {_SCALE}) AS HUGEINT) AS whole_part, {_rest("value")} AS rest_part
                        FROM ({rows.sql if numbered else rows.unnumbered}) AS line_rows) AS typed_rows)
            WHERE e.k IS NOT NULL
            GROUP BY ALL)
    """


# ---------------------------------------------------------------------------- the reduction


@dataclass
class _Stats:
    """What every kind of metric needs of one slice."""

    n: int
    total: float
    low: float
    high: float
    nonzero: int
    last: float
    quantiles: dict[float, float]  # p → value (trends only)


def _stats_of(
    declaration: MetricDeclaration, stats: _Stats, percentiles: Sequence[float]
) -> Iterator[tuple[str, float]]:
    """The (stat, value) pairs :func:`._k6_reduce.reduce_samples` yields, from SQL aggregates."""
    if declaration.kind == "trend":
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
        yield "value", stats.last
        yield "min", stats.low
        yield "max", stats.high
    else:
        yield "count", stats.total


def _effective_declarations(
    rows: Rows, plan: _Plan, first_point: dict[str, int], first_declaration: dict[str, int]
) -> dict[str, MetricDeclaration]:
    """The declaration each metric is reduced with, as the line reader picks it, in the order it picks them.

    The line reader takes the first Metric line of a metric, unless a Point of that metric comes first: then
    the metric is assumed from its name (or a Trend) and later Metric lines are ignored.
    """
    events: list[tuple[int, MetricDeclaration]] = [(first_declaration[n], d) for n, d in rows.declared.items()]
    for metric, rn in first_point.items():
        kind = builtin_kind(metric)
        events.append((rn, MetricDeclaration(metric, kind or "trend", builtin_contains(metric), assumed=kind is None)))
    declarations: dict[str, MetricDeclaration] = {}
    for _, declaration in sorted(events, key=lambda event: event[0]):
        declarations.setdefault(declaration.name, declaration)
    for name, declaration in declarations.items():
        if name in plan.kinds and declaration is not rows.declared[name] and declaration.kind != plan.kinds[name]:
            raise NotReducible(f"{name}: a Point before its Metric line changes its kind")
    return declarations


def _labels(s: int, k: str, plan: _Plan) -> LabelKey:
    if s == _TOTAL:
        return ()
    if s == _CHECKS:
        check, _, group = k.partition("\x00")
        return (("check", check), ("group", group))
    if s >= _LABELS:
        return list(plan.label_sets)[s - _LABELS]
    return ((BREAKDOWN_TAGS[s - 1], k),)


def _check_damage(rows: Rows, result: list[Any]) -> None:
    """NotReducible unless the only line DuckDB could not read is a cut last line (damage before it, or rows it
    skipped, are for the line reader to name)."""
    invalid = [row for row in result if row[1] == _INVALID]
    if rows.cut_tail is None:
        cut_only = not invalid
    elif rows.rows_before_tail is not None:  # CSV: the cut row was skipped
        cut_only = not invalid and sum(row[3] for row in result if row[1] == _TOTAL) == rows.rows_before_tail
    else:  # NDJSON: the cut line is one invalid row, the last one read
        cut_only = len(invalid) == 1 and invalid[0][3] == 1 and invalid[0][9] == max(row[14] for row in result)
    if not cut_only:
        raise NotReducible("line(s) the line reader must judge")


Result = tuple[list[Measurement], list[Series], dict[str, str]]


def reduce(connection: Any, rows: Rows, requested: Requested = (), percentiles: Sequence[float] = ()) -> Result:
    """Every measurement, the per-second series and the run facts of the stream, from one read of the file.

    The file is read unnumbered, on every core, with file order from :mod:`._k6_order`; numbered (on one core)
    when a Gauge's last value depends on the line order, or a last line is cut short (which line is the cut one)."""
    try:
        return _reduce_in_order(connection, rows, requested, percentiles)
    except NamesReadAsText:
        assert rows.strict is not None
        return _reduce_in_order(connection, rows.strict, requested, percentiles)


def _reduce_in_order(connection: Any, rows: Rows, requested: Requested, percentiles: Sequence[float]) -> Result:
    plan = _plan(rows, requested, percentiles)
    if rows.unnumbered and rows.cut_tail is None:
        try:
            return _reduce(connection, rows, plan, requested, percentiles, numbered=False)
        except FileOrderNeeded:
            pass
    return _reduce(connection, rows, plan, requested, percentiles, numbered=True)


def _non_trends(plan: _Plan) -> set[str]:
    return {n for kind in KINDS if kind != "trend" for n in _of_kind(plan, kind)}


def _answers(ran_rows: Rows, ran: _Plan, rows: Rows, plan: _Plan) -> bool:
    """The query of ``ran_rows`` and ``ran`` computed all that ``plan`` needs: the same rows, slices and
    percentiles, a Gauge's last value for every metric ``plan`` takes for a Gauge, and the values of every metric
    it takes for a Trend (a late-declared metric was unknown: planned as both, :func:`_is_trend` and
    :func:`_is_gauge`, so a Counter, Rate or Gauge declared late needs no second read)."""
    same = ran_rows.sql == rows.sql and ran.label_sets == plan.label_sets and ran.percentiles == plan.percentiles
    gauges = set(_of_kind(ran, "gauge")) | (set(_of_kind(plan, "gauge")) - set(_known(ran)))
    return same and set(_of_kind(plan, "gauge")) <= gauges and _non_trends(ran) <= _non_trends(plan)


def with_every_declaration(rows: Rows, declared: list[tuple[str, int]]) -> Rows:
    """``rows`` for every Metric line the query read (``declared``: each distinct one's JSON and how many lines
    hold it), when they were read ahead from the start of the file only; else ``rows``."""
    if rows.whole_file is None:
        return rows
    every = rows.whole_file(sorted({text for text, _ in declared}), sum(n for _, n in declared), rows.lines)
    return every.strict if rows.strict is None and every.strict is not None else every  # as strict as ``rows``


def first_declarations(declared: Iterable[tuple[str, int]]) -> dict[str, int]:
    """The first line of each declared name, from each distinct Metric line's JSON (``decl``) and first line."""
    first: dict[str, int] = {}
    for text, line in declared:
        name = json.loads(text)["name"]
        first[name] = min(line, first.get(name, line))
    return first


def _gauges(queried: list[tuple[Any, ...]], numbered: bool, gauges: Iterable[str]) -> list[tuple[Any, ...]]:
    """The rows with each Gauge slice's last value, sign included, and its (time, line) key (columns 8 and 16):
    numbered, the value at the latest key with the sign beside it; unnumbered, :func:`._k6_order.resolve_gauge`.
    (A Metric line of a Gauge has no value.) Only ``gauges`` have them: the query computes them also for
    metrics it does not know (:func:`_is_gauge`)."""
    resolved = []
    gauge = set(gauges)
    for row in queried:
        if row[16] is not None and row[0] not in gauge:
            row = (*row[:8], None, *row[9:16], None)
        elif row[16] is not None and row[1] not in (_DECLARATION, _INVALID):
            if numbered:
                last, key = math.copysign(row[8], -1.0 if row[16]["s"] else 1.0), {"t": row[16]["t"], "r": row[16]["r"]}
            else:
                last, key = resolve_gauge(row[16], row[8])
            row = (*row[:8], last, *row[9:16], key)
        resolved.append(row)
    return resolved


def _reduce(
    connection: Any, rows: Rows, plan: _Plan, requested: Requested, percentiles: Sequence[float], numbered: bool
) -> Result:
    # Trend values that would not fit in memory_limit as list states (which DuckDB cannot spill), or that ran out
    # of it even so: counted, then read again, which DuckDB spills (:mod:`._k6_values`). Slower, but bounded.
    lists = lists_fit(connection, rows.lines.trend_values(_non_trends(plan)))
    try:
        queried = fetch_columns(connection, _query(rows, plan, numbered, lists))
    except OutOfMemory:
        if not lists:
            raise
        lists = False
        queried = fetch_columns(connection, _query(rows, plan, numbered, lists))
    names_read_as_text(rows, {row[0] for row in queried})
    ran = plan
    if rows.whole_file is not None:
        # Declarations read ahead from the start of the file only: the rows for all of them, as the query read
        # them. Planned the same (nearly always), the figures are read; else the file is read again so planned.
        every = with_every_declaration(rows, [(row[2], row[3]) for row in queried if row[1] == _DECLARATION])
        replanned = _plan(every, requested, percentiles)
        if not _answers(rows, plan, every, replanned):
            return _reduce(connection, every, replanned, requested, percentiles, numbered=numbered)
        rows, plan = every, replanned
    queried = _gauges(queried, numbered, _of_kind(plan, "gauge"))
    finest = [row for row in queried if row[1] == _FINEST]
    if lists:
        rolled = rolled_up(finest, plan.percentiles)
    else:  # one metric's values at a time: the process holds no more of them
        values = by_metric(connection, rows.unnumbered or rows.sql, _trend_values(ran, queried), _finest(rows), finest)
        rolled = [row for of_metric in values for row in rolled_up(of_metric, plan.percentiles)]
    result = [row for row in queried if row[1] != _FINEST] + rolled
    _check_damage(rows, result)
    declaration_lines = first_declarations((row[2], row[9]) for row in result if row[1] == _DECLARATION)
    if sum(row[3] for row in result if row[1] == _DECLARATION) != rows.metric_lines or (
        declaration_lines.keys() != rows.declared.keys()
    ):
        raise NotReducible("the Metric lines read ahead differ from the file's")
    first_point = {row[0]: row[9] for row in result if row[1] == _TOTAL}
    if not numbered:
        first_point, declaration_lines = first_lines(connection, rows.sql, set(first_point), set(declaration_lines))
    totals = sorted((row for row in result if row[1] == _TOTAL), key=lambda row: first_point[row[0]])
    declarations = _effective_declarations(rows, plan, first_point, declaration_lines)
    asked = {(m, tuple(sorted(labels.items()))) for m, labels in requested}
    asked |= {(n, tuple(sorted(sub.items()))) for n, d in declarations.items() for sub in d.submetrics}
    slices: dict[str, dict[LabelKey, _Stats]] = {}
    requests: dict[int, float] = {}
    p95: dict[int, float] = {}
    for metric, s, k, n, low, high, nonzero, parts, last, _, _, _, listed, values, _, _, _ in result:
        if s < 0:
            continue  # Metric lines (checked above)
        total = _exact(parts)
        # A second's slice reports its p95 only: the other percentiles' expression was 4 of every 5 computed (the
        # benchmark stream's 1,116 seconds), for nothing.
        picked = quantiles(plan.percentiles, listed, values, _SECOND_PERCENTILES if s == _SECOND else None)
        if s == _SECOND:
            if metric == RATE_SERIES_METRIC:
                requests[int(k)] = total
            elif metric == LATENCY_SERIES_METRIC:
                p95[int(k)] = picked[0.95]
            continue
        labels = _labels(s, k, plan)
        if s >= _LABELS and (metric, labels) not in asked:
            continue  # the submetric of a declaration the line reader ignores (a Point came first)
        stats = _Stats(n, total, low, high, nonzero, last, picked)
        slices.setdefault(metric, {})[labels] = stats
    found: list[Measurement] = []
    metrics = [row[0] for row in totals]
    for metric in metrics:
        declaration = declarations[metric]
        own = declaration.percentiles(percentiles)
        for labels in sorted(slices[metric], key=lambda key: (len(key), key)):
            found.extend(slice_measurements(declaration, labels, _stats_of(declaration, slices[metric][labels], own)))
    points = sum(row[3] for row in totals)
    first_ns = min((row[10] for row in totals), default=None)
    last_ns = max((row[11] for row in totals), default=None)
    info = run_info(points, first_ns, last_ns, declarations, metrics)
    latency = declarations.get(LATENCY_SERIES_METRIC)
    return found, per_second_series(requests, p95, latency.contains if latency else ""), info
