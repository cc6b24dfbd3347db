"""Every chart spec the example site draws is valid Vega-Lite: the specs are built without Altair's validation
(reportgen.charts.specs._config, for speed), so this is where a spec that breaks the schema is caught."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from altair.vegalite.v6.schema.core import TopLevelSpec

from reportgen import charts
from reportgen.analyse import analyse
from reportgen.charts import svg
from reportgen.project import Project
from reportgen.samples import SampleSource
from reportgen.trends import trend_charts


@pytest.fixture(scope="module")
def example_specs(example_repo: Path) -> dict[str, list[dict[str, Any]]]:
    """Each chart kind → the specs of the example's release charts and metric trends, built, not read from a cache."""
    made: dict[str, list[dict[str, Any]]] = {}

    def build(model: Any, spec: Any) -> str:
        made.setdefault(model.kind, []).append(spec())
        return "<svg></svg>"

    results = analyse(Project(example_repo))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(svg, "model_svg", build)
        for result in results:
            charts.release_charts(result, SampleSource(Project(example_repo).release_dir))
    for model in trend_charts(results, {}):  # the trends pages' charts, as the build makes their models
        build(model, lambda model=model: charts.spec_of(model))
    return made


def test_the_example_draws_every_chart_kind_the_schema_is_checked_on(
    example_specs: dict[str, list[dict[str, Any]]],
) -> None:
    """The example builds specs of every kind reportgen draws, so the validity test below covers them all."""
    assert set(example_specs) == set(charts.SPECS)


def test_every_chart_spec_of_the_example_is_valid_vega_lite(example_specs: dict[str, list[dict[str, Any]]]) -> None:
    """Each spec validates against Altair's Vega-Lite schema (the schema vl-convert draws)."""
    for kind, specs in example_specs.items():
        for spec in specs:
            TopLevelSpec.validate(spec)  # raises jsonschema's ValidationError naming the path in the spec
        assert specs, kind


def test_the_schema_check_refuses_a_broken_spec(example_specs: dict[str, list[dict[str, Any]]]) -> None:
    """The check above can fail: a glance spec with an unknown mark type is refused."""
    import jsonschema

    broken = {**example_specs["glance"][0], "mark": "no-such-mark"}
    with pytest.raises(jsonschema.ValidationError):
        TopLevelSpec.validate(broken)
