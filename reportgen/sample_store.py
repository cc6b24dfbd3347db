"""Raw samples and the bootstrap intervals computed from them, kept on disk between processes: a ``check``,
``build`` or ``compare`` of releases whose artifacts did not change reads no raw file for its samples and runs
no bootstrap again (both cost seconds per release; in-process memos forget them at exit).

``.reportgen-cache/samples/`` holds, per artifact, every slice of values the sample reader found and its
over-time series, as one ``.npz`` (numpy's own format, read without pickle); ``.reportgen-cache/bootstrap/``
holds each interval as JSON (Python's ``json``, which keeps floats exactly). Every key hashes the artifact's
SHA-256, its adapter and adapter version, and reportgen's code and library versions
(:func:`reportgen.cache.code_digest`); an interval's key adds the statistic, the unit, the seed and the
method's parameters (resamples, confidence level, subsample size). An entry that cannot be read is ignored
and rewritten; ``REPORTGEN_NO_CACHE=1`` turns the store off with the rest of the cache.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import ValidationError

from reportgen import limits, write
from reportgen.cache import FOLDER, LAYOUT, ExtractionCache, code_digest, remembered_text, used
from reportgen.schemas.measurement import Series

FloatArray = np.ndarray[Any, np.dtype[np.float64]]
LabelKey = tuple[tuple[str, str], ...]
#: What one file holds: (metric, labels) → (values, unit, estimator), and extra over-time series.
Slices = dict[tuple[str, LabelKey], tuple[FloatArray, str, str]]
Read = tuple[Slices, list[Series]]


@dataclass(frozen=True)
class SampleStore:
    """The sample store of one report repository (``folder`` is its ``.reportgen-cache/``)."""

    folder: Path

    @classmethod
    def of(cls, root: Path) -> SampleStore | None:
        """The store of the repository at ``root``, or None when ``REPORTGEN_NO_CACHE`` is set."""
        return cls(root / FOLDER) if ExtractionCache.of(root) is not None else None

    def _path(self, kind: str, parts: Sequence[str], suffix: str) -> Path:
        digest = hashlib.sha256("\0".join([LAYOUT, code_digest(), *parts]).encode()).hexdigest()
        return self.folder / kind / digest[:2] / f"{digest}{suffix}"

    def samples(self, parts: Sequence[str], read: Callable[[], Read]) -> Read:
        """What the sample reader found in one file (``parts``: its SHA-256, adapter and adapter version): from
        the store when it was read before, else ``read()``, kept for the next process."""
        path = self._path("samples", parts, ".npz")
        found = _load(path)
        if found is not None:
            return found
        found = read()
        if sum(len(values) for values, _, _ in found[0].values()) > limits.MAX_EXPANDED_SAMPLES:
            # Not kept: the entry is built as a few copies of the values in memory (one array, then npz bytes),
            # over a GiB for a file of many bounded slices (a Locust JSON claiming billions), more than reading
            # such a file again costs. Its intervals are still kept.
            return found
        with contextlib.suppress(OSError):  # a read-only checkout still works, only without the store
            write.write_file(path, _dump(found))
        return found

    def remembered(self, parts: Sequence[str], compute: Callable[[], str]) -> str:
        """Text computed from samples and ``parts`` alone (an interval): from the store, else ``compute()``."""
        return remembered_text(self._path("bootstrap", parts, ".json"), compute)


def _dump(found: Read) -> bytes:
    slices, series = found
    meta = {
        "slices": [
            [metric, [list(pair) for pair in labels], unit, est, len(values)]
            for (metric, labels), (values, unit, est) in slices.items()
        ],
        "series": [s.model_dump() for s in series],  # json keeps a NaN (pydantic's JSON mode: null)
    }
    # Two arrays (arr_0, arr_1): the description, then every slice's values one after another. One array, not one
    # per slice: numpy reads each array's header in Python, about a millisecond each, and a k6 stream has over a
    # hundred slices (the largest part of loading a release's samples).
    values = [v for v, _, _ in slices.values()]
    joined = np.concatenate(values) if values else np.zeros(0, dtype=np.float64)
    buffer = io.BytesIO()
    np.savez(buffer, np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8), np.asarray(joined, dtype=np.float64))
    return buffer.getvalue()


def _load(path: Path) -> Read | None:
    try:
        with np.load(path, allow_pickle=False) as stored:
            meta = json.loads(stored["arr_0"].tobytes())
            joined = np.asarray(stored["arr_1"], dtype=np.float64)
        lengths = [int(length) for *_, length in meta["slices"]]
        if sum(lengths) != len(joined):
            return None
        joined.setflags(write=False)  # the slices are views of one array: none may change another's values
        parts = np.split(joined, np.cumsum(lengths)[:-1]) if lengths else []
        slices: Slices = {
            (metric, tuple((str(k), str(v)) for k, v in labels)): (part, unit, est)
            for (metric, labels, unit, est, _), part in zip(meta["slices"], parts, strict=True)
        }
        series = [Series.model_validate(s) for s in meta["series"]]
    except (OSError, ValueError, KeyError, TypeError, EOFError, zipfile.BadZipFile, ValidationError):
        return None  # absent or damaged: read from the file again and rewritten
    used(path)
    return slices, series
