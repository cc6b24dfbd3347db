"""k6's exact percentiles from the two values they read: the positions, and the selection of those values.

The total and breakdown slices of a Trend get their values from :mod:`._k6_rollup` (each value once, unsorted):
:func:`picked` selects the two order statistics k6's percentile reads with ``numpy.partition`` (linear, exact: the
very elements a sort would put at those positions). Per-second and label-set slices are sorted in SQL and only
the values at :func:`positions` leave DuckDB.

Why not DuckDB's own selection: ``quantile_disc`` reads rank ``ceil(n*q) - 1`` for a constant fraction q (integer
arithmetic for a DECIMAL q; DuckDB 2.0's ``Interpolator<true>::Index``), a function of n*q alone, while k6 reads
ranks ``floor(p*(n-1))`` and ``ceil(p*(n-1))``, offset by -p: no constant set of fractions gives those for every n.
``quantile_cont`` reads k6's two ranks but returns ``lo*(1-d) + hi*d`` (k6: ``lo + (hi-lo)*d``), and recovering hi
from it and lo is ambiguous in the last bit for about a third of the slices of the k6 fixture (measured).
"""

from __future__ import annotations

import math
from collections.abc import Container, Sequence
from typing import Any

from reportgen.estimators import k6_linear


def positions(p: float, n: int) -> tuple[int, int]:
    """The 0-based positions k6's percentile ``p`` reads in ``n`` sorted values (``i = p(n-1)``, floor and ceil)."""
    i = p * (n - 1)
    return math.floor(i), math.ceil(i)


class Picked(Sequence[float]):
    """The few sorted values a percentile reads, standing in for all of them: :func:`k6_linear` then computes
    k6's expression from exactly the values k6 would read, bit for bit."""

    def __init__(self, n: int, values: dict[int, float]) -> None:
        self.n, self.values = n, values

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, index: Any) -> Any:
        return self.values[index]


def quantiles(
    percentiles: Sequence[float], n: int, values: Sequence[float] | None, only: Container[float] | None = None
) -> dict[float, float]:
    """p → k6's percentile, from the values picked at :func:`positions`, two per percentile (none: not a trend);
    ``only`` those percentiles when given (a per-second slice reports its p95 alone)."""
    if values is None or not len(values) or not n:
        return {}
    found: dict[float, float] = {}
    for index, p in enumerate(percentiles):
        if only is not None and p not in only:
            continue
        low, high = positions(p, n)
        picked = {low: float(values[2 * index]), high: float(values[2 * index + 1])}
        found[p] = k6_linear(Picked(n, picked), p)
    return found


def picked(values: Any, percentiles: Sequence[float]) -> list[float]:
    """The values at :func:`positions` of every percentile, two per percentile, by selection."""
    # numpy is imported here, not with the module: detect() loads the k6 stream adapter, hence this module, for
    # every file it sniffs, and numpy's import is about 0.1 s of cpu. ``values`` come from DuckDB's fetchnumpy,
    # which imported it already.
    import numpy as np

    n = len(values)
    wanted = [position for p in percentiles for position in positions(p, n)]
    ranked = np.partition(values, sorted(set(wanted)))
    return [float(ranked[position]) for position in wanted]
