"""Metrics → values with provenance: measured (from an artifact), derived, projected or missing. Pure."""

from __future__ import annotations

from graphlib import CycleError, TopologicalSorter
from pathlib import Path
from typing import Any

from reportgen import expressions, units
from reportgen.errors import (
    ExpressionError,
    ReportgenError,
    UnitError,
    UnresolvedReferenceError,
    did_you_mean,
    raise_all,
)
from reportgen.load import Loaded
from reportgen.schemas.manifest import Metric
from reportgen.schemas.measurement import Measurement, labels_yaml
from reportgen.schemas.report import Artifact, Evidence, Provenance, ResolvedMetric
from reportgen.suggest import candidates


def _located(loaded: Loaded, index: int, *fields: str | int) -> str:
    return str(loaded.positions.at(("metrics", index, *fields)))


def evidence_for(artifact: Artifact, m: Measurement) -> Evidence:
    """Where a measurement comes from: file, digest, selector, adapter and the raw value as the file gives it."""
    return Evidence(
        path=artifact.path,
        sha256=artifact.sha256,
        selector=m.selector,
        adapter=artifact.extraction.adapter,
        adapter_version=artifact.extraction.adapter_version,
        metric=m.metric,
        stat=m.stat,
        labels=m.labels,
        unit=units.spelled(m.unit, m.metric),  # the tool's "/s" of requests is "req/s", as on every page
        raw_value=m.value,
        estimator=m.estimator,
    )


def _shown_path(path: Path) -> str:
    """A path as a user can paste it: relative to the current folder when it is below it."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def find_measurement(artifact: Artifact, metric: str, stat: str, labels: dict[str, str]) -> Measurement | None:
    """The one measurement with exactly this metric, stat and labels."""
    for m in artifact.extraction.measurements:
        if m.metric == metric and m.stat == stat and m.labels == labels:
            return m
    return None


def _measured(
    loaded: Loaded, index: int, metric: Metric, artifacts: dict[str, Artifact], declared: set[str]
) -> ResolvedMetric:
    source = metric.measured
    assert source is not None
    title = metric.title or metric.id
    if source.artifact not in declared:
        raise UnresolvedReferenceError(
            f"{_located(loaded, index, 'measured', 'artifact')}: metrics[{index}].measured.artifact: "
            f"{source.artifact!r} is not declared; add it under scenarios[].artifacts or artifacts"
        )
    artifact = artifacts.get(source.artifact)
    if artifact is None:  # a draft release whose artifact is not there yet
        return ResolvedMetric(
            id=metric.id,
            title=title,
            unit=metric.unit or "",
            value=None,
            provenance="missing",
            note=f"artifact {source.artifact} is not present",
        )
    found = find_measurement(artifact, source.metric, source.stat, source.labels)
    if found is None:
        raise UnresolvedReferenceError(
            f"{_located(loaded, index, 'measured')}: metrics[{index}].measured: {source.artifact} has no "
            f"measurement metric={source.metric!r} stat={source.stat!r} labels={labels_yaml(source.labels)}; "
            f"{candidates(artifact, source.metric, source.stat, source.labels, artifacts.values())}. "
            f"`reportgen extract {_shown_path(loaded.positions.path.parent / source.artifact)}` lists them all"
        )
    try:
        return measured_metric(metric, artifact, found, metric_id=metric.id, title=title)
    except UnitError as exc:
        raise UnitError(f"{_located(loaded, index, 'unit')}: metrics[{index}].unit: {exc}") from None


def measured_metric(
    metric: Metric, artifact: Artifact, found: Measurement, *, metric_id: str, title: str
) -> ResolvedMetric:
    """A metric's value from one measurement, in the metric's unit, with its evidence."""
    unit = metric.unit if metric.unit is not None else units.spelled(found.unit, found.metric)
    try:
        value = None if found.value is None else units.convert(found.value, found.unit, unit)
    except UnitError:
        given = units.unit(found.unit).dimension
        raise UnitError(
            f"{metric.unit!r} is a {units.unit(unit).dimension} unit, but {artifact.path} gives this value in "
            f"{found.unit or 'no unit'} ({given}); use a unit of that dimension or leave unit out"
        ) from None
    return ResolvedMetric(
        id=metric_id,
        title=title,
        unit=unit,
        value=value,
        provenance="measured" if value is not None else "missing",
        evidence=evidence_for(artifact, found),
        note=None if value is not None else "the artifact has no value for it (e.g. N/A: no samples)",
    )


def _expression_field(metric: Metric) -> str:
    """Where a metric's expression is written: derived, or projected (its from)."""
    return "derived" if metric.derived is not None else "projected"


def _literal_message(metric: Metric, numbers: list[str]) -> str:
    """Refuse a number in derived:, showing both honest spellings of what it means."""
    expression = metric.derived or ""
    first = numbers[0]
    named = expression.replace(first, "factor", 1)
    return (
        f"{expression!r} contains the number {', '.join(numbers)}: a number written into a derived metric is an "
        f"assumption nobody measured, so the result would look measured when it is not (only 0 and 1 may appear). "
        f'Either compute a projection from the measurements: projected: {{from: "{expression}", method: ..., '
        f"basis: ...}}; or name the number as a projected metric, e.g. {{id: factor, projected: {{value: {first}, "
        f'method: ..., basis: ...}}}}, and write derived: "{named}" (the result is then badged projected). '
        f"Averages and totals need no number: mean(a, b, ...), sum(...), min(...), max(...); unit conversions "
        f"need none either: give each input its unit and declare the result's unit"
    )


def _computed(loaded: Loaded, index: int, metric: Metric, done: dict[str, ResolvedMetric]) -> ResolvedMetric:
    """A derived metric, or a projection computed with projected.from: arithmetic on quantities with units."""
    expression = metric.expression
    assert expression is not None and metric.unit is not None
    field = _expression_field(metric)
    inputs = expressions.names(expression)
    parts = [done[name] for name in inputs]
    base: dict[str, Any] = dict(
        id=metric.id, title=metric.title or metric.id, unit=metric.unit, expression=expression, inputs=inputs
    )
    if metric.projected is not None:
        base["projection"] = metric.projected.model_copy(update={"unit": metric.unit})
    if missing := [p.id for p in parts if p.value is None]:
        return ResolvedMetric(**base, value=None, provenance="missing", note=f"input(s) missing: {', '.join(missing)}")
    values = {p.id: units.quantity(p.value, p.unit) for p in parts if p.value is not None}
    try:
        value = units.magnitude(expressions.evaluate(expression, values), metric.unit)
    except expressions.Undefined as undefined:
        return ResolvedMetric(**base, value=None, provenance="missing", note=undefined.reason)
    except (ExpressionError, UnitError) as exc:
        raise type(exc)(f"{_located(loaded, index, field)}: metrics[{index}].{field}: {exc}") from None
    if metric.projected is not None:
        return ResolvedMetric(**base, value=value, provenance="projected", note=f"computed from {expression}")
    projected = [p for p in parts if p.provenance == "projected"]
    provenance: Provenance = "projected" if projected else "derived"
    note = None
    if projected:
        # Say what the projection rests on, so the footnote is as honest as a typed projection's.
        reasons = [
            f"{p.id} ({p.projection.method}; {p.projection.basis})" if p.projection else f"{p.id} ({p.note})"
            for p in projected
        ]
        note = f"{expression}, with projected input(s): {'; '.join(reasons)}"
    return ResolvedMetric(**base, value=value, provenance=provenance, note=note)


def resolve(loaded: Loaded, artifacts: list[Artifact]) -> list[ResolvedMetric]:
    """Resolve every metric of a manifest, derived ones after their inputs; cycles and unknown names are errors."""
    manifest = loaded.manifest
    by_path = {a.path: a for a in artifacts}
    declared = {ref.path for _, ref in manifest.all_artifacts()}
    index_of = {m.id: i for i, m in enumerate(manifest.metrics)}
    errors: list[ReportgenError] = []
    graph: dict[str, list[str]] = {}
    for i, metric in enumerate(manifest.metrics):
        expression = metric.expression
        if expression is None:
            graph[metric.id] = []
            continue
        field = _expression_field(metric)
        where = f"{_located(loaded, i, field)}: metrics[{i}].{field}"
        try:
            used = expressions.names(expression)
            numbers = expressions.literals(expression) if metric.derived is not None else []
        except ExpressionError as exc:
            errors.append(ExpressionError(f"{where}: {exc}"))
            continue
        if numbers:
            errors.append(ExpressionError(f"{where}: {_literal_message(metric, numbers)}"))
        unknown = [n for n in used if n not in index_of]
        if unknown:
            errors.append(
                UnresolvedReferenceError(
                    f"{where}: unknown metric(s) {', '.join(unknown)}; defined: {', '.join(index_of)}"
                    f"{did_you_mean(unknown[0], index_of)}"
                )
            )
        graph[metric.id] = [n for n in used if n in index_of]
    raise_all(errors)
    try:
        order = list(TopologicalSorter(graph).static_order())
    except CycleError as exc:
        cycle = " → ".join(exc.args[1])
        first = exc.args[1][0]
        raise UnresolvedReferenceError(
            f"{_located(loaded, index_of[first], _expression_field(manifest.metrics[index_of[first]]))}: "
            f"derived metrics form a cycle: {cycle}"
        ) from None
    done: dict[str, ResolvedMetric] = {}
    for metric_id in order:
        i = index_of[metric_id]
        metric = manifest.metrics[i]
        try:
            if metric.measured is not None:
                done[metric_id] = _measured(loaded, i, metric, by_path, declared)
            elif metric.expression is not None:
                if all(name in done for name in graph[metric_id]):  # else an input's error is already reported
                    done[metric_id] = _computed(loaded, i, metric, done)
            elif metric.missing is not None:
                done[metric_id] = ResolvedMetric(
                    id=metric.id,
                    title=metric.title or metric.id,
                    unit=metric.unit or "",
                    value=None,
                    provenance="missing",
                    note=f"declared missing: {metric.missing.reason}",
                )
            else:
                done[metric_id] = _projected(loaded, i, metric)
        except ReportgenError as exc:
            errors.append(exc)
    raise_all(errors)
    return [done[m.id] for m in manifest.metrics]


def _projected(loaded: Loaded, index: int, metric: Metric) -> ResolvedMetric:
    projection = metric.projected
    assert projection is not None and projection.value is not None
    # A bare number ("value: 48") is in the metric's own unit.
    source_unit = projection.unit or (metric.unit or "")
    unit = metric.unit if metric.unit is not None else source_unit
    try:
        value = units.convert(projection.value, source_unit, unit)
    except UnitError as exc:
        raise UnitError(f"{_located(loaded, index, 'projected')}: metrics[{index}].projected: {exc}") from None
    return ResolvedMetric(
        id=metric.id,
        title=metric.title or metric.id,
        unit=unit,
        value=value,
        provenance="projected",
        projection=projection.model_copy(update={"unit": source_unit}),
        carried_from=projection.carried_from,
        note=f"carried over from {projection.carried_from}, not re-estimated" if projection.carried_from else None,
    )
