"""reportgen verify: an untouched build verifies; each kind of tampering, in a temporary copy, is named."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from reportgen.cli import main
from tests.support.project import BASE_MANIFEST, make_project

V110 = BASE_MANIFEST.format(release="v1.1.0", date="2026-11-01").replace(
    "status: final", "status: final\nbaseline: v1.0.0"
) + ("  - metric: error_rate\n    comparator: '<'\n    threshold: 10 %\nattachments:\n  - legacy/report.md\n")


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = make_project(
        tmp_path_factory.mktemp("verify"),
        {"v1.0.0": BASE_MANIFEST.format(release="v1.0.0", date="2026-10-01"), "v1.1.0": V110},
    )
    (root / "results/v1.1.0/legacy").mkdir()
    (root / "results/v1.1.0/legacy/report.md").write_text("# Old report\n\np95: 180 ms, PASS\n", encoding="utf-8")
    assert main(["-C", str(root), "build"]) == 0
    return root


@pytest.fixture
def repo(pristine: Path, tmp_path: Path) -> Path:
    """A fresh copy of the built repository for one test to tamper with."""
    copy = tmp_path / "repo"
    shutil.copytree(pristine, copy)
    return copy


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    capsys.readouterr()
    code = main(args)
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def test_an_untouched_build_verifies_from_the_site_and_from_the_checkout(
    pristine: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """verify exits 0 on an untouched build, from the site folder alone and from the repository."""
    code, out = run(["verify", str(pristine / "site")], capsys)
    assert code == 0, out
    assert "everything matches" in out and "2 release(s)" in out
    code, out = run(["-C", str(pristine), "verify"], capsys)
    assert code == 0, out


def test_a_site_moved_elsewhere_still_verifies(
    pristine: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The site alone is enough: copied away from its checkout, it verifies with no results/ in reach."""
    alone = tmp_path / "published"
    shutil.copytree(pristine / "site", alone)
    code, out = run(["verify", str(alone)], capsys)
    assert code == 0, out


def test_one_flipped_byte_in_a_raw_copy_is_named_with_both_hashes(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Changing one byte of an artifact's raw copy fails verify, naming the file, the expected and the actual SHA-256."""
    raw = repo / "site/releases/v1.1.0/artifacts/k6/summary-export.json"
    data = bytearray(raw.read_bytes())
    position = data.index(b'"p(95)": 243.', data.index(b"http_req_duration{name:slow}")) + len(b'"p(95)": ')
    data[position] = ord("1")  # 243.28 ms becomes 143.28 ms
    raw.write_bytes(bytes(data))
    code, out = run(["verify", str(repo / "site")], capsys)
    assert code == 1
    line = next(x for x in out.splitlines() if "artifact changed" in x)
    assert "v1.1.0: artifact changed: releases/v1.1.0/artifacts/k6/summary-export.json: expected sha256 " in line
    assert "actual sha256 " in line
    # The figure read from the changed byte no longer matches claims.json.
    assert (
        "v1.1.0: value changed: metric-p95-slow.value (releases/v1.1.0/claims.json): expected 243.28271705, actual 143.28271705"
        in out
    )
    assert "evidence.sha256" not in out  # said once, per artifact, not once per figure


def test_a_changed_value_in_claims_json_is_named_with_claim_page_and_both_values(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Editing one claim's value in claims.json fails verify with the claim id, its page, expected and actual."""
    path = repo / "site/releases/v1.1.0/claims.json"
    document = json.loads(path.read_text())
    claim = next(c for c in document["claims"] if c["id"] == "metric-p95-slow")
    original = claim["value"]
    claim["value"] = 99.0
    path.write_text(json.dumps(document))
    code, out = run(["verify", str(repo / "site")], capsys)
    assert code == 1
    assert (
        f"v1.1.0: value changed: metric-p95-slow.value (releases/v1.1.0/claims.json): expected 99.0, actual {original}"
        in out
    )


def test_a_changed_verdict_in_claims_json_is_named(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Turning a failing target's verdict into a pass in claims.json fails verify as a changed verdict."""
    path = repo / "site/releases/v1.1.0/claims.json"
    document = json.loads(path.read_text())
    claim = next(c for c in document["claims"] if c["id"] == "target-error-rate")
    assert claim["verdict"] == "pass"
    claim["verdict"] = "fail"
    path.write_text(json.dumps(document))
    code, out = run(["verify", str(repo / "site")], capsys)
    assert code == 1
    assert (
        "v1.1.0: verdict changed: target-error-rate.verdict (releases/v1.1.0/claims.json): expected fail, actual pass"
        in out
    )


def test_a_number_changed_in_a_rendered_page_is_named(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Changing a figure's number in the release page's HTML fails verify as a page figure that differs from its claim."""
    page = repo / "site/releases/v1.1.0/index.html"
    html = page.read_text()
    assert html.count(">243.3 ms</a>") >= 1
    page.write_text(html.replace(">243.3 ms</a>", ">143.3 ms</a>", 1))
    code, out = run(["verify", str(repo / "site")], capsys)
    assert code == 1
    assert (
        "page figure differs from its claim: target-p95-slow (releases/v1.1.0/): expected 243.3 ms, actual 143.3 ms"
        in out
    )


def test_a_number_changed_on_the_evidence_page_is_named(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Changing a value in the evidence page's table fails verify too."""
    page = repo / "site/releases/v1.0.0/evidence/index.html"
    html = page.read_text()
    assert "4.65 %" in html
    page.write_text(html.replace("4.65 %", "0.65 %"))
    code, out = run(["verify", str(repo / "site")], capsys)
    assert code == 1
    assert (
        "v1.0.0: page figure differs from its claim: metric-error-rate (releases/v1.0.0/evidence/): expected 4.65 %"
        in out
    )


def test_a_deleted_artifact_and_a_deleted_attachment_are_named(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Deleting a raw copy or an attachment's copy fails verify, naming each as missing."""
    (repo / "site/releases/v1.0.0/artifacts/k6/summary-export.json").unlink()
    (repo / "site/releases/v1.1.0/artifacts/legacy/report.md.txt").unlink()
    code, out = run(["verify", str(repo / "site")], capsys)
    assert code == 1
    assert "v1.0.0: artifact missing: releases/v1.0.0/artifacts/k6/summary-export.json" in out
    assert "v1.1.0: attachment missing: releases/v1.1.0/artifacts/legacy/report.md.txt" in out


def test_a_manifest_changed_after_the_build_is_named(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A release.yaml edited in results/ after the build fails verify in the checkout, with the verdict it changes."""
    manifest = repo / "results/v1.1.0/release.yaml"
    manifest.write_text(manifest.read_text().replace("threshold: 300 ms", "threshold: 200 ms"))
    code, out = run(["-C", str(repo), "verify"], capsys)
    assert code == 1
    assert "v1.1.0: release.yaml changed since the build: results/v1.1.0/release.yaml: expected sha256 " in out
    assert (
        "v1.1.0: verdict changed: target-p95-slow.verdict (releases/v1.1.0/claims.json): expected pass, actual fail"
        in out
    )
    assert "evidence digest changed" in out
    code, out = run(["verify", str(repo / "site")], capsys)
    assert code == 0, out  # the site itself is still consistent: only the checkout moved on


def test_the_manifest_copy_in_the_site_is_checked_too(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Editing the site's copy of release.yaml fails verify from the site alone."""
    copy = repo / "site/releases/v1.1.0/artifacts/release.yaml"
    copy.write_text(copy.read_text().replace("threshold: 300 ms", "threshold: 200 ms"))
    code, out = run(["verify", str(repo / "site")], capsys)
    assert code == 1
    assert "v1.1.0: manifest changed: releases/v1.1.0/artifacts/release.yaml: expected sha256" in out


def test_unreadable_input_exits_2(repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A claims.json that is not JSON, or a folder that is neither a site nor a repository, exits 2 with the path."""
    claims = repo / "site/releases/v1.0.0/claims.json"
    claims.write_text("{not json")
    code, out = run(["verify", str(repo / "site")], capsys)
    assert code == 2
    assert f"{claims}: not a reportgen claims.json" in out
    code, out = run(["verify", str(tmp_path)], capsys)
    assert code == 2
    assert "neither a built site" in out


def test_the_example_builds_with_mkdocs_and_verifies(example_site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The repository's example (real k6, Locust, pytest, hyperfine runs) builds strictly and its site verifies."""
    code, out = run(["verify", str(example_site / "site")], capsys)
    assert code == 0, out
