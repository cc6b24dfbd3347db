"""Locust: the four ``--csv PREFIX`` files and the ``--json`` / ``--json-file`` output.

Labels: ``{"name": Name, "method": Type}`` per endpoint; Locust's ``Aggregated``
row is the scenario total, labels ``{}``. Response times are ms; the median and
percentiles come from Locust's rounded buckets (estimator ``locust-buckets``,
docs/FORMATS.md §2.4). The CSV files are rewritten once a second during the run and
the JSON at shutdown, so the two can disagree; each file is reported as written.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

from reportgen import selectors
from reportgen.adapters._base import CsvTable, Sample, load_json, read_csv
from reportgen.adapters._labels import UniqueNames
from reportgen.adapters._locust_columns import (
    Columns,
    cell,
    count_cell,
    has_any,
    header_fields,
    is_total,
    resolve_columns,
)
from reportgen.adapters._locust_json import PERCENTILES, Entry, aggregate, read_entry
from reportgen.errors import ArtifactError, Position
from reportgen.estimators import LOCUST_BUCKETS, percentile_name
from reportgen.schemas.measurement import Extraction, ExtractWarning, Measurement, Series

MS, COUNT, PER_SECOND, RATIO, BYTES = "ms", "count", "/s", "ratio", "B"


def _read_locust_csv(path: Path) -> CsvTable:
    # Locust always writes commas; guessing the delimiter could pick a character from a name.
    return read_csv(path, delimiter=",")


@dataclass
class _Collector:
    """Measurements of one artifact, refusing two figures with the same identity."""

    path: Path
    measurements: list[Measurement] = field(default_factory=list)
    _seen: set[tuple[str, str, tuple[tuple[str, str], ...]]] = field(default_factory=set)

    def add(
        self,
        metric: str,
        stat: str,
        value: float | None,
        unit: str,
        labels: dict[str, str],
        selector: str,
        estimator: str | None = None,
        line: int | None = None,
    ) -> None:
        """Record a figure; a missing value (``N/A``, no requests) records nothing."""
        if value is None:
            return
        measurement = Measurement(
            metric=metric, stat=stat, value=value, unit=unit, labels=labels, selector=selector, estimator=estimator
        )
        if measurement.key() in self._seen:
            raise ArtifactError(Position(self.path, line), f"{metric} {stat} for {labels or 'the total'} appears twice")
        self._seen.add(measurement.key())
        self.measurements.append(measurement)


# --------------------------------------------------------------------------- _stats.csv

_STATS_REQUIRED = ("type", "name", "requests", "failures", "median", "avg", "min", "max", "rps")
_STATS_OPTIONAL = ("content", "fps")


def _row_labels(type_: str, name: str) -> dict[str, str]:
    return {} if is_total(type_, name) else {"name": name, "method": type_}


class LocustStatsCsv:
    """``PREFIX_stats.csv``: one row per (Type, Name) plus ``Aggregated``, any Locust version."""

    name: ClassVar[str] = "locust-stats-csv"
    version: ClassVar[str] = "1"
    summary: ClassVar[str] = "Locust --csv PREFIX_stats.csv (0.x, 1.x, 2.x headers): per-endpoint and Aggregated totals"
    priority: ClassVar[int] = 50

    def sniff(self, sample: Sample) -> bool:
        fields = header_fields(sample.head)
        return (
            "Name" in fields
            and "Timestamp" not in fields
            and has_any(fields, "requests")
            and has_any(fields, "avg")
            and has_any(fields, "type")
        )

    def read(self, path: Path) -> Extraction:
        table = _read_locust_csv(path)
        columns = resolve_columns(table.header, path, _STATS_REQUIRED, _STATS_OPTIONAL)
        collector = _Collector(path)
        for line, row in table.rows:
            self._read_row(collector, columns, line, row)
        info = {
            "header": "locust<1.0" if columns["requests"] == "# requests" else "locust>=1.0",
            "percentiles": ",".join(header for header, _ in columns.percentiles),
        }
        return Extraction(
            adapter=self.name, adapter_version=self.version, measurements=collector.measurements, info=info
        )

    def _read_row(self, collector: _Collector, columns: Columns, line: int, row: dict[str, str]) -> None:
        type_, name = row[columns["type"]], row[columns["name"]]
        labels = _row_labels(type_, name)
        key = {columns["type"]: type_, columns["name"]: name}

        def add(
            metric: str, stat: str, value: float | None, unit: str, column: str, estimator: str | None = None
        ) -> None:
            collector.add(metric, stat, value, unit, labels, selectors.csv_cell(key, column), estimator, line)

        path = collector.path
        requests = count_cell(row, columns["requests"], path, line)
        failures = count_cell(row, columns["failures"], path, line)
        add("requests", "count", requests, COUNT, columns["requests"])
        add("requests", "rate", cell(row, columns["rps"], path, line), PER_SECOND, columns["rps"])
        add("failures", "count", failures, COUNT, columns["failures"])
        if fps := columns.get("fps"):
            add("failures", "rate", cell(row, fps, path, line), PER_SECOND, fps)
        # Failure Count / Request Count, located by the Failure Count cell (docs: locust.md).
        add("failures", "ratio", _failure_ratio(requests, failures), RATIO, columns["failures"])
        if requests == 0:
            return  # Locust prints 0 placeholders for times and sizes of an entry without requests
        for stat, field_ in (("avg", "avg"), ("min", "min"), ("max", "max")):
            add("response_time", stat, cell(row, columns[field_], path, line), MS, columns[field_])
        add("response_time", "med", cell(row, columns["median"], path, line), MS, columns["median"], LOCUST_BUCKETS)
        for column, stat in columns.percentiles:
            add("response_time", stat, cell(row, column, path, line), MS, column, LOCUST_BUCKETS)
        if content := columns.get("content"):
            add("content_size", "avg", cell(row, content, path, line), BYTES, content)


def _failure_ratio(requests: int, failures: int) -> float | None:
    """Locust's ``fail_ratio``; no requests and no failures is no figure rather than 0 %."""
    if requests > 0:
        return failures / requests
    return 1.0 if failures > 0 else None


# --------------------------------------------------------------------------- _stats_history.csv

_HISTORY_REQUIRED = ("timestamp", "type", "name", "rps")
_HISTORY_OPTIONAL = ("users", "fps")
#: The percentiles charted over time (when the file has those columns).
_HISTORY_PERCENTILES = ("p50", "p95")


@dataclass
class _SeriesBuilder:
    """Points of one (metric, stat, labels) in file order, with the column they come from."""

    metric: str
    stat: str
    unit: str
    labels: dict[str, str]
    selector: str
    estimator: str | None = None
    points: list[tuple[float, float]] = field(default_factory=list)

    def build(self) -> Series:
        return Series(
            metric=self.metric,
            stat=self.stat,
            unit=self.unit,
            labels=self.labels,
            points=sorted(self.points),
            selector=self.selector,
            estimator=self.estimator,
        )


class LocustHistoryCsv:
    """``PREFIX_stats_history.csv``: users, request and failure rates, and current p50/p95 over time."""

    name: ClassVar[str] = "locust-history-csv"
    version: ClassVar[str] = "1"
    summary: ClassVar[str] = "Locust --csv PREFIX_stats_history.csv: users, requests/s, failures/s, p50/p95 over time"
    priority: ClassVar[int] = 50

    def sniff(self, sample: Sample) -> bool:
        fields = header_fields(sample.head)
        return {"Timestamp", "Name", "Requests/s"} <= set(fields) and has_any(fields, "type")

    def read(self, path: Path) -> Extraction:
        table = _read_locust_csv(path)
        history = _History(path, resolve_columns(table.header, path, _HISTORY_REQUIRED, _HISTORY_OPTIONAL))
        for line, row in table.rows:
            history.add_row(line, row)
        return Extraction(
            adapter=self.name,
            adapter_version=self.version,
            measurements=history.peak_users(),
            series=[builder.build() for builder in history.series.values()],
            info={
                # Locust writes the current (~10 s window) percentiles only with --csv-full-history;
                # without it the history rows carry the percentiles of the whole run so far.
                "history_percentiles": "current window" if history.full_history else "cumulative",
            },
        )


@dataclass
class _History:
    """The series of one history file, filled row by row."""

    path: Path
    columns: Columns
    series: dict[tuple[str, str, tuple[tuple[str, str], ...]], _SeriesBuilder] = field(default_factory=dict)
    full_history: bool = False
    _peak: tuple[float, int, dict[str, str]] | None = None  # (users, line, row key)

    def add_row(self, line: int, row: dict[str, str]) -> None:
        columns, path = self.columns, self.path
        type_, name = row[columns["type"]], row[columns["name"]]
        labels = _row_labels(type_, name)
        self.full_history = self.full_history or bool(labels)
        key = {columns["type"]: type_, columns["name"]: name}
        at = _timestamp(row, columns["timestamp"], path, line)
        for metric, field_ in (("requests", "rps"), ("failures", "fps")):
            column = columns.get(field_)
            if column is not None and (value := cell(row, column, path, line)) is not None:
                self._point(metric, "rate", PER_SECOND, labels, key, column, (at, value))
        for column, stat in columns.percentiles:
            value = cell(row, column, path, line)
            # Locust writes 0 while its percentile window is still empty; a 0 ms bucket is not a latency.
            if stat in _HISTORY_PERCENTILES and value:
                self._point("response_time", stat, MS, labels, key, column, (at, value), LOCUST_BUCKETS)
        users_column = columns.get("users")
        if users_column is not None and not labels:  # every row repeats the run's user count; read it once
            users = count_cell(row, users_column, path, line)
            self._point("users", "value", COUNT, {}, key, users_column, (at, users))
            if self._peak is None or users > self._peak[0]:
                self._peak = (users, line, {columns["timestamp"]: row[columns["timestamp"]], **key})

    def _point(
        self,
        metric: str,
        stat: str,
        unit: str,
        labels: dict[str, str],
        key: dict[str, str],
        column: str,
        point: tuple[float, float],
        estimator: str | None = None,
    ) -> None:
        builder = self.series.setdefault(
            (metric, stat, tuple(sorted(labels.items()))),
            _SeriesBuilder(metric, stat, unit, labels, selectors.csv_cell(key, column), estimator),
        )
        builder.points.append(point)

    def peak_users(self) -> list[Measurement]:
        """``users max``: the highest User Count of the run, located by its row."""
        users_column = self.columns.get("users")
        if self._peak is None or users_column is None:
            return []
        users, line, key = self._peak
        collector = _Collector(self.path)
        collector.add("users", "max", users, COUNT, {}, selectors.csv_cell(key, users_column), line=line)
        return collector.measurements


def _timestamp(row: dict[str, str], column: str, path: Path, line: int) -> float:
    value = cell(row, column, path, line)
    if value is None:
        raise ArtifactError(Position(path, line), f"column {column!r}: expected Unix seconds, got {row[column]!r}")
    return value


# --------------------------------------------------------------------------- _failures.csv / _exceptions.csv


class LocustFailuresCsv:
    """``PREFIX_failures.csv``: failed requests by method, name and error text."""

    name: ClassVar[str] = "locust-failures-csv"
    version: ClassVar[str] = "1"
    summary: ClassVar[str] = "Locust --csv PREFIX_failures.csv: failure occurrences by method, name and error"
    priority: ClassVar[int] = 50

    def sniff(self, sample: Sample) -> bool:
        return {"Method", "Name", "Error", "Occurrences"} <= set(header_fields(sample.head))

    def read(self, path: Path) -> Extraction:
        table = _read_locust_csv(path)
        columns = resolve_columns(
            table.header, path, ("method", "name", "error", "occurrences"), ("first_seen", "last_seen")
        )
        collector = _Collector(path)
        repeats: dict[tuple[str, str, str], int] = {}
        total = 0
        for line, row in table.rows:
            method, name, error = row[columns["method"]], row[columns["name"]], row[columns["error"]]
            occurrences = count_cell(row, columns["occurrences"], path, line)
            total += occurrences
            # Locust strips memory addresses from error texts, so two of its keys can print alike;
            # a repeat keeps its own figure as "error #2".
            seen = repeats[(method, name, error)] = repeats.get((method, name, error), 0) + 1
            key = {columns["method"]: method, columns["name"]: name, columns["error"]: error}
            labels = {"method": method, "name": name, "error": error if seen == 1 else f"{error} #{seen}"}
            collector.add(
                "failures",
                "count",
                occurrences,
                COUNT,
                labels,
                selectors.csv_cell(key, columns["occurrences"]),
                line=line,
            )
        collector.add("failures", "count", total, COUNT, {}, selectors.stream_query("sum", columns["occurrences"], {}))
        return Extraction(
            adapter=self.name,
            adapter_version=self.version,
            measurements=collector.measurements,
            info=_seen_span(table, columns),
        )


def _seen_span(table: CsvTable, columns: Columns) -> dict[str, str]:
    """First and last failure time over all rows (``First Seen``/``Last Seen``, Locust ≥ 2.44, UTC ISO text)."""
    info: dict[str, str] = {}
    for field_, pick, label in (("first_seen", min, "first_failure"), ("last_seen", max, "last_failure")):
        column = columns.get(field_)
        values = [row[column] for _, row in table.rows if column and row[column]]
        if values:
            info[label] = pick(values)  # ISO 8601 UTC text sorts in time order
    return info


class LocustExceptionsCsv:
    """``PREFIX_exceptions.csv``: exceptions raised inside tasks (not request failures)."""

    name: ClassVar[str] = "locust-exceptions-csv"
    version: ClassVar[str] = "1"
    summary: ClassVar[str] = "Locust --csv PREFIX_exceptions.csv: task exceptions by message (not request failures)"
    priority: ClassVar[int] = 50

    def sniff(self, sample: Sample) -> bool:
        return {"Count", "Message", "Traceback", "Nodes"} <= set(header_fields(sample.head))

    def read(self, path: Path) -> Extraction:
        table = _read_locust_csv(path)
        columns = resolve_columns(table.header, path, ("count", "message", "traceback"), ("nodes",))
        collector = _Collector(path)
        unique = UniqueNames()
        total = 0
        for row_number, (line, row) in enumerate(table.rows, start=1):
            count = count_cell(row, columns["count"], path, line)
            total += count
            # One row per distinct traceback: one message raised at two places gives two rows.
            labels = {"message": unique(row[columns["message"]])}
            collector.add(
                "exceptions", "count", count, COUNT, labels, selectors.csv_cell(row_number, columns["count"]), line=line
            )
        collector.add("exceptions", "count", total, COUNT, {}, selectors.stream_query("sum", columns["count"], {}))
        return Extraction(adapter=self.name, adapter_version=self.version, measurements=collector.measurements)


# --------------------------------------------------------------------------- --json / --json-file

_JSON_START = re.compile(r"^\s*\[\s*(?:\{|\])")


class LocustJson:
    """``--json`` (stdout) or ``--json-file NAME`` (``NAME.json``): per-(method, name) totals with response-time buckets."""

    name: ClassVar[str] = "locust-json"
    version: ClassVar[str] = "1"
    summary: ClassVar[str] = (
        "Locust --json / --json-file: per-endpoint totals rebuilt from response-time buckets, plus Aggregated"
    )
    priority: ClassVar[int] = 50

    def sniff(self, sample: Sample) -> bool:
        head = sample.head
        return (
            _JSON_START.match(head) is not None
            and '"num_requests"' in head
            and '"response_times"' in head
            and '"num_none_requests"' in head
        )

    def read(self, path: Path) -> Extraction:
        document = load_json(path)
        if not isinstance(document, list):
            raise ArtifactError(
                Position(path, 1, 1), f"Locust JSON: expected an array of entries, got {type(document).__name__}"
            )
        entries = [read_entry(path, index, raw) for index, raw in enumerate(document)]
        total = aggregate(entries)
        window = _run_window(total)
        collector = _Collector(path)
        series: list[Series] = []
        warnings: list[ExtractWarning] = []
        for entry in [*entries, total]:
            _json_measurements(collector, entry, window)
            series.extend(_json_series(entry))
        for entry in entries:
            warnings.extend(_bucket_warnings(entry))
        info = {"entries": str(len(entries))}
        if total.start_time is not None:
            info["first_entry_start_time"] = repr(total.start_time)
        if total.last_request_timestamp is not None:
            info["last_request_timestamp"] = repr(total.last_request_timestamp)
        return Extraction(
            adapter=self.name,
            adapter_version=self.version,
            measurements=collector.measurements,
            series=series,
            warnings=warnings,
            info=info,
        )


def _run_window(total: Entry) -> float | None:
    """Seconds from the first entry's start to the last request: the denominator of every Requests/s.

    Locust divides each entry's count by the *run's* span (``stats.last_request_timestamp -
    stats.start_time``), not the entry's own. The run's start is not in the JSON; the earliest
    entry start is the closest recorded time (a few ms to a second later; see docs).
    """
    if total.start_time is None or total.last_request_timestamp is None:
        return None
    span = total.last_request_timestamp - total.start_time
    return span if span > 0 else None


def _filters(entry: Entry) -> dict[str, str]:
    return {"method": entry.labels["method"], "name": entry.labels["name"]} if entry.labels else {}


def _json_measurements(collector: _Collector, entry: Entry, window: float | None) -> None:
    labels, filters = entry.labels, _filters(entry)

    def field_selector(key: str) -> str:
        # An entry's own key is a pointer; the total is a sum over all entries.
        if entry.index is not None:
            return selectors.json_pointer(entry.index, key)
        return selectors.stream_query("sum", key, {})

    def query(stat: str, value: str, estimator: str | None = None) -> str:
        return selectors.stream_query(stat, value, filters, estimator)

    def add(
        metric: str, stat: str, value: float | None, unit: str, selector: str, estimator: str | None = None
    ) -> None:
        collector.add(metric, stat, value, unit, labels, selector, estimator)

    rate_of = "{} / (max(last_request_timestamp) - min(start_time))"
    add("requests", "count", entry.num_requests, COUNT, field_selector("num_requests"))
    add(
        "requests",
        "rate",
        _per_second(entry.num_requests, window),
        PER_SECOND,
        query("rate", rate_of.format("num_requests")),
    )
    add("failures", "count", entry.num_failures, COUNT, field_selector("num_failures"))
    add(
        "failures",
        "rate",
        _per_second(entry.num_failures, window),
        PER_SECOND,
        query("rate", rate_of.format("num_failures")),
    )
    add("failures", "ratio", entry.failure_ratio(), RATIO, query("ratio", "num_failures / num_requests"))
    timed = "total_response_time / (num_requests - num_none_requests)"
    add("response_time", "avg", entry.avg_response_time(), MS, query("avg", timed))
    if entry.timed_requests > 0:
        add("response_time", "min", entry.min_response_time, MS, _extreme_selector(entry, "min"))
        add("response_time", "max", entry.max_response_time, MS, _extreme_selector(entry, "max"))
    add(
        "response_time",
        "med",
        entry.median(),
        MS,
        query("med", "response_times clamped to [min, max]", LOCUST_BUCKETS),
        LOCUST_BUCKETS,
    )
    for share in PERCENTILES:
        stat = "p50" if share == 0.5 else percentile_name(share)
        add(
            "response_time",
            stat,
            entry.percentile(share),
            MS,
            query(stat, "response_times", LOCUST_BUCKETS),
            LOCUST_BUCKETS,
        )
    add("content_size", "avg", entry.avg_content_length(), BYTES, query("avg", "total_content_length / num_requests"))


def _extreme_selector(entry: Entry, which: str) -> str:
    key = f"{which}_response_time"
    if entry.index is not None:
        return selectors.json_pointer(entry.index, key)
    return selectors.stream_query(which, key, {})


def _per_second(count: int, window: float | None) -> float | None:
    return count / window if window is not None else None


def _json_series(entry: Entry) -> Iterator[Series]:
    """Requests and failures counted in each wall-clock second (Locust's ``num_reqs_per_sec``)."""
    for metric, key, counts in (
        ("requests", "num_reqs_per_sec", entry.requests_per_second),
        ("failures", "num_fail_per_sec", entry.failures_per_second),
    ):
        if not counts:
            continue
        selector = (
            selectors.json_pointer(entry.index, key)
            if entry.index is not None
            else selectors.stream_query("sum per second", key, {})
        )
        points = [(float(second), float(counts[second])) for second in sorted(counts)]
        yield Series(metric=metric, stat="rate", unit=PER_SECOND, labels=entry.labels, points=points, selector=selector)


def _bucket_warnings(entry: Entry) -> Iterator[ExtractWarning]:
    """Buckets that do not add up to the timed requests make every percentile of the entry doubtful."""
    held = sum(entry.buckets.values())
    if held != entry.timed_requests:
        what = f"{entry.labels['method']} {entry.labels['name']}" if entry.labels else "Aggregated"
        yield ExtractWarning(
            message=f"{what}: response_times hold {held} requests but num_requests - num_none_requests = {entry.timed_requests}; "
            "its median and percentiles use Locust's rule on the buckets as written"
        )
