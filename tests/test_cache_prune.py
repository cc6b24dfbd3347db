"""The cache is bounded: entries no build used for the set days go after a build; an entry in use never does."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import pytest

from reportgen import assemble, build, cache_prune, input_cache
from reportgen.cache import FOLDER
from reportgen.cli import main
from reportgen.errors import BuildError
from reportgen.project import Project
from tests.support.project import make_project

MONTH = 30 * 86400


def _entries(root: Path) -> set[str]:
    folder = root / FOLDER
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}


def _age(root: Path, seconds: float) -> None:
    """Make every file of the cache look last used ``seconds`` ago."""
    then = time.time() - seconds
    for path in (root / FOLDER).rglob("*"):
        if path.is_file():
            os.utime(path, (then, then))


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Project:
    """A one-release repository built once, with the cache on and unused entries kept 0 days; files the test just
    wrote count as settled, so whether digests.json is kept does not depend on how quickly the builds follow."""
    monkeypatch.delenv("REPORTGEN_NO_CACHE", raising=False)
    monkeypatch.setattr(input_cache, "RACY_NS", 0)
    monkeypatch.setenv(cache_prune.DAYS, "0")
    project = Project(make_project(tmp_path))
    build.build(project)
    return project


def test_the_cache_stops_growing_across_builds_of_changing_inputs(project: Project) -> None:
    """Each build after a change of the manifest leaves as many entries as the one before: the old release's
    pages, manifest tree and comparisons are removed once no build uses them."""
    manifest = project.release_dir("v1.0.0") / "release.yaml"
    counts = []
    for title in ("Second", "Third", "Fourth"):
        manifest.write_text(manifest.read_text().replace("title: ", f"title: {title} ", 1))
        _age(project.root, MONTH)  # what the last build used is old now, however quickly the builds follow
        build.build(project)
        counts.append(len(_entries(project.root)))
    assert counts[0] == counts[1] == counts[2]


def test_an_entry_in_use_is_never_removed(project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    """Entries a month old that a no-change build reads stay, even with 0 days: the next build renders no page
    and runs no MkDocs."""
    _age(project.root, MONTH)
    build.build(project)
    rendered: list[str] = []
    real = assemble.release_page

    def spy(result: Any, *args: Any, **kwargs: Any) -> Any:
        rendered.append(result.id)
        return real(result, *args, **kwargs)

    runs: list[Path] = []
    monkeypatch.setattr(assemble, "release_page", spy)
    monkeypatch.setattr(build, "run_engine", lambda config, site, **kwargs: runs.append(site))
    build.build(project)
    assert rendered == [] and runs == []


def test_only_old_entries_inside_the_cache_are_removed(tmp_path: Path) -> None:
    """Old entries go; an entry used since the build started, a file the cache does not name as an entry, a
    symlink's target outside the cache and the kept digests stay."""
    folder = tmp_path / FOLDER
    outside = tmp_path / "precious.json"
    outside.write_text("mine")
    names = {
        "old": f"pages/ab/{'a' * 64}.json",
        "fresh": f"pages/ab/{'b' * 64}.json",
        "foreign": "pages/ab/notes.txt",
        "record": f"site/{'c' * 32}.json",
        "digests": "digests.json",
    }
    for name in names.values():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text("{}")
    (folder / f"charts/cd/{'d' * 64}").parent.mkdir(parents=True)
    (folder / f"charts/cd/{'d' * 64}").symlink_to(outside)
    _age(tmp_path, MONTH)
    started = time.time()
    os.utime(folder / names["fresh"])
    pruned = cache_prune.prune(tmp_path, started, days=0)
    assert pruned.entries == 2
    assert _entries(tmp_path) == {names["fresh"], names["foreign"], names["digests"], f"charts/cd/{'d' * 64}"}
    assert outside.read_text() == "mine"
    assert not (folder / "site").exists()  # its one record removed, the folder left empty goes too


def test_a_symlinked_cache_folder_is_left_alone(tmp_path: Path) -> None:
    """When .reportgen-cache is a symlink, nothing behind it is removed (it may lead anywhere)."""
    elsewhere = tmp_path / "elsewhere"
    entry = elsewhere / f"pages/ab/{'a' * 64}.json"
    entry.parent.mkdir(parents=True)
    entry.write_text("{}")
    root = tmp_path / "repo"
    root.mkdir()
    (root / FOLDER).symlink_to(elsewhere)
    _age(elsewhere, MONTH)
    assert cache_prune.prune(root, time.time(), days=0).entries == 0
    assert entry.exists()


def test_entries_used_within_the_set_days_stay(tmp_path: Path) -> None:
    """An entry last used two days ago stays with the default of seven days and goes with one."""
    entry = tmp_path / FOLDER / f"yaml/ab/{'a' * 64}.pickle"
    entry.parent.mkdir(parents=True)
    entry.write_bytes(b"")
    _age(tmp_path, 2 * 86400)
    assert cache_prune.prune(tmp_path, time.time(), cache_prune.DEFAULT_KEEP_DAYS).entries == 0
    assert cache_prune.prune(tmp_path, time.time(), days=1).entries == 1


@pytest.mark.parametrize("setting", ["-1", "a week", "inf", "nan"])
def test_a_setting_that_is_not_days_is_refused(
    setting: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """REPORTGEN_CACHE_DAYS that is not a number of days 0 or more stops the build before anything is written."""
    monkeypatch.setenv(cache_prune.DAYS, setting)
    with pytest.raises(BuildError, match="REPORTGEN_CACHE_DAYS"):
        cache_prune.keep_days()
    root = make_project(tmp_path)
    assert main(["-C", str(root), "build"]) == 2
    assert "REPORTGEN_CACHE_DAYS" in capsys.readouterr().err
    assert not (root / "site").exists()
