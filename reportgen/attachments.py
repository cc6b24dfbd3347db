"""Attachments: documents a release keeps as evidence without reading numbers from them.

A legacy report a figure was copied from, a screenshot, another team's PDF: each is hashed, linked
from the page, copied unchanged into the site and covered by the evidence digest, so a changed or
deleted attachment makes sign-offs stale and ``reportgen verify`` fail, like an artifact.
"""

from __future__ import annotations

from pathlib import Path

from reportgen import named_files
from reportgen.collect import leaves_release
from reportgen.errors import ArtifactError, ManifestError, ReportgenError, raise_all
from reportgen.input_cache import FileDigests
from reportgen.load import Loaded
from reportgen.project import MANIFEST, SIGNOFFS, outside
from reportgen.schemas.report import Attachment


def collect_attachments(
    release_dir: Path, loaded: Loaded, digests: FileDigests | None = None
) -> tuple[list[Attachment], list[str]]:
    """Hash every declared attachment (``digests``: kept by file status; default: hash each); absent files are an
    error in a final release and a warning in a draft."""
    digests = digests or FileDigests(None)
    manifest = loaded.manifest
    artifact_paths = {ref.path for _, ref in manifest.all_artifacts()}
    found: list[Attachment] = []
    warnings: list[str] = []
    errors: list[ReportgenError] = []
    seen: set[str] = set()
    for index, ref in enumerate(manifest.attachments):
        at = loaded.positions.at(("attachments", index))
        if ref.path in artifact_paths or ref.path in (MANIFEST, SIGNOFFS):
            what = "an artifact" if ref.path in artifact_paths else "reportgen's own file"
            errors.append(ManifestError(at, f"attachments[{index}]: {ref.path!r} is {what}; list it once"))
            continue
        if ref.path in seen:
            errors.append(ManifestError(at, f"attachments[{index}]: {ref.path!r} is already attached"))
            continue
        seen.add(ref.path)
        path = release_dir / ref.path
        if (real := outside(release_dir, ref.path)) is not None:
            errors.append(ArtifactError(at, leaves_release("attachment", ref.path, real)))
            continue
        if (reason := named_files.not_a_file(path)) is not None:
            errors.append(ArtifactError(at, f"attachment {ref.path!r} {reason}"))
            continue
        if not path.is_file():
            if manifest.status == "final":
                errors.append(ArtifactError(at, f"attachment {ref.path!r} does not exist in {release_dir}"))
            else:
                warnings.append(f"{MANIFEST}:{at.line}:{at.column}: attachment {ref.path!r} is not there yet")
            continue
        sha, size = digests.sha256(path)
        title = ref.title or Path(ref.path).name
        found.append(Attachment(path=ref.path, title=title, description=ref.description, sha256=sha, size=size))
    raise_all(errors)
    return found, warnings
