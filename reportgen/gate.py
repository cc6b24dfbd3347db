"""What ``reportgen check`` checks and whether it lets CI through: release selection and the gate. Pure
except for reading manifests to find the newest release.

``check`` exits 0 exactly when every checked release's verdict is **pass** (and, with ``--strict``,
every should-target passes too; with ``--require-signoff``, every checked release has a current
approval). A release with no must-target is **no targets**, never a pass; checking nothing at all
(an empty results/) is not a pass either.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from reportgen.errors import ReportgenError, raise_all
from reportgen.exits import EXIT_NOT_PASS, EXIT_OK
from reportgen.lint import Finding
from reportgen.load import load_manifest
from reportgen.ordering import newest_first
from reportgen.project import MANIFEST, Project
from reportgen.schemas.report import ReleaseResult

#: Said when results/ holds no release at all: checking nothing is not a pass.
NO_RELEASES = (
    "no releases in results/ yet, so nothing is validated (exit 1). Start one with `reportgen new v1.0.0`, "
    "copy the tools' raw files into results/v1.0.0/ and describe them in its release.yaml"
)

#: Sign-off decisions that count as an approval for --require-signoff.
APPROVALS = ("approve", "conditional")


@dataclass(frozen=True)
class GateOptions:
    strict: bool = False  # should-targets that do not pass fail the gate too
    require_signoff: bool = False  # a current (bound, not stale) approval is required


@dataclass(frozen=True)
class Gate:
    """Whether one release lets CI through, and every reason it does not."""

    release: str
    reasons: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.reasons


def select_releases(project: Project, names: list[str], latest: bool) -> list[str]:
    """The releases to check: those named, the newest one (``latest``), or every release."""
    known = project.release_ids()
    if names:
        return names
    if not latest or not known:
        return known
    return [newest_release(project, known)]


def newest_release(project: Project, known: list[str]) -> str:
    """The newest release by manifest date, then version order; every manifest must load to be compared."""
    dates: list[tuple[str, dt.date]] = []
    errors: list[ReportgenError] = []
    for release in known:
        try:
            manifest = load_manifest(project.release_dir(release) / MANIFEST).manifest
        except ReportgenError as exc:
            errors.append(exc)
            continue
        dates.append((release, manifest.date))
    raise_all(errors)
    return newest_first(dates, lambda item: item)[0][0]


def gate_release(result: ReleaseResult, options: GateOptions) -> Gate:
    reasons: list[str] = []
    if result.verdict != "pass":
        reasons.append(f"release verdict is {result.verdict.upper()}, not PASS")
    if options.strict:
        reasons += [
            f"should-target {t.key} is {t.verdict.upper()} (--strict)"
            for t in result.targets
            if t.target.severity == "should" and t.verdict != "pass"
        ]
    if options.require_signoff:
        reasons += _signoff_reasons(result)
    return Gate(release=result.id, reasons=reasons)


def _signoff_reasons(result: ReleaseResult) -> list[str]:
    # A sign-off whose SSH signature does not match it counts for nothing, and says so.
    forged = [s.signoff for s in result.signoffs if s.signature == "bad signature"]
    bad = [f"the signature of {s.name} ({s.role}) does not match the sign-off (--require-signoff)" for s in forged]
    current = [s for s in result.signoffs if s.bound and not s.stale and s.signature != "bad signature"]
    rejects = [s.signoff for s in current if s.signoff.decision == "reject"]
    if rejects:
        return bad + [f"rejected by {s.name} ({s.role}) on {s.date} (--require-signoff)" for s in rejects]
    if any(s.signoff.decision in APPROVALS for s in current):
        return bad
    stale_states = [s for s in result.signoffs if s.stale and s.signoff.decision in APPROVALS]
    stale = [s.signoff for s in stale_states]
    unbound = [s.signoff for s in result.signoffs if not s.bound and s.signoff.decision in APPROVALS]
    if stale:
        who = ", ".join(f"{s.name} ({s.role})" for s in stale)
        changed = sorted({change for s in stale_states for change in s.changes})
        what = f" (changed: {'; '.join(changed)})" if changed else ""
        why = (
            f"every approval is stale: the evidence changed since {who} signed{what}; "
            "re-sign the current digest with `reportgen sign`"
        )
    elif unbound:
        why = "no approval records the evidence digest it approved (evidence_digest in signoffs.yaml)"
    else:
        why = "no approval in signoffs.yaml"
    return [*bad, f"{why} (--require-signoff; current digest {result.evidence_digest})"]


def gate(results: list[ReleaseResult], options: GateOptions, findings: Sequence[Finding] = ()) -> list[Gate]:
    """Each release's gate; error-level narrative lint findings (:mod:`reportgen.lint`) fail it too."""
    gates = []
    pages = sum(1 for f in findings if f.severity == "error" and f.release is None)
    for result in results:
        reasons = gate_release(result, options).reasons
        errors = sum(1 for f in findings if f.severity == "error" and f.release == result.id)
        if errors:
            reasons.append(f"narrative: {errors} lint error{'s' if errors > 1 else ''} (listed above)")
        if pages:
            reasons.append(f"site_docs pages: {pages} lint error{'s' if pages > 1 else ''} (listed above)")
        gates.append(Gate(release=result.id, reasons=reasons))
    return gates


def exit_code(gates: list[Gate]) -> int:
    """0 exactly when something was checked and every checked release passes its gate."""
    return EXIT_OK if gates and all(g.ok for g in gates) else EXIT_NOT_PASS
