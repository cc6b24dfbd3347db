"""``reportgen explain RELEASE FIGURE``: the whole chain behind one figure, as text for a terminal.

For a target: its rule, guards and the verdict rule that applied, then its metric. For a metric:
measured (artifact, SHA-256, adapter, selector, the raw excerpt holding the value, the unit
conversion), derived (the expression and each input, explained in turn) or projected (method,
basis, range). Any other figure id of the evidence page (a table cell) explains its measurement.
"""

from __future__ import annotations

import difflib
import re

from reportgen import units
from reportgen.analyse import analyse_release
from reportgen.assemble import release_page
from reportgen.compare_stats import METHOD
from reportgen.comparison import change_text, verdict_word
from reportgen.errors import UnresolvedReferenceError
from reportgen.evaluate import WORDS
from reportgen.excerpt import Excerpt, excerpts
from reportgen.figures import slug
from reportgen.project import Project
from reportgen.schemas.report import Artifact, Evidence, RelativeResult, ReleaseResult, ResolvedMetric, TargetResult

#: Which rule of reportgen.evaluate gave each verdict, in the order the rules are tried.
VERDICT_RULES = {
    "missing": "rule 1: the metric has no value → missing",
    "unverified": "rule 2: the value is projected → unverified (a projection is never a pass)",
    "invalid": "rule 3: a guard is tripped or cannot be checked on measured data → invalid",
    "pass": "rule 4: the measured value meets the threshold → pass",
    "fail": "rule 4: the measured value does not meet the threshold → fail",
    "waived": "rule 5: a waiver names this target, which does not pass → waived (never counted as a pass)",
}

#: The same rules for a target with relative: (reportgen.relative_targets), where they differ.
RELATIVE_RULES = {
    "unverified": "rule 2 (relative): the value or the baseline's is projected, the baseline has no value, or "
    "'within noise' was not tested for noise → unverified (never a pass)",
    "pass": "rule 4 (relative): the change from the baseline's value meets the rule → pass",
    "fail": "rule 4 (relative): the change from the baseline's value does not meet the rule → fail",
}


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


class _Explainer:
    def __init__(self, project: Project, result: ReleaseResult) -> None:
        self.folder = project.release_dir(result.id)
        self.result = result
        self.artifacts = {a.path: a for a in result.artifacts}
        self.metrics = {m.id: m for m in result.metrics}
        self._excerpts: dict[str, dict[str, Excerpt]] = {}
        self.lines: list[str] = []

    def say(self, depth: int, text: str) -> None:
        # Text from artifacts is text: control characters (terminal escapes) are shown, never sent.
        self.lines.append("  " * depth + _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text))

    def excerpt(self, evidence: Evidence) -> Excerpt | None:
        artifact = self.artifacts.get(evidence.path)
        if artifact is None:
            return None
        if artifact.path not in self._excerpts:
            self._excerpts[artifact.path] = excerpts(self.folder, artifact)
        return self._excerpts[artifact.path].get(evidence.selector)

    def evidence(self, depth: int, evidence: Evidence, value: float | None, unit: str) -> None:
        artifact: Artifact | None = self.artifacts.get(evidence.path)
        self.say(depth, f"artifact: results/{self.result.id}/{evidence.path}")
        self.say(depth, f"sha256:   {evidence.sha256}" + (f" ({artifact.size:,} bytes)" if artifact else ""))
        self.say(depth, f"adapter:  {evidence.adapter} v{evidence.adapter_version}")
        self.say(depth, f"selector: {evidence.selector}")
        labels = " ".join(f"{k}={v}" for k, v in sorted(evidence.labels.items()))
        raw = units.format_value(evidence.raw_value, evidence.unit)
        self.say(depth, f"reads:    {evidence.stat} of {evidence.metric}{' ' + labels if labels else ''} = {raw}")
        if evidence.estimator:
            self.say(depth, f"percentile rule: {evidence.estimator}")
        found = self.excerpt(evidence)
        if found is not None:
            self.say(depth, f"in the file ({found.where}):")
            for text in found.text.splitlines():
                self.say(depth + 1, text)
        if evidence.raw_value is not None and value is not None and evidence.unit != unit:
            shown = units.format_value(value, unit)
            self.say(
                depth,
                f"unit:     {evidence.raw_value!r} {evidence.unit or '(no unit)'} → {shown} (converted to {unit})",
            )

    def metric(self, depth: int, metric: ResolvedMetric, seen: set[str]) -> None:
        value = units.format_value(metric.value, metric.unit)
        self.say(depth, f"metric {metric.id}: {metric.title} = {value} [{metric.provenance}]")
        depth += 1
        if metric.evidence is not None:
            self.evidence(depth, metric.evidence, metric.value, metric.unit)
        if metric.projection is not None:
            p = metric.projection
            self.say(depth, f"projected, not measured. Method: {p.method}. Basis: {p.basis}.")
            if p.low is not None or p.high is not None:
                self.say(
                    depth,
                    f"range: {p.low if p.low is not None else '?'} to {p.high if p.high is not None else '?'} {p.unit}",
                )
        if metric.expression is not None:
            self.say(depth, f"expression: {metric.expression} (in {metric.unit})")
            for name in metric.inputs:
                if name in seen:
                    self.say(depth + 1, f"metric {name}: explained above")
                    continue
                seen.add(name)
                self.metric(depth + 1, self.metrics[name], seen)
        if metric.note:
            self.say(depth, f"note: {metric.note}")

    def relative(self, found: RelativeResult, unit: str) -> None:
        """The baseline side of a relative target: its value, the change, and the noise test."""
        row = found.comparison
        base = units.format_value(row.baseline if row else None, unit)
        provenance = found.baseline_provenance or "absent"
        self.say(1, f"baseline: {found.baseline or 'none'}'s {found.baseline_metric} = {base} [{provenance}]")
        if row is not None and row.delta is not None:
            text = change_text(row)
            interval = "" if text.interval == "—" else f", 95 % interval {text.interval}"
            why = f" ({row.untested_because})" if row.untested_because else ""
            self.say(1, f"change: {text.delta}{interval}: {verdict_word(row)}{why}")
            if row.method:
                self.say(1, f"tested: {row.method}")

    def target(self, target: TargetResult) -> None:
        t = target.target
        value = units.format_value(target.value, target.unit)
        self.say(0, f"target {target.key} ({t.severity}): {target.title}")
        if t.comparator is not None and t.threshold is not None:
            self.say(1, f"rule: {t.metric} {t.comparator} {t.threshold} ({WORDS[t.comparator]} {t.threshold})")
        else:
            self.say(1, f"rule: {t.metric} {target.rule} (relative: {t.relative.text if t.relative else ''})")
        self.say(1, f"value: {value} [{target.provenance}], in the threshold's unit")
        if target.low is not None and target.high is not None:
            shown = f"{units.format_value(target.low, target.unit)} to {units.format_value(target.high, target.unit)}"
            self.say(1, f"95 % interval of the value: {shown} ({METHOD.replace(' of the difference', '')})")
        if (found := target.relative) is not None:
            self.relative(found, target.unit)
        if target.marginal:
            self.say(1, "marginal: the interval straddles the bound; the verdict is the rule's, another run may differ")
        for guard in target.guards:
            state = {True: "held", False: "TRIPPED", None: "could not be checked"}[guard.ok]
            self.say(1, f"guard: {guard.description}: {state} ({guard.detail})")
        self.say(1, f"verdict: {target.verdict.upper()}: {target.reason}")
        rules = VERDICT_RULES | (RELATIVE_RULES if target.relative is not None else {})
        self.say(1, f"why: {rules.get(target.verdict, target.verdict)}")
        if target.waiver is not None:
            w = target.waiver
            self.say(1, f"waiver: {w.reason} (approved by {w.approver}{f' on {w.date}' if w.date else ''})")
        self.metric(0, self.metrics[t.metric], {t.metric})


def explain(project: Project, release: str, figure: str) -> str:
    """The chain behind ``figure`` (a target id, a metric id, or an evidence-page anchor) in ``release``."""
    result = analyse_release(project, release, project.release_ids())
    explainer = _Explainer(project, result)
    targets = {t.key: t for t in result.targets} | {slug("target", t.key): t for t in result.targets}
    metrics = {m.id: m for m in result.metrics} | {slug("metric", m.id): m for m in result.metrics}
    if figure in targets:
        explainer.target(targets[figure])
    elif figure in metrics:
        explainer.metric(0, metrics[figure], {metrics[figure].id})
    else:
        page = release_page(result, None)
        cell = next((f for f in page.figures if f.id == figure), None)
        if cell is None or cell.evidence is None:
            names = [t.key for t in result.targets] + [m.id for m in result.metrics]
            close = difflib.get_close_matches(figure, names + [f.id for f in page.figures], n=3)
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            raise UnresolvedReferenceError(
                f"{release}: no target, metric or figure {figure!r}{hint} Targets: {', '.join(t.key for t in result.targets) or 'none'}; "
                f"metrics: {', '.join(m.id for m in result.metrics) or 'none'}"
            )
        explainer.say(0, f"figure {cell.id}: {cell.label} = {cell.text} [{cell.provenance}]")
        explainer.evidence(1, cell.evidence, cell.value, cell.unit)
    return "\n".join(explainer.lines) + "\n"
