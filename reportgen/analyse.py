"""Run the pure stages for releases: load → collect → resolve → evaluate → sign-off states."""

from __future__ import annotations

from reportgen import analysis_pool, named_files, progress, units
from reportgen.acknowledge import acknowledge, findings
from reportgen.approval import with_verdict
from reportgen.attachments import collect_attachments
from reportgen.cache import ExtractionCache
from reportgen.collect import collect, leaves_release
from reportgen.digest import evidence_digest, evidence_files, manifest_fields
from reportgen.errors import InputError, Position, ReportgenError, UnresolvedReferenceError, raise_all
from reportgen.evaluate import counts, evaluate, release_verdict
from reportgen.input_cache import FileDigests, YamlTrees
from reportgen.load import load_manifest, load_signoffs
from reportgen.narrative import citation_errors, read_narrative
from reportgen.ordering import newest_first
from reportgen.project import MANIFEST, SIGNOFFS, Project, outside
from reportgen.reconcile import disagreements
from reportgen.relative_targets import Current, Judge
from reportgen.resolve import resolve
from reportgen.result_cache import ResultCache, compared_with
from reportgen.samples import SampleSource
from reportgen.schemas.manifest import Manifest
from reportgen.schemas.report import (
    Artifact,
    Attachment,
    ReleaseResult,
    ReleaseVerdict,
    ResolvedMetric,
    SignOffState,
)
from reportgen.signatures import ALLOWED_SIGNERS
from reportgen.signoffs import signoff_states


class Baselines:
    """Releases analysed at most once each, and their raw samples read once: what relative targets compare
    with and what intervals are computed from. Also what reading the inputs again is spared by
    (:mod:`reportgen.input_cache`): file digests kept by file status, unless ``rehash``, and parsed manifests."""

    def __init__(
        self,
        project: Project,
        known: list[str],
        advance: progress.Advance | None = None,
        *,
        rehash: bool = False,
        depth: int | None = None,
    ) -> None:
        self.project, self.known, self.advance = project, known, advance
        #: How many releases deep an analysis goes (None: as deep as baselines name each other): 1, a release
        #: without its baseline; 2, with its baseline analysed without its own (:mod:`reportgen.analysis_pool`).
        self.depth = depth
        self.samples = SampleSource.of(project)
        self.digests = FileDigests.of(project.root, rehash=rehash)
        self.trees = YamlTrees.of(project.root)
        #: Results kept by their inputs (:mod:`reportgen.result_cache`); None: every release is analysed.
        self.results = ResultCache.of(project, self.digests, known)
        self._done: dict[str, ReleaseResult] = {}
        self._busy: set[str] = set()

    def get(self, release: str) -> ReleaseResult | None:
        """The analysed release; None while it is being analysed (baselines that name each other)."""
        if release in self._done:
            return self._done[release]
        if release in self._busy or (self.depth is not None and len(self._busy) >= self.depth):
            return None
        self._busy.add(release)
        try:
            key = self.results.key(release) if self.results is not None else None
            result = self._kept(key)
            if result is None:
                result = analyse_release(self.project, release, self.known, self.advance, self)
                if self.results is not None:
                    against = compared_with(result.manifest)
                    self.results.put(key, result, self._done.get(against) if against else None)
        finally:
            self._busy.discard(release)
        self._done[release] = result
        return result

    def _kept(self, key: str | None) -> ReleaseResult | None:
        """The kept result of the release with this key, if the baseline it compared with is unchanged too."""
        entry = self.results.get(key) if self.results is not None else None
        if entry is None or self.results is None:
            return None
        result, baseline = entry
        if baseline is not None and not self.results.valid(baseline, self.get(baseline[0])):
            return None
        if self.trees is not None:
            self.trees.touch(result.manifest_sha256)
        signoffs = signoffs_of(
            self.project,
            result.manifest,
            result.manifest_sha256,
            result.evidence_digest,
            result.artifacts,
            result.attachments,
            result.verdict,
            self.trees,
        )
        return result.model_copy(update={"signoffs": signoffs})


def _judge(baselines: Baselines, current: Current) -> Judge:
    """The judge of a release's relative targets; the baseline is analysed only when a target needs it."""
    baseline_id = compared_with(current.manifest)
    if baseline_id is None:
        return Judge(current, None, baselines.samples)
    baseline = baselines.get(baseline_id)
    why = "" if baseline is not None else f"{baseline_id} names {current.id} (or a release that does) as its baseline"
    return Judge(current, baseline, baselines.samples, why)


def analyse_release(
    project: Project,
    release: str,
    known: list[str],
    advance: progress.Advance | None = None,
    baselines: Baselines | None = None,
    *,
    rehash: bool = False,
) -> ReleaseResult:
    """One release; ``known`` is every release id in results/ (for messages and the baseline check);
    ``baselines`` shares analysed releases and raw samples between the releases of one run; ``rehash``: hash
    every file's bytes, whatever digests are kept (what a signature or a verification rests on)."""
    baselines = baselines or Baselines(project, known, rehash=rehash)
    folder = project.release_dir(release)
    path = folder / MANIFEST
    if (reason := named_files.not_a_file(path)) is not None:
        raise InputError(Position(path), f"{reason}: the release manifest is a YAML file")
    if not path.is_file():
        raise UnresolvedReferenceError(f"{path}: no such release manifest; releases here: {', '.join(known) or 'none'}")
    for name in (MANIFEST, SIGNOFFS):
        if (real := outside(folder, name)) is not None:
            raise InputError(Position(folder / name), leaves_release("file", name, real))
    loaded = load_manifest(path, baselines.trees)
    if loaded.manifest.release != release:
        raise UnresolvedReferenceError(
            f"{loaded.positions.at(('release',))}: release: {loaded.manifest.release!r} does not match its folder "
            f"name {release!r}; rename one of them"
        )
    baseline = loaded.manifest.baseline
    if baseline == release:
        raise UnresolvedReferenceError(
            f"{loaded.positions.at(('baseline',))}: baseline: {baseline!r} is this release itself; "
            "name an earlier release to compare with, or remove baseline"
        )
    if baseline is not None and baseline not in known:
        raise UnresolvedReferenceError(
            f"{loaded.positions.at(('baseline',))}: baseline: {baseline!r} is not a release in results/; "
            f"releases: {', '.join(known)}"
        )
    narrative = read_narrative(folder, loaded)
    raise_all(citation_errors(loaded, narrative, known))
    artifacts, warnings = collect(folder, loaded, ExtractionCache.of(project.root), advance, baselines.digests)
    attachments, attachment_warnings = collect_attachments(folder, loaded, baselines.digests)
    metrics = resolve(loaded, artifacts)
    judge = _judge(baselines, Current(release, loaded.manifest, artifacts))
    targets, target_warnings, per_value = evaluate(loaded, metrics, artifacts, judge)
    metrics = metrics + per_value  # the metrics each: targets judge, one per label value, with their evidence
    digest = evidence_digest(loaded.text_sha256, artifacts, attachments)
    verdict = release_verdict(targets)
    return ReleaseResult(
        manifest=loaded.manifest,
        manifest_sha256=loaded.text_sha256,
        verdict=verdict,
        counts=counts(targets),
        targets=targets,
        metrics=metrics,
        artifacts=artifacts,
        signoffs=signoffs_of(
            project, loaded.manifest, loaded.text_sha256, digest, artifacts, attachments, verdict, baselines.trees
        ),
        evidence_digest=digest,
        findings=acknowledge(
            findings("artifact", warnings)
            + findings("attachment", attachment_warnings)
            + findings("target", target_warnings)
            + findings("files-disagree", disagreements(loaded.manifest, artifacts))
            + findings("implausible", implausible(metrics)),
            loaded,
        ),
        attachments=attachments,
        narrative=narrative,
    )


def signoffs_of(
    project: Project,
    manifest: Manifest,
    manifest_sha256: str,
    digest: str,
    artifacts: list[Artifact],
    attachments: list[Attachment],
    verdict: ReleaseVerdict,
    trees: YamlTrees | None,
) -> list[SignOffState]:
    """The release's sign-offs as they stand: read now, whatever else of the release is kept, since whether a
    signature holds depends on the allowed signers (and their validity dates), not on the release's files alone."""
    folder = project.release_dir(manifest.release)
    if (real := outside(folder, SIGNOFFS)) is not None:
        raise InputError(Position(folder / SIGNOFFS), leaves_release("file", SIGNOFFS, real))
    signoffs = load_signoffs(folder / SIGNOFFS, trees)
    states = signoff_states(
        manifest.release,
        signoffs.signoffs,
        digest,
        evidence_files(manifest_sha256, artifacts, attachments),
        manifest_fields(manifest),
        project.root / ALLOWED_SIGNERS,
    )
    return with_verdict(states, verdict, folder / SIGNOFFS)


def implausible(metrics: list[ResolvedMetric]) -> list[str]:
    """Values that cannot be true, flagged (not refused: the file is what the tool wrote): negative durations."""
    found = []
    for m in metrics:
        if m.value is None or m.value >= 0 or not units.is_unit(m.unit) or units.unit(m.unit).dimension != "time":
            continue
        where = f" ({m.evidence.path}, {m.evidence.selector})" if m.evidence else ""
        found.append(
            f"metric {m.id}: {units.format_value(m.value, m.unit)} is a negative duration{where}; "
            "a clock went backwards, the tool mis-recorded it, or the file is damaged"
        )
    return found


def analyse(project: Project, releases: list[str] | None = None, *, rehash: bool = False) -> list[ReleaseResult]:
    """Analyse the named releases (all by default), collecting every release's errors before failing;
    ``rehash``: hash every file's bytes, whatever digests are kept."""
    known = project.release_ids()
    wanted = releases or known
    results: list[ReleaseResult] = []
    errors: list[ReportgenError] = []
    kept = analysis_pool.warm(project, wanted, rehash=rehash)  # the caches filled on every core first
    with progress.bar("reading artifacts", None, "bytes") as advance:  # bytes and rate, on a terminal only
        baselines = Baselines(project, known, advance, rehash=rehash)
        baselines.digests.add(kept.digests)
        if baselines.trees is not None:
            baselines.trees.add(kept.trees)
        for release in wanted:
            try:
                result = baselines.get(release)
            except ReportgenError as exc:
                if str(exc) not in {str(e) for e in errors}:  # a broken baseline is said once, not per release
                    errors.append(exc)
                continue
            assert result is not None  # only a release being analysed is None, and none is at this level
            results.append(result)
    raise_all(errors)
    baselines.digests.save()
    if baselines.trees is not None:
        baselines.trees.save()
    if baselines.results is not None:
        baselines.results.save()
    return newest_first(results, lambda r: (r.id, r.manifest.date))
