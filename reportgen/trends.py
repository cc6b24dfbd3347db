"""The trends pages: every metric across releases in release order, in pages that never grow with the number
of releases. Pure given the samples.

``trends.md`` is the index: one row per metric (its newest figure, verdict and change, and how many releases
regressed on it), linking to the metric's trend. Each metric's trend is drawn :data:`TREND_WINDOW` releases
to a page: ``trends/<metric>/index.md`` holds the newest, and ``1.md``, ``2.md`` … the older ones in blocks
counted from the oldest, so a new release changes only the newest page and the last block. Each page links to
the newest, newer, older and oldest page, and each release on it to its release and evidence pages.

Release order is :func:`reportgen.ordering.release_order` (manifest dates, then version order, so
v1.10.0 follows v1.9.0). A metric's change in a release is what that release's own comparison with its
baseline finds (:func:`reportgen.compare.compare`, tested for noise).
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Mapping

from reportgen import units
from reportgen.charts import render
from reportgen.charts.models import ChartModel
from reportgen.charts.trends import metric_trend, verdict_on
from reportgen.compare import compare
from reportgen.errors import UnitError
from reportgen.figures import anchor, from_metric, in_unit
from reportgen.ordering import release_order
from reportgen.paging import label, pager, windows
from reportgen.samples import SampleSource
from reportgen.schemas.page import Chart, MetricTrend, PageLink, TrendEntry, TrendsPage, TrendSummary
from reportgen.schemas.report import ReleaseResult
from reportgen.site_nav import TRENDS_FOLDER

#: Releases drawn on one page of a metric's trend: its chart and table stay this size however many there are.
TREND_WINDOW = 20


def trend_path(metric_id: str, block: int | None = None) -> str:
    """A metric's trend page, relative to the generated folder: the newest releases, or older block ``block``
    (1 is the oldest)."""
    return f"{TRENDS_FOLDER}/{anchor(metric_id)}/{'index' if block is None else block}.md"


def changes(
    results: list[ReleaseResult], samples: SampleSource | None, known: Mapping[str, Mapping[str, str]] | None = None
) -> dict[tuple[str, str], str]:
    """(release, metric) → the noise test's word for the metric against the release's baseline. ``known``:
    release → metric → word, for releases whose comparison was made already (by their page model's task)."""
    by_id = {r.id: r for r in results}
    found: dict[tuple[str, str], str] = {}
    for result in results:
        baseline = by_id.get(result.manifest.baseline or "")
        if baseline is None:
            continue
        words = (known or {}).get(result.id)
        if words is None:
            words = {row.metric: row.change for row in compare(result, baseline, samples)}
        found.update({(result.id, metric): word for metric, word in words.items()})
    return found


def _same_line(result: ReleaseResult, metric_id: str, unit: str) -> bool:
    """The release has the metric in a unit of the same dimension (else it changed meaning: not the same line)."""
    metric = next((m for m in result.metrics if m.id == metric_id), None)
    if metric is None:
        return False
    try:
        units.convert(1.0, metric.unit, unit)
    except UnitError:
        return False
    return True


def _entry(result: ReleaseResult, metric_id: str, unit: str, up: str, change: str | None) -> TrendEntry:
    metric = next(m for m in result.metrics if m.id == metric_id)
    figure = from_metric(metric)
    return TrendEntry(
        release=result.id,
        release_link=f"{up}{result.id}/index.md",
        evidence_link=f"{up}{result.id}/evidence.md",
        figure=in_unit(figure, unit, figure.id),
        verdict=verdict_on(result, metric_id)[0],
        change=change,
    )


def _windows(
    metric_id: str, title: str, unit: str, line: list[ReleaseResult], changes: dict[tuple[str, str], str]
) -> list[tuple[list[str], str, ChartModel | None]]:
    """Each page of one metric's trend, oldest first: its releases, its path and its chart's model."""
    pages = windows([r.id for r in line], TREND_WINDOW)
    paths = [trend_path(metric_id, block) for block in range(1, len(pages))] + [trend_path(metric_id)]
    by_id = {r.id: r for r in line}
    regressed = {(r, m) for (r, m), word in changes.items() if word == "regressed"}
    return [
        (releases, path, metric_trend(metric_id, title, unit, [by_id[r] for r in releases], regressed))
        for releases, path in zip(pages, paths, strict=True)
    ]


def _metric_pages(
    metric_id: str,
    title: str,
    unit: str,
    line: list[ReleaseResult],
    changes: dict[tuple[str, str], str],
    draw: Callable[[ChartModel], Chart],
) -> list[MetricTrend]:
    """The pages of one metric's trend, newest first."""
    planned = _windows(metric_id, title, unit, line, changes)
    links = [PageLink(label=label(p, TREND_WINDOW), link=posixpath.basename(path)) for p, path, _ in planned]
    by_id = {r.id: r for r in line}
    up = "../../"  # from trends/<metric>/ to the generated folder
    built: list[MetricTrend] = []
    for at, (releases, path, model) in enumerate(planned):
        drawn = [by_id[r] for r in releases]
        built.append(
            MetricTrend(
                metric=metric_id,
                title=title,
                unit=unit,
                path=path,
                up=f"{up}trends.md",
                releases=releases,
                release_count=len(line),
                chart=None if model is None else draw(model),
                entries=[_entry(r, metric_id, unit, up, changes.get((r.id, metric_id))) for r in drawn],
                **pager(links, at),
            )
        )
    return list(reversed(built))


def _lines(ordered: list[ReleaseResult]) -> list[tuple[str, str, str, list[ReleaseResult]]]:
    """(metric, title, unit, the releases on its line) for every metric, in the order the newest release lists
    them (older-only ones after), in the newest release's unit and title."""
    units_of: dict[str, str] = {}
    titles: dict[str, str] = {}
    for result in reversed(ordered):  # newest first: its unit and title win, its order leads
        for metric in result.metrics:
            units_of.setdefault(metric.id, metric.unit)
            titles.setdefault(metric.id, metric.title)
    return [
        (metric_id, titles[metric_id], unit, [r for r in ordered if _same_line(r, metric_id, unit)])
        for metric_id, unit in units_of.items()
    ]


def trend_charts(results: list[ReleaseResult], found: dict[tuple[str, str], str]) -> list[ChartModel]:
    """The model of every chart the trends pages draw (``found``: :func:`changes`), to draw them elsewhere before
    :func:`trends_page` puts them on the pages."""
    ordered = release_order(results, lambda r: (r.id, r.manifest.date))
    return [
        model
        for metric_id, title, unit, line in _lines(ordered)
        for _, _, model in _windows(metric_id, title, unit, line, found)
        if model is not None
    ]


def trends_page(
    results: list[ReleaseResult],
    samples: SampleSource | None = None,
    found: dict[tuple[str, str], str] | None = None,
    draw: Callable[[ChartModel], Chart] = render,
) -> TrendsPage:
    """The index and each metric's pages, metrics in the order the newest release lists them (older-only ones
    after), in the newest release's unit and title. ``found``: :func:`changes` (made from ``samples`` when not
    given); ``draw`` turns a chart model into its chart."""
    ordered = release_order(results, lambda r: (r.id, r.manifest.date))
    found = changes(ordered, samples) if found is None else found
    summaries: list[TrendSummary] = []
    pages: list[MetricTrend] = []
    for metric_id, title, unit, line in _lines(ordered):
        newest = line[-1]
        summaries.append(
            TrendSummary(
                metric=metric_id,
                title=title,
                link=trend_path(metric_id),
                release_count=len(line),
                first=line[0].id,
                latest=_entry(newest, metric_id, unit, "", found.get((newest.id, metric_id))),
                regressions=sum(found.get((r.id, metric_id)) == "regressed" for r in line),
            )
        )
        pages += _metric_pages(metric_id, title, unit, line, found, draw)
    return TrendsPage(
        release_count=len(ordered),
        first=ordered[0].id if ordered else "",
        last=ordered[-1].id if ordered else "",
        metrics=summaries,
        pages=pages,
    )
