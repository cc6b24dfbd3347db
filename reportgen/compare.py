"""A release against its baseline: values and deltas computed, never typed. Pure."""

from __future__ import annotations

from reportgen import units
from reportgen.errors import UnitError
from reportgen.schemas.report import ComparisonRow, Direction, ReleaseResult

#: Relative changes smaller than this are "unchanged" (the direction of noise is not news).
UNCHANGED_BELOW_PERCENT = 1.0


def _lower_is_better(result: ReleaseResult, metric_id: str) -> bool | None:
    for target in result.manifest.targets:
        if target.metric == metric_id:
            return target.comparator in ("<", "<=")
    return None


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
            lower_better = _lower_is_better(current, metric.id)
            if (delta_percent is not None and abs(delta_percent) < UNCHANGED_BELOW_PERCENT) or delta == 0:
                direction = "unchanged"
            elif lower_better is None:
                direction = "changed"
            else:
                direction = "improved" if (delta < 0) == lower_better else "regressed"
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
