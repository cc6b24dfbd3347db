"""The built site: real MkDocs builds, badges and evidence links, claims.json, determinism, atomicity."""

from __future__ import annotations

import hashlib
import html
import json
import re
from pathlib import Path

import pytest

from reportgen.cli import main
from tests.support.project import BASE_MANIFEST, make_project, tree_digest

TWO_RELEASES = {
    "v1.0.0": BASE_MANIFEST.format(release="v1.0.0", date="2026-10-01"),
    "v1.1.0": BASE_MANIFEST.format(release="v1.1.0", date="2026-11-01")
    .replace("status: final", "status: final\nbaseline: v1.0.0")
    .replace("threshold: 300 ms", "threshold: 0.2 s")
    .replace(
        "targets:",
        "  - id: capacity\n    title: Peak capacity\n    projected: {value: 2000 req/s, method: linear extrapolation,"
        " basis: one node at 4 VUs, low: 1500, high: 2500}\ntargets:\n"
        "  - {metric: capacity, comparator: '>=', threshold: 1000 req/s}\n"
        "  - metric: p95_slow\n    id: p95_guarded\n    comparator: '<'\n    threshold: 1 s\n"
        "    guards: [{metric: error_rate, comparator: '<', threshold: 1 %}]",
    ),
}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = make_project(tmp_path_factory.mktemp("site"), TWO_RELEASES)
    assert main(["-C", str(root), "build"]) == 0
    return root


def test_build_writes_release_pages_and_site(built: Path) -> None:
    """build writes site_docs/releases/<release>/ (report, evidence, claims) and an HTML site in site/."""
    for release in ("v1.0.0", "v1.1.0"):
        assert (built / f"site_docs/releases/{release}/index.md").is_file()
        assert (built / f"site/releases/{release}/index.html").is_file()
        assert (built / f"site/releases/{release}/evidence/index.html").is_file()
        assert (built / f"site/releases/{release}/claims.json").is_file()
        assert (built / f"site/releases/{release}/artifacts/k6/summary-export.json").is_file()
    assert (built / "site/index.html").is_file()


def test_hand_written_pages_are_untouched(built: Path) -> None:
    """Pages a user wrote beside site_docs/releases/ survive a build byte for byte."""
    about = built / "site_docs/about.md"
    before = about.read_bytes()
    assert main(["-C", str(built), "build"]) == 0
    assert about.read_bytes() == before


def test_every_figure_carries_a_badge_and_links_to_evidence(built: Path) -> None:
    """Every figure link on a release page points at an evidence anchor and carries its provenance: its own badge,
    or in a per-artifact table (cell ids ``t-…``) the table's one line "All figures measured, from FILE"."""
    text = (built / "site_docs/releases/v1.1.0/index.md").read_text()
    figures = re.findall(
        r'\]\((evidence\.md#[a-z0-9-]+) "[^"]*"\)(?: <span class="rg-badge rg-badge--(\w+)">\2</span>)?', text
    )
    assert len(figures) > 10 and len([f for f in figures if f[1]]) >= 5
    evidence = (built / "site_docs/releases/v1.1.0/evidence.md").read_text()
    for link, badge in figures:
        assert f'<span id="{link.split("#")[1]}"></span>' in evidence, link
        assert badge or link.startswith("evidence.md#t-"), link
    assert {badge for _, badge in figures} >= {"measured", "projected"}
    assert "All figures measured, from `k6/summary-export.json`" in text


def test_projected_figure_shows_method_and_basis_on_hover_and_in_a_footnote(built: Path) -> None:
    """A projected figure says its method and basis in its title (hover) and in a footnote."""
    text = (built / "site_docs/releases/v1.1.0/index.md").read_text()
    assert '"projected, not measured. Method: linear extrapolation. Basis: one node at 4 VUs.")' in text
    assert (
        "[^target-capacity]: Projected, not measured. Method: linear extrapolation. Basis: one node at 4 VUs." in text
    )
    assert "Range: 1,500 req/s to 2,500 req/s." in text


def test_verdicts_on_the_page_are_computed(built: Path) -> None:
    """The page shows the computed verdicts: projection unverified, guard-tripped target invalid, release FAIL."""
    text = (built / "site_docs/releases/v1.1.0/index.md").read_text()
    assert "**Release verdict: FAIL**" in text
    assert 'rg-verdict--unverified">UNVERIFIED' in text
    assert "guard tripped: Failed requests is 4.65 %, not below 1 %" in text


def test_comparison_with_the_baseline_is_computed(built: Path) -> None:
    """The comparison section computes baseline value, current value and the change, never typed."""
    text = (built / "site_docs/releases/v1.1.0/index.md").read_text()
    assert "## Comparison with v1.0.0" in text
    row = r"\| p95 of /slow<br>.*\| \[243\.3 ms\].*\| \[243\.3 ms\].*\| 0 ms<br><small>\+0\.0 %</small> \|.*not tested for noise"
    assert re.search(row, text)


def test_claims_json_has_one_item_per_figure_with_evidence(built: Path) -> None:
    """claims.json items have id, value, unit, provenance; targets have a verdict; measured items have evidence."""
    claims = json.loads((built / "site/releases/v1.1.0/claims.json").read_text())["claims"]
    ids = [c["id"] for c in claims]
    assert len(ids) == len(set(ids))
    for claim in claims:
        assert {"id", "value", "unit", "provenance"} <= claim.keys()
        if claim["provenance"] == "measured":
            assert {"path", "sha256", "selector"} <= claim["evidence"].keys()
            assert re.fullmatch(r"[0-9a-f]{64}", claim["evidence"]["sha256"])
    target = next(c for c in claims if c["id"] == "target-capacity")
    assert (target["verdict"], target["provenance"]) == ("unverified", "projected")
    assert target["projection"]["method"] == "linear extrapolation"
    source = built / "results/v1.1.0/k6/summary-export.json"
    measured = next(c for c in claims if c["id"] == "metric-p95-slow")
    assert measured["evidence"]["sha256"] == hashlib.sha256(source.read_bytes()).hexdigest()


def test_home_lists_releases_newest_first_with_verdicts(built: Path) -> None:
    """The home page lists releases newest first, with verdict badge and counts."""
    text = (built / "site_docs/index.md").read_text()
    assert text.index("Demo v1.1.0") < text.index("Demo v1.0.0")
    assert 'rg-verdict--fail">FAIL' in text and 'rg-verdict--pass">PASS' in text


def test_no_table_cell_gets_stray_attributes(built: Path) -> None:
    """Label sets like {name: slow} are shown as text; Markdown's attr_list never turns them into attributes."""
    for page in (built / "site").rglob("*.html"):
        for cell in re.findall(r"<t[dh]( [^>]*)?>", page.read_text()):
            assert not cell or re.fullmatch(r' (style|align|class)="[^"]*"', cell), f"{page}: <td{cell}>"
    evidence = (built / "site/releases/v1.1.0/evidence/index.html").read_text()
    # Braces are character references in the HTML (so attr_list cannot read them); the reader sees the braces.
    assert "<code>{name: slow}</code>" in html.unescape(evidence)


def test_same_inputs_give_byte_identical_site(built: Path, tmp_path: Path) -> None:
    """Two builds of the same inputs produce byte-identical trees (MkDocs' date pinned to the newest release)."""
    first = tree_digest(built / "site")
    assert main(["-C", str(built), "build", "--site-dir", str(tmp_path / "again")]) == 0
    assert tree_digest(tmp_path / "again") == first


def test_site_requests_nothing_from_outside_hosts(built: Path) -> None:
    """No built page loads a script, stylesheet, font or image from another host."""
    pattern = re.compile(r'<(?:script|link|img|iframe)[^>]+(?:src|href)="(https?:)?//', re.IGNORECASE)
    for page in (built / "site").rglob("*.html"):
        assert not pattern.search(page.read_text()), page


def test_failed_build_leaves_the_previous_site_untouched(built: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Bad input exits 2 and leaves site/ and site_docs/releases/ exactly as they were."""
    before_site, before_docs = tree_digest(built / "site"), tree_digest(built / "site_docs/releases")
    manifest = built / "results/v1.1.0/release.yaml"
    good = manifest.read_text()
    try:
        manifest.write_text(good.replace("threshold: 0.2 s", "threshold: soon"))
        assert main(["-C", str(built), "build"]) == 2
        assert "threshold: expected a number with a unit" in capsys.readouterr().err
        assert tree_digest(built / "site") == before_site
        assert tree_digest(built / "site_docs/releases") == before_docs
    finally:
        manifest.write_text(good)


def test_a_template_override_replaces_the_default(built: Path, tmp_path: Path) -> None:
    """A file in templates/ named like a default template is used instead of it."""
    override = built / "templates/home.md.j2"
    override.write_text("# Our releases\n{% for r in page.releases %}\n- {{ r.id }}: {{ r.verdict }}\n{% endfor %}\n")
    try:
        assert main(["-C", str(built), "build", "--site-dir", str(tmp_path / "custom")]) == 0
        assert (built / "site_docs/releases/index.md").read_text() == "# Our releases\n- v1.1.0: fail\n- v1.0.0: pass\n"
    finally:
        override.unlink()
        assert main(["-C", str(built), "build", "--site-dir", str(tmp_path / "custom")]) == 0


def test_broken_links_fail_the_build_strictly(built: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """An evidence template that drops the anchors figures link to fails the strict MkDocs build, exit 2."""
    override = built / "templates/evidence.md.j2"
    override.write_text("# Evidence of {{ page.id }}\n")
    try:
        assert main(["-C", str(built), "build", "--site-dir", str(tmp_path / "broken")]) == 2
        assert "does not contain an anchor" in capsys.readouterr().err
        assert not (tmp_path / "broken").exists()
    finally:
        override.unlink()
        assert main(["-C", str(built), "build"]) == 0


def test_a_template_typo_is_an_error_naming_the_template(built: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """An undefined name in a user template is an error (StrictUndefined), not an empty string."""
    override = built / "templates/home.md.j2"
    override.write_text("# {{ page.no_such_field }}\n")
    try:
        assert main(["-C", str(built), "build"]) == 2
        assert "home.md.j2" in capsys.readouterr().err
    finally:
        override.unlink()


def test_damage_an_adapter_tolerates_is_shown_on_the_release_page(tmp_path: Path) -> None:
    """A k6 stream cut short by a killed run is read up to the damage, and the page's Warnings say so."""
    import shutil

    killed = Path(__file__).parent / "fixtures/k6-runs/killed-mid-run/killed.ndjson.gz"
    manifest = BASE_MANIFEST.format(release="v1.0.0", date="2026-10-01").replace(
        "        format: k6-summary-export\n", "        format: k6-summary-export\n      - k6/killed.ndjson.gz\n"
    )
    root = make_project(tmp_path, {"v1.0.0": manifest})
    shutil.copyfile(killed, root / "results/v1.0.0/k6/killed.ndjson.gz")
    assert main(["-C", str(root), "build"]) == 0
    page = (root / "site_docs/releases/v1.0.0/index.md").read_text()
    warnings = page[page.index("## Warnings") : page.index("## Raw data")]
    assert "k6/killed.ndjson.gz:680: the compressed file ends early" in warnings


def test_pages_name_no_machine_paths(built: Path) -> None:
    """Generated pages and claims never contain the absolute path of the checkout (same inputs, same bytes anywhere)."""
    for page in (built / "site_docs").rglob("*"):
        if page.is_file() and page.suffix in (".md", ".json"):
            assert str(built) not in page.read_text(), page


def test_a_file_put_into_the_generated_folder_is_never_deleted(built: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """site_docs/releases/ is reportgen's: a file someone else put there stops the build instead of vanishing."""
    stray = built / "site_docs/releases/v1.0.0/notes.md"
    stray.write_text("# my notes\n")
    try:
        assert main(["-C", str(built), "build"]) == 2
        assert "holds files reportgen did not write (v1.0.0/notes.md)" in capsys.readouterr().err
        assert stray.read_text() == "# my notes\n"
    finally:
        stray.unlink()
    assert main(["-C", str(built), "build"]) == 0
