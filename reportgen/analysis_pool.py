"""The analysis's slow parts on every core: the on-disk caches a serial analysis reads, filled first in worker
processes, one release per task.

An analysis is serial (:func:`reportgen.analyse.analyse`): each release's manifest is parsed, its artifacts
extracted, its raw samples read and its own intervals bootstrapped one after another, while other cores idle. All of
that is kept on disk by content: extractions (:mod:`reportgen.cache`), raw samples and bootstrap intervals
(:mod:`reportgen.sample_store`), kept in ``.reportgen-cache/`` as soon as they are computed. So before the serial
analysis, :func:`warm` analyses the releases in worker processes, each release once, and throws the results away:
the serial analysis then finds every extraction, sample and interval kept, and gives exactly the results it gives
without workers (the same code computes them; the workers only decide how early). What the serial analysis keeps
only when it succeeds, parsed manifests and file digests (:mod:`reportgen.input_cache`), the workers hand back
instead of writing, so a failing analysis still leaves those as they were. A release whose analysis fails in a
worker is left for the serial analysis to report, with every other error, as without workers.

Workers follow :mod:`reportgen.page_pool`'s rules: started fresh (``spawn``), only once the program allowed it
(:func:`~reportgen.page_pool.allow_processes`), only for enough releases, ``REPORTGEN_PROCESSES`` processes, and a
worker of a killed build ends itself. With ``REPORTGEN_NO_CACHE=1`` nothing is kept between processes, so the
analysis stays serial.
"""

from __future__ import annotations

import contextlib
import hashlib
import multiprocessing
import os
import threading
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reportgen import named_files, page_pool, progress
from reportgen.errors import ReportgenError
from reportgen.input_cache import YamlTrees
from reportgen.project import MANIFEST, Project
from reportgen.result_cache import compared_with


@dataclass
class Kept:
    """What workers computed that the serial analysis keeps only when it succeeds: file digests by path, and
    pickled manifest trees by the SHA-256 of their bytes."""

    digests: dict[str, list[Any]] = field(default_factory=dict)
    trees: dict[str, bytes] = field(default_factory=dict)


def warm(project: Project, releases: list[str], *, rehash: bool = False) -> Kept:
    """Analyse ``releases`` in worker processes for the caches alone (when processes are allowed, there are enough
    releases and a cache); what the serial analysis keeps only on success comes back in :class:`Kept`.

    Two rounds, so that no release is extracted twice at once: first every release alone (manifest, extraction,
    samples, its own intervals), then the releases with relative targets with their baseline, which is then in
    the caches (the comparisons' bootstraps). A baseline is analysed without its own baseline: what a relative
    target reads of it (its metrics and samples) does not depend on it, and no task walks the chain of baselines
    down to the first release."""
    kept = Kept()
    kept_trees = YamlTrees.of(project.root)
    if kept_trees is None or page_pool.processes(len(releases)) <= 1:  # REPORTGEN_NO_CACHE: nothing is kept
        return kept
    releases = [release for release in releases if not _analysed_before(project, release, kept_trees)]
    count = page_pool.processes(len(releases))
    if count <= 1:
        return kept
    context = multiprocessing.get_context("spawn")
    start = (project.root, rehash, os.getpid())
    try:
        with (
            ProcessPoolExecutor(count, mp_context=context, initializer=_start, initargs=start) as pool,
            progress.bar("analysing releases", len(releases), "pages") as advance,
        ):
            relative = []
            for release, (digests, parsed, compares) in zip(releases, pool.map(_alone, releases), strict=True):
                kept.digests.update(digests)
                kept.trees.update(parsed)
                advance(1)
                if compares:
                    relative.append(release)
            for digests, parsed, _ in pool.map(_with_baseline, relative):
                kept.digests.update(digests)
                kept.trees.update(parsed)
    except BrokenProcessPool:
        pass  # a worker died (out of memory, killed): the serial analysis computes what is not kept yet
    return kept


def _analysed_before(project: Project, release: str, trees: YamlTrees) -> bool:
    """Whether the release's manifest, as it is now, was parsed by an analysis that succeeded (which keeps its tree):
    then its caches are filled too, but for artifacts changed since, and warming it would cost the workers' start
    for nothing (a rebuild with nothing or one release changed)."""
    try:
        text = named_files.read_bytes(project.release_dir(release) / MANIFEST)
    except (OSError, ReportgenError):
        return False  # the serial analysis says what is wrong with it
    return trees.kept(hashlib.sha256(text).hexdigest())


#: In a worker: the project, and what its tasks share (file digests, raw samples, parsed trees).
_WORKER: dict[str, Any] = {}

Done = tuple[dict[str, list[Any]], dict[str, bytes], bool]


def _start(root: Path, rehash: bool, build: int) -> None:
    from reportgen.analyse import Baselines

    project = Project(root)
    _WORKER["shared"] = Baselines(project, project.release_ids(), rehash=rehash)
    threading.Thread(target=page_pool._end_when_orphaned, args=(build,), daemon=True).start()


def _analyse(release: str, depth: int) -> Done:
    """Analyse one release ``depth`` deep (1: alone; 2: with its baseline, alone); its digests and parsed trees go
    back to the build, and whether it has relative targets."""
    from reportgen.analyse import Baselines

    shared = _WORKER["shared"]
    # Each task analyses its releases afresh (a release analysed alone is not its comparison's baseline), sharing
    # the worker's file digests, samples and trees.
    baselines = Baselines(shared.project, shared.known, depth=depth)
    baselines.digests, baselines.samples, baselines.trees = shared.digests, shared.samples, shared.trees
    if baselines.results is not None:  # its keys hash files through the shared digests too, not a second record
        baselines.results.digests = shared.digests
    compares = False
    with contextlib.suppress(ReportgenError):  # said by the serial analysis, with the other releases' errors
        result = baselines.get(release)
        manifest = result.manifest if result is not None else None
        compares = manifest is not None and compared_with(manifest) is not None
    trees = shared.trees.take() if shared.trees is not None else {}
    return shared.digests.take(), trees, compares


def _alone(release: str) -> Done:
    return _analyse(release, 1)


def _with_baseline(release: str) -> Done:
    return _analyse(release, 2)
