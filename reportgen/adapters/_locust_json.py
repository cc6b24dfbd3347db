"""Locust ``--json`` / ``--json-file`` entries, checked, and the reductions Locust itself applies to them.

Every formula mirrors a ``StatsEntry`` property in ``locust/stats.py`` (2.x), so a
figure derived here is the number Locust would print for the same data
(docs/FORMATS.md §2.2, §2.4).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from reportgen.errors import ArtifactError, Position
from reportgen.estimators import locust_buckets

K = TypeVar("K", int, float)

#: Locust's ``PERCENTILES_TO_REPORT``; the JSON does not record the list, so the default is used.
PERCENTILES = (0.50, 0.66, 0.75, 0.80, 0.90, 0.95, 0.98, 0.99, 0.999, 0.9999, 1.0)


@dataclass
class Entry:
    """One (method, name) of the JSON array, or their merge (the Aggregated total, ``index`` None)."""

    index: int | None
    labels: dict[str, str]
    num_requests: int = 0
    num_none_requests: int = 0
    num_failures: int = 0
    total_response_time: float = 0.0
    min_response_time: float | None = None
    max_response_time: float = 0.0
    total_content_length: float = 0.0
    buckets: dict[float, int] = field(default_factory=dict)
    requests_per_second: dict[int, int] = field(default_factory=dict)
    failures_per_second: dict[int, int] = field(default_factory=dict)
    start_time: float | None = None
    last_request_timestamp: float | None = None

    @property
    def timed_requests(self) -> int:
        """Requests with a response time: Locust's denominator for avg, median and percentiles."""
        return self.num_requests - self.num_none_requests

    def avg_response_time(self) -> float | None:
        return float(self.total_response_time) / self.timed_requests if self.timed_requests > 0 else None

    def percentile(self, share: float) -> float | None:
        if not self.buckets or self.timed_requests <= 0:
            return None
        return locust_buckets(self.buckets, share, self.timed_requests)

    def median(self) -> float | None:
        """Locust's median: the bucket percentile, clamped into [min, max] (bucket rounding can overshoot)."""
        median = self.percentile(0.5)
        if median is None:
            return None
        if median > self.max_response_time:
            return self.max_response_time
        if self.min_response_time is not None and median < self.min_response_time:
            return self.min_response_time
        return median

    def failure_ratio(self) -> float | None:
        """Locust's ``fail_ratio``, except that no requests and no failures give no figure instead of 0."""
        if self.num_requests > 0:
            return float(self.num_failures) / self.num_requests
        return 1.0 if self.num_failures > 0 else None

    def avg_content_length(self) -> float | None:
        return self.total_content_length / self.num_requests if self.num_requests > 0 else None

    def absorb(self, other: Entry) -> None:
        """Add another entry into this one, as Locust's ``StatsEntry.extend`` builds its total."""
        self.num_requests += other.num_requests
        self.num_none_requests += other.num_none_requests
        self.num_failures += other.num_failures
        self.total_response_time += other.total_response_time
        self.max_response_time = max(self.max_response_time, other.max_response_time)
        if other.min_response_time is not None:
            self.min_response_time = (
                other.min_response_time
                if self.min_response_time is None
                else min(self.min_response_time, other.min_response_time)
            )
        self.total_content_length += other.total_content_length
        _merge_counts(self.buckets, other.buckets)
        _merge_counts(self.requests_per_second, other.requests_per_second)
        _merge_counts(self.failures_per_second, other.failures_per_second)
        self.start_time = _earliest(self.start_time, other.start_time)
        self.last_request_timestamp = _latest(self.last_request_timestamp, other.last_request_timestamp)


def _merge_counts(target: dict[K, int], source: Mapping[K, int]) -> None:
    for key, count in source.items():
        target[key] = target.get(key, 0) + count


def _earliest(a: float | None, b: float | None) -> float | None:
    return b if a is None else a if b is None else min(a, b)


def _latest(a: float | None, b: float | None) -> float | None:
    return b if a is None else a if b is None else max(a, b)


class _EntryReader:
    """Reads one array element, naming the element and key in every error."""

    def __init__(self, path: Path, index: int, raw: Mapping[str, Any]) -> None:
        self.path, self.index, self.raw = path, index, raw

    def fail(self, key: str, expected: str) -> ArtifactError:
        where = f"/{self.index}/{key}"
        return ArtifactError(
            Position(self.path), f"Locust JSON {where}: expected {expected}, got {self.raw.get(key)!r}"
        )

    def text(self, key: str) -> str:
        value = self.raw.get(key)
        if not isinstance(value, str):
            raise self.fail(key, "a string")
        return value

    def real(self, key: str, *, optional: bool = False) -> float | None:
        value = self.raw.get(key)
        if value is None and optional:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(key, "a number" + (" or null" if optional else ""))
        return float(value)

    def count(self, key: str) -> int:
        value = self.raw.get(key)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise self.fail(key, "a whole number ≥ 0")
        return value

    def histogram(self, key: str) -> dict[float, int]:
        """A ``{"bucket": count}`` object; JSON keys are strings, Locust's are numbers."""
        value = self.raw.get(key)
        if not isinstance(value, dict):
            raise self.fail(key, 'an object {"number": count}')
        histogram: dict[float, int] = {}
        for bucket, count in value.items():
            try:
                number = float(bucket)
            except ValueError:
                raise self.fail(key, f"numeric keys (key {bucket!r})") from None
            if isinstance(count, bool) or not isinstance(count, int) or count < 0:
                raise self.fail(key, f"whole counts (key {bucket!r})")
            histogram[number] = histogram.get(number, 0) + count
        return histogram

    def per_second(self, key: str) -> dict[int, int]:
        return {int(second): count for second, count in self.histogram(key).items()}


def read_entry(path: Path, index: int, raw: object) -> Entry:
    """Check one element of the JSON array and turn it into an :class:`Entry`."""
    if not isinstance(raw, dict):
        raise ArtifactError(
            Position(path), f"Locust JSON /{index}: expected an object per (method, name), got {type(raw).__name__}"
        )
    reader = _EntryReader(path, index, raw)
    entry = Entry(
        index=index,
        labels={"name": reader.text("name"), "method": reader.text("method")},
        num_requests=reader.count("num_requests"),
        num_none_requests=reader.count("num_none_requests"),
        num_failures=reader.count("num_failures"),
        total_response_time=reader.real("total_response_time") or 0.0,
        min_response_time=reader.real("min_response_time", optional=True),
        max_response_time=reader.real("max_response_time") or 0.0,
        total_content_length=reader.real("total_content_length") or 0.0,
        buckets=reader.histogram("response_times"),
        requests_per_second=reader.per_second("num_reqs_per_sec"),
        failures_per_second=reader.per_second("num_fail_per_sec"),
        start_time=reader.real("start_time"),
        last_request_timestamp=reader.real("last_request_timestamp", optional=True),
    )
    if entry.num_none_requests > entry.num_requests:
        raise reader.fail("num_none_requests", f"at most num_requests ({entry.num_requests})")
    return entry


def aggregate(entries: list[Entry]) -> Entry:
    """The Aggregated total: counts summed, bucket dicts merged, in file order."""
    total = Entry(index=None, labels={})
    for entry in entries:
        total.absorb(entry)
    return total
