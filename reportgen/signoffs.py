"""The state of each sign-off: bound to the current evidence or stale (and what changed), and its signature.

A sign-off records the evidence digest it approved. When the digest no longer matches, the sign-off is
**stale** wherever it appears (page, home page, ``check``, claims.json) and says which files or manifest
fields changed since, from what ``reportgen sign`` recorded. A signed sign-off is **verified**, **bad
signature** or **unverifiable** (its key is not in ``allowed_signers``), never silently trusted.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from reportgen import signatures
from reportgen.approval import decision_text
from reportgen.digest import changes_since
from reportgen.schemas.manifest import SignOff
from reportgen.schemas.report import SignOffState


def signoff_states(
    release: str,
    signoffs: list[SignOff],
    digest: str,
    files: Mapping[str, str],
    fields: Mapping[str, str],
    allowed_signers: Path,
) -> list[SignOffState]:
    """Each sign-off with whether it is bound, stale (and what changed since), and its signature's state."""
    states = []
    for s in signoffs:
        stale = s.evidence_digest is not None and s.evidence_digest != digest
        checked = signatures.check(signatures.statement(release, s), s.signature, allowed_signers)
        states.append(
            SignOffState(
                signoff=s,
                bound=s.evidence_digest is not None,
                stale=stale,
                changes=changes_since(s.evidence, s.manifest_fields, files, fields) if stale else [],
                signature=checked.state,
                signature_detail=checked.detail,
            )
        )
    return states


def evidence_state(state: SignOffState) -> str:
    """``current``, ``stale: evidence changed since signing (k6/stream.ndjson.gz)`` or ``not bound to evidence``."""
    if state.stale:
        changed = f" ({'; '.join(state.changes)})" if state.changes else ""
        return f"stale: evidence changed since signing{changed}"
    return "current" if state.bound else "not bound to evidence"


def signature_state(state: SignOffState) -> str:
    """``verified (signed by ada@example.com)``, ``bad signature (…)``, ``unverifiable (…)`` or ``not signed``."""
    if state.signature == "unsigned":
        return "not signed"
    return f"{state.signature} ({state.signature_detail})"


def describe(state: SignOffState) -> str:
    """One line for ``check``: what was decided (``approved despite FAIL``) by whom, and both states."""
    s = state.signoff
    decided = f"{decision_text(state)} by {s.name} ({s.role}), {s.date}"
    return f"{decided}: {evidence_state(state)}; signature {signature_state(state)}"
