"""A release page that reads well: provenance said once per artifact table, one spelling per unit, each tool
verdict listed once, and a line instead of an empty chart."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from reportgen import units
from reportgen.adapters import extract
from reportgen.analyse import analyse
from reportgen.artifact_tables import tool_verdict_rows
from reportgen.build import generate
from reportgen.charts import release_charts
from reportgen.figures import from_measurement
from reportgen.project import Project
from reportgen.render import environment
from reportgen.samples import SampleSource
from reportgen.schemas.measurement import Extraction, Measurement
from reportgen.schemas.page import Figure
from reportgen.schemas.report import Artifact
from tests.support.project import stream_project
from tests.test_site import TWO_RELEASES, make_project

K6_RUN = Path(__file__).resolve().parent / "fixtures/real/k6/v1.1.0-groups-thresholds"
_NO_EXTRACTION = Extraction(adapter="locust-stats-csv", adapter_version="1", measurements=[])


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The Markdown of the test site's v1.1.0 release page (k6 summary export only)."""
    project = Project(make_project(tmp_path_factory.mktemp("readable"), TWO_RELEASES))
    files, _ = generate(project, sorted(analyse(project), key=lambda r: r.manifest.date, reverse=True))
    produced = files["v1.1.0/index.md"]
    assert isinstance(produced, bytes)
    return produced.decode()


def _section(text: str, heading: str) -> str:
    start = text.index(heading)
    end = text.find("\n#", start + len(heading))
    return text[start : end if end != -1 else None]


def test_an_artifact_table_says_measured_once_and_each_cell_links_to_evidence(page: str) -> None:
    """A per-artifact table names its provenance and file once above it; its cells link to evidence, unbadged."""
    table = _section(page, "### browse: k6/summary-export.json")
    assert "All figures measured, from `k6/summary-export.json`: each links to its evidence entry." in table
    cells = re.findall(r'\[[^\]]+\]\(evidence\.md#(t-[a-z0-9-]+) "measured: [^"]*"\)( <span)?', table)
    assert len(cells) > 10
    assert all(badge == "" for _, badge in cells)
    assert "rg-badge" not in table


def test_a_cell_of_another_provenance_keeps_its_badge() -> None:
    """In a table whose caption says "measured", a missing or projected cell still carries its own badge."""
    macros = environment(None).get_template("_macros.md.j2").module
    base = {"id": "t-x", "label": "x", "value": None, "unit": "ms", "hover": "h"}
    measured = Figure(**{**base, "text": "1 ms", "value": 1.0, "provenance": "measured"})
    missing = Figure(**{**base, "text": "—", "provenance": "missing"})
    projected = Figure(**{**base, "text": "2 ms", "value": 2.0, "provenance": "projected"})
    assert "rg-badge" not in str(macros.figure(measured, said="measured"))
    assert 'rg-badge--missing">missing' in str(macros.figure(missing, said="measured"))
    shown = str(macros.figure(projected, said="measured"))
    assert 'rg-badge--projected">projected' in shown and "[^t-x]" in shown
    assert 'rg-badge--measured">measured' in str(macros.figure(measured))


def test_figures_outside_artifact_tables_keep_their_badges(page: str) -> None:
    """Targets, metrics and comparisons are of mixed provenance: each figure there still carries its badge."""
    for heading in ("## Targets", "## Metrics", "## Comparison with v1.0.0"):
        section = _section(page, heading)
        links = re.findall(r'\]\(([./a-z0-9-]*evidence\.md#[a-z0-9-]+) "[^"]*"\)( <span class="rg-badge)?', section)
        assert links, heading
        assert all(badge for _, badge in links), heading


def test_two_summaries_of_one_run_list_each_tool_verdict_once() -> None:
    """k6's --summary-export and handleSummary JSON of one run carry the same 12 thresholds: 12 rows naming both."""
    artifacts = [
        Artifact(path=f"k6/{name}", scenario="browse", sha256="0" * 64, size=1, extraction=extract(K6_RUN / name))
        for name in ("summary-export.json", "handle-summary.json")
    ]
    rows = tool_verdict_rows(artifacts)
    assert len(rows) == 12
    assert all(r.artifacts == ["k6/summary-export.json", "k6/handle-summary.json"] for r in rows)
    crossed = [r for r in rows if not r.ok]
    assert [(r.subject, r.expression) for r in crossed] == [("http_req_duration{name:slow}", "p(95)<150")]
    other_run = artifacts[1].model_copy(update={"scenario": "login"})
    assert len(tool_verdict_rows([artifacts[0], other_run])) == 24  # another scenario's run is its own evidence


def test_a_rate_of_requests_is_spelled_req_s() -> None:
    """A tool's bare /s rate of requests, and a manifest's rps or requests/s, are all written req/s."""
    assert units.spelled("/s", "http_reqs") == units.spelled("/s", "requests") == "req/s"
    assert units.spelled("rps") == units.spelled("requests/s") == units.spelled("req/s") == "req/s"
    assert units.spelled("/s", "items_seen") == "/s"  # a custom counter: what it counts has no name here
    assert units.parse_quantity("50 rps") == (50.0, "req/s")
    artifact = Artifact(path="locust/run_stats.csv", scenario=None, sha256="0" * 64, size=1, extraction=_NO_EXTRACTION)
    rate = Measurement(metric="requests", stat="rate", value=1.64, unit="/s", selector="csv:row[1]/col[Requests/s]")
    figure = from_measurement(artifact, rate, "t-rate")
    assert (figure.text, figure.unit) == ("1.64 req/s", "req/s")


def test_a_metric_of_a_request_rate_reads_req_s_on_every_page(tmp_path: Path) -> None:
    """A metric read from k6's http_reqs rate with no unit of its own, and one declared in rps, show req/s."""
    metrics = (
        "  - id: rate_bare\n    measured: {artifact: k6/summary-export.json, metric: http_reqs, stat: rate}\n"
        "  - id: rate_rps\n    unit: rps\n    measured: {artifact: k6/summary-export.json, metric: http_reqs, stat: rate}\n"
    )
    project = Project(stream_project(tmp_path, metrics))
    (result,) = analyse(project)
    by_id = {m.id: m for m in result.metrics}
    assert by_id["rate_bare"].unit == by_id["rate_rps"].unit == "req/s"
    files, _ = generate(project, [result])
    text = b"\n".join(v for k, v in files.items() if isinstance(v, bytes) and k.endswith(".md")).decode()
    assert re.search(r"\d /s\b", text) is None
    assert " rps" not in text


def test_a_load_scenario_without_series_or_samples_says_which_file_would_give_charts(tmp_path: Path) -> None:
    """A k6 scenario with only a summary gets no empty chart: one line per chart naming the k6 stream."""
    project = Project(make_project(tmp_path))
    (result,) = analyse(project)
    _, groups = release_charts(result, SampleSource(project.release_dir))
    (group,) = groups
    assert {c.kind for c in group.charts} == {"percentiles", "checks"}  # what a summary export holds
    assert group.notes == [
        "No over-the-run chart: none of this scenario's files holds the data; a k6 stream "
        "(k6 run --out json=FILE or --out csv=FILE) would give one.",
        "No latency distribution: none of this scenario's files holds the data; a k6 stream "
        "(k6 run --out json=FILE or --out csv=FILE) would give one.",
    ]


def test_the_no_chart_line_reaches_the_page(page: str) -> None:
    """The release page prints each such line under its scenario's charts."""
    charts = _section(page, "### Browse the catalogue")
    assert "No over-the-run chart:" in charts and "a k6 stream (k6 run --out json=FILE" in charts


def test_a_scenario_with_a_stream_draws_its_charts_and_says_nothing_missing(tmp_path: Path) -> None:
    """With the k6 stream beside the summary, over-the-run and distribution charts are drawn and no line is added."""
    project = Project(stream_project(tmp_path, ""))
    (result,) = analyse(project)
    _, groups = release_charts(result, SampleSource(project.release_dir))
    (group,) = groups
    assert {"over_time", "distribution"} <= {c.kind for c in group.charts}
    assert group.notes == []


def test_extract_writes_a_rate_of_requests_as_req_s(capsys: pytest.CaptureFixture[str]) -> None:
    """`reportgen extract` lists k6's http_reqs rate in req/s, in its table and its JSON, as the pages do."""
    from reportgen.cli import main

    assert main(["extract", str(K6_RUN / "summary-export.json"), "--metric", "http_reqs"]) == 0
    assert re.search(r"http_reqs\s+rate\s+65\.84 req/s", capsys.readouterr().out)
    assert main(["extract", str(K6_RUN / "summary-export.json"), "--metric", "http_reqs", "--json"]) == 0
    rate = next(m for m in json.loads(capsys.readouterr().out) if m["stat"] == "rate" and not m["labels"])
    assert rate["unit"] == "req/s"
