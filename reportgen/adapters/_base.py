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
import csv
import gzip
import io
import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, Protocol

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


def _open_binary(path: Path) -> io.BufferedReader | gzip.GzipFile:
    """Open raw bytes, gunzipping by magic number (not by name); the returned object owns the file."""
    with path.open("rb") as probe:
        magic = probe.read(2)
    if magic == b"\x1f\x8b":
        return gzip.open(path, "rb")
    return path.open("rb")


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


def open_text(path: Path) -> io.TextIOWrapper:
    """Open an artifact as text: gzip by magic bytes, BOM stripped, UTF-16 by BOM, newlines kept for csv."""
    stream = _open_binary(path)
    start = stream.peek(4)[:4] if hasattr(stream, "peek") else b""
    return io.TextIOWrapper(stream, encoding=_detect_encoding(start), errors="strict", newline="")


def iter_lines(path: Path) -> Iterator[tuple[int, str]]:
    """Yield (1-based line number, line without its end of line); decoding errors name the line."""
    number = 0
    try:
        with open_text(path) as text:
            for number, line in enumerate(text, start=1):
                yield number, line.rstrip("\r\n")
    except UnicodeDecodeError as exc:
        raise ArtifactError(Position(path, number + 1), f"not valid text ({exc.reason}); save it as UTF-8") from None
    except (OSError, EOFError) as exc:
        raise ArtifactError(Position(path, number + 1 if number else None), f"cannot read: {exc}") from None


_NON_JSON_CONSTANT = re.compile(r"(?<![\w\"])(NaN|-?Infinity)(?![\w\"])")


def _reject_constant(name: str) -> Any:
    raise ValueError(name)


def parse_json(text: str, path: Path, line_offset: int = 0) -> Any:
    """Parse JSON text strictly (no NaN/Infinity); errors carry line and column."""
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        raise ArtifactError(Position(path, exc.lineno + line_offset, exc.colno), f"invalid JSON: {exc.msg}") from None
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
        with open_text(path) as text:
            content = text.read()
    except UnicodeDecodeError as exc:
        raise ArtifactError(Position(path), f"not valid text ({exc.reason}); save it as UTF-8") from None
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
        raise ArtifactError(Position(path), f"not valid text ({exc.reason}); save it as UTF-8") from None
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
