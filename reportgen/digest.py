"""The evidence digest: what a sign-off signs. Changes when the manifest or any artifact changes.

Also what a sign-off records beside the digest (each file's SHA-256, a short hash per manifest field),
and how to say from those what changed since. Pure.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence

from reportgen.project import MANIFEST
from reportgen.schemas.manifest import Manifest
from reportgen.schemas.report import Artifact, Attachment

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


def evidence_files(
    manifest_sha256: str, artifacts: Sequence[Artifact], attachments: Sequence[Attachment]
) -> dict[str, str]:
    """Each file the digest covers → its SHA-256, as a sign-off records it to tell later what changed."""
    files = {MANIFEST: manifest_sha256}
    files.update({a.path: a.sha256 for a in artifacts})
    files.update({a.path: a.sha256 for a in attachments})
    return dict(sorted(files.items()))


def _short_hash(value: object) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:16]


def manifest_fields(manifest: Manifest) -> dict[str, str]:
    """A short hash per manifest field, lists by item (``targets[checkout_p95]``), comments and layout ignored."""
    fields: dict[str, str] = {}
    for key, value in manifest.model_dump(mode="json").items():
        if isinstance(value, list) and value and all(isinstance(item, dict) for item in value):
            for index, item in enumerate(value):
                name = next((item[k] for k in ("id", "metric", "target", "path", "title") if item.get(k)), index)
                fields[f"{key}[{name}]"] = _short_hash(item)
        else:
            fields[key] = _short_hash(value)
    return fields


def _differences(then: Mapping[str, str], now: Mapping[str, str]) -> list[str]:
    changed = [name for name in sorted(then.keys() & now.keys()) if then[name] != now[name]]
    changed += [f"{name} (removed)" for name in sorted(then.keys() - now.keys())]
    changed += [f"{name} (added)" for name in sorted(now.keys() - then.keys())]
    return changed


def changes_since(
    files_then: Mapping[str, str] | None,
    fields_then: Mapping[str, str] | None,
    files_now: Mapping[str, str],
    fields_now: Mapping[str, str],
) -> list[str]:
    """What changed since a sign-off recorded its evidence: files, and for release.yaml the fields."""
    if files_then is None:
        return ["the evidence digest (this sign-off records no file list; sign again with `reportgen sign`)"]
    changes = []
    for name in _differences(files_then, files_now):
        if name == MANIFEST and fields_then is not None:
            fields = _differences(fields_then, fields_now)
            name += f" ({', '.join(fields)})" if fields else " (comments or layout only)"
        changes.append(name)
    return changes
