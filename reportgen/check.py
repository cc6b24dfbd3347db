"""``reportgen check``: analyse the selected releases, lint them, gate them, write the CI reports, and say it
as text or as JSON.

The CI report paths are refused before anything is read (:func:`reportgen.ci_report.guard`); the rules of
selection and of the gate are :mod:`reportgen.gate`'s.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from reportgen import ci_report, units
from reportgen.analyse import analyse
from reportgen.evaluate import counts_text, verdict_label
from reportgen.gate import Gate, GateOptions, exit_code, gate, select_releases
from reportgen.lint import Finding, lint
from reportgen.project import Project
from reportgen.schemas.check import CheckAcknowledged, CheckGate, CheckRelease, CheckTarget
from reportgen.schemas.report import ReleaseResult
from reportgen.signoffs import describe as describe_signoff


@dataclass(frozen=True)
class Checked:
    """What one ``check`` found: a result and a gate per checked release, and the lint findings."""

    results: list[ReleaseResult]
    gates: list[Gate]
    findings: list[Finding]

    @property
    def exit_code(self) -> int:
        return exit_code(self.gates)


def check(
    project: Project,
    releases: list[str],
    latest: bool,
    options: GateOptions,
    summary: Path | None = None,
    junit: Path | None = None,
) -> Checked:
    """Check ``releases`` (or the newest, or all), writing the summary and JUnit report when asked.

    No release to check gives an empty :class:`Checked` (exit 1, :data:`reportgen.gate.NO_RELEASES`) and
    writes nothing.
    """
    summary, junit = ci_report.guard(project, summary, junit)  # refused before anything is read
    wanted = select_releases(project, releases, latest)
    if not wanted:
        return Checked([], [], [])
    results = analyse(project, wanted)
    findings = lint(project, results)
    gates = gate(results, options, findings)
    ci_report.write_reports(project, results, gates, summary, junit)
    return Checked(results, gates, findings)


def verdict_table(result: ReleaseResult) -> str:
    """The release's targets as an aligned plain-text table: severity, threshold, value with provenance, verdict."""
    rows = [("target", "severity", "threshold", "value", "verdict")]
    for t in result.targets:
        value = units.format_value(t.value, t.unit)
        rows.append(
            (
                t.key,
                t.target.severity,
                t.rule,
                f"{value} [{t.provenance}]",
                verdict_label(t),
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(5)]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def release_text(result: ReleaseResult) -> str:
    """One release as ``check`` prints it: verdict line, table, why each target does not pass, sign-offs."""
    counts = counts_text(result.targets)
    lines = [f"{result.id} ({result.manifest.date}): {result.verdict.upper()}" + (f" — {counts}" if counts else "")]
    lines.append(
        verdict_table(result) if result.targets else "  (no targets: nothing is validated, so it is not a pass)"
    )
    lines += [f"  {target.key}: {target.reason}" for target in result.targets if target.verdict != "pass"]
    if result.verdict == "no targets" and result.targets:
        lines.append("  no must-target: should-targets are reported but do not decide the release")
    lines += [f"  sign-off: {describe_signoff(state)}" for state in result.signoffs]
    return "\n".join(lines) + "\n"


def check_json(result: ReleaseResult, release_gate: Gate) -> CheckRelease:
    """One item of ``check --json`` (schema: ``reportgen schema --check``)."""
    return CheckRelease(
        release=result.id,
        verdict=result.verdict,
        counts=result.counts,
        evidence_digest=result.evidence_digest,
        targets=[
            CheckTarget(
                id=t.key,
                severity=t.target.severity,
                comparator=t.target.comparator,
                threshold=t.threshold,
                rule=t.rule,
                value=t.value,
                unit=t.unit,
                provenance=t.provenance,
                verdict=t.verdict,
                reason=t.reason,
                projected_to_miss=t.projected_to_miss,
                low=t.low,
                high=t.high,
                marginal=t.marginal,
                relative=t.relative,
            )
            for t in result.targets
        ],
        gate=CheckGate(passes=release_gate.ok, reasons=release_gate.reasons),
        warnings=result.warnings,
        warning_ids=[f.id for f in result.loud],
        acknowledged=[
            CheckAcknowledged(id=f.id, message=f.message, reason=f.acknowledged or "")
            for f in result.findings
            if f.acknowledged
        ],
    )


def as_json(checked: Checked) -> str:
    """``check --json``: a JSON array with one item per checked release."""
    return json.dumps(
        [check_json(r, g).model_dump(mode="json") for r, g in zip(checked.results, checked.gates, strict=True)],
        indent=2,
        allow_nan=False,  # JSON has no Infinity or NaN: refused inputs never get this far
    )
