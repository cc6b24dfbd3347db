"""The charts stage: release results → chart models → Vega-Lite → static SVG, per release page.

Public entry point: :func:`release_charts`. Pure apart from running vl-convert in process;
the same results always give the same bytes.
"""

from __future__ import annotations

import sys
from typing import Any

from reportgen.charts import absent, breakdowns, models, over_time, svg
from reportgen.charts.models import ChartModel
from reportgen.samples import SampleSource
from reportgen.schemas.page import Chart, ChartGroup
from reportgen.schemas.report import Artifact, ReleaseResult


def __getattr__(name: str) -> Any:
    """``SPECS``, every chart kind → its Vega-Lite spec, made on first use: the spec modules import Altair, most
    of the import time of a rebuild whose charts all come from the cache (which builds no spec)."""
    if name != "SPECS":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from reportgen.charts import breakdown_specs, specs, trend_specs

    made = {**specs.SPECS, **breakdown_specs.BREAKDOWN_SPECS, **trend_specs.TREND_SPECS}
    globals()["SPECS"] = made
    return made


def spec_of(model: ChartModel) -> dict[str, Any]:
    specs: dict[str, Any] = getattr(sys.modules[__name__], "SPECS")  # noqa: B009 - made on first use (above)
    spec: dict[str, Any] = specs[model.kind](model)
    return spec


def _cell(value: object) -> str:
    """A number drawn, as the table of numbers shows it: counts without ``.0``, others as computed."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return f"{value:,.0f}"
    return str(value)


def render(model: ChartModel) -> Chart:
    """A chart model drawn: SVG with ids prefixed by the chart's id, and the table of what it draws."""
    drawn = svg.inline(svg.model_svg(model, lambda: spec_of(model)), model.id, model.alt)
    rows = [[_cell(row.get(key)) for key, _ in model.columns] for row in model.rows]
    return Chart(
        id=model.id,
        kind=model.kind,
        title=model.title,
        svg=drawn,
        alt=model.alt,
        caption=model.caption,
        columns=[title for _, title in model.columns],
        rows=rows,
    )


def _best(candidates: list[ChartModel]) -> ChartModel | None:
    """Of the charts several artifacts of one scenario could give, the one drawing the most (first on ties)."""
    return max(candidates, key=lambda m: len(m.rows), default=None)


def _scenario_charts(
    result: ReleaseResult, artifacts: list[Artifact], samples: SampleSource | None
) -> tuple[list[ChartModel], list[str]]:
    """The charts of one scenario's artifacts, and why any was left out."""
    found: list[ChartModel] = []
    notes: list[str] = []
    percentiles = _best([c for a in artifacts if (c := models.latency_percentiles(result, a)) is not None])
    if percentiles is not None:
        found.append(percentiles)
    for artifact in artifacts:
        extra = samples.series(result.id, artifact) if samples is not None else []
        reason = over_time.not_drawn(artifact, extra)
        chart = over_time.over_time(result, artifact, extra) if reason is None else None
        if chart is not None:
            found.append(chart)
        notes += [reason] if reason is not None else []
    if samples is not None:
        distribution = _best([c for a in artifacts if (c := breakdowns.distribution(result, a, samples)) is not None])
        if distribution is not None:
            found.append(distribution)
    found += [c for a in artifacts if (c := breakdowns.failures_by_cause(a)) is not None]
    checks = _best([c for a in artifacts if (c := breakdowns.checks(a)) is not None])
    if checks is not None:
        found.append(checks)
    return found, notes


def release_charts(result: ReleaseResult, samples: SampleSource | None = None) -> tuple[Chart | None, list[ChartGroup]]:
    """Targets at a glance, and each scenario's charts in manifest order (scenarios without charts left out)."""
    glance = models.targets_at_a_glance(result)
    groups: list[ChartGroup] = []
    by_scenario: dict[str | None, list[Artifact]] = {}
    for artifact in result.artifacts:
        by_scenario.setdefault(artifact.scenario, []).append(artifact)
    titles = {s.id: s.title for s in result.manifest.scenarios}
    for scenario, artifacts in by_scenario.items():
        charts, left_out = _scenario_charts(result, artifacts, samples)
        # a chart left out for its span is said once, by its reason, not again as "would need a stream"
        drawn = {c.kind for c in charts} | ({"over_time"} if left_out else set())
        notes = left_out + _absent(artifacts, drawn, samples is not None)
        if charts or notes:
            title = titles.get(scenario or "", "Artifacts outside a scenario")
            groups.append(ChartGroup(title=title, charts=[render(c) for c in charts], notes=notes, scenario=scenario))
    return (None if glance is None else render(glance)), groups


def _absent(artifacts: list[Artifact], drawn: set[str], samples_read: bool) -> list[str]:
    """The lines saying which charts a load-test scenario lacks and what would give them (one tool per scenario:
    the first load tool among its artifacts). A distribution is only missed when raw samples were looked for."""
    tool = next((t for a in artifacts if (t := absent.tool_of(a.extraction.adapter)) is not None), None)
    if tool is None:
        return []
    return absent.absent_notes(tool, drawn if samples_read else drawn | {"distribution"})
