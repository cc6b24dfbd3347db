"""Percentile rules, one function per tool, each named as selectors and evidence name it.

Tools disagree on what "p95" means (docs/FORMATS.md §0); reportgen computes a
percentile only with the rule of the tool it claims agreement with, and records
the rule's name as the measurement's ``estimator``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

K6_LINEAR = "k6-linear"  # sort; i = p(n-1); linear interpolation (k6 trend sink)
LOCUST_BUCKETS = "locust-buckets"  # rounded response-time buckets, scanned from the top
JMETER_LEGACY = "jmeter-legacy"  # Commons-Math Percentile LEGACY, pos = p(n+1)
NEAREST_RANK = "nearest-rank"  # smallest value with at least p·n values at or below it
GATLING_TDIGEST = "gatling-tdigest"  # as Gatling reported it (t-digest, rounded)


def k6_linear(sorted_values: Sequence[float], p: float) -> float:
    """k6's trend percentile, with k6's own expression so results are bit-identical."""
    n = len(sorted_values)
    if n == 0:
        raise ValueError("no values")
    if n == 1:
        return sorted_values[0]
    i = p * (n - 1)
    lower = math.floor(i)
    j = sorted_values[lower]
    k = sorted_values[math.ceil(i)]
    return j + (k - j) * (i - lower)


def jmeter_legacy(sorted_values: Sequence[float], p: float) -> float:
    """Apache Commons Math Percentile, estimation type LEGACY (JMeter's dashboard); p in 0..1."""
    n = len(sorted_values)
    if n == 0:
        raise ValueError("no values")
    pos = p * 100 * (n + 1) / 100
    if pos < 1:
        return sorted_values[0]
    if pos >= n:
        return sorted_values[-1]
    lower = math.floor(pos)
    d = pos - lower
    low, high = sorted_values[lower - 1], sorted_values[lower]
    return low + d * (high - low)


def nearest_rank(sorted_values: Sequence[float], p: float) -> float:
    """Exact nearest rank: the first value whose cumulative count reaches p·n."""
    n = len(sorted_values)
    if n == 0:
        raise ValueError("no values")
    rank = max(1, math.ceil(p * n))
    return sorted_values[min(rank, n) - 1]


def locust_round(response_time_ms: float) -> int:
    """Locust's bucket for one response time (stats.py): coarser as times grow."""
    if response_time_ms < 100:
        return round(response_time_ms)
    if response_time_ms < 1000:
        return round(response_time_ms, -1).__int__()
    if response_time_ms < 10000:
        return round(response_time_ms, -2).__int__()
    return round(response_time_ms, -3).__int__()


def locust_buckets(buckets: Mapping[float, int], p: float, total: int | None = None) -> float:
    """Locust's percentile over bucket → count, scanned from the slowest bucket."""
    n = sum(buckets.values()) if total is None else total
    if n == 0:
        raise ValueError("no values")
    k = int(n * p)
    seen = 0
    for bucket in sorted(buckets, reverse=True):
        seen += buckets[bucket]
        if n - seen <= k:
            return bucket
    return min(buckets)


def percentile_name(p: float) -> str:
    """0.95 → ``p95``, 0.999 → ``p99.9``, 0.5 → ``med``."""
    if p == 0.5:
        return "med"
    text = f"{p * 100:.10f}".rstrip("0").rstrip(".")
    return f"p{text}"
