"""Gatling's binary ``simulation.log`` (written by Gatling ≥ 3.13; docs/FORMATS.md §4.1).

Layout, as Gatling's ``LogFileDataWriter`` writes it (Java ``DataOutputStream`` conventions, big-endian):

* strings: ``int length`` then, when the length is not 0, the bytes of Java's internal string value and a
  ``coder`` byte (0 = Latin-1, 1 = UTF-16 in the writing machine's order, little-endian on x86/ARM);
* cached strings: ``int index``; an index ≥ 0 is followed by the string and stored under that index,
  a negative index −i refers to the string stored under i;
* the run record (type 0) first: version, simulation class, ``long`` start (epoch ms), description,
  ``int`` count + scenario names, ``int`` count + assertions (``int`` length + boopickle bytes);
* then records with a one-byte type: 1 request (``int`` group count + cached groups, cached name,
  ``int`` start, ``int`` end, status byte 1 = OK, cached message), 2 user (``int`` scenario index,
  start/end byte, ``int`` time), 3 group (groups, ``int`` start, ``int`` end, ``int`` cumulated time, status),
  4 error (cached message, ``int`` time). Times are ms offsets from the run start.
"""

from __future__ import annotations

import codecs
import gzip
import re
import struct
from dataclasses import dataclass, field
from pathlib import Path

from reportgen import named_files
from reportgen.adapters._base import read_bytes
from reportgen.errors import ArtifactError, Position

RUN, REQUEST, USER, GROUP, ERROR = 0, 1, 2, 3, 4
_RECORD_NAMES = {REQUEST: "request", USER: "user", GROUP: "group", ERROR: "error"}
_GZIP_MAGIC = b"\x1f\x8b"
_INT = struct.Struct(">i")
_LONG = struct.Struct(">q")
#: Longer strings than this are taken as garbage, not as a record cut short by the end of the file.
_MAX_STRING_BYTES = 1 << 24
#: Deeper group nesting than this is taken as garbage.
_MAX_GROUP_DEPTH = 1000
_VERSION = re.compile(r"(\d+)\.(\d+)(?:\.\d+)*(?:[-.][0-9A-Za-z.-]*)?")
#: The layout was checked byte by byte on a file whose header says 3.12.1 (a 3.13 development build) and
#: read from Gatling's 3.13+ source; another major version may have changed it.
KNOWN_VERSIONS = "3.12.1 (development builds of 3.13) to 3.x"


def _version_is_known(version: str) -> bool:
    match = _VERSION.fullmatch(version)
    return match is not None and int(match[1]) == 3 and int(match[2]) >= 12


class _Truncated(Exception):
    """The data ended inside a record."""


@dataclass(frozen=True)
class BinaryRequest:
    offset: int  # byte offset of the record's type byte
    groups: tuple[str, ...]
    name: str
    start: int  # ms after the run start
    end: int
    ok: bool
    message: str


@dataclass(frozen=True)
class RunHeader:
    version: str
    simulation: str
    start_ms: int
    description: str
    scenarios: tuple[str, ...]
    assertions: tuple[bytes, ...]  # boopickle-encoded; not decoded


@dataclass
class BinaryLog:
    header: RunHeader
    requests: list[BinaryRequest] = field(default_factory=list)
    record_counts: dict[str, int] = field(default_factory=dict)
    truncated_at: int | None = None  # byte offset of a last record cut short
    size: int = 0


def _load(path: Path) -> bytes:
    try:
        return read_bytes(path)
    except (OSError, EOFError, gzip.BadGzipFile) as error:
        raise ArtifactError(Position(path), f"cannot read the binary log: {error}") from None


def _head(path: Path) -> bytes:
    """The first bytes of the (gunzipped) file; empty when it cannot be read."""
    try:
        with named_files.open_file(path) as stream:
            head = stream.read(64)
            if head.startswith(_GZIP_MAGIC):
                stream.seek(0)
                head = gzip.GzipFile(fileobj=stream).read(64)
    except (OSError, EOFError, gzip.BadGzipFile):
        return b""
    return head


def is_binary(path: Path) -> bool:
    """NUL bytes without a UTF-16 byte order mark (the rule of ``read_sample``): a text log has none."""
    head = _head(path)
    return b"\x00" in head and not head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))


def header_version(path: Path) -> str | None:
    """The Gatling version at the start of a binary log (run type byte, length, text), or None: for sniffing."""
    head = _head(path)
    if len(head) < 6 or head[0] != RUN:
        return None
    (length,) = _INT.unpack_from(head, 1)
    raw = head[5 : 5 + length] if 0 < length <= 32 else b""
    text = raw.decode("ascii", errors="replace")
    return text if text[:1].isdigit() and "." in text else None


class _Cursor:
    """Reads the primitives of the log; running past the end raises ``_Truncated``, nonsense an ArtifactError."""

    def __init__(self, path: Path, data: bytes) -> None:
        self.path, self.data, self.pos = path, data, 0
        self.cache: dict[int, str] = {}

    def garbage(self, offset: int, message: str) -> ArtifactError:
        return ArtifactError(Position(self.path), f"byte offset {offset}: {message}")

    def take(self, size: int) -> bytes:
        end = self.pos + size
        if end > len(self.data):
            raise _Truncated
        chunk = self.data[self.pos : end]
        self.pos = end
        return chunk

    def byte(self) -> int:
        return self.take(1)[0]

    def flag(self, what: str) -> bool:
        at = self.pos
        value = self.byte()
        if value not in (0, 1):
            raise self.garbage(at, f"{what} byte is {value}, expected 0 or 1")
        return value == 1

    def int32(self) -> int:
        value: int = _INT.unpack(self.take(4))[0]
        return value

    def int64(self) -> int:
        value: int = _LONG.unpack(self.take(8))[0]
        return value

    def count(self, what: str, limit: int) -> int:
        at = self.pos
        value = self.int32()
        if not 0 <= value <= limit:
            raise self.garbage(at, f"{what} count {value} is out of range")
        return value

    def string(self) -> str:
        at = self.pos
        length = self.int32()
        if length == 0:
            return ""
        if not 0 < length <= _MAX_STRING_BYTES:
            raise self.garbage(at, f"string length {length} is out of range")
        raw = self.take(length)
        coder_at = self.pos
        coder = self.byte()
        try:
            if coder == 0:
                return raw.decode("latin-1")
            if coder == 1:
                return raw.decode("utf-16-le")
        except UnicodeDecodeError:
            raise self.garbage(at, "string bytes do not decode as UTF-16") from None
        raise self.garbage(coder_at, f"string coder byte is {coder}, expected 0 (Latin-1) or 1 (UTF-16)")

    def cached_string(self) -> str:
        """Gatling's reader replaces tabs and line breaks in these strings with spaces; so does this one."""
        at = self.pos
        index = self.int32()
        if index >= 0:
            text = self.string().replace("\t", " ").replace("\r", " ").replace("\n", " ")
            self.cache[index] = text
            return text
        if -index not in self.cache:
            raise self.garbage(at, f"reference to string #{-index}, which no earlier record defined")
        return self.cache[-index]

    def groups(self) -> tuple[str, ...]:
        return tuple(self.cached_string() for _ in range(self.count("group", _MAX_GROUP_DEPTH)))


def _read_header(cursor: _Cursor) -> RunHeader:
    kind = cursor.byte()
    if kind != RUN:
        raise cursor.garbage(0, f"first byte is {kind}, expected 0 (the run record of a binary simulation.log)")
    version = cursor.string()
    if not _version_is_known(version):
        raise ArtifactError(
            Position(cursor.path),
            f"binary simulation.log written by Gatling {version[:40]!r}: its layout is not known "
            f"(read for Gatling {KNOWN_VERSIONS}); point reportgen at the HTML report's js/stats.json",
        )
    coder_at = cursor.pos - 1
    try:
        return _read_header_rest(cursor, version)
    except (ArtifactError, _Truncated):
        if _uncached_layout(cursor.data, coder_at):
            raise ArtifactError(
                Position(cursor.path),
                f"byte offset {coder_at}: binary simulation.log (Gatling {version}) in an older binary layout "
                "(UTF-8 strings without coder byte, no string cache) that reportgen does not read; "
                "point reportgen at the HTML report's js/stats.json",
            ) from None
        raise


def _read_header_rest(cursor: _Cursor, version: str) -> RunHeader:
    simulation = cursor.string()
    start_ms = cursor.int64()
    description = cursor.string()
    scenarios = tuple(cursor.string() for _ in range(cursor.count("scenario", 1 << 16)))
    assertions = tuple(
        cursor.take(cursor.count("assertion bytes", _MAX_STRING_BYTES))
        for _ in range(cursor.count("assertion", 1 << 16))
    )
    return RunHeader(version, simulation, start_ms, description, scenarios, assertions)


def _uncached_layout(data: bytes, after_version: int) -> bool:
    """Whether a class name follows the version with no coder byte between: the layout of Gatling's first
    binary writer (plain UTF-8 strings, no string cache), seen in its source history only."""
    if after_version + 4 > len(data):
        return False
    (length,) = _INT.unpack_from(data, after_version)
    name = data[after_version + 4 : after_version + 4 + length] if 0 < length <= 1024 else b""
    return re.fullmatch(rb"[A-Za-z_$][\w$.]*", name) is not None


def _read_request(cursor: _Cursor, offset: int) -> BinaryRequest:
    groups = cursor.groups()
    name = cursor.cached_string()
    start, end = cursor.int32(), cursor.int32()
    ok = cursor.flag("request status")
    message = cursor.cached_string()
    return BinaryRequest(offset, groups, name, start, end, ok, message)


def _skip_user(cursor: _Cursor, scenarios: int) -> None:
    at = cursor.pos
    index = cursor.int32()
    if not 0 <= index < scenarios:
        raise cursor.garbage(at, f"user record names scenario #{index}; the header lists {scenarios}")
    cursor.flag("user start/end")
    cursor.int32()


def _skip_group(cursor: _Cursor) -> None:
    cursor.groups()
    cursor.take(12)  # start, end, cumulated response time
    cursor.flag("group status")


def _skip_error(cursor: _Cursor) -> None:
    cursor.cached_string()
    cursor.int32()


def read_binary_log(path: Path) -> BinaryLog:
    """Every record of the log; a last record cut short stops the read (``truncated_at``), garbage raises."""
    data = _load(path)
    cursor = _Cursor(path, data)
    try:
        header = _read_header(cursor)
    except _Truncated:
        raise ArtifactError(
            Position(path), f"byte offset {len(data)}: file ends inside the run header ({len(data)} bytes)"
        ) from None
    log = BinaryLog(header, size=len(data))
    counts = dict.fromkeys(_RECORD_NAMES.values(), 0)
    while cursor.pos < len(data):
        offset = cursor.pos
        kind = cursor.byte()
        try:
            if kind == REQUEST:
                log.requests.append(_read_request(cursor, offset))
            elif kind == USER:
                _skip_user(cursor, len(header.scenarios))
            elif kind == GROUP:
                _skip_group(cursor)
            elif kind == ERROR:
                _skip_error(cursor)
            else:
                raise cursor.garbage(
                    offset, f"unknown record type {kind}; expected 1 (request), 2 (user), 3 (group) or 4 (error)"
                )
        except _Truncated:
            log.truncated_at = offset
            break
        counts[_RECORD_NAMES[kind]] += 1
    log.record_counts = counts
    return log
