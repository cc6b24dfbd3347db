"""Read every declared artifact of a release: its SHA-256 and what its adapter extracts."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from reportgen import adapters, named_files
from reportgen.cache import ExtractionCache, key
from reportgen.errors import ArtifactError, InputError, ReportgenError, raise_all
from reportgen.input_cache import FileDigests
from reportgen.load import Loaded
from reportgen.project import MANIFEST, outside
from reportgen.schemas.manifest import Manifest
from reportgen.schemas.measurement import Extraction
from reportgen.schemas.report import Artifact


def collect(
    release_dir: Path,
    loaded: Loaded,
    cache: ExtractionCache | None = None,
    advance: Callable[[float], None] | None = None,
    digests: FileDigests | None = None,
) -> tuple[list[Artifact], list[str]]:
    """Extract every artifact (or take what the cache holds for its SHA-256); absent files are an error in a
    final release and a warning in a draft. ``digests``: SHA-256s kept by file status (default: hash every file)."""
    digests = digests or FileDigests(None)
    manifest = loaded.manifest
    artifacts: list[Artifact] = []
    warnings: list[str] = []
    errors: list[ReportgenError] = []
    seen: set[str] = set()
    for ref in (ref for _, ref in manifest.all_artifacts()):
        if ref.path in seen:
            continue
        seen.add(ref.path)
        path = release_dir / ref.path
        loc = _artifact_loc(loaded, ref.path)
        if (real := outside(release_dir, ref.path)) is not None:
            errors.append(ArtifactError(loaded.positions.at(loc), leaves_release("artifact", ref.path, real)))
            continue
        if (reason := named_files.not_a_file(path)) is not None:
            errors.append(ArtifactError(loaded.positions.at(loc), f"artifact {ref.path!r} {reason}"))
            continue
        if not path.is_file():
            message = f"artifact {ref.path!r} does not exist in {release_dir}"
            if manifest.status == "final":
                errors.append(ArtifactError(loaded.positions.at(loc), message))
            else:
                # Site-visible text names files relative to the release folder: no machine paths in pages.
                at = loaded.positions.at(loc)
                warnings.append(
                    f"{MANIFEST}:{at.line}:{at.column}: artifact {ref.path!r} is not there yet "
                    "(draft release: the metrics it feeds are missing)"
                )
            continue
        sha, size = digests.sha256(path)
        try:
            extraction = _extract(path, ref.format, sha, manifest, ref.path, cache)
        except InputError as exc:
            errors.append(exc)
            continue
        except ReportgenError as exc:
            errors.append(ArtifactError(loaded.positions.at(loc), str(exc)))
            continue
        if advance is not None:
            advance(size)  # progress: the bytes of this artifact are read
        artifacts.append(
            Artifact(
                path=ref.path, scenario=_scenario_of(loaded, ref.path), sha256=sha, size=size, extraction=extraction
            )
        )
        warnings.extend(f"{ref.path}{f':{w.line}' if w.line else ''}: {w.message}" for w in extraction.warnings)
    raise_all(errors)
    return artifacts, warnings


def _extract(
    path: Path, format_name: str | None, sha: str, manifest: Manifest, relative: str, cache: ExtractionCache | None
) -> Extraction:
    percentiles, slices = _requested_percentiles(manifest, relative), _requested_slices(manifest, relative)
    if cache is None:
        return adapters.extract(path, format_name, percentiles, slices)
    adapter = adapters.get(format_name) if format_name else adapters.detect(path)
    entry = key(sha, adapter.name, adapter.version, percentiles, slices)
    extraction = cache.get(entry)
    if extraction is None:
        extraction = adapters.extract(path, adapter.name, percentiles, slices)
        cache.put(entry, extraction)
    return extraction


def leaves_release(kind: str, path: str, real: Path) -> str:
    """The refusal of a file whose symlink leads out of the release folder (its contents are never read)."""
    return (
        f"{kind} {path!r} is a symbolic link leading outside the release folder (to {real}); "
        "copy the file into the release folder instead"
    )


def _requested_percentiles(manifest: Manifest, path: str) -> list[float]:
    """Percentiles the manifest asks of this artifact (``stat: p97.5``), for adapters that compute from samples."""
    found = {
        p
        for m in manifest.metrics
        if m.measured is not None and m.measured.artifact == path
        if (p := adapters.percentile_of_stat(m.measured.stat)) is not None
    }
    return sorted(found)


def _requested_slices(manifest: Manifest, path: str) -> list[tuple[str, dict[str, str]]]:
    """Label sets the manifest asks of this artifact (``labels: {name: checkout, expected_response: "true"}``),
    for adapters that hold every sample and so can compute any combination."""
    found = {
        (m.measured.metric, tuple(sorted(m.measured.labels.items())))
        for m in manifest.metrics
        if m.measured is not None and m.measured.artifact == path and m.measured.labels
    }
    return [(metric, dict(labels)) for metric, labels in sorted(found)]


def _scenario_of(loaded: Loaded, path: str) -> str | None:
    return next((s for s, ref in loaded.manifest.all_artifacts() if ref.path == path), None)


def _artifact_loc(loaded: Loaded, path: str) -> tuple[str | int, ...]:
    manifest = loaded.manifest
    for s_index, s in enumerate(manifest.scenarios):
        for a_index, a in enumerate(s.artifacts):
            if a.path == path:
                return ("scenarios", s_index, "artifacts", a_index)
    for a_index, a in enumerate(manifest.artifacts):
        if a.path == path:
            return ("artifacts", a_index)
    return ()
