"""The extraction cache: a rebuild re-reads only artifacts whose bytes changed, and gives the same results."""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from reportgen import adapters, collect
from reportgen.analyse import analyse
from reportgen.cache import FOLDER
from reportgen.project import Project
from tests.support.project import stream_project

P975 = (
    "  - id: p975\n"
    "    measured: {artifact: k6/stream.ndjson.gz, metric: http_req_duration, stat: p97.5, labels: {name: slow}}\n"
)


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The file names adapters read, in order (a spy around the real extract)."""
    seen: list[str] = []
    real = adapters.extract

    def spy(path: Path, *args: Any, **kwargs: Any) -> Any:
        seen.append(path.name)
        return real(path, *args, **kwargs)

    monkeypatch.setattr(collect.adapters, "extract", spy)
    monkeypatch.delenv("REPORTGEN_NO_CACHE", raising=False)
    yield seen


def test_a_rebuild_reads_only_the_changed_artifact(tmp_path: Path, reads: list[str]) -> None:
    """A second analysis reads no artifact and gives the same result; after one artifact's bytes change, only that
    one is read again."""
    root = stream_project(tmp_path, P975)
    first = analyse(Project(root))
    assert sorted(reads) == ["stream.ndjson.gz", "summary-export.json"]
    reads.clear()
    assert analyse(Project(root)) == first
    assert reads == []
    export = root / "results/v1.0.0/k6/summary-export.json"
    export.write_text(export.read_text() + "\n")
    analyse(Project(root))
    assert reads == ["summary-export.json"]
    assert (root / FOLDER / "extractions").is_dir()


def test_what_the_manifest_asks_is_part_of_the_key(tmp_path: Path, reads: list[str]) -> None:
    """Asking a stream for another percentile re-reads it (the cached extraction lacks that figure)."""
    root = stream_project(tmp_path, P975)
    analyse(Project(root))
    manifest = root / "results/v1.0.0/release.yaml"
    manifest.write_text(manifest.read_text().replace("p97.5", "p99.5"))
    reads.clear()
    (result,) = analyse(Project(root))
    assert reads == ["stream.ndjson.gz"]
    assert result.metric("p975").value is not None


def test_a_damaged_entry_is_read_again_and_replaced(tmp_path: Path, reads: list[str]) -> None:
    """A cache entry that is not a valid extraction is ignored: the artifact is read and the entry rewritten."""
    root = stream_project(tmp_path, P975)
    first = analyse(Project(root))
    for entry in (root / FOLDER).rglob("*.json"):
        entry.write_bytes(gzip.compress(b"not json"))
    reads.clear()
    assert analyse(Project(root)) == first
    assert sorted(reads) == ["stream.ndjson.gz", "summary-export.json"]
    reads.clear()
    analyse(Project(root))
    assert reads == []


def test_the_cache_can_be_turned_off(tmp_path: Path, reads: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """With REPORTGEN_NO_CACHE=1 every analysis reads every artifact and writes no cache folder."""
    monkeypatch.setenv("REPORTGEN_NO_CACHE", "1")
    root = stream_project(tmp_path, P975)
    analyse(Project(root))
    analyse(Project(root))
    assert len(reads) == 4
    assert not (root / FOLDER).exists()


def test_init_ignores_the_cache_folder(tmp_path: Path) -> None:
    """A repository made by init keeps the cache out of git."""
    root = stream_project(tmp_path, P975)
    assert f"{FOLDER}/" in (root / ".gitignore").read_text().splitlines()
