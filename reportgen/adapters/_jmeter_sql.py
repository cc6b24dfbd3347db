"""The JMeter CSV JTL reduction as SQL over the file (DuckDB), with the dashboard's rules of :mod:`._jmeter_stats`.

:func:`reduce` reads the JTL ONCE, as k6 streams are read (:mod:`._k6_sql`), by one query
(:mod:`._jmeter_query`): each sample goes to its *finest* group (its label, its success, whether it is in the
total, and the response code of the total's failures) and, when it is in the total, to its second; one aggregate
computes them all, and the series (a label, its successes, the total, its successes) are rolled up from the
finest groups by :mod:`._jmeter_groups`. Nothing is stored. Sums are of integers, so exact in any order.

The percentile window (the last 20,000 samples of a series in file order) needs file order. A plain JTL is read
unnumbered, on every core; a series with no more samples than the window keeps all of them, each label's first
row comes from a numbered prefix and the larger series' windows from a numbered suffix (:mod:`._jmeter_order`),
read beside the aggregate when the first rows show such series (:mod:`._beside`: that read takes one core).
A gzip JTL, or one whose rows a byte offset cannot find, is read numbered (``rn``, on one thread), each group
keeping its own last samples (``max(rn * 2**32 + elapsed, 20000)``). Either way the window is sorted and read
with Commons-Math LEGACY by the same function as the line reader's. Rows the line reader would refuse make
:class:`NotReducible`, and the adapter re-reads the file line by line to name the row.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

from reportgen import limits
from reportgen.adapters import _jmeter_order, _jmeter_query, _jmeter_stats
from reportgen.adapters._beside import Beside
from reportgen.adapters._duckdb import (
    FileOrderNeeded,
    NotReducible,
    compression,
    fetch_columns,
)
from reportgen.adapters._jmeter_groups import ELAPSED_BITS, Group, latest, merged, packable
from reportgen.adapters._jmeter_stats import (
    errors_by_code,
    label_keys,
    label_parents,
    per_second,
    run_facts,
    series_measurements,
)
from reportgen.schemas.measurement import Measurement, Series

_TOTAL_FILTER = {"transaction_controller": "false"}


def reduce(
    connection: Any, path: Path, columns: tuple[str, ...], delimiter: str, header: bool
) -> tuple[list[Measurement], list[Series], dict[str, str]]:
    """Every measurement, the per-second series and the facts for ``info``: the line reader's, from ONE read of
    the CSV JTL on every core (plus what file order needs, :mod:`._jmeter_order`), or numbered on one thread
    when that cannot be had; nothing is stored (no table of samples), and every cell the line reader checks is
    checked.

    Rows the line reader would refuse, or timestamps spanning more than a per-second series may: NotReducible,
    so the line reader names the row.
    """
    if compression(path) == "none":
        try:
            return _unnumbered(connection, path, columns, delimiter, header)
        except FileOrderNeeded:
            pass
    groups, seconds = _read(connection, path, columns, delimiter, header, numbered=True)
    return _measured(groups, seconds, path, lambda label, success, mine: latest(g.window for g in mine))


def _read(
    connection: Any, path: Path, columns: tuple[str, ...], delimiter: str, header: bool, numbered: bool
) -> tuple[list[Group], list[tuple[Any, ...]]]:
    """The finest groups and the total's seconds of one read of ``path``."""
    samples = _jmeter_query.samples(columns, _jmeter_query.reader(path, columns, delimiter, header), numbered)
    rows = fetch_columns(connection, _jmeter_query.query(samples, _jmeter_stats.STATISTIC_WINDOW, numbered))
    if any(row[21] for row in rows):
        raise NotReducible("row(s) the line reader must judge")
    groups = [_group(row) for row in rows if row[0] == _jmeter_query.GROUP]
    if not packable(groups) or sum(g.count for g in groups) >= 1 << (63 - ELAPSED_BITS):
        raise NotReducible("elapsed times or row numbers a window value cannot hold")
    return groups, [row for row in rows if row[0] == _jmeter_query.SECOND]


def _unnumbered(
    connection: Any, path: Path, columns: tuple[str, ...], delimiter: str, header: bool
) -> tuple[list[Measurement], list[Series], dict[str, str]]:
    """The reduction read unnumbered, on every core; each label's first row from a numbered prefix, the windows
    of series larger than one from a numbered suffix (:mod:`._jmeter_order`), read beside the aggregate when the
    first rows show such series (:class:`._beside.Beside`: the suffix's read takes one core)."""
    lines = _jmeter_order.Lines(path)
    if not lines.usable:
        raise FileOrderNeeded("carriage returns: a row may start after any of them")
    reader = _jmeter_query.reader(path, columns, delimiter, header)
    prefix = _jmeter_order.Prefix(connection, _jmeter_query.prefix_rows(columns, reader))
    guess = _guessed_share(prefix, lines)
    if guess > _jmeter_order.MOST and not prefix.whole():
        # one read, where the unnumbered one and the windows' read of the whole file cost about half as much again
        raise FileOrderNeeded("by the first rows, a series' window would be spread over most of the file")

    # a suffix read beside the aggregate only when the first rows call for one: else no thread, no cursor
    guessed = (
        Beside(connection, lambda cursor: _suffix_windows(cursor, connection, lines, columns, delimiter, guess))
        if 0 < guess <= _jmeter_order.MOST
        else None
    )
    with guessed or contextlib.nullcontext():
        groups, seconds = _read(connection, path, columns, delimiter, header, numbered=False)
        if not lines.rows_only(sum(g.count for g in groups), header):
            raise FileOrderNeeded("a cell holding a line break, or a blank line")
        first = prefix.first_rows({g.label for g in groups})
        groups = [replace(g, first=first[g.label]) for g in groups]
        size = _jmeter_stats.STATISTIC_WINDOW
        large = [(label, success) for label, success, mine in _series(groups) if sum(g.count for g in mine) > size]
        tail = _tail(connection, lines, columns, delimiter, header, groups, large, guess, guessed) if large else []

    windowed = set(large)

    def window(label: str | None, success: bool, mine: list[Group]) -> tuple[int, ...]:
        if (label, success) in windowed:
            return latest(g.window for g in _selected(tail, label, success))
        return tuple(sorted(v for g in mine for v in g.window.tolist()))

    return _measured(groups, seconds, path, window)


def _guessed_share(prefix: _jmeter_order.Prefix, lines: _jmeter_order.Lines) -> float:
    """The share of the file a suffix holding the window of every series larger than one would take, as the first
    rows show the series (scaled to the file; exact when they are the whole file), with its margin; 0 when none is
    larger. A guess: the aggregate's counts decide (:func:`_tail`), and the figures are the same either way."""
    scale = 1.0 if prefix.whole() else lines.feeds / prefix.limit
    groups = [_counted(label, ok, in_total, count, None) for label, ok, in_total, count, *_ in prefix.found]
    size = _jmeter_stats.STATISTIC_WINDOW
    counts = [c for c in (sum(g.count for g in mine) * scale for *_, mine in _series(groups)) if c > size]
    return _jmeter_order.share_needed(counts, size) if counts else 0.0


def _suffix_windows(
    cursor: Any, connection: Any, lines: _jmeter_order.Lines, columns: tuple[str, ...], delimiter: str, share: float
) -> list[Group] | None:
    """The finest groups of a numbered suffix of ``share`` of the file, copied to the block's folder (found by
    ``connection``: a cursor has no block) and read on ``cursor`` (the connection itself, or a thread's cursor);
    None when that would be most of the file, or the disk has no room."""
    copy = _jmeter_order.suffix(connection, lines, share) if share <= _jmeter_order.MOST else None
    if copy is None:
        return None
    try:
        return _windows(cursor, copy, columns, delimiter, False)
    finally:
        copy.unlink()


def _tail(
    connection: Any,
    lines: _jmeter_order.Lines,
    columns: tuple[str, ...],
    delimiter: str,
    header: bool,
    groups: list[Group],
    large: list[tuple[str | None, bool]],
    guess: float,
    guessed: Beside[list[Group] | None] | None,
) -> list[Group]:
    """The finest groups (counts and windows) of a numbered suffix of the file that holds the last window of every
    ``large`` series: the one ``guessed`` (``guess`` of the file) read beside the aggregate if it does, else of the
    share their counts say, growing; of the whole file when that suffix would be most of it, or the disk has no room
    for a copy (the windows alone, numbered: about half the cost of the numbered read of every figure)."""
    size = _jmeter_stats.STATISTIC_WINDOW
    if guessed is not None:  # read beside the aggregate: a suffix of ``guess`` of the file
        share, tail = guess, guessed.result()
    else:  # the first rows showed no series larger than a window
        share = _jmeter_order.share_needed((sum(g.count for g in _selected(groups, *key)) for key in large), size)
        tail = _suffix_windows(connection, connection, lines, columns, delimiter, share)
    while tail is not None:
        counts = [sum(g.count for g in _selected(tail, *key)) for key in large]
        if min(counts) >= size:
            return tail
        share = _jmeter_order.share_needed(counts, size, share)
        tail = _suffix_windows(connection, connection, lines, columns, delimiter, share)
    return _windows(connection, lines.path, columns, delimiter, header)


def _windows(connection: Any, path: Path, columns: tuple[str, ...], delimiter: str, header: bool) -> list[Group]:
    """Each group's count and last samples (packed) from a numbered read of ``path``, rows the first read checked."""
    reader = _jmeter_query.reader(path, columns, delimiter, header)
    query = _jmeter_query.windows_query(columns, reader, _jmeter_stats.STATISTIC_WINDOW)
    return [_counted(*row) for row in fetch_columns(connection, query)]


def _counted(label: str, ok: bool, in_total: bool, count: int, window: Any) -> Group:
    """A group of a suffix from its row of :func:`._jmeter_query.windows_query`: its count and window, no figures."""
    return Group(label, ok, in_total, None, count, 0, 0, 0, 0, 0, 0, (0,) * 8, 0, window)


def _group(row: tuple[Any, ...]) -> Group:
    """A finest group from its row: the key and figures are in :class:`Group`'s order (see :func:`._jmeter_query.query`)."""
    optional = tuple(int(value or 0) for value in row[13:21])  # no Latency column: sum and count are 0
    label, ok, in_total, code = row[1:5]
    count, start, end, last_stamp, total, low, high = row[6:13]
    return Group(label, ok, in_total, code, count, start, end, last_stamp, total, low, high, optional, row[22], row[23])


#: A series' window from its key (label or None for the total, successes only) and its finest groups.
Windows = Callable[[str | None, bool, list[Group]], tuple[int, ...]]


def _labels(groups: list[Group]) -> list[str]:
    """The labels in the order of their first sample."""
    first: dict[str, int] = {}
    for group in groups:
        first[group.label] = min(first.get(group.label, group.first), group.first)
    return sorted(first, key=first.__getitem__)


def _selected(groups: list[Group], label: str | None, success: bool) -> list[Group]:
    """The finest groups of one series: a label's (or the total's, without transactions), or their successes."""
    return [g for g in groups if (g.label == label if label is not None else g.in_total) and (g.ok or not success)]


def _series(groups: list[Group]) -> Iterator[tuple[str | None, bool, list[Group]]]:
    """Every series in the line reader's order (the total, then each label; each followed by its successes).
    The groups are split by label once: a JTL of thousands of labels (one per URL) is not scanned per series."""
    by_label: dict[str, list[Group]] = {}
    for group in groups:
        by_label.setdefault(group.label, []).append(group)
    total = [g for g in groups if g.in_total]
    for label, mine in [(None, total), *((label, by_label[label]) for label in _labels(groups))]:
        yield label, False, mine
        yield label, True, [g for g in mine if g.ok]


def _measured(
    groups: list[Group], seconds: list[tuple[Any, ...]], path: Path, window: Windows
) -> tuple[list[Measurement], list[Series], dict[str, str]]:
    """The line reader's measurements, series and facts from the finest groups and the total's seconds."""
    labels = _labels(groups)
    transactions = {g.label for g in groups if not g.in_total}
    parents = label_parents(labels, transactions)
    if groups and limits.series_too_long(
        min(g.start for g in groups) // 1000, max(g.last_stamp for g in groups) // 1000
    ):
        raise NotReducible
    measurements: list[Measurement] = []
    for label, success, mine in _series(groups):
        labels_, filters = _names((label, success), parents)
        measurements += series_measurements(merged(mine, labels_, filters, window(label, success, mine)))
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
