"""Chart models → Vega-Lite specs (through Altair). Only looks: the numbers come from the models.

One visual language everywhere: colour is the verdict (:mod:`reportgen.charts.palette`,
the badges' colours); measured marks are filled, projected ones hollow with a dashed
outline, missing ones a grey cross; thresholds are dark dashed rules carrying their value.
"""

from __future__ import annotations

from typing import Any

import altair as alt

from reportgen.charts import shapes
from reportgen.charts.models import GLANCE_MAX_RATIO, ChartModel
from reportgen.charts.palette import SERIES_COLOURS, THRESHOLD_COLOUR, VERDICT_COLOURS

WIDTH = 520
ROW_HEIGHT = 22
FONT = "sans-serif"
_PROVENANCE_ORDER = ["measured", "derived", "projected", "missing"]
_SHAPES = ["circle", "square", "circle", "cross"]
_DASHES = [[1, 0], [1, 0], [3, 2], [1, 0]]
#: The legend says how each provenance is drawn, since its symbols cannot show fill per entry.
_PROVENANCE_LEGEND = (
    "datum.label === 'projected' ? 'projected (hollow, dashed)' : "
    "datum.label === 'missing' ? 'missing (cross at 0)' : datum.label + ' (filled)'"
)


def _config(chart: alt.TopLevelMixin) -> dict[str, Any]:
    """The finished spec: one font (no web fonts to fetch), a white background for print.

    Not validated against the Vega-Lite schema here: a spec is made from code, not from input, and Altair's
    jsonschema pass was about a tenth of a cold build's time (measured on a 6-release site, 2026-12-03: 13.6 s →
    12.0 s). tests/test_chart_schema.py validates every kind of chart the example draws."""
    configured = chart.configure(font=FONT, background="white").configure_view(stroke="#ddd")
    spec: dict[str, Any] = configured.to_dict(validate=False)
    return spec


def _with_fill(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows with the fill colour each mark gets: its verdict's, or none when projected (hollow)."""
    return [
        {
            **r,
            "fill": "transparent" if r["provenance"] == "projected" else VERDICT_COLOURS[str(r["verdict"])],
            "row": f"{r['target']}: {r['value']} ({r['threshold']})",
        }
        for r in rows
    ]


def glance(model: ChartModel) -> dict[str, Any]:
    """Targets at a glance: value ÷ threshold per target, threshold rule at 1."""
    verdicts = tuple(v for v in VERDICT_COLOURS if any(r["verdict"] == v for r in model.rows))
    height = max(ROW_HEIGHT * len(model.rows), 40)
    return shapes.spec(_glance, (verdicts, height), [_with_fill(model.rows), [{"x": 1.0}]])


def _glance(shape: tuple[tuple[str, ...], int], data: tuple[Any, ...]) -> dict[str, Any]:
    verdicts, height = shape
    y = alt.Y("row:N", sort=None, title=None, axis=alt.Axis(labelLimit=400))
    base = alt.Chart(data[0])
    scale = alt.Scale(domain=[0, GLANCE_MAX_RATIO], nice=False, clamp=True, padding=8)
    colour = alt.Color(
        "verdict:N",
        scale=alt.Scale(domain=list(verdicts), range=[VERDICT_COLOURS[v] for v in verdicts]),
        title="Verdict",
    )
    provenance = alt.Legend(
        symbolStrokeColor="#333", symbolFillColor="transparent", symbolStrokeWidth=1.5, labelExpr=_PROVENANCE_LEGEND
    )
    points = (
        base.mark_point(size=110, strokeWidth=2, filled=False, opacity=1)
        .encode(
            x=alt.X("x:Q", scale=scale, title="value ÷ threshold (1 = at the threshold)"),
            y=y,
            color=colour,
            fill=alt.Fill("fill:N", scale=None),
            shape=alt.Shape(
                "provenance:N",
                scale=alt.Scale(domain=_PROVENANCE_ORDER, range=_SHAPES),
                title="Value is",
                legend=provenance,
            ),
            strokeDash=alt.StrokeDash(
                "provenance:N",
                scale=alt.Scale(domain=_PROVENANCE_ORDER, range=_DASHES),
                title="Value is",
                legend=provenance,
            ),
        )
        .transform_filter("!datum.beyond")
    )
    beyond = (
        base.mark_point(shape="triangle-right", size=130, filled=True, opacity=1)
        .encode(x=alt.X("x:Q", scale=scale), y=y, color=colour)
        .transform_filter("datum.beyond")
    )
    rule = alt.Chart(data[1]).mark_rule(color=THRESHOLD_COLOUR, strokeDash=[4, 3]).encode(x=alt.X("x:Q", scale=scale))
    chart = alt.layer(rule, points, beyond).properties(width=WIDTH - 240, height=height)
    return _config(chart)


def percentiles(model: ChartModel) -> dict[str, Any]:
    """Percentiles per endpoint as dots on one row each; targets' thresholds as dashed ticks with their label."""
    order = tuple(name for name in ("p50", "p90", "p95", "p99") if any(r["percentile"] == name for r in model.rows))
    endpoints = len({r["endpoint"] for r in model.rows})
    shape = (order, model.log_scale, model.unit, bool(model.rules), endpoints)
    return shapes.spec(_percentiles, shape, [model.rows, model.rules])


def _percentiles(shape: tuple[tuple[str, ...], bool, str, bool, int], data: tuple[Any, ...]) -> dict[str, Any]:
    order, log_scale, unit, has_rules, endpoints = shape
    x_scale = alt.Scale(type="log") if log_scale else alt.Scale(zero=True)
    y = alt.Y("endpoint:N", sort=None, title=None, axis=alt.Axis(labelLimit=200))
    x_title = f"latency ({unit})" if unit else "latency"
    dots = (
        alt.Chart(data[0])
        .mark_point(filled=True, size=70, opacity=1)
        .encode(
            x=alt.X("value:Q", scale=x_scale, title=x_title),
            y=y,
            color=alt.Color(
                "percentile:N",
                scale=alt.Scale(domain=list(order), range=list(SERIES_COLOURS[: len(order)])),
                title="Percentile",
            ),
            shape=alt.Shape("percentile:N", scale=alt.Scale(domain=list(order)), title="Percentile"),
        )
    )
    layers: list[alt.Chart] = [dots]
    if has_rules:
        rules = alt.Chart(data[1])
        layers.append(
            rules.mark_tick(color=THRESHOLD_COLOUR, thickness=2, strokeDash=[3, 2], size=ROW_HEIGHT).encode(
                x=alt.X("threshold:Q", scale=x_scale), y=y
            )
        )
        layers.append(
            rules.mark_text(align="left", dx=4, dy=-ROW_HEIGHT / 2 + 1, fontSize=9, color=THRESHOLD_COLOUR).encode(
                x=alt.X("threshold:Q", scale=x_scale), y=y, text="label:N"
            )
        )
    chart = alt.layer(*layers).properties(width=WIDTH - 160, height=max(ROW_HEIGHT * endpoints, 40))
    return _config(chart)


SPECS = {"glance": glance, "percentiles": percentiles}


def spec(model: ChartModel) -> dict[str, Any]:
    return SPECS[model.kind](model)


def over_time(model: ChartModel) -> dict[str, Any]:
    """One panel per quantity (independent y scales), lines by name; threshold rules on the latency panel."""
    panels = tuple(dict.fromkeys(str(r["panel"]) for r in model.rows))
    lines = tuple(dict.fromkeys(str(r["line"]) for r in model.rows))
    rows = [{**r, "layer": "line"} for r in model.rows] + [{**r, "layer": "rule"} for r in model.rules]
    return shapes.spec(_over_time, (panels, lines, bool(model.rules)), [rows])


def _over_time(shape: tuple[tuple[str, ...], tuple[str, ...], bool], data: tuple[Any, ...]) -> dict[str, Any]:
    panels, lines, has_rules = shape
    colour = alt.Color(
        "line:N",
        scale=alt.Scale(domain=list(lines), range=[SERIES_COLOURS[i % len(SERIES_COLOURS)] for i in range(len(lines))]),
        title="Line",
    )
    base = alt.Chart(data[0])
    drawn = (
        base.mark_line(strokeWidth=1.5, interpolate="linear")
        .encode(
            x=alt.X("t:Q", title="seconds since the first point"),
            y=alt.Y("value:Q", title=None),
            color=colour,
        )
        .transform_filter("datum.layer === 'line'")
    )
    layers: list[Any] = [drawn]
    if has_rules:
        rule = base.transform_filter("datum.layer === 'rule'")
        layers.append(rule.mark_rule(color=THRESHOLD_COLOUR, strokeDash=[4, 3]).encode(y="threshold:Q"))
        layers.append(
            rule.mark_text(align="left", baseline="bottom", x=4, dy=-2, fontSize=9, color=THRESHOLD_COLOUR).encode(
                y="threshold:Q", text="label:N"
            )
        )
    chart = (
        alt.layer(*layers)
        .properties(width=WIDTH - 80, height=110)
        .facet(
            row=alt.Row(
                "panel:N",
                sort=list(panels),
                title=None,
                header=alt.Header(
                    labelAngle=0, labelAlign="left", labelAnchor="start", labelOrient="top", labelFontWeight="bold"
                ),
            )
        )
        .resolve_scale(y="independent")
    )
    return _config(chart)


SPECS["over_time"] = over_time
