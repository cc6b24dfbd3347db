"""`reportgen bundle` and `reportgen pdf` outside the browser: outputs, reproducibility and refusals."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from reportgen.cli import main
from tests.support.project import make_project
from tests.test_site import TWO_RELEASES


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_project(tmp_path_factory.mktemp("bundle"), TWO_RELEASES)


def test_bundle_writes_a_folder_and_a_reproducible_zip(repo: Path) -> None:
    """The default bundle is exports/RELEASE-site/ plus its .zip; bundling again gives the same zip bytes."""
    assert main(["-C", str(repo), "bundle", "v1.1.0"]) == 0
    folder, archive = repo / "exports/v1.1.0-site", repo / "exports/v1.1.0-site.zip"
    assert (folder / "releases/v1.1.0/index.html").is_file() and (folder / "search/search_index.js").is_file()
    first = archive.read_bytes()
    assert main(["-C", str(repo), "bundle", "v1.1.0"]) == 0
    assert archive.read_bytes() == first
    names = zipfile.ZipFile(archive).namelist()
    assert "v1.1.0-site/releases/v1.1.0/index.html" in names and names == sorted(names)


def test_bundle_links_name_html_files_and_nothing_points_off_disk(repo: Path) -> None:
    """Links in the bundle end in .html (file:// has no directory index) and no page names another host's script."""
    page = (repo / "exports/v1.1.0-site/index.html").read_text(encoding="utf-8")
    assert 'href="releases/v1.1.0/index.html"' in page
    for html in (repo / "exports/v1.1.0-site").rglob("*.html"):
        text = html.read_text(encoding="utf-8")
        assert "unpkg.com" not in text and '<script src="http' not in text, html


def test_an_older_bundle_holds_no_newer_release(repo: Path, tmp_path: Path) -> None:
    """The bundle of v1.0.0 is the site as of v1.0.0: v1.1.0's report is not in it."""
    assert main(["-C", str(repo), "bundle", "v1.0.0", "-o", str(tmp_path / "b")]) == 0
    assert (tmp_path / "b/releases/v1.0.0/index.html").is_file()
    assert not (tmp_path / "b/releases/v1.1.0").exists()


def test_bundle_never_replaces_a_folder_it_did_not_write(
    repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A folder with someone's files in it is refused with exit 2 and stays as it was."""
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep me\n")
    assert main(["-C", str(repo), "bundle", "v1.1.0", "-o", str(mine)]) == 2
    assert "refusing to replace" in capsys.readouterr().err
    assert sorted(p.name for p in mine.iterdir()) == ["notes.txt"]


def test_pdf_without_chromium_names_the_package(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """With no chromium on PATH, pdf exits 2 saying which Debian package to install, and writes nothing."""
    monkeypatch.setenv("PATH", str(tmp_path))
    assert main(["-C", str(repo), "pdf", "v1.1.0", "-o", str(tmp_path / "r.pdf")]) == 2
    assert "apt-get install chromium" in capsys.readouterr().err
    assert not (tmp_path / "r.pdf").exists()


def test_pdf_never_overwrites_a_file_it_did_not_write(
    repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An existing file that is not a reportgen PDF is refused with exit 2 and left as it was."""
    other = tmp_path / "other.pdf"
    other.write_bytes(b"%PDF-1.4 someone else's\n")
    assert main(["-C", str(repo), "pdf", "v1.1.0", "-o", str(other)]) == 2
    assert "refusing to overwrite" in capsys.readouterr().err
    assert other.read_bytes() == b"%PDF-1.4 someone else's\n"
