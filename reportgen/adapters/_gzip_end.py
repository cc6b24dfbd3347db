"""A gzip stream's text read to its end through reportgen's limits, in a thread, while DuckDB reads the gzip file
itself: so that the query starts at once instead of after a one-core Python pass over the whole text.

That pass (:func:`._base.scan_lines`) refuses a gzip bomb, finds a last line cut short and, with
:mod:`._plain_copy`, wrote the text for DuckDB to read plain. Before the query, it was most of the time of a
gzip stream's reduction: 205 MiB of k6 NDJSON (12 MiB gzipped) took 2.41 s, where DuckDB's own query over the
same .gz took 0.87 s (of which its query over the plain copy 0.91 s, the pass and the copy 1.3 s). DuckDB reads
a gzip NDJSON file about as fast as its plain text on two cores (one thread inflates, the others parse), and the
pass beside it costs what inflating costs (ISA-L's inflate releases the GIL, and DuckDB's query holds none):
0.07-0.09 s of the thread's cpu for those 205 MiB (zlib's took 0.6 s beside DuckDB's inflate, load 3-4).

Nothing the query computes is used before the pass has ended, and the pass decides:

* a bomb (``MAX_DECOMPRESSED_BYTES``, ``MAX_GZIP_RATIO``): the query running is interrupted
  (``connection.interrupt()``) and the reduction raises the limit's error, as when the pass ran first; no figure
  of it is used. The interrupt bounds time only as far as it finds a query running: the pass usually inflates
  faster than DuckDB reads, but nothing guarantees it, and an interrupt sent between two statements of a
  reduction is dropped by DuckDB (checked), so a later statement may still read the whole bomb before the
  limit's error is raised (time and cpu, not memory: DuckDB streams it);
* damage (compressed data cut short or corrupt, a CRC DuckDB does not check): the query is interrupted and
  :attr:`GzipEnd.settled` is False;
* a text whose last byte is not a newline (a last line cut short, k6 killed mid-write): ``settled`` is False.

Not settled, :func:`read_rows` drops what the query gave and reads the file as before the pass ran beside it
(the pass first, then the query over the plain copy), which names the damage or reads up to the cut as it always
did: those rare files cost one query more, every other gzip stream one pass less in the query's path. The
reduction (:mod:`.k6_stream`) and the raw samples' read (:mod:`._k6_samples_sql`) both read so. Rows that
DuckDB is not to read from a .gz (the k6 CSV's, for memory: :func:`.k6_stream._csv_rows` says why) take
:meth:`GzipEnd.copy_folder` and are read through the plain copy at once.
"""

from __future__ import annotations

import contextlib
import threading
import zlib
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar

from reportgen.adapters._base import text_blocks
from reportgen.adapters._duckdb import NotReducible, compression, connect, scratch_folder
from reportgen.errors import ArtifactError

Rows = TypeVar("Rows")
Result = TypeVar("Result")


class GzipEnd:
    """The end of the gzip file at ``path``, read through the limits in a thread from :meth:`start` on, beside
    the query of ``connection`` (a context manager: leaving it stops the thread and waits for it)."""

    def __init__(self, path: Path, connection: Any) -> None:
        self.path = path
        self.connection = connection
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._refused: ArtifactError | None = None
        self._damaged = False
        self._last = b""
        #: The rows read the text's plain copy instead (:meth:`copy_folder`): nothing is read beside.
        self.copied = False

    def copy_folder(self) -> Path:
        """Where rows that DuckDB is not to read from the gzip file itself copy its text (the block's scratch
        folder): they are read as before, by the pass first and the copy then."""
        self.copied = True
        return scratch_folder(self.connection)

    def start(self) -> None:
        """Read the text to its end beside the query (once)."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._read, name="reportgen-gzip-end", daemon=True)
            self._thread.start()

    def _read(self) -> None:
        try:
            for block in text_blocks(self.path):
                self._last = block[-1:]
                if self._stop.is_set():
                    return
        except ArtifactError as exc:  # a limit: the only ArtifactError text_blocks raises
            self._refused = exc
            self.connection.interrupt()
        except (OSError, EOFError, zlib.error):
            self._damaged = True
            self.connection.interrupt()  # its figures will not be used: stop reading

    def settled(self) -> bool:
        """Wait for the end: True when the text ends with a newline (or was never read here: the caller read it
        whole), False when it is damaged or its last line has no end; the limit's error for a bomb."""
        if self._thread is None:
            return True
        self._thread.join()
        self.refuse()
        return not self._damaged and self._last in (b"", b"\n")

    def refuse(self) -> None:
        """Raise the limit's error if the text passed one (so far)."""
        if self._refused is not None:
            raise self._refused

    def __enter__(self) -> GzipEnd:
        return self

    def stop(self) -> None:
        """Stop reading (at the next block) and wait for the thread."""
        if self._thread is not None:
            self._stop.set()
            self._thread.join()

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.stop()


#: How the rows of a gzip file are to read it (``rows_of``'s argument): DuckDB reading the file itself, its end read
#: beside (a :class:`GzipEnd`); the text copied to a folder (the connection's scratch folder) by the pass before
#: the query, and the copy read; or None: the pass before the query, and DuckDB reading the file itself.
GzipReading = GzipEnd | Path | None


class _Unsettled(Exception):
    """What DuckDB read of a gzip file itself may not be what the line reader reads: read it as before."""


def read_rows(
    path: Path, rows_of: Callable[[GzipReading], Rows], query: Callable[[Any, Rows], Result]
) -> tuple[Rows, Result] | None:
    """The rows of ``path`` and what ``query`` (a connection and the rows) gives of them, in one DuckDB block; None
    when either raises :class:`NotReducible` (the line reader must read the file). A gzip file is first read by
    DuckDB itself, its end beside the query; if that does not settle (see the module), it is read as before."""
    if compression(path) == "gzip":
        with contextlib.suppress(_Unsettled):
            return _read_beside(path, rows_of, query)
    with connect() as connection:
        try:
            rows = rows_of(scratch_folder(connection))
            return rows, query(connection, rows)
        except NotReducible:
            return None


def _read_beside(
    path: Path, rows_of: Callable[[GzipReading], Rows], query: Callable[[Any, Rows], Result]
) -> tuple[Rows, Result] | None:
    """:func:`read_rows` of a gzip file read by DuckDB itself, its end beside (:class:`GzipEnd`): the limit's
    error for a bomb; :class:`_Unsettled` when the end is not settled or the query failed."""
    with connect() as connection, GzipEnd(path, connection) as end:
        try:
            rows = rows_of(end)
        except NotReducible:
            return None  # in the first bytes, which the pass before the query reads the same way
        try:
            result = query(connection, rows)
        except NotReducible:
            end.stop()
            end.refuse()  # a query stopped by a bomb
            if end.copied:
                return None  # read as a second read would read it
            raise _Unsettled from None
        if not end.settled():
            raise _Unsettled
    return rows, result
