"""Where a release's charts are drawn: on the release page, or, when together they would make it too heavy, on
a page of their own per scenario under the release's folder. Pure: page models in, page models out.

A chart is its inline SVG and the table of the numbers it draws, 5–80 KB of HTML; a release of about 20 charts
(three load-test scenarios, say) made a release page of 700 KB, past the 500 KB a page is kept under (issue 18,
benchmarks/site_releases.py). So when a release's charts weigh more than :data:`INLINE_CHART_BYTES`, each
scenario's charts get a page of their own (``charts/<scenario>.md``) that the release page links under "Charts",
each page holding one scenario's charts as the release page would, and ``reportgen pdf`` prints them after the
release page. Every release is laid out one way or the other, whole: the same inputs, the same pages.
"""

from __future__ import annotations

from reportgen.figures import anchor
from reportgen.schemas.page import Chart, ChartGroup

#: The HTML the charts of a release page may take (their SVGs and tables of numbers): a release page's other
#: content (targets, metrics, comparison, tables of every artifact, sign-offs, the theme's navigation) is
#: 100–200 KB, so charts up to this keep it under 500 KB. The example's releases (9 charts, 219–237 KB) stay
#: on one page.
INLINE_CHART_BYTES = 300_000

#: The folder of the chart pages, in the release's folder.
FOLDER = "charts"


def chart_bytes(chart: Chart) -> int:
    """About how much HTML ``chart`` puts on a page: its SVG (its alternative text is the SVG's title), its caption
    and the cells of its table of numbers."""
    cells = sum(len(cell) + 9 for row in chart.rows for cell in row) + 9 * len(chart.rows)  # <td></td>, <tr></tr>
    return len(chart.svg) + len(chart.caption) + cells


def placed(groups: list[ChartGroup]) -> list[ChartGroup]:
    """``groups`` as the release page shows them: unchanged when their charts weigh :data:`INLINE_CHART_BYTES` or
    less, else each with the page of its own it is drawn on (:attr:`ChartGroup.page`)."""
    if sum(chart_bytes(c) for g in groups for c in g.charts) <= INLINE_CHART_BYTES:
        return groups
    return [g.model_copy(update={"page": page_of(g)}) if g.charts else g for g in groups]


def page_of(group: ChartGroup) -> str:
    """The chart page of ``group``, relative to the release's folder: named by its scenario's id (an anchor, so
    that ids a slug would merge get pages of their own)."""
    return f"{FOLDER}/{anchor(group.scenario) if group.scenario else 'outside-scenarios'}.md"
