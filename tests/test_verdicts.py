"""Verdict rules (DESIGN: a projection never passes; a tripped guard invalidates; a waiver is never a pass)."""

from __future__ import annotations

import datetime as dt

import pytest

from reportgen.evaluate import evaluate_target, release_verdict
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
