"""The raw samples of a k6 stream by one DuckDB query: every slice's values in file order, as the line reader
(:func:`~.k6_stream.read_ndjson`, :func:`~.k6_stream.read_csv_stream`) collects them for :mod:`reportgen.samples`.

The rows are the reduction's (:func:`._k6_sql.ndjson_rows`, :func:`._k6_sql.csv_rows`: the same pre-scan of Metric
lines, gzip limits and cut last line, the same rules for what a valid Point is). Each row is numbered in the order
the scan gives it (``row_number() OVER ()`` over the rows, which DuckDB produces in file order while
``preserve_insertion_order`` is on, as :func:`._duckdb.connect` sets it, whatever the number of threads: tested
against the line reader on plain, gzip and CSV streams), sent to every slice it belongs to (the total, each
breakdown tag it carries, each declared submetric it matches, its check), and each slice's values are listed
``ORDER BY`` that number, so no parallel aggregation can reorder them. A value is its double as DuckDB reads it,
which is the line reader's (the reduction's agreement tests rest on the same).

Wherever the reduction hands a file to the line reader, so does this (:class:`~._duckdb.NotReducible`): damage
other than a cut last line, a byte-order mark, a value that is not finite or does not split exactly, Metric
lines that differ from the pre-scan's, a Point before its Metric line that changes its kind. The line reader then
names the line, as it does today.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from reportgen.adapters import _k6_sql
from reportgen.adapters._duckdb import NotReducible, fetch_columns, literal, plain_utf8
from reportgen.adapters._gzip_end import GzipReading, read_rows
from reportgen.adapters._k6_reduce import BREAKDOWN_TAGS, LabelKey, MetricDeclaration

# Slice numbers of the query (``s``); a label set is _LABELS + its index in the plan.
_INVALID, _DECLARATION, _TOTAL, _CHECKS, _LABELS = -2, -1, 0, 6, 7  # 1..5: the breakdown tags, in their order
#: The one metric whose times the samples need: active VUs over time (a Gauge's series).
TIMED_METRIC = "vus"


@dataclass
class StreamSamples:
    """What the line reader's collector holds that samples need: the declaration each metric was read with (in
    first-point order), every slice's values in file order, and the times of the ``vus`` total, in file order."""

    declarations: dict[str, MetricDeclaration] = field(default_factory=dict)
    slices: dict[str, dict[LabelKey, np.ndarray[Any, np.dtype[np.float64]]]] = field(default_factory=dict)
    vus_times: list[int] = field(default_factory=list)


def _entries(rows: _k6_sql.Rows, label_sets: list[tuple[LabelKey, list[str]]]) -> str:
    """SQL: the slices a row belongs to (``s``, ``k``, and ``g``: a check's group), NULL keys dropped later."""
    tag = rows.tags
    point = [f"{{'s': {_TOTAL}, 'k': '', 'g': ''}}"]
    for index, name in enumerate(BREAKDOWN_TAGS, start=1):
        point.append(f"{{'s': {index}, 'k': NULLIF({tag[name]}, ''), 'g': ''}}")
    check = f"CASE WHEN metric = 'checks' THEN NULLIF({tag['check']}, '') END"
    point.append(f"{{'s': {_CHECKS}, 'k': {check}, 'g': coalesce({tag['group']}, '')}}")
    for index, (labels, metrics) in enumerate(label_sets, start=_LABELS):
        listed = ", ".join(literal(m) for m in metrics)
        match = " AND ".join([f"metric IN ({listed})", *(f"{tag[t]} = {literal(v)}" for t, v in labels)])
        point.append(f"{{'s': {index}, 'k': CASE WHEN {match} THEN '' END, 'g': ''}}")
    return (
        f"CASE WHEN NOT valid THEN [{{'s': {_INVALID}, 'k': '', 'g': ''}}] "
        f"WHEN kind = 'Metric' THEN [{{'s': {_DECLARATION}, 'k': decl, 'g': ''}}] "
        f"ELSE [{', '.join(point)}] END"
    )


def query(rows: _k6_sql.Rows, label_sets: list[tuple[LabelKey, list[str]]]) -> str:
    """The one query: per (metric, slice) its row count, first and last row number, and its values (and the
    ``vus`` total's times) in row order."""
    timed = f"e.s = {_TOTAL} AND metric = {literal(TIMED_METRIC)}"
    return f"""
        SELECT metric, e.s AS s, e.k AS k, e.g AS g, count(*) AS n, min(pos) AS first_pos, max(pos) AS last_pos,
               list(value ORDER BY pos) FILTER (WHERE e.s >= {_TOTAL}) AS "values",
               list(time_ns ORDER BY pos) FILTER (WHERE {timed}) AS times
        FROM (SELECT metric, value, time_ns, pos, unnest({_entries(rows, label_sets)}) AS e
              FROM (SELECT row_number() OVER () AS pos, * FROM ({rows.sql}) AS line_rows) AS numbered)
        WHERE e.k IS NOT NULL
        GROUP BY ALL
        ORDER BY first_pos, s, k, g
    """


def _check_damage(rows: _k6_sql.Rows, result: list[tuple[Any, ...]]) -> None:
    """NotReducible unless every row was valid but a cut last line (the line reader's rule: damage before the last
    line is an error it names)."""
    invalid = [row for row in result if row[1] == _INVALID]
    if rows.cut_tail is None:
        cut_only = not invalid
    elif rows.rows_before_tail is not None:  # CSV: DuckDB skipped the cut row (and would skip others as silently)
        cut_only = not invalid and sum(row[4] for row in result if row[1] == _TOTAL) == rows.rows_before_tail
    else:  # NDJSON: the cut line is one invalid row, the last one
        cut_only = sum(row[4] for row in invalid) == 1 and invalid[0][5] == max(row[6] for row in result)
    if not cut_only:
        raise NotReducible("line(s) the line reader must judge")


def _labels(s: int, k: str, g: str, label_sets: list[tuple[LabelKey, list[str]]]) -> LabelKey:
    if s == _TOTAL:
        return ()
    if s == _CHECKS:
        return (("check", k), ("group", g))
    if s >= _LABELS:
        return label_sets[s - _LABELS][0]
    return ((BREAKDOWN_TAGS[s - 1], k),)


def samples(connection: Any, rows: _k6_sql.Rows) -> StreamSamples:
    """Every slice's values of the stream ``rows`` describes, from one read of the file."""
    plan = _k6_sql._plan(rows, (), ())
    label_sets = list(plan.label_sets.items())
    statement = query(rows, label_sets)
    result = fetch_columns(connection, statement)
    try:
        _k6_sql.names_read_as_text(rows, {row[0] for row in result})
    except _k6_sql.NamesReadAsText:
        assert rows.strict is not None
        return samples(connection, rows.strict)
    if rows.whole_file is not None:  # Metric lines read ahead from the start only: as in _k6_sql._reduce
        rows = _k6_sql.with_every_declaration(rows, [(row[2], row[4]) for row in result if row[1] == _DECLARATION])
        plan = _k6_sql._plan(rows, (), ())
        label_sets = list(plan.label_sets.items())
        if query(rows, label_sets) != statement:
            return samples(connection, rows)
    _check_damage(rows, result)
    first_declaration = _k6_sql.first_declarations((row[2], row[5]) for row in result if row[1] == _DECLARATION)
    if sum(row[4] for row in result if row[1] == _DECLARATION) != rows.metric_lines or (
        first_declaration.keys() != rows.declared.keys()
    ):
        raise NotReducible("the Metric lines read ahead differ from the file's")
    first_point = {row[0]: row[5] for row in result if row[1] == _TOTAL}
    if not first_point:
        raise NotReducible("no samples: the line reader says so")
    declarations = _k6_sql._effective_declarations(rows, plan, first_point, first_declaration)
    found = StreamSamples(declarations={name: declarations[name] for name in first_point})
    for metric, s, k, g, _, _, _, values, times in result:
        if s < _TOTAL:
            continue
        labels = _labels(s, k, g, label_sets)
        if s >= _LABELS and labels not in (_key(sub) for sub in declarations[metric].submetrics):
            continue  # the submetric of a declaration the line reader ignores (a Point came first)
        found.slices.setdefault(metric, {})[labels] = np.asarray(values, dtype=np.float64)
        if metric == TIMED_METRIC and s == _TOTAL:
            found.vus_times = [int(t) for t in times]
    return found


def _key(labels: dict[str, str]) -> LabelKey:
    return tuple(sorted(labels.items()))


def read(path: Path, rows_of: Callable[[Path, set[str], GzipReading], _k6_sql.Rows]) -> StreamSamples | None:
    """The samples of the k6 stream at ``path`` (``rows_of``: its format's rows), or None when the file needs the
    line reader (a byte-order mark, damage, no samples), which then reads it and names what is wrong. A gzip file
    is read as the reduction reads it (:func:`._gzip_end.read_rows`)."""
    if not plain_utf8(path):
        return None
    found = read_rows(path, lambda reading: rows_of(path, set(), reading), samples)
    return None if found is None else found[1]
