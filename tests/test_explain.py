"""reportgen explain: the chain behind a figure, from the raw excerpt to the verdict rule; the evidence page shows the excerpt."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

import pytest

from reportgen.cli import main

ROOT = Path(__file__).resolve().parent.parent


Explain = Callable[..., tuple[int, str]]


@pytest.fixture
def explain(example_repo: Path, capsys: pytest.CaptureFixture[str]) -> Explain:
    """`reportgen explain ARGS…` on the example: its exit code and what it printed."""

    def run(*args: str) -> tuple[int, str]:
        capsys.readouterr()
        code = main(["-C", str(example_repo), "explain", *args])
        captured = capsys.readouterr()
        return code, captured.out + captured.err

    return run


def test_a_target_explains_rule_guards_verdict_and_the_stream_query(explain: Explain) -> None:
    """A target on a k6 stream shows its rule, guard, verdict rule, artifact hash, adapter, query and sample count."""
    code, out = explain("v1.1.0", "checkout_p95")
    assert code == 0, out
    stream = (ROOT / "results/v1.1.0/k6/stream.ndjson.gz").read_bytes()
    assert "target checkout_p95 (must): Checkout answers quickly" in out
    assert "rule: checkout_p95 < 200 ms" in out
    assert "guard: at least 20 samples: held" in out
    assert "why: rule 4: the measured value meets the threshold → pass" in out
    assert f"sha256:   {hashlib.sha256(stream).hexdigest()}" in out
    assert "adapter:  k6-json-stream v2" in out
    assert "query:p95 of value where metric=http_req_duration and name=checkout" in out
    assert "samples)" in out and "in the file (a reduction over the stream):" in out


def test_a_derived_metric_explains_each_input_with_its_json_member(explain: Explain) -> None:
    """A derived metric shows its expression and each input's own chain, down to the JSON member holding it."""
    code, out = explain("v1.1.0", "total_throughput")
    assert code == 0, out
    assert "expression: browse_rps + checkout_rps (in req/s)" in out
    assert "  metric browse_rps: Browse throughput" in out and "  metric checkout_rps:" in out
    assert "in the file (member of /metrics/http_reqs{scenario:browse}" in out
    assert '"rate": ' in out


def test_a_csv_figure_shows_its_row(explain: Explain) -> None:
    """A figure from a CSV shows the header, the row holding it and the cell, with the line number."""
    code, out = explain("v1.1.0", "locust_search_p95")
    assert code == 0, out
    assert "in the file (line " in out and "column '95%'" in out
    assert "95% = " in out and "GET,search," in out


def test_a_unit_conversion_is_shown(explain: Explain) -> None:
    """A value read in seconds and shown in milliseconds says so, from the raw number to the shown one."""
    code, out = explain("v1.1.0", "pricing_time")
    assert code == 0, out
    assert '"median": ' in out
    assert "s → " in out and "(converted to ms)" in out


def test_a_projection_explains_its_projected_input_and_the_unverified_rule(explain: Explain) -> None:
    """A target on a value derived from a projection is unverified by rule 2, and its projected input shows method and basis."""
    code, out = explain("v1.1.0", "peak_capacity")
    assert code == 0, out
    assert "why: rule 2: the value is projected → unverified" in out
    assert "metric campaign_instances: Instances planned for the November campaign = 48" in out
    assert "projected, not measured. Method: capacity plan." in out


def test_an_unknown_figure_is_an_error_with_suggestions(explain: Explain) -> None:
    """An id that is no target, metric or figure exits 2 and suggests the closest ones."""
    code, out = explain("v1.1.0", "checkout_p59")
    assert code == 2
    assert "no target, metric or figure 'checkout_p59'" in out and "did you mean checkout_p95" in out


def test_the_evidence_page_shows_the_excerpt_under_each_figure() -> None:
    """The example's evidence page carries the raw excerpt of measured figures (reviewed as tests/golden/v1.1.0/evidence.md)."""
    golden = (ROOT / "tests/golden/v1.1.0/evidence.md").read_text()
    assert "| In the file |" in golden
    assert "<code>95% = " in golden  # a Locust CSV cell
    assert "<code>&#34;median&#34;: " in golden  # a hyperfine JSON member, escaped: artifact text is text
    assert "samples)</code>" in golden  # a k6 stream query with its sample count


def test_a_table_figure_of_the_evidence_page_is_explained_by_its_anchor(explain: Explain) -> None:
    """An evidence-page anchor of a table cell explains that measurement: artifact, selector and CSV row."""
    code, out = explain("v1.1.0", "t-locust-run-stats-csv-response-time-p95-get-product-875ffdf9")
    assert code == 0, out
    assert "figure t-locust-run-stats-csv-response-time-p95-get-product-875ffdf9: p95 of response_time" in out
    assert "selector: csv:row[Type=GET,Name=product]/col[95%]" in out
    assert "GET,product," in out
