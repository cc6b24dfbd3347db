"""The only module that writes files. Every write is atomic: a reader sees the old tree or the new, never half."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path

#: A file to write: its bytes, or a path whose bytes are copied (raw artifacts can be large).
Content = bytes | Path


def write_file(path: Path, content: bytes) -> None:
    """Write ``content`` to ``path`` through a temporary file in the same folder and an atomic rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as stream:
            stream.write(content)
        if path.exists():
            shutil.copymode(path, temporary)
        else:
            os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _fill(folder: Path, files: Mapping[str, Content]) -> None:
    for relative, content in sorted(files.items()):
        target = folder / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, Path):
            shutil.copyfile(content, target)
        else:
            target.write_bytes(content)


def replace_tree(folder: Path, files: Mapping[str, Content]) -> None:
    """Make ``folder`` hold exactly ``files``: build a sibling, then swap it in with renames."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.new-", dir=folder.parent))
    try:
        _fill(staging, files)
        swap_in(staging, folder)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def staging_dir(beside: Path) -> Path:
    """An empty folder next to ``beside`` for a tool (MkDocs) to build into before :func:`swap_in`."""
    beside.parent.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=f".{beside.name}.new-", dir=beside.parent))


def swap_in(staging: Path, folder: Path) -> None:
    """Replace ``folder`` by ``staging`` (two renames; the old tree is removed afterwards)."""
    os.chmod(staging, 0o755)
    old = None
    if folder.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{folder.name}.old-", dir=folder.parent))
        os.rmdir(old)
        os.replace(folder, old)
    os.replace(staging, folder)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def discard(staging: Path) -> None:
    shutil.rmtree(staging, ignore_errors=True)
