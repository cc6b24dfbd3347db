"""claims.json v1, the site-wide index and attachments: what an auditor or a script reads from a built site."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import jsonschema
import pytest

from reportgen import __version__
from reportgen.cli import main
from tests.support.project import BASE_MANIFEST, make_project

ATTACHED = BASE_MANIFEST.format(release="v1.1.0", date="2026-11-01") + (
    "attachments:\n"
    "  - path: legacy/report.md\n"
    "    title: The hand-written report of this campaign\n"
    "    description: What the team reported before reportgen; no figure is read from it.\n"
    "  - legacy/screenshot.png\n"
)
PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489")


def _attach(root: Path) -> None:
    legacy = root / "results/v1.1.0/legacy"
    legacy.mkdir(parents=True)
    (legacy / "report.md").write_text("# Performance report\n\np95 checkout: 180 ms PASS\n", encoding="utf-8")
    (legacy / "screenshot.png").write_bytes(PNG)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = make_project(
        tmp_path_factory.mktemp("claims"),
        {"v1.0.0": BASE_MANIFEST.format(release="v1.0.0", date="2026-10-01"), "v1.1.0": ATTACHED},
    )
    _attach(root)
    assert main(["-C", str(root), "build"]) == 0
    return root


def _json(path: Path) -> dict[str, object]:
    data = json.loads(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def _schema(flag: str, capsys: pytest.CaptureFixture[str]) -> dict[str, object]:
    assert main(["schema", flag]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert isinstance(schema, dict)
    return schema


def _check_json(root: Path, capsys: pytest.CaptureFixture[str]) -> list[dict[str, object]]:
    capsys.readouterr()
    main(["-C", str(root), "check", "--json"])
    found = json.loads(capsys.readouterr().out)
    assert isinstance(found, list)
    return found


def test_claims_json_is_a_versioned_document_that_fits_its_schema(
    built: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Every claims.json validates against `reportgen schema --claims` and names its schema version and generator."""
    schema = _schema("--claims", capsys)
    for release in ("v1.0.0", "v1.1.0"):
        document = _json(built / f"site/releases/{release}/claims.json")
        jsonschema.validate(document, schema)
        assert document["schema_version"] == 1
        assert document["generator"] == {"name": "reportgen", "version": __version__}


def test_claims_json_names_manifest_and_artifacts_from_the_repository_root(built: Path) -> None:
    """Manifest and artifact paths are repository-relative, with SHA-256, size and adapter, and a raw copy in the site."""
    document = _json(built / "site/releases/v1.0.0/claims.json")
    manifest = document["manifest"]
    assert isinstance(manifest, dict)
    assert manifest["path"] == "results/v1.0.0/release.yaml"
    assert manifest["sha256"] == hashlib.sha256((built / manifest["path"]).read_bytes()).hexdigest()
    assert (built / "site" / manifest["raw_copy"]).read_bytes() == (built / manifest["path"]).read_bytes()
    artifacts = document["artifacts"]
    assert isinstance(artifacts, list) and len(artifacts) == 1
    artifact = artifacts[0]
    raw = (built / artifact["path"]).read_bytes()
    assert artifact["path"] == "results/v1.0.0/k6/summary-export.json"
    assert (artifact["sha256"], artifact["size"]) == (hashlib.sha256(raw).hexdigest(), len(raw))
    assert (artifact["adapter"], artifact["adapter_version"]) == ("k6-summary-export", "1")
    assert (built / "site" / artifact["raw_copy"]).read_bytes() == raw


def test_the_evidence_digest_follows_the_method_claims_json_states(
    built: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The digest recomputed by hand from the stated rule equals claims.json's and check's digest."""
    document = _json(built / "site/releases/v1.1.0/claims.json")
    digest = document["evidence_digest"]
    assert isinstance(digest, dict) and "sorted by path" in digest["method"]
    manifest, files = document["manifest"], [*document["artifacts"], *document["attachments"]]  # type: ignore[misc]
    lines = [f"release.yaml {manifest['sha256']}", *sorted(f"{f['release_path']} {f['sha256']}" for f in files)]
    assert digest["value"] == "sha256:" + hashlib.sha256("\n".join(lines).encode()).hexdigest()
    checked = {r["release"]: r["evidence_digest"] for r in _check_json(built, capsys)}
    assert checked["v1.1.0"] == digest["value"]


def test_claims_verdict_counts_equal_checks(built: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Counting the verdicts of claims.json's target claims gives exactly check --json's counts, per release."""
    for checked in _check_json(built, capsys):
        document = _json(built / f"site/releases/{checked['release']}/claims.json")
        claims = document["claims"]
        assert isinstance(claims, list)
        ids = [c["id"] for c in claims]
        assert len(ids) == len(set(ids))
        counted = {v: sum(1 for c in claims if c.get("verdict") == v) for v in checked["counts"]}  # type: ignore[union-attr]
        assert counted == checked["counts"]


def test_the_site_index_lists_every_release_with_verdict_digest_and_claims(
    built: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """releases/index.json fits its schema and lists each release, newest first, with check's verdict and digest."""
    index = _json(built / "site/releases/index.json")
    jsonschema.validate(index, _schema("--index", capsys))
    checked = _check_json(built, capsys)
    releases = index["releases"]
    assert isinstance(releases, list)
    assert [r["id"] for r in releases] == [c["release"] for c in checked] == ["v1.1.0", "v1.0.0"]
    for entry, result in zip(releases, checked, strict=True):
        assert (entry["verdict"], entry["evidence_digest"]) == (result["verdict"], result["evidence_digest"])
        assert _json(built / "site" / entry["claims"])["release"]["id"] == entry["id"]  # type: ignore[index]


def test_attachments_are_hashed_copied_and_linked(built: Path) -> None:
    """Attachments appear in claims.json with their SHA-256, are copied unchanged and are linked from the page."""
    document = _json(built / "site/releases/v1.1.0/claims.json")
    attachments = {a["release_path"]: a for a in document["attachments"]}  # type: ignore[union-attr]
    assert set(attachments) == {"legacy/report.md", "legacy/screenshot.png"}
    report = attachments["legacy/report.md"]
    raw = (built / "results/v1.1.0/legacy/report.md").read_bytes()
    assert report["sha256"] == hashlib.sha256(raw).hexdigest()
    assert report["raw_copy"] == "releases/v1.1.0/artifacts/legacy/report.md.txt"  # served as bytes, not a page
    assert (built / "site" / report["raw_copy"]).read_bytes() == raw
    assert attachments["legacy/screenshot.png"]["title"] == "screenshot.png"
    page = (built / "site_docs/releases/v1.1.0/index.md").read_text()
    assert "| The hand-written report of this campaign | [legacy/report.md](artifacts/legacy/report.md.txt) |" in page


def test_a_changed_attachment_changes_the_evidence_digest(built: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The evidence digest covers attachments: editing one changes it, so sign-offs over the old one go stale."""
    before = {r["release"]: r["evidence_digest"] for r in _check_json(built, capsys)}
    screenshot = built / "results/v1.1.0/legacy/screenshot.png"
    try:
        screenshot.write_bytes(PNG + b"\0")
        after = {r["release"]: r["evidence_digest"] for r in _check_json(built, capsys)}
    finally:
        screenshot.write_bytes(PNG)
    assert after["v1.1.0"] != before["v1.1.0"]
    assert after["v1.0.0"] == before["v1.0.0"]


@pytest.mark.parametrize(
    ("attachment", "message"),
    [
        ("legacy/none.pdf", "attachment 'legacy/none.pdf' does not exist"),
        ("k6/summary-export.json", "'k6/summary-export.json' is an artifact; list it once"),
        ("../outside.pdf", "must stay inside the release folder"),
    ],
)
def test_bad_attachments_are_input_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], attachment: str, message: str
) -> None:
    """An absent attachment in a final release, one that is also an artifact, or one outside the release: exit 2."""
    manifest = BASE_MANIFEST.format(release="v1.0.0", date="2026-10-01") + f"attachments: [{attachment}]\n"
    root = make_project(tmp_path, {"v1.0.0": manifest})
    assert main(["-C", str(root), "check"]) == 2
    err = capsys.readouterr().err
    assert message in err and "release.yaml:" in err
