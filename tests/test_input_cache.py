"""Inputs read once per change: file digests kept by file status (git's index rule), YAML trees by content."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from reportgen import input_cache, load
from reportgen.analyse import analyse
from reportgen.cache import FOLDER
from reportgen.cli import main
from reportgen.input_cache import DIGESTS, FileDigests, YamlTrees
from reportgen.project import Project
from tests.support.project import make_project

ARTIFACT = "results/v1.0.0/k6/summary-export.json"


@pytest.fixture
def hashed(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The files whose bytes are hashed, in order (a spy around the real hashing); the cache is on."""
    seen: list[str] = []
    real = input_cache._hash_stream

    def spy(stream: Any) -> tuple[str, int]:
        seen.append(Path(stream.name).name)
        return real(stream)

    monkeypatch.setattr(input_cache, "_hash_stream", spy)
    monkeypatch.delenv("REPORTGEN_NO_CACHE", raising=False)
    yield seen


@pytest.fixture
def old_files(monkeypatch: pytest.MonkeyPatch) -> None:
    """Files written by the test count as settled (no racy window), as a user's artifacts are at build time."""
    monkeypatch.setattr(input_cache, "RACY_NS", 0)


def _rewrite_keeping_size_and_mtime(path: Path, data: bytes) -> None:
    """New bytes of the same length, with the old modification time put back (as `cp -p` or an unpacker does)."""
    status = path.stat()
    time.sleep(0.02)  # past the file system's clock tick: a rewrite changes ctime, which cannot be set back
    path.write_bytes(data)
    os.utime(path, ns=(status.st_atime_ns, status.st_mtime_ns))
    assert path.stat().st_size == status.st_size and path.stat().st_mtime_ns == status.st_mtime_ns


def _flip_last_digit(path: Path) -> bytes:
    data = path.read_bytes()
    index = max(i for i, c in enumerate(data) if chr(c).isdigit())
    return data[:index] + str((int(chr(data[index])) + 1) % 10).encode() + data[index + 1 :]


def test_an_unchanged_artifact_is_not_hashed_again(tmp_path: Path, hashed: list[str], old_files: None) -> None:
    """A second analysis hashes no file and gives the same result; a changed artifact is hashed again. (The first
    hashes every file of the release folder: the key of its kept result, reportgen.result_cache.)"""
    root = make_project(tmp_path)
    first = analyse(Project(root))
    assert sorted(hashed) == ["release.yaml", "summary-export.json"]
    hashed.clear()
    assert analyse(Project(root)) == first
    assert hashed == []
    artifact = root / ARTIFACT
    artifact.write_bytes(artifact.read_bytes() + b"\n")
    (result,) = analyse(Project(root))
    assert hashed == ["summary-export.json"]
    assert result.artifacts[0].sha256 == hashlib.sha256(artifact.read_bytes()).hexdigest()


def test_same_size_and_mtime_with_new_bytes_is_hashed_again(tmp_path: Path, old_files: None) -> None:
    """Bytes rewritten with the same size and the old mtime put back still change the digest (ctime is in the key)."""
    path = tmp_path / "artifact.json"
    path.write_bytes(b'{"value": 120}')
    digests = FileDigests(tmp_path / DIGESTS)
    assert digests.sha256(path)[0] == hashlib.sha256(b'{"value": 120}').hexdigest()
    _rewrite_keeping_size_and_mtime(path, b'{"value": 121}')
    assert digests.sha256(path)[0] == hashlib.sha256(b'{"value": 121}').hexdigest()


def test_a_file_hashed_right_after_it_changed_is_not_kept(tmp_path: Path, hashed: list[str]) -> None:
    """A file modified within the racy window of its hashing is hashed again next time (its status could stay the
    same through a rewrite within one clock tick)."""
    path = tmp_path / "artifact.json"
    path.write_bytes(b"{}")
    digests = FileDigests(tmp_path / DIGESTS)
    digests.sha256(path)
    digests.sha256(path)
    assert hashed == ["artifact.json", "artifact.json"]


def test_a_replaced_file_is_hashed_again(tmp_path: Path, old_files: None) -> None:
    """A file replaced by another (a new inode, as an atomic save makes) with the same size and mtime is hashed again."""
    path, other = tmp_path / "artifact.json", tmp_path / "other.json"
    path.write_bytes(b"[1]")
    digests = FileDigests(tmp_path / DIGESTS)
    digests.sha256(path)
    other.write_bytes(b"[2]")
    os.utime(other, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns))
    os.replace(other, path)
    assert digests.sha256(path)[0] == hashlib.sha256(b"[2]").hexdigest()


def _forge_old_digest(root: Path) -> tuple[str, str]:
    """Change the artifact's bytes, then make the kept digests claim its old SHA-256 for its new status."""
    artifact = root / ARTIFACT
    old = hashlib.sha256(artifact.read_bytes()).hexdigest()
    _rewrite_keeping_size_and_mtime(artifact, _flip_last_digit(artifact))
    record = root / FOLDER / DIGESTS
    kept = json.loads(record.read_bytes())
    status = artifact.stat()
    entry = [status.st_size, status.st_mtime_ns, status.st_ctime_ns, status.st_ino, status.st_dev, old]
    kept["files"][str(artifact.absolute())] = entry
    record.write_text(json.dumps(kept))
    return old, hashlib.sha256(artifact.read_bytes()).hexdigest()


def test_verify_and_rehash_hash_the_bytes_whatever_is_kept(
    tmp_path: Path, old_files: None, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`reportgen verify` hashes every file: a changed artifact is found even when the kept digests claim its
    old SHA-256 for its current status (which a build would trust)."""
    monkeypatch.delenv("REPORTGEN_NO_CACHE", raising=False)
    root = make_project(tmp_path)
    assert main(["-C", str(root), "build"]) == 0
    old, new = _forge_old_digest(root)
    assert analyse(Project(root))[0].artifacts[0].sha256 == old  # the forged entry is what a build would use
    assert analyse(Project(root), rehash=True)[0].artifacts[0].sha256 == new
    capsys.readouterr()
    assert main(["-C", str(root), "verify"]) == 1
    assert new in capsys.readouterr().out


def test_no_cache_hashes_every_file_and_keeps_nothing(
    tmp_path: Path, hashed: list[str], old_files: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With REPORTGEN_NO_CACHE=1 every analysis hashes every file and writes no digests or trees."""
    monkeypatch.setenv("REPORTGEN_NO_CACHE", "1")
    root = make_project(tmp_path)
    analyse(Project(root))
    analyse(Project(root))
    assert hashed == ["summary-export.json", "summary-export.json"]
    assert not (root / FOLDER).exists()


def test_digests_of_deleted_files_are_dropped(tmp_path: Path, old_files: None) -> None:
    """The kept digests name only files that still exist, so the record does not outgrow the repository."""
    kept, gone = tmp_path / "kept.json", tmp_path / "gone.json"
    kept.write_bytes(b"1")
    gone.write_bytes(b"2")
    digests = FileDigests(tmp_path / DIGESTS)
    digests.sha256(kept)
    digests.sha256(gone)
    gone.unlink()
    digests.save()
    assert list(json.loads((tmp_path / DIGESTS).read_bytes())["files"]) == [str(kept.absolute())]


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The YAML files ruamel parses (a spy around the real parse); the cache is on."""
    seen: list[str] = []
    real = load._parse

    def spy(path: Path, text: str) -> Any:
        seen.append(path.name)
        return real(path, text)

    monkeypatch.setattr(load, "_parse", spy)
    monkeypatch.delenv("REPORTGEN_NO_CACHE", raising=False)
    yield seen


def test_an_unchanged_manifest_is_not_parsed_again(tmp_path: Path, parses: list[str]) -> None:
    """A second analysis parses no manifest and gives the same result, positions included; new bytes are parsed."""
    root = make_project(tmp_path)
    manifest = root / "results/v1.0.0/release.yaml"
    first = analyse(Project(root))
    assert parses == ["release.yaml"]
    parses.clear()
    assert analyse(Project(root)) == first
    assert parses == []
    manifest.write_text(manifest.read_text().replace("300 ms", "250 ms"))
    (result,) = analyse(Project(root))
    assert parses == ["release.yaml"]
    assert result.targets[0].threshold is not None and result.targets[0].threshold.value == 250


def test_a_kept_tree_gives_the_same_positions_and_errors(tmp_path: Path, parses: list[str]) -> None:
    """A manifest whose schema errors are found after parsing gives the same file:line:col from a kept tree."""
    trees = YamlTrees(tmp_path / "yaml")
    path = tmp_path / "release.yaml"
    path.write_text("release: v1\ntitle: T\ndate: 2026-01-01\nstatus: final\nmetrics:\n  - id: a\n    measurd: {}\n")
    messages = []
    for _ in range(2):
        with pytest.raises(Exception) as caught:
            load.load_manifest(path, trees)
        messages.append(str(caught.value))
        trees.save()
    assert parses == ["release.yaml"]
    assert messages[0] == messages[1] and "release.yaml:7:5" in messages[0]


def test_a_failing_analysis_keeps_no_tree(tmp_path: Path, parses: list[str]) -> None:
    """A manifest that parses but fails its schema leaves the cache folder as it was (a failing command writes
    nothing)."""
    root = make_project(tmp_path)
    manifest = root / "results/v1.0.0/release.yaml"
    manifest.write_text(manifest.read_text().replace("status: final", "status: final\nunknown_field: 1"))
    with pytest.raises(Exception, match="unknown_field"):
        analyse(Project(root))
    assert not (root / FOLDER / "yaml").exists() and not (root / FOLDER / DIGESTS).exists()


def test_a_damaged_tree_is_parsed_again(tmp_path: Path, parses: list[str]) -> None:
    """A kept tree that cannot be read is ignored: the file is parsed and the entry rewritten."""
    root = make_project(tmp_path)
    analyse(Project(root))
    (entry,) = (root / FOLDER / "yaml").rglob("*.pickle")
    entry.write_bytes(b"not a pickle")
    shutil.rmtree(root / FOLDER / "results")  # no kept result either: the manifest must be read
    parses.clear()
    first = analyse(Project(root))
    assert parses == ["release.yaml"]
    parses.clear()
    assert analyse(Project(root)) == first
    assert parses == []


def test_a_sign_off_records_the_bytes_whatever_is_kept(
    tmp_path: Path, old_files: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`reportgen sign` hashes every file: the evidence it signs is the artifact's current SHA-256, not a kept one."""
    monkeypatch.delenv("REPORTGEN_NO_CACHE", raising=False)
    root = make_project(tmp_path)
    analyse(Project(root))
    old, new = _forge_old_digest(root)
    sign = ["-C", str(root), "sign", "v1.0.0", "--role", "QA lead", "--name", "Ada", "--decision", "approve"]
    assert main(sign) == 0
    signed = (root / "results/v1.0.0/signoffs.yaml").read_text()
    assert new in signed and old not in signed
