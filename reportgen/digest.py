"""The evidence digest: what a sign-off signs. Changes when the manifest or any artifact changes."""

from __future__ import annotations

import hashlib

from reportgen.schemas.manifest import SignOff
from reportgen.schemas.report import Artifact, SignOffState


def evidence_digest(manifest_sha256: str, artifacts: list[Artifact]) -> str:
    """sha256 over ``release.yaml <sha>`` and one ``<path> <sha>`` line per artifact, sorted by path."""
    lines = [f"release.yaml {manifest_sha256}", *sorted(f"{a.path} {a.sha256}" for a in artifacts)]
    return "sha256:" + hashlib.sha256("\n".join(lines).encode()).hexdigest()


def signoff_states(signoffs: list[SignOff], digest: str) -> list[SignOffState]:
    return [
        SignOffState(
            signoff=s,
            bound=s.evidence_digest is not None,
            stale=s.evidence_digest is not None and s.evidence_digest != digest,
        )
        for s in signoffs
    ]
