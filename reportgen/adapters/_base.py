"""What every adapter is, and the readers they share.

An adapter reads one artifact format. It is a class with:

* ``name`` (the entry-point name, e.g. ``k6-summary-export``), ``version`` and
  a one-line ``summary``;
* ``priority``: when several adapters accept a file, the highest wins;
* ``sniff(sample)``: cheap yes/no on the first 64 KiB of the decoded text;
* ``read(path)``: the full read, returning an :class:`Extraction`; damage raises
  :class:`ArtifactError` with the line (and column where known).

Built-in adapters register through the ``reportgen.adapters`` entry-point group
exactly like third-party ones.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import gzip
import io
import json
import math
import os
import re
import zlib
from collections.abc import Generator, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, Protocol, cast

from reportgen import limits, named_files
from reportgen.errors import ArtifactError, Position
from reportgen.schemas.measurement import Extraction

SNIFF_BYTES = 64 * 1024


@dataclass(frozen=True)
class Sample:
    """The start of an artifact, decoded, for sniffing."""

    path: Path
    name: str  # file name without a trailing .gz
    head: str  # first SNIFF_BYTES of decoded text ('' for binary files)
    binary: bool


class Adapter(Protocol):
    name: ClassVar[str]
    version: ClassVar[str]
    summary: ClassVar[str]
    priority: ClassVar[int]

    def sniff(self, sample: Sample) -> bool: ...

    def read(self, path: Path) -> Extraction: ...


#: Label sets asked of a stream beyond its standard slices: (metric, {tag: value, …}).
Slices = Sequence[tuple[str, dict[str, str]]]


class SampleAdapter(Adapter, Protocol):
    """An adapter over raw samples (a stream), which can compute percentiles beyond its standard set and any
    label combination (``slices``), since it holds every sample."""

    computes_percentiles: ClassVar[bool]

    def read(self, path: Path, percentiles: Sequence[float] = (), slices: Slices = ()) -> Extraction: ...


class _Bounded(io.RawIOBase):
    """The bytes of an artifact, counted: refused past the limits of :mod:`reportgen.limits` (gzip bombs,
    documents too big to hold in memory) before the memory or the time is spent."""

    def __init__(self, path: Path, *, whole: bool, fast: bool = False) -> None:
        super().__init__()
        self.path, self.whole = path, whole
        self.file = named_files.open_file(path)
        self.gzipped = self.file.peek(2)[:2] == b"\x1f\x8b"
        # The ratio is taken over the compressed bytes read so far, so a bomb is caught early in the file.
        # ``fast``: ISA-L's inflate (see :func:`text_blocks`); the readers keep zlib's, whose errors they name.
        if fast:
            from isal import igzip  # imported when a gzip file is read fast: every adapter imports this module

            unzip: Any = igzip.GzipFile
        else:
            unzip = gzip.GzipFile
        self.inner: io.BufferedIOBase = unzip(fileobj=self.file, mode="rb") if self.gzipped else self.file
        self.count = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return self.inner.seekable()

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        position = self.inner.seek(offset, whence)
        self.count = min(self.count, position)  # read again after a rewind: count each byte once
        return position

    def tell(self) -> int:
        return self.inner.tell()

    def readinto(self, buffer: Any) -> int:
        # read1: what one decompression step gives, so a gzip file cut short loses only its broken end.
        data = self.inner.read1(len(buffer))
        read = len(data)
        buffer[:read] = data
        self.count += read
        self._check()
        return read

    def _check(self) -> None:
        where = Position(self.path)
        if self.whole and self.count > limits.MAX_DOCUMENT_BYTES:
            raise ArtifactError(
                where,
                f"more than {limits.size(limits.MAX_DOCUMENT_BYTES)}{' decompressed' if self.gzipped else ''}, the "
                "most reportgen reads into memory at once for this format (limit MAX_DOCUMENT_BYTES)",
            )
        if not self.gzipped:
            return
        if self.count > limits.MAX_DECOMPRESSED_BYTES:
            raise ArtifactError(
                where,
                f"gzip data expands past {limits.size(limits.MAX_DECOMPRESSED_BYTES)} "
                "(limit MAX_DECOMPRESSED_BYTES): a gzip bomb, or split the run",
            )
        compressed = max(self.file.tell(), 1)
        if self.count > limits.MAX_RATIO_FREE_BYTES and self.count > limits.MAX_GZIP_RATIO * compressed:
            raise ArtifactError(
                where,
                f"gzip data expands more than {limits.MAX_GZIP_RATIO} times its compressed size "
                f"({limits.size(self.count)} from the first {limits.size(compressed)}; limit MAX_GZIP_RATIO): "
                "a gzip bomb, not a tool's output",
            )

    def close(self) -> None:
        self.inner.close()
        self.file.close()
        super().close()


def _open_binary(path: Path, *, whole: bool = False, fast: bool = False) -> io.BufferedReader:
    """Open raw bytes, gunzipping by magic number (not by name), counted against the limits; ``whole`` when
    the caller reads all of it into memory. The returned object owns the file."""
    return io.BufferedReader(_Bounded(path, whole=whole, fast=fast), buffer_size=64 * 1024)


def check_expansion(path: Path) -> None:
    """Decompress a gzip artifact through to its end, discarding it, so that a gzip bomb is refused before
    another engine (DuckDB) reads the file without reportgen's limits. Damage is left to the readers."""
    if not _gzipped(path):
        return
    try:
        for _ in text_blocks(path):
            pass
    except (OSError, EOFError, zlib.error):
        return


def text_blocks(path: Path) -> Generator[bytes, None, None]:
    """The artifact's (gunzipped) bytes in blocks of at most 1 MiB, through the limits (a gzip bomb raises
    :class:`ArtifactError`); damage raises OSError, EOFError or zlib.error.

    Inflated by ISA-L (``isal.igzip``): a fifth of zlib's cpu, and with DuckDB inflating the same file on the other
    core, a tenth (0.07 s against 0.63 s of the thread's cpu, 205 MiB benchmark stream, load 3). Its messages are
    not zlib's, so only readers that name no damage use it; it accepts and refuses the same files as Python's
    gzip (CRC, length, headers, trailing bytes and 300 random bit flips tested)."""
    try:
        with _open_binary(path, fast=True) as stream:
            while block := stream.read1(limits.MIB):
                yield block
    except _isal_error() as exc:
        raise zlib.error(str(exc)) from None


def _isal_error() -> type[Exception]:
    """What ISA-L raises for corrupt deflate data (its stubs type it as an instance, not a class); imported when
    needed, as :class:`_Bounded` imports ISA-L."""
    from isal import isal_zlib

    return cast(type[Exception], isal_zlib.error)


@dataclass
class LineScan:
    """What one fast pass over an artifact's lines found (see :func:`scan_lines`)."""

    matches: list[bytes]  # the lines holding the needle, ends stripped, in file order
    newlines: int  # complete lines (each ended by a newline); counted only when ``tail`` needs a line number
    tail: bytes  # what follows the last newline: a last line without its end, or b""
    #: False when only the first ``ahead`` bytes were searched (a plain file that ends with a newline, or a gzip
    #: file read no further, ``to_end`` False): then ``matches`` are the prefix's only, and ``newlines`` 0.
    whole: bool = True


class Sink(Protocol):
    """Where :func:`scan_lines` writes a gzip file's text as it inflates it."""

    def write(self, block: bytes, /) -> object: ...


def scan_lines(
    path: Path, needle: bytes, unzipped: Sink | None = None, ahead: int | None = None, *, to_end: bool = True
) -> LineScan:
    """The lines of the (gunzipped) artifact that contain ``needle``, the number of complete lines and the
    unterminated tail. A gzip file is read in 1 MiB blocks through the same limits as the readers, so a bomb
    is refused, and its text is also written to ``unzipped`` when given (so that DuckDB reads it plain, in
    parallel, rather than decompress it a second time, on one thread); a plain file is searched in place
    (:func:`_scan_plain`). With ``ahead``, only the lines in about that many first bytes are searched (a gzip
    file is still inflated and its lines counted to the end, unless ``to_end`` is False: then the caller reads
    its end another way, :mod:`._gzip_end`; a plain file is read no further when it ends with a newline:
    nothing then needs its tail or line count). A damaged gzip file raises OSError, EOFError or zlib.error to
    the caller."""
    if not _gzipped(path):
        return _scan_plain(path, needle, ahead)
    found = LineScan([], 0, b"")
    with contextlib.closing(text_blocks(path)) as chunks:
        rest = b""
        inflated = 0
        for chunk in chunks:
            if unzipped is not None:
                unzipped.write(chunk)
            block = rest + chunk
            end = block.rfind(b"\n") + 1
            block, rest = block[:end], block[end:]
            past = ahead is not None and inflated >= ahead
            inflated += len(chunk)
            found.newlines += block.count(b"\n")
            if past:
                if not to_end:  # more text than ``ahead``: its end is the caller's to read
                    return LineScan(found.matches, 0, b"", whole=False)
                found.whole = False
                continue
            start = block.find(needle)
            while start >= 0:
                line_end = block.find(b"\n", start)  # found: a block ends with a newline
                found.matches.append(block[block.rfind(b"\n", 0, start) + 1 : line_end].rstrip(b"\r"))
                start = block.find(needle, line_end)
    if needle in rest:
        found.matches.append(rest.rstrip(b"\r"))
    found.tail = rest
    return found


def _gzipped(path: Path) -> bool:
    with named_files.open_file(path) as stream:
        return stream.read(2) == b"\x1f\x8b"


def _scan_plain(path: Path, needle: bytes, ahead: int | None = None) -> LineScan:
    """:func:`scan_lines` over a plain file: read in 1 MiB blocks straight from the file (no decompression, no
    limits to count), and newlines counted only when the file does not end with one: the count gives a cut
    last line its number, and nothing else needs it. (Not a memory map: its pages would count as the process's
    resident memory, the whole file of it.)"""
    found = LineScan([], 0, b"")
    with named_files.open_file(path) as stream:
        size = os.fstat(stream.fileno()).st_size
        stream.seek(max(size - limits.MIB, 0))
        end = stream.read()
        count = not end.endswith(b"\n") and size > 0  # a tail: its line number is wanted
        stream.seek(0)
        rest = b""
        while chunk := stream.read(limits.MIB):
            if not count and ahead is not None and stream.tell() - len(chunk) >= ahead:
                found.whole = False  # the lines before ``ahead`` are searched; the file ends with a newline
                return found
            block = rest + chunk
            complete = block.rfind(b"\n") + 1
            rest = block[complete:]
            if count:
                found.newlines += block.count(b"\n", 0, complete)
            start = block.find(needle, 0, complete)
            while start >= 0:
                line_end = block.find(b"\n", start, complete)
                found.matches.append(block[block.rfind(b"\n", 0, start) + 1 : line_end].rstrip(b"\r"))
                start = block.find(needle, line_end, complete)
    if needle in rest:
        found.matches.append(rest.rstrip(b"\r"))
    found.tail = rest
    return found


def not_text(path: Path, exc: UnicodeDecodeError) -> ArtifactError:
    """The error for bytes that do not decode, at the line and column of the first bad byte (text is decoded in
    chunks ahead of the line being read, so the reader's own line count cannot say where)."""
    line = column = None
    if exc.encoding.replace("-", "").lower().startswith("utf8"):
        with _open_binary(path) as stream:
            for number, raw in enumerate(stream, start=1):
                try:
                    raw.decode("utf-8")
                except UnicodeDecodeError as bad:
                    line, column = number, len(raw[: bad.start].decode("utf-8")) + 1
                    break
    return ArtifactError(Position(path, line, column), f"not valid UTF-8 text ({exc.reason}); save it as UTF-8")


def read_bytes(path: Path) -> bytes:
    """All bytes of an artifact (gunzipped by magic number), within MAX_DOCUMENT_BYTES."""
    with _open_binary(path, whole=True) as stream:
        return stream.read()


class BoundedText:
    """Text of an artifact whose lines are refused past MAX_LINE_CHARS, so one endless line cannot fill the
    memory (iterate it, or ``readline``/``read``/``seek`` as on the text file it wraps)."""

    def __init__(self, path: Path, stream: io.BufferedReader, encoding: str) -> None:
        self.path, self.buffer = path, stream
        self.text = io.TextIOWrapper(stream, encoding=encoding, errors="strict", newline="")
        self.lines_read = 0

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        line = self.text.readline(limits.MAX_LINE_CHARS + 1)
        if not line:
            raise StopIteration
        self.lines_read += 1
        if len(line) > limits.MAX_LINE_CHARS:
            raise ArtifactError(
                Position(self.path, self.lines_read),
                f"line longer than {limits.size(limits.MAX_LINE_CHARS)} characters (limit MAX_LINE_CHARS): "
                "not a tool's output",
            )
        return line

    def readline(self) -> str:
        try:
            return next(self)
        except StopIteration:
            return ""

    def read(self) -> str:
        return self.text.read()

    def seek(self, offset: int) -> None:
        self.text.seek(offset)
        self.lines_read = 0

    def __enter__(self) -> BoundedText:
        return self

    def __exit__(self, *exc: object) -> None:
        self.text.close()


def _detect_encoding(start: bytes) -> str:
    if start.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if start.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    return "utf-8"


def read_sample(path: Path) -> Sample:
    """Read the first bytes of ``path`` (gunzipped) for sniffing."""
    with _open_binary(path) as stream:
        try:
            start = stream.read(SNIFF_BYTES)
        except (OSError, EOFError):
            start = b""
    name = path.name[:-3] if path.name.endswith(".gz") else path.name
    encoding = _detect_encoding(start)
    if b"\x00" in start and encoding == "utf-8":
        return Sample(path, name, "", True)
    head = start.decode(encoding, errors="ignore")
    return Sample(path, name, head, False)


def open_text(path: Path, *, whole: bool = False) -> BoundedText:
    """Open an artifact as text: gzip by magic bytes, BOM stripped, UTF-16 by BOM, newlines kept for csv.
    ``whole``: the caller keeps all of it in memory (MAX_DOCUMENT_BYTES applies)."""
    stream = _open_binary(path, whole=whole)
    start = stream.peek(4)[:4]
    return BoundedText(path, stream, _detect_encoding(start))


def iter_lines(path: Path, *, whole: bool = False) -> Iterator[tuple[int, str]]:
    """Yield (1-based line number, line without its end of line); decoding errors name the line."""
    number = 0
    try:
        with open_text(path, whole=whole) as text:
            for number, line in enumerate(text, start=1):
                yield number, line.rstrip("\r\n")
    except UnicodeDecodeError as exc:
        raise not_text(path, exc) from None
    except (OSError, EOFError) as exc:
        raise ArtifactError(Position(path, number + 1 if number else None), f"cannot read: {exc}") from None


_NON_JSON_CONSTANT = re.compile(r"(?<![\w\"])(NaN|-?Infinity)(?![\w\"])")


def _reject_constant(name: str) -> Any:
    raise ValueError(name)


class _Overflow(ValueError):
    """A JSON number too large for a float (``1e400``), which json would read as infinity."""


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _Overflow(text)
    return value


def parse_json(text: str, path: Path, line_offset: int = 0) -> Any:
    """Parse JSON text strictly (no NaN/Infinity, nesting bounded); errors carry line and column."""
    if (offset := limits.bracket_depth_exceeds(text)) is not None:
        deep_line, deep_column = limits.line_and_column(text, offset)
        raise ArtifactError(
            Position(path, deep_line + line_offset, deep_column),
            f"JSON nested more than {limits.MAX_NESTING} levels deep (limit MAX_NESTING)",
        )
    try:
        return json.loads(text, parse_constant=_reject_constant, parse_float=_finite_float)
    except json.JSONDecodeError as exc:
        raise ArtifactError(Position(path, exc.lineno + line_offset, exc.colno), f"invalid JSON: {exc.msg}") from None
    except _Overflow as exc:
        found = re.search(rf"(?<![\w.\"]){re.escape(str(exc))}(?![\w.])", text)
        line, column = limits.line_and_column(text, found.start()) if found else (None, None)
        raise ArtifactError(
            Position(path, line + line_offset if line else None, column),
            f"{exc} is too large for a number (it would be infinity); the tool wrote a non-finite value",
        ) from None
    except ValueError as exc:
        match = _NON_JSON_CONSTANT.search(text)
        line = column = None
        if match:
            line = text.count("\n", 0, match.start()) + 1 + line_offset
            column = match.start() - (text.rfind("\n", 0, match.start()) + 1) + 1
        raise ArtifactError(
            Position(path, line, column), f"{exc} is not a JSON number; the tool wrote a non-finite value"
        ) from None


def load_json(path: Path) -> Any:
    """Read a whole JSON artifact (gzip, BOM and UTF-16 handled)."""
    try:
        with open_text(path, whole=True) as text:
            content = text.read()
    except UnicodeDecodeError as exc:
        raise not_text(path, exc) from None
    except (OSError, EOFError) as exc:
        raise ArtifactError(Position(path), f"cannot read: {exc}") from None
    if not content.strip():
        raise ArtifactError(Position(path, 1, 1), "file is empty")
    return parse_json(content, path)


@dataclass(frozen=True)
class CsvTable:
    header: list[str]
    rows: list[tuple[int, dict[str, str]]]  # (1-based line number where the row starts, row)


def read_csv(path: Path, *, delimiter: str | None = None, required: tuple[str, ...] = ()) -> CsvTable:
    """Read a CSV artifact with a header row; rows with a wrong field count and missing columns are errors."""
    try:
        with open_text(path) as text:
            if delimiter is None:
                first = text.readline()
                text.seek(0)
                delimiter = max((",", ";", "\t", "|"), key=first.count)
            reader = csv.reader(text, delimiter=delimiter, strict=True)
            try:
                header = next(reader)
            except StopIteration:
                raise ArtifactError(Position(path, 1, 1), "file is empty") from None
            missing = [c for c in required if c not in header]
            if missing:
                raise ArtifactError(
                    Position(path, 1), f"missing column(s) {', '.join(missing)}; header is {','.join(header)}"
                )
            rows: list[tuple[int, dict[str, str]]] = []
            line = reader.line_num + 1
            for fields in reader:
                if not fields:
                    line = reader.line_num + 1
                    continue
                if len(fields) != len(header):
                    raise ArtifactError(
                        Position(path, line),
                        f"row has {len(fields)} fields, the header has {len(header)} (truncated or damaged file?)",
                    )
                rows.append((line, dict(zip(header, fields, strict=True))))
                line = reader.line_num + 1
    except csv.Error as exc:
        raise ArtifactError(Position(path, locals().get("line")), f"malformed CSV: {exc}") from None
    except UnicodeDecodeError as exc:
        raise not_text(path, exc) from None
    return CsvTable(header, rows)


def number(text: str, path: Path, line: int | None, column: str) -> float:
    """Parse a numeric cell; NaN, inf and non-numbers are errors naming the place."""
    try:
        value = float(text)
    except ValueError:
        raise ArtifactError(Position(path, line), f"column {column!r}: expected a number, got {text!r}") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise ArtifactError(Position(path, line), f"column {column!r}: {text} is not a finite number")
    return value
