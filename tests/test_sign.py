"""reportgen sign: sign-offs appended with the evidence they approve, stale when it changes, SSH-signed and verified."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from reportgen.cli import main
from tests.support.project import make_project

SIGNOFFS = """\
# Sign-offs for v1.0.0. This header comment and the layout below must survive `reportgen sign`.
signoffs:
  # The first reviewer wrote hers by hand, on one line.
  - {role: QA lead, name: Ada Okafor, decision: approve, date: 2026-10-02, comment: "looked at the raw runs"}   # inline
"""

# Under CI (.ci/run installs openssh-client) the SSH tests must run, never skip.
needs_ssh_keygen = pytest.mark.skipif(
    shutil.which("ssh-keygen") is None and not os.environ.get("CI"), reason="ssh-keygen (openssh-client) missing"
)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = make_project(tmp_path)
    (root / "results/v1.0.0/signoffs.yaml").write_text(SIGNOFFS, encoding="utf-8")
    return root


def run(root: Path, args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    capsys.readouterr()
    code = main(["-C", str(root), *args])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def sign(root: Path, capsys: pytest.CaptureFixture[str], *extra: str, name: str = "Jonas Berg") -> tuple[int, str]:
    return run(
        root,
        ["sign", "v1.0.0", "--role", "Engineering manager", "--name", name, "--decision", "approve", *extra],
        capsys,
    )


def digest(root: Path, capsys: pytest.CaptureFixture[str]) -> str:
    capsys.readouterr()
    main(["-C", str(root), "check", "--json"])
    value = json.loads(capsys.readouterr().out)[0]["evidence_digest"]
    assert isinstance(value, str)
    return value


def test_sign_appends_keeping_comments_and_layout(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """sign appends one entry with today's date and the current digest; the file's comments and flow entry stay as written."""
    code, out = sign(repo, capsys, "--comment", "Reviewed: p95 within target.")
    assert code == 0, out
    text = (repo / "results/v1.0.0/signoffs.yaml").read_text()
    assert text.startswith(SIGNOFFS), text
    added = text[len(SIGNOFFS) :]
    assert "  - role: Engineering manager\n    name: Jonas Berg\n    decision: approve\n" in added
    assert f"    date: {dt.date.today().isoformat()}\n" in added
    assert f"    evidence_digest: {digest(repo, capsys)}\n" in added
    assert "      k6/summary-export.json: " in added and "      release.yaml: " in added
    assert "targets[p95_slow]: " in added


def test_a_sign_off_goes_stale_naming_the_changed_artifact(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """After an artifact changes, check shows the sign-off stale with the file, and --require-signoff fails asking to re-sign."""
    assert sign(repo, capsys)[0] == 0
    assert run(repo, ["check", "--require-signoff"], capsys)[0] == 0
    artifact = repo / "results/v1.0.0/k6/summary-export.json"
    artifact.write_bytes(artifact.read_bytes() + b"\n")
    code, out = run(repo, ["check", "--require-signoff"], capsys)
    assert code == 1
    assert "approve by Jonas Berg (Engineering manager)" in out
    assert "stale: evidence changed since signing (k6/summary-export.json)" in out
    reason = next(line for line in out.splitlines() if line.startswith("not passing: v1.0.0:"))
    assert "re-sign" in reason and "k6/summary-export.json" in reason


def test_re_signing_makes_the_release_current_again(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A new sign-off over the changed evidence is current: --require-signoff passes again, the old one stays stale."""
    assert sign(repo, capsys)[0] == 0
    artifact = repo / "results/v1.0.0/k6/summary-export.json"
    artifact.write_bytes(artifact.read_bytes() + b"\n")
    assert sign(repo, capsys, name="Jonas Berg")[0] == 0
    code, out = run(repo, ["check", "--require-signoff"], capsys)
    assert code == 0, out
    assert out.count("stale: evidence changed since signing") == 1


def test_a_changed_manifest_field_is_named(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A changed threshold names the manifest field; a comment-only edit says only comments or layout changed."""
    assert sign(repo, capsys)[0] == 0
    manifest = repo / "results/v1.0.0/release.yaml"
    original = manifest.read_text()
    manifest.write_text(original.replace("threshold: 300 ms", "threshold: 310 ms"))
    code, out = run(repo, ["check", "--require-signoff"], capsys)
    assert code == 1
    assert "stale: evidence changed since signing (release.yaml (targets[p95_slow]))" in out
    manifest.write_text("# reviewed again\n" + original)
    code, out = run(repo, ["check", "--require-signoff"], capsys)
    assert "stale: evidence changed since signing (release.yaml (comments or layout only))" in out


def test_a_hand_written_sign_off_without_a_file_list_says_so(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A stale sign-off that recorded only a digest cannot name files, and says how to get a sign-off that can."""
    path = repo / "results/v1.0.0/signoffs.yaml"
    path.write_text(SIGNOFFS.replace('comment: "looked at the raw runs"', f'evidence_digest: "sha256:{"0" * 64}"'))
    code, out = run(repo, ["check", "--require-signoff"], capsys)
    assert code == 1
    assert "this sign-off records no file list; sign again with `reportgen sign`" in out


def test_bad_input_to_sign_changes_nothing(repo: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """An unknown release, a missing key or a bad decision exits 2 and leaves signoffs.yaml byte for byte."""
    path = repo / "results/v1.0.0/signoffs.yaml"
    code, out = run(repo, ["sign", "v9", "--role", "QA", "--name", "A", "--decision", "approve"], capsys)
    assert code == 2 and "v9" in out
    code, out = sign(repo, capsys, "--key", str(tmp_path / "no-such-key"))
    assert code == 2 and "no such key file" in out
    with pytest.raises(SystemExit) as exited:
        main(["-C", str(repo), "sign", "v1.0.0", "--role", "QA", "--name", "A", "--decision", "maybe"])
    assert exited.value.code == 2
    assert path.read_text() == SIGNOFFS


def _keypair(folder: Path, name: str) -> tuple[Path, str]:
    key = folder / name
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", str(key)], check=True)
    return key, (folder / f"{name}.pub").read_text().strip()


@needs_ssh_keygen
def test_ssh_signed_sign_offs_are_verified_bad_or_unverifiable(
    repo: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A key listed in allowed_signers verifies; an edited signed sign-off is a bad signature; an unlisted key is unverifiable."""
    listed, public = _keypair(tmp_path, "jonas")
    stranger, _ = _keypair(tmp_path, "stranger")
    (repo / "allowed_signers").write_text(f'jonas@example.com namespaces="reportgen" {public}\n')
    code, out = sign(repo, capsys, "--key", str(listed))
    assert code == 0, out
    assert "signature verified (signed by jonas@example.com)" in out
    assert "-----BEGIN SSH SIGNATURE-----" in (repo / "results/v1.0.0/signoffs.yaml").read_text()
    code, out = sign(repo, capsys, "--key", str(stranger), name="Someone Else")
    assert code == 0, out
    code, out = run(repo, ["check"], capsys)
    assert "approve by Jonas Berg (Engineering manager)" in out
    assert "signature verified (signed by jonas@example.com)" in out
    assert "approve by Someone Else (Engineering manager)" in out
    assert "signature unverifiable (the signing key is not in allowed_signers)" in out
    assert "approve by Ada Okafor (QA lead), 2026-10-02: not bound to evidence; signature not signed" in out
    path = repo / "results/v1.0.0/signoffs.yaml"
    path.write_text(path.read_text().replace("decision: approve\n    date", "decision: reject\n    date", 1))
    code, out = run(repo, ["check"], capsys)
    assert "reject by Jonas Berg (Engineering manager)" in out
    assert "signature bad signature (the signature does not match" in out
    assert run(repo, ["build"], capsys)[0] == 0
    page = (repo / "site_docs/releases/v1.0.0/index.md").read_text()
    assert "| bad signature (the signature does not match this sign-off and its evidence digest) |" in page
    assert "| unverifiable (the signing key is not in allowed_signers) |" in page
    home = (repo / "site_docs/index.md").read_text()
    assert "bad signature" in home


def test_approving_a_release_that_does_not_pass_needs_a_comment(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """sign refuses a bare approve of a failing release (nothing written) and accepts it with a comment, shown as despite FAIL."""
    root = make_project(tmp_path)
    manifest = root / "results/v1.0.0/release.yaml"
    manifest.write_text(manifest.read_text().replace("threshold: 300 ms", "threshold: 100 ms"))
    code, out = sign(root, capsys)
    assert code == 2 and "nothing was written" in out
    assert not (root / "results/v1.0.0/signoffs.yaml").exists()
    code, out = sign(root, capsys, "--comment", "Shipping with the known slow endpoint; fix in v1.0.1.")
    assert code == 0, out
    assert "approved despite FAIL by Jonas Berg (Engineering manager)" in out
    assert (root / "results/v1.0.0/signoffs.yaml").read_text().startswith("# Sign-offs, appended by `reportgen sign`")
