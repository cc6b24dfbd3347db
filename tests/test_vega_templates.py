"""Vega-Lite compiled once per chart shape (reportgen.charts.vl_engine): every chart gets a whole compile's bytes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from reportgen import cache
from reportgen.analyse import analyse
from reportgen.charts import release_charts, svg, vl_engine
from reportgen.project import Project
from reportgen.samples import SampleSource
from reportgen.trends import trends_page


@pytest.fixture(scope="module")
def specs(example_repo: Path) -> list[dict[str, Any]]:
    """The Vega-Lite spec of every chart of the example (each release's and the trends page's), as drawn."""
    found: list[dict[str, Any]] = []
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(
            svg,
            "model_svg",
            lambda model, spec: found.append(json.loads(json.dumps(spec(), sort_keys=True))) or "<svg></svg>",
        )
        project = Project(example_repo)
        results = analyse(project)
        samples = SampleSource(project.release_dir)
        for result in results:
            release_charts(result, samples)
        trends_page(results, samples)
    return found


def test_every_chart_of_the_example_is_drawn_as_its_whole_compile_draws_it(specs: list[dict[str, Any]]) -> None:
    """For each chart of the example (every kind), the SVG through its shape's Vega template is the SVG vl-convert
    draws from the whole Vega-Lite spec, and the template was used (not the fallback)."""
    assert len(specs) > 40 and {spec.get("datasets") is not None for spec in specs} == {True}
    engine = vl_engine.engine()
    for spec in specs:
        assert vl_engine._filled(spec) is not None
        assert vl_engine.vegalite_to_svg(spec) == engine.vegalite_to_svg(spec)


def test_charts_of_one_shape_share_one_compile_and_keep_their_own_data() -> None:
    """Two charts differing only in their data compile once, and each SVG draws its own values."""

    def spec(rows: list[dict[str, Any]], name: str) -> dict[str, Any]:
        return {
            "data": {"name": name},
            "datasets": {name: rows},
            "mark": "text",
            "encoding": {"text": {"field": "label", "type": "nominal"}, "y": {"field": "label", "type": "nominal"}},
        }

    vl_engine._vega_template.cache_clear()
    first = vl_engine.vegalite_to_svg(spec([{"label": "first-label"}], "data-1"))
    second = vl_engine.vegalite_to_svg(spec([{"label": "second-label"}, {"label": "third-label"}], "data-2"))
    assert vl_engine._vega_template.cache_info().misses == 1
    assert "first-label" in first and "second-label" not in first
    assert "second-label" in second and "third-label" in second and "first-label" not in second


def test_a_chart_whose_template_lacks_a_placeholder_is_compiled_whole() -> None:
    """A spec whose dataset the compiled Vega does not hold as a source's values (here: not used at all) is drawn
    from the whole spec, not from a template missing its data."""
    spec = {
        "datasets": {"data-unused": [{"a": 1}]},
        "data": {"values": [{"a": 2}]},
        "mark": "point",
        "encoding": {"x": {"field": "a", "type": "quantitative"}},
    }
    assert vl_engine._filled(spec) is None
    assert vl_engine.vegalite_to_svg(spec) == vl_engine.engine().vegalite_to_svg(spec)


def test_a_later_process_takes_a_shapes_vega_template_from_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A shape compiled by one build is not compiled again by the next one using the same cache (a new process:
    nothing held in memory), and the chart drawn from the kept template is the one a compile draws."""
    spec = {
        "data": {"name": "data-1"},
        "datasets": {"data-1": [{"label": "kept-label"}]},
        "mark": "text",
        "encoding": {"text": {"field": "label", "type": "nominal"}},
    }
    vl_engine._vega_template.cache_clear()
    with cache.charts_in(tmp_path / "charts"):
        compiled = vl_engine.vegalite_to_svg(spec)
        vl_engine._vega_template.cache_clear()
        engine = vl_engine.engine()
        monkeypatch.setattr(vl_engine, "engine", lambda: _NoCompiling(engine))
        kept = vl_engine.vegalite_to_svg(spec)
    vl_engine._vega_template.cache_clear()
    assert kept == compiled and "kept-label" in kept
    assert len(list((tmp_path / "vega_templates").rglob("*"))) == 2  # one entry in its folder


class _NoCompiling:
    """vl-convert that draws Vega but refuses to compile Vega-Lite."""

    def __init__(self, engine: Any) -> None:
        self.vega_to_svg = engine.vega_to_svg

    def vegalite_to_vega(self, spec: object) -> None:
        raise AssertionError("compiled again")


def test_a_label_ending_in_a_dataset_token_is_drawn_as_it_is() -> None:
    """A label that ends in what looks like a template's dataset token (hostile text) is not taken for one: the
    SVG is the whole compile's, with the label as written."""
    label = 'x"reportgen-dataset-0000'
    spec = {
        "data": {"name": "data-1"},
        "datasets": {"data-1": [{"a": 1}]},
        "mark": "point",
        "title": label,
        "encoding": {"x": {"field": "a", "type": "quantitative"}},
    }
    drawn = vl_engine.vegalite_to_svg(spec)
    assert drawn == vl_engine.engine().vegalite_to_svg(spec) and "x&quot;reportgen-dataset-0000" in drawn
    assert vl_engine._renamed(json.dumps([label, "data-1"]), {"data-1": "t"}) == json.dumps([label, "t"])
    escaped = 'b\\"\u00e9'  # a backslash, a quote and a non-ASCII letter: written as JSON escapes
    assert vl_engine._renamed(json.dumps({"data-1": ["data-1"]}), {"data-1": escaped}) == json.dumps(
        {escaped: [escaped]}
    )
