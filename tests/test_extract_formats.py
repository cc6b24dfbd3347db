"""`reportgen extract FILE --json` works on a real file of every format, with the format sniffed, not pinned."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reportgen.adapters import adapters, detect
from reportgen.cli import main

FIX = Path(__file__).resolve().parent / "fixtures"
REAL = FIX / "real"

#: One real artifact per adapter (gatling-stats-json has no real file with a usable licence yet; its
#: parsing rules are tested in tests/adapters/test_gatling.py).
FILES = {
    "k6-summary-export": REAL / "k6/v1.1.0-groups-thresholds/summary-export.json",
    "k6-handle-summary": REAL / "k6/v1.1.0-groups-thresholds/handle-summary.json",
    "k6-json-stream": REAL / "k6/v1.1.0-groups-thresholds/stream.ndjson.gz",
    "k6-csv-stream": REAL / "k6/v1.1.0-groups-thresholds/stream.csv.gz",
    "locust-stats-csv": REAL / "locust/v2.47.0-failures-exceptions/run_stats.csv",
    "locust-history-csv": REAL / "locust/v2.47.0-failures-exceptions/run_stats_history.csv",
    "locust-failures-csv": REAL / "locust/v2.47.0-failures-exceptions/run_failures.csv",
    "locust-exceptions-csv": REAL / "locust/v2.47.0-failures-exceptions/run_exceptions.csv",
    "locust-json": REAL / "locust/v2.47.0-failures-exceptions/run.json",
    "jmeter-csv": REAL / "jmeter/v2.13-csv-xml/results-header.csv",
    "jmeter-xml": REAL / "jmeter/v2.13-csv-xml/results.xml",
    "gatling-log": FIX / "gatling-public/v2.0-known-stats/simulation_with_known_stats.log",
    "junit-xml": REAL / "junit/pytest-9.2-xunit1-xunit2/junit-xunit2.xml",
    "pytest-benchmark": REAL / "pytest-benchmark/v5.3.1-basic/benchmark.json",
    "hyperfine-json": REAL / "hyperfine/v1.15.0-basic/hyperfine.json",
    "hyperfine-csv": REAL / "hyperfine/v1.15.0-basic/hyperfine.csv",
    "generic-csv": FIX / "generic/example.csv",
    "generic-json": FIX / "generic/example.json",
    "wrk-text": REAL / "wrk/v4.1.0-loopback/wrk-items-latency.txt",
}


def test_every_adapter_but_one_has_a_real_file_here() -> None:
    """The sweep below covers every registered adapter except gatling-stats-json (no licensed real file)."""
    assert set(adapters()) - set(FILES) == {"gatling-stats-json"}


@pytest.mark.parametrize("name", sorted(FILES))
def test_extract_json_on_a_real_file(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    """The file is sniffed as its format, and extract --json lists measurements with the documented fields."""
    path = FILES[name]
    assert detect(path).name == name
    assert main(["extract", str(path), "--json"]) == 0
    items = json.loads(capsys.readouterr().out)
    assert items, f"{name}: nothing extracted"
    for item in items:
        assert {"metric", "stat", "value", "unit", "labels", "selector"} <= item.keys()
        assert item["selector"].split(":", 1)[0] in {"json", "csv", "xml", "query", "text"}
