"""Analysed releases kept by their inputs, so a rebuild analyses only the releases whose files changed, and reads
of an unchanged release's extractions only what a page it renders again needs.

An analysis of a release reads its folder under results/ (manifest, narrative files, artifacts, attachments:
any file leaving the folder is refused), the list of release ids (its baseline and the releases its narrative
cites must be in it) and, for relative targets, its baseline's result. An entry's key (:meth:`ResultCache.key`)
hashes reportgen's code digest, the release id and every file of the folder by path and SHA-256 (kept by file
status, :mod:`reportgen.input_cache`), and symbolic links by their target. Of the release list, an entry records
only the ids the release named (:func:`relied_on`): a kept result comes from an analysis that succeeded, so each
of them was in the list then, and the list matters to the result only through whether they still are (any other
id's presence or absence changes nothing but an error's list of releases, and a kept result has no error). So
adding a release keeps every entry, and removing one that a release names analyses that release again, which
says what is wrong. The entry also records the baseline it compared with by :func:`identity`, and is used only
while the baseline's result is still that. The sign-offs are not kept: whether a signature holds depends on the
allowed signers and their validity dates, so ``signoffs.yaml`` is left out of the key and read again on every
analysis (:func:`reportgen.analyse.signoffs_of`).

An entry holds the result pickled (as :mod:`reportgen.input_cache`'s trees are: a folder only reportgen writes),
each extraction's measurements and series kept as its JSON text, parsed when first read (:class:`LazyExtraction`):
loading them was most of an analysis with every extraction cached (about 15 ms a release), and only the pages
rendered again read them. Entries are written when an analysis succeeds (:meth:`ResultCache.save`), in
``.reportgen-cache/results/``; ``REPORTGEN_NO_CACHE=1``, ``verify`` and ``sign`` (every file hashed) analyse all.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
from pathlib import Path
from typing import Any

from pydantic import PrivateAttr

from reportgen import cache, write
from reportgen.cache import FOLDER, LAYOUT, ExtractionCache, used
from reportgen.citations import find
from reportgen.errors import ReportgenError
from reportgen.input_cache import UNREADABLE, FileDigests
from reportgen.project import SIGNOFFS, Project
from reportgen.schemas.manifest import Manifest
from reportgen.schemas.measurement import Extraction
from reportgen.schemas.report import ReleaseResult

#: The fields of an extraction that are parsed only when read: nearly all of its size.
LAZY_FIELDS = ("measurements", "series")


class LazyExtraction(Extraction):
    """An extraction whose measurements and series are parsed from its JSON text when first read."""

    _text: bytes = PrivateAttr(b"")

    @classmethod
    def of(cls, extraction: Extraction) -> LazyExtraction:
        if isinstance(extraction, LazyExtraction):
            return extraction
        lazy = cls.model_construct(**{k: v for k, v in extraction.__dict__.items() if k not in LAZY_FIELDS})
        for name in LAZY_FIELDS:
            lazy.__dict__.pop(name, None)  # read through __getattr__, which parses them
        lazy._text = extraction.model_dump_json().encode()
        return lazy

    def __getattr__(self, name: str) -> Any:
        if name in LAZY_FIELDS:
            full = Extraction.model_validate_json(self._text)
            # In the fields' order, which is the order pydantic writes them in.
            fields = {k: full.__dict__[k] if k in LAZY_FIELDS else v for k, v in full.__dict__.items()}
            fields.update({k: v for k, v in self.__dict__.items() if k not in LAZY_FIELDS})
            self.__dict__.clear()
            self.__dict__.update(fields)
            return fields[name]
        return super().__getattr__(name)  # type: ignore[misc]

    def __eq__(self, other: object) -> bool:
        """Equal to the extraction it was made from (pydantic's own equality would compare the class too)."""
        if not isinstance(other, Extraction):
            return NotImplemented
        return all(getattr(self, name) == getattr(other, name) for name in Extraction.model_fields)

    __hash__ = None  # type: ignore[assignment]  # as Extraction's: a mutable model is not hashable


def identity(result: ReleaseResult) -> str:
    """The result as JSON, without what its artifacts' SHA-256, adapters and the manifest determine (the
    extractions' measurements and series): what a cache key of something computed from the result hashes."""
    artifacts = [
        f"{a.model_dump_json(exclude={'extraction'})}\0{a.extraction.model_dump_json(exclude=set(LAZY_FIELDS))}"
        for a in result.artifacts
    ]
    return "\0".join([result.model_dump_json(exclude={"artifacts"}), *artifacts])


def _fingerprint(result: ReleaseResult) -> str:
    """What a release relative to ``result`` reads of it: all but its sign-offs."""
    return hashlib.sha256(identity(result.model_copy(update={"signoffs": []})).encode()).hexdigest()


def cited(result: ReleaseResult) -> set[str] | None:
    """Other releases the narrative cites, or None when a citation does not parse (the build reports it)."""
    try:
        return {c.release for n in result.narrative for c in find(n.body, n.origin()) if c.release} - {result.id}
    except ReportgenError:
        return None


def relied_on(result: ReleaseResult) -> frozenset[str] | None:
    """The release ids an analysis of the release checked against the release list: its baseline and the releases
    its narrative cites (None: a citation that does not parse, which a successful analysis never kept)."""
    others = cited(result)
    if others is None:
        return None
    return frozenset(others | ({result.manifest.baseline} if result.manifest.baseline else set()))


def compared_with(manifest: Manifest) -> str | None:
    """The baseline whose result a release's analysis reads: named, and some target is relative to it."""
    return manifest.baseline if any(t.relative is not None for t in manifest.targets) else None


class ResultCache:
    """The analysed releases of ``project`` kept in ``folder``."""

    def __init__(self, project: Project, folder: Path, digests: FileDigests, known: list[str]) -> None:
        self.project, self.folder, self.digests = project, folder, digests
        #: What an entry's named ids are checked against, instead of the whole list being part of every key.
        self.known = frozenset(known)
        self._common = "\0".join([LAYOUT, cache.code_digest()])
        self._pending: dict[str, tuple[ReleaseResult, tuple[str, str] | None, frozenset[str]]] = {}

    @classmethod
    def of(cls, project: Project, digests: FileDigests, known: list[str]) -> ResultCache | None:
        """None when nothing is kept (``REPORTGEN_NO_CACHE``) or every file must be hashed (``digests`` keep none)."""
        if ExtractionCache.of(project.root) is None or digests.path is None:
            return None
        return cls(project, project.root / FOLDER / "results", digests, known)

    def key(self, release: str) -> str | None:
        """The key of everything the release's own analysis reads; None when it is not kept (a signoffs file, a
        file that is not a regular one, an unreadable folder)."""
        folder = self.project.release_dir(release)
        if not folder.is_dir() or folder.is_symlink():
            return None
        digest = hashlib.sha256(f"{self._common}\0{release}".encode())
        try:
            for current, folders, files in os.walk(folder):
                folders.sort()
                for name in sorted(files + [f for f in folders if os.path.islink(os.path.join(current, f))]):
                    path = Path(current, name)
                    relative = path.relative_to(folder).as_posix()
                    if relative == SIGNOFFS:
                        continue  # read again on every analysis (reportgen.analyse.signoffs_of)
                    if path.is_symlink():
                        digest.update(f"\0link\0{relative}\0{os.readlink(path)}".encode())
                    if name in folders:
                        continue  # a linked folder: its target is outside (refused if read) or walked where it is
                    if not path.is_file():
                        return None  # a FIFO or a dangling link: the analysis says what is wrong
                    digest.update(f"\0{relative}\0{self.digests.sha256(path)[0]}".encode())
        except OSError:
            return None
        return digest.hexdigest()

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.pickle"

    def get(self, key: str | None) -> tuple[ReleaseResult, tuple[str, str] | None] | None:
        """The kept result and the baseline it compared with (its id and fingerprint), or None; None too when a
        release it named is no longer in the release list (analysed again, which says so)."""
        if key is None:
            return None
        try:
            entry = pickle.loads(self._path(key).read_bytes())
            result, baseline, relied = entry
        except UNREADABLE:
            return None  # absent, damaged or from other code: analysed again and rewritten
        if not isinstance(result, ReleaseResult) or not isinstance(relied, frozenset) or not relied <= self.known:
            return None
        used(self._path(key))
        return result, baseline

    def valid(self, baseline: tuple[str, str] | None, found: ReleaseResult | None) -> bool:
        """Whether an entry that compared with ``baseline`` still holds now that its result is ``found``."""
        return baseline is None or (found is not None and _fingerprint(found) == baseline[1])

    def put(self, key: str | None, result: ReleaseResult, baseline: ReleaseResult | None) -> None:
        """Keep ``result`` (analysed with ``baseline``'s result) once the analysis succeeds (:meth:`save`)."""
        against = compared_with(result.manifest)
        if key is None or (against is not None and (baseline is None or baseline.id != against)):
            return  # compared with no baseline (one that names this release): not what a full analysis gives
        relied = relied_on(result)
        if relied is None:
            return
        self._pending[key] = (result, (against, _fingerprint(baseline)) if against and baseline else None, relied)

    def save(self) -> None:
        for key, (result, baseline, relied) in sorted(self._pending.items()):
            light = result.model_copy(
                update={
                    "artifacts": [
                        a.model_copy(update={"extraction": LazyExtraction.of(a.extraction)}) for a in result.artifacts
                    ]
                }
            )
            with contextlib.suppress(OSError, pickle.PicklingError, TypeError, RecursionError):
                write.write_file(
                    self._path(key), pickle.dumps((light, baseline, relied), protocol=pickle.HIGHEST_PROTOCOL)
                )
        self._pending.clear()
