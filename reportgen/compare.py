"""A release against its baseline: values, deltas and whether each change is noise. Computed, never typed. Pure
given a :class:`~reportgen.samples.SampleSource` (which reads raw files once).

Each row's word: **improved** or **regressed** when the 95 % interval of the change excludes 0
(:mod:`reportgen.compare_stats`), **no significant change** when it does not, and **not tested for
noise** when either release has only a summary of that figure. Which way is better comes from the
metric's ``better:``, else its target or guard, else its kind: durations and failure shares are
better lower, throughput and pass shares higher. Rows come most important first: significant
regressions of must-targets' metrics, then should-targets', then the rest.
"""

from __future__ import annotations

import json
import re
from typing import Literal, Protocol

from reportgen import units
from reportgen.cache import code_digest, derived
from reportgen.compare_stats import difference
from reportgen.errors import UnitError
from reportgen.result_cache import identity
from reportgen.sample_store import SampleStore
from reportgen.samples import Samples, SampleSource
from reportgen.schemas.manifest import Manifest
from reportgen.schemas.report import Artifact, Change, ComparisonRow, Direction, ReleaseResult, ResolvedMetric

#: Relative changes smaller than this are "unchanged" in the raw direction (the word of an untested row).
UNCHANGED_BELOW_PERCENT = 1.0

Better = Literal["lower", "higher"]
_WORSE_WHEN_HIGH = re.compile(r"fail|error|err\b|drop|timeout|reject|lost|loss", re.IGNORECASE)
_BETTER_WHEN_HIGH = re.compile(r"pass|success|succeed|\bok\b|hit|availab|uptime", re.IGNORECASE)


class Side(Protocol):
    """What a comparison reads of a release: its manifest (directions, severities) and artifacts (samples)."""

    @property
    def id(self) -> str: ...
    @property
    def manifest(self) -> Manifest: ...
    @property
    def artifacts(self) -> list[Artifact]: ...


def _judging_rule(result: Side, metric_id: str) -> tuple[str, float, str] | None:
    """How the release judges this metric: its `better:`, else (comparator, threshold, unit) of its first target or guard."""
    declared = next((m.better for m in result.manifest.metrics if m.id == metric_id), None)
    if declared is not None:
        return ("<" if declared == "lower" else ">"), 0.0, ""
    for target in result.manifest.targets:
        if target.metric == metric_id and target.comparator is not None and target.threshold is not None:
            return target.comparator, target.threshold.value, target.threshold.unit
        if target.metric == metric_id and target.relative is not None and target.relative.comparator is not None:
            return target.relative.comparator, 0.0, ""  # "<= -20 %": lower is better
        for guard in target.guards:
            if guard.metric == metric_id and guard.comparator and guard.threshold:
                return guard.comparator, guard.threshold.value, guard.threshold.unit
    return None


def default_better(metric: ResolvedMetric) -> Better | None:
    """Which way is better by the metric's kind: durations lower, rates higher, shares and counts by their name."""
    dimension = units.unit(metric.unit).dimension
    if dimension == "time":
        return "lower"
    if dimension in ("rate", "bytes/s"):
        return "higher"
    if dimension in ("ratio", "count"):
        words = f"{metric.id} {metric.title} {metric.evidence.metric if metric.evidence else ''}"
        if _WORSE_WHEN_HIGH.search(words):
            return "lower"
        if _BETTER_WHEN_HIGH.search(words):
            return "higher"
    return None


def better_of(result: Side, metric: ResolvedMetric) -> Better | None:
    rule = _judging_rule(result, metric.id)
    if rule is not None and rule[0] in ("<", "<="):
        return "lower"
    if rule is not None and rule[0] in (">", ">="):
        return "higher"
    return default_better(metric)


def _direction(
    old: float, new: float, unit: str, rule: tuple[str, float, str] | None, better: Better | None
) -> Direction:
    """improved / regressed by the rule's comparator (nearer the threshold for ==), else by the kind's default;
    "changed" only when nothing says which way is better."""
    if rule is not None and rule[0] == "==":
        target = units.convert(rule[1], rule[2], unit)
        return "improved" if abs(new - target) < abs(old - target) else "regressed"
    if better is None:
        return "changed"
    return "improved" if (new < old) == (better == "lower") else "regressed"


def _samples(source: SampleSource | None, result: Side, metric: ResolvedMetric) -> Samples | str | None:
    """The raw samples behind a measured figure, or why there are none."""
    if metric.provenance != "measured" or metric.evidence is None:
        return f"{metric.provenance}, not read from raw samples"
    if source is None:
        return "raw samples not read"
    evidence = metric.evidence
    artifact = next(a for a in result.artifacts if a.path == evidence.path)
    found = source.samples(result.id, artifact, evidence.metric, evidence.labels)
    return found if found is not None else f"{evidence.path} holds a summary, not the samples"


def _severity(result: Side, metric_id: str) -> str | None:
    """The severity of the targets that judge this metric, directly or through a guard ("must" wins)."""
    severities = {
        t.severity
        for t in result.manifest.targets
        if t.metric == metric_id or any(g.metric == metric_id for g in t.guards)
    }
    return "must" if "must" in severities else ("should" if severities else None)


def _tested(
    row: ComparisonRow,
    old: Samples | str | None,
    new: Samples | str | None,
    stat: str,
    seed: str,
    store: SampleStore | None = None,
) -> ComparisonRow:
    if isinstance(old, str) or isinstance(new, str) or old is None or new is None:
        why = next((s for s in (new, old) if isinstance(s, str)), "no samples")
        return row.model_copy(update={"untested_because": why})
    test = difference(old, new, stat, row.unit, seed, store)
    if test is None:
        return row.model_copy(update={"untested_because": f"a {stat} has no bootstrap interval here"})
    change: Change = "no significant change"
    if test.significant:
        change = "improved" if (test.low > 0) == (row.better == "higher") else "regressed"
        if row.better is None:
            change = "n/a"  # significant, but nothing says which way is better
    return row.model_copy(
        update={
            "change": change,
            "low": test.low,
            "high": test.high,
            "n_baseline": test.n_old,
            "n_current": test.n_new,
            "subsampled": test.subsampled,
            "method": test.method,
        }
    )


def importance(row: ComparisonRow) -> tuple[int, int]:
    """Sort key: significant regressions first (must-targets' before should-targets' before the rest)."""
    group = {"regressed": 0, "not tested for noise": 1, "improved": 2, "n/a": 3, "no significant change": 4}
    severity = {"must": 0, "should": 1}.get(row.severity or "", 2)
    return group[row.change], severity


def compare_metric(
    current: Side, metric: ResolvedMetric, baseline: Side, old: ResolvedMetric, samples: SampleSource | None = None
) -> ComparisonRow | None:
    """One metric of ``current`` against the same metric of ``baseline``; None when its unit changed meaning."""
    try:
        old_value = None if old.value is None else units.convert(old.value, old.unit, metric.unit)
    except UnitError:
        return None  # the metric changed meaning between releases; nothing to compare
    better = better_of(current, metric)
    delta = delta_percent = None
    direction: Direction = "n/a"
    if old_value is not None and metric.value is not None:
        delta = metric.value - old_value
        delta_percent = None if old_value == 0 else delta / abs(old_value) * 100
        if delta == 0 or (delta_percent is not None and abs(delta_percent) < UNCHANGED_BELOW_PERCENT):
            direction = "unchanged"
        else:
            direction = _direction(old_value, metric.value, metric.unit, _judging_rule(current, metric.id), better)
    row = ComparisonRow(
        metric=metric.id,
        title=metric.title,
        unit=metric.unit,
        baseline=old_value,
        current=metric.value,
        baseline_provenance=old.provenance,
        current_provenance=metric.provenance,
        delta=delta,
        delta_percent=delta_percent,
        direction=direction,
        better=better,
        severity=_severity(current, metric.id),
        change="n/a" if delta is None else "not tested for noise",
    )
    if delta is None:
        return row
    stat = metric.evidence.stat if metric.evidence else ""
    seed = (
        f"{metric.id}:{old.evidence.sha256 if old.evidence else ''}:{metric.evidence.sha256 if metric.evidence else ''}"
    )
    store = samples.store if samples is not None else None
    return _tested(row, _samples(samples, baseline, old), _samples(samples, current, metric), stat, seed, store)


def compare(
    current: ReleaseResult, baseline: ReleaseResult, samples: SampleSource | None = None
) -> list[ComparisonRow]:
    """One row per metric id present in both releases, most important first (manifest order within a rank).

    Within a build the rows come from the cache when the same two results were compared before (the bootstrap and
    reading raw samples cost seconds per release; the release page and the trends page both ask)."""
    key = f"comparison {code_digest()}\0{samples is not None}\0{identity(current)}\0{identity(baseline)}"
    # Python's json keeps a NaN or an infinity as it was (pydantic's JSON would turn it into null).
    rows = derived(
        "comparisons", key, lambda: json.dumps([r.model_dump() for r in _compare(current, baseline, samples)])
    )
    return [ComparisonRow.model_validate(row) for row in json.loads(rows)]


def _compare(current: ReleaseResult, baseline: ReleaseResult, samples: SampleSource | None) -> list[ComparisonRow]:
    before = {m.id: m for m in baseline.metrics}
    rows = [
        row
        for metric in current.metrics
        if (old := before.get(metric.id)) is not None
        and (row := compare_metric(current, metric, baseline, old, samples)) is not None
    ]
    order = {row.metric: i for i, row in enumerate(rows)}
    return sorted(rows, key=lambda r: (*importance(r), order[r.metric]))
