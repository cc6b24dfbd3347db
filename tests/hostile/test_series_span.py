"""One damaged timestamp never makes a per-second series of billions of seconds (limits.MAX_SERIES_SECONDS).

A mutated JMeter timeStamp once made the zero-filled series grow past 19 GB. Each case here is a real
fixture with one timestamp moved far away, read by a real ``reportgen`` in a memory-capped subprocess
(tests/hostile/test_bounds.py), so a regression fails with a MemoryError instead of taking the machine.
"""

from __future__ import annotations

import gzip
import json
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from reportgen import limits
from reportgen.adapters._jmeter_stats import per_second
from reportgen.errors import ArtifactError
from tests.hostile.test_bounds import MANIFEST, MEMORY_CAP, ROOT, check, project, refused

JMETER = ROOT / "tests/fixtures/real/jmeter/v2.13-csv-xml"
K6_STREAM = ROOT / "tests/fixtures/real/k6/v1.1.0-groups-thresholds/stream.ndjson.gz"
LOCUST_JSON = ROOT / "tests/fixtures/real/locust/v2.47.0-failures-exceptions/run.json"
#: Where the damaged timestamps point: the year 2500, about 15 billion seconds after the runs.
FAR = 16725225600


def _damaged_jmeter_csv() -> bytes:
    lines = (JMETER / "results-header.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    stamp = lines[5].split(",", 1)
    lines[5] = f"{FAR * 1000},{stamp[1]}"  # line 6 of the file
    return "".join(lines).encode()


def _damaged_jmeter_xml() -> bytes:
    text = (JMETER / "results.xml").read_text(encoding="utf-8")
    first = text.index(' ts="') + len(' ts="')
    end = text.index('"', first)
    return (text[:first] + str(FAR * 1000) + text[end:]).encode()


def _cap_data() -> None:
    # The data limit, not the address space: the chart renderer (V8) reserves far more address space than it uses.
    resource.setrlimit(resource.RLIMIT_DATA, (MEMORY_CAP, MEMORY_CAP))


def _build(root: Path) -> subprocess.CompletedProcess[str]:
    """`reportgen build` in a subprocess whose heap is capped: a zero-fill regression is a MemoryError."""
    return subprocess.run(
        [sys.executable, "-m", "reportgen.cli", "-C", str(root), "build"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        preexec_fn=_cap_data,
    )


def test_a_jmeter_csv_with_a_far_timestamp_is_refused_at_its_row(tmp_path: Path) -> None:
    """A JMeter CSV (the DuckDB path, then the line reader) spanning centuries is refused naming row and limit."""
    root = project(tmp_path, MANIFEST.format(path="run.csv", format="jmeter-csv"), {"run.csv": _damaged_jmeter_csv()})
    refused(check(root), "run.csv:6: timeStamp 16725225600000", "MAX_SERIES_SECONDS")


def test_a_jmeter_xml_with_a_far_timestamp_is_refused_at_its_element(tmp_path: Path) -> None:
    """A JMeter XML file spanning centuries is refused naming the sample's line and the limit."""
    root = project(tmp_path, MANIFEST.format(path="run.xml", format="jmeter-xml"), {"run.xml": _damaged_jmeter_xml()})
    refused(check(root), "run.xml:", "timeStamp 16725225600000", "MAX_SERIES_SECONDS")


def test_the_jmeter_per_second_series_refuses_a_long_span_itself() -> None:
    """per_second itself refuses a span past the limit, naming the file (whatever reached it)."""
    with pytest.raises(ArtifactError, match=r"run\.jtl: its timestamps span 1,000,001 seconds"):
        per_second({0: 1, limits.MAX_SERIES_SECONDS: 1}, {}, Path("run.jtl"))
    assert len(per_second({0: 1, limits.MAX_SERIES_SECONDS - 1: 1}, {}, Path("run.jtl"))[0].points) == 1_000_000


STREAM_MANIFEST = """\
release: v1
title: Bounds
date: 2026-10-01
status: final
scenarios:
  - id: run
    title: Run
    tool: {tool}
    artifacts:
      - {{path: {path}, format: {format}}}
"""


def _damaged_k6_stream() -> bytes:
    lines = gzip.decompress(K6_STREAM.read_bytes()).decode().splitlines(keepends=True)
    at = next(i for i, line in enumerate(lines) if '"metric":"http_reqs","type":"Point"' in line)
    point = json.loads(lines[at])
    point["data"]["time"] = "2500-01-01T00:00:00Z"
    lines[at] = json.dumps(point) + "\n"
    return "".join(lines).encode()


def _damaged_locust_json() -> bytes:
    entries = json.loads(LOCUST_JSON.read_text(encoding="utf-8"))
    entries[0]["num_reqs_per_sec"][str(FAR)] = 1
    return json.dumps(entries).encode()


@pytest.mark.parametrize(
    ("tool", "path", "format", "content"),
    [
        ("k6", "k6/stream.ndjson", "k6-json-stream", _damaged_k6_stream),
        ("locust", "locust/run.json", "locust-json", _damaged_locust_json),
    ],
    ids=["k6-stream", "locust-json"],
)
def test_a_chart_over_centuries_is_left_out_saying_why(
    tmp_path: Path, tool: str, path: str, format: str, content: object
) -> None:
    """A per-second chart whose counts span past the limit is not drawn; the page says why; the build succeeds."""
    assert callable(content)
    manifest = STREAM_MANIFEST.format(tool=tool, path=path, format=format)
    root = project(tmp_path, manifest, {path: content()})
    result = _build(root)
    assert result.returncode == 0, result.stderr[-3000:]
    page = (root / "site/releases/v1/index.html").read_text(encoding="utf-8")
    assert f"Over the run: {path}: not drawn: its timestamps span" in page
    assert "MAX_SERIES_SECONDS" in page
    assert f"Measured, from {path}; time in seconds" not in page  # the caption of the chart over the run


def _claims_billions() -> bytes:
    entries = json.loads(LOCUST_JSON.read_text(encoding="utf-8"))
    for entry in entries:
        entry["response_times"] = {key: count * 10_000_000 for key, count in entry["response_times"].items()}
        entry["num_requests"] *= 10_000_000
        entry["num_failures"] *= 10_000_000
        entry["num_none_requests"] *= 10_000_000
    return json.dumps(entries).encode()


def test_a_locust_json_claiming_billions_of_requests_expands_to_bounded_samples(tmp_path: Path) -> None:
    """Locust JSON counts of billions are scaled down before expansion: the distribution chart is drawn in bounds."""
    manifest = STREAM_MANIFEST.format(tool="locust", path="locust/run.json", format="locust-json")
    root = project(tmp_path, manifest, {"locust/run.json": _claims_billions()})
    result = _build(root)
    assert result.returncode == 0, result.stderr[-3000:]
    page = (root / "site/releases/v1/index.html").read_text(encoding="utf-8")
    assert "Latency distribution per endpoint: locust/run.json" in page


def test_thinned_counts_keep_their_proportions() -> None:
    """Counts past the limit are scaled to sum to exactly the limit, largest remainders first; smaller ones stay."""
    from reportgen.samples import thinned

    assert thinned([3, 1], limit=10) == [3, 1]
    assert thinned([2_000_000_000, 1_000_000_000, 1], limit=30) == [20, 10, 0]
    assert thinned([1, 1, 1], limit=2) == [1, 1, 0]
    assert sum(thinned([10**30, 7, 10**29], limit=1000)) == 1000
