"""Reduce raw k6 samples to k6's own statistics (docs/FORMATS.md §1.3).

The stream readers only parse lines and call :meth:`StreamCollector.add`; every
number comes out of :func:`reduce_stream`, the one place a faster engine (DuckDB)
can take over. Values are kept per slice, in file order, because exact
percentiles need all of them. Sums (a Trend's avg, a Counter's count, requests per
second) are exact, rounded once (:func:`exact_sum`): the same whatever order the
lines are added in, so the SQL path can add them in any order, spill or run in
parallel and still give the same bits. k6 adds in arrival order; the two differ by
rounding only (the agreement tests allow 1e-12 for avg; integer counts are equal).
"""

from __future__ import annotations

import math
import re
from array import array
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from reportgen.adapters._k6_common import Kind, percentile_of, stat_unit, value_unit
from reportgen.estimators import K6_LINEAR, k6_linear, percentile_name
from reportgen.schemas.measurement import Measurement, Series
from reportgen.selectors import stream_query

#: Tags that get a slice of their own (labels with exactly that one key).
BREAKDOWN_TAGS = ("name", "status", "scenario", "group", "expected_response")
#: Percentiles of every Trend, besides any a threshold names. k6 turns ``p(99.9)`` into
#: ``99.9 / 100`` = 0.9990000000000001, not 0.999: the same arithmetic keeps the results bit-identical.
TREND_PERCENTILES = tuple(p for p in map(percentile_of, ("p(50)", "p(90)", "p(95)", "p(99)", "p(99.9)")) if p)
#: The per-second charts: requests per second and p95 latency per second.
RATE_SERIES_METRIC = "http_reqs"
LATENCY_SERIES_METRIC = "http_req_duration"

_THRESHOLD_PERCENTILE = re.compile(r"p\([0-9]+(?:\.[0-9]+)?\)")

LabelKey = tuple[tuple[str, str], ...]


@dataclass
class MetricDeclaration:
    """What k6 declares about a metric (or what is assumed when the file does not say)."""

    name: str
    kind: Kind
    contains: str
    thresholds: list[str] = field(default_factory=list)
    submetrics: list[dict[str, str]] = field(default_factory=list)
    assumed: bool = False  # neither declared by the file nor a k6 built-in: taken to be a Trend

    def percentiles(self, requested: Sequence[float] = ()) -> list[float]:
        """The standard percentiles, any a threshold on this metric uses (e.g. ``p(99.99)``) and any requested."""
        wanted = list(TREND_PERCENTILES) + [p for p in requested if p not in TREND_PERCENTILES]
        for expression in self.thresholds:
            for token in _THRESHOLD_PERCENTILE.findall(expression):
                p = percentile_of(token)
                if p is not None and p not in wanted:
                    wanted.append(p)
        return wanted


@dataclass
class SliceSamples:
    """The values of one metric slice in file order; times only for gauges (their value is the last in time)."""

    values: array[float] = field(default_factory=lambda: array("d"))
    times: array[int] = field(default_factory=lambda: array("q"))


@dataclass
class StreamCollector:
    """Everything :func:`reduce_stream` needs, gathered one sample at a time."""

    declarations: dict[str, MetricDeclaration] = field(default_factory=dict)
    slices: dict[str, dict[LabelKey, SliceSamples]] = field(default_factory=dict)
    requests_per_second: dict[int, array[float]] = field(default_factory=dict)
    durations_per_second: dict[int, array[float]] = field(default_factory=dict)
    points: int = 0
    first_ns: int | None = None
    last_ns: int | None = None
    #: Label sets asked for beyond the standard slices (a manifest's ``labels:``), by metric.
    requested: dict[str, list[dict[str, str]]] = field(default_factory=dict)

    def declare(self, declaration: MetricDeclaration) -> None:
        # k6 repeats Metric lines; the first one is as good as any.
        self.declarations.setdefault(declaration.name, declaration)

    def add(self, declaration: MetricDeclaration, time_ns: int, value: float, tags: dict[str, str]) -> None:
        """One sample: appended to every slice whose tags it carries."""
        self.points += 1
        self.first_ns = time_ns if self.first_ns is None else min(self.first_ns, time_ns)
        self.last_ns = time_ns if self.last_ns is None else max(self.last_ns, time_ns)
        by_labels = self.slices.setdefault(declaration.name, {})
        for labels in slice_keys(declaration, tags, self.requested.get(declaration.name, ())):
            samples = by_labels.get(labels)
            if samples is None:
                samples = by_labels[labels] = SliceSamples()
            samples.values.append(value)
            if declaration.kind == "gauge":
                samples.times.append(time_ns)
        self._add_per_second(declaration.name, time_ns // 1_000_000_000, value)

    def _add_per_second(self, metric: str, second: int, value: float) -> None:
        if metric == RATE_SERIES_METRIC:
            self.requests_per_second.setdefault(second, array("d")).append(value)
        elif metric == LATENCY_SERIES_METRIC:
            self.durations_per_second.setdefault(second, array("d")).append(value)


def slice_keys(
    declaration: MetricDeclaration, tags: dict[str, str], requested: Iterable[dict[str, str]] = ()
) -> set[LabelKey]:
    """The slices one sample belongs to: the total, one per breakdown tag, each matching submetric or
    requested label set.

    An empty tag value counts as absent: the CSV cannot tell them apart, and both
    streams must give the same slices.
    """
    keys: set[LabelKey] = {()}
    for tag in BREAKDOWN_TAGS:
        if tags.get(tag):
            keys.add(((tag, tags[tag]),))
    for submetric in (*declaration.submetrics, *requested):
        # k6 matches a submetric by plain string equality of every tag in its selector.
        if all(tags.get(tag) == value for tag, value in submetric.items()):
            keys.add(tuple(sorted(submetric.items())))
    if declaration.name == "checks" and tags.get("check"):
        # The same labels as the summaries' per-check figures; "" is the root group.
        keys.add((("check", tags["check"]), ("group", tags.get("group", ""))))
    return keys


# ---------------------------------------------------------------------------- reductions


def exact_sum(values: Iterable[float]) -> float:
    """The exact sum of ``values``, rounded once to the nearest double (``math.fsum``; ``-0.0`` reads as 0.0)."""
    return math.fsum(values) + 0.0


def _trend_stats(values: array[float], percentiles: list[float]) -> Iterator[tuple[str, float]]:
    count = len(values)
    ordered = sorted(values)
    yield "count", float(count)
    yield "avg", exact_sum(values) / count
    yield "min", ordered[0]
    yield "max", ordered[-1]
    for p in percentiles:
        yield percentile_name(p), k6_linear(ordered, p)


def _rate_stats(values: array[float]) -> Iterator[tuple[str, float]]:
    passes = sum(1 for value in values if value != 0)
    yield "rate", passes / len(values)
    yield "passes", float(passes)
    yield "fails", float(len(values) - passes)


def _gauge_stats(samples: SliceSamples) -> Iterator[tuple[str, float]]:
    last = 0
    for index, time_ns in enumerate(samples.times):
        if time_ns >= samples.times[last]:  # ties: the later line wins
            last = index
    yield "value", samples.values[last]
    yield "min", min(samples.values)
    yield "max", max(samples.values)


def reduce_samples(
    declaration: MetricDeclaration, samples: SliceSamples, requested: Sequence[float] = ()
) -> Iterator[tuple[str, float]]:
    """k6's statistics of one slice, by metric kind. A Counter's per-second rate needs the run duration: not here."""
    if declaration.kind == "trend":
        return _trend_stats(samples.values, declaration.percentiles(requested))
    if declaration.kind == "rate":
        return _rate_stats(samples.values)
    if declaration.kind == "gauge":
        return _gauge_stats(samples)
    return iter([("count", exact_sum(samples.values))])


_QUERY_STAT = {
    ("counter", "count"): "sum",
    ("rate", "rate"): "share of non-zero",
    ("rate", "passes"): "count of non-zero",
    ("rate", "fails"): "count of zero",
    ("gauge", "value"): "last in time",
}


def _query_stat(kind: Kind, stat: str) -> str:
    """How the statistic was computed, for the selector (``p95`` stays ``p95``)."""
    return _QUERY_STAT.get((kind, stat), stat)


def _is_percentile(kind: Kind, stat: str) -> bool:
    return kind == "trend" and (stat == "med" or stat.startswith("p"))


def slice_measurements(
    declaration: MetricDeclaration, labels: LabelKey, stats: Iterable[tuple[str, float]]
) -> list[Measurement]:
    """The measurements of one slice from its (stat, value) pairs, in :func:`reduce_samples`' order."""
    found = []
    for stat, value in stats:
        estimator = K6_LINEAR if _is_percentile(declaration.kind, stat) else None
        filters = {"metric": declaration.name, **dict(labels)}
        found.append(
            Measurement(
                metric=declaration.name,
                stat=stat,
                value=value,
                unit=stat_unit(declaration.kind, declaration.contains, stat),
                labels=dict(labels),
                selector=stream_query(_query_stat(declaration.kind, stat), "value", filters, estimator),
                estimator=estimator,
            )
        )
    return found


def per_second_series(
    requests_per_second: dict[int, float], p95_per_second: dict[int, float], latency_contains: str
) -> list[Series]:
    """Requests per second and p95 latency per second (k6's rule) as chart series, seconds in order."""
    series = []
    if requests_per_second:
        points = [(float(s), requests_per_second[s]) for s in sorted(requests_per_second)]
        selector = stream_query("sum per second", "value", {"metric": RATE_SERIES_METRIC})
        series.append(Series(metric=RATE_SERIES_METRIC, stat="count", unit="count", points=points, selector=selector))
    if p95_per_second:
        points = [(float(s), p95_per_second[s]) for s in sorted(p95_per_second)]
        selector = stream_query("p95 per second", "value", {"metric": LATENCY_SERIES_METRIC}, K6_LINEAR)
        series.append(
            Series(
                metric=LATENCY_SERIES_METRIC,
                stat="p95",
                unit=value_unit(latency_contains),
                points=points,
                selector=selector,
                estimator=K6_LINEAR,
            )
        )
    return series


def _per_second_series(collected: StreamCollector) -> list[Series]:
    by_second = collected.durations_per_second
    p95 = {s: k6_linear(sorted(values), 0.95) for s, values in by_second.items()}
    contains = collected.declarations[LATENCY_SERIES_METRIC].contains if p95 else ""
    requests = {s: exact_sum(values) for s, values in collected.requests_per_second.items()}
    return per_second_series(requests, p95, contains)


def reduce_stream(
    collected: StreamCollector, requested: Sequence[float] = ()
) -> tuple[list[Measurement], list[Series]]:
    """Every statistic of every slice (plus ``requested`` percentiles of trends, 0..1), and the per-second
    series: the whole reduction of a k6 stream."""
    found: list[Measurement] = []
    for metric, by_labels in collected.slices.items():
        declaration = collected.declarations[metric]
        for labels in sorted(by_labels, key=lambda key: (len(key), key)):
            stats = reduce_samples(declaration, by_labels[labels], requested)
            found.extend(slice_measurements(declaration, labels, stats))
    return found, _per_second_series(collected)


def stream_info(collected: StreamCollector) -> dict[str, str]:
    """What the stream says about the run: sample count, time span, declared thresholds, metrics taken as trends."""
    return run_info(collected.points, collected.first_ns, collected.last_ns, collected.declarations, collected.slices)


def run_info(
    points: int,
    first_ns: int | None,
    last_ns: int | None,
    declarations: dict[str, MetricDeclaration],
    sampled: Iterable[str],
) -> dict[str, str]:
    """:func:`stream_info` from its parts; ``sampled`` are the metrics with samples."""
    info = {"points": str(points)}
    if first_ns is not None and last_ns is not None:
        info["first_point"] = _iso(first_ns)
        info["last_point"] = _iso(last_ns)
    for name, declaration in declarations.items():
        if declaration.thresholds:
            info[f"thresholds.{name}"] = "; ".join(declaration.thresholds)
    with_samples = set(sampled)
    assumed = sorted(d.name for d in declarations.values() if d.assumed and d.name in with_samples)
    if assumed:
        info["assumed_trend"] = ", ".join(assumed)
    return info


def _iso(time_ns: int) -> str:
    seconds, nanos = divmod(time_ns, 1_000_000_000)
    stamp = datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%S")
    return f"{stamp}.{nanos:09d}Z"
