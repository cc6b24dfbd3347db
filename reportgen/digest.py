"""The evidence digest: what a sign-off signs. Changes when the manifest or any artifact changes."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from reportgen.schemas.manifest import SignOff
from reportgen.schemas.report import Artifact, Attachment, SignOffState

#: The rule of :func:`evidence_digest` in words, as claims.json states it for auditors.
DIGEST_METHOD = (
    "SHA-256 over UTF-8 lines joined by LF (no final newline): 'release.yaml <sha256 of release.yaml>', then "
    "'<path> <sha256>' for every artifact and attachment, path relative to the release folder, sorted by path; "
    "written as sha256:<hex>"
)


def evidence_digest(manifest_sha256: str, artifacts: Sequence[Artifact], attachments: Sequence[Attachment] = ()) -> str:
    """sha256 over ``release.yaml <sha>`` and one ``<path> <sha>`` line per artifact and attachment, by path."""
    files = [(a.path, a.sha256) for a in artifacts] + [(a.path, a.sha256) for a in attachments]
    lines = [f"release.yaml {manifest_sha256}", *sorted(f"{path} {sha}" for path, sha in files)]
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
