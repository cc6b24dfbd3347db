"""The trends page: every metric across releases in release order (v1.10.0 after v1.9.0), thresholds drawn,
projected hollow, significant regressions marked, and linked from the home page's table."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from reportgen.analyse import analyse
from reportgen.project import Project
from reportgen.render import environment, render_trends
from reportgen.samples import SampleSource
from reportgen.schemas.page import MetricTrend, TrendsPage
from reportgen.schemas.report import ReleaseResult
from reportgen.trends import TREND_WINDOW, trend_path, trends_page
from tests.support.project import BASE_MANIFEST, make_project


def newest(page: TrendsPage, metric: str) -> MetricTrend:
    """The metric's newest trend page."""
    return next(p for p in page.pages if p.path == trend_path(metric))


@pytest.fixture(scope="module")
def example(example_repo: Path) -> list[ReleaseResult]:
    return analyse(Project(example_repo))


@pytest.fixture(scope="module")
def sampled(example: list[ReleaseResult], example_repo: Path) -> TrendsPage:
    """The example's trends, with comparisons tested for noise on the raw samples."""
    return trends_page(example, SampleSource(Project(example_repo).release_dir))


def test_releases_are_in_release_order_by_version(tmp_path: Path) -> None:
    """Two releases on one date: v1.10.0 is drawn after v1.9.0, not before it as text order would have it."""
    root = make_project(
        tmp_path,
        {
            "v1.10.0": BASE_MANIFEST.format(release="v1.10.0", date="2026-10-01"),
            "v1.9.0": BASE_MANIFEST.format(release="v1.9.0", date="2026-10-01"),
        },
    )
    page = trends_page(analyse(Project(root)))
    assert (page.first, page.last) == ("v1.9.0", "v1.10.0")
    trend = newest(page, "p95_slow")
    assert trend.releases == ["v1.9.0", "v1.10.0"]
    chart = trend.chart
    assert chart is not None
    assert [row[0] for row in chart.rows] == ["v1.9.0", "v1.10.0"]


def test_trend_marks_checkouts_significant_regression(sampled: TrendsPage) -> None:
    """Checkout p95 across the example: its 200 ms threshold drawn, v1.2.0 failing and flagged as regressed."""
    page = sampled
    assert newest(page, "checkout_p95").releases == ["v1.0.0", "v1.1.0", "v1.2.0"]
    checkout = newest(page, "checkout_p95").chart
    assert checkout is not None
    assert "v1.2.0 309.0 ms (fail, significantly regressed)" in checkout.alt
    assert "target < 200 ms" in checkout.alt
    assert checkout.svg.count("regressed") >= 1
    summary = next(s for s in page.metrics if s.metric == "checkout_p95")
    assert (summary.latest.release, summary.latest.change, summary.regressions) == (
        "v1.2.0",
        "regressed",
        checkout.alt.count("significantly regressed"),
    )


def test_a_trend_page_links_each_figure_to_its_evidence_with_its_badge_and_noise_word(sampled: TrendsPage) -> None:
    """Each release on a metric's trend page links to its release page, and its figure to the evidence entry,
    badged, with the verdict and the comparison's noise word; the index links the metric's page."""
    files = render_trends(environment(None), sampled, "trends.md", TREND_WINDOW)
    text = files[trend_path("checkout_p95")].decode()
    row = next(line for line in text.splitlines() if line.startswith("| [v1.2.0]"))
    assert "(../../v1.2.0/index.md)" in row and "[309.0 ms](../../v1.2.0/evidence.md#metric-checkout-p95 " in row
    assert 'rg-badge--measured">measured<' in row and "rg-verdict--fail" in row
    assert 'rg-change--regressed">regressed<' in row
    first = next(line for line in text.splitlines() if line.startswith("| [v1.0.0]"))
    assert first.endswith("| no baseline |")
    assert "[Checkout latency, p95](trends/checkout-p95/index.md)" in files["trends.md"].decode()


def test_projected_values_are_hollow_in_trends(example: list[ReleaseResult]) -> None:
    """The projected peak capacity is named projected in the alt text and drawn without fill."""
    page = trends_page(example)
    chart = newest(page, "peak_capacity").chart
    assert chart is not None
    assert "(unverified, projected)" in chart.alt
    point = re.search(r'<path aria-label="[^"]*Value is: projected"[^>]*>', chart.svg)
    assert point is not None and 'stroke-dasharray="3,2"' in point.group(0) and " fill=" not in point.group(0)
