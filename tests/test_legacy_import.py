"""reportgen import: a hand-written report becomes a draft release in which nothing passes until measured."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from pathlib import Path

import pytest

from reportgen.analyse import analyse
from reportgen.build import generate
from reportgen.cli import main
from reportgen.errors import ProjectError
from reportgen.legacy_import import METHOD, import_legacy
from reportgen.project import Project
from reportgen.scaffold import init

ROOT = Path(__file__).resolve().parent
LEGACY = ROOT / "fixtures" / "legacy-reports"
GOLDEN = ROOT / "golden" / "import"
EXAMPLES = sorted(LEGACY.glob("*.txt"))
TODAY = dt.date(2026, 12, 1)


def imported(tmp_path: Path, report: Path) -> tuple[Path, str]:
    root = tmp_path / "repo"
    init(root)
    release = f"legacy-{report.name[:3]}"
    import_legacy(Project(root), report, release, TODAY)
    return root, release


@pytest.mark.parametrize("report", EXAMPLES, ids=lambda p: p.name[:3])
def test_release_yaml_matches_its_reviewed_golden_file(tmp_path: Path, report: Path) -> None:
    """The release.yaml written for each example equals tests/golden/import/<n>.yaml (regenerate, then review)."""
    root, release = imported(tmp_path, report)
    text = (root / "results" / release / "release.yaml").read_text(encoding="utf-8")
    golden = GOLDEN / f"{report.name[:3]}.yaml"
    if os.environ.get("REPORTGEN_UPDATE_GOLDEN"):
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8"), f"{golden} differs: review the change, then regenerate"


@pytest.mark.parametrize("report", EXAMPLES, ids=lambda p: p.name[:3])
def test_an_imported_release_never_passes(tmp_path: Path, report: Path) -> None:
    """Every imported figure is projected or missing, every target unverified or missing: the verdict is not PASS."""
    root, _ = imported(tmp_path, report)
    [result] = analyse(Project(root))
    assert result.verdict != "pass"
    assert result.metrics and {m.provenance for m in result.metrics} <= {"projected", "missing"}
    assert {t.verdict for t in result.targets} <= {"unverified", "missing"}
    projected = [m for m in result.metrics if m.provenance == "projected"]
    assert all(m.projection is not None and m.projection.method == METHOD for m in projected)
    assert all("§ " in m.projection.basis for m in projected if m.projection)


@pytest.mark.parametrize("report", EXAMPLES, ids=lambda p: p.name[:3])
def test_the_page_shows_why_figure_by_figure(tmp_path: Path, report: Path) -> None:
    """The release page badges each imported figure projected (or missing), with its basis in the footnotes."""
    root, release = imported(tmp_path, report)
    files, _ = generate(Project(root), analyse(Project(root)))
    page = files[f"{release}/index.md"]
    assert isinstance(page, bytes)
    text = page.decode()
    assert "PASS</span>" not in text
    assert text.count("rg-badge--projected") >= 10
    assert (
        "Projected, not measured. Method: stated in the legacy report. Basis: stated in the legacy report: § " in text
    )


def test_the_legacy_report_is_kept_as_a_hashed_attachment(tmp_path: Path) -> None:
    """The report is copied byte for byte, listed under attachments:, and its SHA-256 is in the summary."""
    report = EXAMPLES[0]
    root, release = imported(tmp_path, report)
    copy = root / "results" / release / "legacy" / report.name
    assert copy.read_bytes() == report.read_bytes()
    text = (root / "results" / release / "release.yaml").read_text()
    assert f"path: legacy/{report.name}" in text
    assert hashlib.sha256(report.read_bytes()).hexdigest() in text
    [result] = analyse(Project(root))
    assert [a.path for a in result.attachments] == [f"legacy/{report.name}"]


def test_targets_are_read_from_tables(tmp_path: Path) -> None:
    """`< 200ms` in a Goal or Target column is a target on that row's figure of the same kind, or on a missing one."""
    root, _ = imported(tmp_path, LEGACY / "004_270d009b1da3e1c6.txt")
    [result] = analyse(Project(root))
    targets = {t.key: (t.target.comparator, str(t.threshold), t.verdict) for t in result.targets}
    assert targets["p95_latency"] == ("<=", "300 ms", "missing")
    assert targets["error_rate"] == ("<=", "5 %", "missing")


def test_mojibake_is_repaired_in_the_prose_and_noted(tmp_path: Path) -> None:
    """Damaged text is repaired in the imported narrative and listed; the attached original stays as it was."""
    damaged = tmp_path / "damaged.md"
    damaged.write_text(EXAMPLES[0].read_text(encoding="utf-8").replace("✅", "\u00e2\u0153\u2026"), encoding="utf-8")
    root, release = imported(tmp_path, damaged)
    folder = root / "results" / release
    narrative = "".join(p.read_text() for p in sorted((folder / "narrative").glob("*.md")))
    assert "\u00e2\u0153\u2026" not in narrative.split("Mojibake repaired")[0] and "✅" in narrative
    notes = next((folder / "narrative").glob("*-not-imported.md")).read_text()
    assert "'âœ…' repaired to '✅' (Windows-1252)" in notes
    assert (folder / "legacy" / "damaged.md").read_bytes() == damaged.read_bytes()


def test_an_existing_release_is_never_overwritten(tmp_path: Path) -> None:
    """Importing into a release folder that exists is refused, and the folder is untouched."""
    root, release = imported(tmp_path, EXAMPLES[1])
    before = (root / "results" / release / "release.yaml").read_bytes()
    with pytest.raises(ProjectError, match="already exists"):
        import_legacy(Project(root), EXAMPLES[0], release, TODAY)
    assert (root / "results" / release / "release.yaml").read_bytes() == before


def test_the_command_imports_and_check_says_not_pass(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`reportgen import` writes the release and lists what it could not map; `check` then exits 1."""
    root = tmp_path / "repo"
    init(root)
    report = str(LEGACY / "004_270d009b1da3e1c6.txt")
    assert main(["-C", str(root), "import", report, "--release", "v0.1.0"]) == 0
    out = capsys.readouterr().out
    assert "projected metrics" in out and "not mapped" in out and "[ACTUAL]" in out
    assert main(["-C", str(root), "check", "v0.1.0"]) == 1
