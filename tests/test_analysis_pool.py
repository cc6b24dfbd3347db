"""The analysis's caches filled in worker processes first: the same results as a serial analysis, and nothing that
only a successful analysis may write written by a failing one."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest

from reportgen import analysis_pool, compare_stats, input_cache, page_pool, samples
from reportgen.analyse import analyse
from reportgen.cache import FOLDER
from reportgen.errors import ReportgenError
from reportgen.input_cache import DIGESTS
from reportgen.page_pool import PROCESSES
from reportgen.project import Project
from tests.conftest import copy_of_the_example


def _dumps(project: Project) -> list[str]:
    return [r.model_dump_json() for r in analyse(project)]


def _refuse(*_: object, **__: object) -> None:
    raise AssertionError("computed again after the workers")


@pytest.fixture
def workers(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two worker processes even for the example's three releases, as `reportgen` allows them."""
    monkeypatch.setattr(page_pool, "_ALLOWED", [True])
    monkeypatch.setenv(PROCESSES, "2")


def test_a_warmed_analysis_is_the_serial_one_and_computes_nothing_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, workers: None
) -> None:
    """After two workers analysed the example's releases, the serial analysis extracts no artifact, reads no raw
    sample and runs no bootstrap (own intervals and the relative target's comparison) itself, and its results
    are field for field those of an analysis without workers; the workers wrote no parsed manifest or digest,
    they handed them back. Analysed again, with nothing changed, no worker is started."""
    project = Project(copy_of_the_example(tmp_path))
    # Past the racy window of the copies (input_cache.RACY_NS; the spawned workers keep no monkeypatch): files
    # hashed within it are not kept, and the analyses here now take less than it.
    time.sleep(input_cache.RACY_NS / 1e9)
    monkeypatch.setenv(PROCESSES, "1")
    serial = _dumps(project)
    shutil.rmtree(project.root / FOLDER)
    monkeypatch.setenv(PROCESSES, "2")
    kept = analysis_pool.warm(project, project.release_ids())
    assert len(kept.trees) >= 3 and len(kept.digests) >= 3
    assert not (project.root / FOLDER / "yaml").exists() and not (project.root / FOLDER / DIGESTS).exists()
    monkeypatch.setenv(PROCESSES, "1")
    monkeypatch.setattr("reportgen.collect.adapters.extract", _refuse)
    monkeypatch.setattr(samples, "_READERS", dict.fromkeys(samples._READERS, _refuse))
    monkeypatch.setattr(compare_stats, "_interval", _refuse)
    monkeypatch.setattr(compare_stats, "_difference", _refuse)
    assert _dumps(project) == serial
    monkeypatch.setenv(PROCESSES, "2")
    monkeypatch.setattr(analysis_pool, "ProcessPoolExecutor", _refuse)  # analysed before: no worker is started
    assert _dumps(project) == serial


def test_a_failing_analysis_with_workers_fails_as_the_serial_one_and_keeps_no_manifest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, workers: None
) -> None:
    """A release whose manifest is wrong fails the analysis with workers with the serial analysis's message, and
    neither parsed manifests nor file digests are written (the workers hand them back; only success keeps them)."""
    project = Project(copy_of_the_example(tmp_path))
    manifest = project.release_dir("v1.1.0") / "release.yaml"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace("status: final", "status: finished", 1))
    messages = []
    for count in ("1", "2"):
        monkeypatch.setenv(PROCESSES, count)
        shutil.rmtree(project.root / FOLDER, ignore_errors=True)
        with pytest.raises(ReportgenError) as failed:
            analyse(project)
        messages.append(str(failed.value))
        assert not (project.root / FOLDER / "yaml").exists() and not (project.root / FOLDER / DIGESTS).exists()
    assert messages[0] == messages[1] and "status" in messages[0]


def test_without_a_cache_the_analysis_stays_in_one_process(monkeypatch: pytest.MonkeyPatch, workers: None) -> None:
    """With REPORTGEN_NO_CACHE=1 nothing the workers computed would reach the serial analysis: none is started."""
    monkeypatch.setenv("REPORTGEN_NO_CACHE", "1")
    monkeypatch.setattr(analysis_pool, "ProcessPoolExecutor", _refuse)
    kept = analysis_pool.warm(Project(Path("/nonexistent")), ["v1", "v2", "v3"])
    assert kept.digests == {} and kept.trees == {}
