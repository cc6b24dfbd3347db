"""Where each release file lives in the built site, and in what form: the raw copies `reportgen verify` re-hashes.

Every file a release rests on (its manifest, artifacts and attachments) is kept in the site unchanged in
content, under ``releases/<release>/artifacts/<path>``. Two rules decide the copy's name and form:

- **Never active content.** GitHub Pages picks a file's Content-Type from its extension, so a copy named
  ``report.html``, ``diagram.svg`` or ``results.xml`` would be rendered by a browser as a page of the site's
  own origin and run any script it holds. A copy keeps its name only when its extension is in :data:`INERT`
  (data, plain text, images that cannot hold script, archives); any other copy gets ``.txt`` appended and is
  served as ``text/plain``, which browsers show as text and never sniff into HTML. (Markdown falls under the
  same rule: MkDocs would render ``.md`` as a page.)
- **Large copies compressed.** A copy over :data:`reportgen.limits.RAW_COPY_GZIP_ABOVE` bytes whose format is
  not compressed already is stored gzip-compressed with ``.gz`` appended (deterministic: no name, no time in
  the header). Pages serves it as ``application/gzip``: a browser downloads it, and any unpacker, ``zcat``,
  or reportgen's adapters (which read ``.gz``) open it. That is what "open" means for a large copy. The
  SHA-256 and size claims.json gives stay those of the original bytes; ``verify`` decompresses first.
"""

from __future__ import annotations

import gzip
import hashlib
import posixpath
import zlib
from dataclasses import dataclass
from pathlib import Path

from reportgen import limits, named_files
from reportgen.cache import derived_bytes
from reportgen.errors import BuildError

#: Extensions a browser never runs script from (Pages serves them as data, text, images or downloads).
INERT = frozenset(
    {
        ".json", ".ndjson", ".jsonl", ".csv", ".tsv", ".txt", ".log", ".yaml", ".yml",
        ".png", ".jpg", ".jpeg", ".gif", ".webp", ".pdf",
        ".gz", ".tgz", ".zip", ".bz2", ".xz", ".zst",
    }
)  # fmt: skip
#: Formats that are compressed already: gzip would only cost time.
_COMPRESSED = frozenset(
    {".png", ".jpg", ".jpeg", ".gif", ".webp", ".pdf", ".gz", ".tgz", ".zip", ".bz2", ".xz", ".zst"}
)
#: gzip's level for large copies: zlib's default, a fair trade of time for size on text.
GZIP_LEVEL = 6
GZIP = "gzip"


@dataclass(frozen=True)
class RawCopy:
    """One release file's copy: its name relative to the release page, and whether it is gzip-compressed."""

    name: str
    compressed: str | None = None  # "gzip", or None for the bytes as they are


def _suffix(path: str) -> str:
    return posixpath.splitext(path)[1].lower()


def raw_copy(path: str, size: int = 0) -> RawCopy:
    """The copy of the release file ``path`` (relative to its release folder) of ``size`` bytes."""
    name = f"artifacts/{path}"
    suffix = _suffix(path)
    if suffix not in INERT:
        name += ".txt"
    if size > limits.RAW_COPY_GZIP_ABOVE and suffix not in _COMPRESSED:
        return RawCopy(name + ".gz", GZIP)
    return RawCopy(name)


def stored(source: Path, copy: RawCopy, sha256: str | None = None) -> bytes | Path:
    """What the site holds for ``copy``: the file itself, or its deterministic gzip. Given the SHA-256 of the
    source's bytes, the gzip comes from the build's cache when those bytes were compressed before (a rebuild
    compressed every large copy again: about 10 ms a megabyte)."""
    if copy.compressed != GZIP:
        return source

    def compress() -> bytes:
        data = named_files.read_bytes(source)
        # Kept under the SHA-256 the analysis read: bytes changed since would be kept as that file's forever.
        if sha256 is not None and hashlib.sha256(data).hexdigest() != sha256:
            raise BuildError(f"{source}: changed while the site was being built; run the build again")
        return gzip.compress(data, compresslevel=GZIP_LEVEL, mtime=0)

    if sha256 is None:
        return compress()
    return derived_bytes("gzip", f"gzip {GZIP_LEVEL} zlib {zlib.ZLIB_RUNTIME_VERSION}\0{sha256}", compress)


def original(path: Path, compressed: str | None, size: int) -> bytes | Path:
    """The original bytes of a copy in a site (``size``: what claims.json says the original holds).

    A gzip copy is decompressed to at most ``size`` + 1 bytes, so a tampered copy cannot expand without bound:
    one byte too many already shows as a different hash."""
    if compressed != GZIP:
        return path
    inflater = zlib.decompressobj(wbits=31)
    with path.open("rb") as stream:
        out = inflater.decompress(stream.read(), size + 1)
    return out


def release_copies(folder: Path, files: list[tuple[str, int, str | None]]) -> dict[str, bytes | Path]:
    """Copy name → what the site holds (gzip bytes, or the file itself) for each ``(path, size, SHA-256)`` in
    ``folder`` (the SHA-256 of the bytes the analysis read, or None).

    Two files whose copies would share a name (``a.html`` and ``a.html.txt``) are refused: one would hide the
    other, and its hash could no longer be checked."""
    held: dict[str, bytes | Path] = {}
    owner: dict[str, str] = {}
    for path, size, sha256 in files:
        copy = raw_copy(path, size)
        if copy.name in owner:
            raise BuildError(
                f"{folder / owner[copy.name]} and {folder / path} would both be published as {copy.name} "
                "(a copy a browser could run as a page gets .txt appended); rename one of them"
            )
        owner[copy.name] = path
        held[copy.name] = stored(folder / path, copy, sha256)
    return held
