"""The text of a gzip stream, written to the reduction's private folder while the bomb-refusing scan inflates it,
so that DuckDB reads it plain on every core instead of inflating it a second time on one thread: while the disk
has room for it.

How large the text is shows only at its end (gzip's trailer keeps the size modulo 4 GiB), and it may be up to
:data:`reportgen.limits.MAX_DECOMPRESSED_BYTES` (16 GiB). A copy that would take more than half of the space
that was free when it began, or leave less than :data:`RESERVE_BYTES` free, or that the file system refuses, is
given up and removed; DuckDB then reads the gzip file itself (on one thread: slower, the same figures). A build
never fills a runner's disk for speed.
"""

from __future__ import annotations

import contextlib
import shutil
from pathlib import Path
from typing import BinaryIO

from reportgen import limits

#: Space a copy leaves free on its file system, whatever the file's size.
RESERVE_BYTES = limits.GIB


def room(folder: Path) -> int:
    """The bytes a copy may take in ``folder``: half the free space, leaving at least :data:`RESERVE_BYTES`."""
    free = shutil.disk_usage(folder).free
    return max(0, min(free // 2, free - RESERVE_BYTES))


class PlainCopy:
    """A copy of a gzip file's text at ``path``, written block by block, or given up (see the module)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.written = 0
        self.budget = room(path.parent)
        self._stream: BinaryIO | None = path.open("wb") if self.budget > 0 else None

    def write(self, block: bytes) -> None:
        if self._stream is None:
            return
        if self.written + len(block) > self.budget:
            self._give_up()
            return
        try:
            self._stream.write(block)
        except OSError:  # the disk filled up anyway (another writer): no copy, not a failed build
            self._give_up()
            return
        self.written += len(block)

    def _give_up(self) -> None:
        if self._stream is not None:
            with contextlib.suppress(OSError):
                self._stream.close()
            self._stream = None
        self.path.unlink(missing_ok=True)

    def finish(self) -> Path | None:
        """The whole copy, or None when it was given up."""
        if self._stream is None:
            self.path.unlink(missing_ok=True)
            return None
        try:
            self._stream.close()
        except OSError:
            self._stream = None
            self._give_up()
            return None
        self._stream = None
        return self.path
