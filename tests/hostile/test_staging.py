"""Nothing half-written, nothing left behind: site_docs/ changes only after MkDocs succeeds; stale staging goes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from reportgen import write
from reportgen.cli import main
from reportgen.scaffold import _scaffold_files
from tests.hostile.test_corpus import snapshot
from tests.support.project import make_project


def test_failed_mkdocs_keeps_the_previous_site_docs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """After a good build, a build whose MkDocs run fails leaves site_docs/, site/ and everything else unchanged
    (but reportgen's cache)."""
    root = make_project(tmp_path)
    assert main(["-C", str(root), "build"]) == 0
    (root / "results/v1.0.0/release.yaml").write_text(
        (root / "results/v1.0.0/release.yaml").read_text().replace("Demo v1.0.0", "Renamed")
    )
    (root / "templates/evidence.md.j2").write_text("# Evidence of {{ page.id }}\n")
    before = _without_cache(snapshot(tmp_path))
    assert main(["-C", str(root), "build"]) == 2
    assert "does not contain an anchor" in capsys.readouterr().err
    assert _without_cache(snapshot(tmp_path)) == before


def _without_cache(state: dict[str, str]) -> dict[str, str]:
    """reportgen's own cache (.reportgen-cache/, ignored by git) may learn rendered pages even when MkDocs fails."""
    return {path: digest for path, digest in state.items() if "/.reportgen-cache/" not in f"/{path}"}


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_a_build_removes_what_a_killed_build_left(tmp_path: Path) -> None:
    """Staging and old trees of a dead process (and of reportgen before pids) are removed; a live one's are kept."""
    root = make_project(tmp_path)
    dead, live = _dead_pid(), os.getpid()
    stale = [
        root / f".site.new-{dead}-abcdefgh",
        root / f".site.old-{dead}-abcdefgh",
        root / f".site_docs.new-{dead}-abcd_123",
        root / "site_docs" / f".releases.new-{dead}-zzzzzzzz",
        root / "site_docs" / ".releases.old-k2j4h5g6",
    ]
    kept = [root / f".site.new-{live}-abcdefgh", root / ".site.new-mine", root / "site_docs" / ".releases.notes"]
    for folder in stale + kept:
        (folder / "sub").mkdir(parents=True)
    (root / "site_docs" / f".index.md.tmp-{dead}-abcdefgh").write_text("half")
    assert main(["-C", str(root), "build"]) == 0
    assert [p for p in stale if p.exists()] == []
    assert not (root / "site_docs" / f".index.md.tmp-{dead}-abcdefgh").exists()
    assert all(p.is_dir() for p in kept)


def test_a_killed_build_leaves_site_docs_whole_and_the_next_build_cleans_up(tmp_path: Path) -> None:
    """A build killed with SIGKILL mid-way leaves a previous build's files intact; the next build removes its debris."""
    root = make_project(tmp_path)
    assert main(["-C", str(root), "build"]) == 0
    releases = snapshot(root / "site_docs/releases")
    for delay in (0.3, 0.6, 0.9):
        proc = subprocess.Popen([sys.executable, "-m", "reportgen.cli", "-C", str(root), "build"])
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        assert snapshot(root / "site_docs/releases") == releases
    assert main(["-C", str(root), "build"]) == 0
    leftovers = [
        p.name for p in (*root.iterdir(), *(root / "site_docs").iterdir()) if ".new-" in p.name or ".old-" in p.name
    ]
    assert leftovers == []


def test_init_ignores_staging_folders_in_git() -> None:
    """The scaffolded .gitignore ignores reportgen's staging and old trees, wherever they are."""
    ignore = _scaffold_files()[".gitignore"].decode()
    assert ".*.new-*/" in ignore and ".*.old-*/" in ignore


KILLED_IN_SWAP = """
import os, signal, sys
from pathlib import Path
from reportgen import write
rename = os.replace
def rename_then_die(source, target):
    rename(source, target)
    os.kill(os.getpid(), signal.SIGKILL)  # the first of two renames: the moment the folder is missing
os.replace = rename_then_die
write.shutil.rmtree = lambda *args, **kwargs: os.kill(os.getpid(), signal.SIGKILL)  # right after the swap
write.swap_in(Path(sys.argv[1]), Path(sys.argv[2]))
"""


def test_a_build_killed_during_the_swap_leaves_a_whole_tree(tmp_path: Path) -> None:
    """Killed inside swap_in, the folder already holds the new tree (one atomic exchange, no moment without it);
    the old tree, left under the staging name of a dead process, goes with the next run's clean-up."""
    folder = tmp_path / "site"
    (folder / "page").mkdir(parents=True)
    (folder / "page/index.html").write_text("old", encoding="utf-8")
    staging = tmp_path / f".site.new-{_dead_pid()}-abcdefgh"
    (staging / "page").mkdir(parents=True)
    (staging / "page/index.html").write_text("new", encoding="utf-8")
    done = subprocess.run([sys.executable, "-c", KILLED_IN_SWAP, str(staging), str(folder)], timeout=60, check=False)
    assert done.returncode == -signal.SIGKILL
    assert (folder / "page/index.html").read_text(encoding="utf-8") == "new"
    assert (staging / "page/index.html").read_text(encoding="utf-8") == "old"
    write.remove_stale([folder])
    assert [p.name for p in tmp_path.iterdir()] == ["site"]
