"""The series of a JMeter CSV JTL, rolled up exactly from its finest groups (the SQL reduction's rows).

The dashboard reports four kinds of series: a label, a label's successful samples, the total (without Transaction
Controller samples) and the total's successes. Sent to each of its series in SQL, every sample was four rows of
the aggregate and went into four percentile windows. Instead the query groups each sample ONCE, by its *finest*
group (label, success, whether it is in the total, and the response code of the total's failures), and each series
is the union of some finest groups, rolled up here without losing a bit: counts and integer sums add up,
minimum, maximum, first and last times are extremes, and a series' window (its last
:data:`~._jmeter_stats.STATISTIC_WINDOW` samples in file order) is the latest of its groups' own last samples, by
line number: every sample of the series' window is among the last samples of its own group.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from reportgen.adapters import _jmeter_stats
from reportgen.adapters._jmeter_stats import SeriesFigures

#: A window value packs the sample's line number above its elapsed time: ``rn * 2**32 + elapsed``, so the
#: largest values are the latest samples (line numbers are unique: no ties) and the low bits are the times.
ELAPSED_BITS = 32
ELAPSED_LIMIT = 1 << ELAPSED_BITS

Packed = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Group:
    """One finest group's figures: what :class:`SeriesFigures` adds up, and its own last samples, packed."""

    label: str
    ok: bool
    in_total: bool
    code: str | None  # the response code of the total's failures, else None
    count: int
    start: int  # min(timeStamp)
    end: int  # max(timeStamp + elapsed)
    last_stamp: int  # max(timeStamp)
    elapsed_sum: int
    elapsed_min: int
    elapsed_max: int
    optional: tuple[int, ...]  # latency, connect, received and sent: (sum, samples that have one) each
    first: int  # the line number of its first sample (0 when read unnumbered)
    window: Packed  # packed (line, elapsed) of its last STATISTIC_WINDOW samples, in no order


def merged(
    groups: Sequence[Group], labels: dict[str, str], filters: dict[str, str], window: tuple[int, ...]
) -> SeriesFigures:
    """The figures of the series made of ``groups`` (none: a series that reports its count only, 0), whose
    window (its last samples' elapsed times, sorted) is ``window``."""
    if not groups:
        return SeriesFigures(labels, filters, 0)
    optional = [sum(g.optional[i] for g in groups) for i in range(8)]
    return SeriesFigures(
        labels,
        filters,
        sum(g.count for g in groups),
        errors=sum(g.count for g in groups if not g.ok),
        start=min(g.start for g in groups),
        end=max(g.end for g in groups),
        elapsed_sum=sum(g.elapsed_sum for g in groups),
        elapsed_min=min(g.elapsed_min for g in groups),
        elapsed_max=max(g.elapsed_max for g in groups),
        window=window,
        latency=(optional[0], optional[1]),
        connect=(optional[2], optional[3]),
        received=(optional[4], optional[5]),
        sent=(optional[6], optional[7]),
    )


def latest(windows: Iterable[Packed]) -> tuple[int, ...]:
    """The elapsed times of the last STATISTIC_WINDOW samples among the groups' packed windows, sorted."""
    values = np.concatenate([np.asarray(w, dtype=np.int64) for w in windows] or [np.empty(0, dtype=np.int64)])
    size = _jmeter_stats.STATISTIC_WINDOW
    if len(values) > size:
        values = np.partition(values, len(values) - size)[len(values) - size :]
    elapsed: list[int] = np.sort(values & (ELAPSED_LIMIT - 1)).tolist()
    return tuple(elapsed)


def packable(groups: Iterable[Group]) -> bool:
    """Whether every elapsed time fits the low bits of a window value (negative or huge ones do not)."""
    return all(g.elapsed_min >= 0 and g.elapsed_max < ELAPSED_LIMIT for g in groups)
