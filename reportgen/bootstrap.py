"""scipy.stats.bootstrap's percentile interval, the same numbers bit for bit, with cheaper percentiles. Pure.

reportgen's noise tests call ``scipy.stats.bootstrap(data, statistic, n_resamples=2000, batch=200,
vectorized=True, paired=False, method="percentile", rng=rng)``. Each batch draws ``rng.integers(0, n, (200, n))``
per sample, in sample order, computes the statistic of every row of resampled values, and the interval is
``scipy.stats.quantile`` of the 2,000 statistics at 2.5 % and 97.5 %. This module does exactly that, with the
same draws from the same generator, and differs only in how a percentile of a row is found.

``np.quantile`` copies the batch and partitions each row around four positions (first, last, and the two the
percentile lies between), half of a bootstrap's cpu. A percentile depends only on the two order statistics
around it, and a resample's values are the sample's at the drawn positions; so each row of drawn positions is
mapped to 32-bit ranks in the sorted sample, partitioned around ONE position (numpy's one-position partition is
several times faster than its several-position one), the next order statistic is the smallest rank after it,
and the two values are interpolated by numpy's own rule (``numpy.lib._function_base_impl._lerp``, written out
below). A mean has no such shortcut (each resample's mean is taken over its values, as scipy does), and the
interval of the 2,000 statistics is scipy.stats.quantile's, written out (:func:`_percentiles`), so a build never
loads scipy.stats (about a second of cpu in each process); a sample that is not all finite numbers goes to scipy
itself. Measured against scipy (best of 3, load 10-11): a p95, p99
or median change 2.1-2.5x less cpu at 300, 2,000 and 10,000 values a side; Locust's rank 0.9-1.3x. ``tests/test_bootstrap.py`` holds both to the same bits for many seeds, sizes, statistics
and percentile rules.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from reportgen.sample_store import FloatArray

Kind = Literal["mean", "quantile", "rank"]
#: Percentile rules as numpy names them (Hyndman & Fan): the ones the tools' estimators map to.
Method = Literal["linear", "weibull", "inverted_cdf"]


@dataclass(frozen=True)
class Rule:
    """A statistic as a vectorised ``f(values, axis)``: the mean; numpy's quantile at ``share`` by ``method``;
    or (``rank``) the order statistic at index ``min(int(n * share), n - 1)`` (Locust's rule)."""

    kind: Kind
    share: float = 0.0
    method: Method = "linear"

    def __call__(self, values: FloatArray, axis: int = -1) -> Any:
        if self.kind == "mean":
            return np.mean(values, axis=axis)
        if self.kind == "rank":
            n = values.shape[axis]
            index = min(int(n * self.share), n - 1)
            return np.take(np.partition(values, index, axis=axis), index, axis=axis)
        return np.quantile(values, self.share, axis=axis, method=self.method)


def interval(
    data: tuple[FloatArray, ...], rule: Rule, rng: np.random.Generator, resamples: int, batch: int, confidence: float
) -> tuple[float, float]:
    """The percentile-bootstrap interval of ``rule`` over one sample, or of ``rule(second) - rule(first)`` over
    two, as scipy.stats.bootstrap gives it (unpaired, vectorised, batches of ``batch``)."""
    if not all(bool(np.isfinite(sample).all()) for sample in data):
        return _scipy(data, rule, rng, resamples, batch, confidence)
    # A mean too: its resamples' means are scipy's (the same draws, the same np.mean over the same rows), and
    # without scipy.stats.bootstrap no process of a build loads scipy.stats (about a second of cpu each).
    return _percentiles(distribution(data, rule, rng, resamples, batch), confidence)


def distribution(
    data: tuple[FloatArray, ...], rule: Rule, rng: np.random.Generator, resamples: int, batch: int
) -> FloatArray:
    """The statistic of every resample, in scipy's order (its ``bootstrap_distribution``); finite values only."""
    samples = [_Ranked(sample, sort=rule.kind != "mean") for sample in data]
    statistics = []
    for start in range(0, resamples, batch):
        size = min(batch, resamples - start)
        # Every sample's draws first, as scipy makes them (and kept while the statistics are computed: freeing
        # each batch's arrays at once let the allocator hand them back and fault them in again, doubling a mean's
        # cpu).
        draws = [rng.integers(0, s.n, size=(size, s.n), dtype="int64") for s in samples]
        found = [s.statistic(rule, d) for s, d in zip(samples, draws, strict=True)]
        statistics.append(found[-1] - found[0] if len(found) == 2 else found[0])
    return np.concatenate(statistics, axis=-1)


def _percentiles(statistics: FloatArray, confidence: float) -> tuple[float, float]:
    """The interval from the bootstrap distribution as scipy's percentile method takes it:
    ``scipy.stats.quantile(statistics, [alpha, 1 - alpha])`` by its default rule (``linear``, Hyndman & Fan 7),
    written out as scipy 1.17 computes it (``scipy.stats._quantile._quantile_hf``, the same operations in the same
    order), so that scipy.stats, about a second of imports, is not loaded for it in every process."""
    alpha = np.asarray((1 - confidence) / 2, dtype=statistics.dtype)
    p = np.stack((alpha, 1 - alpha), axis=-1)
    if bool(np.isnan(statistics).any()):  # scipy's nan_policy="propagate"
        return math.nan, math.nan
    y = np.sort(statistics, axis=-1)
    n = np.asarray(y.shape[-1], dtype=y.dtype)
    jg = p * n + (1 - p)
    jp1 = jg // 1
    j = jp1 - 1
    g = jg % 1
    g[j < 0] = 0
    j = np.clip(j, 0.0, n - 1)
    jp1 = np.clip(jp1, 0.0, n - 1)
    bounds = (1 - g) * np.take_along_axis(y, j.astype(np.int64), axis=-1) + g * np.take_along_axis(
        y, jp1.astype(np.int64), axis=-1
    )
    return float(bounds[0]), float(bounds[1])


class _Ranked:
    """One sample with its sorted values and each value's rank among them."""

    def __init__(self, values: FloatArray, *, sort: bool) -> None:
        self.values = values
        self.n = len(values)
        order = np.argsort(values, kind="stable") if sort else np.arange(self.n)
        self.sorted = values[order]
        self.rank = np.empty(self.n, dtype=np.int32)
        self.rank[order] = np.arange(self.n, dtype=np.int32)

    def statistic(self, rule: Rule, draws: np.ndarray[Any, np.dtype[np.int64]]) -> FloatArray:
        """``rule`` of each row of resampled values (row i: the sample's values at ``draws[i]``)."""
        if rule.kind == "mean":
            return np.asarray(np.mean(self.values[draws], axis=-1))
        if rule.kind == "rank":
            at = min(int(self.n * rule.share), self.n - 1)
            return self._order(draws, at, at)[0]
        low, high, gamma = _positions(self.n, rule.share, rule.method)
        before, after = self._order(draws, low, high)
        if gamma is None:
            return before
        return _lerp(before, after, gamma)

    def _order(self, draws: np.ndarray[Any, np.dtype[np.int64]], low: int, high: int) -> tuple[FloatArray, FloatArray]:
        """The order statistics at ``low`` and at ``high`` (``low`` or ``low + 1``) of each row."""
        ranks = np.partition(self.rank[draws], low, axis=-1)
        before = self.sorted[ranks[:, low]]
        if high == low:
            return before, before
        return before, self.sorted[ranks[:, low + 1 :].min(axis=-1)]


def _positions(n: int, share: float, method: Method) -> tuple[int, int, float | None]:
    """The order statistics numpy's quantile of ``n`` values at ``share`` reads, and its interpolation weight
    (None: it takes the first one as it is), computed as numpy computes them."""
    q = np.asanyarray(share)
    if method == "inverted_cdf":  # numpy's _inverted_cdf: the next index unless the position is whole
        index = (n * q) - 1
        previous = np.floor(index)
        at = int(previous if index - previous == 0 else previous + 1)
        return max(at, 0), max(at, 0), None
    virtual = np.asanyarray((n - 1) * q if method == "linear" else n * q + (0 + q * (1 - 0 - 0)) - 1)
    previous, following = int(np.floor(virtual)), int(np.floor(virtual)) + 1
    if virtual >= n - 1:  # numpy's _get_indexes: past the last value, both are the last
        previous = following = -1
    if virtual < 0:
        previous = following = 0
    gamma = float(np.asanyarray(virtual - np.intp(previous), dtype=virtual.dtype))
    return previous % n, following % n, gamma


def _lerp(a: FloatArray, b: FloatArray, t: float) -> FloatArray:
    """numpy's _lerp: ``a + (b - a) * t``, and ``b - (b - a) * (1 - t)`` where ``t >= 0.5``."""
    difference = b - a
    result = np.add(a, difference * t)
    if t >= 0.5:
        result = np.subtract(b, difference * (1 - t))
    return np.asarray(result)


def _scipy(
    data: tuple[FloatArray, ...], rule: Rule, rng: np.random.Generator, resamples: int, batch: int, confidence: float
) -> tuple[float, float]:
    from scipy import stats

    def change(*values: FloatArray, axis: int = -1) -> Any:
        return rule(values[-1], axis=axis) - rule(values[0], axis=axis) if len(values) == 2 else rule(values[0], axis)

    result = stats.bootstrap(
        data,
        change,
        n_resamples=resamples,
        vectorized=True,
        paired=False,  # two runs are resampled each on its own
        confidence_level=confidence,
        method="percentile",
        batch=batch,
        rng=rng,
    )
    return float(result.confidence_interval.low), float(result.confidence_interval.high)
