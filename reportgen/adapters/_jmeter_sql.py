"""The JMeter CSV JTL reduction as SQL over the file (DuckDB), with the dashboard's rules of :mod:`._jmeter_stats`.

:func:`reduce` reads the JTL ONCE, as k6 streams are read (:mod:`._k6_sql`): each sample, numbered in file order
(``rn``), goes to its *finest* group (its label, its success, whether it is in the total, and the response code of
the total's failures) and, when it is in the total, to its second; one aggregate computes them all, and the series
(a label, its successes, the total, its successes) are rolled up from the finest groups by
:mod:`._jmeter_groups`. Nothing is stored. Sums are of integers, so exact in any order; the percentile window
(the last 20,000 samples of a series in file order) is the latest of the groups' own last samples, kept by
``max(rn * 2**32 + elapsed, 20000)``, sorted and read with Commons-Math LEGACY by the same function as the line
reader's. Rows the line reader would refuse make :class:`NotReducible`, and the adapter re-reads the file line by
line to name the row.

The cells are checked cheaply first: an integer JMeter writes (``CAST(TRY_CAST(x AS BIGINT) AS VARCHAR) = x``) or
``true``/``false``; only a cell that fails that is tested by the line reader's rule (a regular expression after
``trim``, ``lower``), which was a third of the query's time when every cell went through it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from reportgen import limits
from reportgen.adapters import _jmeter_stats
from reportgen.adapters._duckdb import NotReducible, fetch_columns, identifier, literal, source
from reportgen.adapters._jmeter_groups import ELAPSED_BITS, Group, merged, packable
from reportgen.adapters._jmeter_stats import (
    errors_by_code,
    label_keys,
    label_parents,
    per_second,
    run_facts,
    series_measurements,
)
from reportgen.schemas.measurement import Measurement, Series

_TRANSACTION_MESSAGE = "Number of samples in transaction"
_TOTAL_FILTER = {"transaction_controller": "false"}
_INTEGER = "'[+-]?[0-9]+'"
_OPTIONAL = ("Latency", "Connect", "bytes", "sentBytes")
_OPTIONAL_AS = ("latency", "connect", "received", "sent")


def _reader(path: Path, columns: tuple[str, ...], delimiter: str, header: bool) -> str:
    schema = "{" + ", ".join(f"{literal(c)}: 'VARCHAR'" for c in columns) + "}"
    options = (
        f"header = {'true' if header else 'false'}, delim = {literal(delimiter)}, quote = '\"', escape = '\"', "
        f"strict_mode = true, columns = {schema}"
    )
    return source(path, "read_csv", options)


def _integer(name: str, optional: bool) -> tuple[str, str]:
    """SQL for one integer cell: its value and whether the line reader would refuse it. An integer as JMeter
    writes it is its own text back (``CAST … AS VARCHAR``); only other text is tried as the line reader tries it."""
    cell = identifier(name)
    fast = f"TRY_CAST({cell} AS BIGINT)"
    canonical = f"CAST({fast} AS VARCHAR) = {cell}"
    slow = f"TRY_CAST(NULLIF(trim({cell}), '') AS BIGINT)" if optional else f"TRY_CAST(trim({cell}) AS BIGINT)"
    refused = f"NOT coalesce(regexp_full_match(trim({cell}), {_INTEGER}), false)"
    if optional:
        refused = f"coalesce(trim({cell}) <> '', false) AND {refused}"
    return f"CASE WHEN {canonical} THEN {fast} ELSE {slow} END", f"CASE WHEN {canonical} THEN false ELSE {refused} END"


def _samples(columns: tuple[str, ...], reader: str, numbered: bool) -> str:
    """One row per sample with what the groups need, typed, and ``bad`` where the line reader would refuse it."""
    ts, ts_bad = _integer("timeStamp", optional=False)
    elapsed, elapsed_bad = _integer("elapsed", optional=False)
    # a negative timestamp's second is floor division's in the line reader, truncation's in DuckDB's ``//``
    checks = [ts_bad, f"coalesce({ts} < 0, false)", elapsed_bad]
    checks.append(
        "CASE WHEN success IN ('true', 'false') THEN false "
        "ELSE NOT coalesce(lower(trim(success)) IN ('true', 'false'), false) END"
    )
    optional_columns = []
    for column, name in zip(_OPTIONAL, _OPTIONAL_AS, strict=True):
        if column in columns:
            value, refused = _integer(column, optional=True)
            optional_columns.append(f"{value} AS {name}")
            checks.append(refused)
        else:
            optional_columns.append(f"CAST(NULL AS BIGINT) AS {name}")
    message = identifier("responseMessage") if "responseMessage" in columns else "''"  # absent: ""
    no_type = f"coalesce({identifier('dataType')}, '') = ''" if "dataType" in columns else "true"
    code = identifier("responseCode") if "responseCode" in columns else "''"
    typed = f"""
        coalesce(label, '') AS label, {ts} AS ts, {elapsed} AS elapsed,
        CASE success WHEN 'true' THEN true WHEN 'false' THEN false ELSE lower(trim(success)) = 'true' END AS ok,
        coalesce({code}, '') AS code,
        NOT (starts_with(coalesce({message}, ''), {literal(_TRANSACTION_MESSAGE)}) AND {no_type}) AS in_total"""
    number = "row_number() OVER () AS rn, " if numbered else ""
    checked = f"({' OR '.join(checks)}) AS bad"
    return f"SELECT {number}{typed}, {', '.join(optional_columns)}, {checked} FROM {reader}"


#: The aggregate's rows: a finest group (``e = 0``) or a second of the total (``e = 1``), and their columns.
_GROUP, _SECOND = 0, 1
_FIGURES = (
    "count(*)",
    "min(ts)",
    "max(ts + elapsed)",
    "max(ts)",
    "CAST(sum(elapsed) AS BIGINT)",
    "min(elapsed)",
    "max(elapsed)",
    *(f"CAST(sum({c}) AS BIGINT), count({c})" for c in _OPTIONAL_AS),
    "bool_or(bad)",
)


def _query(samples: str, window: int) -> str:
    """One read of the file: each sample goes to its finest group and, in the total, to its second (``unnest``);
    one aggregate computes them all. A group keeps its ``window`` latest samples, packed with their line numbers.
    """
    figures = ", ".join(_FIGURES)
    return f"""
        SELECT e, CASE WHEN e = {_GROUP} THEN label END, ok, in_total,
               CASE WHEN e = {_GROUP} AND in_total AND NOT ok THEN code END,
               CASE WHEN e = {_SECOND} THEN ts // 1000 END,
               {figures},
               min(rn) FILTER (WHERE e = {_GROUP}),
               max(rn * {1 << ELAPSED_BITS} + elapsed, {window}) FILTER (WHERE e = {_GROUP})
        FROM (SELECT *, unnest(CASE WHEN in_total THEN [{_GROUP}, {_SECOND}] ELSE [{_GROUP}] END) AS e
              FROM ({samples}))
        GROUP BY ALL
    """


def reduce(
    connection: Any, path: Path, columns: tuple[str, ...], delimiter: str, header: bool
) -> tuple[list[Measurement], list[Series], dict[str, str]]:
    """Every measurement, the per-second series and the facts for ``info``: the line reader's, from ONE read of
    the CSV JTL (nothing is stored: no table of samples), checking every cell the line reader checks.

    Rows the line reader would refuse, or timestamps spanning more than a per-second series may: NotReducible,
    so the line reader names the row.
    """
    reader = _reader(path, columns, delimiter, header)
    query = _query(_samples(columns, reader, numbered=True), _jmeter_stats.STATISTIC_WINDOW)
    rows = fetch_columns(connection, query)
    if any(row[21] for row in rows):
        raise NotReducible("row(s) the line reader must judge")
    groups = [_group(row) for row in rows if row[0] == _GROUP]
    if not packable(groups) or sum(g.count for g in groups) >= 1 << (63 - ELAPSED_BITS):
        raise NotReducible("elapsed times or line numbers a window value cannot hold")
    seconds = [row for row in rows if row[0] == _SECOND]
    return _measured(groups, seconds, path)


def _group(row: tuple[Any, ...]) -> Group:
    """A finest group from its row: the key and figures are in :class:`Group`'s order (see :func:`_query`)."""
    optional = tuple(int(value or 0) for value in row[13:21])  # no Latency column: sum and count are 0
    label, ok, in_total, code = row[1:5]
    count, start, end, last_stamp, total, low, high = row[6:13]
    return Group(label, ok, in_total, code, count, start, end, last_stamp, total, low, high, optional, row[22], row[23])


def _measured(
    groups: list[Group], seconds: list[tuple[Any, ...]], path: Path
) -> tuple[list[Measurement], list[Series], dict[str, str]]:
    """The line reader's measurements, series and facts from the finest groups and the total's seconds."""
    first: dict[str, int] = {}
    for group in groups:
        first[group.label] = min(first.get(group.label, group.first), group.first)
    labels = sorted(first, key=first.__getitem__)  # in the order of their first sample
    transactions = {g.label for g in groups if not g.in_total}
    parents = label_parents(labels, transactions)
    if groups and limits.series_too_long(
        min(g.start for g in groups) // 1000, max(g.last_stamp for g in groups) // 1000
    ):
        raise NotReducible
    measurements: list[Measurement] = []
    for label in [None, *labels]:
        mine = [g for g in groups if (g.label == label if label is not None else g.in_total)]
        for success in (False, True):
            names = _names((label, success), parents)
            measurements += series_measurements(merged([g for g in mine if g.ok or not success], *names))
    codes: dict[str, int] = {}
    for group in groups:
        if group.code is not None:
            codes[group.code] = codes.get(group.code, 0) + group.count
    measurements += errors_by_code(codes)
    in_total = sum(g.count for g in groups if g.in_total)
    start = min((g.start for g in groups), default=None)
    info = run_facts(sum(g.count for g in groups), sorted(transactions), in_total, parents, start)
    requests: dict[int, int] = {}
    errors: dict[int, int] = {}
    for row in seconds:
        second, count = row[5], row[6]
        requests[second] = requests.get(second, 0) + count
        if not row[2]:
            errors[second] = count
    return measurements, per_second(requests, errors, path), info


def _names(key: tuple[str | None, bool], parents: dict[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    label, success = key
    labels = label_keys(label, parents) if label is not None else {}
    filters = {"label": label} if label is not None else dict(_TOTAL_FILTER)
    if success:
        return {**labels, "success": "true"}, {**filters, "success": "true"}
    return labels, filters
