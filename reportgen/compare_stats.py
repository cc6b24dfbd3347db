"""Is a change noise? A seeded bootstrap of the difference of one statistic between two runs. Pure.

For a metric whose two releases both have raw samples (:mod:`reportgen.samples`), the 95 %
confidence interval of ``statistic(new) - statistic(old)`` is ``scipy.stats.bootstrap``'s (percentile
method, 2,000 resamples, each run resampled on its own), computed by :mod:`reportgen.bootstrap`: the same
random draws and the same numbers bit for bit, with cheaper percentiles.
The statistic is the one the figure reports, computed with the tool's own percentile rule, so
the interval is about the number on the page. The change is **significant** when the interval
excludes 0. The seed is derived from the metric id and both files' SHA-256, so every build
gives the same interval; a run of more than :data:`MAX_SAMPLES` values is first reduced to a
seeded random subsample of that size (the result says so).

Statistics without a bootstrap here (maximum, minimum, counts, sums) and figures without raw
samples are "not tested for noise".
"""

from __future__ import annotations

import dataclasses
import json
import math
import warnings
import zlib
from dataclasses import dataclass

import numpy as np

from reportgen import bootstrap, units
from reportgen.bootstrap import Method, Rule
from reportgen.estimators import JMETER_LEGACY, K6_LINEAR, LOCUST_BUCKETS, NEAREST_RANK
from reportgen.sample_store import SampleStore
from reportgen.samples import LINEAR, FloatArray, Samples

RESAMPLES = 2000
#: Resamples drawn and reduced at once (scipy's ``batch``): part of which random numbers each resample gets.
BATCH = 200
CONFIDENCE = 0.95
MAX_SAMPLES = 10_000
METHOD = (
    f"bootstrap 95 % interval of the difference ({RESAMPLES:,} resamples, percentile method, scipy.stats.bootstrap)"
)

#: The tool's percentile rule → numpy's method of the same definition (Hyndman & Fan numbering in numpy's docs).
_NUMPY_METHOD: dict[str, Method] = {
    K6_LINEAR: "linear",
    LINEAR: "linear",
    JMETER_LEGACY: "weibull",
    NEAREST_RANK: "inverted_cdf",
}


def _share(stat: str) -> float | None:
    if stat == "med":
        return 0.5
    if stat.startswith("p"):
        try:
            return float(stat[1:]) / 100
        except ValueError:
            return None
    return None


def statistic(stat: str, estimator: str) -> Rule | None:
    """A vectorised ``f(values, axis)`` computing ``stat`` by the tool's rule, or None if none is bootstrapped."""
    if stat in ("avg", "rate", "ratio"):  # a share of 0/1 samples is their mean
        return Rule("mean")
    share = _share(stat)
    if share is None:
        return None
    if estimator == LOCUST_BUCKETS:
        return Rule("rank", share)  # Locust scans its buckets from the top: the value at sorted index int(n * p)
    return Rule("quantile", share, _NUMPY_METHOD.get(estimator, "linear"))


@dataclass(frozen=True)
class NoiseTest:
    """The 95 % interval of the change ``new - old`` of one statistic, in ``unit``."""

    low: float
    high: float
    n_old: int
    n_new: int
    subsampled: bool
    method: str

    @property
    def significant(self) -> bool:
        return self.low > 0 or self.high < 0


def _seed(*parts: str) -> int:
    return zlib.crc32("\x00".join(parts).encode())


def _bounded(values: FloatArray, rng: np.random.Generator) -> tuple[FloatArray, bool]:
    if len(values) <= MAX_SAMPLES:
        return values, False
    return rng.choice(values, size=MAX_SAMPLES, replace=False), True


def _in(samples: Samples, unit: str) -> FloatArray:
    factor = units.convert(1.0, samples.unit, unit)
    return samples.values * factor


def _bootstrap(data: tuple[FloatArray, ...], rule: Rule, rng: np.random.Generator) -> tuple[float, float]:
    """The percentile-bootstrap 95 % interval of ``rule`` over one sample, or of its change from the first sample
    to the second (reportgen.bootstrap: scipy.stats.bootstrap's numbers); the statistic itself when degenerate."""
    with warnings.catch_warnings():
        # Identical values in both runs (a 0 % failure share twice) give a degenerate interval [0, 0]: that is
        # the answer (no change), not a problem.
        warnings.simplefilter("ignore")
        low, high = bootstrap.interval(data, rule, rng, RESAMPLES, BATCH, CONFIDENCE)
    if math.isnan(low) or math.isnan(high):
        low = high = float(rule(data[-1]) - rule(data[0]) if len(data) == 2 else rule(data[0]))
    return low, high


#: What an interval depends on beyond its samples, statistic, unit and seed: part of its key in a SampleStore.
_PARAMETERS = f"{METHOD}\0{RESAMPLES}\0{CONFIDENCE}\0{MAX_SAMPLES}"


def difference(
    old: Samples, new: Samples, stat: str, unit: str, seed_text: str, store: SampleStore | None = None
) -> NoiseTest | None:
    """The bootstrap interval of ``stat(new) - stat(old)`` in ``unit``; None when ``stat`` is not tested. With a
    ``store``, from it when the same samples were tested the same way before (and kept there)."""
    if store is None or not old.origin or not new.origin:
        return _difference(old, new, stat, unit, seed_text)

    def compute() -> str:
        test = _difference(old, new, stat, unit, seed_text)
        return json.dumps(None if test is None else dataclasses.asdict(test))

    found = json.loads(
        store.remembered(["difference", old.origin, new.origin, stat, unit, seed_text, _PARAMETERS], compute)
    )
    return None if found is None else NoiseTest(**found)


def _difference(old: Samples, new: Samples, stat: str, unit: str, seed_text: str) -> NoiseTest | None:
    function = statistic(stat, new.estimator)
    if function is None or old.estimator != new.estimator or len(old.values) < 2 or len(new.values) < 2:
        return None
    rng = np.random.default_rng(_seed(seed_text))
    before, cut_old = _bounded(_in(old, unit), rng)
    after, cut_new = _bounded(_in(new, unit), rng)
    low, high = _bootstrap((before, after), function, rng)
    return NoiseTest(
        low=low, high=high, n_old=len(old.values), n_new=len(new.values), subsampled=cut_old or cut_new, method=METHOD
    )


def interval(
    samples: Samples, stat: str, unit: str, seed_text: str, store: SampleStore | None = None
) -> tuple[float, float] | None:
    """The bootstrap 95 % interval of one run's ``stat`` in ``unit`` (for "marginal" targets); None if not tested.
    With a ``store``, kept there like :func:`difference`."""
    if store is None or not samples.origin:
        return _interval(samples, stat, unit, seed_text)

    def compute() -> str:
        return json.dumps(_interval(samples, stat, unit, seed_text))

    found = json.loads(store.remembered(["interval", samples.origin, stat, unit, seed_text, _PARAMETERS], compute))
    return None if found is None else (float(found[0]), float(found[1]))


def _interval(samples: Samples, stat: str, unit: str, seed_text: str) -> tuple[float, float] | None:
    function = statistic(stat, samples.estimator)
    if function is None or len(samples.values) < 2:
        return None
    rng = np.random.default_rng(_seed(seed_text))
    values, _ = _bounded(_in(samples, unit), rng)
    return _bootstrap((values,), function, rng)


def straddles(low: float | None, high: float | None, bound: float) -> bool:
    """Whether ``bound`` lies strictly inside the interval: the data cannot tell which side of it the truth is on."""
    return low is not None and high is not None and low < bound < high


def decimals(half_width: float, magnitude: float) -> int:
    """Decimals that show two significant digits of the uncertainty (or four of the value when it has none)."""
    scale = half_width if half_width > 0 else abs(magnitude) / 100
    if scale <= 0 or not math.isfinite(scale):
        return 0
    return max(0, min(6, 1 - math.floor(math.log10(scale))))
