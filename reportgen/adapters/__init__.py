"""Adapter registry: find adapters by entry point, sniff an artifact, extract it.

Built-ins and third-party adapters both register in the ``reportgen.adapters``
entry-point group (``name = "module:Class"``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from functools import cache
from importlib.metadata import EntryPoint, entry_points
from pathlib import Path
from typing import cast

from reportgen import collections_spaced, named_files
from reportgen.adapters._base import Adapter, Sample, SampleAdapter, Slices, read_sample
from reportgen.adapters._duckdb import OutOfMemory, out_of_memory_error
from reportgen.errors import ArtifactError, Position, ReportgenError, UnknownFormatError
from reportgen.schemas.measurement import Extraction

GROUP = "reportgen.adapters"

__all__ = ["GROUP", "Adapter", "Sample", "adapters", "detect", "extract", "get", "names", "percentile_of_stat"]


@cache
def _entry_points() -> dict[str, EntryPoint]:
    return {e.name: e for e in sorted(entry_points(group=GROUP), key=lambda e: e.name)}


@cache
def get(name: str) -> Adapter:
    """The adapter registered as ``name``, loaded on first use; a failing plugin is reported with its cause."""
    entry = _entry_points().get(name)
    if entry is None:
        raise ReportgenError(f"unknown format {name!r}; known formats: {', '.join(_entry_points())}")
    try:
        adapter: Adapter = entry.load()()
    except Exception as exc:  # any plugin failure becomes one clear message
        raise ReportgenError(f"adapter {entry.name!r} ({entry.value}) failed to load: {exc!r}") from exc
    missing = [a for a in _REQUIRED if not hasattr(adapter, a)]
    if missing:
        raise ReportgenError(
            f"adapter {entry.name!r} ({entry.value}) lacks {', '.join(missing)}; see site_docs/guide/adapters.md"
        )
    return adapter


#: What every adapter has (reportgen.adapters._base.Adapter); checked on load so a plugin fails clearly.
_REQUIRED = ("name", "version", "summary", "priority", "sniff", "read")


def names() -> list[str]:
    """Registered adapter names, without loading any adapter."""
    return list(_entry_points())


def adapters() -> dict[str, Adapter]:
    """Every registered adapter by name."""
    return {name: get(name) for name in _entry_points()}


def detect(path: Path) -> Adapter:
    """The adapter for ``path``: the highest-priority one whose sniff accepts it."""
    _refuse_non_file(path)
    sample = read_sample(path)
    accepting = [a for a in adapters().values() if a.sniff(sample)]
    if not accepting:
        raise UnknownFormatError(
            Position(path),
            "no adapter recognises this file. Tried: "
            + ", ".join(adapters())
            + ". Name one with `format:` in release.yaml (or --format).",
        )
    return max(accepting, key=lambda a: a.priority)


def _refuse_non_file(path: Path) -> None:
    if (reason := named_files.not_a_file(path)) is not None:
        raise ArtifactError(Position(path), f"{reason}; name one file in it" if path.is_dir() else reason)
    if not path.is_file():
        raise ArtifactError(Position(path), "no such file")
    if path.stat().st_size == 0:
        raise ArtifactError(Position(path), "file is empty (0 bytes): did the tool write nothing, or was it killed?")


def extract(
    path: Path, format_name: str | None = None, percentiles: Sequence[float] = (), slices: Slices = ()
) -> Extraction:
    """Read one artifact with the named adapter, or the one that sniffs it.

    ``percentiles`` (0..1) and ``slices`` (metric and label sets, e.g. ``("http_req_duration", {"name":
    "checkout", "expected_response": "true"})``) are computed on top of the adapter's standard set by adapters
    that read raw samples (``computes_percentiles = True``); others report what their file holds.
    """
    with collections_spaced.spaced():  # an extraction makes no cycles, and collections cost (the module says)
        adapter = get(format_name) if format_name else detect(path)
        _refuse_non_file(path)
        try:
            extraction = _read(adapter, path, percentiles, slices)
        except OutOfMemory as exc:  # the file is fine; the memory DuckDB was given is not enough for it
            raise out_of_memory_error(path, exc) from None
        _refuse_non_finite(path, extraction)
        return extraction


def _read(adapter: Adapter, path: Path, percentiles: Sequence[float], slices: Slices) -> Extraction:
    if (percentiles or slices) and getattr(adapter, "computes_percentiles", False):
        return cast(SampleAdapter, adapter).read(path, percentiles=percentiles, slices=slices)
    return adapter.read(path)


def _refuse_non_finite(path: Path, extraction: Extraction) -> None:
    """No adapter hands on infinity or NaN (a value that overflowed, or a tool's non-finite output), whatever
    its parser let through: the figure is refused, with the selector that finds it in the file."""
    for m in extraction.measurements:
        if m.value is not None and not math.isfinite(m.value):
            raise ArtifactError(
                Position(path),
                f"{m.metric} {m.stat} is {m.value}, not a finite number ({m.selector}); the file "
                "holds a value too large for a float, or a non-finite one",
            )
    for s in extraction.series:
        bad = next((t for t, v in s.points if not (math.isfinite(v) and math.isfinite(t))), None)
        if bad is not None:
            raise ArtifactError(
                Position(path), f"{s.metric} {s.stat} series: a non-finite value at t = {bad} ({s.selector})"
            )


def percentile_of_stat(stat: str) -> float | None:
    """``p97.5`` → 0.975 (as ``97.5 / 100``, the arithmetic k6 uses); None for other stats."""
    match = re.fullmatch(r"p(\d+(?:\.\d+)?)", stat)
    return float(match.group(1)) / 100 if match and float(match.group(1)) <= 100 else None
