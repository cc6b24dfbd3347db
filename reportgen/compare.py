"""A release against its baseline: values and deltas computed, never typed. Pure."""

from __future__ import annotations

from reportgen import units
from reportgen.errors import UnitError
from reportgen.schemas.report import ComparisonRow, Direction, ReleaseResult

#: Relative changes smaller than this are "unchanged" (the direction of noise is not news).
UNCHANGED_BELOW_PERCENT = 1.0


def _judging_rule(result: ReleaseResult, metric_id: str) -> tuple[str, float, str] | None:
    """How the release judges this metric: its `better:`, else (comparator, threshold, unit) of its first target or guard."""
    declared = next((m.better for m in result.manifest.metrics if m.id == metric_id), None)
    if declared is not None:
        return ("<" if declared == "lower" else ">"), 0.0, ""
    for target in result.manifest.targets:
        if target.metric == metric_id:
            return target.comparator, target.threshold.value, target.threshold.unit
        for guard in target.guards:
            if guard.metric == metric_id and guard.comparator and guard.threshold:
                return guard.comparator, guard.threshold.value, guard.threshold.unit
    return None


def _direction(old: float, new: float, unit: str, rule: tuple[str, float, str] | None) -> Direction:
    """improved / regressed by the rule's comparator: lower is better for < and <=, higher for > and >=,
    nearer the threshold for ==; "changed" when no target or guard says which way is better."""
    if rule is None:
        return "changed"
    comparator, threshold, threshold_unit = rule
    if comparator in ("<", "<="):
        return "improved" if new < old else "regressed"
    if comparator in (">", ">="):
        return "improved" if new > old else "regressed"
    target = units.convert(threshold, threshold_unit, unit)
    return "improved" if abs(new - target) < abs(old - target) else "regressed"


def compare(current: ReleaseResult, baseline: ReleaseResult) -> list[ComparisonRow]:
    """One row per metric id present in both releases, in the current release's order."""
    rows: list[ComparisonRow] = []
    before = {m.id: m for m in baseline.metrics}
    for metric in current.metrics:
        old = before.get(metric.id)
        if old is None:
            continue
        try:
            old_value = None if old.value is None else units.convert(old.value, old.unit, metric.unit)
        except UnitError:
            continue  # the metric changed meaning between releases; nothing to compare
        delta = delta_percent = None
        direction: Direction = "n/a"
        if old_value is not None and metric.value is not None:
            delta = metric.value - old_value
            delta_percent = None if old_value == 0 else delta / abs(old_value) * 100
            if delta == 0 or (delta_percent is not None and abs(delta_percent) < UNCHANGED_BELOW_PERCENT):
                direction = "unchanged"
            else:
                direction = _direction(old_value, metric.value, metric.unit, _judging_rule(current, metric.id))
        rows.append(
            ComparisonRow(
                metric=metric.id,
                title=metric.title,
                unit=metric.unit,
                baseline=old_value,
                current=metric.value,
                baseline_provenance=old.provenance,
                current_provenance=metric.provenance,
                delta=delta,
                delta_percent=delta_percent,
                direction=direction,
            )
        )
    return rows
