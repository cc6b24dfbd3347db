"""The example's copy for tests (tests.conftest.copy_of_the_example), which many test workers make at once."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import copy_of_the_example


def test_the_copy_leaves_out_the_tool_state_other_workers_change_under_it(tmp_path: Path) -> None:
    """Hypothesis's folder, caches, .git and .venv stay behind (a folder deleted mid-copy failed a CI run)."""
    source = tmp_path / "checkout"
    for kept in ("results/v1/manifest.yaml", "mkdocs.yml"):
        (source / kept).parent.mkdir(parents=True, exist_ok=True)
        (source / kept).write_text("x\n")
    for state in (".hypothesis/tmp/a", ".pytest_cache/v", ".reportgen-cache/r", ".git/HEAD", ".venv/bin/python"):
        (source / state).parent.mkdir(parents=True, exist_ok=True)
        (source / state).write_text("x\n")

    copy = copy_of_the_example(tmp_path / "out", source)

    assert sorted(p.relative_to(copy).as_posix() for p in copy.rglob("*") if p.is_file()) == [
        "mkdocs.yml",
        "results/v1/manifest.yaml",
    ]
