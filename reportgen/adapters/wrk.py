"""wrk 4.x text output, and wrk2's HdrHistogram percentile spectrum (docs/FORMATS.md §8).

wrk writes only text for people: every number carries its own unit suffix, chosen per value
(``55.33us`` beside ``78.43ms``; ``2.11k`` requests; ``27.56MB`` read, 1 KB = 1024 B). Each value is
parsed with its suffix and stored in one unit per quantity (ms, /s, B, B/s, count), so the text's
rounding is the only loss: reformatting a value with wrk's own rule gives back the printed text.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import ClassVar

from reportgen import selectors
from reportgen.adapters._base import Sample, iter_lines
from reportgen.errors import ArtifactError, Position
from reportgen.schemas.measurement import Extraction, ExtractWarning, Measurement

#: wrk 4.x: nearest rank over per-microsecond counts (``stats_percentile``), so exact to 1 µs.
WRK_NEAREST_RANK = "wrk-nearest-rank"
#: wrk2: ``hdr_value_at_percentile`` of an HdrHistogram (3 significant digits).
WRK2_HDRHISTOGRAM = "wrk2-hdrhistogram"

#: Multipliers from each suffix to the unit reportgen stores (wrk's units.c tables).
#: Decimal, so that ``4.02s`` becomes 4020 ms and ``66.67%`` 0.6667, not their binary neighbours.
TIME_TO_MS = {
    "us": Decimal("0.001"),
    "ms": Decimal(1),
    "s": Decimal(1000),
    "m": Decimal(60_000),
    "h": Decimal(3_600_000),
}
METRIC = {"": Decimal(1), **{suffix: Decimal(1000) ** (i + 1) for i, suffix in enumerate("kMGTP")}}
BINARY = {"B": Decimal(1), **{f"{prefix}B": Decimal(1024) ** (i + 1) for i, prefix in enumerate("KMGTP")}}

_NUMBER = r"\d+(?:\.\d+)?"
_VALUE = re.compile(rf"^(?P<number>{_NUMBER})(?P<suffix>[A-Za-z]*)$")
_RUNNING = re.compile(r"^\s*Running (?P<duration>\S+) test @ (?P<url>\S+)\s*$")
_THREADS = re.compile(r"^\s*(?P<threads>\d+) threads and (?P<connections>\d+) connections\s*$")
_STATS_ROW = re.compile(
    r"^\s*(?P<name>Latency|Req/Sec)\s+(?P<avg>\S+)\s+(?P<stdev>\S+)\s+(?P<max>\S+)\s+(?P<within>\S+)%\s*$"
)
_DISTRIBUTION = re.compile(
    r"^\s*Latency Distribution(?: \(HdrHistogram - (?P<kind>Recorded|Uncorrected) Latency.*\))?\s*$"
)
_PERCENTILE = re.compile(rf"^\s*(?P<p>{_NUMBER})%\s+(?P<value>\S+)\s*$")
_SPECTRUM_ROW = re.compile(rf"^\s*(?P<value>{_NUMBER})\s+(?P<p>{_NUMBER})\s+(?P<count>\d+)\s+(?:{_NUMBER}|inf)\s*$")
_MEAN = re.compile(rf"^\s*#?\[Mean\s*=\s*(?P<mean>{_NUMBER}), StdDeviation\s*=\s*(?P<stdev>{_NUMBER})\]\s*$")
_MAX = re.compile(rf"^\s*#?\[Max\s*=\s*(?P<max>{_NUMBER}), Total count\s*=\s*(?P<count>\d+)\]\s*$")
_TOTALS = re.compile(r"^\s*(?P<requests>\d+) requests in (?P<duration>\S+), (?P<bytes>\S+) read\s*$")
_SOCKET = re.compile(r"^\s*Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)\s*$")
_NON_2XX = re.compile(r"^\s*Non-2xx or 3xx responses: (?P<count>\d+)\s*$")
_RATE = re.compile(r"^\s*Requests/sec:\s+(?P<value>\S+)\s*$")
_TRANSFER = re.compile(r"^\s*Transfer/sec:\s+(?P<value>\S+)\s*$")
_SOCKET_KINDS = ("connect", "read", "write", "timeout")


def parse_value(text: str, table: dict[str, Decimal], path: Path, line: int) -> float:
    """``55.33us`` with the time table → 0.05533 (ms); an unknown suffix is damage named by its line."""
    match = _VALUE.match(text)
    if not match or match.group("suffix") not in table:
        known = ", ".join(s or "(none)" for s in table)
        raise ArtifactError(Position(path, line), f"cannot read {text!r} as a wrk value (number with suffix {known})")
    return float(Decimal(match.group("number")) * table[match.group("suffix")])


def percentile_stat(percent: str) -> str:
    """``99.900`` → ``p99.9``, ``50`` → ``p50``: the tool's percentile without trailing zeros."""
    text = f"{float(percent):.6f}".rstrip("0").rstrip(".")
    return f"p{text}"


@dataclass
class _Run:
    """What has been read so far; ``add`` records one measurement at a line."""

    path: Path
    extraction: Extraction
    histogram: str = "recorded"
    seen: set[tuple[str, str, tuple[tuple[str, str], ...]]] = field(default_factory=set)

    def add(self, metric: str, stat: str, value: float | None, unit: str, line: int, name: str, **labels: str) -> None:
        measurement = Measurement(
            metric=metric,
            stat=stat,
            value=value,
            unit=unit,
            labels=labels,
            selector=selectors.text_field(line, name),
            estimator=self.estimator if stat.startswith("p") else None,
        )
        if measurement.key() not in self.seen:  # the distribution block wins over the spectrum's row
            self.seen.add(measurement.key())
            self.extraction.measurements.append(measurement)

    @property
    def estimator(self) -> str:
        return WRK2_HDRHISTOGRAM if self.extraction.info.get("tool") == "wrk2" else WRK_NEAREST_RANK

    @property
    def labels(self) -> dict[str, str]:
        """wrk2's uncorrected histogram (``-U``) is labelled; the recorded (corrected) one is the plain figure."""
        return {"histogram": "uncorrected"} if self.histogram == "uncorrected" else {}


def _thread_stats(run: _Run, match: re.Match[str], line: int) -> None:
    if match.group("name") == "Latency":
        metric, table, unit = "latency", TIME_TO_MS, "ms"
    else:
        metric, table, unit = "thread_requests", METRIC, "/s"
    for stat, group in (("avg", "avg"), ("stddev", "stdev"), ("max", "max")):
        value = parse_value(match.group(group), table, run.path, line)
        run.add(metric, stat, value, unit, line, f"{match.group('name')} {group.capitalize()}")
    try:
        within = Decimal(match.group("within")) / 100  # "-nan" when there were no requests
    except InvalidOperation:
        raise ArtifactError(
            Position(run.path, line), f"+/- Stdev: expected a percentage, got {match.group('within')!r}%"
        ) from None
    share = float(within) if within.is_finite() else None
    run.add(f"{metric}_within_stddev", "ratio", share, "ratio", line, f"{match.group('name')} +/- Stdev")


def _totals(run: _Run, match: re.Match[str], line: int) -> None:
    run.add("requests", "count", float(match.group("requests")), "count", line, "requests")
    run.add("duration", "value", parse_value(match.group("duration"), TIME_TO_MS, run.path, line), "ms", line, "in")
    run.add("bytes_read", "sum", parse_value(match.group("bytes"), BINARY, run.path, line), "B", line, "read")


def _socket_errors(run: _Run, match: re.Match[str], line: int) -> None:
    counts = [float(group) for group in match.groups()]
    for kind, count in zip(_SOCKET_KINDS, counts, strict=True):
        run.add("socket_errors", "count", count, "count", line, kind, kind=kind)
    run.add("socket_errors", "count", sum(counts), "count", line, "Socket errors")


def _spectrum_row(run: _Run, match: re.Match[str], line: int) -> None:
    fraction = Decimal(match.group("p"))
    value = float(match.group("value"))  # wrk2 prints the spectrum in ms (microseconds scaled by 1000)
    stat = "min" if fraction == 0 else percentile_stat(str(fraction * 100))  # 0.943750 → p94.375
    if fraction < 1:  # the 1.000000 row repeats the maximum, which #[Max] states unrounded
        run.add("latency", stat, value, "ms", line, "Value", **run.labels)


def _read_lines(run: _Run) -> None:
    in_distribution = False
    handlers: list[tuple[re.Pattern[str], Callable[[_Run, re.Match[str], int], None]]] = [
        (_STATS_ROW, _thread_stats),
        (_TOTALS, _totals),
        (_SOCKET, _socket_errors),
        (_SPECTRUM_ROW, _spectrum_row),
    ]
    started = False
    for line, text in iter_lines(run.path):
        running = _RUNNING.match(text)
        if running:
            if started:
                raise ArtifactError(Position(run.path, line), "a second wrk run starts here; keep one run per file")
            started = True
            run.extraction.info.update(url=running.group("url"), planned_duration=running.group("duration"))
            continue
        if not started:  # a shell prompt or the command line above wrk's output
            continue
        if "Thread calibration:" in text:
            run.extraction.info["tool"] = "wrk2"
            continue
        if (threads := _THREADS.match(text)) is not None:
            run.extraction.info.update(threads=threads.group("threads"), connections=threads.group("connections"))
            continue
        if (distribution := _DISTRIBUTION.match(text)) is not None:
            in_distribution = True
            if distribution.group("kind"):
                run.extraction.info["tool"] = "wrk2"
                run.histogram = distribution.group("kind").lower()
            continue
        if in_distribution and (percentile := _PERCENTILE.match(text)) is not None:
            value = parse_value(percentile.group("value"), TIME_TO_MS, run.path, line)
            stat = percentile_stat(percentile.group("p"))
            name = f"{percentile.group('p')}%"
            run.add("latency", stat, value, "ms", line, name, **run.labels)
            continue
        in_distribution = False
        if (mean := _MEAN.match(text)) is not None:  # for the recorded histogram, Thread Stats came first
            run.add("latency", "avg", float(mean.group("mean")), "ms", line, "Mean", **run.labels)
            run.add("latency", "stddev", float(mean.group("stdev")), "ms", line, "StdDeviation", **run.labels)
            continue
        if (maximum := _MAX.match(text)) is not None:
            run.add("latency", "max", float(maximum.group("max")), "ms", line, "Max", **run.labels)
            run.add("latency", "count", float(maximum.group("count")), "count", line, "Total count", **run.labels)
            continue
        if (non_2xx := _NON_2XX.match(text)) is not None:
            run.add("non_2xx_3xx", "count", float(non_2xx.group("count")), "count", line, "Non-2xx or 3xx responses")
            continue
        if (rate := _RATE.match(text)) is not None:
            run.add(
                "requests", "rate", parse_value(rate.group("value"), METRIC, run.path, line), "/s", line, "Requests/sec"
            )
            continue
        if (transfer := _TRANSFER.match(text)) is not None:
            value = parse_value(transfer.group("value"), BINARY, run.path, line)
            run.add("bytes_read", "rate", value, "B/s", line, "Transfer/sec")
            continue
        for pattern, handler in handlers:
            if (found := pattern.match(text)) is not None:
                handler(run, found, line)
                break
    if not started:
        raise ArtifactError(Position(run.path, 1), 'not wrk output: no "Running … test @ URL" line')


def _nothing_completed(run: _Run) -> None:
    """With 0 requests wrk prints 0.00us for the latency of nothing: those figures are missing, not zero."""
    run.extraction.measurements = [
        m.model_copy(update={"value": None}) if m.metric.startswith(("latency", "thread_requests")) else m
        for m in run.extraction.measurements
    ]
    run.extraction.warnings.append(
        ExtractWarning(
            message="no request completed: wrk's latency and Req/Sec figures describe nothing and are missing"
        )
    )


def _ratio(part: float, whole: float) -> float | None:
    return part / whole if whole else None


def _failures(run: _Run) -> None:
    """Failed attempts: Non-2xx/3xx responses plus socket errors, as a count and as a share.

    A socket error is counted as one attempt that did not complete (connect errors never do); a timed-out
    request that still completes is then counted twice, so the share errs high, the safe side for a guard.
    """
    figures = {m.key(): m.value or 0.0 for m in run.extraction.measurements}
    requests = figures.get(("requests", "count", ()))
    if requests is None or ("requests", "rate", ()) not in figures:
        raise ArtifactError(Position(run.path), 'truncated wrk output: no "N requests in …" or "Requests/sec:" line')
    if requests == 0:
        _nothing_completed(run)
    status = figures.get(("non_2xx_3xx", "count", ()), 0.0)
    sockets = figures.get(("socket_errors", "count", ()), 0.0)
    failed = "Non-2xx or 3xx responses + Socket errors"
    derived = [
        ("non_2xx_3xx", "ratio", _ratio(status, requests), "ratio", "Non-2xx or 3xx responses / requests"),
        ("failures", "count", status + sockets, "count", failed),
        (
            "failures",
            "ratio",
            _ratio(status + sockets, requests + sockets),
            "ratio",
            f"({failed}) / (requests + Socket errors)",
        ),
    ]
    for metric, printed in (("non_2xx_3xx", "Non-2xx or 3xx responses"), ("socket_errors", "Socket errors")):
        if (metric, "count", ()) not in figures:  # wrk prints these lines only when the count is not zero
            absent = f"query:count of {printed}; no such line, which wrk omits when the count is 0"
            run.extraction.measurements.append(
                Measurement(metric=metric, stat="count", value=0, unit="count", selector=absent)
            )
    for metric, stat, value, unit, computation in derived:
        run.extraction.measurements.append(
            Measurement(
                metric=metric, stat=stat, value=value, unit=unit, selector=selectors.stream_query(stat, computation, {})
            )
        )


class WrkText:
    name: ClassVar[str] = "wrk-text"
    version: ClassVar[str] = "1"
    summary: ClassVar[str] = "wrk 4.x console output (with --latency), and wrk2's with its percentile spectrum"
    priority: ClassVar[int] = 50

    def sniff(self, sample: Sample) -> bool:
        return bool(
            re.search(r"^\s*Running \S+ test @ \S+", sample.head, re.MULTILINE)
            and re.search(r"^\s*\d+ threads and \d+ connections", sample.head, re.MULTILINE)
        )

    def read(self, path: Path) -> Extraction:
        run = _Run(path, Extraction(adapter=self.name, adapter_version=self.version, info={"tool": "wrk"}))
        _read_lines(run)
        _failures(run)
        return run.extraction
