"""reportgen.bootstrap gives scipy.stats.bootstrap's percentile intervals bit for bit, from the same generator."""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
import pytest
from scipy import stats

from reportgen import bootstrap
from reportgen.bootstrap import Rule
from reportgen.compare_stats import BATCH, CONFIDENCE, RESAMPLES, statistic
from reportgen.estimators import JMETER_LEGACY, K6_LINEAR, LOCUST_BUCKETS, NEAREST_RANK

SHARES = (0.5, 0.9, 0.95, 0.99, 0.999)
RULES = [Rule("mean")] + [
    Rule(kind, share, method)  # type: ignore[arg-type]
    for share in SHARES
    for kind, method in (
        ("quantile", "linear"),
        ("quantile", "weibull"),
        ("quantile", "inverted_cdf"),
        ("rank", "linear"),
    )
]


def _scipy_result(data: tuple[np.ndarray[Any, Any], ...], rule: Rule, seed: int) -> Any:
    """scipy.stats.bootstrap over the rule (or its change), as reportgen called it before."""

    def change(x: Any, y: Any, axis: int = -1) -> Any:
        return rule(y, axis=axis) - rule(x, axis=axis)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = stats.bootstrap(
            data,
            change if len(data) == 2 else rule,
            n_resamples=RESAMPLES,
            vectorized=True,
            paired=False,
            confidence_level=CONFIDENCE,
            method="percentile",
            batch=BATCH,
            rng=np.random.default_rng(seed),
        )
    return result


def _scipy(data: tuple[np.ndarray[Any, Any], ...], rule: Rule, seed: int) -> tuple[float, float]:
    result = _scipy_result(data, rule, seed)
    return float(result.confidence_interval.low), float(result.confidence_interval.high)


def _ours(data: tuple[np.ndarray[Any, Any], ...], rule: Rule, seed: int) -> tuple[float, float]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return bootstrap.interval(data, rule, np.random.default_rng(seed), RESAMPLES, BATCH, CONFIDENCE)


def _same(a: tuple[float, float], b: tuple[float, float]) -> bool:
    return all(x == y or (math.isnan(x) and math.isnan(y)) for x, y in zip(a, b, strict=True))


def _sample(rng: np.random.Generator, size: int, shape: int) -> np.ndarray[Any, Any]:
    """Times (continuous), rounded times (many ties), 0/1 outcomes (a failure share) or one repeated value."""
    if shape == 0:
        return rng.lognormal(3, 0.6, size)
    if shape == 1:
        return np.round(rng.lognormal(3, 0.6, size))
    if shape == 2:
        return (rng.random(size) < 0.1).astype(float)
    return np.full(size, 42.5)


def test_every_rule_gives_scipys_interval_bit_for_bit() -> None:
    """For 84 random cases (every rule, one sample and two, 2 to 1,500 values, ties, 0/1 shares, constant
    samples) the statistic of each of the 2,000 resamples, and so the interval, is scipy's exactly."""
    differ = []
    for case in range(84):
        rng = np.random.default_rng(case)
        rule = RULES[case % len(RULES)]
        shape = case // len(RULES)
        data = tuple(_sample(rng, int(rng.integers(2, 1500)), shape) for _ in range(1 + case % 2))
        theirs = _scipy_result(data, rule, case)
        ours = bootstrap.distribution(data, rule, np.random.default_rng(case), RESAMPLES, BATCH)
        interval = float(theirs.confidence_interval.low), float(theirs.confidence_interval.high)
        if not np.array_equal(ours, theirs.bootstrap_distribution) or not _same(_ours(data, rule, case), interval):
            differ.append((case, rule, [len(d) for d in data]))
    assert differ == []


@pytest.mark.parametrize("estimator", [K6_LINEAR, LOCUST_BUCKETS])
def test_the_largest_samples_give_scipys_interval(estimator: str) -> None:
    """At the 10,000 values a noise test subsamples to, a p95 change and a mean change are scipy's exactly."""
    rng = np.random.default_rng(7)
    data = (rng.lognormal(3, 0.5, 10_000), rng.lognormal(3.02, 0.5, 10_000))
    for stat in ("p95", "avg"):
        rule = statistic(stat, estimator)
        assert rule is not None
        assert _ours(data, rule, 11) == _scipy(data, rule, 11)


def test_samples_with_non_finite_values_go_to_scipy_itself() -> None:
    """An infinity or a NaN among the values: the interval is scipy's (computed by scipy)."""
    rng = np.random.default_rng(3)
    for bad in (math.inf, math.nan):
        values = rng.lognormal(3, 0.5, 300)
        values[17] = bad
        rule = Rule("quantile", 0.95, "linear")
        assert _same(_ours((values,), rule, 5), _scipy((values,), rule, 5))


def test_the_rules_are_the_tools_statistics() -> None:
    """statistic() maps each tool's percentile rule to its numpy method (k6 linear, JMeter weibull, nearest rank
    inverted_cdf, Locust the rank int(n * p)); shares and means are means."""
    assert statistic("p95", K6_LINEAR) == Rule("quantile", 0.95, "linear")
    assert statistic("p99", JMETER_LEGACY) == Rule("quantile", 0.99, "weibull")
    assert statistic("med", NEAREST_RANK) == Rule("quantile", 0.5, "inverted_cdf")
    assert statistic("p90", LOCUST_BUCKETS) == Rule("rank", 0.9)
    assert statistic("rate", K6_LINEAR) == Rule("mean") == statistic("avg", LOCUST_BUCKETS)
    assert statistic("max", K6_LINEAR) is None
