"""Incremental builds: a rebuild renders only the releases whose inputs changed, and gives the bytes a cold build
gives."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from reportgen import build
from reportgen.analyse import analyse
from reportgen.cache import charts_cached
from reportgen.project import Project
from tests.support.project import BASE_MANIFEST, K6_STREAM, make_project


def _manifest(release: str, date: str, baseline: str | None) -> str:
    """The base manifest plus the k6 stream (raw samples: the comparison is tested for noise)."""
    text = BASE_MANIFEST.format(release=release, date=date).replace(
        "        format: k6-summary-export\n", "        format: k6-summary-export\n      - k6/stream.ndjson.gz\n"
    )
    return text.replace("status: final", f"status: final\nbaseline: {baseline}") if baseline else text


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Project:
    """Three releases, each the baseline of the next, with the cache on."""
    monkeypatch.delenv("REPORTGEN_NO_CACHE", raising=False)
    chain = [("v1.0.0", "2026-09-01", None), ("v1.1.0", "2026-10-01", "v1.0.0"), ("v1.2.0", "2026-11-01", "v1.1.0")]
    root = make_project(tmp_path, {r: _manifest(r, d, b) for r, d, b in chain})
    for release, _, _ in chain:
        shutil.copyfile(K6_STREAM, root / "results" / release / "k6" / "stream.ndjson.gz")
    return Project(root)


def _generate(project: Project) -> dict[str, bytes]:
    with charts_cached(project.root):
        files, home = build.generate(project, analyse(project))
    return {n: c.read_bytes() if isinstance(c, Path) else c for n, c in files.items()} | {"home": home}


def _retitle(project: Project, release: str) -> None:
    manifest = project.release_dir(release) / "release.yaml"
    manifest.write_text(manifest.read_text().replace("title: Demo", "title: Changed demo", 1))


def test_a_rebuild_renders_only_the_releases_whose_inputs_changed(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Nothing changed: no release page model is built; one release changed: that one and the releases whose
    baseline it is."""
    rendered: list[str] = []
    real = build.release_page

    def spy(result: Any, *args: Any, **kwargs: Any) -> Any:
        rendered.append(result.id)
        return real(result, *args, **kwargs)

    monkeypatch.setattr(build, "release_page", spy)
    _generate(project)
    assert sorted(rendered) == ["v1.0.0", "v1.1.0", "v1.2.0"]
    rendered.clear()
    _generate(project)
    assert rendered == []
    _retitle(project, "v1.2.0")
    _generate(project)
    assert rendered == ["v1.2.0"]
    rendered.clear()
    _retitle(project, "v1.0.0")
    _generate(project)
    assert sorted(rendered) == ["v1.0.0", "v1.1.0"]


def test_pages_from_the_cache_are_the_bytes_of_a_cold_render(project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every file of site_docs/releases/ and the home page are the same bytes from a warm cache as without one."""
    _generate(project)
    _retitle(project, "v1.1.0")
    warm = _generate(project)
    monkeypatch.setenv("REPORTGEN_NO_CACHE", "1")
    cold = _generate(project)
    assert warm.keys() == cold.keys()
    assert [name for name in cold if warm[name] != cold[name]] == []
    assert b"Changed demo v1.1.0" in warm["v1.1.0/index.md"]
