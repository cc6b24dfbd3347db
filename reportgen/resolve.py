"""Metrics → values with provenance: measured (from an artifact), derived, projected or missing. Pure."""

from __future__ import annotations

import difflib
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

from reportgen import expressions, units
from reportgen.errors import ExpressionError, ReportgenError, UnitError, UnresolvedReferenceError, raise_all
from reportgen.load import Loaded
from reportgen.schemas.manifest import Metric
from reportgen.schemas.measurement import Measurement, labels_yaml
from reportgen.schemas.report import Artifact, Evidence, Provenance, ResolvedMetric


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
        unit=m.unit,
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


def _candidates(artifact: Artifact, metric: str, stat: str, labels: dict[str, str]) -> str:
    """What the artifact does offer, in a stable order, with the closest match first when there is one."""
    measurements = artifact.extraction.measurements
    same = [m for m in measurements if m.metric == metric]
    if not same:
        names = sorted({m.metric for m in measurements})
        close = difflib.get_close_matches(metric, names, n=1)
        hint = f"did you mean metric {close[0]!r}? " if close else ""
        return hint + f"metrics in this file: {', '.join(names[:20])}" + (", …" if len(names) > 20 else "")
    with_stat = [m for m in same if m.stat == stat]
    if not with_stat:
        stats = sorted({m.stat for m in same})
        close = difflib.get_close_matches(stat, stats, n=1)
        return (f"did you mean stat {close[0]!r}? " if close else "") + f"stats of {metric}: {', '.join(stats)}"
    label_sets = sorted({labels_yaml(m.labels) for m in with_stat}, key=lambda text: (len(text), text))
    close = difflib.get_close_matches(labels_yaml(labels), label_sets, n=1)
    hint = f"did you mean labels {close[0]}? " if close else ""
    return hint + f"labels of {metric} {stat}: {', '.join(label_sets[:10])}" + (", …" if len(label_sets) > 10 else "")


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
            f"{_candidates(artifact, source.metric, source.stat, source.labels)}. "
            f"`reportgen extract {_shown_path(loaded.positions.path.parent / source.artifact)}` lists them all"
        )
    unit = metric.unit if metric.unit is not None else found.unit
    try:
        value = None if found.value is None else units.convert(found.value, found.unit, unit)
    except UnitError:
        given = units.unit(found.unit).dimension
        raise UnitError(
            f"{_located(loaded, index, 'unit')}: metrics[{index}].unit: {metric.unit!r} is a "
            f"{units.unit(unit).dimension} unit, but {source.artifact} gives this value in {found.unit or 'no unit'} "
            f"({given}); use a unit of that dimension or leave unit out"
        ) from None
    evidence = evidence_for(artifact, found)
    return ResolvedMetric(
        id=metric.id,
        title=title,
        unit=unit,
        value=value,
        provenance="measured" if value is not None else "missing",
        evidence=evidence,
        note=None if value is not None else "the artifact has no value for it (e.g. N/A: no samples)",
    )


def _check_dimension(expression: str, unit: str, dimensions: dict[str, str]) -> None:
    """The expression's dimension must fit its declared unit: req/s + ms, or a latency declared in %, is an error."""
    result = expressions.dimension(expression, dimensions)
    declared = units.unit(unit).dimension
    plain = {"none", "ratio", "count"}
    if result in (expressions.UNKNOWN, declared) or (result in plain and declared in plain):
        return
    raise UnitError(f"the expression gives a {result} quantity, but unit {unit!r} is a {declared} unit")


def _derived(loaded: Loaded, index: int, metric: Metric, done: dict[str, ResolvedMetric]) -> ResolvedMetric:
    assert metric.derived is not None and metric.unit is not None
    inputs = expressions.names(metric.derived)
    parts = [done[name] for name in inputs]
    base = dict(
        id=metric.id, title=metric.title or metric.id, unit=metric.unit, expression=metric.derived, inputs=inputs
    )
    if missing := [p.id for p in parts if p.value is None]:
        return ResolvedMetric(**base, value=None, provenance="missing", note=f"input(s) missing: {', '.join(missing)}")
    # Inputs enter in their dimension's canonical unit (ms, ratio, /s, B, count); the result is in the
    # canonical unit of the declared unit's dimension, then shown in the declared unit.
    values = {p.id: units.to_canonical(p.value, p.unit) for p in parts if p.value is not None}
    try:
        _check_dimension(metric.derived, metric.unit, {p.id: units.unit(p.unit).dimension for p in parts})
        canonical = expressions.evaluate(metric.derived, values)
        value = units.convert(canonical, units.canonical_symbol(metric.unit), metric.unit)
    except (ExpressionError, UnitError) as exc:
        raise type(exc)(f"{_located(loaded, index, 'derived')}: metrics[{index}].derived: {exc}") from None
    projected = [p for p in parts if p.provenance == "projected"]
    provenance: Provenance = "projected" if projected else "derived"
    note = None
    if projected:
        # Say what the projection rests on, so the footnote is as honest as a typed projection's.
        reasons = [
            f"{p.id} ({p.projection.method}; {p.projection.basis})" if p.projection else f"{p.id} ({p.note})"
            for p in projected
        ]
        note = f"{metric.derived}, with projected input(s): {'; '.join(reasons)}"
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
        if metric.derived is None:
            graph[metric.id] = []
            continue
        try:
            used = expressions.names(metric.derived)
        except ExpressionError as exc:
            errors.append(ExpressionError(f"{_located(loaded, i, 'derived')}: metrics[{i}].derived: {exc}"))
            continue
        unknown = [n for n in used if n not in index_of]
        if unknown:
            errors.append(
                UnresolvedReferenceError(
                    f"{_located(loaded, i, 'derived')}: metrics[{i}].derived: unknown metric(s) {', '.join(unknown)}; "
                    f"defined: {', '.join(index_of)}"
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
            f"{_located(loaded, index_of[first], 'derived')}: derived metrics form a cycle: {cycle}"
        ) from None
    done: dict[str, ResolvedMetric] = {}
    for metric_id in order:
        i = index_of[metric_id]
        metric = manifest.metrics[i]
        try:
            if metric.measured is not None:
                done[metric_id] = _measured(loaded, i, metric, by_path, declared)
            elif metric.derived is not None:
                if all(name in done for name in graph[metric_id]):  # else an input's error is already reported
                    done[metric_id] = _derived(loaded, i, metric, done)
            else:
                done[metric_id] = _projected(loaded, i, metric)
        except ReportgenError as exc:
            errors.append(exc)
    raise_all(errors)
    return [done[m.id] for m in manifest.metrics]


def _projected(loaded: Loaded, index: int, metric: Metric) -> ResolvedMetric:
    projection = metric.projected
    assert projection is not None
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
    )
