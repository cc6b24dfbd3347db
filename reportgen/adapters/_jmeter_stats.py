"""JMeter samples → reportgen measurements, by the HTML dashboard's rules (docs/FORMATS.md §3.3).

The CSV and XML readers only turn rows into :class:`JmeterSample`; every number
comes out of :func:`measure`, so a run saved both ways gives identical figures.

Rules, as JMeter's dashboard (``statistics.json``) applies them:

* mean, min, max, counts and bytes over every sample of a series;
* median and percentiles with Commons-Math ``Percentile`` LEGACY over the **last
  20 000 samples** of the series in file order (``jmeter.reportgenerator.statistic_window``);
* throughput = count / ((max(ts + elapsed) − min(ts)) / 1000).

Transaction Controller samples are kept as labels of their own but left out of the
total (``labels == {}``): their time and requests are the sum of their children's.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from reportgen import limits
from reportgen.errors import ArtifactError, Position
from reportgen.estimators import JMETER_LEGACY, jmeter_legacy, percentile_name
from reportgen.schemas.measurement import Measurement, Series
from reportgen.selectors import stream_query

#: Samples the dashboard keeps per series for its percentiles.
STATISTIC_WINDOW = 20_000
PERCENTILES = (0.5, 0.9, 0.95, 0.99)
#: Recorded on every percentile so the window is visible next to the rule.
ESTIMATOR = JMETER_LEGACY
WINDOW_NOTE = f"{JMETER_LEGACY} over the last {STATISTIC_WINDOW} samples per series, in file order"

#: How a Transaction Controller's parent sample begins its message (also the SQL path's rule).
TRANSACTION_MESSAGE = "Number of samples in transaction"
_SUBRESULT = re.compile(r"^(?P<parent>.+)-(?P<index>\d+)$")
#: The filter every total-level selector carries: transactions are not in the total.
_TOTAL_FILTER = {"transaction_controller": "false"}


@dataclass(frozen=True)
class JmeterSample:
    """One sample (a CSV row or an XML element), in the units JMeter writes: epoch ms, ms, bytes."""

    line: int
    timestamp: int
    elapsed: int
    label: str
    success: bool
    response_code: str
    response_message: str
    data_type: str | None  # None when the file has no dataType column
    received_bytes: int | None
    sent_bytes: int | None
    latency: int | None
    connect: int | None
    parent: str | None = None  # the enclosing sample's label, for nested XML sub-results

    @property
    def is_transaction(self) -> bool:
        """A Transaction Controller sample: JMeter's own message and no data type."""
        return self.response_message.startswith(TRANSACTION_MESSAGE) and not self.data_type


@dataclass
class _SeriesStats:
    """The figures of one series (one label, the total, or their successful samples)."""

    labels: dict[str, str]
    filters: dict[str, str]
    samples: list[JmeterSample]


def subresult_parents(samples: Sequence[JmeterSample]) -> dict[str, str]:
    """``HP-0`` → ``HP`` for every ``<label>-<n>`` label whose parent label is a transaction in the file.

    CSV files write sub-results as rows of their own just before the parent; XML nests
    them, and the XML reader fills :attr:`JmeterSample.parent` directly.
    """
    parents = label_parents({s.label for s in samples}, {s.label for s in samples if s.is_transaction})
    for sample in samples:
        if sample.parent is not None:
            parents[sample.label] = sample.parent
    return parents


def label_parents(labels: Iterable[str], transactions: set[str]) -> dict[str, str]:
    """``HP-0`` → ``HP`` for the labels named ``<transaction>-<n>``."""
    parents: dict[str, str] = {}
    for label in labels:
        match = _SUBRESULT.match(label)
        if match and match["parent"] in transactions:
            parents[label] = match["parent"]
    return parents


def label_keys(label: str, parents: dict[str, str]) -> dict[str, str]:
    """The labels of one JMeter label's series: ``{label}`` and its transaction as ``parent`` if it is a sub-result."""
    return {"label": label, "parent": parents[label]} if label in parents else {"label": label}


def _label_keys(samples: Sequence[JmeterSample], parents: dict[str, str]) -> dict[str, dict[str, str]]:
    keys: dict[str, dict[str, str]] = {}
    for sample in samples:
        if sample.label not in keys:
            keys[sample.label] = label_keys(sample.label, parents)
    return keys


def _series(samples: Sequence[JmeterSample], parents: dict[str, str]) -> list[_SeriesStats]:
    """Total (without transactions), then each label; each followed by its successful samples."""
    by_label: dict[str, list[JmeterSample]] = defaultdict(list)
    for sample in samples:
        by_label[sample.label].append(sample)
    total = [s for s in samples if not s.is_transaction]
    out = [_SeriesStats({}, dict(_TOTAL_FILTER), total)]
    for label, labels in _label_keys(samples, parents).items():
        out.append(_SeriesStats(labels, {"label": label}, by_label[label]))
    with_success: list[_SeriesStats] = []
    for series in out:
        with_success.append(series)
        ok = [s for s in series.samples if s.success]
        with_success.append(
            _SeriesStats({**series.labels, "success": "true"}, {**series.filters, "success": "true"}, ok)
        )
    return with_success


@dataclass(frozen=True)
class SeriesFigures:
    """What the measurements of one series are computed from (sums of integers, so exact in any order)."""

    labels: dict[str, str]
    filters: dict[str, str]
    count: int
    errors: int = 0
    start: int = 0  # min(timeStamp)
    end: int = 0  # max(timeStamp + elapsed)
    elapsed_sum: int = 0
    elapsed_min: int = 0
    elapsed_max: int = 0
    window: tuple[int, ...] = ()  # the last STATISTIC_WINDOW elapsed values in file order, sorted
    latency: tuple[int, int] = (0, 0)  # (sum, samples that have one)
    connect: tuple[int, int] = (0, 0)
    received: tuple[int, int] = (0, 0)
    sent: tuple[int, int] = (0, 0)


def _present(values: Iterable[int | None]) -> tuple[int, int]:
    present = [v for v in values if v is not None]
    return sum(present), len(present)


def figures_of(series: _SeriesStats) -> SeriesFigures:
    """The figures of a series from its samples (the line readers' path)."""
    samples = series.samples
    if not samples:
        return SeriesFigures(series.labels, series.filters, 0)
    elapsed = [s.elapsed for s in samples]
    return SeriesFigures(
        series.labels,
        series.filters,
        len(samples),
        errors=sum(1 for s in samples if not s.success),
        start=min(s.timestamp for s in samples),
        end=max(s.timestamp + s.elapsed for s in samples),
        elapsed_sum=sum(elapsed),
        elapsed_min=min(elapsed),
        elapsed_max=max(elapsed),
        window=tuple(sorted(elapsed[-STATISTIC_WINDOW:])),
        latency=_present(s.latency for s in samples),
        connect=_present(s.connect for s in samples),
        received=_present(s.received_bytes for s in samples),
        sent=_present(s.sent_bytes for s in samples),
    )


def _query(stat: str, value: str, filters: dict[str, str], estimator: str | None = None) -> str:
    return stream_query(stat, value, filters, estimator)


def _mean(values: Iterable[int]) -> float:
    items = list(values)
    return math.fsum(items) / len(items)


#: A selector for one statistic: (stat name, estimator or None) → selector text.
QueryFor = Callable[[str, str | None], str]


def timing_measurements(
    labels: dict[str, str],
    times: Sequence[int],
    query: QueryFor,
    percentiles: Iterable[tuple[float, float]],
    estimator: str,
) -> list[Measurement]:
    """``response_time`` avg/min/max over ``times`` and the given (rank, value) percentiles, all in ms."""
    return timing_from(labels, (_mean(times), min(times), max(times)), query, percentiles, estimator)


def timing_from(
    labels: dict[str, str],
    avg_min_max: tuple[float, float, float],
    query: QueryFor,
    percentiles: Iterable[tuple[float, float]],
    estimator: str,
) -> list[Measurement]:
    """``response_time`` avg, min, max and percentiles, all in ms, from figures already computed."""
    plain = zip(("avg", "min", "max"), avg_min_max, strict=True)
    out = [
        Measurement(metric="response_time", stat=stat, value=v, unit="ms", labels=labels, selector=query(stat, None))
        for stat, v in plain
    ]
    for rank, v in percentiles:
        stat = percentile_name(rank)
        out.append(
            Measurement(
                metric="response_time",
                stat=stat,
                value=v,
                unit="ms",
                labels=labels,
                selector=query(stat, estimator),
                estimator=estimator,
            )
        )
    return out


def _response_time(series: SeriesFigures) -> list[Measurement]:
    def query(stat: str, estimator: str | None) -> str:
        # the selector names the window next to the rule; the estimator field keeps the rule's name
        rule = f"{estimator} (window {STATISTIC_WINDOW})" if estimator else None
        return _query(stat, "elapsed", series.filters, rule)

    percentiles = [(p, jmeter_legacy(series.window, p)) for p in PERCENTILES]
    plain = (float(series.elapsed_sum) / series.count, float(series.elapsed_min), float(series.elapsed_max))
    return timing_from(series.labels, plain, query, percentiles, ESTIMATOR)


def _optional_mean(metric: str, column: str, present: tuple[int, int], series: SeriesFigures) -> list[Measurement]:
    total, count = present
    if not count:
        return []
    return [
        Measurement(
            metric=metric,
            stat="avg",
            value=float(total) / count,
            unit="ms",
            labels=series.labels,
            selector=_query("avg", column, series.filters),
        )
    ]


def _byte_rates(series: SeriesFigures, duration: float) -> list[Measurement]:
    out = []
    for metric, column, (total, count) in (
        ("received_bytes", "bytes", series.received),
        ("sent_bytes", "sentBytes", series.sent),
    ):
        if not count or duration <= 0:
            continue
        out.append(
            Measurement(
                metric=metric,
                stat="rate",
                value=float(total) / duration,
                unit="B/s",
                labels=series.labels,
                selector=_query("sum/duration", column, series.filters),
            )
        )
    return out


def series_measurements(series: SeriesFigures) -> list[Measurement]:
    """Every measurement of one series: requests, errors, response time, latency, connect, byte rates."""
    count, labels, filters = series.count, series.labels, series.filters
    out = [
        Measurement(
            metric="requests",
            stat="count",
            value=count,
            unit="count",
            labels=labels,
            selector=_query("count", "samples", filters),
        )
    ]
    if count == 0:
        return out
    duration = (series.end - series.start) / 1000
    rate = count / duration if duration > 0 else None
    out.append(
        Measurement(
            metric="requests",
            stat="rate",
            value=rate,
            unit="/s",
            labels=labels,
            selector=_query("count/((max(timeStamp+elapsed)-min(timeStamp))/1000)", "samples", filters),
        )
    )
    if "success" not in labels:
        out.append(
            Measurement(
                metric="errors",
                stat="count",
                value=series.errors,
                unit="count",
                labels=labels,
                selector=_query("count", "samples", {**filters, "success": "false"}),
            )
        )
        out.append(
            Measurement(
                metric="errors",
                stat="ratio",
                value=series.errors / count,
                unit="ratio",
                labels=labels,
                selector=_query("ratio", "success=false", filters),
            )
        )
    out += _response_time(series)
    out += _optional_mean("latency", "Latency", series.latency, series)
    out += _optional_mean("connect", "Connect", series.connect, series)
    out += _byte_rates(series, duration)
    return out


def errors_by_code(codes: dict[str, int]) -> list[Measurement]:
    """Failed samples of the total per response code, by code."""
    return [
        Measurement(
            metric="errors",
            stat="count",
            value=n,
            unit="count",
            labels={"code": code},
            selector=_query("count", "samples", {**_TOTAL_FILTER, "success": "false", "responseCode": code}),
        )
        for code, n in sorted(codes.items())
    ]


def per_second(requests: dict[int, int], errors: dict[int, int], path: Path) -> list[Series]:
    """Requests and errors started in each whole second of the run (zeros filled), total without transactions.

    A run longer than limits.MAX_SERIES_SECONDS is refused: one damaged timestamp would otherwise fill in
    billions of seconds (a mutated JTL reached 19 GB before).
    """
    if not requests:
        return []
    too_long = limits.series_too_long(min(requests), max(requests))
    if too_long is not None:
        raise ArtifactError(Position(path), too_long)
    seconds = range(min(requests), max(requests) + 1)
    return [
        Series(
            metric="requests",
            stat="rate",
            unit="/s",
            points=[(float(t), float(requests.get(t, 0))) for t in seconds],
            selector=_query("count per second", "samples", _TOTAL_FILTER),
        ),
        Series(
            metric="errors",
            stat="rate",
            unit="/s",
            points=[(float(t), float(errors.get(t, 0))) for t in seconds],
            selector=_query("count per second", "samples", {**_TOTAL_FILTER, "success": "false"}),
        ),
    ]


def run_facts(
    samples: int, transactions: list[str], in_total: int, parents: dict[str, str], start_ms: int | None
) -> dict[str, str]:
    """What ``info`` says about a JTL: sample count, percentile rule, transactions, sub-results, start."""
    info = {
        "jmeter.samples": str(samples),
        "jmeter.percentiles": WINDOW_NOTE,
        "jmeter.transaction_controllers": ", ".join(transactions) or "none",
        "jmeter.total": "labels {} exclude Transaction Controller samples"
        + (f" ({samples - in_total} samples of {', '.join(transactions)})" if transactions else ""),
    }
    if parents:
        info["jmeter.subresults"] = "; ".join(f"{child} → {parent}" for child, parent in sorted(parents.items()))
    if start_ms is not None:
        info["jmeter.start_ms"] = str(start_ms)
    return info


def check_span(samples: Sequence[JmeterSample], path: Path) -> None:
    """Refuse samples spanning more seconds than a per-second series may, naming the row farthest from the
    median timestamp (the damaged one, when one is)."""
    stamps = sorted(s.timestamp for s in samples)
    if not stamps:
        return
    too_long = limits.series_too_long(stamps[0] // 1000, stamps[-1] // 1000)
    if too_long is None:
        return
    median = stamps[len(stamps) // 2]
    worst = max(samples, key=lambda s: abs(s.timestamp - median))
    away = abs(worst.timestamp - median) / 1000
    raise ArtifactError(
        Position(path, worst.line), f"timeStamp {worst.timestamp} is {away:,.0f} s from the run's median: {too_long}"
    )


def measure(samples: Sequence[JmeterSample], path: Path) -> tuple[list[Measurement], list[Series], dict[str, str]]:
    """Every measurement, the per-second series and the facts for ``info`` from the samples of one file."""
    check_span(samples, path)
    parents = subresult_parents(samples)
    measurements: list[Measurement] = []
    for series in _series(samples, parents):
        measurements += series_measurements(figures_of(series))
    total = [s for s in samples if not s.is_transaction]
    measurements += errors_by_code(Counter(s.response_code for s in total if not s.success))
    transactions = sorted({s.label for s in samples if s.is_transaction})
    requests = Counter(s.timestamp // 1000 for s in total)
    errors = Counter(s.timestamp // 1000 for s in total if not s.success)
    start = min(s.timestamp for s in samples) if samples else None
    info = run_facts(len(samples), transactions, len(total), parents, start)
    return measurements, per_second(requests, errors, path), info
