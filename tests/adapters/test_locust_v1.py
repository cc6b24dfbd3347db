"""Locust 1.x files (a real 1.6.0 run) read like 2.x ones: same measurements, Aggregated as the total."""

from __future__ import annotations

import csv
from pathlib import Path

from reportgen.adapters import detect, extract

RUN = Path(__file__).resolve().parents[1] / "fixtures/locust-runs/v1.6.0-basic"


def test_each_1x_file_is_sniffed_as_its_kind() -> None:
    """The four CSVs of Locust 1.6 are each recognised by header, as in 2.x."""
    kinds = {
        name: detect(RUN / f"run_{name}.csv").name for name in ("stats", "stats_history", "failures", "exceptions")
    }
    assert kinds == {
        "stats": "locust-stats-csv",
        "stats_history": "locust-history-csv",
        "failures": "locust-failures-csv",
        "exceptions": "locust-exceptions-csv",
    }


def test_1x_stats_equal_the_csv_cells_and_aggregated_is_the_total() -> None:
    """Counts and percentiles equal Locust 1.6's own cells; the Aggregated row is labels {}, not an endpoint."""
    with (RUN / "run_stats.csv").open(newline="") as stream:
        rows = {row["Name"]: row for row in csv.DictReader(stream)}
    got = {
        (m.metric, m.stat, tuple(sorted(m.labels.items()))): m.value
        for m in extract(RUN / "run_stats.csv").measurements
    }
    total = rows["Aggregated"]
    assert got[("requests", "count", ())] == float(total["Request Count"])
    assert got[("failures", "count", ())] == float(total["Failure Count"])
    assert got[("response_time", "p95", ())] == float(total["95%"])
    flaky = (("method", "GET"), ("name", "flaky"))
    assert got[("response_time", "avg", flaky)] == float(rows["flaky"]["Average Response Time"])
    assert not any(dict(labels).get("name") == "Aggregated" for _, _, labels in got)


def test_1x_failures_keep_their_error_text() -> None:
    """1.x writes the error without the HTTPError(...) repr of 2.x; the text is kept as the label."""
    failures = extract(RUN / "run_failures.csv").measurements
    errors = {m.labels.get("error"): m.value for m in failures if m.labels}
    assert errors["404 Client Error: Not Found for url: /api/items/[id]"] == 67
