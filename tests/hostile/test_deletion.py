"""Output folders: what build may replace (its own earlier output) and what it refuses, in one module's rule."""

from __future__ import annotations

from pathlib import Path

import pytest

from reportgen.cli import main
from reportgen.errors import OutputPathError
from reportgen.outputs import MARKER, guard_output_dir, guard_output_file
from reportgen.project import Project
from tests.hostile.test_corpus import snapshot
from tests.support.project import make_project


def test_build_marks_its_site_and_replaces_it_next_time(tmp_path: Path) -> None:
    """A site folder build created carries the marker, so the next build may replace it (and an empty one too)."""
    root = make_project(tmp_path)
    custom = tmp_path / "custom"
    custom.mkdir()
    assert main(["-C", str(root), "build", "--site-dir", str(custom)]) == 0
    assert (custom / MARKER).is_file() and (custom / "index.html").is_file()
    assert main(["-C", str(root), "build", "--site-dir", str(custom)]) == 0
    assert main(["-C", str(root), "build"]) == 0 and (root / "site" / MARKER).is_file()


def test_a_site_from_before_the_marker_is_still_ours(tmp_path: Path) -> None:
    """A site built before the marker existed (reportgen's stylesheet and a sitemap) may be replaced."""
    legacy = tmp_path / "old-site"
    (legacy / "releases/assets").mkdir(parents=True)
    (legacy / "releases/assets/reportgen.css").write_text("/* old */")
    (legacy / "sitemap.xml").write_text("<urlset/>")
    assert guard_output_dir(Project(tmp_path / "repo"), legacy) == legacy.resolve()


def test_refused_build_changes_nothing_in_a_real_project(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """With releases to build, a refused --site-dir leaves every file (site_docs/releases/ included) as it was."""
    root = make_project(tmp_path)
    assert main(["-C", str(root), "build"]) == 0
    before = snapshot(tmp_path)
    for where in (str(root), str(root / "results"), str(root / "site_docs"), str(tmp_path)):
        assert main(["-C", str(root), "build", "--site-dir", where]) == 2
        assert "refusing" in capsys.readouterr().err
        assert snapshot(tmp_path) == before, where


def test_file_outputs_may_replace_only_their_own_kind(tmp_path: Path) -> None:
    """guard_output_file refuses folders and foreign files, and allows a file its ``ours`` check recognises."""
    (tmp_path / "out.pdf").write_bytes(b"%PDF-1.7 someone else's")
    (tmp_path / "folder").mkdir()
    with pytest.raises(OutputPathError, match="is a folder"):
        guard_output_file(None, tmp_path / "folder", what="PDF")
    with pytest.raises(OutputPathError, match="is the MkDocs config"):
        guard_output_file(Project(tmp_path), tmp_path / "mkdocs.yml", what="PDF")
    with pytest.raises(OutputPathError, match="reportgen did not write it"):
        guard_output_file(None, tmp_path / "out.pdf", what="PDF")
    assert guard_output_file(None, tmp_path / "out.pdf", what="PDF", ours=lambda p: True) == tmp_path / "out.pdf"
