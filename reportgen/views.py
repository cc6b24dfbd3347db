"""Which measurements make the per-endpoint table of each artifact format.

A view names the labels that identify a row and the (metric, stat) of each column.
Rows are every label combination present with exactly those keys, plus the total
(labels ``{}``) first. Formats without a view get no table (their figures still
appear wherever a manifest metric uses them).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    title: str
    metric: str
    stat: str


@dataclass(frozen=True)
class View:
    row_labels: tuple[str, ...]
    total_name: str
    columns: tuple[Column, ...]


_K6 = View(
    ("name",),
    "all requests",
    (
        Column("Requests", "http_reqs", "count"),
        Column("Failed %", "http_req_failed", "rate"),
        Column("Avg", "http_req_duration", "avg"),
        Column("Median", "http_req_duration", "med"),
        Column("p95", "http_req_duration", "p95"),
        Column("p99", "http_req_duration", "p99"),
        Column("Max", "http_req_duration", "max"),
    ),
)
_LOCUST = View(
    ("method", "name"),
    "Aggregated",
    (
        Column("Requests", "requests", "count"),
        Column("Failed %", "failures", "ratio"),
        Column("Avg", "response_time", "avg"),
        Column("Median", "response_time", "med"),
        Column("p95", "response_time", "p95"),
        Column("p99", "response_time", "p99"),
        Column("Max", "response_time", "max"),
        Column("req/s", "requests", "rate"),
    ),
)
_JMETER = View(
    ("label",),
    "Total",
    (
        Column("Samples", "requests", "count"),
        Column("Errors %", "errors", "ratio"),
        Column("Avg", "response_time", "avg"),
        Column("Median", "response_time", "med"),
        Column("p90", "response_time", "p90"),
        Column("p95", "response_time", "p95"),
        Column("p99", "response_time", "p99"),
        Column("req/s", "requests", "rate"),
    ),
)
_GATLING = View(
    ("name",),
    "All requests",
    (
        Column("Requests", "requests", "count"),
        Column("KO %", "errors", "ratio"),
        Column("Mean", "response_time", "avg"),
        Column("p50", "response_time", "p50"),
        Column("p95", "response_time", "p95"),
        Column("p99", "response_time", "p99"),
        Column("Max", "response_time", "max"),
    ),
)
_JUNIT = View(
    ("suite",),
    "All suites",
    (
        Column("Tests", "tests", "count"),
        Column("Passed", "passed", "count"),
        Column("Failed", "failed", "count"),
        Column("Errors", "errors", "count"),
        Column("Skipped", "skipped", "count"),
        Column("XFailed", "xfailed", "count"),
        Column("Pass rate", "passed", "ratio"),
    ),
)
_BENCH = (
    Column("Min", "time", "min"),
    Column("Median", "time", "med"),
    Column("Mean", "time", "avg"),
    Column("Max", "time", "max"),
    Column("Stddev", "time", "stddev"),
)

VIEWS: dict[str, View] = {
    "k6-json-stream": _K6,
    "k6-csv-stream": _K6,
    "k6-summary-export": _K6,
    "k6-handle-summary": _K6,
    "locust-stats-csv": _LOCUST,
    "locust-json": _LOCUST,
    "jmeter-csv": _JMETER,
    "jmeter-xml": _JMETER,
    "gatling-log": _GATLING,
    "gatling-stats-json": _GATLING,
    "junit-xml": _JUNIT,
    "pytest-benchmark": View(("benchmark",), "", (*_BENCH, Column("Rounds", "time", "count"))),
    "hyperfine-json": View(("command",), "", _BENCH),
    "hyperfine-csv": View(("command",), "", _BENCH),
}
