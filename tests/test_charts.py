"""Charts as data: what each spec draws (thresholds with their values, projected drawn apart), alt text written
from the numbers, SVG ids prefixed per chart, bounded lines, and byte-identical rendering."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from reportgen.analyse import analyse
from reportgen.charts import models, release_charts, render, specs, svg
from reportgen.charts.downsample import lttb
from reportgen.charts.over_time import over_time
from reportgen.project import Project
from reportgen.schemas.measurement import Series
from reportgen.schemas.report import ReleaseResult


@pytest.fixture(scope="module")
def results(example_repo: Path) -> dict[str, ReleaseResult]:
    return {r.id: r for r in analyse(Project(example_repo))}


def _layers(spec: dict[str, Any]) -> list[dict[str, Any]]:
    return list(spec.get("layer", [spec]))


def _values(layer: dict[str, Any], spec: dict[str, Any]) -> list[dict[str, Any]]:
    data = layer.get("data") or spec.get("data") or {}
    if "values" in data:
        return list(data["values"])
    return list(spec.get("datasets", {}).get(data.get("name", ""), []))


def test_glance_draws_the_threshold_rule_at_one(results: dict[str, ReleaseResult]) -> None:
    """Targets at a glance has a rule at value ÷ threshold = 1, and each row's label carries value and threshold."""
    model = models.targets_at_a_glance(results["v1.2.0"])
    assert model is not None
    spec = specs.spec(model)
    rules = [layer for layer in _layers(spec) if layer["mark"]["type"] == "rule"]
    assert [v["x"] for v in _values(rules[0], spec)] == [1.0]
    rows = [v["row"] for layer in _layers(spec) for v in _values(layer, spec) if "row" in v]
    assert "Checkout answers quickly: 309.0 ms (< 200 ms)" in rows


def test_glance_draws_projected_hollow_and_dashed(results: dict[str, ReleaseResult]) -> None:
    """A projected target (v1.1.0 peak capacity) is hollow and dashed and named in the legend; measured ones filled."""
    model = models.targets_at_a_glance(results["v1.1.0"])
    assert model is not None
    spec = specs.spec(model)
    points = next(
        layer for layer in _layers(spec) if layer["mark"]["type"] == "point" and "strokeDash" in layer["encoding"]
    )
    dash = points["encoding"]["strokeDash"]["scale"]
    assert dict(zip(dash["domain"], dash["range"], strict=True))["projected"] == [3, 2]
    assert "projected (hollow, dashed)" in points["encoding"]["shape"]["legend"]["labelExpr"]
    fills = {v["provenance"]: v["fill"] for v in _values(points, spec)}
    assert fills["projected"] == "transparent"
    assert fills["measured"].startswith("#")


def test_glance_alt_text_names_the_numbers(results: dict[str, ReleaseResult]) -> None:
    """The text alternative states each target's value, threshold and verdict."""
    model = models.targets_at_a_glance(results["v1.2.0"])
    assert model is not None
    assert "Checkout answers quickly: 309.0 ms, target below 200 ms: FAIL" in model.alt
    assert "Search feels instant: 36.02 ms, target below 100 ms: PASS" in model.alt


def test_percentiles_draw_each_targets_threshold_with_its_value(results: dict[str, ReleaseResult]) -> None:
    """The percentile chart of the k6 stream draws checkout's 200 ms threshold as a labelled tick on its row."""
    result = results["v1.2.0"]
    stream = next(a for a in result.artifacts if a.path == "k6/stream.ndjson.gz")
    model = models.latency_percentiles(result, stream)
    assert model is not None
    spec = specs.spec(model)
    ticks = next(layer for layer in _layers(spec) if layer["mark"]["type"] == "tick")
    rules = {(v["endpoint"], v["threshold"]) for v in _values(ticks, spec)}
    assert ("checkout", 200.0) in rules
    labels = next(layer for layer in _layers(spec) if layer["mark"]["type"] == "text")
    assert {v["label"] for v in _values(labels, spec)} >= {"p95 < 200 ms", "p95 < 100 ms"}
    assert "checkout: p50 269.1 ms, p90 296.8 ms, p95 309.0 ms, p99 316.4 ms (target p95 < 200 ms)" in model.alt


def test_a_scenario_charts_percentiles_once(results: dict[str, ReleaseResult]) -> None:
    """A k6 stream and its summary give one percentile chart (the richer one), not two."""
    _, groups = release_charts(results["v1.2.0"])
    k6 = next(g for g in groups if "k6" in g.title)
    percentiles = [c.id for c in k6.charts if c.kind == "percentiles"]
    # Ids carry a digest of the exact path (reportgen.figures.anchor), so paths a slug would merge stay apart.
    assert len(percentiles) == 1 and percentiles[0].startswith("chart-percentiles-k6-stream-ndjson-gz-")


def test_svg_ids_are_prefixed_and_unique_per_page(results: dict[str, ReleaseResult]) -> None:
    """Every id in every chart of a page starts with its chart's id, and no id appears twice on the page."""
    glance, groups = release_charts(results["v1.2.0"])
    charts = ([glance] if glance else []) + [c for g in groups for c in g.charts]
    ids: list[str] = []
    for chart in charts:
        found = re.findall(r'\bid="([^"]+)"', chart.svg)
        assert found and all(i.startswith(chart.id + "-") for i in found)
        for ref in re.findall(r"url\(#([^)]+)\)", chart.svg):
            assert ref in found
        ids += found
    assert len(ids) == len(set(ids))


def _percentiles_svg(rows: list[models.Row], alt: str = "a") -> str:
    """The SVG of a percentiles chart of ``rows`` (one per mark), alt text ``alt``."""
    model = models.ChartModel(
        id="chart-x",
        kind="percentiles",
        title="t",
        alt=alt,
        caption="c",
        rows=rows,
        columns=[("endpoint", "Endpoint")],
        unit="ms",
    )
    return render(model).svg


def test_svg_is_one_labelled_image_and_escapes_text() -> None:
    """The SVG reads as one image named by the alt text, and markup in names or alt text stays text."""
    rows: list[models.Row] = [
        {"endpoint": "<img src=x onerror=alert(1)>", "percentile": "p95", "value": 3.0, "text": "3 ms"}
    ]
    drawn = _percentiles_svg(rows, alt='<script>alert(1)</script> & "quotes"')
    assert drawn.startswith('<svg role="img" aria-labelledby="chart-x-title"')
    assert "<script>" not in drawn and "<img" not in drawn
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &#34;quotes&#34;" in drawn


def test_rendering_is_byte_identical(results: dict[str, ReleaseResult]) -> None:
    """The same results give the same SVG bytes, and the spec does not depend on dict order."""
    model = models.targets_at_a_glance(results["v1.2.0"])
    assert model is not None
    first = svg.to_svg(specs.spec(model))
    assert svg.to_svg(json.loads(json.dumps(specs.spec(model), sort_keys=True))) == first
    assert svg.to_svg(specs.spec(model)) == first


def test_svg_geometry_is_kept_to_a_tenth_of_a_pixel_and_labels_to_every_digit() -> None:
    """Path data and transforms hold no number finer than a tenth of a pixel, while a mark's label keeps every
    digit of its value."""
    drawn = _percentiles_svg(
        [
            {"endpoint": "cart", "percentile": "p95", "value": 12.345678, "text": "12.35 ms"},
            {"endpoint": "search", "percentile": "p95", "value": 7.0001, "text": "7.000 ms"},
        ]
    )
    geometry = re.findall(r' (?:d|transform)="([^"]*)"', drawn)
    assert geometry and not any(re.search(r"\d\.\d\d", value) for value in geometry)
    assert "12.345678" in drawn


def test_rounded_geometry_leaves_integers_and_text_alone() -> None:
    """Rounding the geometry keeps integers, turns a negative zero into 0 and touches no other attribute."""
    path = '<path d="M0.5,0.5h380v-220L202.565,21.639L-0.04,1e-7" transform="translate(-7,116.0769) rotate(-90)"'
    path += ' aria-label="x: 12.345678"/>'
    expected = '<path d="M0.5,0.5h380v-220L202.6,21.6L0,0" transform="translate(-7,116.1) rotate(-90)"'
    assert svg.rounded(path) == expected + ' aria-label="x: 12.345678"/>'


def test_lttb_bounds_a_line_and_keeps_its_peak() -> None:
    """10,000 points become at most 1,000, the first, last and a one-sample spike kept."""
    points = [(float(i), 1.0 + (i % 7) * 0.01) for i in range(10_000)]
    points[4321] = (4321.0, 500.0)
    kept = lttb(points, 1000)
    assert len(kept) == 1000
    assert kept[0] == points[0] and kept[-1] == points[-1]
    assert (4321.0, 500.0) in kept
    assert lttb(points[:50], 1000) == points[:50]


def test_over_time_draws_one_panel_per_quantity_with_zero_seconds(results: dict[str, ReleaseResult]) -> None:
    """Locust's per-second failures become a line over every second of the run, seconds without failures at 0."""
    result = results["v1.2.0"]
    run = next(a for a in result.artifacts if a.path == "locust/run.json")
    model = over_time(result, run)
    assert model is not None
    panels = list(dict.fromkeys(r["panel"] for r in model.rows))
    assert panels == ["Requests per second", "Failures per second"]
    failures = [r for r in model.rows if r["line"] == "failures"]
    requests = [r for r in model.rows if r["line"] == "requests"]
    assert len(failures) == len(requests) and any(r["value"] == 0 for r in failures)
    assert "include the seconds with none" in model.caption
    assert "Failures per second, failures: 15 points from 0 to 2" in model.alt
    spec = specs.spec(model)
    assert spec["resolve"]["scale"]["y"] == "independent"


def test_over_time_reduces_long_lines_and_says_so(results: dict[str, ReleaseResult]) -> None:
    """A 5,000-point series is drawn with at most 1,000 points and the caption names the reduction."""
    result = results["v1.2.0"]
    stream = next(a for a in result.artifacts if a.path == "k6/stream.ndjson.gz")
    long = Series(
        metric="vus",
        stat="value",
        unit="count",
        points=[(1795626899 + i / 250, float(i % 50)) for i in range(5000)],
        selector="x",
    )
    model = over_time(result, stream, [long])
    assert model is not None
    assert len([r for r in model.rows if r["line"] == "VUs"]) == 1000
    assert "largest-triangle-three-buckets" in model.caption and "VUs (5,000 points → 1,000)" in model.caption


@pytest.fixture(scope="module")
def charts_v120(results: dict[str, ReleaseResult], example_repo: Path) -> dict[str, Any]:
    """v1.2.0's charts as the build makes them, with raw samples read from results/."""
    from reportgen.samples import SampleSource

    glance, groups = release_charts(results["v1.2.0"], SampleSource(Project(example_repo).release_dir))
    return {"glance": glance, "groups": groups}


def test_the_example_shows_every_chart_kind(charts_v120: dict[str, Any]) -> None:
    """v1.2.0 draws targets at a glance, percentiles, over-time, distribution, failures by cause and k6 checks."""
    kinds = {c.kind for g in charts_v120["groups"] for c in g.charts} | {charts_v120["glance"].kind}
    assert kinds == {"glance", "percentiles", "over_time", "distribution", "failures", "checks"}


def test_distribution_marks_targets_at_threshold_and_percentile(
    results: dict[str, ReleaseResult], example_repo: Path
) -> None:
    """The k6 ECDF puts checkout's p95 < 200 ms target at (200 ms, 95 %), and its alt text uses k6's own p95."""
    from reportgen.charts.breakdowns import distribution
    from reportgen.samples import SampleSource

    result = results["v1.2.0"]
    stream = next(a for a in result.artifacts if a.path == "k6/stream.ndjson.gz")
    model = distribution(result, stream, SampleSource(Project(example_repo).release_dir))
    assert model is not None and model.kind == "distribution"
    assert {k: model.rules[-1][k] for k in ("threshold", "share")} == {"threshold": 200.0, "share": 0.95}
    assert model.rules[-1]["label"] == "p95 < 200 ms: checkout"
    assert "checkout: 34 samples from 214.1 ms to 318.5 ms, median 269.1 ms, p95 309.0 ms" in model.alt
    shares = [r["share"] for r in model.rows if r["endpoint"] == "checkout"]
    assert shares[-1] == 1.0 and shares == sorted(shares)


def test_failures_and_checks_come_from_the_stream(charts_v120: dict[str, Any]) -> None:
    """The k6 stream's 27 answers with status 503 are a failure cause, and login's failing check shows its fails."""
    k6 = next(g for g in charts_v120["groups"] if "k6" in g.title)
    failures = next(c for c in k6.charts if c.kind == "failures")
    assert failures.rows == [["HTTP status 503", "27"]]
    checks = next(c for c in k6.charts if c.kind == "checks")
    assert "27 failed" in checks.alt and "1 check(s) failed at least once" in checks.caption


def test_every_line_of_the_example_keeps_at_most_1000_points(charts_v120: dict[str, Any]) -> None:
    """No line the example draws over a run has more than 1,000 points (downsample.MAX_POINTS), caption or not."""
    from reportgen.charts.downsample import MAX_POINTS

    over_time = [c for g in charts_v120["groups"] for c in g.charts if c.kind == "over_time"]
    assert over_time
    for chart in over_time:
        lines: dict[tuple[str, str], int] = {}
        for panel, line, *_ in chart.rows:
            lines[(panel, line)] = lines.get((panel, line), 0) + 1
        assert max(lines.values()) <= MAX_POINTS, chart.id
