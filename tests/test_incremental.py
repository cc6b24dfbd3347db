"""Incremental builds: a rebuild renders only the releases whose inputs changed, and gives the bytes a cold build
gives."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from reportgen import assemble, build
from reportgen.analyse import analyse
from reportgen.cache import charts_cached
from reportgen.errors import ReportgenError
from reportgen.project import Project
from tests.support.project import (
    BASE_MANIFEST,
    K6_STREAM,
    add_releases,
    cold_site_digest,
    make_project,
    pages_built,
    tree_digest,
)


def _manifest(release: str, date: str, baseline: str | None, *, stream: bool = True) -> str:
    """The base manifest, with the k6 stream (raw samples: the comparison is tested for noise) unless not ``stream``."""
    text = BASE_MANIFEST.format(release=release, date=date)
    if stream:
        text = text.replace(
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
    real = assemble.release_page

    def spy(result: Any, *args: Any, **kwargs: Any) -> Any:
        rendered.append(result.id)
        return real(result, *args, **kwargs)

    monkeypatch.setattr(assemble, "release_page", spy)  # as reportgen.page_pool calls it
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


def test_a_release_added_renders_that_release_alone_and_the_bytes_of_a_cold_render(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No release page shows the release list (only the home page, the release lists and the trends do, which are
    rendered on every build): adding a release builds its page model alone, and every file is a cold render's,
    the new release in the lists and trends included."""
    rendered: list[str] = []
    real = assemble.release_page

    def spy(result: Any, *args: Any, **kwargs: Any) -> Any:
        rendered.append(result.id)
        return real(result, *args, **kwargs)

    _generate(project)
    monkeypatch.setattr(assemble, "release_page", spy)
    add_releases(project.root, {"v1.3.0": _manifest("v1.3.0", "2026-12-01", "v1.2.0")})
    shutil.copyfile(K6_STREAM, project.release_dir("v1.3.0") / "k6" / "stream.ndjson.gz")
    warm = _generate(project)
    assert rendered == ["v1.3.0"]
    assert b"v1.3.0" in warm["index.md"] and b"v1.3.0" in warm["trends.md"]
    monkeypatch.setenv("REPORTGEN_NO_CACHE", "1")
    cold = _generate(project)
    assert warm.keys() == cold.keys()
    assert [name for name in cold if warm[name] != cold[name]] == []


def test_a_citation_of_a_release_added_later_renders_with_its_figure(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A release citing one not there yet does not build; once that release is added, the citing page shows the
    cited figure, as a cold render gives it."""
    manifest = project.release_dir("v1.2.0") / "release.yaml"
    citation = "summary: \"p95 in v1.3.0: {{ metric('p95_slow', release='v1.3.0') }}\"\n"
    manifest.write_text(citation + manifest.read_text())
    with pytest.raises(ReportgenError, match=r"unknown release .v1\.3\.0."):
        _generate(project)
    add_releases(project.root, {"v1.3.0": _manifest("v1.3.0", "2026-12-01", "v1.2.0")})
    shutil.copyfile(K6_STREAM, project.release_dir("v1.3.0") / "k6" / "stream.ndjson.gz")
    warm = _generate(project)
    assert b"p95 in v1.3.0: " in warm["v1.2.0/index.md"]
    monkeypatch.setenv("REPORTGEN_NO_CACHE", "1")
    assert _generate(project) == warm


@pytest.fixture
def built(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Project, list[str]]:
    """Three small releases built once (cold); the list records each page MkDocs builds from then on."""
    monkeypatch.delenv("REPORTGEN_NO_CACHE", raising=False)
    project = Project(make_project(tmp_path, {r: _manifest(r, d, b, stream=False) for r, d, b in SMALL}))
    build.build(project)
    return project, pages_built(monkeypatch)


SMALL = [("v1.0.0", "2026-09-01", None), ("v1.1.0", "2026-10-01", "v1.0.0"), ("v1.2.0", "2026-11-01", "v1.1.0")]


def test_an_incremental_build_is_the_bytes_of_a_cold_build(built: tuple[Project, list[str]]) -> None:
    """After one release changed, MkDocs builds only the pages whose Markdown changed (that release's, the home
    page and the release list, which show its title), and the site is byte for byte what a cold build gives."""
    project, pages = built
    _retitle(project, "v1.1.0")
    build.build(project)
    assert sorted(pages) == ["index.md", "releases/index.md", "releases/v1.1.0/evidence.md", "releases/v1.1.0/index.md"]
    incremental = tree_digest(project.site)
    pages.clear()
    assert cold_site_digest(project) == incremental
    assert {"about.md", "releases/v1.0.0/index.md"} <= set(pages)  # the cold build built every page


def test_nothing_changed_builds_no_page(built: tuple[Project, list[str]]) -> None:
    """A rebuild with no change builds no page and leaves the same bytes."""
    project, pages = built
    before = tree_digest(project.site)
    build.build(project)
    assert pages == []
    assert tree_digest(project.site) == before


def test_a_new_release_rebuilds_every_page_with_the_new_nav(built: tuple[Project, list[str]]) -> None:
    """A release added changes every page's sidebar: every page is built, and the result is a cold build's."""
    project, pages = built
    add_releases(project.root, {"v1.3.0": _manifest("v1.3.0", "2026-12-01", "v1.2.0", stream=False)})
    build.build(project)
    assert "releases/v1.0.0/index.md" in pages and "releases/v1.3.0/index.md" in pages
    assert "v1.3.0" in (project.site / "releases/v1.0.0/index.html").read_text()
    incremental = tree_digest(project.site)
    assert cold_site_digest(project) == incremental


def test_the_previous_site_is_never_written_through(built: tuple[Project, list[str]], tmp_path: Path) -> None:
    """The incremental build works in a hard-linked copy: a link to a page of the previous site keeps its bytes."""
    project, _ = built
    kept = tmp_path / "kept.html"
    os.link(project.site / "index.html", kept)
    before = kept.read_bytes()
    _retitle(project, "v1.2.0")
    build.build(project)
    assert kept.read_bytes() == before
    assert (project.site / "index.html").read_bytes() != before


def test_a_site_changed_by_hand_is_built_cold(built: tuple[Project, list[str]]) -> None:
    """A file of site/ that differs from what the last build left makes the next build cold, which restores it."""
    project, pages = built
    page = project.site / "releases/v1.0.0/index.html"
    original = page.read_bytes()
    page.write_bytes(b"edited by hand")
    build.build(project)
    assert {"about.md", "releases/v1.0.0/index.md"} <= set(pages)
    assert page.read_bytes() == original


def test_the_page_key_covers_every_input(project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Changing any one input of a release page (its result, e.g. a marginal verdict or a relative target's
    baseline side; its baseline's result; a raw copy's name or compressed size; the project's templates;
    reportgen's code) changes its cache key, and the same inputs give the same key."""
    from reportgen import page_cache

    results = analyse(project)
    by_id = {r.id: r for r in results}
    current, baseline = by_id["v1.2.0"], by_id["v1.1.0"]
    copies: dict[str, Any] = {"artifacts/k6/summary.json": b"x" * 10, "release.yaml": Path("release.yaml")}
    cache = page_cache.PageCache.of(project.root, project.templates)
    assert cache is not None
    key = cache.key(current, by_id, copies)
    assert key is not None and key == cache.key(current, dict(by_id), dict(copies))

    target = current.targets[0]
    marginal = current.model_copy(update={"targets": [target.model_copy(update={"marginal": not target.marginal})]})
    changed_baseline = baseline.model_copy(update={"evidence_digest": "0" * 64})
    variants = {
        "result": cache.key(marginal, {**by_id, "v1.2.0": marginal}, copies),
        "baseline": cache.key(current, {**by_id, "v1.1.0": changed_baseline}, copies),
        "copy name": cache.key(current, by_id, {**copies, "artifacts/k6/summary.json.txt": copies.pop("release.yaml")}),
        "copy size": cache.key(current, by_id, {"artifacts/k6/summary.json": b"x" * 11, "release.yaml": Path("r")}),
    }
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "release.md.j2").write_text("{{ page.id }}\n")
    other = page_cache.PageCache.of(project.root, templates)
    assert other is not None
    copies = {"artifacts/k6/summary.json": b"x" * 10, "release.yaml": Path("release.yaml")}
    variants["templates"] = other.key(current, by_id, copies)
    monkeypatch.setattr(page_cache, "code_digest", lambda: "other code")
    variants["code"] = cache.key(current, by_id, copies)
    assert {name: k for name, k in variants.items() if k in (key, None)} == {}


def test_a_raw_copy_compressed_since_the_last_build_shows_on_the_cached_page(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A copy that becomes gzip-compressed (a lower RAW_COPY_GZIP_ABOVE) re-renders the pages that link it: the
    warm build gives the bytes of a cold one, linking NAME.gz with its size."""
    from reportgen import limits

    _generate(project)
    monkeypatch.setattr(limits, "RAW_COPY_GZIP_ABOVE", 100)
    warm = _generate(project)
    assert any(name.endswith(".json.gz") for name in warm)
    assert b"as gzip" in warm["v1.2.0/index.md"] + warm["v1.2.0/evidence.md"]
    monkeypatch.setenv("REPORTGEN_NO_CACHE", "1")
    cold = _generate(project)
    assert [name for name in cold if warm.get(name) != cold[name]] == []


def test_a_template_that_became_a_fifo_is_refused_on_a_warm_build(project: Project) -> None:
    """A FIFO put where a project template was is refused by name even when every release page is cached (the
    cache key counts entries that are no regular file)."""
    from reportgen.named_files import NotAFileError

    _generate(project)
    project.templates.mkdir(exist_ok=True)
    os.mkfifo(project.templates / "release.md.j2")
    with pytest.raises(NotAFileError, match=r"release\.md\.j2"):
        _generate(project)


def test_an_edited_theme_override_rebuilds_every_page(built: tuple[Project, list[str]]) -> None:
    """The overrides folder is part of every page: an edit there builds every page, and the result is a cold
    build's (Material's own templates are named by its version instead of by 14 500 files' status)."""
    project, pages = built
    override = project.root / "overrides" / "main.html"
    override.write_text(override.read_text(encoding="utf-8") + "\n{# edited #}\n", encoding="utf-8")
    build.build(project)
    assert {"about.md", "releases/v1.0.0/index.md"} <= set(pages)
    incremental = tree_digest(project.site)
    assert cold_site_digest(project) == incremental
