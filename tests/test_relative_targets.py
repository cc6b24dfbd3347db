"""Targets relative to the baseline, and marginal targets, on the example's real k6 runs: v1.2.0's checkout
regression fails "no worse within noise", a run against itself passes, summaries stay unverified, and an
interval that straddles its bound is marked marginal while the verdict stays the rule's."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from reportgen.analyse import analyse
from reportgen.errors import ReportgenError
from reportgen.project import Project
from reportgen.scaffold import init
from reportgen.schemas.report import ReleaseResult, TargetResult

ROOT = Path(__file__).resolve().parent.parent

#: Appended to the example's v1.2.0 targets (and to its copies below).
RELATIVE = """\
  - {id: checkout_within_noise, metric: checkout_p95, relative: no worse within noise, severity: should}
  - {id: search_20_below, metric: search_p95, relative: "<= -20 %", severity: should}
  - {id: search_not_above, metric: search_p95, relative: "<= +0 %", severity: should}
  - {id: search_5ms_above, metric: search_p95, relative: "<= +5 ms", severity: should}
  - {id: rps_no_worse, metric: browse_rps, relative: no worse within noise, severity: should}
  - {id: checkout_300, metric: checkout_p95, comparator: "<", threshold: 300 ms, severity: should}
  - {id: checkout_400, metric: checkout_p95, comparator: "<", threshold: 400 ms, severity: should}
"""


def _release(root: Path, release: str, source: str, baseline: str | None, extra: str = RELATIVE) -> None:
    """``release`` in ``root`` with the example's ``source`` artifacts, its manifest naming ``baseline``."""
    folder = root / "results" / release
    shutil.copytree(ROOT / "results" / source, folder, ignore=shutil.ignore_patterns("signoffs.yaml"))
    text = (folder / "release.yaml").read_text(encoding="utf-8")
    text = text.replace(f"release: {source}", f"release: {release}", 1)
    text = text.replace("baseline: v1.1.0", f"baseline: {baseline}" if baseline else "", 1)
    text = text.replace("\nacknowledge:", extra + "\nacknowledge:", 1)
    (folder / "release.yaml").write_text(text, encoding="utf-8")


def _examples(root: Path) -> None:
    """The example's v1.0.0 and v1.1.0, unchanged (v1.1.0's baseline is v1.0.0)."""
    for release in ("v1.0.0", "v1.1.0"):
        shutil.copytree(ROOT / "results" / release, root / "results" / release)


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """v1.1.0 as in the example; v1.2.0 with relative targets against it; v1.2.1 the same files as v1.2.0
    with v1.2.0 as baseline; v1.3.0 the same files with no baseline."""
    root = tmp_path_factory.mktemp("relative") / "repo"
    init(root)
    _examples(root)
    _release(root, "v1.2.0", "v1.2.0", "v1.1.0")
    _release(root, "v1.2.1", "v1.2.0", "v1.2.0")
    _release(root, "v1.3.0", "v1.2.0", None)
    return root


@pytest.fixture(scope="module")
def results(root: Path) -> dict[str, ReleaseResult]:
    return {r.id: r for r in analyse(Project(root))}


def _target(results: dict[str, ReleaseResult], release: str, key: str) -> TargetResult:
    return next(t for t in results[release].targets if t.key == key)


def test_the_checkout_regression_fails_no_worse_within_noise(results: dict[str, ReleaseResult]) -> None:
    """v1.2.0's checkout p95 (309 ms against v1.1.0's 107 ms, interval of the change excluding 0) fails."""
    t = _target(results, "v1.2.0", "checkout_within_noise")
    assert t.verdict == "fail" and "regressed beyond noise" in t.reason and "v1.1.0's 107.2 ms" in t.reason
    assert t.relative is not None and t.relative.comparison is not None
    assert t.relative.comparison.change == "regressed" and (t.relative.comparison.low or 0) > 150
    assert t.rule == "no worse than v1.1.0 within noise" and t.threshold is None and not t.marginal


def test_the_same_run_against_itself_passes(results: dict[str, ReleaseResult]) -> None:
    """v1.2.1 holds v1.2.0's very files: no significant change, so "no worse within noise" passes."""
    t = _target(results, "v1.2.1", "checkout_within_noise")
    assert t.verdict == "pass", t.reason
    row = t.relative.comparison if t.relative else None
    assert row is not None and row.change == "no significant change" and (row.low or 0) <= 0 <= (row.high or 0)


def test_summary_only_within_noise_is_unverified(results: dict[str, ReleaseResult]) -> None:
    """A throughput from k6's summary export has no samples: "within noise" is unverified, never a pass."""
    t = _target(results, "v1.2.0", "rps_no_worse")
    assert t.verdict == "unverified"
    assert "not tested for noise" in t.reason and "summary-export.json holds a summary" in t.reason


def test_a_change_rule_is_judged_on_the_point_estimate_against_the_moved_bound(
    results: dict[str, ReleaseResult],
) -> None:
    """ "<= -20 %" holds v1.2.0's search p95 to 80 % of v1.1.0's; 36.0 ms against 36.8 ms is not 20 % below."""
    t = _target(results, "v1.2.0", "search_20_below")
    assert t.relative is not None and t.relative.comparison is not None and t.threshold is not None
    baseline = t.relative.comparison.baseline
    assert baseline is not None and t.threshold.value == pytest.approx(baseline * 0.8)
    assert t.verdict == "fail" and not t.marginal
    assert t.rule.startswith("at least 20 % below v1.1.0's (<= 29.")
    assert _target(results, "v1.2.0", "search_5ms_above").verdict == "pass"


def test_an_interval_straddling_a_relative_bound_is_marginal(results: dict[str, ReleaseResult]) -> None:
    """ "<= +0 %": the change (-0.8 ms) passes on its point estimate, but its interval (-2.2 to +1.0 ms) holds 0."""
    t = _target(results, "v1.2.0", "search_not_above")
    row = t.relative.comparison if t.relative else None
    assert row is not None and row.low is not None and row.high is not None and row.low < 0 < row.high
    assert t.verdict == "pass" and t.marginal


def test_an_interval_straddling_an_absolute_threshold_is_marginal(results: dict[str, ReleaseResult]) -> None:
    """Checkout p95 309 ms with its own interval about 294 to 319 ms: FAIL against < 300 ms, and marginal;
    against < 400 ms and < 200 ms the verdicts are clear."""
    t = _target(results, "v1.2.0", "checkout_300")
    assert t.low is not None and t.high is not None and t.low < 300 < t.high
    assert t.verdict == "fail" and t.marginal
    assert not _target(results, "v1.2.0", "checkout_400").marginal
    assert not _target(results, "v1.2.0", "checkout_p95").marginal


def test_no_baseline_is_unverified_with_the_reason(results: dict[str, ReleaseResult]) -> None:
    """A relative target in a release without baseline: is unverified, saying there is nothing to compare with."""
    t = _target(results, "v1.3.0", "checkout_within_noise")
    assert t.verdict == "unverified" and t.reason.startswith("no baseline:")


def _one_release_project(tmp_path: Path, v110_edit: tuple[str, str], target: str) -> Project:
    root = tmp_path / "repo"
    init(root)
    _examples(root)
    manifest = root / "results/v1.1.0/release.yaml"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace(*v110_edit), encoding="utf-8")
    _release(root, "v1.2.0", "v1.2.0", "v1.1.0", target)
    return Project(root)


SEARCH = "    measured: {artifact: k6/stream.ndjson.gz, metric: http_req_duration, stat: p95, labels: {name: search}}\n"


@pytest.mark.parametrize(
    ("rule", "edit", "reason"),
    [
        (
            "the baseline lacks the metric",
            ("search_p95", "search_p95_old"),
            "the baseline v1.1.0 has no metric search_p95",
        ),
        (
            "the baseline's value is projected",
            (SEARCH, "    projected: {value: 30 ms, method: guess, basis: none}\n"),
            "is projected, not measured",
        ),
    ],
    ids=["baseline lacks the metric", "baseline projected"],
)
def test_a_baseline_without_a_measured_value_never_passes(
    tmp_path: Path, rule: str, edit: tuple[str, str], reason: str
) -> None:
    """The baseline has no such metric, or only a projection of it: unverified with the reason, never a pass."""
    target = '  - {id: rel, metric: search_p95, relative: "<= +50 %"}\n'
    results = {r.id: r for r in analyse(_one_release_project(tmp_path, edit, target), ["v1.2.0"])}
    t = _target(results, "v1.2.0", "rel")
    assert t.verdict == "unverified" and reason in t.reason, t.reason


def test_a_projected_current_value_never_passes(tmp_path: Path) -> None:
    """A relative target on a projected metric is unverified even when the projection would meet the rule."""
    root = tmp_path / "repo"
    init(root)
    _examples(root)
    _release(root, "v1.2.0", "v1.2.0", "v1.1.0", "  - {id: rel, metric: guess, relative: no worse within noise}\n")
    manifest = root / "results/v1.2.0/release.yaml"
    text = manifest.read_text(encoding="utf-8").replace(
        "\ntargets:\n",
        "\n  - {id: guess, unit: ms, projected: {value: 1 ms, method: guess, basis: none}}\ntargets:\n",
        1,
    )
    manifest.write_text(text, encoding="utf-8")
    t = _target({r.id: r for r in analyse(Project(root), ["v1.2.0"])}, "v1.2.0", "rel")
    assert t.verdict == "unverified" and "a projection is never a pass" in t.reason


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ('{id: bad, metric: search_p95, relative: "<= 20 %"}', "write the change with its sign"),
        ("{id: bad, metric: search_p95, relative: no better}", 'expected "no worse within noise"'),
        ('{id: bad, metric: search_p95, relative: "<= +5 ms", comparator: "<", threshold: 1 ms}', "not both"),
        ("{id: bad, metric: search_p95}", "comparator and threshold missing"),
        ('{id: bad, metric: search_p95, relative: "<= +5 req/s"}', "relative: cannot compare ms (time) with req/s"),
    ],
    ids=["unsigned", "unknown words", "both rules", "no rule", "wrong dimension"],
)
def test_a_bad_relative_rule_is_an_error_at_its_position(tmp_path: Path, target: str, message: str) -> None:
    """A relative rule that cannot be read names release.yaml, its line and column, and how to write it."""
    project = _one_release_project(tmp_path, ("", ""), f"  - {target}\n")
    with pytest.raises(ReportgenError) as caught:
        analyse(project, ["v1.2.0"])
    text = str(caught.value)
    assert message in text and "results/v1.2.0/release.yaml:" in text.replace("\\", "/"), text


def test_claims_json_carries_relative_and_marginal(root: Path, results: dict[str, ReleaseResult]) -> None:
    """claims.json keeps, per target figure, the value's interval, the marginal mark and the baseline side."""
    from reportgen.assemble import release_page
    from reportgen.claims import claims_document
    from reportgen.figures import anchor
    from reportgen.samples import SampleSource

    result = results["v1.2.0"]
    page = release_page(result, results["v1.1.0"], SampleSource(Project(root).release_dir))
    document = json.loads(claims_document(result, page).model_dump_json())
    by_id = {c["id"]: c for c in document["claims"]}
    relative = by_id[anchor("target", "checkout_within_noise")]
    assert relative["verdict"] == "fail" and relative["relative"]["noise"] == "regressed"
    assert relative["relative"]["baseline"] == "v1.1.0" and relative["relative"]["baseline_value"] > 100
    marginal = by_id[anchor("target", "checkout_300")]
    assert marginal["marginal"] is True and len(marginal["interval"]) == 2
    assert "marginal" not in by_id[anchor("target", "checkout_400")]
    row = next(t for t in page.targets if t.key == "checkout_within_noise")
    assert row.relative is not None and row.relative.baseline is not None and row.relative.noise == "regressed"


def test_check_prints_the_rule_and_marks_marginal(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`check` shows a relative target's rule (not a threshold it lacks) and "FAIL, marginal"; `check --json`
    carries the rule, the baseline side, the value's interval and the marginal mark."""
    from reportgen.cli import main

    assert main(["-C", str(root), "check", "v1.2.0"]) == 1
    table = capsys.readouterr().out
    line = next(row for row in table.splitlines() if row.startswith("search_20_below "))
    assert "at least 20 % below v1.1.0's (<= 29." in line and "None" not in line
    assert "FAIL, marginal" in next(row for row in table.splitlines() if row.startswith("checkout_300 "))
    assert main(["-C", str(root), "check", "v1.2.0", "--json"]) == 1
    targets = {t["id"]: t for t in json.loads(capsys.readouterr().out)[0]["targets"]}
    assert targets["checkout_300"]["marginal"] is True and targets["checkout_300"]["low"] < 300
    relative = targets["checkout_within_noise"]
    assert relative["comparator"] is None and relative["rule"] == "no worse than v1.1.0 within noise"
    assert relative["relative"]["comparison"]["change"] == "regressed"
