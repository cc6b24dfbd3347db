"""The trends page: every metric across releases in release order (v1.10.0 after v1.9.0), thresholds drawn,
projected hollow, significant regressions marked, and linked from the home page's table."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from reportgen.analyse import analyse
from reportgen.project import Project
from reportgen.samples import SampleSource
from reportgen.schemas.report import ReleaseResult
from reportgen.trends import trends_page
from tests.support.project import BASE_MANIFEST, make_project

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def example() -> list[ReleaseResult]:
    return analyse(Project(ROOT))


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
    assert page.releases == ["v1.9.0", "v1.10.0"]
    chart = next(t.chart for t in page.charts if t.metric == "p95_slow")
    assert chart is not None
    assert [row[0] for row in chart.rows] == ["v1.9.0", "v1.10.0"]


def test_trend_marks_checkouts_significant_regression(example: list[ReleaseResult]) -> None:
    """Checkout p95 across the example: its 200 ms threshold drawn, v1.2.0 failing and flagged as regressed."""
    page = trends_page(example, SampleSource(Project(ROOT).release_dir))
    assert page.releases == ["v1.0.0", "v1.1.0", "v1.2.0"]
    checkout = next(t.chart for t in page.charts if t.metric == "checkout_p95")
    assert checkout is not None
    assert "v1.2.0 309.0 ms (fail, significantly regressed)" in checkout.alt
    assert "target < 200 ms" in checkout.alt
    assert checkout.svg.count("regressed") >= 1


def test_projected_values_are_hollow_in_trends(example: list[ReleaseResult]) -> None:
    """The projected peak capacity is named projected in the alt text and drawn without fill."""
    page = trends_page(example)
    chart = next(t for t in page.charts if t.metric == "peak_capacity").chart
    assert chart is not None
    assert "(unverified, projected)" in chart.alt
    point = re.search(r'<path aria-label="[^"]*Value is: projected"[^>]*>', chart.svg)
    assert point is not None and 'stroke-dasharray="3,2"' in point.group(0) and " fill=" not in point.group(0)
