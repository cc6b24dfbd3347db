"""Chart specs built once per shape: each spec is the one Altair builds from the chart's own data."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import altair as alt
import pytest

from reportgen import cache, charts
from reportgen.analyse import analyse
from reportgen.charts import SPECS, release_charts, shapes, svg
from reportgen.charts.models import ChartModel
from reportgen.project import Project
from reportgen.samples import SampleSource
from reportgen.trends import trends_page


@pytest.fixture(scope="module")
def models(example_repo: Path) -> list[ChartModel]:
    """Every chart model of the example: each release's charts and the trends page's (specs built, not drawn)."""
    found: list[ChartModel] = []
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(svg, "to_svg", lambda spec: "<svg></svg>")
        patch.setattr(
            charts, "SPECS", {k: (lambda m, spec=spec: found.append(m) or spec(m)) for k, spec in SPECS.items()}
        )
        project = Project(example_repo)
        results = analyse(project)
        samples = SampleSource(project.release_dir)  # distributions are drawn from raw samples
        for result in results:
            release_charts(result, samples)
        trends_page(results, samples)
    return found


def _direct(builder: shapes.Builder, shape: Any, datasets: list[Any]) -> dict[str, Any]:
    """The spec as Altair builds it with the data itself in the chart, as reportgen did before shapes."""
    return builder(shape, tuple(alt.InlineData(values=list(rows)) for rows in datasets))


def test_every_chart_of_the_example_gets_the_spec_altair_builds_from_its_data(
    models: list[ChartModel], monkeypatch: pytest.MonkeyPatch
) -> None:
    """For each chart (every kind), the spec from its shape's template equals Altair's build from the data."""
    calls: list[tuple[Any, Any, list[Any]]] = []
    spec = shapes.spec
    monkeypatch.setattr(shapes, "spec", lambda b, s, d: calls.append((b, s, list(d))) or spec(b, s, d))
    assert {m.kind for m in models} >= {
        "glance",
        "percentiles",
        "over_time",
        "distribution",
        "failures",
        "checks",
        "trend",
    }
    for model in models:
        calls.clear()
        built = SPECS[model.kind](model)
        (builder, shape, datasets), *_ = calls
        assert json.dumps(built, sort_keys=True) == json.dumps(_direct(builder, shape, datasets), sort_keys=True)


def test_a_shape_is_built_once_and_charts_of_it_keep_their_own_data() -> None:
    """Two charts of one shape: the builder runs once, each spec holds its own rows, and neither changes the other."""
    built: list[Any] = []

    def builder(shape: str, data: tuple[Any, ...]) -> dict[str, Any]:
        built.append(shape)
        chart = alt.Chart(data[0]).mark_point().encode(x="a:Q").properties(title=shape)
        return chart.to_dict()

    first = shapes.spec(builder, "one shape", [[{"a": 1}]])
    second = shapes.spec(builder, "one shape", [[{"a": 2}, {"a": 3}]])
    assert built == ["one shape"]
    assert list(first["datasets"].values()) == [[{"a": 1}]]
    assert list(second["datasets"].values()) == [[{"a": 2}, {"a": 3}]]
    assert first["data"] != second["data"] and first["title"] == second["title"] == "one shape"


def test_equal_datasets_share_a_name_as_altair_names_them() -> None:
    """Two equal datasets of one chart become one dataset, as they do when Altair is given the data."""

    def builder(shape: None, data: tuple[Any, ...]) -> dict[str, Any]:
        return alt.layer(alt.Chart(data[0]).mark_point(), alt.Chart(data[1]).mark_rule()).to_dict()

    rows = [{"x": 1.0}]
    assert shapes.spec(builder, None, [rows, list(rows)]) == _direct(builder, None, [rows, list(rows)])


def test_names_in_a_shape_share_one_build_and_each_chart_gets_its_own() -> None:
    """Two charts whose shapes differ only in the Names along their axis: the builder runs once, and each spec is
    the one Altair builds with that chart's own names (the stand-ins never show)."""
    built: list[Any] = []

    def builder(shape: tuple[shapes.Names, str], data: tuple[Any, ...]) -> dict[str, Any]:
        built.append(shape)
        x = alt.X("release:O", sort=list(shape[0]), title=shape[1])
        return alt.Chart(data[0]).mark_point().encode(x=x, y="value:Q").to_dict()

    cases = []
    for names in (("v1.0.0", "v1.1.0"), ("v2.0.0", "reportgen-name-0000")):  # a name that looks like a stand-in
        rows = [{"release": name, "value": at} for at, name in enumerate(names)]
        shape = (shapes.Names(names), "ms")
        cases.append((shapes.spec(builder, shape, [rows]), shape, rows))
    assert len(built) == 1
    for spec, shape, rows in cases:
        assert spec == _direct(builder, shape, [rows])
    assert cases[0][0] != cases[1][0]


def test_a_later_process_takes_a_shapes_spec_from_the_cache(tmp_path: Path) -> None:
    """A shape built by one build is not built again by the next one using the same cache (a new process: nothing
    held in memory), and the kept spec, filled with other data, is the one a build gives."""
    built: list[Any] = []

    def builder(shape: Any, data: tuple[Any, ...]) -> dict[str, Any]:
        built.append(shape)
        return alt.Chart(data[0]).mark_point().encode(x="x:Q").properties(title=shape[0]).to_dict(validate=False)

    shape = ("kept", shapes.Names(("v1.0.0", "v1.1.0")))
    with cache.charts_in(tmp_path / "charts"):
        first = shapes.spec(builder, shape, [[{"x": 1.5}]])
        shapes._template.cache_clear()
        kept = shapes.spec(builder, shape, [[{"x": 2.5}]])
    shapes._template.cache_clear()
    assert len(built) == 1
    assert kept == _direct(builder, shape, [[{"x": 2.5}]]) != first
    assert len(list((tmp_path / "chart_shapes").rglob("*"))) == 2  # one entry in its folder


def test_a_shape_is_named_exactly_or_not_kept() -> None:
    """Shapes differing only in a tuple's kind have different keys; a shape holding anything but tuples, strings,
    numbers, booleans and None has none (it is built in the process only)."""
    assert shapes._written(("a", ("b",))) != shapes._written(("a", shapes.Names(("b",))))
    assert shapes._written(("a", 1)) != shapes._written(("a", True)) != shapes._written(("a", "1"))
    assert shapes._written(("a", frozenset({"b"}))) is None


def test_a_chart_models_key_text_is_that_of_its_dataclass_as_a_dict(models: list[ChartModel]) -> None:
    """For every chart model of the example, svg.model_text (the chart cache's key) is the JSON text of
    ``dataclasses.asdict``, so kept charts stay found; a value JSON cannot write is its text."""
    import dataclasses
    import datetime as dt

    for model in models:
        assert svg.model_text(model) == json.dumps(dataclasses.asdict(model), sort_keys=True, default=str)
    dated = ChartModel(**{**models[0].__dict__, "rows": [{"day": dt.date(2026, 12, 3)}]})
    assert '"rows": [{"day": "2026-12-03"}]' in svg.model_text(dated)
