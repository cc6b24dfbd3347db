"""Noise-aware comparison on the example's real k6, Locust and hyperfine runs: a run against itself shows no
significant change, a clear shift is significant, summaries are not tested, and directions never say "changed"
for a latency."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from reportgen.analyse import analyse
from reportgen.compare import compare, default_better
from reportgen.compare_stats import MAX_SAMPLES, difference, statistic
from reportgen.comparison import change_text
from reportgen.estimators import K6_LINEAR, LOCUST_BUCKETS
from reportgen.project import Project
from reportgen.samples import Samples, SampleSource
from reportgen.schemas.report import ComparisonRow, ReleaseResult


@pytest.fixture(scope="module")
def project(example_repo: Path) -> Project:
    return Project(example_repo)


@pytest.fixture(scope="module")
def results(project: Project) -> dict[str, ReleaseResult]:
    return {r.id: r for r in analyse(project)}


@pytest.fixture(scope="module")
def source(project: Project) -> SampleSource:
    return SampleSource(project.release_dir)


@pytest.fixture(scope="module")
def regression(results: dict[str, ReleaseResult], source: SampleSource) -> dict[str, ComparisonRow]:
    return {r.metric: r for r in compare(results["v1.2.0"], results["v1.1.0"], source)}


def test_a_run_against_itself_shows_no_significant_change(
    results: dict[str, ReleaseResult], source: SampleSource
) -> None:
    """Every tested figure of v1.2.0 compared with the same files: no significant change, none untested by accident."""
    rows = compare(results["v1.2.0"], results["v1.2.0"], source)
    tested = [r for r in rows if r.low is not None]
    assert {r.metric for r in tested} >= {"checkout_p95", "search_p95", "login_error_rate", "pricing_time"}
    assert all(
        r.change == "no significant change" and r.low is not None and r.low <= 0 <= (r.high or 0) for r in tested
    )


def test_a_clear_shift_is_significant(regression: dict[str, ComparisonRow]) -> None:
    """v1.2.0's checkout p95 (309 ms against 107 ms) regressed, its interval excludes 0, and sample counts show."""
    row = regression["checkout_p95"]
    assert row.change == "regressed"
    assert row.low is not None and row.high is not None and 150 < row.low < row.high < 250
    assert (row.n_baseline, row.n_current) == (60, 34)
    assert regression["pricing_time"].change == "regressed"  # hyperfine times: median +124 ms


def test_summary_only_figures_are_not_tested_for_noise(regression: dict[str, ComparisonRow]) -> None:
    """A rate read from k6's summary export, a derived figure and a JUnit count say "not tested for noise" and why."""
    for metric in ("browse_rps", "total_throughput", "tests_failed"):
        assert regression[metric].change == "not tested for noise"
        assert regression[metric].untested_because
    assert "summary" in (regression["browse_rps"].untested_because or "")


def test_most_important_rows_come_first(results: dict[str, ReleaseResult], source: SampleSource) -> None:
    """The significant regression of a must-target's metric (checkout p95) is the first row."""
    rows = compare(results["v1.2.0"], results["v1.1.0"], source)
    assert rows[0].metric == "checkout_p95" and rows[0].severity == "must"
    ranks = [
        ("regressed", "not tested for noise", "improved", "n/a", "no significant change").index(r.change) for r in rows
    ]
    assert ranks == sorted(ranks)


def test_no_latency_is_merely_changed(results: dict[str, ReleaseResult]) -> None:
    """Without `better:` or a target, durations are better lower, throughput higher, failure shares lower."""
    by_id = {m.id: m for m in results["v1.2.0"].metrics}
    assert default_better(by_id["ok_p95"]) == "lower"
    assert default_better(by_id["pricing_time"]) == "lower"
    assert default_better(by_id["browse_rps"]) == "higher"
    assert default_better(by_id["error_rate"]) == "lower"
    assert default_better(by_id["tests_passed_ratio"]) == "higher"
    rows = compare(results["v1.2.0"], results["v1.1.0"])
    assert all(r.direction != "changed" for r in rows if r.unit in ("ms", "s"))


def test_intervals_are_seeded_and_shown_with_matching_precision(
    results: dict[str, ReleaseResult], source: SampleSource, regression: dict[str, ComparisonRow]
) -> None:
    """The same inputs give the same interval, written with two significant digits of its half-width."""
    again = {r.metric: r for r in compare(results["v1.2.0"], results["v1.1.0"], source)}
    assert (again["checkout_p95"].low, again["checkout_p95"].high) == (
        regression["checkout_p95"].low,
        regression["checkout_p95"].high,
    )
    text = change_text(regression["checkout_p95"])
    assert text.delta == "+202 ms" and text.interval.endswith(" ms") and "." not in text.interval
    assert text.samples == "60 → 34"
    assert change_text(regression["error_rate"]).delta.endswith(" pp")


def test_the_statistic_is_the_tools_own(results: dict[str, ReleaseResult], source: SampleSource) -> None:
    """Bootstrapped statistics use the tool's rule: on the full samples they give the figure the adapter reported."""
    result = results["v1.2.0"]
    stream = next(a for a in result.artifacts if a.path == "k6/stream.ndjson.gz")
    k6 = source.samples(result.id, stream, "http_req_duration", {"name": "checkout"})
    assert k6 is not None and k6.estimator == K6_LINEAR
    k6_stat = statistic("p95", K6_LINEAR)
    assert k6_stat is not None
    assert float(k6_stat(k6.values)) == pytest.approx(result.metric("checkout_p95").value, rel=1e-12)
    run = next(a for a in result.artifacts if a.path == "locust/run.json")
    locust = source.samples(result.id, run, "response_time", {"method": "GET", "name": "search"})
    assert locust is not None and locust.estimator == LOCUST_BUCKETS
    reported = next(
        m
        for m in run.extraction.measurements
        if m.metric == "response_time" and m.stat == "p95" and m.labels == {"method": "GET", "name": "search"}
    )
    locust_stat = statistic("p95", LOCUST_BUCKETS)
    assert locust_stat is not None and float(locust_stat(locust.values)) == reported.value


def test_large_runs_are_subsampled_deterministically_and_say_so() -> None:
    """Runs over the bound are bootstrapped on a seeded subsample, flagged, with the true counts kept."""
    rng = np.random.default_rng(1)
    old = Samples(rng.normal(100, 5, MAX_SAMPLES * 3), "ms", K6_LINEAR, "old")
    new = Samples(rng.normal(100, 5, MAX_SAMPLES * 3), "ms", K6_LINEAR, "new")
    first = difference(old, new, "p95", "ms", "seed")
    assert first is not None and first.subsampled and first.n_old == MAX_SAMPLES * 3
    assert first == difference(old, new, "p95", "ms", "seed")
    assert not first.significant
    assert difference(old, new, "max", "ms", "seed") is None  # a maximum is not bootstrapped


def test_the_example_page_shows_checkouts_regression_as_significant(example_site: Path) -> None:
    """v1.2.0's page lists checkout p95 first in its comparison, regressed, with its interval and sample counts."""
    page = (example_site / "site_docs/releases/v1.2.0/index.md").read_bytes()
    text = page.decode()
    table = text[text.index("## Comparison with v1.1.0") :]
    first = next(line for line in table.splitlines() if line.startswith("| Checkout"))
    assert table.index(first) < table.index("| Search latency, p95<br>")
    assert "+202 ms" in first and "+186 to +215 ms" in first and "60 → 34" in first
    assert 'rg-change--regressed">regressed' in first
    assert len(page) < 450_000  # nine charts included: the built HTML page stays under 500 KB
