"""Every kind of mistake in release.yaml gets one clear message with file:line:col and field path, and exit 2."""

from __future__ import annotations

from pathlib import Path

import pytest

from reportgen.cli import main
from tests.support.project import BASE_MANIFEST, make_project

GOOD = BASE_MANIFEST.format(release="v1.0.0", date="2026-10-01")


def check(tmp_path: Path, manifest: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    root = make_project(tmp_path, {"v1.0.0": manifest})
    code = main(["-C", str(root), "check"])
    return code, capsys.readouterr().err


def manifest_path(tmp_path: Path) -> str:
    return str(tmp_path / "repo/results/v1.0.0/release.yaml")


CASES = [
    (
        "a threshold that is not a number with a unit",
        GOOD.replace("threshold: 300 ms", "threshold: fast"),
        ':22:16: targets[0].threshold: expected a number with a unit, got "fast"',
    ),
    (
        "a threshold with an unknown unit",
        GOOD.replace("threshold: 300 ms", "threshold: 300 parsecs"),
        ':22:16: targets[0].threshold: unknown unit "parsecs" in "300 parsecs"',
    ),
    (
        "a misspelt field",
        GOOD.replace('    comparator: "<="', '    comparatr: "<="'),
        ":21:5: targets[0].comparatr: unknown field",
    ),
    (
        "a missing required field",
        GOOD.replace("title: Demo v1.0.0\n", ""),
        ":1:1: title: missing required field 'title'",
    ),
    (
        "a comparator that is not one of the five",
        GOOD.replace('comparator: "<="', "comparator: below"),
        ":21:17: targets[0].comparator: input should be '<', '<=', '>', '>=' or '==', got 'below'",
    ),
    (
        "a date that is not a date",
        GOOD.replace("date: 2026-10-01", "date: last tuesday"),
        ":3:7: date: input should be a valid date",
    ),
    (
        "a metric with two sources",
        GOOD.replace(
            "    title: Failed requests\n",
            "    title: Failed requests\n    projected: {value: 1, unit: '%', method: m, basis: b}\n",
        ),
        ":16:5: metrics[1]: a metric needs exactly one of measured, derived, projected, missing (got measured, projected)",
    ),
    (
        "a projection without its method and basis",
        GOOD.replace("targets:", "  - id: cap\n    projected: {value: 2000, unit: req/s}\ntargets:"),
        ":20:16: metrics[2].projected.method: missing required field 'method'",
    ),
    (
        "invalid YAML syntax",
        GOOD.replace("labels: {name: slow}}", "labels: {name: slow}"),
        ":16:3: invalid YAML: expected ',' or '}'",
    ),
    (
        "a duplicate key",
        GOOD.replace("status: final\n", "status: final\nstatus: draft\n"),
        ':5:1: invalid YAML: found duplicate key "status"',
    ),
    (
        "a target on an unknown metric",
        GOOD.replace("  - metric: p95_slow\n    comparator", "  - metric: p99_slow\n    comparator"),
        ":20:13: targets[0].metric: unknown metric 'p99_slow'; defined: p95_slow, error_rate",
    ),
    (
        "a threshold in a unit of another dimension (ms metric, req/s threshold)",
        GOOD.replace("threshold: 300 ms", "threshold: 300 req/s"),
        ":22:16: targets[0].threshold: cannot compare ms (time) with req/s (rate)",
    ),
    (
        "a measurement the artifact does not have",
        GOOD.replace("stat: p95, labels: {name: slow}", "stat: p97, labels: {name: slow}"),
        ":15:15: metrics[0].measured: k6/summary-export.json has no measurement metric='http_req_duration' stat='p97'",
    ),
    (
        "an artifact that is not declared",
        GOOD.replace(
            "measured: {artifact: k6/summary-export.json, metric: http_req_failed",
            "measured: {artifact: k6/other.json, metric: http_req_failed",
        ),
        ":18:26: metrics[1].measured.artifact: 'k6/other.json' is not declared",
    ),
    (
        "a declared artifact that does not exist in a final release",
        GOOD.replace(
            "      - path: k6/summary-export.json\n        format: k6-summary-export",
            "      - path: k6/summary-export.json\n        format: k6-summary-export\n      - k6/missing.json",
        ),
        ":12:9: artifact 'k6/missing.json' does not exist",
    ),
    (
        "a derived metric that calls a function",
        GOOD.replace("targets:", "  - id: evil\n    unit: ms\n    derived: __import__('os').getcwd()\ntargets:"),
        ":21:14: metrics[2].derived: \"__import__('os').getcwd()\": \"__import__('os').getcwd()\" is not allowed",
    ),
    (
        "a derived metric over an unknown name",
        GOOD.replace("targets:", "  - id: total\n    unit: ms\n    derived: p95_slow + p95_fast\ntargets:"),
        ":21:14: metrics[2].derived: unknown metric(s) p95_fast",
    ),
    (
        "derived metrics that depend on each other",
        GOOD.replace(
            "targets:",
            "  - id: a\n    unit: ms\n    derived: b + 1\n  - id: b\n    unit: ms\n    derived: a + 1\ntargets:",
        ),
        "derived metrics form a cycle",
    ),
    (
        "a derived metric that adds a latency to a share",
        GOOD.replace("targets:", "  - id: mixed\n    unit: ms\n    derived: p95_slow + error_rate\ntargets:"),
        ":21:14: metrics[2].derived: 'p95_slow + error_rate': cannot add a time and a plain number (a count or a ratio)",
    ),
    (
        "a derived metric whose result does not fit its unit",
        GOOD.replace("targets:", "  - id: doubled\n    unit: req/s\n    derived: p95_slow + p95_slow\ntargets:"),
        ":21:14: metrics[2].derived: the expression gives a time quantity, but unit 'req/s' is a rate unit",
    ),
    (
        "a waiver for a target that does not exist",
        GOOD + "waivers:\n  - {target: p99, reason: known, approver: QA}\n",
        ":24:14: waivers[0].target: unknown target 'p99'",
    ),
    (
        "a placeholder left from a hand-filled template",
        GOOD.replace("title: Demo v1.0.0", "title: Demo [ACTUAL] results"),
        ":2:13: placeholder '[ACTUAL]' left in the manifest",
    ),
    (
        "mojibake: UTF-8 read as Windows-1252",
        GOOD.replace("title: Demo v1.0.0", "title: Demo \u00e2\u0153\u2026 ready"),
        ":2:13: 'âœ…' is mojibake (UTF-8 read as Windows-1252); did you mean '✅'?",
    ),
    (
        "a metric id used twice",
        GOOD.replace("  - id: error_rate", "  - id: p95_slow"),
        ":16:5: metrics[1]: metric id 'p95_slow' is already used by metrics[0]",
    ),
    (
        "a baseline that is not a release",
        GOOD.replace("status: final", "status: final\nbaseline: v0.9.0"),
        ":5:11: baseline: 'v0.9.0' is not a release in results/",
    ),
    (
        "a tab used for indentation",
        GOOD.replace("    title: Browse the catalogue", "\ttitle: Browse the catalogue"),
        "invalid YAML: found character '\\t' that cannot start any token; YAML indents with spaces, never tabs",
    ),
    (
        "labels that do not match, with the closest suggested",
        GOOD.replace("labels: {name: slow}", "labels: {name: slwo}"),
        "labels={name: slwo}; did you mean labels {name: slow}?",
    ),
    (
        "a release id that does not match its folder",
        GOOD.replace("release: v1.0.0", "release: v9.9.9"),
        ":1:10: release: 'v9.9.9' does not match its folder name 'v1.0.0'",
    ),
]


@pytest.mark.parametrize(("mistake", "manifest", "expected"), CASES, ids=[c[0] for c in CASES])
def test_manifest_mistake_is_reported_with_position(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], mistake: str, manifest: str, expected: str
) -> None:
    """A manifest mistake exits 2 with one message naming file, line, column and field, and no traceback."""
    code, err = check(tmp_path, manifest, capsys)
    assert code == 2, err
    assert "Traceback" not in err
    assert err.startswith(f"error: {manifest_path(tmp_path)}"), err
    assert expected in err, err


def test_a_manifest_in_utf16_without_bom_is_refused_clearly(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """UTF-16 without a byte order mark (NUL bytes) is an input error with exit 2, not a YAML traceback."""
    root = make_project(tmp_path, {"v1.0.0": GOOD})
    (root / "results/v1.0.0/release.yaml").write_bytes(GOOD.encode("utf-16-le"))
    assert main(["-C", str(root), "check"]) == 2
    assert "contains NUL bytes: UTF-16 without a byte order mark? Re-save as UTF-8" in capsys.readouterr().err


def test_the_good_manifest_is_accepted(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The base manifest the mistakes are made from is itself valid (so each case tests only its mistake)."""
    code, err = check(tmp_path, GOOD, capsys)
    assert code == 0, err


def test_several_mistakes_are_reported_together(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Schema mistakes are collected in one pass, sorted by line, so a user fixes them all at once."""
    broken = GOOD.replace("status: final", "status: finished").replace("threshold: 300 ms", "threshold: fast")
    code, err = check(tmp_path, broken, capsys)
    assert code == 2
    lines = [line for line in err.splitlines() if line.startswith("error:")]
    assert [line.split(":")[2] for line in lines] == ["4", "22"], err
    assert "2 errors; nothing was written." in err


def test_a_display_unit_of_another_dimension_says_what_the_file_gives(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A metric's unit that cannot hold the measured value names both dimensions and what to do."""
    manifest = GOOD.replace("    title: p95 of /slow\n", "    title: p95 of /slow\n    unit: req/s\n")
    code, err = check(tmp_path, manifest, capsys)
    assert code == 2
    assert "metrics[0].unit: 'req/s' is a rate unit, but k6/summary-export.json gives this value in ms (time)" in err


def test_an_unknown_unit_suggests_the_closest(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A misspelt unit (`300 milisecs`) is refused with the closest known unit suggested."""
    code, err = check(tmp_path, GOOD.replace("threshold: 300 ms", "threshold: 300 milisecond"), capsys)
    assert code == 2 and 'unknown unit "milisecond" in "300 milisecond"; did you mean "milliseconds"?' in err
