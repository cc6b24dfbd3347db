"""MkDocs is skipped only when site/ is what it would build from these exact inputs; any input changed runs it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from reportgen import build, site_key
from reportgen.project import Project
from tests.support.project import cold_site_digest, make_project, tree_digest
from tests.test_incremental import SMALL, _manifest


@pytest.fixture
def built(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Project, list[str]]:
    """Two small releases built once (cold); the list records each MkDocs run from then on."""
    monkeypatch.delenv("REPORTGEN_NO_CACHE", raising=False)
    monkeypatch.delenv("SITE_URL", raising=False)
    project = Project(make_project(tmp_path, {r: _manifest(r, d, b, stream=False) for r, d, b in SMALL[:2]}))
    build.build(project)
    runs: list[str] = []
    real = build.run_engine

    def spy(config_file: Path, site_dir: Path, **kwargs: Any) -> None:
        runs.append(site_dir.name)
        real(config_file, site_dir, **kwargs)

    monkeypatch.setattr(build, "run_engine", spy)
    return project, runs


def test_nothing_changed_runs_no_mkdocs_and_leaves_a_cold_builds_bytes(built: tuple[Project, list[str]]) -> None:
    """A rebuild with no change does not run MkDocs, and site/ stays byte for byte what a cold build gives."""
    project, runs = built
    before = tree_digest(project.site)
    build.build(project)
    assert runs == []
    assert tree_digest(project.site) == before
    assert cold_site_digest(project) == before
    assert len(runs) == 1


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_each_input_of_mkdocs_changes_the_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A changed page, a new file in the docs folder, mkdocs.yml, a theme override, a hook, an !ENV value, the
    build date, the settings reportgen overrides, the site folder, the engine or reportgen's code each give
    another key."""
    monkeypatch.delenv("SITE_URL", raising=False)
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    config, docs, site = tmp_path / "mkdocs.yml", tmp_path / "staged-docs", tmp_path / "site"
    config.write_text(
        "site_name: Reports\nsite_url: !ENV SITE_URL\ntheme:\n  name: material\n  custom_dir: overrides\n"
        "hooks:\n  - hooks.py\n"
    )
    (tmp_path / "overrides").mkdir()
    (tmp_path / "overrides/main.html").write_text('{% extends "base.html" %}')
    (tmp_path / "hooks.py").write_text("")
    docs.mkdir()
    (docs / "index.md").write_text("# Home\n")
    settings: dict[str, Any] = {"docs_dir": str(docs)}
    where = {"site": site, "engine": "mkdocs"}

    def key() -> str | None:
        return site_key.inputs_key(config, docs, Path(where["site"]), str(where["engine"]), settings)

    changes: list[tuple[str, Callable[[], object]]] = [
        ("page", lambda: (docs / "index.md").write_text("# Home!\n")),
        ("new file", lambda: (docs / "logo.txt").write_text("logo")),
        ("mkdocs.yml", lambda: config.write_text(config.read_text().replace("Reports", "Renamed"))),
        ("override", lambda: (tmp_path / "overrides/main.html").write_text('{% extends "main.html" %}')),
        ("hook", lambda: (tmp_path / "hooks.py").write_text("x = 1\n")),
        ("!ENV", lambda: monkeypatch.setenv("SITE_URL", "https://example.org/reports/")),
        ("date", lambda: monkeypatch.setenv("SOURCE_DATE_EPOCH", "1790000000")),
        ("settings", lambda: settings.update(theme={"name": "material", "features": []})),
        ("site folder", lambda: where.update(site=tmp_path / "other-site")),
        ("engine", lambda: where.update(engine="properdocs")),
        ("code", lambda: monkeypatch.setattr(site_key, "code_digest", lambda: "other code")),
    ]

    seen = [key()]
    assert seen[0] is not None and key() == seen[0]  # the same inputs, the same key
    for name, change in changes:
        change()
        assert key() not in seen, f"{name} changed, the key did not"
        seen.append(key())


def test_a_site_file_changed_by_hand_runs_mkdocs(built: tuple[Project, list[str]]) -> None:
    """A file of site/ that differs from what the last build left runs MkDocs, which restores it."""
    project, runs = built
    page = project.site / "releases/v1.0.0/index.html"
    original = page.read_bytes()
    page.write_bytes(original.replace(b"<title>", b"<title>Edited "))
    build.build(project)
    assert len(runs) == 1
    assert page.read_bytes() == original


def test_a_plugin_it_does_not_know_always_runs_mkdocs(tmp_path: Path) -> None:
    """With a plugin or an extension whose inputs reportgen cannot list, there is no key: MkDocs always runs."""
    config = tmp_path / "mkdocs.yml"
    docs = tmp_path / "docs"
    docs.mkdir()
    for text in ("plugins:\n  - search\n  - blog\n", "markdown_extensions:\n  - pymdownx.snippets:\n"):
        config.write_text(f"site_name: x\n{text}")
        assert site_key.inputs_key(config, docs, tmp_path / "site", "mkdocs") is None
    config.write_text("site_name: x\nplugins:\n  - search\n  - reportgen\n")
    assert site_key.inputs_key(config, docs, tmp_path / "site", "mkdocs") is not None
