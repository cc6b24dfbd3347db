"""Derived and projected.from expressions: unit-aware arithmetic, no laundering of assumptions, missing as a value."""

from __future__ import annotations

from pathlib import Path

import pytest

from reportgen import expressions, units
from reportgen.analyse import analyse
from reportgen.cli import main
from reportgen.errors import ExpressionError, UnitError
from reportgen.project import Project
from tests.support.project import BASE_MANIFEST, make_project

INPUTS = {
    "requests": (1500, "count"),
    "duration": (120_000, "ms"),
    "duration_s": (120, "s"),
    "hits": (0, "count"),
    "misses": (0, "count"),
    "a": (10, "ms"),
    "b": (20, "ms"),
    "c": (0.03, "s"),
    "rps": (50, "req/s"),
    "errors": (0.02, "ratio"),
    "size": (2, "KiB"),
}

UNIT_CASES = [
    # (rule, expression, declared unit, expected value in that unit)
    ("a count over a duration in ms is a rate, converted into req/s", "requests / duration", "req/s", 12.5),
    ("the same rate from a duration in s is the same", "requests / duration_s", "req/s", 12.5),
    ("a rate can be declared per minute", "requests / duration_s", "/min", 750),
    ("times in different units add after conversion", "a + c", "ms", 40),
    ("a time declared in seconds is converted", "a + b", "s", 0.03),
    ("a share of a count stays a count", "requests * errors", "count", 30),
    ("a share can be shown in percent", "1 - errors", "%", 98),
    ("a rate times a time is a count", "rps * duration_s", "count", 6000),
    ("bytes over time is a byte rate", "size / duration_s", "B/s", 2048 / 120),
    ("mean() averages without a literal", "mean(a, b, c)", "ms", 20),
    ("sum() totals", "sum(a, b)", "ms", 30),
    ("min() and max() compare across units of one dimension", "max(a, c) - min(a, b)", "ms", 20),
]


def _value(expression: str, unit: str) -> float:
    values = {name: units.quantity(v, u) for name, (v, u) in INPUTS.items()}
    return units.magnitude(expressions.evaluate(expression, values), unit)


@pytest.mark.parametrize(("rule", "expression", "unit", "expected"), UNIT_CASES, ids=[c[0] for c in UNIT_CASES])
def test_unit_aware_arithmetic(rule: str, expression: str, unit: str, expected: float) -> None:
    """Each input enters in its own unit; the result's dimension is computed and converted into the declared unit."""
    assert _value(expression, unit) == pytest.approx(expected, rel=1e-12), rule


ERROR_CASES = [
    # (rule, expression, declared unit, error type, text in the message)
    (
        "a result of another dimension than its unit names both",
        "requests / duration",
        "ms",
        UnitError,
        "gives a rate quantity, but unit 'ms' is a time unit",
    ),
    ("a rate declared as a count is refused", "requests / duration", "count", UnitError, "is a plain number"),
    (
        "a latency plus a rate is refused naming the part",
        "a + rps",
        "ms",
        ExpressionError,
        "'a + rps': cannot add a time and a rate",
    ),
    (
        "mean() of a time and a rate is refused",
        "mean(a, rps)",
        "ms",
        ExpressionError,
        "mean() needs arguments of one dimension",
    ),
    ("a time squared fits no unit", "a * b", "ms", UnitError, "[time] ** 2"),
]


@pytest.mark.parametrize(("rule", "expression", "unit", "error", "text"), ERROR_CASES, ids=[c[0] for c in ERROR_CASES])
def test_unit_errors(rule: str, expression: str, unit: str, error: type[Exception], text: str) -> None:
    """Dimensions that do not fit are an error naming the expression part and both dimensions."""
    with pytest.raises(error) as info:
        _value(expression, unit)
    assert text in str(info.value), rule


UNDEFINED_CASES = [
    ("0 / 0 is undefined, not an error", "hits / (hits + misses)", "undefined: hits / (hits + misses) is 0 / 0"),
    ("a count over zero is undefined", "requests / hits", "undefined: requests / hits is 1500 / 0"),
]


@pytest.mark.parametrize(("rule", "expression", "reason"), UNDEFINED_CASES, ids=[c[0] for c in UNDEFINED_CASES])
def test_division_by_zero_is_undefined(rule: str, expression: str, reason: str) -> None:
    """A division by zero gives no value with the reason, for the metric to be missing, never a crash."""
    with pytest.raises(expressions.Undefined) as info:
        _value(expression, "%")
    assert info.value.reason == reason, rule


LITERAL_CASES = [
    ("10 * x * 0.9 has two assumptions", "10 * x * 0.9", ["10", "0.9"]),
    ("an average by hand has one", "(a + b) / 2", ["2"]),
    ("a unit conversion by hand has one", "duration / 1000", ["1000"]),
    ("0 and 1 state nothing", "1 - errors + 0", []),
    ("functions need none", "mean(a, b) + sum(a, b)", []),
]


@pytest.mark.parametrize(("rule", "expression", "found"), LITERAL_CASES, ids=[c[0] for c in LITERAL_CASES])
def test_literals_are_found(rule: str, expression: str, found: list[str]) -> None:
    """Every number other than 0 and 1 in an expression is found, as written."""
    assert expressions.literals(expression) == found, rule


def test_function_names_are_not_metric_names() -> None:
    """`mean(a, b)` uses metrics a and b; `mean` itself is no metric, and other calls are refused."""
    assert expressions.names("mean(a, b) + max(b, c)") == ["a", "b", "c"]
    with pytest.raises(ExpressionError, match="the functions are"):
        expressions.names("abs(a)")


def _manifest(metrics: str, targets: str = "") -> str:
    head = BASE_MANIFEST.format(release="v1.0.0", date="2026-10-01").split("targets:")[0]
    return head + metrics + "targets:\n" + (targets or '  - {metric: p95_slow, comparator: "<=", threshold: 300 ms}\n')


def _analyse(tmp_path: Path, metrics: str, targets: str = "") -> tuple[dict[str, object], dict[str, object]]:
    root = make_project(tmp_path, {"v1.0.0": _manifest(metrics, targets)})
    result = analyse(Project(root))[0]
    return {m.id: m for m in result.metrics}, {t.key: t for t in result.targets}


def test_a_literal_in_derived_is_refused_showing_both_honest_spellings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`derived: 10 * x * 0.9` exits 2 at its position with projected.from and a named projected constant shown."""
    metrics = "  - {id: capacity_10, unit: ms, derived: 10 * p95_slow * 0.9}\n"
    root = make_project(tmp_path, {"v1.0.0": _manifest(metrics)})
    assert main(["-C", str(root), "check"]) == 2
    err = capsys.readouterr().err
    assert "metrics[2].derived: '10 * p95_slow * 0.9' contains the number 10, 0.9" in err
    assert 'projected: {from: "10 * p95_slow * 0.9", method: ..., basis: ...}' in err
    assert "{id: factor, projected: {value: 10, method: ..., basis: ...}}" in err
    assert 'derived: "factor * p95_slow * 0.9"' in err


def test_projected_from_is_computed_badged_projected_and_never_passes(tmp_path: Path) -> None:
    """`projected: {from: ...}` follows its measured input, is badged projected with its inputs, and is unverified."""
    metrics = (
        "  - id: slow_fleet\n    unit: ms\n"
        "    projected: {from: 10 * p95_slow * 0.9, method: linear extrapolation, basis: 10 nodes at 90 %}\n"
    )
    found, targets = _analyse(tmp_path, metrics, '  - {metric: slow_fleet, comparator: ">=", threshold: 1 ms}\n')
    fleet = found["slow_fleet"]
    assert fleet.provenance == "projected" and fleet.inputs == ["p95_slow"]  # type: ignore[attr-defined]
    assert fleet.value == pytest.approx(10 * 243.3 * 0.9, rel=1e-3)  # type: ignore[attr-defined]
    assert fleet.projection.method == "linear extrapolation"  # type: ignore[attr-defined]
    assert targets["slow_fleet"].verdict == "unverified"  # type: ignore[attr-defined]


def test_a_zero_denominator_makes_the_metric_missing_with_the_reason(tmp_path: Path) -> None:
    """A derived share over zero requests is MISSING with "undefined: … 0 / 0", and check does not stop (exit 1)."""
    metrics = (
        "  - {id: tls, measured: {artifact: k6/summary-export.json, metric: http_req_tls_handshaking, stat: max}}\n"
        "  - {id: share, unit: '%', derived: tls / (tls + tls)}\n"
    )
    found, targets = _analyse(tmp_path, metrics, '  - {metric: share, comparator: "<", threshold: 1 %}\n')
    assert found["tls"].value == 0  # type: ignore[attr-defined]  # plain HTTP: no TLS handshake at all
    assert found["share"].provenance == "missing"  # type: ignore[attr-defined]
    assert targets["share"].verdict == "missing"  # type: ignore[attr-defined]
    assert "undefined: tls / (tls + tls) is 0 / 0" in targets["share"].reason  # type: ignore[attr-defined]


def test_a_declared_missing_figure_is_shown_counted_and_never_passes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`missing: {reason}` gives a MISSING target with the reason, counted, exit 1, and the reason on the page."""
    metrics = "  - {id: soak_p99, unit: ms, missing: {reason: the soak environment was not available}}\n"
    targets = '  - {metric: soak_p99, comparator: "<", threshold: 500 ms}\n'
    root = make_project(tmp_path, {"v1.0.0": _manifest(metrics, targets)})
    assert main(["-C", str(root), "check"]) == 1
    out = capsys.readouterr().out
    assert "1 missing" in out and "declared missing: the soak environment was not available" in out
    assert main(["-C", str(root), "build"]) == 0
    assert (
        "declared missing: the soak environment was not available"
        in (root / "site_docs/releases/v1.0.0/index.md").read_text()
    )
