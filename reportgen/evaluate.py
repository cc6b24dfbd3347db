"""Targets + resolved metrics → verdicts, and the release verdict. Pure.

Per target, in this order:

1. no value                                  → **missing**
2. the value is projected                    → **unverified** (a projection never passes; one that
                                                would not meet the threshold is "projected to miss")
3. a guard is tripped or cannot be checked   → **invalid**
4. the value meets the threshold             → **pass**, otherwise **fail**
5. a waiver names a target that is not pass  → **waived** (never counted as pass)

A target with ``relative:`` follows rules 1-3 and 5; rule 4 compares with the baseline release
(:mod:`reportgen.relative_targets`). A pass or fail whose value's 95 % interval (from raw samples)
straddles the threshold is **marginal**: the verdict stays the rule's.

The release is **no targets** if it has no must-target (nothing was validated, so nothing
passed), else **fail** if a must-target fails or is invalid, else **unverified** if a must-target
is unverified or missing, else **waived** if a must-target is waived, else **pass**. Which
verdicts make ``check`` exit non-zero is :mod:`reportgen.gate`'s business.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from reportgen import units
from reportgen.compare_stats import straddles
from reportgen.errors import UnitError, UnresolvedReferenceError, did_you_mean
from reportgen.expand import expand_targets
from reportgen.load import Loaded, field_path
from reportgen.resolve import find_measurement
from reportgen.schemas.manifest import Guard, Quantity, Target, Waiver
from reportgen.schemas.report import (
    VERDICTS,
    Artifact,
    GuardResult,
    ReleaseVerdict,
    ResolvedMetric,
    TargetResult,
    Verdict,
)

if TYPE_CHECKING:
    from reportgen.relative_targets import Judge

COMPARATORS: dict[str, Callable[[float, float], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "==": operator.eq,
}


#: How a comparator reads in a sentence ("107 ms, below 200 ms"; "1, not exactly 0").
WORDS = {"<": "below", "<=": "at most", ">": "above", ">=": "at least", "==": "exactly"}


def _check_guard(
    guard: Guard, subject: ResolvedMetric, metrics: Mapping[str, ResolvedMetric], artifacts: Mapping[str, Artifact]
) -> GuardResult:
    if guard.min_samples is not None:
        return _check_samples(guard.min_samples, subject, artifacts)
    assert guard.metric and guard.comparator and guard.threshold
    about = metrics[guard.metric]
    description = f"{about.title} {guard.comparator} {guard.threshold}"
    if about.value is None or about.provenance in ("missing", "projected"):
        why = "has no value" if about.value is None else "is only projected"
        return GuardResult(description=description, ok=None, detail=f"{about.title} {why}: the guard cannot be checked")
    value = units.convert(about.value, about.unit, guard.threshold.unit)
    ok = COMPARATORS[guard.comparator](value, guard.threshold.value)
    shown = units.format_value(value, guard.threshold.unit)
    detail = f"{about.title} is {shown}" + ("" if ok else f", not {WORDS[guard.comparator]} {guard.threshold}")
    if not ok and guard.reason:
        detail += f" ({guard.reason})"
    return GuardResult(description=description, ok=ok, detail=detail)


def _check_samples(minimum: int, subject: ResolvedMetric, artifacts: Mapping[str, Artifact]) -> GuardResult:
    description = f"at least {minimum:,} samples"
    evidence = subject.evidence
    if evidence is None or evidence.path not in artifacts:
        return GuardResult(description=description, ok=None, detail="sample count unknown: the value is not measured")
    count = find_measurement(artifacts[evidence.path], evidence.metric, "count", evidence.labels)
    if count is None or count.value is None:
        return GuardResult(
            description=description,
            ok=None,
            detail=f"sample count unknown: {evidence.path} has no count for {evidence.metric} {evidence.labels}",
        )
    ok = count.value >= minimum
    return GuardResult(
        description=description, ok=ok, detail=f"{count.value:,.0f} samples" + ("" if ok else f" < {minimum:,}")
    )


def evaluate_target(
    target: Target,
    metrics: Mapping[str, ResolvedMetric],
    artifacts: Mapping[str, Artifact],
    waivers: Mapping[str, Waiver],
    judge: Judge | None = None,
) -> TargetResult:
    """One target's verdict; ``judge`` knows the baseline (relative targets) and the raw samples (intervals)."""
    subject = metrics[target.metric]
    if target.relative is not None:
        return _relative_target(target, subject, metrics, artifacts, waivers, judge)
    threshold, comparator = target.threshold, target.comparator
    assert threshold is not None and comparator is not None  # the schema requires them without relative:
    value = None if subject.value is None else units.convert(subject.value, subject.unit, threshold.unit)
    guards = [_check_guard(g, subject, metrics, artifacts) for g in target.guards]
    verdict: Verdict
    projected_to_miss = False
    if value is None:
        verdict, reason = "missing", subject.note or "no value"
    elif subject.provenance == "projected":
        verdict, reason = "unverified", "projected, not measured: a projection is never a pass"
        if not COMPARATORS[comparator](value, threshold.value):
            projected_to_miss = True
            shown = units.format_value(value, threshold.unit)
            reason = (
                f"projected to miss the target: {shown}, not {WORDS[comparator]} {threshold} "
                "(unverified, as every projection; this one would not pass even if it were measured)"
            )
    elif (invalid := _guards_verdict(guards)) is not None:
        verdict, reason = "invalid", invalid
    elif COMPARATORS[comparator](value, threshold.value):
        verdict, reason = "pass", f"{units.format_value(value, threshold.unit)}, {WORDS[comparator]} {threshold}"
    else:
        shown = units.format_value(value, threshold.unit)
        verdict, reason = "fail", f"{shown}, not {WORDS[comparator]} {threshold}"
    own = judge.own_interval(subject, threshold.unit) if judge is not None and value is not None else None
    marginal = own is not None and verdict in ("pass", "fail") and straddles(*own, threshold.value)
    return _result(
        target,
        subject,
        (value, threshold.unit),
        (verdict, reason),
        guards,
        waivers,
        projected_to_miss=projected_to_miss,
        low=own[0] if own else None,
        high=own[1] if own else None,
        marginal=marginal,
    )


def _result(
    target: Target,
    subject: ResolvedMetric,
    shown: tuple[float | None, str],
    judged: tuple[Verdict, str],
    guards: list[GuardResult],
    waivers: Mapping[str, Waiver],
    **details: Any,
) -> TargetResult:
    """The target's result, after rule 5: a waiver of a target that is not pass makes it waived (never a pass)."""
    verdict, reason = judged
    waiver = waivers.get(target.key)
    if waiver is not None and verdict != "pass":
        verdict, reason = "waived", f"waived ({verdict}: {reason})"
    else:
        waiver = None
    if verdict not in ("pass", "fail"):
        details["marginal"] = False  # only a measured verdict can be marginal
    if verdict != "unverified":
        details["projected_to_miss"] = False
    return TargetResult(
        target=target,
        key=target.key,
        title=target.title or subject.title,
        value=shown[0],
        unit=shown[1],
        provenance=subject.provenance,
        verdict=verdict,
        reason=reason,
        guards=guards,
        waiver=waiver,
        **details,
    )


def _guards_verdict(guards: list[GuardResult]) -> str | None:
    """Why the value does not count (a guard could not be checked, or tripped), or None when all held."""
    if unchecked := [g for g in guards if g.ok is None]:
        return "; ".join(g.detail for g in unchecked)
    if tripped := [g for g in guards if g.ok is False]:
        return "guard tripped: " + "; ".join(g.detail for g in tripped)
    return None


def _relative_target(
    target: Target,
    subject: ResolvedMetric,
    metrics: Mapping[str, ResolvedMetric],
    artifacts: Mapping[str, Artifact],
    waivers: Mapping[str, Waiver],
    judge: Judge | None,
) -> TargetResult:
    """A target judged against the baseline (reportgen.relative_targets): the same first three rules, then the
    baseline's."""
    guards = [_check_guard(g, subject, metrics, artifacts) for g in target.guards]
    found = judge.details(target, subject) if judge is not None else None
    verdict: Verdict
    marginal = False
    if subject.value is None:
        verdict, reason = "missing", subject.note or "no value"
    elif subject.provenance == "projected":
        verdict, reason = "unverified", "projected, not measured: a projection is never a pass"
    elif (invalid := _guards_verdict(guards)) is not None:
        verdict, reason = "invalid", invalid
    elif judge is None or found is None:
        verdict, reason = "unverified", "not judged against a baseline here"
    else:
        verdict, reason, marginal = judge.verdict(target, subject, found)
    return _result(
        target,
        subject,
        (subject.value, subject.unit),
        (verdict, reason),
        guards,
        waivers,
        relative=found,
        marginal=marginal,
    )


def evaluate(
    loaded: Loaded, metrics: list[ResolvedMetric], artifacts: list[Artifact], judge: Judge | None = None
) -> tuple[list[TargetResult], list[str], list[ResolvedMetric]]:
    """Verdict for every target (each: targets expanded), warnings, and the per-label-value metrics expansions
    judge; unknown metric names and unit mismatches are errors at the target's position."""
    manifest = loaded.manifest
    by_id = {m.id: m for m in metrics}
    by_path = {a.path: a for a in artifacts}
    warnings: list[str] = []
    for i, target in enumerate(manifest.targets):
        _check_references(loaded, i, target, by_id)
    targets_by_key = {t.key for t in manifest.targets}
    waivers: dict[str, Waiver] = {}
    for i, waiver in enumerate(manifest.waivers):
        if waiver.target not in targets_by_key:
            where = loaded.positions.at(("waivers", i, "target"))
            raise UnresolvedReferenceError(
                f"{where}: waivers[{i}].target: unknown target {waiver.target!r}; targets: {', '.join(sorted(targets_by_key))}"
                f"{did_you_mean(waiver.target, targets_by_key)}"
            )
        waivers[waiver.target] = waiver
    targets, per_value = expand_targets(loaded, by_id, by_path, waivers)
    results = [evaluate_target(t, by_id | per_value, by_path, waivers, judge) for t in targets]
    for result in results:
        if result.key in targets_by_key and result.key in waivers and result.verdict == "pass":
            warnings.append(f"waiver for target {result.key!r} is not needed: the target passes")
        if (slip := unit_slip(result)) is not None:
            warnings.append(slip)
    return results, warnings, list(per_value.values())


#: A threshold and the value it judges this many times apart are more likely a unit slip than a target.
SLIP_FACTOR = 1000.0


def unit_slip(result: TargetResult) -> str | None:
    """A warning when a target's threshold and its value are more than 1000x apart (``250 s`` for a 0.15 s latency)."""
    threshold, value = result.threshold, result.value
    if (
        threshold is None
        or result.relative is not None
        or value is None
        or value == 0
        or threshold.value == 0
        or (value > 0) != (threshold.value > 0)
    ):
        return None
    ratio = abs(value / threshold.value)
    if 1 / SLIP_FACTOR <= ratio <= SLIP_FACTOR:
        return None
    shown = units.format_value(value, threshold.unit)
    apart = f"{ratio:,.0f}x" if ratio > 1 else f"1/{1 / ratio:,.0f}"
    hint = ""
    if (other := units.closest_unit(threshold.value, threshold.unit, value)) is not None:
        hint = f"; did you mean {units.format_value(threshold.value, other)}?"
    return (
        f"target {result.key!r}: its value {shown} is {apart} its threshold {threshold}: a likely unit slip{hint} "
        "(the verdict is computed as written)"
    )


def _check_references(loaded: Loaded, i: int, target: Target, by_id: Mapping[str, ResolvedMetric]) -> None:
    """Every metric a target names exists, and every threshold's unit fits its metric's unit."""
    names: list[tuple[tuple[str | int, ...], str | None]] = [(("metric",), target.metric)]
    names += [(("guards", g, "metric"), guard.metric) for g, guard in enumerate(target.guards)]
    for loc, name in names:
        if name is not None and name not in by_id:
            raise UnresolvedReferenceError(
                f"{loaded.positions.at(('targets', i, *loc))}: targets[{i}].{field_path(loc)}: unknown metric {name!r}; "
                f"defined: {', '.join(by_id)}{did_you_mean(name, by_id)}"
            )
    thresholds: list[tuple[tuple[str | int, ...], str, Quantity]] = []
    if target.threshold is not None:
        thresholds.append((("threshold",), target.metric, target.threshold))
    rule = target.relative
    if rule is not None and rule.change is not None and rule.unit not in ("%", "pp"):
        thresholds.append((("relative",), target.metric, Quantity(value=rule.change, unit=rule.unit)))
    if rule is not None and rule.unit == "pp" and by_id[target.metric].unit:
        thresholds.append((("relative",), target.metric, Quantity(value=rule.change or 0.0, unit="%")))
    thresholds += [
        (("guards", g, "threshold"), guard.metric, guard.threshold)
        for g, guard in enumerate(target.guards)
        if guard.metric and guard.threshold
    ]
    for loc, metric_id, threshold in thresholds:
        if by_id[metric_id].value is None and not by_id[metric_id].unit:
            continue  # a missing value with no declared unit has nothing to convert; the verdict says missing
        try:
            units.convert(1.0, by_id[metric_id].unit, threshold.unit)
        except UnitError as exc:
            where = loaded.positions.at(("targets", i, *loc))
            raise UnitError(f"{where}: targets[{i}].{field_path(loc)}: {exc}") from None


def release_verdict(results: list[TargetResult]) -> ReleaseVerdict:
    must = {r.verdict for r in results if r.target.severity == "must"}
    if not must:
        return "no targets"
    if must & {"fail", "invalid"}:
        return "fail"
    if must & {"unverified", "missing"}:
        return "unverified"
    if "waived" in must:
        return "waived"
    return "pass"


def counts_text(results: list[TargetResult]) -> str:
    """``3 pass, 2 unverified (1 projected to miss)``: the counts as check, the release page and the home page say them."""
    misses = sum(1 for r in results if r.projected_to_miss)
    parts = [
        f"{n} {verdict}" + (f" ({misses} projected to miss)" if verdict == "unverified" and misses else "")
        for verdict, n in counts(results).items()
        if n
    ]
    return ", ".join(parts)


def verdict_label(result: TargetResult) -> str:
    """The verdict in words: ``UNVERIFIED, projected to miss`` says more than ``UNVERIFIED``, ``PASS, marginal``
    more than ``PASS``."""
    return (
        result.verdict.upper()
        + (", projected to miss" if result.projected_to_miss else "")
        + (", marginal" if result.marginal else "")
    )


def counts(results: list[TargetResult]) -> dict[str, int]:
    return {v: sum(1 for r in results if r.verdict == v) for v in VERDICTS}
