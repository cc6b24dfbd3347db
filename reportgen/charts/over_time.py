"""Over the run's duration: requests/s, latency, failures and active users, from the series adapters return.

Only whole-run series (labels ``{}``) are drawn, one panel per quantity, time in seconds since the
artifact's first point. A line longer than :data:`~reportgen.charts.downsample.MAX_POINTS` is reduced
with LTTB, and the caption says so.
"""

from __future__ import annotations

from reportgen import limits, units
from reportgen.charts.downsample import MAX_POINTS, lttb
from reportgen.charts.models import ChartModel, Row, artifact_chart, latency_metric
from reportgen.schemas.measurement import Series
from reportgen.schemas.report import Artifact, ReleaseResult

#: (metric, stat) of a series → (panel, line name). Latency panels are found by the tool's latency metric.
_PANELS: dict[tuple[str, str], tuple[str, str]] = {
    ("http_reqs", "count"): ("Requests per second", "requests"),
    ("requests", "rate"): ("Requests per second", "requests"),
    ("failures", "rate"): ("Failures per second", "failures"),
    ("errors", "rate"): ("Failures per second", "failures"),
    ("http_req_failed", "rate"): ("Failed share per second (%)", "failed"),
    ("users", "value"): ("Active users", "users"),
    ("vus", "value"): ("Active users", "VUs"),
}
PANEL_ORDER = ("Requests per second", "Latency", "Failures per second", "Failed share per second (%)", "Active users")


def _panel(artifact: Artifact, series: Series) -> tuple[str, str] | None:
    if series.labels:
        return None
    found = _PANELS.get((series.metric, series.stat))
    if found is not None:
        return found
    if series.metric == latency_metric(artifact.extraction.adapter) and series.unit:
        return f"Latency ({series.unit})", series.stat.replace("med", "p50")
    return None


def _counted_per_second(artifact: Artifact, series: Series) -> bool:
    """Series that count events in each wall-clock second and leave out seconds with none."""
    return series.metric == "http_reqs" or artifact.extraction.adapter == "locust-json"


def _zero_filled(points: list[tuple[float, float]], first: float, last: float) -> list[tuple[float, float]]:
    """Every whole second from ``first`` to ``last`` (the series' own span, so bounded by its run): a second
    with no event counted 0, not left out."""
    held = dict(points)
    return [(float(t), held.get(float(t), 0.0)) for t in range(int(first), int(last) + 1)]


def _panel_rank(panel: str) -> int:
    return next((i for i, name in enumerate(PANEL_ORDER) if panel.startswith(name)), len(PANEL_ORDER))


def _latency_rules(result: ReleaseResult, artifact: Artifact, panel: str, unit: str) -> list[Row]:
    """Targets on a whole-run percentile of this artifact's latency, drawn on the latency panel."""
    rules: list[Row] = []
    by_id = {m.id: m for m in result.metrics}
    metric = latency_metric(artifact.extraction.adapter)
    for t in result.targets:
        evidence = by_id[t.target.metric].evidence
        if evidence is None or evidence.path != artifact.path or evidence.metric != metric or evidence.labels:
            continue
        if t.bound is None:
            continue
        comparator, threshold = t.bound
        value = units.convert(threshold.value, threshold.unit, unit)
        rules.append({"panel": panel, "threshold": value, "label": f"{evidence.stat} {comparator} {threshold}"})
    return rules


def _chosen(artifact: Artifact, extra: list[Series] | None) -> list[tuple[Series, tuple[str, str]]]:
    return [(s, p) for s in [*artifact.extraction.series, *(extra or [])] if (p := _panel(artifact, s)) is not None]


def _counted_span(artifact: Artifact, chosen: list[tuple[Series, tuple[str, str]]]) -> tuple[float, float]:
    """The span of the counting series themselves, so a zero-filled line never outgrows its own run."""
    counted = [s for s, _ in chosen if s.points and _counted_per_second(artifact, s)]
    return (min(s.points[0][0] for s in counted), max(s.points[-1][0] for s in counted)) if counted else (0, 0)


def not_drawn(artifact: Artifact, extra: list[Series] | None = None) -> str | None:
    """Why the artifact's chart over the run is left out (its per-second counts would be too long), or None."""
    too_long = limits.series_too_long(*_counted_span(artifact, _chosen(artifact, extra)))
    return None if too_long is None else f"Over the run: {artifact.path}: not drawn: {too_long}"


def over_time(result: ReleaseResult, artifact: Artifact, extra: list[Series] | None = None) -> ChartModel | None:
    """The artifact's whole-run series (plus ``extra`` ones read from raw samples), or None if it has none.

    Callers first ask :func:`not_drawn`: a span longer than limits.MAX_SERIES_SECONDS is not zero-filled.
    """
    chosen = _chosen(artifact, extra)
    if not chosen:
        return None
    start = min(s.points[0][0] for s, _ in chosen if s.points)
    counted_span = _counted_span(artifact, chosen)
    if limits.series_too_long(*counted_span) is not None:
        return None
    rows: list[Row] = []
    rules: list[Row] = []
    reduced: list[str] = []
    filled = False
    sentences: list[str] = []
    for series, (panel, line) in sorted(chosen, key=lambda item: (_panel_rank(item[1][0]), item[1])):
        points = series.points
        if _counted_per_second(artifact, series):
            points = _zero_filled(points, *counted_span)
            filled = True
        scale = 100.0 if series.metric == "http_req_failed" else 1.0  # a share per second, drawn in %
        drawn = points
        if len(points) > MAX_POINTS:
            reduced.append(f"{line} ({len(points):,} points → {MAX_POINTS:,})")
            drawn = lttb(points, MAX_POINTS)
        rows += [
            {"panel": panel, "line": line, "t": round(t - start, 3), "value": round(v * scale, 6)} for t, v in drawn
        ]
        values = [v * scale for _, v in points]
        if values:
            sentences.append(
                f"{panel}, {line}: {len(values):,} points from {_num(min(values))} to {_num(max(values))}, "
                f"mean {_num(sum(values) / len(values))}"
            )
        if panel.startswith("Latency") and not any(r["panel"] == panel for r in rules):
            rules += _latency_rules(result, artifact, panel, series.unit)
    notes = []
    if artifact.extraction.info.get("history_percentiles") == "cumulative":
        notes.append("Locust's history percentiles are cumulative since the start (run without --csv-full-history)")
    if filled:
        notes.append("per-second counts include the seconds with none, as 0")
    if reduced:
        notes.append(
            "lines longer than 1,000 points are reduced with largest-triangle-three-buckets, which keeps peaks: "
            + ", ".join(reduced)
        )
    duration = max(float(r["t"]) for r in rows if isinstance(r["t"], float))
    return artifact_chart(
        "over_time",
        artifact,
        "Over the run",
        alt=f"Over the run's {duration:g} seconds, from {artifact.path}. ",
        sentences=sentences,
        caption=f"Measured, from {artifact.path}; time in seconds since its first point",
        notes=notes,
        rows=rows,
        columns=[("panel", "Panel"), ("line", "Line"), ("t", "Seconds"), ("value", "Value")],
        rules=rules,
    )


def _num(value: float) -> str:
    return units.format_value(value, "")
