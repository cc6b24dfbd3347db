"""Analysed releases kept by their inputs (reportgen.result_cache), on the example's three releases: v1.0.0 and
v1.1.0 carry sign-offs, v1.2.0 has targets relative to v1.1.0."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from reportgen import analyse as analyse_module
from reportgen.analyse import analyse
from reportgen.cache import FOLDER
from reportgen.errors import ReportgenError
from reportgen.project import Project
from tests.conftest import copy_of_the_example


@pytest.fixture
def analysed(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The releases analysed from their files (a spy around the real analysis); the cache is on."""
    seen: list[str] = []
    real = analyse_module.analyse_release

    def spy(project: Project, release: str, *args: Any, **kwargs: Any) -> Any:
        seen.append(release)
        return real(project, release, *args, **kwargs)

    monkeypatch.setattr(analyse_module, "analyse_release", spy)
    monkeypatch.delenv("REPORTGEN_NO_CACHE", raising=False)
    yield seen


@pytest.fixture
def example(tmp_path: Path, analysed: list[str]) -> Project:
    project = Project(copy_of_the_example(tmp_path))
    analyse(project)
    analysed.clear()
    return project


def _dumps(project: Project) -> list[str]:
    return [r.model_dump_json() for r in analyse(project)]


def _uncached(project: Project, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    with monkeypatch.context() as patch:
        patch.setenv("REPORTGEN_NO_CACHE", "1")
        return _dumps(project)


def test_an_unchanged_release_is_not_analysed_again(
    example: Project, analysed: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """With nothing changed no release is analysed again, and the kept results are, as JSON, those of an analysis
    without any cache."""
    kept = _dumps(example)
    assert analysed == []
    assert kept == _uncached(example, monkeypatch)


def test_sign_offs_are_read_again_whatever_is_kept(
    example: Project, analysed: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whether a signature holds depends on the allowed signers (and their validity dates), not on the release's
    files: a kept release's sign-offs are read and checked again on every analysis, without analysing the release."""
    signoffs = example.release_dir("v1.1.0") / "signoffs.yaml"
    (before,) = (r for r in analyse(example) if r.id == "v1.1.0")
    assert before.signoffs
    signoffs.unlink()
    (after,) = (r for r in analyse(example) if r.id == "v1.1.0")
    assert analysed == [] and after.signoffs == []
    assert _dumps(example) == _uncached(example, monkeypatch)


def test_a_changed_baseline_analyses_the_releases_relative_to_it(
    example: Project, analysed: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """v1.2.0's files are unchanged, but its relative targets read v1.1.0's result, which changed: it is analysed
    again, and every result is what an analysis without a cache gives."""
    manifest = example.release_dir("v1.1.0") / "release.yaml"
    text = manifest.read_text(encoding="utf-8")
    target = text.index("    measured:")  # v1.1.0's first metric reads another statistic: its value changes
    end = text.index("\n", target)
    assert "stat: p95" in text[target:end]
    manifest.write_text(text[:target] + text[target:end].replace("stat: p95", "stat: p90") + text[end:])
    kept = _dumps(example)
    assert sorted(analysed) == ["v1.1.0", "v1.2.0"]
    assert kept == _uncached(example, monkeypatch)


def test_any_new_or_changed_file_in_the_folder_analyses_the_release_again(
    example: Project, analysed: list[str]
) -> None:
    """A file the manifest does not name yet counts too (an artifact written before the manifest that names it)."""
    (example.release_dir("v1.2.0") / "notes.txt").write_text("draft\n")
    analyse(example)
    assert "v1.2.0" in analysed
    analysed.clear()
    analyse(example)
    assert "v1.2.0" not in analysed
    (example.release_dir("v1.2.0") / "notes.txt").write_text("final\n")
    analyse(example)
    assert "v1.2.0" in analysed


def test_a_damaged_entry_is_analysed_again(
    example: Project, analysed: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A kept result that cannot be read is ignored: the release is analysed and its entry rewritten."""
    for entry in (example.root / FOLDER / "results").rglob("*.pickle"):
        entry.write_bytes(b"not a pickle")
    again = _dumps(example)
    assert sorted(analysed) == ["v1.0.0", "v1.1.0", "v1.2.0"]
    assert again == _uncached(example, monkeypatch)
    analysed.clear()
    analyse(example)
    assert "v1.2.0" not in analysed


def test_a_failing_analysis_keeps_no_result(tmp_path: Path, analysed: list[str]) -> None:
    """A release that fails leaves no kept result of any release (a failing command writes nothing)."""
    project = Project(copy_of_the_example(tmp_path))
    shutil.rmtree(project.release_dir("v1.0.0") / "bench")
    with pytest.raises(Exception, match="bench"):
        analyse(project)
    assert not (project.root / FOLDER / "results").exists()


def test_a_kept_result_keeps_its_manifest_tree_in_use(example: Project, analysed: list[str]) -> None:
    """The worker pool skips releases whose manifest tree is kept (analysed before): a build that only used kept
    results marks the trees used too, so pruning never drops them and the workers' start with them."""
    trees = list((example.root / FOLDER / "yaml").rglob("*.pickle"))
    for tree in trees:
        os.utime(tree, (0, 0))
    analyse(example)
    assert analysed == [] and all(tree.stat().st_mtime > 0 for tree in trees)


def _add_release(project: Project, release: str, baseline: str) -> None:
    """A copy of v1.2.0 as ``release``, a month later, compared with ``baseline``: what a project adds each release."""
    folder = project.release_dir(release)
    shutil.copytree(project.release_dir("v1.2.0"), folder)
    (folder / "signoffs.yaml").unlink(missing_ok=True)
    manifest = folder / "release.yaml"
    text = manifest.read_text(encoding="utf-8").replace("release: v1.2.0", f"release: {release}", 1)
    text = text.replace("date: 2026-11-01", "date: 2026-12-01", 1).replace("baseline: v1.1.0", f"baseline: {baseline}")
    manifest.write_text(text, encoding="utf-8")


def _cite(project: Project, release: str, cited: str) -> None:
    """``release``'s summary cites a figure of release ``cited``."""
    manifest = project.release_dir(release) / "release.yaml"
    text = manifest.read_text(encoding="utf-8")
    citation = f'  Its p95 search latency: {{{{ metric("checkout_p95", release="{cited}") }}}}.\n'
    manifest.write_text(text.replace("\nenvironment:", f"{citation}\nenvironment:", 1), encoding="utf-8")


def test_a_release_added_analyses_only_that_release(
    example: Project, analysed: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A kept result depends on the release list only through the ids it names (its baseline, the releases it
    cites), so adding a release analyses that release alone, and every result is an uncached analysis's."""
    _add_release(example, "v1.3.0", "v1.2.0")
    kept = _dumps(example)
    assert analysed == ["v1.3.0"]
    assert kept == _uncached(example, monkeypatch)


def test_a_citation_of_a_release_not_there_yet_holds_once_it_is_added(
    example: Project, analysed: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A release citing one that does not exist fails (and keeps nothing); once that release is added the citing
    one is analysed again and holds."""
    _cite(example, "v1.2.0", "v1.3.0")
    with pytest.raises(ReportgenError, match=re.escape("unknown release 'v1.3.0'")):
        analyse(example)
    _add_release(example, "v1.3.0", "v1.2.0")
    analysed.clear()
    kept = _dumps(example)
    assert sorted(analysed) == ["v1.2.0", "v1.3.0"]
    assert kept == _uncached(example, monkeypatch)


@pytest.mark.parametrize("named", ["cited", "baseline"])
def test_a_release_removed_analyses_again_the_releases_naming_it(example: Project, named: str) -> None:
    """A release that a kept result names (cites, or has as its baseline without comparing with it) is removed: the
    kept result is not used, and the analysis says what is wrong instead of building pages that link to nothing."""
    if named == "cited":
        _add_release(example, "v1.3.0", "v1.2.0")
        _cite(example, "v1.1.0", "v1.3.0")
        analyse(example)
        shutil.rmtree(example.release_dir("v1.3.0"))
        expected = "unknown release 'v1.3.0'"
    else:
        shutil.rmtree(example.release_dir("v1.0.0"))  # v1.1.0's baseline, which no target of v1.1.0 compares with
        expected = "baseline: 'v1.0.0' is not a release in results/"
    with pytest.raises(ReportgenError, match=re.escape(expected)):
        analyse(example)
