"""Mojibake is found with ftfy (plus Mac Roman symbols), with its position and the repaired text; clean text is left alone."""

from __future__ import annotations

from pathlib import Path

import pytest

from reportgen.cli import main
from reportgen.mojibake import find_mojibake, repair
from tests.support.project import BASE_MANIFEST, make_project

EXAMPLES = Path(__file__).resolve().parent / "fixtures" / "legacy-reports"
GOOD = BASE_MANIFEST.format(release="v1.0.0", date="2026-10-01")

DAMAGED = [
    # (text, column, damaged, repaired, code page)
    ("Status: âœ… PASS", 9, "âœ…", "✅", "Windows-1252"),
    ("ðŸ”„ Retry logic", 1, "ðŸ”„", "🔄", "Windows-1252"),
    ("p50 of 45 Âµs", 11, "Âµ", "µ", "Latin-1"),
    ("Decision: ‚úÖ approved", 11, "‚úÖ", "✅", "Mac Roman"),
    ("ingest ‚Üí store", 8, "‚Üí", "→", "Mac Roman"),
    ("cafÃ© checkout", 4, "Ã©", "é", "Latin-1"),
    ("100 Â°C and 2 Âµs", 5, "Â°", "°", "Latin-1"),
    ("100 Â°C and ±2 Âµs", 5, "Â°", "°", "Windows-1252"),  # ftfy repairs stretches inside good text
]

CLEAN = [
    "p95 ≤ 200 ms ✅ — within target",
    "“École” naïve café résumé",
    "Ünïcödé ±2 µs × 3 → done ⏳ ❌ ⚠️ ⭐",
    "Привет, 世界",
    "plain ASCII text with [ACTUAL] and 45 ms",
]


@pytest.mark.parametrize(("text", "column", "damaged", "repaired", "encoding"), DAMAGED, ids=[d[2] for d in DAMAGED])
def test_damage_is_found_with_position_and_repair(
    text: str, column: int, damaged: str, repaired: str, encoding: str
) -> None:
    """Each kind of damage is reported at its column with the text that was meant and the code page that broke it."""
    found = find_mojibake(text, first_line=7)[0]
    assert (found.line, found.column, found.damaged, found.repaired, found.encoding) == (
        7,
        column,
        damaged,
        repaired,
        encoding,
    )
    assert repaired in repair(text)
    assert find_mojibake(repair(text)) == []


@pytest.mark.parametrize("text", CLEAN)
def test_clean_text_has_no_findings(text: str) -> None:
    """Accented words, symbols, emoji and other scripts are not mojibake."""
    assert find_mojibake(text) == []


def test_the_real_hand_written_reports_are_clean() -> None:
    """The three example reports (real text with ✅, ❌, →, ≤, ⏳, ⭐) give no false alarm."""
    reports = sorted(EXAMPLES.glob("*.txt"))
    assert len(reports) == 3
    for report in reports:
        assert find_mojibake(report.read_text(encoding="utf-8")) == [], report.name


def test_repair_keeps_every_other_byte() -> None:
    """repair changes only the damaged stretches: line ends and the rest of each line stay as they were."""
    text = "one âœ… two\r\nthree ‚úÖ four\nfive"
    assert repair(text) == "one ✅ two\r\nthree ✅ four\nfive"


@pytest.mark.parametrize(
    ("damage", "expected"),
    [
        ("title: Demo ðŸ”„ v1", ":2:13: 'ðŸ”„' is mojibake (UTF-8 read as Windows-1252); did you mean '🔄'?"),
        ("title: Demo ‚úÖ v1", ":2:13: '‚úÖ' is mojibake (UTF-8 read as Mac Roman); did you mean '✅'?"),
    ],
)
def test_a_manifest_with_mojibake_is_refused_at_the_place(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], damage: str, expected: str
) -> None:
    """Mojibake in release.yaml is an input error (exit 2) naming file, line, column and the repaired text."""
    root = make_project(tmp_path, {"v1.0.0": GOOD.replace("title: Demo v1.0.0", damage)})
    assert main(["-C", str(root), "check"]) == 2
    assert expected in capsys.readouterr().err
