"""Raw samples of an artifact: the one place that reads every value a tool recorded, for statistics and charts.

Summaries give one number; a noise test and a distribution chart need the values behind it.
:class:`SampleSource` finds them for a (metric, labels) slice the way the artifact's adapter
slices it, reading each file once per build:

==================  ===================================================================
adapter             samples
==================  ===================================================================
k6-json-stream,     every Point of the metric in the slice (file order); a Rate's
k6-csv-stream       samples are its 0/1 values; ``vus`` over time as a series
locust-json         the response-time buckets expanded (each bucket value × its count),
                    Locust's own rounding; a failure share as one 0/1 value a request;
                    counts past limits.MAX_EXPANDED_SAMPLES scaled down in proportion
hyperfine-json      ``times`` of the command (s)
==================  ===================================================================

Any other adapter has no samples here: its figures are summaries ("not tested for noise").
The scale work (issue 18) may move stream reading elsewhere; this module's interface stays.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from reportgen import limits
from reportgen.adapters._base import load_json
from reportgen.adapters._k6_common import value_unit
from reportgen.adapters._k6_reduce import MetricDeclaration
from reportgen.adapters._labels import UniqueNames
from reportgen.adapters._locust_json import aggregate, read_entry
from reportgen.adapters.benchmarks import _hyperfine_labels
from reportgen.estimators import K6_LINEAR, LOCUST_BUCKETS
from reportgen.sample_store import FloatArray, LabelKey, SampleStore
from reportgen.sample_store import Read as _Read
from reportgen.schemas.measurement import Series
from reportgen.schemas.report import Artifact

if TYPE_CHECKING:
    from reportgen.project import Project

#: The percentile rule hyperfine and pytest-benchmark use for a median: numpy's default (linear).
LINEAR = "linear"

__all__ = ["LINEAR", "FloatArray", "SampleSource", "Samples", "has_samples", "thinned"]


@dataclass(frozen=True)
class Samples:
    """The values behind one figure, in file order, in ``unit``; ``estimator`` is the tool's percentile rule."""

    values: FloatArray
    unit: str
    estimator: str
    description: str  # "2,154 http_req_duration samples {name: checkout} of k6/stream.ndjson.gz"
    #: What the values are, for the keys of intervals kept on disk (sample_store): the file's SHA-256, its
    #: adapter and version, the metric and slice. Empty for values from elsewhere: those are never kept.
    origin: str = ""


def _key(labels: dict[str, str]) -> LabelKey:
    return tuple(sorted(labels.items()))


def _k6_stream(path: Path, *, csv: bool) -> _Read:
    """The samples of a k6 stream: by one DuckDB query (:mod:`reportgen.adapters._k6_samples_sql`), or by the line
    reader where the reduction would use it too (damage, a byte-order mark), which names the line. Imported
    here: the stream readers import DuckDB, which a build whose samples all come from the store never needs."""
    from reportgen.adapters import _k6_samples_sql
    from reportgen.adapters._duckdb import OutOfMemory, out_of_memory_error
    from reportgen.adapters.k6_stream import _csv_rows, _ndjson_rows, read_csv_stream, read_ndjson

    try:
        fast = _k6_samples_sql.read(path, _csv_rows if csv else _ndjson_rows)
    except OutOfMemory as exc:  # the samples' lists cannot spill either: the setting to raise, not a traceback
        raise out_of_memory_error(path, exc) from None
    if fast is not None:
        return _k6(fast.declarations, fast.slices, fast.vus_times)
    collector = (read_csv_stream if csv else read_ndjson)(path)[0]
    by_metric = {m: {labels: s.values for labels, s in slices.items()} for m, slices in collector.slices.items()}
    vus = collector.slices.get("vus", {}).get(())
    return _k6(collector.declarations, by_metric, list(vus.times) if vus is not None else [])


def _k6(
    declarations: Mapping[str, MetricDeclaration],
    slices: Mapping[str, Mapping[LabelKey, Sequence[float] | FloatArray]],
    vus_times: Sequence[int],
) -> _Read:
    """Each slice's values as samples (a Rate's as 0/1), and active VUs over time from the ``vus`` Gauge's points
    (``vus_times``: the time of each value of its total, in file order)."""
    found: dict[tuple[str, LabelKey], tuple[FloatArray, str, str]] = {}
    for metric, by_labels in slices.items():
        declaration = declarations[metric]
        unit = "ratio" if declaration.kind == "rate" else value_unit(declaration.contains)
        for labels, samples in by_labels.items():
            values = np.asarray(samples, dtype=np.float64)
            if declaration.kind == "rate":
                values = (values != 0).astype(np.float64)
            found[(metric, labels)] = (values, unit, K6_LINEAR)
    series: list[Series] = []
    vus = slices.get("vus", {}).get(())
    if vus is not None and len(vus_times) and declarations["vus"].kind == "gauge":
        points = sorted((t / 1e9, float(v)) for t, v in zip(vus_times, vus, strict=True))
        series.append(Series(metric="vus", stat="value", unit="count", points=points, selector="query:vus over time"))
    return found, series


def thinned(counts: list[int], limit: int = limits.MAX_EXPANDED_SAMPLES) -> list[int]:
    """``counts`` scaled down to sum to ``limit`` in the same proportions (largest remainder), when they sum to
    more: a Locust JSON of a few bytes can claim billions of requests, and each becomes a value in memory."""
    total = sum(counts)
    if total <= limit:
        return counts
    scaled = [count * limit // total for count in counts]
    by_remainder = sorted(range(len(counts)), key=lambda i: (-(counts[i] * limit % total), i))
    for index in by_remainder[: limit - sum(scaled)]:
        scaled[index] += 1
    return scaled


def _locust_json(path: Path) -> _Read:
    document = load_json(path)
    entries = [read_entry(path, index, raw) for index, raw in enumerate(document)]
    found: dict[tuple[str, LabelKey], tuple[FloatArray, str, str]] = {}
    for entry in [*entries, aggregate(entries)]:
        buckets = sorted(entry.buckets.items())
        counts = thinned([int(c) for _, c in buckets])
        times = np.repeat([float(b) for b, _ in buckets], counts).astype(np.float64)
        found[("response_time", _key(entry.labels))] = (times, "ms", LOCUST_BUCKETS)
        failing = min(entry.num_failures, entry.num_requests)
        failures, successes = thinned([failing, entry.num_requests - failing])
        failed = np.zeros(failures + successes, dtype=np.float64)
        failed[:failures] = 1.0
        found[("failures", _key(entry.labels))] = (failed, "ratio", LINEAR)
    return found, []


def _hyperfine(path: Path) -> _Read:
    document = load_json(path)
    unique = UniqueNames()
    found: dict[tuple[str, LabelKey], tuple[FloatArray, str, str]] = {}
    for result in document.get("results", []) if isinstance(document, dict) else []:
        labels = _hyperfine_labels(str(result.get("command", "")), result.get("parameters") or {}, unique)
        times = result.get("times")
        if isinstance(times, list) and times:
            found[("time", _key(labels))] = (np.asarray(times, dtype=np.float64), "s", LINEAR)
    return found, []


_READERS: dict[str, Callable[[Path], _Read]] = {
    "k6-json-stream": lambda path: _k6_stream(path, csv=False),
    "k6-csv-stream": lambda path: _k6_stream(path, csv=True),
    "locust-json": _locust_json,
    "hyperfine-json": _hyperfine,
}


def has_samples(artifact: Artifact) -> bool:
    """Whether this artifact's format records the values behind its figures."""
    return artifact.extraction.adapter in _READERS


#: Files read lately in this process, by (SHA-256, adapter): check's intervals and the build's comparisons and
#: charts read each file once, and so do the many analyses of one test session. Bounded, for long-lived serve.
_RECENT: OrderedDict[tuple[str, str], _Read] = OrderedDict()
RECENT_FILES = 16


def _recent(key: tuple[str, str], read: Callable[[], _Read]) -> _Read:
    if key in _RECENT:
        _RECENT.move_to_end(key)
        return _RECENT[key]
    found = _RECENT[key] = read()
    while len(_RECENT) > RECENT_FILES:
        _RECENT.popitem(last=False)
    return found


class SampleSource:
    """Raw samples of the artifacts of releases, each file read at most once. ``folder`` maps a release id
    to its folder under results/; with a ``store`` (:mod:`reportgen.sample_store`) a file read by an earlier
    process is not read again, and intervals computed from its samples are kept."""

    def __init__(self, folder: Callable[[str], Path], store: SampleStore | None = None) -> None:
        self._folder = folder
        self.store = store
        self._read: dict[tuple[str, str], _Read] = {}

    @classmethod
    def of(cls, project: Project) -> SampleSource:
        """The samples of ``project``'s releases, with its store (unless ``REPORTGEN_NO_CACHE`` is set)."""
        return cls(project.release_dir, SampleStore.of(project.root))

    def _file(self, release: str, artifact: Artifact) -> _Read | None:
        reader = _READERS.get(artifact.extraction.adapter)
        if reader is None:
            return None
        key = (artifact.sha256, artifact.extraction.adapter)
        if key not in self._read:

            def read() -> _Read:
                return reader(self._folder(release) / artifact.path)

            if self.store is not None:
                store, parts = (
                    self.store,
                    [artifact.sha256, artifact.extraction.adapter, artifact.extraction.adapter_version],
                )
                self._read[key] = _recent(key, lambda: store.samples(parts, read))
            else:
                self._read[key] = _recent(key, read)
        return self._read[key]

    def samples(self, release: str, artifact: Artifact, metric: str, labels: dict[str, str]) -> Samples | None:
        """Every value of ``metric`` in the slice ``labels`` of the artifact, or None if it has none."""
        read = self._file(release, artifact)
        found = None if read is None else read[0].get((metric, _key(labels)))
        if found is None or not len(found[0]):
            return None
        values, unit, estimator = found
        slice_text = "" if not labels else " {" + ", ".join(f"{k}: {v}" for k, v in sorted(labels.items())) + "}"
        description = f"{len(values):,} {metric} samples{slice_text} of {artifact.path}"
        origin = "\0".join([artifact.sha256, artifact.extraction.adapter, artifact.extraction.adapter_version, metric])
        origin += "\0" + json.dumps(_key(labels))
        return Samples(values=values, unit=unit, estimator=estimator, description=description, origin=origin)

    def series(self, release: str, artifact: Artifact) -> list[Series]:
        """Over-time series only raw samples give (k6: active VUs)."""
        read = self._file(release, artifact)
        return [] if read is None else read[1]
