"""MkDocs pages' conversions kept between builds (reportgen.page_conversions): a release added makes every page
go through the theme again (the sidebar lists the newest releases), but converts only the pages whose Markdown,
or what their links find, changed; the site stays a cold build's, byte for byte."""

from __future__ import annotations

import shutil
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from mkdocs.commands import build as mkdocs_build

from reportgen import build, page_conversions, theme_bytecode
from reportgen.cache import FOLDER
from reportgen.page_conversions import Conversions
from reportgen.project import Project
from tests.support.project import BASE_MANIFEST, add_releases, cold_site_digest, make_project, pages_built, tree_digest

#: A link to a release that is not there yet: MkDocs leaves it as written (said at info level, not failing the
#: strict build) until the release is added, when it becomes a link to that page.
LINK = "\n[The next release](releases/v1.3.0/index.md)\n"


def _manifest(release: str, date: str, baseline: str | None) -> str:
    text = BASE_MANIFEST.format(release=release, date=date)
    return text.replace("status: final", f"status: final\nbaseline: {baseline}") if baseline else text


@pytest.fixture
def built(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Project, list[str], list[str]]:
    """Three releases built once in one process; then the pages MkDocs converts, and the pages it builds."""
    monkeypatch.delenv("REPORTGEN_NO_CACHE", raising=False)
    monkeypatch.setenv("REPORTGEN_PROCESSES", "1")  # conversions in this process, where the spy sees them
    chain = [("v1.0.0", "2026-09-01", None), ("v1.1.0", "2026-10-01", "v1.0.0"), ("v1.2.0", "2026-11-01", "v1.1.0")]
    project = Project(make_project(tmp_path, {r: _manifest(r, d, b) for r, d, b in chain}))
    about = project.docs / "about.md"
    about.write_text(about.read_text(encoding="utf-8") + LINK, encoding="utf-8")
    config = project.mkdocs_yml.read_text(encoding="utf-8")
    project.mkdocs_yml.write_text(config.replace("    not_found: warn", "    not_found: info"), encoding="utf-8")
    build.build(project)
    converted: list[str] = []
    real = mkdocs_build._populate_page

    def populate(page: Any, *args: Any) -> None:
        converted.append(page.file.src_uri)
        real(page, *args)

    monkeypatch.setattr(mkdocs_build, "_populate_page", populate)
    return project, converted, pages_built(monkeypatch)


def test_a_release_added_converts_only_pages_whose_markdown_or_links_changed(
    built: tuple[Project, list[str], list[str]],
) -> None:
    """Every page is built again (its sidebar lists v1.3.0), but the older releases' pages are not converted
    again; the hand-written page whose link now finds v1.3.0 is; and the site is byte for byte a cold build's."""
    project, converted, pages = built
    add_releases(project.root, {"v1.3.0": _manifest("v1.3.0", "2026-12-01", "v1.2.0")})
    build.build(project)
    older = {f"releases/{r}/{p}.md" for r in ("v1.0.0", "v1.1.0", "v1.2.0") for p in ("index", "evidence")}
    assert older <= set(pages)
    assert set(converted) & older == set()
    assert {"about.md", "releases/v1.3.0/index.md", "releases/v1.3.0/evidence.md"} <= set(converted)
    assert 'href="../releases/v1.3.0/"' in (project.site / "about/index.html").read_text(encoding="utf-8")
    incremental = tree_digest(project.site)
    converted.clear()
    assert cold_site_digest(project) == incremental
    assert older <= set(converted)  # the cold build converted every page


def test_a_damaged_conversion_is_converted_again(built: tuple[Project, list[str], list[str]]) -> None:
    """A kept conversion that cannot be read is ignored: the page is converted, and the site is a cold build's."""
    project, converted, _ = built
    for entry in (project.root / FOLDER / page_conversions.SUBFOLDER).rglob("*.pickle"):
        entry.write_bytes(entry.read_bytes()[:100])
    shutil.rmtree(project.root / FOLDER / "site")  # every page is built
    build.build(project)
    assert "releases/v1.0.0/index.md" in converted
    incremental = tree_digest(project.site)
    assert cold_site_digest(project) == incremental


def _retitle(project: Project, release: str) -> None:
    manifest = project.release_dir(release) / "release.yaml"
    manifest.write_text(manifest.read_text().replace("title: Demo", "title: Changed demo", 1))


def _file(path: str, url: str | None = None, excluded: bool = False) -> Any:
    inclusion = SimpleNamespace(is_excluded=lambda: excluded)
    return SimpleNamespace(src_uri=path, url=url or path, content_bytes=b"# Page\n", inclusion=inclusion)


def test_a_conversion_holds_while_each_look_up_finds_the_same(tmp_path: Path) -> None:
    """A kept conversion is used only while every file its links looked up is found as it was (its URL, whether
    it is excluded) and every file not found is still not there."""
    kept = Conversions(tmp_path, "context")
    page = _file("a.md")
    kept.put(page, b"answer", {"b.md": ("b/", False), "c.md": None})

    def files(*found: Any) -> Any:
        return SimpleNamespace(get_file_from_path=lambda path: next((f for f in found if f.src_uri == path), None))

    same = kept.valid(page, files(_file("b.md", "b/")))
    assert same is not None and Conversions.answer(same) == b"answer"
    variants = {
        "a file found then is gone": files(),
        "its URL changed": files(_file("b.md", "b.html")),
        "it is excluded now": files(_file("b.md", "b/", excluded=True)),
        "a file not found then is there": files(_file("b.md", "b/"), _file("c.md")),
    }
    assert {why: found for why, found in variants.items() if kept.valid(page, found) is not None} == {}
    assert Conversions(tmp_path, "other context").valid(page, files(_file("b.md", "b/"))) is None


def test_the_theme_templates_are_compiled_once(
    built: tuple[Project, list[str], list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A rebuild loads the templates pages are written with as an earlier build compiled them, and the site is
    byte for byte a cold build's; a damaged compiled template is compiled again."""
    import jinja2

    project, _, _ = built
    compiled: list[str] = []
    real = jinja2.Environment.compile

    def compile_(self: jinja2.Environment, source: Any, name: str | None = None, *args: Any, **kwargs: Any) -> Any:
        if name is not None and name.endswith(".html"):
            compiled.append(name)
        return real(self, source, name, *args, **kwargs)

    monkeypatch.setattr(jinja2.Environment, "compile", compile_)
    add_releases(project.root, {"v1.3.0": _manifest("v1.3.0", "2026-12-01", "v1.2.0")})
    build.build(project)
    # Only the search plugin's language partials, which it loads in an environment of its own before any page.
    assert compiled and all(name.startswith("partials/language") for name in compiled)
    for entry in (project.root / FOLDER / theme_bytecode.SUBFOLDER).rglob("*"):
        if entry.is_file():
            entry.write_bytes(entry.read_bytes()[:20])
    compiled.clear()
    _retitle(project, "v1.0.0")
    build.build(project)
    assert "main.html" in compiled
    incremental = tree_digest(project.site)
    assert cold_site_digest(project) == incremental
