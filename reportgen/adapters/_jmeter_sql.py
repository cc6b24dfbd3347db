"""The JMeter CSV JTL reduction as SQL over the file (DuckDB), with the dashboard's rules of :mod:`._jmeter_stats`.

:func:`reduce` reads the JTL ONCE, as k6 streams are read (:mod:`._k6_sql`): each sample, numbered in file order
(``rn``), is sent to the slices it belongs to (its label, its label's successes, the total without Transaction
Controller samples, the total's successes, the total's failures per response code, its second) and one aggregate
computes them all, with the same series as the line reader. Nothing is stored (the samples were a table before,
whose CREATE cost about as much as the read). Sums are of integers, so exact in any order; the percentile window
(the last 20,000 samples of a series in file order) is ``arg_max(elapsed, rn, 20000)``, sorted and read with
Commons-Math LEGACY by the same function as the line reader's. Rows the line reader would refuse make
:class:`NotReducible`, and the adapter re-reads the file line by line to name the row.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from reportgen import limits
from reportgen.adapters._duckdb import NotReducible, fetch, identifier, literal, source
from reportgen.adapters._jmeter_stats import (
    STATISTIC_WINDOW,
    SeriesFigures,
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


def _samples(columns: tuple[str, ...], reader: str) -> str:
    """One row per sample with what the series need, typed, and ``bad`` where the line reader would refuse it."""

    def integer(name: str) -> str:
        return f"coalesce(regexp_full_match(trim({identifier(name)}), {_INTEGER}), false)"

    def optional(name: str) -> str:
        return f"CAST(NULLIF(trim({identifier(name)}), '') AS BIGINT)" if name in columns else "CAST(NULL AS BIGINT)"

    checks = [f"NOT {integer(c)}" for c in ("timeStamp", "elapsed")]
    checks.append("NOT coalesce(lower(trim(success)) IN ('true', 'false'), false)")
    checks += [f"coalesce(trim({identifier(c)}) <> '', false) AND NOT {integer(c)}" for c in _OPTIONAL if c in columns]
    message = identifier("responseMessage") if "responseMessage" in columns else "''"  # absent: ""
    no_type = f"coalesce({identifier('dataType')}, '') = ''" if "dataType" in columns else "true"
    code = identifier("responseCode") if "responseCode" in columns else "''"
    typed = f"""
        coalesce(label, '') AS label, TRY_CAST(trim("timeStamp") AS BIGINT) AS ts,
        TRY_CAST(trim(elapsed) AS BIGINT) AS elapsed, lower(trim(success)) = 'true' AS ok, coalesce({code}, '') AS code,
        NOT (starts_with(coalesce({message}, ''), {literal(_TRANSACTION_MESSAGE)}) AND {no_type}) AS in_total"""
    optional_columns = ", ".join(f"{optional(c)} AS {a}" for c, a in zip(_OPTIONAL, _OPTIONAL_AS, strict=True))
    checked = f"({' OR '.join(checks)}) AS bad"
    return f"SELECT row_number() OVER () AS rn, {typed}, {optional_columns}, {checked} FROM {reader}"


# Slice numbers of the one aggregate: the series (a label, a label's successes, the total, its successes), the
# total's failures per response code, its samples per second, and rows the line reader must judge.
_LABEL, _LABEL_OK, _TOTAL, _TOTAL_OK, _CODE, _SECOND, _BAD = 1, 2, 3, 4, 5, 6, -1
_SERIES = {_LABEL: False, _LABEL_OK: True, _TOTAL: False, _TOTAL_OK: True}  # slice → successes only


def _query(samples: str) -> str:
    """One read of the file: each sample is sent to the slices it belongs to (``unnest``), one aggregate computes
    them all (the percentile window is ``arg_max(elapsed, rn, 20000)``, the last samples in file order)."""
    entries = (
        f"CASE WHEN bad THEN [{{'s': {_BAD}, 'k': ''}}] ELSE ["
        f"{{'s': {_LABEL}, 'k': label}}, {{'s': {_LABEL_OK}, 'k': CASE WHEN ok THEN label END}}, "
        f"{{'s': {_TOTAL}, 'k': CASE WHEN in_total THEN '' END}}, "
        f"{{'s': {_TOTAL_OK}, 'k': CASE WHEN in_total AND ok THEN '' END}}, "
        f"{{'s': {_CODE}, 'k': CASE WHEN in_total AND NOT ok THEN code END}}, "
        f"{{'s': {_SECOND}, 'k': CASE WHEN in_total THEN CAST(ts // 1000 AS VARCHAR) END}}] END"
    )
    return f"""
        SELECT e.s, e.k, count(*), count(*) FILTER (WHERE NOT ok), min(ts), max(ts + elapsed),
               sum(elapsed), min(elapsed), max(elapsed),
               arg_max(elapsed, rn, {STATISTIC_WINDOW}) FILTER (WHERE e.s BETWEEN {_LABEL} AND {_TOTAL_OK}),
               sum(latency), count(latency), sum(connect), count(connect),
               sum(received), count(received), sum(sent), count(sent),
               min(rn), bool_or(NOT in_total), max(ts), min(ts) // 1000, max(ts) // 1000
        FROM (SELECT *, unnest({entries}) AS e FROM ({samples}))
        WHERE e.k IS NOT NULL
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
    rows = fetch(connection, _query(_samples(columns, _reader(path, columns, delimiter, header))))
    if any(row[0] == _BAD for row in rows):
        raise NotReducible("row(s) the line reader must judge")
    labels = sorted((row for row in rows if row[0] == _LABEL), key=lambda row: row[18])
    transactions = {row[1] for row in labels if row[19]}
    parents = label_parents((row[1] for row in labels), transactions)
    by_key: dict[tuple[str | None, bool], SeriesFigures] = {}
    for s, k, *figures in rows:
        if s in _SERIES:
            key = (k if s in (_LABEL, _LABEL_OK) else None, _SERIES[s])
            by_key[key] = _figures(key, parents, figures[:16])
    measurements: list[Measurement] = []
    for label in [None, *(row[1] for row in labels)]:
        for success in (False, True):
            found = by_key.get((label, success))
            if found is None:  # a series without successful samples still reports its count, 0
                found = SeriesFigures(*_names((label, success), parents), 0)
            measurements += series_measurements(found)
    measurements += errors_by_code({row[1]: row[2] for row in rows if row[0] == _CODE})
    seconds = [row for row in rows if row[0] == _SECOND]
    in_total = sum(row[2] for row in rows if row[0] == _TOTAL)
    start = min((row[4] for row in labels), default=None)
    info = run_facts(sum(row[2] for row in labels), sorted(transactions), in_total, parents, start)
    if labels:
        first, last = min(row[21] for row in labels), max(row[22] for row in labels)
        if limits.series_too_long(first, last) is not None:
            raise NotReducible
    requests = {int(row[1]): row[2] for row in seconds}
    series = per_second(requests, {int(row[1]): row[3] for row in seconds if row[3]}, path)
    return measurements, series, info


def _names(key: tuple[str | None, bool], parents: dict[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    label, success = key
    labels = label_keys(label, parents) if label is not None else {}
    filters = {"label": label} if label is not None else dict(_TOTAL_FILTER)
    if success:
        return {**labels, "success": "true"}, {**filters, "success": "true"}
    return labels, filters


def _figures(key: tuple[str | None, bool], parents: dict[str, str], row: list[Any]) -> SeriesFigures:
    count, errors, start, end, elapsed_sum, low, high, window, *optional = row
    latency, latency_n, connect, connect_n, received, received_n, sent, sent_n = optional
    labels, filters = _names(key, parents)
    return SeriesFigures(
        labels,
        filters,
        count,
        errors=errors,
        start=start,
        end=end,
        elapsed_sum=int(elapsed_sum),
        elapsed_min=low,
        elapsed_max=high,
        window=tuple(sorted(window)),
        latency=(int(latency or 0), latency_n),
        connect=(int(connect or 0), connect_n),
        received=(int(received or 0), received_n),
        sent=(int(sent or 0), sent_n),
    )
