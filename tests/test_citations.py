"""Narrative cites figures: {{ metric() }}, {{ verdict() }} and {{ delta() }} render value, badge and evidence link."""

from __future__ import annotations

from pathlib import Path

import pytest

from reportgen.analyse import analyse
from reportgen.build import build, generate
from reportgen.citations import find
from reportgen.cli import main
from reportgen.errors import CitationError
from reportgen.project import Project
from reportgen.prose import Origin
from tests.support.project import BASE_MANIFEST, make_project

V1 = BASE_MANIFEST.format(release="v1.0.0", date="2026-10-01")
V2 = (
    BASE_MANIFEST.format(release="v1.1.0", date="2026-11-01").replace(
        "status: final", "status: final\nbaseline: v1.0.0"
    )
    + """\
  - id: capacity
    comparator: ">="
    metric: capacity
    threshold: 100 req/s
summary: |
  Search p95 was {{ metric("p95_slow") }}, so the target is {{ verdict("p95_slow") }}
  (change {{ delta("p95_slow") }}); v1.0.0 had {{ metric("p95_slow", release="v1.0.0") }}.
sections:
  - title: Capacity
    body: "Capacity {{ metric('capacity') }} is {{ verdict('capacity') }}."
  - title: Findings
    file: findings.md
"""
).replace(
    "targets:",
    """  - id: capacity
    title: Peak capacity
    projected: {value: 120 req/s, method: linear extrapolation, basis: one node}
targets:""",
)
FINDINGS = """\
# Findings

Failed requests: {{ metric("error_rate") }}.

```text
{{ metric("not_a_metric") }} stays as written in a code block
```

And in a code span: `{{ metric("nor_this") }}`.
"""


def project(tmp_path: Path, v2: str = V2, findings: str = FINDINGS) -> Path:
    root = make_project(tmp_path, {"v1.0.0": V1, "v1.1.0": v2})
    (root / "results/v1.1.0/findings.md").write_text(findings, encoding="utf-8")
    return root


def release_markdown(root: Path, release: str = "v1.1.0") -> str:
    files, _ = generate(Project(root), analyse(Project(root)))
    content = files[f"{release}/index.md"]
    assert isinstance(content, bytes)
    return content.decode()


def test_metric_renders_value_badge_and_evidence_link(tmp_path: Path) -> None:
    """metric("id") becomes the figure macro: the value with its unit linking to its evidence entry, and its badge."""
    page = release_markdown(project(tmp_path))
    assert 'Search p95 was <a href="evidence.md#metric-p95-slow" title="measured: k6/summary-export.json' in page
    assert '<span class="rg-badge rg-badge--measured">measured</span>, so the target is' in page
    assert 'Failed requests: <a href="evidence.md#metric-error-rate"' in page


def test_verdict_and_delta_render_computed_values(tmp_path: Path) -> None:
    """verdict("id") is the target's computed verdict linked to its evidence; delta("id") the change to the baseline."""
    page = release_markdown(project(tmp_path))
    assert '<a href="evidence.md#metric-p95-slow"><span class="rg-verdict rg-verdict--pass">PASS</span></a>' in page
    assert '(change <a href="evidence.md#metric-p95-slow"' in page and ">0 ms (+0.0 %)</a>" in page
    assert "rg-badge--derived" in page


def test_a_projected_figure_stays_projected_and_unverified(tmp_path: Path) -> None:
    """A cited projection carries the projected badge and its footnote, and its verdict reads UNVERIFIED, never PASS."""
    page = release_markdown(project(tmp_path))
    capacity = next(line for line in page.splitlines() if line.startswith("<p>Capacity <a"))
    assert "rg-badge--projected" in capacity and 'class="footnote-ref" href="#fn:metric-capacity"' in capacity
    assert "UNVERIFIED" in capacity and "PASS" not in capacity


def test_other_releases_link_to_their_own_evidence(tmp_path: Path) -> None:
    """release="v1.0.0" cites that release's figure and links to its evidence page."""
    page = release_markdown(project(tmp_path))
    assert 'v1.0.0 had <a href="../v1.0.0/evidence.md#metric-p95-slow"' in page


def test_code_blocks_and_spans_are_left_as_written(tmp_path: Path) -> None:
    """A citation inside a fenced code block or a code span is shown literally, not rendered or checked."""
    page = release_markdown(project(tmp_path))
    assert '{{ metric("not_a_metric") }} stays as written in a code block' in page
    assert '<code>{{ metric("nor_this") }}</code>' in page


@pytest.mark.parametrize(
    ("change", "where", "message"),
    [
        (
            ('metric("p95_slow") }}, so', 'metric("p95_slwo") }}, so'),
            "release.yaml:32:18",
            "unknown metric 'p95_slwo' in release v1.1.0; closest: p95_slow",
        ),
        (
            ("verdict('capacity')", "verdict('capacty')"),
            "release.yaml:36:49",
            "unknown target 'capacty' in release v1.1.0; closest: capacity",
        ),
        (
            ('release="v1.0.0"', 'release="v1.0.1"'),
            "release.yaml:33:48",
            "unknown release 'v1.0.1'; closest: v1.0.0, v1.1.0",
        ),
        (('{{ verdict("p95_slow") }}', "{{ 7 * 6 }}"), "release.yaml:32:61", "'{{ 7 * 6 }}' is not a citation"),
        (
            ('{{ verdict("p95_slow") }}', '{{ metric("p95_slow").__class__ }}'),
            "release.yaml:32:61",
            "is not a citation",
        ),
        (('{{ verdict("p95_slow") }}', "{{ range(10) }}"), "release.yaml:32:61", "is not a citation"),
        (('{{ verdict("p95_slow") }}', '{{ metric("p95_slow") | upper }}'), "release.yaml:32:61", "is not a citation"),
    ],
    ids=["unknown-metric", "unknown-target", "unknown-release", "arithmetic", "attribute", "global", "filter"],
)
def test_bad_citations_are_errors_with_file_line_and_closest_ids(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], change: tuple[str, str], where: str, message: str
) -> None:
    """An unknown id, release or anything but a plain citation inside {{ }} exits 2 naming file:line:col."""
    v2 = V2.replace(*change)
    assert v2 != V2
    root = project(tmp_path, v2)
    assert main(["-C", str(root), "check"]) == 2
    err = capsys.readouterr().err
    assert f"{where}: " in err and message in err, err


def test_errors_in_a_section_file_name_that_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A citation error in a Markdown file beside release.yaml names that file, its line and column."""
    root = project(tmp_path, findings=FINDINGS.replace('metric("error_rate")', 'metric("eror_rate")'))
    assert main(["-C", str(root), "check"]) == 2
    assert (
        "findings.md:3:18: unknown metric 'eror_rate' in release v1.1.0; closest: error_rate" in capsys.readouterr().err
    )


def test_a_delta_needs_a_baseline(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """delta("id") in a release without a baseline is an error saying so."""
    v1 = V1 + "summary: \"{{ delta('p95_slow') }}\"\n"
    root = make_project(tmp_path, {"v1.0.0": v1})
    assert main(["-C", str(root), "check"]) == 2
    assert "release v1.0.0 has no baseline, so 'p95_slow' has no change to show" in capsys.readouterr().err


def test_hand_written_pages_cite_any_release(tmp_path: Path) -> None:
    """A page in site_docs/ cites a named release's figures with links into its evidence; the page file is unchanged."""
    root = project(tmp_path)
    page = root / "site_docs/notes/latency.md"
    page.parent.mkdir(parents=True)
    source = '# Latency\n\nSince v1.0.0: {{ delta("p95_slow", release="v1.1.0") }}; now {{ metric("p95_slow", release="v1.1.0") }}.\n'
    page.write_text(source, encoding="utf-8")
    build(Project(root))
    html = (root / "site/notes/latency/index.html").read_text()
    assert 'href="../../releases/v1.1.0/evidence/#metric-p95-slow"' in html
    assert "243.3 ms" in html and "rg-badge--measured" in html
    assert page.read_text(encoding="utf-8") == source


def test_a_hand_written_page_must_name_the_release(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """On a site_docs/ page a citation without release= is an error at its place, and nothing is built."""
    root = project(tmp_path)
    (root / "site_docs/about.md").write_text('# About\n\nNow {{ metric("p95_slow") }}.\n', encoding="utf-8")
    assert main(["-C", str(root), "build"]) == 2
    err = capsys.readouterr().err
    assert (
        "about.md:3:5: " in err
        and 'names no release; on a hand-written page write metric("p95_slow", release="…")' in err
    )
    assert not (root / "site").exists()


def test_find_reports_position_of_a_malformed_citation() -> None:
    """A {{ … }} that is not a citation is an error at its line and column, counted from the text's first line."""
    with pytest.raises(CitationError) as caught:
        find("one\ntwo {{ metric(name) }}\n", Origin("notes.md", line=10, column=7, indent=2))
    assert str(caught.value).startswith("notes.md:11:7: '{{ metric(name) }}' is not a citation")
