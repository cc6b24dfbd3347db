"""Verdict rules (DESIGN: a projection never passes; a tripped guard invalidates; a waiver is never a pass)."""

from __future__ import annotations

import datetime as dt

import pytest

from reportgen.evaluate import counts_text, evaluate_target, release_verdict, unit_slip, verdict_label
from reportgen.schemas.manifest import Guard, Projection, Quantity, Target, Waiver
from reportgen.schemas.report import Evidence, ResolvedMetric, TargetResult

EVIDENCE = Evidence(
    path="k6/s.json",
    sha256="0" * 64,
    selector="json:/x",
    adapter="k6",
    adapter_version="1",
    metric="http_req_duration",
    stat="p95",
    labels={},
    unit="ms",
    raw_value=150.0,
)


def metric(value: float | None, provenance: str = "measured", unit: str = "ms", id: str = "latency") -> ResolvedMetric:
    extra: dict[str, object] = {}
    if provenance == "measured":
        extra["evidence"] = EVIDENCE
    if provenance == "projected":
        extra["projection"] = Projection(value=value or 0, unit=unit, method="architecture review", basis="slides")
    return ResolvedMetric(id=id, title=id, unit=unit, value=value, provenance=provenance, **extra)  # type: ignore[arg-type]


def target(comparator: str = "<=", threshold: str = "200 ms", guards: list[Guard] | None = None) -> Target:
    return Target.model_validate(
        {"metric": "latency", "comparator": comparator, "threshold": threshold, "guards": guards or []}
    )


ERRORS_GUARD = Guard(metric="errors", comparator="<", threshold=Quantity(value=1, unit="%"))

CASES = [
    # (rule, latency metric, errors metric, target, waived, expected verdict)
    (
        "a measured value within the threshold passes",
        metric(150),
        metric(0.001, unit="ratio", id="errors"),
        target(),
        False,
        "pass",
    ),
    (
        "a measured value beyond the threshold fails",
        metric(250),
        metric(0.001, unit="ratio", id="errors"),
        target(),
        False,
        "fail",
    ),
    ("the threshold's unit is converted: 150 ms <= 0.2 s", metric(150), None, target(threshold="0.2 s"), False, "pass"),
    ("the comparison is exact at the boundary for <=", metric(200), None, target(), False, "pass"),
    ("the comparison is strict for <", metric(200), None, target("<"), False, "fail"),
    (
        "a projected value is unverified even when it meets the target",
        metric(100, "projected"),
        None,
        target(),
        False,
        "unverified",
    ),
    ("a metric with no value is missing", metric(None, "missing"), None, target(), False, "missing"),
    (
        "an 88 % error rate invalidates a latency target that would pass",
        metric(2),
        metric(0.8854, unit="ratio", id="errors"),
        target(guards=[ERRORS_GUARD]),
        False,
        "invalid",
    ),
    (
        "a guard on a projected metric cannot be checked, so the target is invalid",
        metric(150),
        metric(0.001, "projected", unit="ratio", id="errors"),
        target(guards=[ERRORS_GUARD]),
        False,
        "invalid",
    ),
    (
        "a guard that holds leaves the verdict to the threshold",
        metric(150),
        metric(0.001, unit="ratio", id="errors"),
        target(guards=[ERRORS_GUARD]),
        False,
        "pass",
    ),
    ("a waiver turns a failing target into waived, never pass", metric(250), None, target(), True, "waived"),
    ("a waiver on a passing target changes nothing", metric(150), None, target(), True, "pass"),
    (
        "a projection is checked before guards: still unverified",
        metric(100, "projected"),
        metric(0.5, unit="ratio", id="errors"),
        target(guards=[ERRORS_GUARD]),
        False,
        "unverified",
    ),
    ("a derived value counts as measured", metric(150, "derived"), None, target(), False, "pass"),
    (
        "a min_samples guard without a count in the artifact invalidates",
        metric(150),
        None,
        target(guards=[Guard(min_samples=100)]),
        False,
        "invalid",
    ),
]


@pytest.mark.parametrize(
    ("rule", "latency", "errors", "the_target", "waived", "expected"), CASES, ids=[c[0] for c in CASES]
)
def test_verdict_rules(
    rule: str, latency: ResolvedMetric, errors: ResolvedMetric | None, the_target: Target, waived: bool, expected: str
) -> None:
    """Each row states one verdict rule; the computed verdict must be the expected one."""
    metrics = {"latency": latency} | ({"errors": errors} if errors else {})
    waivers = (
        {"latency": Waiver(target="latency", reason="known", approver="QA lead", date=dt.date(2026, 1, 1))}
        if waived
        else {}
    )
    result = evaluate_target(the_target, metrics, {}, waivers)
    assert result.verdict == expected, f"{rule}: {result.reason}"


def result(verdict: str, severity: str = "must") -> TargetResult:
    t = Target.model_validate({"metric": "latency", "comparator": "<", "threshold": "1 ms", "severity": severity})
    return TargetResult(
        target=t, key="k", title="k", value=1, unit="ms", provenance="measured", verdict=verdict, reason=""
    )  # type: ignore[arg-type]


RELEASE_CASES = [
    ("all must-targets pass → pass", ["pass", "pass"], [], "pass"),
    ("any must fail → fail", ["pass", "fail"], [], "fail"),
    ("an invalid must-target fails the release", ["invalid"], [], "fail"),
    ("a projected must-target leaves the release unverified, never pass", ["pass", "unverified"], [], "unverified"),
    ("a missing must-target leaves the release unverified", ["missing"], [], "unverified"),
    ("a waived must-target makes the release waived, which is not pass", ["pass", "waived"], [], "waived"),
    ("a failing should-target keeps the release verdict (only --strict gates on it)", ["pass"], ["fail"], "pass"),
    ("a passing should-target changes nothing", ["pass"], ["pass"], "pass"),
    ("a release with no targets is NO TARGETS, never pass", [], [], "no targets"),
    ("should-targets alone decide nothing: NO TARGETS even when they pass", [], ["pass"], "no targets"),
]


@pytest.mark.parametrize(("rule", "must", "should", "verdict"), RELEASE_CASES, ids=[c[0] for c in RELEASE_CASES])
def test_release_verdict(rule: str, must: list[str], should: list[str], verdict: str) -> None:
    """The release verdict follows from the must-targets' verdicts alone, and nothing validated is not a pass."""
    results = [result(v) for v in must] + [result(v, "should") for v in should]
    assert release_verdict(results) == verdict, rule


PROJECTION_CASES = [
    # (rule, projected value, target, projected to miss)
    ("a projection that would meet its target is only unverified", 100, target(), False),
    ("a projection beyond the threshold is projected to miss", 250, target(), True),
    ("a projected 50 % failure share against < 1 % is projected to miss", 0.5, target("<", "1 %"), True),
]


@pytest.mark.parametrize(
    ("rule", "value", "the_target", "misses"), PROJECTION_CASES, ids=[c[0] for c in PROJECTION_CASES]
)
def test_a_projection_that_misses_its_target_says_so(rule: str, value: float, the_target: Target, misses: bool) -> None:
    """A projection stays UNVERIFIED either way, but one that would not meet its threshold is "projected to miss"."""
    unit = "ratio" if the_target.threshold.unit == "%" else "ms"
    result = evaluate_target(the_target, {"latency": metric(value, "projected", unit=unit)}, {}, {})
    assert result.verdict == "unverified", rule
    assert result.projected_to_miss is misses, rule
    assert ("projected to miss the target" in result.reason) is misses, rule
    assert verdict_label(result) == ("UNVERIFIED, projected to miss" if misses else "UNVERIFIED")
    assert counts_text([result]) == ("1 unverified (1 projected to miss)" if misses else "1 unverified")


SLIP_CASES = [
    # (rule, value in ms, threshold, warned, hint)
    ("250 s for a 0.15 s latency is a likely slip to 250 ms", 150, "250 s", True, "did you mean 250 ms?"),
    ("0.1 ms for a 150 ms latency is a likely slip to 0.1 s", 150, "0.1 ms", True, "did you mean 0.1 s?"),
    ("a threshold 999x the value is not flagged", 0.2002, "200 ms", False, ""),
    ("a value of 0 is never a slip", 0, "200 ms", False, ""),
    ("a realistic threshold is quiet", 150, "200 ms", False, ""),
]


@pytest.mark.parametrize(("rule", "value", "threshold", "warned", "hint"), SLIP_CASES, ids=[c[0] for c in SLIP_CASES])
def test_likely_unit_slips_are_flagged(rule: str, value: float, threshold: str, warned: bool, hint: str) -> None:
    """A threshold more than 1000x away from the value it judges gets a warning naming the likely unit."""
    result = evaluate_target(target(threshold=threshold), {"latency": metric(value)}, {}, {})
    warning = unit_slip(result)
    assert (warning is not None) is warned, f"{rule}: {warning}"
    if warning is not None:
        assert "likely unit slip" in warning and hint in warning, warning
