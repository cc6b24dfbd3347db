"""The example in results/ (real k6, Locust, pytest and hyperfine runs of examples/demo_shop) tells its story,
and the Markdown of one release is kept as a reviewed golden file.

Regenerate the golden files after an intended change with ``REPORTGEN_UPDATE_GOLDEN=1 pytest tests/test_example.py``
and review the diff like code.
"""

from __future__ import annotations

import html
import os
import re
from pathlib import Path

import pytest

from reportgen.analyse import analyse
from reportgen.build import generate
from reportgen.compare import compare
from reportgen.project import Project
from reportgen.schemas.report import ReleaseResult

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "golden"
GOLDEN_RELEASE = "v1.1.0"


@pytest.fixture(scope="module")
def results(example_repo: Path) -> dict[str, ReleaseResult]:
    return {r.id: r for r in analyse(Project(example_repo))}


@pytest.fixture(scope="module")
def generated(example_repo: Path, results: dict[str, ReleaseResult]) -> dict[str, object]:
    """The example's generated pages (Markdown and chart files) by path, as `build` writes them."""
    files, _ = generate(Project(example_repo), sorted(results.values(), key=lambda r: r.manifest.date, reverse=True))
    return dict(files)


def verdicts(result: ReleaseResult) -> dict[str, str]:
    return {t.key: t.verdict for t in result.targets}


def test_release_verdicts(results: dict[str, ReleaseResult]) -> None:
    """v1.0.0 passes (with a waived should-target), v1.1.0 is unverified by a projection, v1.2.0 fails."""
    assert [results[r].verdict for r in ("v1.0.0", "v1.1.0", "v1.2.0")] == ["pass", "unverified", "fail"]


def test_one_target_is_only_projected(results: dict[str, ReleaseResult]) -> None:
    """The projected peak capacity of v1.1.0 is unverified although its value meets the threshold."""
    target = next(t for t in results["v1.1.0"].targets if t.key == "peak_capacity")
    assert (target.provenance, target.verdict) == ("projected", "unverified")
    assert target.value is not None and target.value >= target.threshold.value


def test_one_target_fails_and_one_guard_trips(results: dict[str, ReleaseResult]) -> None:
    """In v1.2.0 checkout p95 fails on measurement, and login p95 is invalid because its error-rate guard trips."""
    found = verdicts(results["v1.2.0"])
    assert found["checkout_p95"] == "fail"
    assert found["login_p95"] == "invalid"
    login = next(t for t in results["v1.2.0"].targets if t.key == "login_p95")
    assert login.value is not None and login.value < login.threshold.value  # fast, but measured over errors
    assert any(g.ok is False for g in login.guards)


def test_something_improves_and_something_regresses(results: dict[str, ReleaseResult]) -> None:
    """Against its baseline, search p95 improves in v1.1.0 and checkout p95 regresses in v1.2.0."""
    improved = {row.metric: row.direction for row in compare(results["v1.1.0"], results["v1.0.0"])}
    regressed = {row.metric: row.direction for row in compare(results["v1.2.0"], results["v1.1.0"])}
    assert improved["search_p95"] == "improved"
    assert regressed["checkout_p95"] == "regressed"


def test_locust_csv_lag_is_reported_with_the_file_each_metric_used(results: dict[str, ReleaseResult]) -> None:
    """When Locust's CSV lags its JSON, the release says so and which metric used which file."""
    # Acknowledged in the manifest, so quiet in check, but still said: on the page, under "Acknowledged warnings".
    warning = next(f.message for f in results["v1.1.0"].findings if "disagree" in f.message)
    assert "locust/run_stats.csv counts fewer" in warning and "locust/run.json has the later numbers" in warning
    assert "locust_search_p95 from locust/run_stats.csv" in warning


@pytest.mark.parametrize("page", ["index.md", "evidence.md"])
def test_golden_markdown(generated: dict[str, object], page: str) -> None:
    """The generated Markdown of one example release equals its reviewed golden copy byte for byte."""
    produced = generated[f"{GOLDEN_RELEASE}/{page}"]
    assert isinstance(produced, bytes)
    golden = GOLDEN / GOLDEN_RELEASE / page
    if os.environ.get("REPORTGEN_UPDATE_GOLDEN"):
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_bytes(produced)
    assert produced.decode() == golden.read_text(), f"{golden} differs: review, then regenerate (see module doc)"


def test_example_site_builds_strict(example_site: Path) -> None:
    """`make site` works: the example repository builds with MkDocs in strict mode (every link and anchor found)."""
    assert (example_site / "site" / "releases" / "v1.2.0" / "evidence" / "index.html").is_file()


#: The most HTML one release page may weigh with its charts (issue 15: "under 500 KB").
PAGE_LIMIT = 500_000


def test_release_pages_with_their_charts_stay_under_500_kb(example_site: Path) -> None:
    """Each example release page, charts inlined as SVG, is under 500 KB of HTML, and v1.2.0 carries its charts."""
    pages = sorted((example_site / "site" / "releases").glob("v*/index.html"))
    assert [p.parent.name for p in pages] == ["v1.0.0", "v1.1.0", "v1.2.0"]
    for page in pages:
        assert page.stat().st_size < PAGE_LIMIT, f"{page}: {page.stat().st_size:,} bytes"
    assert (example_site / "site/releases/v1.2.0/index.html").read_text().count('<figure class="rg-chart"') >= 6


def test_the_built_example_shows_every_chart_kind_and_the_significant_regression(example_site: Path) -> None:
    """The built v1.2.0 page draws each chart kind, and its comparison calls checkout p95 regressed with an
    interval that excludes zero (+202 ms, +186 to +215 ms: 60 → 34 samples)."""
    page = (example_site / "site/releases/v1.2.0/index.html").read_text()
    kinds = set(
        re.findall(
            r'<figure class="rg-chart" id="chart-(targets|percentiles|over-time|distribution|failures|checks)', page
        )
    )
    assert kinds == {"targets", "percentiles", "over-time", "distribution", "failures", "checks"}
    row = next(
        r for r in re.findall(r"<tr>.*?</tr>", page, flags=re.S) if "Checkout latency, p95" in r and "rg-change" in r
    )
    text = html.unescape(re.sub(r"<[^>]+>", " ", row))
    assert re.search(r"\+202 ms .*\+186 to \+215 ms .*60 → 34 .*regressed", " ".join(text.split())), text
    trends = (example_site / "site/releases/trends/index.html").read_text()
    metrics = re.findall(r'<a href="([a-z0-9-]+)/">', trends)
    assert len(metrics) >= 5
    for metric in metrics:
        chart = (example_site / "site/releases/trends" / metric / "index.html").read_text()
        assert chart.count('<figure class="rg-chart"') == 1, metric
