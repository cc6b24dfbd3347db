"""The trends page: every metric across all releases in release order, as charts. Pure given the samples.

Release order is :func:`reportgen.ordering.release_order` (manifest dates, then version order, so
v1.10.0 follows v1.9.0). A metric's significant regressions are those its release's own comparison
with its baseline finds (:func:`reportgen.compare.compare`, tested for noise).
"""

from __future__ import annotations

from reportgen.charts import render
from reportgen.charts.trends import metric_trend
from reportgen.compare import compare
from reportgen.figures import slug
from reportgen.ordering import release_order
from reportgen.samples import SampleSource
from reportgen.schemas.page import TrendChart, TrendsPage
from reportgen.schemas.report import ReleaseResult


def _regressions(results: list[ReleaseResult], samples: SampleSource | None) -> set[tuple[str, str]]:
    by_id = {r.id: r for r in results}
    found: set[tuple[str, str]] = set()
    for result in results:
        baseline = by_id.get(result.manifest.baseline or "")
        if baseline is not None:
            found |= {
                (result.id, row.metric) for row in compare(result, baseline, samples) if row.change == "regressed"
            }
    return found


def anchor(metric_id: str) -> str:
    """The id of a metric's section on the trends page (the home page's table links there)."""
    return slug("trend-of", metric_id)


def trends_page(results: list[ReleaseResult], samples: SampleSource | None = None) -> TrendsPage:
    """One chart per metric id, metrics in the order the newest release lists them (older-only ones after)."""
    ordered = release_order(results, lambda r: (r.id, r.manifest.date))
    regressed = _regressions(ordered, samples)
    units: dict[str, str] = {}
    titles: dict[str, str] = {}
    for result in reversed(ordered):  # newest first: its unit and title win, its order leads
        for metric in result.metrics:
            units.setdefault(metric.id, metric.unit)
            titles.setdefault(metric.id, metric.title)
    charts: list[TrendChart] = []
    for metric_id, unit in units.items():
        model = metric_trend(metric_id, titles[metric_id], unit, ordered, regressed)
        chart = None if model is None else render(model)
        charts.append(TrendChart(metric=metric_id, anchor=anchor(metric_id), title=titles[metric_id], chart=chart))
    return TrendsPage(releases=[r.id for r in ordered], charts=charts)
