"""The rendered files of each release, kept by a digest of everything they are made from, so a rebuild after
one release changed renders that release (and what follows it) only.

A release's pages (``index.md``, ``evidence.md``, ``claims.json``) are a function of its analysed result, its
baseline's result (the comparison), the results of the releases its narrative cites (and their baselines), the
raw artifacts behind them (their SHA-256 is in each result), the project's ``templates/``, and reportgen's own
code and templates and the library versions that draw charts and compute intervals. The entry key hashes all of
that (:meth:`PageCache.key`); an entry holds the files, the release's entry in releases/index.json
and what other pages may cite of it. Entries live in ``.reportgen-cache/pages/``; ``REPORTGEN_NO_CACHE=1`` turns
this off with the rest of the cache. An entry that cannot be read is ignored and rewritten.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from reportgen import write
from reportgen.cache import FOLDER, LAYOUT, ExtractionCache, code_digest, used
from reportgen.claims import IndexEntry
from reportgen.result_cache import cited, identity
from reportgen.schemas.page import Citable
from reportgen.schemas.report import ReleaseResult


@dataclass(frozen=True)
class Rendered:
    """What a build keeps of one release: its files (relative to releases/), its releases/index.json entry and citable."""

    files: dict[str, bytes]
    entry: IndexEntry
    citable: Citable


def _folder_digest(folder: Path) -> str:
    """A hash of the files under ``folder`` and of every other entry's name (a FIFO or folder where a template
    was is refused when rendering, so it must not let a cached page stand in for that error)."""
    digest = hashlib.sha256()
    if folder.is_dir():
        for path in sorted(folder.rglob("*")):
            content = path.read_bytes() if path.is_file() else b"not a regular file"
            digest.update(path.relative_to(folder).as_posix().encode() + b"\0" + content + b"\0")
    return digest.hexdigest()


@dataclass(frozen=True)
class PageCache:
    folder: Path
    templates: str  # digest of the project's templates/

    @classmethod
    def of(cls, root: Path, templates: Path) -> PageCache | None:
        """The page cache of the repository at ``root``, or None when ``REPORTGEN_NO_CACHE`` is set."""
        if ExtractionCache.of(root) is None:
            return None
        return cls(root / FOLDER / "pages", _folder_digest(templates))

    def key(
        self, result: ReleaseResult, by_id: dict[str, ReleaseResult], copies: dict[str, write.Content]
    ) -> str | None:
        """The entry key of ``result``'s pages, or None when they must be rendered (a citation to check).
        ``copies`` are the release's raw copies in the site (name → bytes or file): the page links them by name
        and gives a compressed copy's size."""
        others = cited(result)
        if others is None:
            return None
        digest = hashlib.sha256(f"{LAYOUT}\0{code_digest()}\0{self.templates}".encode())
        for name, content in sorted(copies.items()):
            digest.update(f"\0{name}\0{len(content) if isinstance(content, bytes) else 'file'}".encode())
        for release in [result.id, *sorted(others)]:
            subject = by_id.get(release)
            baseline = by_id.get(subject.manifest.baseline or "") if subject is not None else None
            for part in (subject, baseline):
                digest.update(b"\0" + (identity(part).encode() if part is not None else b"-"))
        return digest.hexdigest()

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / key

    def get(self, key: str | None) -> Rendered | None:
        if key is None:
            return None
        try:
            data = self._path(key).read_bytes()
            end = data.index(b"\n")
            header = json.loads(data[:end])
            at, parts = end + 1, []
            for size in header["sizes"]:
                parts.append(data[at : at + size])
                at += size
            if at != len(data) or len(parts) != len(header["files"]) + 2:
                return None
            rendered = Rendered(
                files=dict(zip(header["files"], parts, strict=False)),
                entry=IndexEntry.model_validate_json(parts[-2]),
                citable=Citable.model_validate_json(parts[-1]),
            )
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return None  # absent or damaged: rendered again and rewritten
        used(self._path(key))
        return rendered

    def put(self, key: str | None, rendered: Rendered) -> None:
        """One file: a JSON line of the names and sizes, then the bytes of each file, the index entry and the
        citable (base64 in a JSON entry cost a third of a rebuild's page reads)."""
        if key is None:
            return
        names = sorted(rendered.files)
        parts = [
            *(rendered.files[name] for name in names),
            rendered.entry.model_dump_json().encode(),
            rendered.citable.model_dump_json().encode(),
        ]
        header = json.dumps({"files": names, "sizes": [len(part) for part in parts]}).encode()
        with contextlib.suppress(OSError):  # a read-only checkout still builds, only without the cache
            write.write_file(self._path(key), b"".join([header, b"\n", *parts]))
