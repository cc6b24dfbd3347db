"""Metric resolution: derived arithmetic with units, and projections that stay projections."""

from __future__ import annotations

from pathlib import Path

import pytest

from reportgen.analyse import analyse
from reportgen.project import Project
from tests.support.project import BASE_MANIFEST, K6_STREAM, make_project, stream_project

EXTRA = """\
  - id: instances
    unit: count
    projected: {value: 48, method: capacity plan, basis: ops spreadsheet}
  - id: slow_seconds
    unit: s
    derived: sum(p95_slow, p95_slow)
  - id: fleet_failures
    unit: "%"
    derived: error_rate * instances
targets:
  - {metric: fleet_failures, comparator: "<", threshold: 1000 %}
"""


@pytest.fixture
def metrics(tmp_path: Path) -> dict[str, object]:
    manifest = BASE_MANIFEST.format(release="v1.0.0", date="2026-10-01").split("targets:")[0] + EXTRA
    result = analyse(Project(make_project(tmp_path, {"v1.0.0": manifest})))[0]
    return {m.id: m for m in result.metrics} | {"verdicts": {t.key: t.verdict for t in result.targets}}


def test_derived_inputs_enter_in_canonical_units(metrics: dict[str, object]) -> None:
    """p95 of 243.3 ms doubled, declared in seconds, is 0.4866 s: inputs are ms, the result is read as ms then shown in s."""
    slow = metrics["slow_seconds"]
    assert slow.unit == "s" and slow.provenance == "derived"  # type: ignore[attr-defined]
    assert slow.value == pytest.approx(2 * 243.3 / 1000, rel=1e-3)  # type: ignore[attr-defined]


def test_a_bare_projected_number_is_in_the_metric_unit(metrics: dict[str, object]) -> None:
    """`value: 48` under `unit: count` is 48 count, not a unitless number."""
    instances = metrics["instances"]
    assert (instances.value, instances.unit) == (48, "count")  # type: ignore[attr-defined]


def test_a_derived_metric_with_a_projected_input_is_projected_and_unverified(metrics: dict[str, object]) -> None:
    """Arithmetic over a projection stays a projection: badged projected, with its input's method, never a pass."""
    fleet = metrics["fleet_failures"]
    assert fleet.provenance == "projected"  # type: ignore[attr-defined]
    assert "instances (capacity plan; ops spreadsheet)" in fleet.note  # type: ignore[attr-defined]
    assert metrics["verdicts"] == {"fleet_failures": "unverified"}


def test_a_percentile_the_manifest_asks_of_a_stream_is_computed_by_k6s_rule(tmp_path: Path) -> None:
    """`stat: p97.5` on a k6 stream is computed from the raw samples with k6's rule (i = p(n-1), linear)."""
    import gzip
    import json

    from reportgen.estimators import k6_linear

    stream = K6_STREAM
    root = stream_project(
        tmp_path,
        "  - id: p975_slow\n"
        "    measured: {artifact: k6/stream.ndjson.gz, metric: http_req_duration, stat: p97.5, labels: {name: slow}}\n",
    )
    result = analyse(Project(root))[0]
    values = sorted(
        record["data"]["value"]
        for record in map(json.loads, gzip.decompress(stream.read_bytes()).decode().splitlines())
        if record["type"] == "Point"
        and record["metric"] == "http_req_duration"
        and record["data"]["tags"].get("name") == "slow"
    )
    assert result.metric("p975_slow").value == k6_linear(values, float("97.5") / 100)
