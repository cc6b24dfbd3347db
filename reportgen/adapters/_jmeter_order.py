"""File order for the JMeter reduction without numbering every row, so that DuckDB scans the JTL on every core.

Numbering the rows (``row_number() OVER ()``) keeps DuckDB's whole scan, CSV parsing and aggregate on one
thread (its streaming window has a fixed order). Two rules of the dashboard depend on file order:

* labels come in the order of their first sample: :func:`first_rows` reads a numbered *prefix* of the file
  (``LIMIT``: DuckDB stops reading there), growing until every label the aggregate found is in it;
* a series' percentiles are over its last :data:`~._jmeter_stats.STATISTIC_WINDOW` samples. A series with no
  more samples than that has all of them in its window, in any order (the unnumbered read keeps them); a larger
  one needs its last samples, and :func:`suffix` gives a *suffix* of the file, a copy of its last bytes from a
  row's start on, which is read numbered: a suffix holding a series' last samples holds its window.

A suffix starts at a row only when no cell holds a line break: :class:`Lines` counts the file's line feeds
(numpy, about 0.05 s of cpu for 200 MiB), and when they are exactly the header's and the rows' (no carriage
return, no blank line), every line feed ends a row and any byte after one starts a row. Otherwise the file is read
numbered, as before.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np

from reportgen.adapters._duckdb import FileOrderNeeded, fetch, scratch_folder
from reportgen.adapters._plain_copy import room

#: Rows in the first numbered prefix (then eight times more each round): labels nearly always start early.
FIRST_PREFIX = 8192
#: The largest share of the file a suffix may take; a series whose last samples are spread wider takes them from a
#: numbered read of the whole file (a copy of most of it would cost more than it saves).
MOST = 0.5
#: Bytes a block of the line-feed count and of the suffix copy holds: 1 MiB, so that numpy's comparison result
#: stays in the cache (16 MiB blocks made the count of a 200 MiB file 0.08-0.14 s of cpu instead of 0.05).
_BLOCK = 1 << 20


class Lines:
    """The line feeds of a plain file: how many, and whether the last byte is one (0 and True when unusable)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.size = path.stat().st_size
        self.feeds, self.usable, self.ends_with_feed = 0, False, True
        if self.size == 0:
            return
        # read in blocks, not mapped: the pages of a mapped file count as the process's resident memory
        block = bytearray(_BLOCK)
        view = np.frombuffer(block, dtype=np.uint8)
        feeds = np.empty(_BLOCK, dtype=np.bool_)  # one comparison result for every block: no allocation per block
        last = 10
        with path.open("rb", buffering=0) as stream:
            while read := stream.readinto(block):
                if block.find(b"\r", 0, read) >= 0:  # memchr: far cheaper than a count
                    self.feeds = 0  # unusable: the rest of the file need not be read
                    return
                self.feeds += int(np.count_nonzero(np.equal(view[:read], 10, out=feeds[:read])))
                last = block[read - 1]
        self.ends_with_feed = last == 10
        self.usable = True

    def rows_only(self, rows: int, header: bool) -> bool:
        """Whether every line feed ends one of the header and ``rows`` rows (so no cell holds one)."""
        return self.usable and self.feeds == rows + int(header) - int(not self.ends_with_feed)


class Prefix:
    """Numbered prefixes of the file (``numbered_rows``: ``rn``, ``label``, ``ok``, ``in_total``), read while the
    aggregate is not yet: the first holds :data:`FIRST_PREFIX` rows, each next eight times more."""

    def __init__(self, connection: Any, numbered_rows: str) -> None:
        self.connection, self.numbered_rows, self.limit = connection, numbered_rows, FIRST_PREFIX
        self.found = self._read()

    def _read(self) -> list[tuple[Any, ...]]:
        return fetch(
            self.connection,
            f"""SELECT label, ok, in_total, count(*), min(rn), max(rn)
                FROM ({self.numbered_rows} LIMIT {self.limit}) GROUP BY ALL""",
        )

    def whole(self) -> bool:
        """Whether the prefix read is the whole file."""
        return max((row[5] for row in self.found), default=0) < self.limit

    def first_rows(self, labels: set[str]) -> dict[str, int]:
        """The row number (as the numbered rows give it) of each label's first sample, growing the prefix."""
        while not labels <= {row[0] for row in self.found}:
            if self.whole():  # the whole file was read: the reads disagree
                raise FileOrderNeeded("the first sample of a label not found")
            self.limit *= 8
            self.found = self._read()
        first: dict[str, int] = {}
        for label, *_, low, _ in self.found:
            first[label] = min(first.get(label, low), low)
        return first


def suffix(connection: Any, lines: Lines, share: float) -> Path | None:
    """A copy of the file from the first row that starts in its last ``share`` of bytes (in the connection's
    private folder, removed with it), or None when the disk has no room for it (:class:`PlainCopy`'s rule)."""
    target = scratch_folder(connection) / "suffix.csv"
    with lines.path.open("rb") as stream:
        stream.seek(max(0, int(lines.size * (1 - share)) - 1))
        stream.readline()  # up to the next line feed: the header's at the latest
        start = stream.tell()
        if lines.size - start > room(target.parent):
            return None
        try:
            with target.open("wb") as out:
                _copy_range(stream.fileno(), out.fileno(), start, lines.size - start)
        except OSError:  # the disk filled up anyway (another writer): no copy, not a failed build
            target.unlink(missing_ok=True)
            return None
    return target


def _copy_range(source: int, target: int, start: int, size: int) -> None:
    """``size`` bytes of ``source`` from ``start`` on, written to ``target``: by the kernel where it can (reading and
    writing them through Python was a third of the suffix's cost), else block by block."""
    offset, end = start, start + size
    if hasattr(os, "copy_file_range"):  # Linux
        try:
            while offset < end and (copied := os.copy_file_range(source, target, end - offset, offset)):
                offset += copied
        except OSError as exc:  # a file system or kernel without it: copy the rest through Python
            if exc.errno not in (errno.EXDEV, errno.ENOSYS, errno.EOPNOTSUPP, errno.EINVAL):
                raise
    while offset < end and (block := os.pread(source, min(_BLOCK, end - offset), offset)):
        os.write(target, block)
        offset += len(block)
    if offset < end:
        raise OSError("the file ended while it was copied")


def share_needed(counts: Iterable[float], window: int, share: float = 1.0) -> float:
    """The share of the file whose rows would hold ``window`` samples of each series, from their ``counts`` in the
    file (or in a suffix of ``share`` of it), if the samples are spread evenly; with a margin."""
    needs = [share * window / count if count else 2 * share for count in counts]  # none there: twice the share
    return min(1.0, max(needs, default=0.0) * 1.25 + 0.001)
