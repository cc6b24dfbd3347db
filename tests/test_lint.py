"""Narrative lint: real sentences from hand-written reports are flagged with position and fix; clean text is not."""

from __future__ import annotations

from pathlib import Path

import pytest

from reportgen.analyse import analyse
from reportgen.cli import main
from reportgen.lint import Finding, file_findings, lint_release, narrative_findings
from reportgen.project import Project
from reportgen.prose import Origin
from reportgen.schemas.report import Narrative, ReleaseResult
from tests.support.project import BASE_MANIFEST, make_project

LEGACY = Path(__file__).resolve().parent / "fixtures" / "legacy-reports"

#: The k6 fixture (p95 of /slow 243.3 ms, passing; failed requests 4.65 %, failing a 1 % target) plus the
#: figures the example reports state, recorded as projections (as `reportgen import` records them).
MANIFEST = BASE_MANIFEST.format(release="v1.0.0", date="2026-10-01").replace(
    "targets:",
    """  - id: stated_error_rate
    title: Error rate stated in the report
    projected: {value: 88.54 %, method: stated in the legacy report, basis: summary table}
  - id: throughput
    title: Telemetry throughput
    projected: {value: 72000 events/s, method: stated in the legacy report, basis: architecture review}
  - id: request_rate
    title: Request rate
    projected: {value: 88.83 req/s, method: stated in the legacy report, basis: summary table}
targets:
  - {metric: throughput, comparator: ">=", threshold: 72000 events/s}
  - {metric: error_rate, comparator: "<", threshold: 1 %}""",
)


@pytest.fixture(scope="module")
def release(tmp_path_factory: pytest.TempPathFactory) -> ReleaseResult:
    root = make_project(tmp_path_factory.mktemp("lint"), {"v1.0.0": MANIFEST})
    return analyse(Project(root))[0]


def findings(release: ReleaseResult, text: str) -> list[tuple[str, str, int]]:
    narrative = Narrative(title="Notes", body=text, source="notes.md", line=1)
    found: list[Finding] = narrative_findings(narrative, release) + file_findings(text, Origin("notes.md"), final=True)
    return sorted((f.rule, f.severity, f.position.column or 0) for f in found)


# Sentences copied from the example reports (tests/fixtures/legacy-reports/), then clean text.
CASES = [
    (
        "| **Telemetry Throughput** | 72,000 events/sec | ✅ **PASS** (Architecture validated) |",
        [("typed-number", "warning", 30), ("verdict-word", "error", 50)],
    ),
    ("| **Error Rate** | 88.54% | ⚠️ High error rate due to authentication |", [("typed-number", "warning", 20)]),
    (
        "3. **Event Throughput**: 88+ RPS > 100 events/sec (when accounting for combined ingestion)",
        [("typed-number", "warning", 26)],
    ),
    (
        "| **Request Rate** | 88.83 RPS average, 103.8 RPS peak | ✅ Exceeded 25 RPS baseline |",
        [("typed-number", "warning", 22), ("verdict-word", "error", 58)],
    ),
    ("| P95 Latency | ≤ 300ms | [ACTUAL]ms | [✅/❌] |", [("placeholder", "error", 27), ("placeholder", "error", 40)]),
    ("- **Overall Status:** [PASSED/FAILED]", [("placeholder", "error", 23)]),
    ("**Generated:** [TIMESTAMP]  ", [("placeholder", "error", 16)]),
    ('Capacity {{ metric("throughput") }} is ✅ validated.', [("verdict-word", "error", 40)]),
    ('Errors {{ metric("error_rate") }}: the error budget is met.', [("verdict-word", "error", 56)]),
    ("The p95 of 243.3 ms meets the 300 ms target ✅", [("typed-number", "warning", 12)]),
    # Clean text: citations, code, versions, numbers that restate no figure of the release.
    ('Search p95 was {{ metric("p95_slow") }}, so the target is {{ verdict("p95_slow") }} ✅.', []),
    ("```text\np95 was 243.3 ms ✅ PASS, error rate 88.54%\n```", []),
    ("Inline `88.54%` and `[ACTUAL]` are code.", []),
    ("Tested with k6 v1.1.0 and Python 3.11.7 on 2 cores, 50 concurrent users for 3 minutes.", []),
    ("Target: p95 below 200 ms and error rate below 1 %.", []),
    ("| **Error Rate** | 88.54% | see notes | <!-- reportgen: allow typed-number -->", []),
    ("All requests pass through the gateway.", []),
]


@pytest.mark.parametrize(("text", "expected"), CASES, ids=[str(i) for i in range(len(CASES))])
def test_rules_on_real_and_clean_sentences(
    release: ReleaseResult, text: str, expected: list[tuple[str, str, int]]
) -> None:
    """Each rule fires at its column on the sentences that break it, and on no clean sentence."""
    assert findings(release, text) == expected


def test_a_finding_says_where_what_how_to_fix_and_how_to_silence(release: ReleaseResult) -> None:
    """A finding names file:line:col, the figure that could be cited, the fix and the silencing comment."""
    text = "Intro.\n\n| **Error Rate** | 88.54% | high |\n"
    [finding] = narrative_findings(
        Narrative(title=None, body=text, source="release.yaml", line=30, column=3, indent=2), release
    )
    assert str(finding) == (
        "warning: release.yaml:32:22: [typed-number] '88.54%' is typed by hand, and metric 'stated_error_rate' of "
        'this release says 88.54 %. Fix: cite it: {{ metric("stated_error_rate") }}. '
        "(To silence this line: <!-- reportgen: allow typed-number -->)"
    )


def test_placeholders_are_errors_in_final_and_warnings_in_draft() -> None:
    """A leftover placeholder is an error in a final release and a warning in a draft."""
    assert [f.severity for f in file_findings("p95: [ACTUAL] ms, TBD", Origin("x.md"), final=True)] == [
        "error",
        "error",
    ]
    assert [f.severity for f in file_findings("p95: [ACTUAL] ms, TBD", Origin("x.md"), final=False)] == [
        "warning",
        "warning",
    ]


def test_mojibake_in_a_section_file_is_found(tmp_path: Path) -> None:
    """Mojibake in a narrative Markdown file is a finding at its line and column with the repaired text."""
    [finding] = file_findings("# Notes\n\nStatus: âœ… done\n", Origin("notes.md"), final=True)
    assert (finding.rule, finding.position.line, finding.position.column) == ("mojibake", 3, 9)
    assert "write '✅'" in finding.fix


def test_the_example_reports_raise_every_rule() -> None:
    """Linted as they are, the three real reports give placeholder findings (004) and no mojibake false alarm."""
    texts = {p.name[:3]: p.read_text(encoding="utf-8") for p in sorted(LEGACY.glob("*.txt"))}
    placeholders = [f for f in file_findings(texts["004"], Origin("004.md"), final=True) if f.rule == "placeholder"]
    assert len(placeholders) >= 20
    assert all(f.rule != "mojibake" for text in texts.values() for f in file_findings(text, Origin("x"), final=True))


def test_check_prints_findings_and_fails_on_lint_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`reportgen check` prints each finding with its position; an error-level finding makes it exit 1."""
    passing = BASE_MANIFEST.format(release="v1.0.0", date="2026-10-01")
    clean = passing + "summary: \"p95 {{ metric('p95_slow') }}: {{ verdict('p95_slow') }}\"\n"
    root = make_project(tmp_path / "clean", {"v1.0.0": clean})
    assert main(["-C", str(root), "check"]) == 0
    assert "[typed-number]" not in capsys.readouterr().err
    bad = passing.replace("status: final", "status: final\nsummary: |\n  p95 243.3 ms.\n  Capacity 120 req/s, PASS.")
    bad = bad.replace(
        "targets:",
        "  - id: capacity\n    title: Capacity\n    projected: {value: 120 req/s, method: m, basis: b}\ntargets:\n"
        "  - {metric: capacity, comparator: '>=', threshold: 100 req/s, severity: should}",
    )
    root = make_project(tmp_path / "bad", {"v1.0.0": bad})
    assert main(["-C", str(root), "check"]) == 1
    err = capsys.readouterr().err
    assert "release.yaml:6:7: [typed-number] '243.3 ms' is typed by hand" in err
    assert "release.yaml:7:23: [verdict-word] 'PASS' next to '120 req/s', which is projected" in err
    assert "not passing: v1.0.0: narrative: 1 lint error" in err


def test_lint_release_reads_the_manifest_and_section_files(tmp_path: Path) -> None:
    """A draft's placeholders in release.yaml are warnings, with the manifest's own line and column."""
    draft = BASE_MANIFEST.format(release="v1.0.0", date="2026-10-01").replace("status: final", "status: draft")
    root = make_project(tmp_path, {"v1.0.0": draft.replace("title: Demo v1.0.0", "title: Demo [VERSION]")})
    result = analyse(Project(root))[0]
    [finding] = lint_release(result, root / "results/v1.0.0/release.yaml")
    assert (finding.rule, finding.severity, finding.position.line, finding.position.column) == (
        "placeholder",
        "warning",
        2,
        13,
    )


def test_mojibake_shown_as_code_in_markdown_is_an_example() -> None:
    """In a Markdown file, damaged text inside a code span or block is an example, not a finding."""
    assert file_findings("Damage such as `âœ…` looks like this.\n", Origin("guide.md"), final=True) == []
    assert [f.rule for f in file_findings("title: `âœ…`\n", Origin("release.yaml"), True, code_too=True)] == [
        "mojibake"
    ]
