"""Sign-off decisions against the release verdict: approving a release that does not pass is explicit. Pure
(except that an error reads signoffs.yaml again for the line and column it names).

A plain ``approve`` of a release whose verdict is not PASS needs a comment saying why; ``conditional``
states its condition by its nature. Either is then shown as "approved despite FAIL" (or UNVERIFIED,
WAIVED, NO TARGETS) wherever the sign-off state appears: never as a plain "approve" beside a red FAIL.
A stale sign-off approved other evidence, so it is not judged against today's verdict.
"""

from __future__ import annotations

from pathlib import Path

from reportgen.errors import ManifestError, ReportgenError, raise_all
from reportgen.load import read_yaml
from reportgen.schemas.manifest import SignOff
from reportgen.schemas.report import ReleaseVerdict, SignOffState

#: Decisions that approve the release (conditional approves it on a stated condition).
APPROVING = ("approve", "conditional")


def approval_problem(signoff: SignOff, verdict: ReleaseVerdict) -> str | None:
    """Why this sign-off cannot stand as written against ``verdict``, or None."""
    if signoff.decision == "approve" and verdict != "pass" and not (signoff.comment or "").strip():
        return (
            f"{signoff.name} ({signoff.role}) approves a release whose verdict is {verdict.upper()}: "
            "write decision: conditional, or add a comment saying why it is approved anyway"
        )
    return None


def with_verdict(states: list[SignOffState], verdict: ReleaseVerdict, path: Path) -> list[SignOffState]:
    """Each current sign-off marked with the verdict it approves despite; explicitness errors at their position."""
    errors: list[ReportgenError] = []
    marked: list[SignOffState] = []
    for index, state in enumerate(states):
        if state.stale:
            marked.append(state)
            continue
        if (problem := approval_problem(state.signoff, verdict)) is not None:
            where = read_yaml(path).positions.at(("signoffs", index, "decision"))
            errors.append(ManifestError(where, f"signoffs[{index}].decision: {problem}"))
        despite = verdict if state.signoff.decision in APPROVING and verdict != "pass" else None
        marked.append(state.model_copy(update={"despite": despite}))
    raise_all(errors)
    return marked


def decision_text(state: SignOffState) -> str:
    """``approve``, or ``approved despite FAIL`` / ``approved on condition despite UNVERIFIED``."""
    decision = state.signoff.decision
    if state.despite is None:
        return decision
    how = "approved" if decision == "approve" else "approved on condition"
    return f"{how} despite {state.despite.upper()}"
