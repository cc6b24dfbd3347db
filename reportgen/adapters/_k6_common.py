"""What every k6 adapter agrees on: metric keys, stat names, units and metric kinds.

k6 names a submetric ``parent{tag:value,tag:value}``; the summary files key their
metrics that way and the NDJSON ``Metric`` lines declare them with their tags.
Units follow the metric's ``contains`` (``time`` → ms, ``data`` → bytes).
"""

from __future__ import annotations

import re
from typing import Literal

from reportgen.estimators import percentile_name

Kind = Literal["trend", "counter", "rate", "gauge"]
KINDS: tuple[Kind, ...] = ("trend", "counter", "rate", "gauge")

#: Built-in metric kinds, for files that do not declare them (CSV stream, summary-export).
BUILTIN_KINDS: dict[str, Kind] = {
    "http_reqs": "counter",
    "iterations": "counter",
    "dropped_iterations": "counter",
    "data_sent": "counter",
    "data_received": "counter",
    "http_req_failed": "rate",
    "checks": "rate",
    "vus": "gauge",
    "vus_max": "gauge",
    "iteration_duration": "trend",
    "group_duration": "trend",
}

_PERCENTILE_KEY = re.compile(r"^p\((?P<number>[0-9]+(?:\.[0-9]+)?)\)$")


def split_metric_key(key: str) -> tuple[str, dict[str, str]]:
    """``http_req_duration{name:slow}`` → (``http_req_duration``, ``{"name": "slow"}``).

    k6 splits the selector on commas, then each pair on its first colon, so group
    paths keep their colons (``group:::catalog`` → group ``::catalog``).
    """
    start = key.find("{")
    if start < 0 or not key.endswith("}"):
        return key, {}
    tags: dict[str, str] = {}
    for pair in key[start + 1 : -1].split(","):
        tag, _, value = pair.partition(":")
        if tag.strip():
            tags[tag.strip()] = value.strip().strip("\"'")
    return key[:start], tags


def builtin_kind(metric: str) -> Kind | None:
    """The kind of a k6 built-in metric by name (``http_req_*`` are trends), or None for custom metrics."""
    if metric in BUILTIN_KINDS:
        return BUILTIN_KINDS[metric]
    if metric.startswith("http_req_"):
        return "trend"
    return None


def builtin_contains(metric: str) -> str:
    """``contains`` of a built-in metric: ``time`` for durations, ``data`` for data_*, else ``default``."""
    if metric.startswith("data_"):
        return "data"
    if builtin_kind(metric) == "trend":
        return "time"
    return "default"


def percentile_of(key: str) -> float | None:
    """``p(99.9)`` → 0.999 (as k6 computes it: float of the number over 100); None if not a percentile."""
    match = _PERCENTILE_KEY.match(key)
    return float(match.group("number")) / 100 if match else None


def stat_name(key: str) -> str:
    """k6's value key → reportgen's stat name (``p(99.9)`` → ``p99.9``; others unchanged)."""
    p = percentile_of(key)
    return key if p is None else percentile_name(p)


def value_unit(contains: str) -> str:
    """Unit of a sample value of a metric that ``contains`` time, data or plain numbers."""
    return {"time": "ms", "data": "B"}.get(contains, "")


def stat_unit(kind: Kind, contains: str, stat: str) -> str:
    """Unit of one statistic of a metric of this kind."""
    if stat in ("passes", "fails"):
        return "count"
    if kind == "rate":
        return "ratio"  # k6's Rate is a share of non-zero samples, not a frequency
    if kind == "counter":
        if stat == "rate":
            return "B/s" if contains == "data" else "/s"
        return value_unit(contains) or "count"  # a Counter's count is the sum of its values
    if stat == "count":
        return "count"
    return value_unit(contains)
