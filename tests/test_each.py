"""One target for many endpoints: `each: LABEL` expands into one verdict per label value, each with its own evidence."""

from __future__ import annotations

from pathlib import Path

import pytest

from reportgen.analyse import analyse
from reportgen.cli import main
from reportgen.project import Project
from tests.support.project import two_scenarios_manifest, two_scenarios_project

#: The two-scenarios k6 stream: names nope (all 404), report, status.
METRICS = """\
  - {id: p95, title: p95, measured: {artifact: k6/stream.ndjson.gz, metric: http_req_duration, stat: p95}}
  - {id: failed, measured: {artifact: k6/stream.ndjson.gz, metric: http_req_failed, stat: rate}}
  - {id: p95_status, measured: {artifact: k6/stream.ndjson.gz, metric: http_req_duration, stat: p95, labels: {name: status}}}
  - {id: doubled, unit: ms, derived: "sum(p95, p95)"}"""


def _root(tmp_path: Path, targets: str, waivers: str = "") -> Path:
    manifest = two_scenarios_manifest(["k6/stream.ndjson.gz"], METRICS, targets, waivers)
    return two_scenarios_project(tmp_path, manifest, files=("stream.ndjson.gz",))


CASES = [
    # (rule, targets, waivers, expected verdict per key)
    (
        "each: name gives one verdict per endpoint, keyed by the label value",
        '  - {metric: p95, each: name, comparator: "<", threshold: 5.3 ms}',
        "",
        {"p95[name=nope]": "pass", "p95[name=report]": "fail", "p95[name=status]": "pass"},
    ),
    (
        "a measured guard expands with the same label value",
        '  - {metric: p95, each: name, comparator: "<", threshold: 10 ms,'
        ' guards: [{metric: failed, comparator: "<", threshold: 1 %}]}',
        "",
        {"p95[name=nope]": "invalid", "p95[name=report]": "pass", "p95[name=status]": "pass"},
    ),
    (
        "a waiver of the target applies to each expansion that does not pass",
        '  - {metric: p95, each: name, comparator: "<", threshold: 5.3 ms}',
        "waivers:\n  - {target: p95, reason: known, approver: QA lead}\n",
        {"p95[name=nope]": "pass", "p95[name=report]": "waived", "p95[name=status]": "pass"},
    ),
    (
        "targets without each are untouched",
        '  - {metric: p95_status, comparator: "<", threshold: 10 ms}',
        "",
        {"p95_status": "pass"},
    ),
]


@pytest.mark.parametrize(("rule", "targets", "waivers", "expected"), CASES, ids=[c[0] for c in CASES])
def test_each_expands_one_target_per_label_value(
    tmp_path: Path, rule: str, targets: str, waivers: str, expected: dict[str, str]
) -> None:
    """Every value of the label gets its own verdict, from its own measurement, with evidence naming that label."""
    result = analyse(Project(_root(tmp_path, targets, waivers)))[0]
    assert {t.key: t.verdict for t in result.targets} == expected, rule
    for t in result.targets:
        evidence = result.metric(t.target.metric).evidence
        assert evidence is not None
        if "[" in t.key:
            assert evidence.labels == {"name": t.key.split("=", 1)[1].rstrip("]")}, rule


ERROR_CASES = [
    (
        "each on a derived metric is refused",
        '  - {metric: doubled, each: name, comparator: "<", threshold: 10 ms}',
        "targets[0].each: each: needs a measured metric",
    ),
    (
        "each on a label the metric already selects is refused",
        '  - {metric: p95_status, each: name, comparator: "<", threshold: 10 ms}',
        "p95_status already selects name: status",
    ),
    (
        "each on a label the artifact does not have is refused",
        '  - {metric: p95, each: endpoint, comparator: "<", threshold: 10 ms}',
        "has no p95 of http_req_duration with labels {} plus endpoint",
    ),
]


@pytest.mark.parametrize(("rule", "targets", "message"), ERROR_CASES, ids=[c[0] for c in ERROR_CASES])
def test_each_mistakes_are_errors_at_their_position(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], rule: str, targets: str, message: str
) -> None:
    """A misused each: exits 2 with the manifest position and what to change."""
    root = _root(tmp_path, targets)
    assert main(["-C", str(root), "check"]) == 2
    err = capsys.readouterr().err
    line = (root / "results/v1.0.0/release.yaml").read_text().splitlines().index("targets:") + 2  # the target's
    assert f"release.yaml:{line}:" in err and message in err, f"{rule}: {err}"


def test_expanded_verdicts_are_listed_under_the_one_target_on_the_page(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """check and the page list every expansion; the release verdict counts each one."""
    root = _root(tmp_path, '  - {metric: p95, each: name, comparator: "<", threshold: 5.3 ms}')
    assert main(["-C", str(root), "check"]) == 1
    out = capsys.readouterr().out
    assert "2 pass, 1 fail" in out and "p95[name=report]" in out
    assert main(["-C", str(root), "build"]) == 0
    page = (root / "site_docs/releases/v1.0.0/index.md").read_text()
    assert "p95 (name: report)" in page and "p95 (name: status)" in page
