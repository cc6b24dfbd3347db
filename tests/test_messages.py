"""Messages point at the fix: a missing statistic names where it is, labels are pasted back as shown, descriptions show."""

from __future__ import annotations

from pathlib import Path

import pytest

from reportgen.cli import main
from reportgen.schemas.measurement import labels_yaml
from tests.support.project import two_scenarios_manifest, two_scenarios_project

#: The two-scenarios run's summary export has k6's default summaryTrendStats: no p99.
EXPORT = "{path: k6/summary-export.json, description: k6 --summary-export of the run}"
STREAM = "k6/stream.ndjson.gz"
TARGET = '  - {metric: m, comparator: "<", threshold: 500 ms}'


def _project(tmp_path: Path, artifacts: list[str], metric: str) -> Path:
    return two_scenarios_project(tmp_path, two_scenarios_manifest(artifacts, metric, TARGET))


STAT_CASES = [
    # (rule, artifacts declared, metric entry, text in the message, text never in it)
    (
        "a p99 the summary export lacks names the stream of the same release that has it",
        [EXPORT, STREAM],
        "  - {id: m, measured: {artifact: k6/summary-export.json, metric: http_req_duration, stat: p99}}",
        "k6/summary-export.json has no p99 of http_req_duration at all",
        "did you mean stat",
    ),
    (
        "the stream is named with the line to write",
        [EXPORT, STREAM],
        "  - {id: m, measured: {artifact: k6/summary-export.json, metric: http_req_duration, stat: p99}}",
        "k6/stream.ndjson.gz of this release has it: write artifact: k6/stream.ndjson.gz",
        "did you mean stat",
    ),
    (
        "without a stream, the message says how to make k6 write the p99",
        [EXPORT],
        "  - {id: m, measured: {artifact: k6/summary-export.json, metric: http_req_duration, stat: p99}}",
        "--summary-trend-stats 'avg,min,med,max,p(90),p(95),p(99)'",
        "did you mean stat",
    ),
    (
        "a rate asked of a stream names the summary export that has one",
        [EXPORT, STREAM],
        "  - {id: m, unit: /s, measured: {artifact: k6/stream.ndjson.gz, metric: http_reqs, stat: rate}}",
        "k6/summary-export.json of this release has it: write artifact: k6/summary-export.json",
        "did you mean stat",
    ),
]


@pytest.mark.parametrize(("rule", "artifacts", "metric", "said", "unsaid"), STAT_CASES, ids=[c[0] for c in STAT_CASES])
def test_a_missing_statistic_points_at_the_fix(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    rule: str,
    artifacts: list[str],
    metric: str,
    said: str,
    unsaid: str,
) -> None:
    """Asking a file for a statistic it lacks never suggests another statistic; it names where the asked one is."""
    root = _project(tmp_path, artifacts, metric)
    assert main(["-C", str(root), "check"]) == 2
    err = capsys.readouterr().err
    assert said in err, f"{rule}: {err}"
    assert unsaid not in err, rule


def test_scalar_label_values_are_read_as_their_text(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`labels: {status: 200}` selects the measurement labelled "200" instead of failing as "not a valid string"."""
    metric = "  - {id: m, unit: count, measured: {artifact: k6/stream.ndjson.gz, metric: http_reqs, stat: count, labels: {status: 200}}}"
    root = _project(tmp_path, [EXPORT, STREAM], metric)
    manifest = root / "results/v1.0.0/release.yaml"
    manifest.write_text(manifest.read_text().replace("threshold: 500 ms", "threshold: 10000 count"))
    assert main(["-C", str(root), "check"]) == 0, capsys.readouterr().err
    assert "7,210 [measured]" in capsys.readouterr().out


LABEL_CASES = [
    ("plain values stay plain", {"name": "checkout"}, "{name: checkout}"),
    ("an empty value is shown as two quotes", {"group": ""}, '{group: ""}'),
    (
        "brackets would break a flow mapping, so they are quoted",
        {"name": "/api/items/[id]"},
        '{name: "/api/items/[id]"}',
    ),
    ("a comma or colon is quoted", {"name": "a, b: c"}, '{name: "a, b: c"}'),
    ("a leading space is kept by quoting", {"name": " x"}, '{name: " x"}'),
]


@pytest.mark.parametrize(("rule", "labels", "shown"), LABEL_CASES, ids=[c[0] for c in LABEL_CASES])
def test_labels_are_shown_so_they_can_be_pasted_back(rule: str, labels: dict[str, str], shown: str) -> None:
    """Labels print as a YAML flow mapping that reads back as the same labels (empty values as `group: ""`)."""
    from ruamel.yaml import YAML

    assert labels_yaml(labels) == shown, rule
    assert YAML(typ="safe").load(shown) == labels, rule


def test_descriptions_of_metrics_and_artifacts_are_on_the_page(tmp_path: Path) -> None:
    """`description` of a metric and of an artifact appear on the release page."""
    metric = (
        "  - {id: m, description: p95 of every request of both scenarios,"
        " measured: {artifact: k6/summary-export.json, metric: http_req_duration, stat: p95}}"
    )
    root = _project(tmp_path, [EXPORT, STREAM], metric)
    assert main(["-C", str(root), "build"]) == 0
    page = (root / "site_docs/releases/v1.0.0/index.md").read_text()
    assert "p95 of every request of both scenarios" in page
    assert "k6 --summary-export of the run" in page
