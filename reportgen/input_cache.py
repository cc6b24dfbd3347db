"""Reading unchanged inputs again, skipped: file digests kept by file status, YAML trees kept by content.

- **File digests** (``.reportgen-cache/digests.json``). An artifact's or attachment's SHA-256 is kept beside the
  status of the file it was computed from, as git's index keeps it: size, mtime and ctime in nanoseconds, inode
  and device. While all of them are unchanged, the kept digest is the file's; any change and the bytes are hashed
  again. Git's "racily clean" rule holds too: a file whose mtime or ctime is within :data:`RACY_NS` of the moment
  it was hashed is not kept, since it could be rewritten within the file system's clock tick without any of its
  status changing. ``reportgen verify`` and ``sign``, and ``REPORTGEN_NO_CACHE=1``, always hash the bytes.
- **YAML trees** (``.reportgen-cache/yaml/``). The round-trip tree of a release.yaml or signoffs.yaml, pickled,
  by the SHA-256 of its bytes and reportgen's code digest, so ruamel's parse (about 50 ms a manifest) runs once
  per content. Everything after the parse still runs on the tree: bounds, schema, ids, placeholders. Pickle
  runs code when loaded, so these entries are as trusted as Python's own ``__pycache__`` beside the sources:
  a folder of the report repository that only reportgen writes.

An entry that cannot be read is ignored and rewritten; a cache folder that cannot be written only costs time.
Both are written at the end of an analysis that succeeded (``save``): a command that fails leaves them as they were.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import pickle
import time
from pathlib import Path
from typing import Any

from reportgen import named_files, write
from reportgen.cache import FOLDER, LAYOUT, ExtractionCache, code_digest, used

#: A file changed less than this long before it was hashed is hashed again next time (git's racy-clean rule):
#: coarse file system clocks tick every few milliseconds, some (FAT, some network file systems) every 2 s.
RACY_NS = 3_000_000_000

DIGESTS = "digests.json"


def hash_file(path: Path) -> tuple[str, int]:
    """The SHA-256 of the bytes of the regular file ``path``, and their count."""
    with named_files.open_file(path) as stream:
        return _hash_stream(stream)


def _hash_stream(stream: Any) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    while chunk := stream.read(1 << 20):
        digest.update(chunk)
        size += len(chunk)
    return digest.hexdigest(), size


def _status(descriptor: int) -> list[int]:
    status = os.fstat(descriptor)
    return [status.st_size, status.st_mtime_ns, status.st_ctime_ns, status.st_ino, status.st_dev]


class FileDigests:
    """The SHA-256 of input files, kept by file status in ``path`` (None: every file is hashed)."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._kept: dict[str, list[Any]] = {}
        self._new: dict[str, list[Any]] = {}  # kept by this process since the last take()
        self._changed = False
        if path is not None:
            with contextlib.suppress(OSError, ValueError):
                loaded = json.loads(path.read_bytes())
                if isinstance(loaded, dict) and loaded.get("layout") == LAYOUT:
                    self._kept = {k: v for k, v in loaded.get("files", {}).items() if isinstance(v, list)}

    @classmethod
    def of(cls, root: Path, *, rehash: bool = False) -> FileDigests:
        """The digests of the repository at ``root``; ``rehash`` (or ``REPORTGEN_NO_CACHE``): hash every file."""
        if rehash or ExtractionCache.of(root) is None:
            return cls(None)
        return cls(root / FOLDER / DIGESTS)

    def sha256(self, path: Path) -> tuple[str, int]:
        """The SHA-256 of ``path``'s bytes and their count: kept, while the file's status is unchanged."""
        if self.path is None:
            return hash_file(path)
        name = str(path.absolute())
        with named_files.open_file(path) as stream:
            before = _status(stream.fileno())
            kept = self._kept.get(name)
            if kept is not None and kept[:5] == before and len(kept) == 6 and isinstance(kept[5], str):
                return kept[5], before[0]
            hashed_at = time.time_ns()
            sha, size = _hash_stream(stream)
            after = _status(stream.fileno())
        racy = hashed_at - max(after[1], after[2]) < RACY_NS
        if after == before and size == after[0] and not racy:
            self._kept[name] = self._new[name] = [*after, sha]
            self._changed = True
        elif self._kept.pop(name, None) is not None:
            self._changed = True
        return sha, size

    def take(self) -> dict[str, list[Any]]:
        """The digests this process kept since the last call, for another process's :meth:`add` (a worker's for
        the build's, which saves them only when its analysis succeeds)."""
        new, self._new = self._new, {}
        return new

    def add(self, entries: dict[str, list[Any]]) -> None:
        """Digests another process kept (:meth:`take`): used, and saved, as if hashed here."""
        if self.path is not None and entries:
            self._kept.update(entries)
            self._changed = True

    def save(self) -> None:
        """Keep the digests for the next run: those of files that still exist (so the record never outgrows them)."""
        if self.path is None or not self._changed:
            return
        files = {name: entry for name, entry in sorted(self._kept.items()) if os.path.isfile(name)}
        with contextlib.suppress(OSError):  # a read-only checkout still builds, only without the cache
            write.write_file(self.path, json.dumps({"layout": LAYOUT, "files": files}).encode())
        self._changed = False


#: What loading a damaged or foreign pickle raises.
UNREADABLE = (
    OSError,
    EOFError,
    pickle.UnpicklingError,
    AttributeError,
    ImportError,
    IndexError,
    TypeError,
    ValueError,
)


class YamlTrees:
    """Parsed YAML trees by the SHA-256 of the bytes they were parsed from, in ``folder``."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._pending: dict[str, Any] = {}
        self._taken: set[str] = set()  # pending trees already handed to another process (take)

    @classmethod
    def of(cls, root: Path) -> YamlTrees | None:
        """The trees of the repository at ``root``, or None when ``REPORTGEN_NO_CACHE`` is set."""
        return cls(root / FOLDER / "yaml") if ExtractionCache.of(root) is not None else None

    def _path(self, sha256: str) -> Path:
        key = hashlib.sha256(f"{LAYOUT}\0{code_digest()}\0{sha256}".encode()).hexdigest()
        return self.folder / key[:2] / f"{key}.pickle"

    def get(self, sha256: str) -> Any:
        """The tree parsed from bytes with this SHA-256 (by this run, another process of it, or an earlier run), or
        None."""
        try:
            pending = self._pending.get(sha256)
            tree = pickle.loads(pending if pending is not None else self._path(sha256).read_bytes())
        except UNREADABLE:  # absent, damaged or from another library version: parsed again and rewritten
            return None
        used(self._path(sha256))
        return tree

    def kept(self, sha256: str) -> bool:
        """Whether a tree parsed from bytes with this SHA-256 is kept (by an earlier analysis that succeeded)."""
        return self._path(sha256).is_file()

    def touch(self, sha256: str) -> None:
        """Mark the tree of these bytes used, though not read (a kept analysis, reportgen.result_cache, spared it):
        the worker pool tells releases analysed before by it (:func:`reportgen.analysis_pool.warm`)."""
        used(self._path(sha256))

    def put(self, sha256: str, tree: Any) -> None:
        """Keep ``tree`` once the run succeeds (:meth:`save`): a command that fails writes nothing."""
        with contextlib.suppress(pickle.PicklingError, TypeError, RecursionError):
            self._pending[sha256] = pickle.dumps(tree, protocol=pickle.HIGHEST_PROTOCOL)

    def take(self) -> dict[str, bytes]:
        """The trees parsed since the last call, pickled, for another process's :meth:`add` (a worker's for the
        build's, which writes them only when its analysis succeeds); this process still reads them."""
        new = {sha256: data for sha256, data in self._pending.items() if sha256 not in self._taken}
        self._taken.update(new)
        return new

    def add(self, pickled: dict[str, bytes]) -> None:
        """Trees another process parsed (:meth:`take`): read from here, and written by :meth:`save`."""
        self._pending.update(pickled)

    def save(self) -> None:
        for sha256, data in sorted(self._pending.items()):
            with contextlib.suppress(OSError):  # a read-only checkout still builds, only without the cache
                write.write_file(self._path(sha256), data)
        self._pending.clear()
