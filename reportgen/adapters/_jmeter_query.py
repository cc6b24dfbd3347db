"""The SQL text of the JMeter CSV JTL reduction (:mod:`._jmeter_sql` runs it): the read, the typed and checked
samples, and the aggregates over them.

The cells are checked cheaply first: an integer JMeter writes (``CAST(TRY_CAST(x AS BIGINT) AS VARCHAR) = x``) or
``true``/``false``; only a cell that fails that is tested by the line reader's rule (a regular expression after
``trim``, ``lower``), which was a third of the query's time when every cell went through it.
"""

from __future__ import annotations

from pathlib import Path

from reportgen.adapters._duckdb import identifier, literal, source
from reportgen.adapters._jmeter_groups import ELAPSED_BITS
from reportgen.adapters._jmeter_stats import TRANSACTION_MESSAGE

_INTEGER = "'[+-]?[0-9]+'"
_OPTIONAL = ("Latency", "Connect", "bytes", "sentBytes")
_OPTIONAL_AS = ("latency", "connect", "received", "sent")


def reader(path: Path, columns: tuple[str, ...], delimiter: str, header: bool) -> str:
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


def _typed(columns: tuple[str, ...]) -> dict[str, str]:
    """SQL for what a sample's groups and window need, by column name of :func:`samples`."""
    message = identifier("responseMessage") if "responseMessage" in columns else "''"  # absent: ""
    no_type = f"coalesce({identifier('dataType')}, '') = ''" if "dataType" in columns else "true"
    code = identifier("responseCode") if "responseCode" in columns else "''"
    return {
        "label": "coalesce(label, '')",
        "ts": _integer("timeStamp", optional=False)[0],
        "elapsed": _integer("elapsed", optional=False)[0],
        "ok": "CASE success WHEN 'true' THEN true WHEN 'false' THEN false ELSE lower(trim(success)) = 'true' END",
        "code": f"coalesce({code}, '')",
        "in_total": f"NOT (starts_with(coalesce({message}, ''), {literal(TRANSACTION_MESSAGE)}) AND {no_type})",
    }


def samples(columns: tuple[str, ...], reader: str, numbered: bool) -> str:
    """One row per sample with what the groups need, typed, and ``bad`` where the line reader would refuse it."""
    typed = _typed(columns)
    # a negative timestamp's second is floor division's in the line reader, truncation's in DuckDB's ``//``
    checks = [_integer("timeStamp", False)[1], f"coalesce({typed['ts']} < 0, false)", _integer("elapsed", False)[1]]
    checks.append(
        "CASE WHEN success IN ('true', 'false') THEN false "
        "ELSE NOT coalesce(lower(trim(success)) IN ('true', 'false'), false) END"
    )
    selected = [f"{sql} AS {name}" for name, sql in typed.items()]
    for column, name in zip(_OPTIONAL, _OPTIONAL_AS, strict=True):
        if column in columns:
            value, refused = _integer(column, optional=True)
            selected.append(f"{value} AS {name}")
            checks.append(refused)
        else:
            selected.append(f"CAST(NULL AS BIGINT) AS {name}")
    number = "row_number() OVER () AS rn, " if numbered else ""
    return f"SELECT {number}{', '.join(selected)}, ({' OR '.join(checks)}) AS bad FROM {reader}"


def prefix_rows(columns: tuple[str, ...], reader: str) -> str:
    """The rows numbered, with what a sample's series are (its label, success, whether it is in the total)."""
    typed = _typed(columns)
    keys = ", ".join(f"{typed[name]} AS {name}" for name in ("label", "ok", "in_total"))
    return f"SELECT row_number() OVER () AS rn, {keys} FROM {reader}"


def windows_query(columns: tuple[str, ...], reader: str, window: int) -> str:
    """The ``window`` latest samples of each group without the response code, packed, and how many samples it has,
    from a numbered read of rows already checked (a suffix of the file: no figures, no checks)."""
    typed = _typed(columns)
    keys = ", ".join(f"{typed[name]} AS {name}" for name in ("label", "ok", "in_total"))
    return f"""
        SELECT label, ok, in_total, count(*), max(rn * {1 << ELAPSED_BITS} + elapsed, {window})
        FROM (SELECT row_number() OVER () AS rn, {keys}, {typed["elapsed"]} AS elapsed FROM {reader})
        GROUP BY ALL
    """


#: The aggregate's rows: a finest group (``e = 0``) or a second of the total (``e = 1``), and their columns.
GROUP, SECOND = 0, 1
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


def query(samples: str, window: int, numbered: bool) -> str:
    """One read of the file: each sample goes to its finest group and, in the total, to its second (a join with
    the two kinds of row); one aggregate computes them all. Numbered, a group keeps its ``window`` latest samples,
    packed with their row numbers; unnumbered, any ``window + 1`` of its samples (all of them in a group that has
    no more than ``window``).

    The join sends each block of samples through whole, once per kind, where ``unnest`` (as before) copied every
    column of every sample one row at a time (two runs on a 200 MiB JTL at load 4: 0.15 s of cpu less of 1.7;
    later runs at load 5-6 showed no difference beyond the noise, so it is no slower, and may be that much faster).
    """
    figures = ", ".join(_FIGURES)
    first = "min(rn)" if numbered else "min(0)"
    # unnumbered, any window + 1 values will do: a constant key turns every later one away at one comparison
    kept = f"max(rn * {1 << ELAPSED_BITS} + elapsed, {window})" if numbered else f"arg_max(elapsed, 0, {window + 1})"
    return f"""
        SELECT e, CASE WHEN e = {GROUP} THEN label END, ok, in_total,
               CASE WHEN e = {GROUP} AND in_total AND NOT ok THEN code END,
               CASE WHEN e = {SECOND} THEN ts // 1000 END,
               {figures},
               {first} FILTER (WHERE e = {GROUP}),
               {kept} FILTER (WHERE e = {GROUP})
        FROM (VALUES ({GROUP}), ({SECOND})) AS kinds(e), ({samples})
        WHERE e = {GROUP} OR in_total
        GROUP BY ALL
    """
