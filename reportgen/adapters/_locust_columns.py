"""Locust CSV headers across versions, and the cells under them.

Locust renamed its CSV columns in 1.0 (``# requests`` → ``Request Count``,
``Requests Failed/s`` → ``Failures/s``; docs/FORMATS.md §2.1) and lets a locustfile
change the percentile columns, so the adapters find each field by any of its
names and read the percentile list from the header itself.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from reportgen.adapters._base import number
from reportgen.errors import ArtifactError, Position
from reportgen.estimators import percentile_name

#: Field → the header names Locust has used for it, newest first.
ALIASES: dict[str, tuple[str, ...]] = {
    "timestamp": ("Timestamp",),
    "users": ("User Count",),
    "type": ("Type", "Method"),
    "name": ("Name",),
    "requests": ("Request Count", "# requests"),
    "failures": ("Failure Count", "# failures"),
    "median": ("Median Response Time", "Median response time"),
    "avg": ("Average Response Time", "Average response time"),
    "min": ("Min Response Time", "Min response time"),
    "max": ("Max Response Time", "Max response time"),
    "content": ("Average Content Size",),
    "rps": ("Requests/s",),
    "fps": ("Failures/s", "Requests Failed/s"),
    "method": ("Method",),
    "error": ("Error",),
    "occurrences": ("Occurrences",),
    "first_seen": ("First Seen",),
    "last_seen": ("Last Seen",),
    "count": ("Count",),
    "message": ("Message",),
    "traceback": ("Traceback",),
    "nodes": ("Nodes",),
}

#: ``50%``, ``99.9%``, ``100%`` and the 0.x ``99.999`` (printed without its ``%``).
_PERCENTILE_HEADER = re.compile(r"^(?P<number>[0-9]+(?:\.[0-9]+)?)%?$")

#: Cell text Locust writes where a statistic has no value (an entry without requests).
NOT_AVAILABLE = "N/A"

#: The total row: ``Aggregated`` with an empty type (1.x+) or ``None`` (0.x), ``Total`` before 0.9.
_TOTAL_NAMES = ("Aggregated", "Total")
_TOTAL_TYPES = ("", "None")


def percentile_stat(header: str) -> str | None:
    """``95%`` → ``p95``, ``99.999`` → ``p99.999``, ``50%`` → ``p50`` (the median has its own column); else None."""
    match = _PERCENTILE_HEADER.match(header.strip())
    if match is None:
        return None
    share = float(match["number"]) / 100
    if not 0 < share <= 1:
        return None
    return "p50" if share == 0.5 else percentile_name(share)


def header_fields(head: str) -> list[str]:
    """The first CSV line of a sniffed sample, as fields."""
    first = head.lstrip("\ufeff").split("\n", 1)[0].rstrip("\r")
    try:
        return next(csv.reader([first]))
    except (csv.Error, StopIteration):
        return []


def has_any(fields: Iterable[str], field: str) -> bool:
    present = set(fields)
    return any(name in present for name in ALIASES[field])


def is_total(type_: str, name: str) -> bool:
    return name in _TOTAL_NAMES and type_ in _TOTAL_TYPES


@dataclass(frozen=True)
class Columns:
    """Where each field sits in one file's header."""

    names: dict[str, str]  # field → header text in this file
    percentiles: list[tuple[str, str]]  # (header text, stat name) in file order

    def get(self, field: str) -> str | None:
        return self.names.get(field)

    def __getitem__(self, field: str) -> str:
        return self.names[field]


def resolve_columns(
    header: list[str], path: Path, required: tuple[str, ...], optional: tuple[str, ...] = ()
) -> Columns:
    """Map fields to this header's names; a missing required field is an error on line 1."""
    names: dict[str, str] = {}
    missing: list[str] = []
    for field in (*required, *optional):
        found = next((name for name in ALIASES[field] if name in header), None)
        if found is not None:
            names[field] = found
        elif field in required:
            missing.append(" or ".join(repr(name) for name in ALIASES[field]))
    if missing:
        raise ArtifactError(
            Position(path, 1),
            f"not a Locust CSV this adapter reads: missing column {', '.join(missing)}; header is {','.join(header)}",
        )
    percentiles = [(name, stat) for name in header if (stat := percentile_stat(name)) is not None]
    return Columns(names, percentiles)


def cell(row: Mapping[str, str], column: str, path: Path, line: int) -> float | None:
    """A numeric cell; ``N/A`` (Locust's "no value") is None, never 0."""
    text = row[column].strip()
    if text == NOT_AVAILABLE:
        return None
    return number(text, path, line, column)


def count_cell(row: Mapping[str, str], column: str, path: Path, line: int) -> int:
    """A cell that must hold a whole number ≥ 0 (request and failure counts, occurrences)."""
    value = cell(row, column, path, line)
    if value is None or value < 0 or not value.is_integer():
        raise ArtifactError(Position(path, line), f"column {column!r}: expected a count, got {row[column]!r}")
    return int(value)
