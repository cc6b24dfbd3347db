"""The engine seam: one function runs the site build, MkDocs or ProperDocs, chosen by flag or in mkdocs.yml."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

from reportgen.cli import main
from tests.support.project import make_project
from tests.test_site import TWO_RELEASES

needs_properdocs = pytest.mark.skipif(
    importlib.util.find_spec("properdocs") is None, reason="properdocs is not installed (pip install properdocs)"
)
_GENERATOR = re.compile(rb'<meta name="generator" content="[^"]*">')


def _tree(site: Path) -> dict[str, bytes]:
    """Every file of a built site; HTML without its generator tag (the one line the engines may differ in)."""
    return {
        p.relative_to(site).as_posix(): _GENERATOR.sub(b"", p.read_bytes()) if p.suffix == ".html" else p.read_bytes()
        for p in sorted(site.rglob("*"))
        if p.is_file()
    }


@needs_properdocs
def test_properdocs_builds_the_same_site(tmp_path: Path) -> None:
    """`build --engine properdocs` writes the same files, byte for byte apart from the generator tag."""
    root = make_project(tmp_path, TWO_RELEASES)
    assert main(["-C", str(root), "build", "--site-dir", str(tmp_path / "mk")]) == 0
    assert main(["-C", str(root), "build", "--engine", "properdocs", "--site-dir", str(tmp_path / "pd")]) == 0
    assert b"properdocs" in (tmp_path / "pd/index.html").read_bytes().lower()
    assert _tree(tmp_path / "pd") == _tree(tmp_path / "mk")


@needs_properdocs
def test_mkdocs_yml_can_choose_the_engine(tmp_path: Path) -> None:
    """`extra.reportgen.engine: properdocs` in mkdocs.yml makes a plain `build` use ProperDocs."""
    root = make_project(tmp_path, TWO_RELEASES)
    config = root / "mkdocs.yml"
    config.write_text(config.read_text().replace("extra:\n", "extra:\n  reportgen:\n    engine: properdocs\n", 1))
    assert main(["-C", str(root), "build"]) == 0
    assert b"properdocs" in (root / "site/index.html").read_bytes().lower()


def test_an_unknown_engine_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """An engine name that is neither mkdocs nor properdocs exits 2, naming both, and writes nothing."""
    root = make_project(tmp_path)
    config = root / "mkdocs.yml"
    config.write_text(config.read_text().replace("extra:\n", "extra:\n  reportgen:\n    engine: zensical\n", 1))
    assert main(["-C", str(root), "build"]) == 2
    assert "mkdocs, properdocs" in capsys.readouterr().err
    assert not (root / "site").exists()
