"""One metric across releases, in release order: the chart model of the trends page. Pure.

Values are in the newest release's unit; each release with a target on the metric draws its
threshold as a dashed tick; points are coloured by that release's verdict on the metric (dark
grey without a target), projected values hollow and dashed; a release whose change against its
baseline is a significant regression (:mod:`reportgen.compare`) is marked "regressed".
"""

from __future__ import annotations

from reportgen import units
from reportgen.charts.models import ChartModel, Row
from reportgen.errors import UnitError
from reportgen.figures import slug
from reportgen.schemas.report import ReleaseResult

NO_TARGET = "no target"


def verdict_on(result: ReleaseResult, metric_id: str) -> tuple[str, Row | None]:
    """The release's verdict on the metric (its first target on it), and that target's threshold."""
    for t in result.targets:
        if t.target.metric == metric_id:
            if t.bound is None:  # judged against the baseline within noise: a verdict, no threshold to draw
                return t.verdict, None
            comparator, threshold = t.bound
            return t.verdict, {"threshold": threshold.value, "unit": threshold.unit, "comparator": comparator}
    return NO_TARGET, None


def metric_trend(
    metric_id: str, title: str, unit: str, ordered: list[ReleaseResult], regressed: set[tuple[str, str]]
) -> ChartModel | None:
    """The metric in every release (oldest first) that has a value for it in a unit of the same dimension."""
    rows: list[Row] = []
    rules: list[Row] = []
    for result in ordered:
        metric = next((m for m in result.metrics if m.id == metric_id), None)
        if metric is None:
            continue
        try:
            value = None if metric.value is None else units.convert(metric.value, metric.unit, unit)
        except UnitError:
            continue  # the metric changed meaning: not the same line
        verdict, threshold = verdict_on(result, metric_id)
        rows.append(
            {
                "release": result.id,
                "value": value,
                "text": units.format_value(value, unit),
                "provenance": metric.provenance if value is not None else "missing",
                "verdict": verdict,
                "regressed": (result.id, metric_id) in regressed,
            }
        )
        if threshold is not None:
            try:
                limit = units.convert(float(str(threshold["threshold"])), str(threshold["unit"]), unit)
            except UnitError:
                continue
            label = f"{threshold['comparator']} {units.format_value(limit, unit)}"
            rules.append({"release": result.id, "threshold": limit, "label": label})
    if not rows or all(r["value"] is None for r in rows):
        return None
    sentences = []
    for r in rows:
        notes = [str(r["verdict"])] if r["verdict"] != NO_TARGET else []
        if r["provenance"] == "projected":
            notes.append("projected")
        if r["regressed"]:
            notes.append("significantly regressed")
        sentences.append(f"{r['release']} {r['text']}" + (f" ({', '.join(notes)})" if notes else ""))
    targets = sorted({str(r["label"]) for r in rules})
    return ChartModel(
        id=slug("trend", metric_id),
        kind="trend",
        title=title,
        alt=f"{title} across releases: "
        + "; ".join(sentences)
        + (f"; target {', '.join(targets)}" if targets else "")
        + ".",
        caption=f"{title} in each release, oldest first, in {unit or 'plain numbers'}"
        + ("; dashed ticks are each release's threshold" if rules else "")
        + "; colour is that release's verdict on it, projected values are hollow, "
        "“regressed” marks a significant regression against the release's baseline.",
        rows=rows,
        columns=[("release", "Release"), ("text", "Value"), ("provenance", "Provenance"), ("verdict", "Verdict")],
        rules=rules,
        unit=unit,
    )
