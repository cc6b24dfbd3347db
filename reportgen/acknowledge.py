"""Warnings with stable ids, and the ones a manifest acknowledges. Pure.

Every warning of a release gets an id: its kind (``artifact``, ``attachment``, ``target``,
``files-disagree``, ``acknowledge``) and eight hex digits of the SHA-256 of its text, so the same
inputs always give the same id and a changed warning gets a new one (and is loud again). A manifest
acknowledges a warning by id with a reason::

    acknowledge:
      - {warning: files-disagree-1f3a9c07, reason: Locust's CSV lags its JSON; metrics use the JSON}

An acknowledged warning is listed as such on the page and not repeated by ``check``, ``build`` and
``serve``; an acknowledgement that matches no warning is itself a warning, so none hides a change.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from reportgen.load import Loaded
from reportgen.schemas.report import Finding


def warning_id(kind: str, message: str) -> str:
    return f"{kind}-{hashlib.sha256(message.encode()).hexdigest()[:8]}"


def findings(kind: str, messages: Iterable[str]) -> list[Finding]:
    return [Finding(id=warning_id(kind, message), message=message) for message in messages]


def acknowledge(found: list[Finding], loaded: Loaded) -> list[Finding]:
    """Mark the findings the manifest acknowledges; an acknowledgement of no current warning is a warning."""
    reasons = {a.warning: a.reason for a in loaded.manifest.acknowledge}
    marked = [f.model_copy(update={"acknowledged": reasons.get(f.id)}) for f in found]
    known = {f.id for f in found}
    unused: list[str] = []
    for index, ack in enumerate(loaded.manifest.acknowledge):
        if ack.warning not in known:
            where = loaded.positions.at(("acknowledge", index, "warning"))
            unused.append(
                f"release.yaml:{where.line}:{where.column}: acknowledge[{index}].warning: no warning of this release "
                f"has id {ack.warning!r} (a warning whose text changed gets a new id; current ids: "
                f"{', '.join(sorted(known)) or 'none'})"
            )
    return marked + findings("acknowledge", unused)
