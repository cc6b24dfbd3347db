"""Where a release's charts are drawn: on its page while they are light enough, else one page per scenario."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from reportgen import chart_pages
from reportgen.analyse import analyse
from reportgen.charts import release_charts
from reportgen.cli import main
from reportgen.project import Project
from reportgen.samples import SampleSource
from reportgen.schemas.page import ChartGroup
from tests.conftest import copy_of_the_example

#: A budget every release's charts outweigh: each scenario's charts go to a page of their own.
NONE_INLINE = 1


def _chart_ids(html_text: str) -> list[str]:
    return re.findall(r'<figure class="rg-chart" id="([^"]+)"', html_text)


@pytest.fixture(scope="module")
def split_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example built by `reportgen build` (strict MkDocs) with a chart budget no release fits, in this process."""
    root = copy_of_the_example(tmp_path_factory.mktemp("split-charts"))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(chart_pages, "INLINE_CHART_BYTES", NONE_INLINE)
        patch.setenv("REPORTGEN_PROCESSES", "1")  # the budget is this process's: no worker draws a page
        assert main(["-C", str(root), "build"]) == 0
    return root / "site"


def test_the_examples_charts_stay_on_their_release_pages(example_site: Path) -> None:
    """A release whose charts weigh under the budget (the example's, 9 charts) draws them all on its own page."""
    for release in ("v1.0.0", "v1.1.0", "v1.2.0"):
        assert not (example_site / "site" / "releases" / release / "charts").exists()
        assert len(_chart_ids((example_site / "site" / "releases" / release / "index.html").read_text())) >= 8


def test_a_release_over_the_budget_draws_each_scenarios_charts_on_a_page_of_its_own(split_site: Path) -> None:
    """Over the budget, the release page draws no scenario chart but links one page per scenario, and every chart
    the release page drew before is on exactly one of those pages, the glance chart staying on the release page."""
    release = split_site / "releases" / "v1.2.0"
    page = (release / "index.html").read_text()
    linked = list(dict.fromkeys(re.findall(r'href="(charts/[a-z0-9-]+/)"', page)))
    assert len(linked) == 2  # the k6 and the Locust scenario; the others draw no chart
    assert _chart_ids(page) == ["chart-targets"]
    drawn = [chart for link in linked for chart in _chart_ids((release / link / "index.html").read_text())]
    assert len(drawn) == len(set(drawn)) and len(drawn) >= 8
    assert all(chart.startswith("chart-") and chart != "chart-targets" for chart in drawn)


def test_a_chart_page_links_its_release_and_stays_out_of_the_sidebar(split_site: Path) -> None:
    """A chart page links back to its release page, and no page's sidebar lists a chart page."""
    release = split_site / "releases" / "v1.2.0"
    chart_page = next((release / "charts").glob("*/index.html"))
    assert 'href="../../"' in chart_page.read_text()
    sidebar = re.search(r'<nav class="md-nav md-nav--primary".*?</nav>', (release / "index.html").read_text(), re.S)
    assert sidebar is not None and "/charts/" not in sidebar.group(0)


def test_chart_pages_are_named_by_scenario_and_apart_for_ids_a_slug_would_merge() -> None:
    """Each scenario's chart page is named by its id, two ids that slug alike get two pages, and charts outside
    any scenario get one of their own."""
    pages = [chart_pages.page_of(ChartGroup(title="t", charts=[], scenario=s)) for s in ("a.b", "a-b", "shop", None)]
    assert len(set(pages)) == 4
    assert all(page.startswith("charts/") and page.endswith(".md") for page in pages)
    assert pages[2] == "charts/shop.md"


def test_the_budget_counts_svg_and_table(example_repo: Path) -> None:
    """A chart weighs at least its SVG and its table's cells, so the example's charts (about 250 KB) fit the budget."""
    project = Project(example_repo)
    result = next(r for r in analyse(project) if r.id == "v1.2.0")
    _, groups = release_charts(result, SampleSource(project.release_dir))
    charts = [c for g in groups for c in g.charts]
    for chart in charts:
        assert chart_pages.chart_bytes(chart) >= len(chart.svg) + sum(len(cell) for row in chart.rows for cell in row)
    assert 150_000 < sum(chart_pages.chart_bytes(c) for c in charts) < chart_pages.INLINE_CHART_BYTES
    assert chart_pages.placed(groups) == groups


def test_chart_pages_are_left_out_of_the_site_search(split_site: Path) -> None:
    """No search entry points at a chart page (their text is the charts' numbers, kept out of the index's weight),
    while the release pages are still found."""
    index = json.loads((split_site / "search" / "search_index.json").read_text())
    locations = [doc["location"] for doc in index["docs"]]
    assert not [location for location in locations if location.startswith("releases/") and "/charts/" in location]
    assert "releases/v1.2.0/" in locations


def test_a_hostile_scenario_title_stays_text_on_its_chart_page_and_its_link(example_repo: Path) -> None:
    """A scenario title holding markup, a link and a script is text in the chart page's title, heading and intro,
    and in the release page's link to it."""
    from reportgen import assemble
    from reportgen.render import environment, render_release

    project = Project(example_repo)
    results = {r.id: r for r in analyse(project)}
    page = assemble.release_page(results["v1.2.0"], results["v1.1.0"], SampleSource(project.release_dir), None)
    hostile = '<script>alert(1)</script> [x](javascript:alert(1)) *b* {#id} "q'
    groups = [g.model_copy(update={"title": hostile, "page": chart_pages.page_of(g)}) for g in page.chart_groups]
    files = render_release(environment(None), page.model_copy(update={"chart_groups": groups}), b"{}")
    pages = [text.decode() for name, text in files.items() if "/charts/" in name] + [files["v1.2.0/index.md"].decode()]
    assert len(pages) == 3
    for text in pages:
        assert "<script>" not in text and "](javascript:" not in text and "*b*" not in text


def test_the_pdf_takes_each_linked_chart_page_once_in_order_and_names_one_it_cannot_read(tmp_path: Path) -> None:
    """The PDF's chart pages are those the release page links, each once, in its order, for a served site's links
    and a site on disk's alike; a chart page without the theme's article is an error naming that file."""
    from reportgen.errors import PublishError
    from reportgen.pdf import chart_pages_content

    release = tmp_path / "releases" / "v1.0.0"
    for name, body in (("b", "second"), ("a", "first")):
        (release / "charts" / name).mkdir(parents=True)
        article = f'<article class="md-content__inner md-typeset"><p>{body}</p></article>'
        (release / "charts" / name / "index.html").write_text(f"<html>{article}</html>")
    links = '<a href="charts/b/">b</a> <a href="charts/a/">a</a> <a href="charts/b/">b again</a>'
    (release / "index.html").write_text(f"<html>{links}</html>")
    assert chart_pages_content(release / "index.html") == ["<p>second</p>", "<p>first</p>"]
    (release / "charts" / "a.html").write_text('<article class="md-content__inner md-typeset">x</article>')
    (release / "index.html").write_text('<a href="charts/a.html">a</a>')
    assert chart_pages_content(release / "index.html") == ["x"]
    (release / "charts" / "b" / "index.html").write_text("<html><main>no article</main></html>")
    (release / "index.html").write_text(links)
    with pytest.raises(PublishError, match=r"charts/b/index\.html: no <article.*overrides/main\.html"):
        chart_pages_content(release / "index.html")
