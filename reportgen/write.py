"""The only module that writes files. Every write is atomic: a reader sees the old tree or the new, never half."""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import os
import re
import shutil
import stat
import tempfile
import zipfile
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from reportgen import named_files
from reportgen.errors import Position

#: A file to write: its bytes, or a path whose bytes are copied (raw artifacts can be large).
Content = bytes | Path


def _prefix(beside: Path, kind: str) -> str:
    """The name of a temporary sibling of ``beside``: ``.NAME.KIND-PID-`` + random, so a later run can tell
    whether the process that made it is gone (see :func:`remove_stale`)."""
    return f".{beside.name}.{kind}-{os.getpid()}-"


def write_file(path: Path, content: bytes) -> None:
    """Write ``content`` to ``path`` through a temporary file in the same folder and an atomic rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(prefix=_prefix(path, "tmp"), dir=path.parent)
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


def _fill(folder: Path, files: Mapping[str, Content], previous: Path | None = None) -> None:
    """Write ``files`` into ``folder``; a file whose bytes ``previous`` (the tree being replaced) holds at the same
    path already is hard-linked from there instead, so a rebuild writes (and the swap then deletes) only what
    changed: most of site_docs/releases/ is raw copies and pages of releases that did not."""
    for relative, content in sorted(files.items()):
        target = folder / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.is_file() or target.is_symlink():
            target.unlink()  # a staged hard link to a user's file: replace the link, never write through it
        if previous is not None and _holds(previous / relative, content):
            with contextlib.suppress(OSError):
                os.link(previous / relative, target)
                continue
        if isinstance(content, Path):
            shutil.copyfile(content, target)
        else:
            target.write_bytes(content)


def _holds(path: Path, content: Content) -> bool:
    """Whether ``path`` is a regular file (not a link) with exactly ``content``'s bytes."""
    try:
        status = os.lstat(path)
        if not stat.S_ISREG(status.st_mode):
            return False
        if isinstance(content, bytes):
            return status.st_size == len(content) and path.read_bytes() == content
        if status.st_size != content.stat().st_size:
            return False
        with path.open("rb") as old, content.open("rb") as new:
            while chunk := old.read(1 << 20):
                if chunk != new.read(len(chunk)):
                    return False
        return True
    except OSError:
        return False


def replace_tree(folder: Path, files: Mapping[str, Content]) -> None:
    """Make ``folder`` hold exactly ``files``: build a sibling, then swap it in with renames."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = staging_dir(folder)
    try:
        _fill(staging, files, folder)
        swap_in(staging, folder)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def staging_dir(beside: Path) -> Path:
    """An empty folder next to ``beside`` for a tool (MkDocs) to build into before :func:`swap_in`."""
    beside.parent.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=_prefix(beside, "new"), dir=beside.parent))


def _exchange(first: Path, second: Path) -> bool:
    """Swap two existing paths in one atomic step (Linux ``renameat2(RENAME_EXCHANGE)``); False where the
    system or the file system cannot, so the caller falls back to two renames."""
    import ctypes

    renameat2 = getattr(ctypes.CDLL(None, use_errno=True), "renameat2", None)
    if renameat2 is None:
        return False
    at_cwd, rename_exchange = -100, 2
    if renameat2(at_cwd, os.fsencode(first), at_cwd, os.fsencode(second), rename_exchange) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(first), None, str(second))


def swap_in(staging: Path, folder: Path) -> None:
    """Replace ``folder`` by ``staging``: exchanged in one step where the system can (Linux), so no moment (a
    build killed right then) finds ``folder`` missing; elsewhere two renames. The old tree is removed afterwards."""
    os.chmod(staging, 0o755)
    if folder.exists() and _exchange(staging, folder):
        shutil.rmtree(staging, ignore_errors=True)  # staging now holds the old tree
        return
    old = None
    if folder.exists():
        old = Path(tempfile.mkdtemp(prefix=_prefix(folder, "old"), dir=folder.parent))
        os.rmdir(old)
        os.replace(folder, old)
    os.replace(staging, folder)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def unlink(folder: Path, relative: Iterable[str]) -> None:
    """Remove these files of ``folder`` (and folders left empty), so that what is written there next is a new
    file, never a write through a hard link into another tree."""
    for name in relative:
        path = folder / name
        path.unlink(missing_ok=True)
        for parent in path.parents:
            if parent == folder or not parent.is_relative_to(folder):
                break
            try:
                parent.rmdir()
            except OSError:
                break  # not empty


def discard(staging: Path) -> None:
    shutil.rmtree(staging, ignore_errors=True)


def _link_or_copy(source: str, target: str) -> None:
    # A FIFO or device in site_docs/ would be linked into the staging copy and then make MkDocs block on it or
    # fail naming the copy's temporary path: refuse it by the name the user knows.
    if (reason := named_files.not_a_file(Path(source))) is not None:
        raise named_files.NotAFileError(Position(Path(source)), reason)
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def stage_copy(folder: Path, skip: Iterable[str], files: Mapping[str, Content]) -> Path:
    """A staging sibling of ``folder`` holding its current files (hard links where possible; relative symlinks
    keep working, being at the same depth) except the top-level names in ``skip``, plus ``files``."""
    staging = staging_dir(folder)
    try:
        skipped = set(skip)
        if folder.is_dir():
            for child in folder.iterdir():
                if child.name in skipped or _is_temporary(child.name):
                    continue
                if child.is_dir() and not child.is_symlink():
                    shutil.copytree(child, staging / child.name, symlinks=True, copy_function=_link_or_copy)
                elif child.is_symlink():
                    os.symlink(os.readlink(child), staging / child.name)
                else:
                    _link_or_copy(str(child), str(staging / child.name))
        _fill(staging, files, folder)
    except BaseException:
        discard(staging)
        raise
    return staging


#: ``.NAME.KIND-PID-RANDOM`` (this module since temporary names carry the pid) or ``.NAME.new-RANDOM`` (before).
_TEMPORARY = re.compile(r"\.(?P<name>.+)\.(?:(?:new|old|tmp)-(?P<pid>[0-9]+)-[a-z0-9_]{8}|(?:new|old)-[a-z0-9_]{8})")


def _is_temporary(name: str) -> bool:
    return _TEMPORARY.fullmatch(name) is not None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's live process
    return True


def remove_stale(beside: Iterable[Path]) -> list[Path]:
    """Remove the temporary siblings a killed run left next to each path in ``beside`` (never a live run's)."""
    removed: list[Path] = []
    for path in beside:
        if not path.parent.is_dir():
            continue
        for sibling in path.parent.iterdir():
            match = _TEMPORARY.fullmatch(sibling.name)
            if not match or match["name"] != path.name:
                continue
            if match["pid"] is not None and _alive(int(match["pid"])):
                continue
            if sibling.is_dir() and not sibling.is_symlink():
                shutil.rmtree(sibling, ignore_errors=True)
            else:
                sibling.unlink(missing_ok=True)
            removed.append(sibling)
    return removed


@contextmanager
def scratch_folder(files: Mapping[str, Content]) -> Iterator[Path]:
    """A temporary folder holding ``files`` (relative path → bytes or source path), removed afterwards.

    Source paths are hard-linked where the file system allows (no bytes copied) and copied otherwise;
    used to re-read copies under the names their manifest gives them, and to hand files to ssh-keygen.
    """
    folder = Path(tempfile.mkdtemp(prefix="reportgen-scratch-"))
    try:
        for relative, content in sorted(files.items()):
            target = folder / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, Path):
                _link_or_copy(str(content), str(target))
            else:
                target.write_bytes(content)
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def write_archive(path: Path, folder: Path, date: dt.date) -> None:
    """Zip ``folder`` (as one top-level folder of its name) into ``path``, atomically and reproducibly:
    names sorted, every entry dated ``date``, fixed permissions, so the same folder gives the same bytes."""
    stamp = (max(date.year, 1980), date.month, date.day, 0, 0, 0)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as stream, zipfile.ZipFile(stream, "w") as archive:
            # Sorted as the names stored, not as Path parts: "a/b.html" before "a/b/c.html" either way is
            # reproducible, but a reader checking the order compares the names.
            for file in sorted(
                (p for p in folder.rglob("*") if p.is_file()), key=lambda p: p.relative_to(folder).as_posix()
            ):
                info = zipfile.ZipInfo(f"{folder.name}/{file.relative_to(folder).as_posix()}", stamp)
                info.external_attr = 0o644 << 16
                info.compress_type = zipfile.ZIP_DEFLATED
                with file.open("rb") as source, archive.open(info, "w") as target:
                    shutil.copyfileobj(source, target)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
