"""Release results → chart models: the numbers each chart draws, its alt text and its table. Pure.

A chart model holds plain rows (one dict per mark) so that :mod:`reportgen.charts.specs`
only decides how they look. Alt text is written from the same rows, so what a screen
reader hears is what the chart shows.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from reportgen import units
from reportgen.evaluate import WORDS
from reportgen.figures import anchor, slug
from reportgen.schemas.report import Artifact, ReleaseResult, TargetResult
from reportgen.views import VIEWS

#: Values beyond this many times their threshold are drawn at the edge, as a triangle.
GLANCE_MAX_RATIO = 3.0
#: Percentiles drawn per endpoint, in order, with the names the tools give the median.
PERCENTILES = (("med", "p50"), ("p50", "p50"), ("p90", "p90"), ("p95", "p95"), ("p99", "p99"))

Row = dict[str, str | float | bool | None]


@dataclass(frozen=True)
class ChartModel:
    """What one chart draws. ``kind`` picks its spec; ``rows`` are its marks."""

    id: str
    kind: str
    title: str
    alt: str
    caption: str
    rows: list[Row]
    columns: list[tuple[str, str]]  # (row key, column title) of the table of numbers drawn
    rules: list[Row] = field(default_factory=list)  # thresholds: one dict per labelled rule
    unit: str = ""
    log_scale: bool = False


def _fmt(value: float | None, unit: str) -> str:
    return units.format_value(value, unit)


def artifact_chart(
    kind: str,
    artifact: Artifact,
    title: str,
    *,
    alt: str,
    sentences: list[str],
    caption: str,
    notes: list[str],
    rows: list[Row],
    columns: list[tuple[str, str]],
    rules: list[Row] | None = None,
    unit: str = "",
    log_scale: bool = False,
) -> ChartModel:
    """A chart drawn from one artifact: its id and title name the file, the alt text is ``alt`` then one clause
    per line or endpoint drawn, and the caption is ``caption`` then each note on how it is drawn."""
    return ChartModel(
        id=slug(f"chart-{kind}", artifact.path),
        kind=kind,
        title=f"{title}: {artifact.path}",
        alt=alt + "; ".join(sentences) + ".",
        caption=caption + "".join(f"; {n}" for n in notes) + ".",
        rows=rows,
        columns=columns,
        rules=rules or [],
        unit=unit,
        log_scale=log_scale,
    )


# ---------------------------------------------------------------------------- targets at a glance


def _glance_row(t: TargetResult) -> Row:
    assert t.bound is not None
    threshold = t.bound[1].value
    ratio: float | None = None
    if t.value is not None and threshold != 0:
        ratio = t.value / threshold
    elif t.value is not None:  # a threshold of 0 (e.g. "== 0 failed tests"): at it, or off the scale
        ratio = 1.0 if t.value == 0 else GLANCE_MAX_RATIO * 1.01
    shown = None if ratio is None else min(max(ratio, 0.0), GLANCE_MAX_RATIO)
    provenance = "missing" if t.value is None else t.provenance
    return {
        "target": t.title,
        "value": _fmt(t.value, t.unit),
        "threshold": t.rule,
        "ratio": "—" if ratio is None else f"{ratio:.2f}×",
        "x": 0.0 if shown is None else round(shown, 4),
        "beyond": ratio is not None and ratio > GLANCE_MAX_RATIO,
        "verdict": t.verdict,
        "provenance": provenance,
        "severity": t.target.severity,
    }


def _glance_sentence(t: TargetResult) -> str:
    assert t.bound is not None
    target = f"target {WORDS[t.bound[0]]} {t.bound[1]}"
    if t.value is None:
        return f"{t.title}: missing, {target}: {t.verdict.upper()}"
    projected = " (projected)" if t.provenance == "projected" else ""
    return f"{t.title}: {_fmt(t.value, t.unit)}{projected}, {target}: {t.verdict.upper()}"


def targets_at_a_glance(result: ReleaseResult) -> ChartModel | None:
    """Every target's value over its threshold on one axis, coloured by verdict; None without targets."""
    drawn = [t for t in result.targets if t.bound is not None]  # "no worse within noise" has no threshold to draw
    if not drawn:
        return None
    rows = [_glance_row(t) for t in drawn]
    return ChartModel(
        id="chart-targets",
        kind="glance",
        title="Targets at a glance",
        alt="Targets at a glance. " + "; ".join(_glance_sentence(t) for t in drawn) + ".",
        caption=(
            "Each target's value divided by its threshold: the dashed rule at 1 is the threshold. Colour is the "
            "verdict; projected values are hollow and dashed, missing ones a cross at 0; values beyond "
            f"{GLANCE_MAX_RATIO:g}× their threshold sit at the edge as a triangle."
        ),
        rows=rows,
        columns=[
            ("target", "Target"),
            ("value", "Value"),
            ("threshold", "Threshold"),
            ("ratio", "Value ÷ threshold"),
            ("provenance", "Provenance"),
            ("verdict", "Verdict"),
        ],
    )


# ---------------------------------------------------------------------------- latency percentiles


def latency_metric(adapter: str) -> str | None:
    """The latency metric of a load tool's per-endpoint table (the metric of its p95 column)."""
    view = VIEWS.get(adapter)
    if view is None:
        return None
    return next((c.metric for c in view.columns if c.stat == "p95"), None)


def row_name(adapter: str, labels: dict[str, str]) -> str | None:
    """The endpoint name of a label set as the per-endpoint table writes it; None if not a table row."""
    view = VIEWS[adapter]
    if not labels:
        return view.total_name or None
    if set(labels) != set(view.row_labels):
        return None
    return " ".join(labels[k] for k in view.row_labels)


def _threshold_rules(result: ReleaseResult, artifact: Artifact, metric: str, unit: str) -> list[Row]:
    """Each target on a percentile of this artifact's latency: where its threshold sits, in the chart's unit."""
    rules: list[Row] = []
    by_id = {m.id: m for m in result.metrics}
    for t in result.targets:
        evidence = by_id[t.target.metric].evidence
        if evidence is None or evidence.path != artifact.path or evidence.metric != metric:
            continue
        endpoint = row_name(artifact.extraction.adapter, evidence.labels)
        if endpoint is None or t.bound is None or t.bound[1].unit == "":
            continue
        comparator, threshold = t.bound
        value = units.convert(threshold.value, threshold.unit, unit)
        label = f"{evidence.stat} {comparator} {threshold}"
        rules.append({"endpoint": endpoint, "threshold": value, "label": label, "target": t.title})
    return rules


def latency_percentiles(result: ReleaseResult, artifact: Artifact) -> ChartModel | None:
    """p50/p90/p95/p99 per endpoint of one artifact, with each target's threshold as a labelled rule."""
    adapter = artifact.extraction.adapter
    metric = latency_metric(adapter)
    if metric is None:
        return None
    rows: list[Row] = []
    seen: set[tuple[str, str]] = set()
    unit = ""
    for m in artifact.extraction.measurements:
        endpoint = row_name(adapter, m.labels) if m.metric == metric else None
        shown = dict(PERCENTILES).get(m.stat)
        if endpoint is None or shown is None or m.value is None or (endpoint, shown) in seen:
            continue  # a tool that gives both med and p50 gives the same number twice
        seen.add((endpoint, shown))
        unit = m.unit
        rows.append({"endpoint": endpoint, "percentile": shown, "value": m.value, "text": _fmt(m.value, m.unit)})
    if not rows:
        return None
    order = {name: i for i, (_, name) in enumerate(PERCENTILES)}
    rows.sort(
        key=lambda r: (str(r["endpoint"]) != VIEWS[adapter].total_name, str(r["endpoint"]), order[str(r["percentile"])])
    )
    rules = _threshold_rules(result, artifact, metric, unit)
    values = [float(r["value"]) for r in rows if isinstance(r["value"], float) and r["value"] > 0]
    wide = bool(values) and max(values) / min(values) > 100
    sentences = []
    for endpoint in dict.fromkeys(str(r["endpoint"]) for r in rows):
        mine = [r for r in rows if r["endpoint"] == endpoint]
        text = f"{endpoint}: " + ", ".join(f"{r['percentile']} {r['text']}" for r in mine)
        for rule in (r for r in rules if r["endpoint"] == endpoint):
            text += f" (target {rule['label']})"
        sentences.append(text)
    return ChartModel(
        id=anchor("chart-percentiles", artifact.path),
        kind="percentiles",
        title=f"Latency percentiles per endpoint: {artifact.path}",
        alt=f"Latency percentiles per endpoint from {artifact.path}. " + "; ".join(sentences) + ".",
        caption=(
            f"{metric} percentiles per endpoint, measured, from {artifact.path}"
            + ("; log scale (the values span more than 100×)" if wide else "")
            + ("; each target's threshold is a dashed rule with its value" if rules else "")
            + "."
        ),
        rows=rows,
        columns=[("endpoint", "Endpoint"), ("percentile", "Percentile"), ("text", "Value")],
        rules=rules,
        unit=unit,
        log_scale=wide,
    )
