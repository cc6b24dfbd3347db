"""Targets with ``each: LABEL``: one verdict per value of that label. Pure.

``{metric: p95, each: name, comparator: "<", threshold: 200 ms}`` with ``p95`` measured as
``{artifact: k6/stream.ndjson.gz, metric: http_req_duration, stat: p95}`` judges the p95 of every
endpoint the artifact has (every measurement with exactly the metric's labels plus ``name``), each
with its own evidence. The expansions are keyed ``p95[name=checkout]``, listed in label order under
the one target. A guard whose metric is measured expands with the same label value where its
artifact has it, so "p95 per endpoint, valid only if that endpoint's error rate < 1 %" is one target.
A waiver of the target applies to each expansion.
"""

from __future__ import annotations

from collections.abc import Mapping

from reportgen.errors import UnitError, UnresolvedReferenceError
from reportgen.load import Loaded
from reportgen.resolve import find_measurement, measured_metric
from reportgen.schemas.manifest import Guard, Metric, Target, Waiver
from reportgen.schemas.measurement import labels_yaml
from reportgen.schemas.report import Artifact, ResolvedMetric


def _values(artifact: Artifact, metric: Metric, label: str) -> list[str]:
    source = metric.measured
    assert source is not None
    found = {
        m.labels[label]
        for m in artifact.extraction.measurements
        if m.metric == source.metric
        and m.stat == source.stat
        and label in m.labels
        and {k: v for k, v in m.labels.items() if k != label} == source.labels
    }
    return sorted(found)


def _per_value(metric: Metric, artifact: Artifact, label: str, value: str) -> ResolvedMetric | None:
    source = metric.measured
    assert source is not None
    found = find_measurement(artifact, source.metric, source.stat, {**source.labels, label: value})
    if found is None:
        return None
    title = f"{metric.title or metric.id} ({label}: {value})"
    return measured_metric(metric, artifact, found, metric_id=f"{metric.id}[{label}={value}]", title=title)


def expand_targets(
    loaded: Loaded, metrics: Mapping[str, ResolvedMetric], artifacts: Mapping[str, Artifact], waivers: dict[str, Waiver]
) -> tuple[list[Target], dict[str, ResolvedMetric]]:
    """Targets with each expanded (others as they are), the per-value metrics they judge, and ``waivers``
    extended to the expansions' keys."""
    manifest = loaded.manifest
    declared = {m.id: m for m in manifest.metrics}
    expanded: list[Target] = []
    extra: dict[str, ResolvedMetric] = {}
    for i, target in enumerate(manifest.targets):
        label = target.each
        if label is None:
            expanded.append(target)
            continue
        where = f"{loaded.positions.at(('targets', i, 'each'))}: targets[{i}].each"
        metric = declared[target.metric]
        if metric.measured is None:
            raise UnresolvedReferenceError(
                f"{where}: each: needs a measured metric (one measurement per label value); {metric.id} is not"
            )
        if label in metric.measured.labels:
            raise UnresolvedReferenceError(
                f"{where}: {metric.id} already selects {label}: {metric.measured.labels[label]}; "
                f"leave {label} out of its labels to judge every value"
            )
        artifact = artifacts.get(metric.measured.artifact)
        if artifact is None:  # a draft without the artifact: the one target is missing
            expanded.append(target)
            continue
        values = _values(artifact, metric, label)
        if not values:
            raise UnresolvedReferenceError(
                f"{where}: {artifact.path} has no {metric.measured.stat} of {metric.measured.metric} with labels "
                f"{labels_yaml(metric.measured.labels)} plus {label}; `reportgen extract` lists the labels it has"
            )
        for value in values:
            try:
                subject = _per_value(metric, artifact, label, value)
                guards = [_guard(g, declared, artifacts, label, value, extra) for g in target.guards]
            except UnitError as exc:
                raise UnitError(f"{where}: {exc}") from None
            assert subject is not None  # _values found it
            extra[subject.id] = subject
            key = f"{target.key}[{label}={value}]"
            title = f"{target.title} ({label}: {value})" if target.title else None
            expanded.append(
                target.model_copy(
                    update={"id": key, "metric": subject.id, "guards": guards, "title": title, "each": None}
                )
            )
            if target.key in waivers:
                waivers[key] = waivers[target.key]
    return expanded, extra


def _guard(
    guard: Guard,
    declared: Mapping[str, Metric],
    artifacts: Mapping[str, Artifact],
    label: str,
    value: str,
    extra: dict[str, ResolvedMetric],
) -> Guard:
    """The guard on the same label value where its measured metric has one; the guard as written otherwise."""
    metric = declared.get(guard.metric or "")
    if metric is None or metric.measured is None or label in metric.measured.labels:
        return guard
    artifact = artifacts.get(metric.measured.artifact)
    per_value = None if artifact is None else _per_value(metric, artifact, label, value)
    if per_value is None:
        return guard
    extra[per_value.id] = per_value
    return guard.model_copy(update={"metric": per_value.id})
