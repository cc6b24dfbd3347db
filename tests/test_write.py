"""Replacing a generated tree (reportgen.write): only what changed is written, nothing is written through."""

from __future__ import annotations

from pathlib import Path

from reportgen import write


def test_a_replaced_tree_links_unchanged_files_and_writes_changed_ones(tmp_path: Path) -> None:
    """Files whose bytes did not change are the same files (inode) after the swap; a changed one is a new file,
    and a hard link the old tree handed out keeps the old bytes."""
    folder, source = tmp_path / "releases", tmp_path / "artifact.json"
    source.write_bytes(b'{"p95": 1}\n')
    write.replace_tree(folder, {"a/index.md": b"same\n", "a/claims.json": b"old\n", "a/artifact.json": source})
    inodes = {name: (folder / name).stat().st_ino for name in ("a/index.md", "a/claims.json", "a/artifact.json")}
    handed_out = tmp_path / "outside-link"
    handed_out.hardlink_to(folder / "a/claims.json")
    write.replace_tree(folder, {"a/index.md": b"same\n", "a/claims.json": b"new\n", "a/artifact.json": source})
    assert (folder / "a/index.md").stat().st_ino == inodes["a/index.md"]
    assert (folder / "a/artifact.json").stat().st_ino == inodes["a/artifact.json"]
    assert (folder / "a/claims.json").stat().st_ino != inodes["a/claims.json"]
    assert (folder / "a/claims.json").read_bytes() == b"new\n" and handed_out.read_bytes() == b"old\n"
    assert sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()) == [
        "a/artifact.json",
        "a/claims.json",
        "a/index.md",
    ]


def test_a_staged_copy_never_links_a_file_of_other_bytes(tmp_path: Path) -> None:
    """A file the staging copy writes over a user's file of the same size but other bytes is written, not linked."""
    docs = tmp_path / "site_docs"
    docs.mkdir()
    (docs / "page.md").write_bytes(b"abc\n")
    staging = write.stage_copy(docs, [], {"page.md": b"xyz\n"})
    assert (staging / "page.md").read_bytes() == b"xyz\n" and (docs / "page.md").read_bytes() == b"abc\n"
    write.discard(staging)
