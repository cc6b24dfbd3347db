"""`check --summary` (Markdown for a CI job page) and `check --junit` (JUnit XML any CI lists)."""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET
from pathlib import Path

import markdown
import pytest
import xmlschema

from reportgen.cli import main
from tests.support.project import BASE_MANIFEST, make_project
from tests.test_site import TWO_RELEASES

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests/golden/ci/summary.md"
JUNIT_XSD = ROOT / "tests/fixtures/junit-schema/junit-10.xsd"


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, bytes]:
    """Both reports of `check --latest` on the two-release repository, with a Pages address set."""
    tmp = tmp_path_factory.mktemp("ci")
    root = make_project(tmp, TWO_RELEASES)
    saved = os.environ.get("SITE_URL")
    os.environ["SITE_URL"] = "https://example.github.io/reports/"
    try:
        code = main(
            ["-C", str(root), "check", "--latest", "--summary", str(tmp / "s.md"), "--junit", str(tmp / "j.xml")]
        )
    finally:
        if saved is None:
            os.environ.pop("SITE_URL")
        else:
            os.environ["SITE_URL"] = saved
    assert code == 1  # v1.1.0 fails: the reports are written all the same
    return root, (tmp / "s.md").read_text(encoding="utf-8"), (tmp / "j.xml").read_bytes()


def test_summary_matches_its_golden_file(reports: tuple[Path, str, bytes]) -> None:
    """The summary of v1.1.0 (verdict, values with badges, thresholds, deltas vs v1.0.0, link) is the reviewed copy."""
    _, summary, _ = reports
    if os.environ.get("REPORTGEN_UPDATE_GOLDEN"):
        GOLDEN.parent.mkdir(parents=True, exist_ok=True)
        GOLDEN.write_text(summary, encoding="utf-8")
    assert summary == GOLDEN.read_text(encoding="utf-8"), f"{GOLDEN} differs: review, then regenerate"


def test_summary_links_to_the_release_in_its_own_version(reports: tuple[Path, str, bytes]) -> None:
    """With site_url set and mike versioning, the link is the release page inside that release's version."""
    _, summary, _ = reports
    assert "(https://example.github.io/reports/v1.1.0/releases/v1.1.0/)" in summary
    assert "**❌ FAIL**" in summary and "vs v1.0.0" in summary


def test_summary_says_what_the_noise_test_found(example_repo: Path, tmp_path: Path) -> None:
    """Rows with raw samples on both sides carry the noise test's word and interval; summary-only rows say they
    were not tested for noise, and no row carries a bare direction word."""
    out = tmp_path / "s.md"
    assert main(["-C", str(example_repo), "check", "v1.2.0", "--summary", str(out)]) == 1
    rows = {
        line.split("(`")[1].split("`)")[0]: line
        for line in out.read_text(encoding="utf-8").splitlines()
        if "(`" in line
    }
    assert rows["checkout_p95"].endswith("· **regressed** (95 % interval +186 to +215 ms) |")
    assert "· **no significant change** (95 % interval" in rows["search_p95"]
    assert rows["total_throughput"].endswith("· not tested for noise |")
    for line in rows.values():
        change = line.rstrip(" |").rsplit(" | ", 1)[1]
        assert "·" in change, line  # a change always says what the noise test made of it
        assert not change.endswith(("regressed", "improved", "unchanged", "changed")) or "**" in change, line


def test_summary_has_no_link_without_site_url(tmp_path: Path) -> None:
    """Without a site_url the summary names no address (none is invented)."""
    root = make_project(tmp_path)
    os.environ.pop("SITE_URL", None)
    assert main(["-C", str(root), "check", "--summary", str(tmp_path / "s.md")]) == 0
    assert "release page" not in (tmp_path / "s.md").read_text(encoding="utf-8")


def test_manifest_text_in_the_summary_stays_text(tmp_path: Path) -> None:
    """A title with a javascript: link, a pipe and HTML renders as literal text: no link, no extra column, no tag."""
    hostile = "[x](javascript:alert(1)) | <img src=x onerror=alert(1)>"
    manifest = BASE_MANIFEST.format(release="v1.0.0", date="2026-10-01").replace(
        "title: p95 of /slow", f"title: {hostile!r}"
    )
    root = make_project(tmp_path, {"v1.0.0": manifest})
    assert main(["-C", str(root), "check", "--summary", str(tmp_path / "s.md")]) == 0
    html = markdown.markdown((tmp_path / "s.md").read_text(encoding="utf-8"), extensions=["tables"])
    assert "<a " not in html and "<img" not in html and "javascript:alert(1)" in html
    row = next(line for line in html.splitlines() if "javascript" in line)
    assert "[x](javascript:alert(1)) | &lt;img" in row


def test_junit_is_valid_against_the_jenkins_schema(reports: tuple[Path, str, bytes]) -> None:
    """The JUnit report validates against Jenkins' junit-10.xsd (the layout Jenkins, GitLab and Azure read)."""
    _, _, junit = reports
    xmlschema.XMLSchema(JUNIT_XSD).validate(ET.fromstring(junit))


def test_junit_outcome_follows_each_verdict(reports: tuple[Path, str, bytes]) -> None:
    """fail → failure with value against threshold; invalid → error; unverified → skipped; pass → no child."""
    _, _, junit = reports
    suite = ET.fromstring(junit).find("testsuite")
    assert suite is not None and suite.get("name") == "v1.1.0"
    cases = {case.get("name", "").split(":")[0]: case for case in suite.iter("testcase")}
    outcome = {key: [child.tag for child in case] for key, case in cases.items()}
    assert outcome == {"capacity": ["skipped"], "p95_slow": ["failure"], "p95_guarded": ["error"]}
    failure = cases["p95_slow"].find("failure")
    assert failure is not None and "against <= 0.2 s" in failure.get("message", "")
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors"), suite.get("skipped")) == (
        "3",
        "1",
        "1",
        "1",
    )


def test_junit_is_read_back_by_the_junit_adapter(reports: tuple[Path, str, bytes], tmp_path: Path) -> None:
    """reportgen's own junit-xml adapter (written for pytest and Surefire files) reads the report."""
    _, _, junit = reports
    (tmp_path / "check.xml").write_bytes(junit)
    assert main(["extract", str(tmp_path / "check.xml"), "--format", "junit-xml"]) == 0


def test_a_file_reportgen_did_not_write_is_not_replaced(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--summary and --junit refuse to overwrite a file of someone else's, exit 2, and leave it as it was."""
    root = make_project(tmp_path)
    notes = tmp_path / "notes.md"
    notes.write_text("my notes\n")
    assert main(["-C", str(root), "check", "--summary", str(notes)]) == 2
    assert notes.read_text() == "my notes\n" and "refusing to overwrite" in capsys.readouterr().err
    assert main(["-C", str(root), "check", "--junit", str(notes)]) == 2
    assert notes.read_text() == "my notes\n"
