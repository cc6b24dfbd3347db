"""The JMeter CSV JTL reduction as SQL over the file (DuckDB), with the dashboard's rules of :mod:`._jmeter_stats`.

:func:`load_csv` reads the JTL into one table, ``jtl``, in file order (``rowid``); :func:`measure` computes the
same series as the line reader in one GROUPING SETS query: every label, the total (without Transaction
Controller samples) and the successful samples of each. Sums are of integers, so exact in any order; the
percentile window (the last 20,000 samples of a series in file order) is ``arg_max(elapsed, rowid, 20000)``,
sorted and read with Commons-Math LEGACY by the same function as the line reader's. Rows the line reader
would refuse make :class:`NotReducible`, and the adapter re-reads the file line by line to name the row.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from reportgen import limits
from reportgen.adapters._duckdb import NotReducible, identifier, literal, run_statement, source
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


def load_csv(connection: Any, path: Path, columns: tuple[str, ...], delimiter: str, header: bool) -> None:
    """Read a CSV JTL into ``samples`` (typed, file order) in one scan, checking every cell the line reader
    checks; only the columns the figures need are materialised."""
    schema = "{" + ", ".join(f"{literal(c)}: 'VARCHAR'" for c in columns) + "}"
    options = (
        f"header = {'true' if header else 'false'}, delim = {literal(delimiter)}, quote = '\"', escape = '\"', "
        f"strict_mode = true, columns = {schema}"
    )
    run_statement(connection, f"CREATE TABLE samples AS {_samples(columns, source(path, 'read_csv', options))}")
    bad = connection.execute("SELECT count(*) FROM samples WHERE bad").fetchone()[0]
    if bad:
        raise NotReducible(f"{bad} row(s) the line reader must judge")


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
    return f"SELECT {typed}, {optional_columns}, ({' OR '.join(checks)}) AS bad FROM {reader}"


def measure(
    connection: Any, columns: tuple[str, ...], path: Path
) -> tuple[list[Measurement], list[Series], dict[str, str]]:
    """Every measurement, the per-second series and the facts for ``info``: the line reader's, from SQL.

    Timestamps spanning more than a per-second series may: NotReducible, so the line reader names the row.
    """
    labels = connection.execute(
        "SELECT label, min(rowid), bool_or(NOT in_total) FROM samples GROUP BY label ORDER BY 2"
    ).fetchall()
    transactions = {label for label, _, is_transaction in labels if is_transaction}
    parents = label_parents((label for label, _, _ in labels), transactions)
    rows = connection.execute(
        f"""
        SELECT GROUPING(label), label, GROUPING(ok), ok, in_total,
               count(*), count(*) FILTER (WHERE NOT ok), min(ts), max(ts + elapsed),
               sum(elapsed), min(elapsed), max(elapsed), arg_max(elapsed, rowid, {STATISTIC_WINDOW}),
               sum(latency), count(latency), sum(connect), count(connect),
               sum(received), count(received), sum(sent), count(sent)
        FROM samples GROUP BY GROUPING SETS ((label), (label, ok), (in_total), (in_total, ok))
        """
    ).fetchall()
    by_key: dict[tuple[str | None, bool], SeriesFigures] = {}
    for no_label, label, no_ok, ok, in_total, *figures in rows:
        if (no_label and not in_total) or (not no_ok and not ok):
            continue  # the transactions' own total, and failed-only series: neither is reported
        key = (None if no_label else label, not no_ok)
        by_key[key] = _figures(key, parents, figures)
    measurements: list[Measurement] = []
    for label in [None, *(label for label, _, _ in labels)]:
        for success in (False, True):
            found = by_key.get((label, success))
            if found is None:  # a series without successful samples still reports its count, 0
                found = SeriesFigures(*_names((label, success), parents), 0)
            measurements += series_measurements(found)
    codes = connection.execute("SELECT code, count(*) FROM samples WHERE in_total AND NOT ok GROUP BY code").fetchall()
    measurements += errors_by_code(dict(codes))
    seconds = connection.execute(
        "SELECT ts // 1000, count(*), count(*) FILTER (WHERE NOT ok) FROM samples WHERE in_total GROUP BY 1"
    ).fetchall()
    count, in_total, start = connection.execute(
        "SELECT count(*), count(*) FILTER (WHERE in_total), min(ts) FROM samples"
    ).fetchone()
    info = run_facts(count, sorted(transactions), in_total, parents, start)
    first, last = connection.execute("SELECT min(ts) // 1000, max(ts) // 1000 FROM samples").fetchone()
    if first is not None and limits.series_too_long(first, last) is not None:
        raise NotReducible
    series = per_second({s: n for s, n, _ in seconds}, {s: e for s, _, e in seconds if e}, path)
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
