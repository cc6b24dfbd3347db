"""Vega-Lite spec of a metric across releases: looks only."""

from __future__ import annotations

from typing import Any

import altair as alt

from reportgen.charts import shapes
from reportgen.charts.models import ChartModel
from reportgen.charts.palette import THRESHOLD_COLOUR, VERDICT_COLOURS
from reportgen.charts.specs import WIDTH, _config

_NO_TARGET_COLOUR = "#4d4d4d"


def trend(model: ChartModel) -> dict[str, Any]:
    """A line through the releases in order; points by verdict and provenance; thresholds as dashed ticks."""
    releases = tuple(str(r["release"]) for r in model.rows)
    verdicts = tuple(v for v in [*VERDICT_COLOURS, "no target"] if any(r["verdict"] == v for r in model.rows))
    rows = [
        {
            **r,
            "fill": "transparent"
            if r["provenance"] == "projected"
            else VERDICT_COLOURS.get(str(r["verdict"]), _NO_TARGET_COLOUR),
        }
        for r in model.rows
        if r["value"] is not None
    ]
    # The releases as shapes.Names: every 20-release window of a metric shares one Altair build (about 0.1 s).
    return shapes.spec(_trend, (shapes.Names(releases), verdicts, model.unit, bool(model.rules)), [rows, model.rules])


def _trend(shape: tuple[tuple[str, ...], tuple[str, ...], str, bool], data: tuple[Any, ...]) -> dict[str, Any]:
    releases, verdicts, unit, has_rules = shape
    colours = [VERDICT_COLOURS.get(v, _NO_TARGET_COLOUR) for v in verdicts]
    x = alt.X("release:O", sort=list(releases), title=None, axis=alt.Axis(labelAngle=0 if len(releases) < 8 else -45))
    y = alt.Y("value:Q", title=unit or None, scale=alt.Scale(zero=False))
    base = alt.Chart(data[0])
    line = base.mark_line(color="#999", strokeWidth=1).encode(x=x, y=y)
    points = base.mark_point(size=90, strokeWidth=2, filled=False, opacity=1).encode(
        x=x,
        y=y,
        color=alt.Color(
            "verdict:N",
            scale=alt.Scale(domain=list(verdicts), range=colours),
            title="Verdict",
            legend=alt.Legend(symbolFillColor="transparent", symbolStrokeWidth=3),
        ),
        fill=alt.Fill("fill:N", scale=None),
        strokeDash=alt.StrokeDash(
            "provenance:N",
            scale=alt.Scale(domain=["measured", "derived", "projected"], range=[[1, 0], [1, 0], [3, 2]]),
            title="Value is",
            legend=alt.Legend(
                symbolFillColor="transparent",
                symbolStrokeColor="#333",
                labelExpr="datum.label === 'projected' ? 'projected (hollow, dashed)' : datum.label + ' (filled)'",
            ),
        ),
    )
    flags = (
        base.transform_filter("datum.regressed")
        .mark_text(dy=-14, fontSize=10, fontWeight="bold", color=VERDICT_COLOURS["fail"])
        .encode(x=x, y=y, text=alt.value("regressed"))
    )
    layers: list[Any] = [line, points, flags]
    if has_rules:
        ticks = alt.Chart(data[1])
        layers.append(
            ticks.mark_tick(color=THRESHOLD_COLOUR, strokeDash=[3, 2], thickness=2, size=28).encode(
                x=x, y="threshold:Q"
            )
        )
        layers.append(
            ticks.mark_text(align="left", dx=16, fontSize=9, color=THRESHOLD_COLOUR).encode(
                x=x, y="threshold:Q", text="label:N"
            )
        )
    width = min(WIDTH, max(240, 60 * len(releases)))
    return _config(alt.layer(*layers).properties(width=width, height=140))


TREND_SPECS = {"trend": trend}
