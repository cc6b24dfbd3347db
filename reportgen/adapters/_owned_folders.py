"""Private temporary folders that say whether their owner still runs, so that one a killed process left behind
(SIGKILL, the out-of-memory killer, a cancelled CI job) is removed by the next reportgen process, not left to
fill the runner's disk: DuckDB's spill of a gigabyte stream lives in such a folder.

A folder is made by :func:`make` with ``tempfile.mkdtemp`` and holds a lock file, ``owner.lock``, that its
process holds locked (``flock``) for as long as the folder is in use: the kernel releases the lock when the
process ends, however it ends. :func:`sweep` removes a folder of the same prefix only while it holds that lock
itself, which proves the owner gone; a folder without the lock file (being made, or made by an older reportgen)
is left alone. The lock file appears by a rename of a file already locked, so no sweep sees it unlocked while its
owner lives. Where ``fcntl`` is missing (Windows) folders are made as before and nothing is swept.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
import tempfile
from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover - not on the platforms CI runs
    fcntl = None  # type: ignore[assignment]

LOCK = "owner.lock"


class OwnedFolder:
    """A private temporary folder locked by this process until :meth:`remove`."""

    def __init__(self, prefix: str) -> None:
        self.path = Path(tempfile.mkdtemp(prefix=prefix))
        self._lock: int | None = None
        if fcntl is not None:
            self._lock = _locked(self.path)

    def remove(self) -> None:
        """Remove the folder, then release its lock (a sweep never finds it unlocked and present)."""
        shutil.rmtree(self.path, ignore_errors=True)
        if self._lock is not None:
            os.close(self._lock)
            self._lock = None


def _locked(folder: Path) -> int | None:
    """The descriptor holding ``folder``'s lock file locked; None where the file system has no locks (a network or
    FUSE temporary directory): the folder is then used unlocked, as before, and no sweep removes it."""
    pending = folder / f".{LOCK}"
    lock = None
    try:
        lock = os.open(pending, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        fcntl.flock(lock, fcntl.LOCK_EX)
        os.rename(pending, folder / LOCK)
    except OSError:
        if lock is not None:
            os.close(lock)
        pending.unlink(missing_ok=True)
        return None
    return lock


def sweep(prefix: str) -> list[Path]:
    """Remove the folders of ``prefix`` in the temporary directory whose owner has ended; the ones removed."""
    if fcntl is None:
        return []
    removed = []
    for folder in Path(tempfile.gettempdir()).glob(f"{prefix}*"):
        if _remove_if_abandoned(folder):
            removed.append(folder)
    return removed


def _remove_if_abandoned(folder: Path) -> bool:
    try:
        status = folder.lstat()
    except OSError:
        return False
    if not stat.S_ISDIR(status.st_mode) or status.st_uid != os.getuid():
        return False  # a link, a file, or another user's: never ours to remove
    try:
        lock = os.open(folder / LOCK, os.O_RDONLY | os.O_CLOEXEC | os.O_NOFOLLOW)
    except OSError:  # no lock file (being made, an older reportgen's), not ours to read, or gone already
        return False
    try:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return False  # its owner runs
        if not (folder / LOCK).exists():
            return False  # removed by another sweep while this one waited for the lock
        shutil.rmtree(folder, ignore_errors=True)
        return True
    finally:
        with contextlib.suppress(OSError):
            os.close(lock)
