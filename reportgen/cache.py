"""What adapters extracted, kept by the artifact's SHA-256, so a rebuild re-reads only changed artifacts; and
the SVG of each chart, kept by its Vega-Lite spec, so a rebuild redraws only charts whose data changed, and
by its chart model and the chart code (:func:`code_digest`), so an unchanged chart's spec is not even built.

The cache is ``.reportgen-cache/`` (``extractions/``, ``charts/``, ``chart_models/`` …: one folder per kind of
entry) in the report repository (git ignores it; delete it at any time). An entry's key hashes everything the
extraction depends on: the artifact's SHA-256, the adapter's name and version, reportgen's version and code
(:func:`code_digest`), and what the manifest asks beyond the standard figures (percentiles
and label sets). An entry that cannot be read is ignored and rewritten. ``REPORTGEN_NO_CACHE=1`` turns the
cache off. Writes go through :mod:`reportgen.write`.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from pydantic import ValidationError

from reportgen import __version__, write
from reportgen.schemas.measurement import Extraction

FOLDER = ".reportgen-cache"
#: Bump when the entry layout changes.
LAYOUT = "1"


@dataclass(frozen=True)
class ExtractionCache:
    """The extraction cache of one report repository."""

    folder: Path

    @classmethod
    def of(cls, root: Path) -> ExtractionCache | None:
        """The cache of the repository at ``root``, or None when ``REPORTGEN_NO_CACHE`` is set."""
        if os.environ.get("REPORTGEN_NO_CACHE", "") not in ("", "0"):
            return None
        return cls(root / FOLDER / "extractions")

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.json"

    def get(self, key: str) -> Extraction | None:
        try:
            found = Extraction.model_validate_json(self._path(key).read_bytes())
        except (OSError, ValueError, ValidationError):
            return None
        used(self._path(key))
        return found

    def put(self, key: str, extraction: Extraction) -> None:
        with contextlib.suppress(OSError):  # a read-only checkout still builds, only without the cache
            write.write_file(self._path(key), extraction.model_dump_json().encode())


def key(
    sha256: str,
    adapter: str,
    adapter_version: str,
    percentiles: Sequence[float],
    slices: Sequence[tuple[str, dict[str, str]]],
) -> str:
    """The entry key: a hash of everything an extraction depends on."""
    parts = {
        "layout": LAYOUT,
        "reportgen": __version__,
        # reportgen's own code too: a fix in an adapter that forgot its version bump must not be hidden by an
        # entry the old code wrote (a cached stream kept a tag value `True` after the readers agreed on `true`).
        "code": code_digest(),
        "artifact": sha256,
        "adapter": adapter,
        "adapter_version": adapter_version,
        "percentiles": [repr(p) for p in percentiles],
        "slices": [[metric, sorted(labels.items())] for metric, labels in slices],
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


#: The chart cache of the build in progress (None: draw every chart).
_CHARTS: ContextVar[Path | None] = ContextVar("reportgen_chart_cache", default=None)


@contextmanager
def charts_cached(root: Path) -> Iterator[None]:
    """Within the block, :func:`chart_svg` keeps SVGs in ``root``'s cache (unless ``REPORTGEN_NO_CACHE`` is set)."""
    cache = ExtractionCache.of(root)
    with charts_in(root / FOLDER / "charts" if cache is not None else None):
        yield


def chart_cache_folder() -> Path | None:
    """The chart cache folder of the build in progress (None: none), for worker processes to use the same."""
    return _CHARTS.get()


@contextmanager
def charts_in(folder: Path | None) -> Iterator[None]:
    """Within the block, :func:`chart_svg` keeps SVGs in ``folder`` (None: draws every chart)."""
    token = _CHARTS.set(folder)
    try:
        yield
    finally:
        _CHARTS.reset(token)


#: Libraries whose version can change what reportgen derives (charts, intervals, Markdown, parsed YAML).
_LIBRARIES = ("altair", "vl-convert-python", "numpy", "scipy", "jinja2", "pydantic", "duckdb", "ruamel.yaml")


@functools.cache
def code_digest() -> str:
    """A hash of reportgen's own sources and templates and the versions of the libraries above: an entry derived
    by other code never matches."""
    package = Path(__file__).parent
    digest = hashlib.sha256(__version__.encode())
    for source in sorted(p for p in package.rglob("*") if p.suffix in (".py", ".j2", ".css") and p.is_file()):
        digest.update(b"\0" + source.relative_to(package).as_posix().encode() + b"\0" + source.read_bytes())
    for library in _LIBRARIES:
        with contextlib.suppress(PackageNotFoundError):
            digest.update(f"\0{library} {version(library)}".encode())
    return digest.hexdigest()


def derived(kind: str, key_text: str, compute: Callable[[], str]) -> str:
    """Text computed from ``key_text`` alone: from the build's cache (``.reportgen-cache/KIND/``) when it was
    computed before, else ``compute()``, kept for the next build. Outside :func:`charts_cached`: ``compute()``."""
    path = _derived_path(kind, key_text)
    return compute() if path is None else remembered_text(path, compute)


def derived_bytes(kind: str, key_text: str, compute: Callable[[], bytes]) -> bytes:
    """:func:`derived` for bytes."""
    path = _derived_path(kind, key_text)
    return compute() if path is None else remembered_bytes(path, compute)


def _derived_path(kind: str, key_text: str) -> Path | None:
    folder = _CHARTS.get()
    if folder is None:
        return None
    digest = hashlib.sha256(f"{LAYOUT}\0{key_text}".encode()).hexdigest()
    return folder.parent / kind / digest[:2] / digest


def remembered_text(path: Path, compute: Callable[[], str]) -> str:
    """The text kept at ``path``, else ``compute()``, kept there for the next process. An entry that cannot be
    read is computed again and replaced; a cache that cannot be written (a read-only checkout) only costs time."""
    return remembered_bytes(path, lambda: compute().encode(), _utf8).decode()


def _utf8(data: bytes) -> bool:
    try:
        data.decode()
    except UnicodeDecodeError:
        return False
    return True


def remembered_bytes(path: Path, compute: Callable[[], bytes], check: Callable[[bytes], bool] | None = None) -> bytes:
    """The bytes kept at ``path`` (that ``check`` accepts), else ``compute()``, kept there for the next process."""
    try:
        kept = path.read_bytes()
    except OSError:
        pass
    else:
        if check is None or check(kept):
            used(path)
            return kept
    data = compute()
    with contextlib.suppress(OSError):
        write.write_file(path, data)
    return data


def used(path: Path) -> None:
    """Mark the cache entry at ``path`` used now (its mtime): entries no build uses are pruned
    (:mod:`reportgen.cache_prune`)."""
    with contextlib.suppress(OSError):
        os.utime(path)


def chart_svg(canonical_spec: str, engine: str, draw: Callable[[], str]) -> str:
    """The SVG of a chart: from the cache when this spec was drawn by this engine version before, else ``draw()``."""
    return derived("charts", f"{engine}\0{canonical_spec}", draw)
