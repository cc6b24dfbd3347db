"""The cache kept bounded: after each build, the entries of ``.reportgen-cache/`` that the build neither read nor
wrote, and that no run used for :data:`DEFAULT_KEEP_DAYS` days (``REPORTGEN_CACHE_DAYS``), are removed.

Every read of an entry marks it used (:func:`reportgen.cache.used` sets its modification time to now) and every
write is a use, so an entry's mtime is its last use, in any process: the page workers' too. An entry this build
used has an mtime after the build started and is never removed, whatever the setting (``0`` keeps exactly what
the last build used). What the cache holds then stops growing with builds of changing inputs: entries of old
artifacts, manifests, chart data and reportgen versions go once they are a few days out of use.

Only files reportgen names as entries are removed (``KIND/xx/<64 hex digits>[.json|.npz|.pickle]`` and the site
records ``site/<32 hex digits>.json``), never a symlink's target, never anything when ``.reportgen-cache`` itself
is a symlink or not a folder, and never anything outside it. ``rm -rf .reportgen-cache`` clears all of it.
"""

from __future__ import annotations

import contextlib
import os
import re
import time
from dataclasses import dataclass
from pathlib import Path

from reportgen.cache import FOLDER
from reportgen.errors import BuildError

DAYS = "REPORTGEN_CACHE_DAYS"
#: Days an entry no run used is kept: long enough for a branch switched back to within a week to stay warm.
DEFAULT_KEEP_DAYS = 7.0
#: File system clocks tick coarsely: an entry touched just after the build started may read a little earlier.
_CLOCK_SLACK = 2.0

_ENTRY = re.compile(r"[a-z_]+/[0-9a-f]{2}/[0-9a-f]{64}(?:\.json|\.npz|\.pickle)?|site/[0-9a-f]{32}\.json")


@dataclass(frozen=True)
class Pruned:
    """What a pruning removed."""

    entries: int
    size: int


def keep_days() -> float:
    """``REPORTGEN_CACHE_DAYS``, or the default; BuildError when it is not a number of days."""
    setting = os.environ.get(DAYS, "").strip()
    if not setting:
        return DEFAULT_KEEP_DAYS
    try:
        days = float(setting)
    except ValueError:
        days = -1.0
    if not 0 <= days < float("inf"):
        raise BuildError(f"{DAYS}={setting!r}: expected the days an unused cache entry is kept, 0 or more")
    return days


def prune(root: Path, started: float, days: float) -> Pruned:
    """Remove the entries of ``root``'s cache last used before ``started`` (a Unix time) and ``days`` before now."""
    folder = root / FOLDER
    if folder.is_symlink() or not folder.is_dir():
        return Pruned(0, 0)
    before = min(started - _CLOCK_SLACK, time.time() - days * 86400)
    entries = size = 0
    for current, folders, files in os.walk(folder, topdown=False):  # symlinked folders are listed, never entered
        base = Path(current)
        for name in files:
            path = base / name
            if not _ENTRY.fullmatch(path.relative_to(folder).as_posix()):
                continue
            with contextlib.suppress(OSError):
                status = path.lstat()
                if path.is_symlink() or status.st_mtime >= before:
                    continue
                path.unlink()
                entries, size = entries + 1, size + status.st_size
        for name in folders:
            with contextlib.suppress(OSError):
                if not (base / name).is_symlink():
                    (base / name).rmdir()  # a shard left empty (walked already); one holding anything stays
    return Pruned(entries, size)
