"""Vega-Lite specs of the breakdown charts (distribution, failures by cause, k6 checks): looks only."""

from __future__ import annotations

from typing import Any

import altair as alt

from reportgen.charts import shapes
from reportgen.charts.models import ChartModel
from reportgen.charts.palette import SERIES_COLOURS, THRESHOLD_COLOUR, VERDICT_COLOURS
from reportgen.charts.specs import ROW_HEIGHT, WIDTH, _config


def distribution(model: ChartModel) -> dict[str, Any]:
    """One ECDF step line per endpoint; targets on percentiles as labelled crosses."""
    endpoints = tuple(dict.fromkeys(str(r["endpoint"]) for r in model.rows))
    shape = (endpoints, model.log_scale, model.unit, bool(model.rules))
    return shapes.spec(_distribution, shape, [model.rows, model.rules])


def _distribution(shape: tuple[tuple[str, ...], bool, str, bool], data: tuple[Any, ...]) -> dict[str, Any]:
    endpoints, log_scale, unit, has_rules = shape
    x_scale = alt.Scale(type="log") if log_scale else alt.Scale(zero=True)
    colour = alt.Color(
        "endpoint:N",
        scale=alt.Scale(
            domain=list(endpoints), range=[SERIES_COLOURS[i % len(SERIES_COLOURS)] for i in range(len(endpoints))]
        ),
        title="Endpoint",
    )
    x = alt.X("value:Q", scale=x_scale, title=f"latency ({unit})" if unit else "latency")
    lines = (
        alt.Chart(data[0])
        .mark_line(interpolate="step-after", strokeWidth=1.5)
        .encode(
            x=x,
            y=alt.Y("share:Q", scale=alt.Scale(domain=[0, 1]), axis=alt.Axis(format="%"), title="share at or below"),
            color=colour,
            strokeDash=alt.StrokeDash("endpoint:N", scale=alt.Scale(domain=list(endpoints)), title="Endpoint"),
        )
    )
    layers: list[Any] = [lines]
    if has_rules:
        targets = alt.Chart(data[1])
        layers.append(
            targets.mark_point(shape="cross", size=120, filled=True, color=THRESHOLD_COLOUR, opacity=1).encode(
                x=alt.X("threshold:Q", scale=x_scale), y="share:Q"
            )
        )
        layers.append(
            targets.mark_text(align="left", dx=4, fontSize=9, color=THRESHOLD_COLOUR).encode(
                x=alt.X("threshold:Q", scale=x_scale), y="label_at:Q", text="label:N"
            )
        )
    return _config(alt.layer(*layers).properties(width=WIDTH - 140, height=220))


def failures(model: ChartModel) -> dict[str, Any]:
    """Horizontal bars, one per cause, largest first, each labelled with its count."""
    return shapes.spec(_failures, max(ROW_HEIGHT * len(model.rows), 30), [model.rows])


def _failures(height: int, data: tuple[Any, ...]) -> dict[str, Any]:
    y = alt.Y("cause:N", sort=None, title=None, axis=alt.Axis(labelLimit=320))
    base = alt.Chart(data[0])
    bars = base.mark_bar(color=VERDICT_COLOURS["fail"]).encode(x=alt.X("count:Q", title="failed requests"), y=y)
    labels = base.mark_text(align="left", dx=3, fontSize=10, color="#333").encode(x="count:Q", y=y, text="count:Q")
    return _config(alt.layer(bars, labels).properties(width=WIDTH - 220, height=height))


def checks(model: ChartModel) -> dict[str, Any]:
    """Stacked bars per check: passed in the pass colour, failed in the fail colour, hatched by outcome name."""
    return shapes.spec(_checks, max(ROW_HEIGHT * len({r["check"] for r in model.rows}), 30), [model.rows])


def _checks(height: int, data: tuple[Any, ...]) -> dict[str, Any]:
    y = alt.Y("check:N", sort=None, title=None, axis=alt.Axis(labelLimit=320))
    colour = alt.Color(
        "outcome:N",
        scale=alt.Scale(domain=["passed", "failed"], range=[VERDICT_COLOURS["pass"], VERDICT_COLOURS["fail"]]),
        title="Outcome",
    )
    bars = (
        alt.Chart(data[0])
        .mark_bar()
        .encode(
            x=alt.X("count:Q", stack="zero", title="check runs"),
            y=y,
            color=colour,
            order=alt.Order("outcome:N", sort="descending"),
        )
    )
    return _config(bars.properties(width=WIDTH - 220, height=height))


BREAKDOWN_SPECS = {"distribution": distribution, "failures": failures, "checks": checks}
