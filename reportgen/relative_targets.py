"""Targets judged against the baseline release, and "marginal" targets. Pure given a
:class:`~reportgen.samples.SampleSource` (which reads raw files once).

A target with ``relative:`` instead of ``comparator`` + ``threshold`` is judged against the value
of the same metric in the release the manifest names as ``baseline:``, with exactly the comparison
the release page and ``reportgen compare`` show (:func:`reportgen.compare.compare_metric`: the same
change, the same seeded bootstrap interval, the same word). After the rules every target follows
(no value → missing; projected → unverified; a guard → invalid), in this order:

1. no ``baseline:``, the baseline has no such metric or no value of it → **unverified**, saying which
2. the baseline's value is projected → **unverified**: a projection is never a pass, nor the basis of one
3. ``no worse within noise``: a significant regression → **fail**; improved or no significant change
   → **pass**; not tested for noise (a summary on either side) → **unverified**: "within noise"
   cannot be known without the samples
4. a change rule (``"<= -20 %"``: at least 20 % below the baseline's value): the bound is the baseline's
   value moved by the change, and the verdict is the point estimate against it (**pass** or **fail**,
   tested for noise or not); when the 95 % interval of the change straddles the bound, the target is
   **marginal**: the verdict stays the rule's, and the page says another run could give the other one.

A measured figure with raw samples also gets its own 95 % interval (:func:`compare_stats.interval`), and
an absolute target whose threshold lies inside it is marked marginal the same way.
"""

from __future__ import annotations

from dataclasses import dataclass

from reportgen import units
from reportgen.compare import compare_metric
from reportgen.compare_stats import interval, straddles
from reportgen.comparison import change_text
from reportgen.evaluate import COMPARATORS, WORDS
from reportgen.samples import SampleSource
from reportgen.schemas.manifest import Manifest, Quantity, RelativeRule, Target
from reportgen.schemas.report import Artifact, RelativeResult, ReleaseResult, ResolvedMetric, Verdict

#: How a change rule reads: (comparator, the change is below 0) → words before "{size} {below|above} {baseline}'s".
_PHRASE = {
    ("<=", True): "at least",
    ("<", True): "more than",
    ("<=", False): "at most",
    ("<", False): "less than",
    (">=", False): "at least",
    (">", False): "more than",
    (">=", True): "at most",
    (">", True): "less than",
}


@dataclass(frozen=True)
class Current:
    """The release being judged, as the comparison reads it (its targets are not judged yet)."""

    id: str
    manifest: Manifest
    artifacts: list[Artifact]


def rule_text(rule: RelativeRule, baseline: str | None) -> str:
    """``at least 20 % below v1.1.0's``, ``no worse than v1.1.0 within noise``."""
    name = baseline or "the baseline"
    if rule.within_noise or rule.comparator is None or rule.change is None:
        return f"no worse than {name} within noise"
    size = f"{units.format_value(abs(rule.change), '')} {rule.unit}".rstrip()
    below = rule.change < 0
    return f"{_PHRASE[(rule.comparator, below)]} {size} {'below' if below else 'above'} {name}'s"


def _bound(rule: RelativeRule, baseline_value: float, unit: str) -> float:
    """The baseline's value moved by the rule's change, in ``unit`` (the metric's)."""
    assert rule.change is not None
    if rule.percent:
        return baseline_value * (1 + rule.change / 100)
    if rule.unit == "pp":
        return baseline_value + units.convert(rule.change, "%", unit)
    return baseline_value + units.convert(rule.change, rule.unit, unit)


class Judge:
    """Judges the relative targets of one release against its baseline, and finds each figure's own interval."""

    def __init__(
        self, current: Current, baseline: ReleaseResult | None, samples: SampleSource | None, why_none: str = ""
    ) -> None:
        self._current = current
        self._baseline = baseline
        self._samples = samples
        self._why_none = why_none or "the manifest names no baseline: release, so there is nothing to be relative to"

    def details(self, target: Target, subject: ResolvedMetric) -> RelativeResult:
        """The baseline's value, the change and its noise test, for a target with ``relative:``."""
        rule = target.relative
        assert rule is not None
        base = self._baseline
        text = rule_text(rule, base.id if base else self._current.manifest.baseline)
        empty = RelativeResult(rule=text, baseline=base.id if base else None, baseline_metric=subject.id)
        old = next((m for m in base.metrics if m.id == subject.id), None) if base else None
        if base is None or old is None:
            return empty
        row = compare_metric(self._current, subject, base, old, self._samples)
        bound = None
        if row is not None and row.baseline is not None and rule.change is not None and old.provenance != "projected":
            bound = Quantity(value=_bound(rule, row.baseline, subject.unit), unit=subject.unit)
        return empty.model_copy(update={"baseline_provenance": old.provenance, "threshold": bound, "comparison": row})

    def verdict(self, target: Target, subject: ResolvedMetric, found: RelativeResult) -> tuple[Verdict, str, bool]:
        """(verdict, reason, marginal) of a relative target whose own value is measured and whose guards held."""
        rule = target.relative
        assert rule is not None
        base = self._baseline
        if base is None:
            return "unverified", f"no baseline: {self._why_none}", False
        if found.baseline_provenance is None:
            return "unverified", f"the baseline {base.id} has no metric {subject.id}", False
        row = found.comparison
        if row is None or row.baseline is None:
            return "unverified", f"{base.id}'s {subject.id} has no value ({found.baseline_provenance})", False
        if found.baseline_provenance == "projected":
            return (
                "unverified",
                f"{base.id}'s {subject.id} is projected, not measured: a projection is never a pass, "
                "nor the basis of one",
                False,
            )
        assert subject.value is not None and row.delta is not None
        shown = units.format_value(subject.value, subject.unit)
        against = f"{shown} against {base.id}'s {units.format_value(row.baseline, subject.unit)}"
        text = change_text(row)
        change = f"change {text.delta}" + ("" if text.interval == "—" else f", 95 % interval {text.interval}")
        if rule.within_noise:
            if row.change == "regressed":
                return "fail", f"regressed beyond noise: {against} ({change})", False
            if row.change in ("improved", "no significant change"):
                return "pass", f"{row.change}: {against} ({change})", False
            if row.change == "n/a":
                return "unverified", f"nothing says which way is better for {subject.id}: set better: on it", False
            why = row.untested_because or "no raw samples"
            return "unverified", f"not tested for noise ({why}), so 'within noise' cannot be judged: {against}", False
        assert rule.comparator is not None and found.threshold is not None
        bound = found.threshold.value
        ok = COMPARATORS[rule.comparator](subject.value, bound)
        limit = f"{WORDS[rule.comparator]} {units.format_value(bound, subject.unit)} ({found.rule})"
        reason = f"{against}, {'' if ok else 'not '}{limit} ({change})"
        if row.low is None or row.high is None:
            reason += f"; not tested for noise ({row.untested_because or 'no raw samples'})"
        marginal = straddles(row.low, row.high, bound - row.baseline)
        return ("pass" if ok else "fail"), reason, marginal

    def own_interval(self, subject: ResolvedMetric, unit: str) -> tuple[float, float] | None:
        """The 95 % interval of a measured figure from its raw samples, in ``unit``; None without samples."""
        evidence = subject.evidence
        if self._samples is None or subject.provenance != "measured" or evidence is None:
            return None
        artifact = next((a for a in self._current.artifacts if a.path == evidence.path), None)
        if artifact is None:
            return None
        labels = _labels(evidence.labels)
        key = (artifact.sha256, artifact.extraction.adapter, evidence.metric, labels, evidence.stat, unit, subject.id)
        if key not in _INTERVALS:
            found = self._samples.samples(self._current.id, artifact, evidence.metric, evidence.labels)
            seed = f"{subject.id}:{evidence.sha256}"
            if len(_INTERVALS) > MAX_REMEMBERED:
                _INTERVALS.clear()
            _INTERVALS[key] = None if found is None else interval(found, evidence.stat, unit, seed, self._samples.store)
        return _INTERVALS[key]


#: Intervals computed in this process, by everything they depend on (the file's SHA-256, the slice, the
#: statistic, the unit, the seed's metric id): the same figure is bootstrapped once per process.
_INTERVALS: dict[tuple[str, ...], tuple[float, float] | None] = {}
MAX_REMEMBERED = 4096


def _labels(labels: dict[str, str]) -> str:
    return "\x00".join(f"{k}={v}" for k, v in sorted(labels.items()))
