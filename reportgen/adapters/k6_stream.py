"""k6 raw sample streams: ``--out json`` (NDJSON) and ``--out csv``, plain or gzip.

Both are read one line at a time into a :class:`StreamCollector`; every statistic
is then computed by :func:`reduce_stream` with k6's own rules (docs/FORMATS.md §1.3,
§1.4), so the numbers agree bit for bit with k6's summary. A stream cut short by a
killed run is read up to its last complete line, with a warning; damage anywhere
else is an error naming the line.
"""

from __future__ import annotations

import csv
import json
import math
import re
import zlib
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from functools import lru_cache, partial
from pathlib import Path
from typing import Any, ClassVar

from reportgen.adapters import _k6_sql
from reportgen.adapters._base import (
    LineScan,
    Sample,
    Slices,
    not_text,
    number,
    open_text,
    parse_json,
    scan_lines,
)
from reportgen.adapters._duckdb import NotReducible, compression, plain_utf8
from reportgen.adapters._gzip_end import GzipEnd, GzipReading, read_rows
from reportgen.adapters._k6_common import KINDS, builtin_contains, builtin_kind
from reportgen.adapters._k6_reduce import MetricDeclaration, StreamCollector, reduce_stream, stream_info
from reportgen.adapters._k6_values import LinesEstimate
from reportgen.adapters._plain_copy import PlainCopy
from reportgen.errors import ArtifactError, Position
from reportgen.schemas.measurement import Extraction, ExtractWarning, Measurement, Series

# ---------------------------------------------------------------------------- shared line reading


def _lines(path: Path, warnings: list[ExtractWarning]) -> Iterator[str]:
    """Lines of the (gzipped) text, ends kept; a gzip file cut short ends the lines with a warning."""
    line = 0
    try:
        with open_text(path) as text:
            for line, raw in enumerate(text, start=1):  # noqa: B007 - the except clauses report it
                yield raw
    except EOFError:
        message = "the compressed file ends early (k6 killed before it closed the file); read the complete lines"
        warnings.append(ExtractWarning(message=message, line=line + 1))
    except UnicodeDecodeError as exc:
        raise not_text(path, exc) from None
    except (OSError, zlib.error) as exc:
        raise ArtifactError(Position(path, line + 1), f"cannot read: {exc}") from None


def _incomplete_last_line(error: ArtifactError, points: int) -> ExtractWarning:
    return ExtractWarning(
        message=f"last line is incomplete ({error.reason}; k6 killed mid-write?): read the {points} samples before it",
        line=error.position.line,
    )


_RFC3339 = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$")


@lru_cache(maxsize=65536)
def _epoch_seconds(whole_seconds: str, zone: str) -> int:
    # Cached: consecutive samples share their whole second, and datetime parsing is the slow part.
    return int(datetime.fromisoformat(whole_seconds + ("+00:00" if zone == "Z" else zone)).timestamp())


def rfc3339_ns(text: str) -> int | None:
    """``2026-11-22T20:04:42.239402403Z`` → Unix time in integer nanoseconds (None if not RFC 3339)."""
    match = _RFC3339.match(text)
    if not match:
        return None
    whole, fraction, zone = match.groups()
    return _epoch_seconds(whole, zone) * 1_000_000_000 + int((fraction or "").ljust(9, "0"))


def _declaration_for(collector: StreamCollector, metric: str) -> MetricDeclaration:
    """The declared metric, or one made from k6's built-in names (unknown custom metrics: Trends)."""
    declaration = collector.declarations.get(metric)
    if declaration is None:
        kind = builtin_kind(metric)
        declaration = MetricDeclaration(metric, kind or "trend", builtin_contains(metric), assumed=kind is None)
        collector.declare(declaration)
    return declaration


def _extraction(
    adapter: str, collector: StreamCollector, warnings: list[ExtractWarning], percentiles: Sequence[float] = ()
) -> Extraction:
    found, series = reduce_stream(collector, percentiles)
    return _stream_extraction(adapter, found, series, warnings, stream_info(collector))


def _stream_extraction(
    adapter: str, found: list[Measurement], series: list[Series], warnings: list[ExtractWarning], info: dict[str, str]
) -> Extraction:
    return Extraction(
        adapter=adapter,
        adapter_version=ADAPTER_VERSION,
        measurements=found,
        series=series,
        warnings=warnings,
        info=info,
    )


#: Both readers (DuckDB and line by line) give the same figures: one version for the cache. 2: exact sums.
ADAPTER_VERSION = "2"

RowsOf = Callable[[Path, set[str], GzipReading], _k6_sql.Rows]


def reduce_with_duckdb(
    adapter: str, path: Path, rows_of: RowsOf, percentiles: Sequence[float], slices: Slices
) -> Extraction | None:
    """The whole reduction as one SQL query over the file; None when the file needs the line reader (damage, a
    BOM, no samples), which then names the line or reads what is complete. A gzip file is read by DuckDB itself
    while its end is read beside the query (:func:`._gzip_end.read_rows`)."""
    if not plain_utf8(path):
        return None
    tags = {tag for _, labels in slices for tag in labels}
    read = read_rows(path, lambda reading: rows_of(path, tags, reading), partial(_reduce_rows, slices, percentiles))
    return None if read is None else _reduced_extraction(adapter, *read)


def _reduce_rows(slices: Slices, percentiles: Sequence[float], connection: Any, rows: _k6_sql.Rows) -> _k6_sql.Result:
    return _k6_sql.reduce(connection, rows, slices, percentiles)


def _reduced_extraction(adapter: str, rows: _k6_sql.Rows, reduced: _k6_sql.Result) -> Extraction | None:
    found, series, info = reduced
    if info["points"] == "0":
        return None
    if any(m.value is not None and not math.isfinite(m.value) for m in found):
        return None  # an overflowing sample (1e400): the line reader names its line and column
    # Read up to the last complete line, as the line reader does, with its warning.
    warnings = [_incomplete_last_line(rows.cut_tail, int(info["points"]))] if rows.cut_tail else []
    return _stream_extraction(adapter, found, series, warnings, info)


def _requested(slices: Slices) -> dict[str, list[dict[str, str]]]:
    by_metric: dict[str, list[dict[str, str]]] = {}
    for metric, labels in slices:
        by_metric.setdefault(metric, []).append(dict(labels))
    return by_metric


# ---------------------------------------------------------------------------- NDJSON


def _fail(path: Path, line: int, message: str) -> ArtifactError:
    return ArtifactError(Position(path, line), message)


def _list(data: dict[str, Any], key: str) -> list[Any]:
    """An optional list member (k6 writes ``null`` for no submetrics)."""
    value = data.get(key)
    return value if isinstance(value, list) else []


def _metric_declaration(data: Any, path: Path, line: int) -> MetricDeclaration:
    if not isinstance(data, dict) or not isinstance(data.get("name"), str) or data.get("type") not in KINDS:
        raise _fail(path, line, "Metric line without a name and a type of trend, counter, rate or gauge")
    submetrics = [
        {str(k): tag_text(v) for k, v in sub["tags"].items()}
        for sub in _list(data, "submetrics")
        if isinstance(sub, dict) and isinstance(sub.get("tags"), dict)
    ]
    thresholds = [str(t) for t in _list(data, "thresholds")]
    return MetricDeclaration(data["name"], data["type"], str(data.get("contains", "default")), thresholds, submetrics)


def _point(record: dict[str, Any], path: Path, line: int) -> tuple[str, int, float, dict[str, str]]:
    data = record.get("data")
    metric = record.get("metric")
    if not isinstance(data, dict) or not isinstance(metric, str):
        raise _fail(path, line, "Point line without 'metric' and 'data'")
    value = data.get("value")
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _fail(path, line, f"Point of {metric}: 'value' is not a number ({value!r})")
    time = data.get("time")
    time_ns = rfc3339_ns(time) if isinstance(time, str) else None
    if time_ns is None:
        raise _fail(path, line, f"Point of {metric}: 'time' is not an RFC 3339 time ({time!r})")
    tags = data.get("tags") or {}
    if not isinstance(tags, dict):
        raise _fail(path, line, f"Point of {metric}: 'tags' is not an object")
    return metric, time_ns, float(value), {str(k): tag_text(v) for k, v in tags.items() if v is not None}


def tag_text(value: Any) -> str:
    """A tag value as text. k6 writes strings; any other JSON value (another writer's ``true``, ``200``) is
    spelled as JSON writes it (``true``, not Python's ``True``), which is also how DuckDB reads it as text, so
    both readers slice by the same label and a manifest's ``expected_response: "true"`` finds it."""
    return value if isinstance(value, str) else json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _take_record(record: Any, path: Path, line: int, collector: StreamCollector) -> None:
    kind = record.get("type") if isinstance(record, dict) else None
    if kind == "Point":
        metric, time_ns, value, tags = _point(record, path, line)
        collector.add(_declaration_for(collector, metric), time_ns, value, tags)
    elif kind == "Metric":
        collector.declare(_metric_declaration(record.get("data"), path, line))
    else:
        raise _fail(path, line, f"not a k6 --out json line (type {kind!r}; expected Metric or Point)")


def read_ndjson(path: Path, slices: Slices = ()) -> tuple[StreamCollector, list[ExtractWarning]]:
    """Feed every line of a k6 NDJSON stream to a collector; only the last line may be incomplete."""
    collector = StreamCollector(requested=_requested(slices))
    warnings: list[ExtractWarning] = []
    damaged: ArtifactError | None = None
    for line, raw in enumerate(_lines(path, warnings), start=1):
        text = raw.rstrip("\r\n")
        if not text.strip():
            continue
        if damaged is not None:
            raise damaged  # a bad line with more lines after it is damage, not a cut-off end
        try:
            record = parse_json(text, path, line - 1)
        except ArtifactError as exc:
            damaged = exc
            continue
        _take_record(record, path, line, collector)
    if damaged is not None:
        warnings.insert(0, _incomplete_last_line(damaged, collector.points))
    return collector, warnings


def _scan(
    path: Path, needle: bytes, reading: GzipReading, ahead: int | None = None, *, beside: bool = True
) -> tuple[LineScan, Path]:
    """:func:`scan_lines`, and the file DuckDB is to read. A gzip file, by ``reading``: with a :class:`GzipEnd`
    (and ``beside``), only its first ``ahead`` bytes are scanned here, the rest is read beside the query, and
    DuckDB reads the gzip file; with a folder (the reduction's private one), its text is copied there as the scan
    inflates it (:mod:`._plain_copy`: while the disk has room), and the copy is read; with None, it is scanned
    whole and read as it is. ``ahead``: lines are searched only that far."""
    if reading is None or compression(path) != "gzip":
        return scan_lines(path, needle, ahead=ahead), path
    if isinstance(reading, GzipEnd) and beside:
        scan = scan_lines(path, needle, ahead=ahead, to_end=False)
        if not scan.whole:
            reading.start()
        return scan, path
    copy = PlainCopy((reading.copy_folder() if isinstance(reading, GzipEnd) else reading) / "unzipped.txt")
    try:
        scan = scan_lines(path, needle, copy, ahead)
    finally:
        plain = copy.finish()
    return scan, plain or path


#: How far into a plain NDJSON file its Metric lines are read ahead of the query. k6 writes a metric's Metric
#: line with its first Point, so they come early (the real fixtures' last one is within the first 3.7 K lines,
#: 0.6 MiB); the query reads every Metric line itself, and one found only there (beyond this) makes the
#: reduction check that its slices and percentiles were planned right (:func:`_k6_sql.reduce`). Searching the
#: whole 205 MiB benchmark stream in Python cost 0.18 s of cpu, a tenth of the reduction.
DECLARATIONS_AHEAD = 4 * 2**20


def _read_ahead(
    path: Path, reading: GzipReading, ahead: int | None
) -> tuple[dict[str, MetricDeclaration], int, LineScan, Path]:
    """The first Metric line of each name (as the line reader reads it), how many Metric lines there are, the
    scan and the file DuckDB is to read (:func:`_scan`)."""
    declared: dict[str, MetricDeclaration] = {}
    count = 0
    try:
        scan, readable = _scan(path, b'"Metric"', reading, ahead)
        for raw in scan.matches:
            record = json.loads(raw)
            if isinstance(record, dict) and record.get("type") == "Metric":
                count += 1
                declaration = _metric_declaration(record.get("data"), path, 0)
                declared.setdefault(declaration.name, declaration)
    except (OSError, EOFError, zlib.error, ValueError, ArtifactError) as exc:
        if isinstance(exc, ArtifactError) and exc.position.line is None:
            raise  # a limit (gzip bomb), not damage for the line reader to name
        raise NotReducible("damage the line reader must name") from None
    return declared, count, scan, readable


def _submetric_tags(declared: dict[str, MetricDeclaration]) -> set[str]:
    return {tag for d in declared.values() for sub in d.submetrics for tag in sub}


def _ndjson_rows(path: Path, tags: set[str], reading: GzipReading = None) -> _k6_sql.Rows:
    """The NDJSON stream as SQL rows, with its Metric lines read ahead in one fast pass (their submetrics and
    thresholds decide which slices and percentiles the query computes). That pass also reads a gzip file
    through reportgen's limits, refusing a bomb, and finds a last line cut short: beside the query, past its
    first :data:`DECLARATIONS_AHEAD` bytes, when ``reading`` is a :class:`GzipEnd`; with a folder, before it,
    writing the text there for the rows to read (:func:`_scan`). A plain file ending with a newline, or a gzip
    file read beside, is searched only :data:`DECLARATIONS_AHEAD` far: the query then gives every Metric line,
    and ``whole_file`` the rows planned from all of them."""
    declared, count, scan, readable = _read_ahead(path, reading, DECLARATIONS_AHEAD)
    cut = _cut_tail(path, scan)
    if scan.whole:
        return _k6_sql.ndjson_rows(readable, tags | _submetric_tags(declared), declared, count, cut)

    def whole_file(found: list[str], lines: int, estimate: LinesEstimate) -> _k6_sql.Rows:
        exact = _declared_by_query(found)
        if exact is None:  # a declaration only Python reads exactly: search the whole file, as the line reader
            exact, lines = _read_ahead(path, None, None)[:2]
        return _k6_sql.ndjson_rows(readable, tags | _submetric_tags(exact), exact, lines, cut, estimate=estimate)

    return _k6_sql.ndjson_rows(readable, tags | _submetric_tags(declared), declared, None, cut, whole_file)


def _declared_by_query(found: list[str]) -> dict[str, MetricDeclaration] | None:
    """The declarations from the query's Metric lines (the JSON :func:`_k6_sql.ndjson_rows` makes of each distinct
    one), or None where DuckDB's JSON may not be what the line reader reads: two different Metric lines of one
    name (the first counts), a ``contains`` missing or null (DuckDB reads both as NULL; the line reader tells
    them apart) or not text, a threshold or submetric tag that is not text (numbers are rewritten)."""
    declared: dict[str, MetricDeclaration] = {}
    for text in found:
        data = json.loads(text)
        subs = data["submetrics"] if isinstance(data["submetrics"], list) else []
        tag_values = [
            v
            for sub in subs
            if isinstance(sub, dict) and isinstance(sub.get("tags"), dict)
            for v in sub["tags"].values()
        ]
        thresholds = data["thresholds"] if isinstance(data["thresholds"], list) else []
        if (
            data["name"] in declared
            or not isinstance(data["contains"], str)
            or not all(isinstance(value, str) for value in [*thresholds, *tag_values])
        ):
            return None
        declared[data["name"]] = _metric_declaration(data, Path(), 0)
    return declared


def _cut_tail(path: Path, scan: LineScan) -> ArtifactError | None:
    """The line reader's error for a last line cut short (no newline, not JSON), or None when the file ends well."""
    try:
        text = scan.tail.decode("utf-8").rstrip("\r\n")
    except UnicodeDecodeError:
        raise NotReducible("undecodable last line") from None
    if not text.strip():
        return None
    try:
        parse_json(text, path, scan.newlines)
    except ArtifactError as exc:
        return exc
    return None


def _first_line(head: str) -> str:
    return next((line for line in head.splitlines() if line.strip()), "")


class K6JsonStream:
    name: ClassVar[str] = "k6-json-stream"
    version: ClassVar[str] = "2"  # 2: exact sums (rounded once), the same on both paths
    summary: ClassVar[str] = "k6 --out json NDJSON samples (plain or .gz), reduced with k6's own statistics"
    priority: ClassVar[int] = 60
    #: read() takes percentiles=[0..1, …] to compute beyond the standard set (raw samples allow any).
    computes_percentiles: ClassVar[bool] = True

    def sniff(self, sample: Sample) -> bool:
        try:
            record = json.loads(_first_line(sample.head))
        except ValueError:
            return False
        return (
            isinstance(record, dict)
            and record.get("type") in ("Metric", "Point")
            and isinstance(record.get("metric"), str)
            and isinstance(record.get("data"), dict)
        )

    def read(self, path: Path, percentiles: Sequence[float] = (), slices: Slices = ()) -> Extraction:
        fast = reduce_with_duckdb(self.name, path, _ndjson_rows, percentiles, slices)
        if fast is not None:
            return fast
        collector, warnings = read_ndjson(path, slices)
        if not collector.points:
            raise ArtifactError(Position(path, 1), "no k6 samples (Point lines) in the file")
        return _extraction(self.name, collector, warnings, percentiles)


# ---------------------------------------------------------------------------- CSV

CSV_REQUIRED = ("metric_name", "timestamp", "metric_value")
_CSV_NOT_TAGS = (*CSV_REQUIRED, "extra_tags", "metadata")


def csv_time_ns(text: str, path: Path, line: int) -> int:
    """The ``timestamp`` cell in any k6 ``timeFormat``: unix (s), unix_milli/micro/nano by size, or RFC 3339."""
    if text.isdigit():
        digits = len(text)
        scale = 1_000_000_000 if digits <= 11 else 1_000_000 if digits <= 14 else 1_000 if digits <= 17 else 1
        return int(text) * scale
    time_ns = rfc3339_ns(text)
    if time_ns is None:
        raise _fail(path, line, f"column 'timestamp': expected Unix time or RFC 3339, got {text!r}")
    return time_ns


def _extra_tags(text: str) -> dict[str, str]:
    """``k=v&k=v`` (k6 does not escape: a value holding ``&`` or ``=`` is cut there)."""
    pairs = (item.partition("=") for item in text.split("&") if item)
    return {key: value for key, _, value in pairs if key}


class _CsvColumns:
    """Where each field is in a k6 CSV row."""

    def __init__(self, header: list[str], path: Path) -> None:
        missing = [c for c in CSV_REQUIRED if c not in header]
        if missing:
            raise ArtifactError(Position(path, 1), f"not a k6 --out csv file: missing column(s) {', '.join(missing)}")
        self.width = len(header)
        self.metric, self.time, self.value = (header.index(c) for c in CSV_REQUIRED)
        self.extra = header.index("extra_tags") if "extra_tags" in header else None
        self.tags = [(i, c) for i, c in enumerate(header) if c not in _CSV_NOT_TAGS]

    def sample(self, fields: list[str], path: Path, line: int) -> tuple[str, int, float, dict[str, str]]:
        extra = _extra_tags(fields[self.extra]) if self.extra is not None else {}
        tags = {**extra, **{column: fields[i] for i, column in self.tags if fields[i]}}  # empty cell = absent
        value = number(fields[self.value], path, line, "metric_value")
        return fields[self.metric], csv_time_ns(fields[self.time], path, line), value, tags


def read_csv_stream(path: Path, slices: Slices = ()) -> tuple[StreamCollector, list[ExtractWarning]]:
    """Feed every row of a k6 CSV stream to a collector; only the last row may be incomplete."""
    collector = StreamCollector(requested=_requested(slices))
    warnings: list[ExtractWarning] = []
    reader = csv.reader(_lines(path, warnings), strict=True)
    damaged: ArtifactError | None = None
    try:
        header = next(reader, None)
        if header is None:
            raise ArtifactError(Position(path, 1, 1), "file is empty")
        columns = _CsvColumns(header, path)
        for fields in reader:
            if not fields:
                continue
            if damaged is not None:
                raise damaged
            if len(fields) != columns.width:
                message = f"row has {len(fields)} fields, the header has {columns.width}"
                damaged = _fail(path, reader.line_num, message)
                continue
            metric, time_ns, value, tags = columns.sample(fields, path, reader.line_num)
            collector.add(_declaration_for(collector, metric), time_ns, value, tags)
    except csv.Error as exc:
        raise ArtifactError(Position(path, reader.line_num), f"malformed CSV: {exc}") from None
    if damaged is not None:
        warnings.insert(0, _incomplete_last_line(damaged, collector.points))
    return collector, warnings


def _csv_rows(path: Path, tags: set[str], reading: GzipReading = None) -> _k6_sql.Rows:
    """The CSV as SQL rows, once its header shows it is a k6 CSV (else the line reader names what is wrong);
    a gzip file's text copied for DuckDB to read as the scan inflates it through the limits (:func:`_scan`)."""
    try:
        with open_text(path) as text:
            header = next(csv.reader([text.readline()]), [])
    except (OSError, EOFError, UnicodeDecodeError, csv.Error):
        raise NotReducible("header unreadable") from None
    if any(column not in header for column in CSV_REQUIRED) or len(set(header)) != len(header):
        raise NotReducible("not a k6 CSV header")
    try:
        # Through reportgen's limits (DuckDB reads gzip without them: a bomb is refused here), for the tail. No
        # line is searched for (ahead 0): a plain file that ends with a newline is then not read here at all. A
        # gzip file is not read by DuckDB beside (``beside`` False) but through its plain copy: DuckDB's CSV reader
        # holds more of a .gz than of plain text (peak 254 against 209 MiB, 101 MiB benchmark CSV), and the 2 GB
        # benchmark CSV so read ran out of the default memory_limit (256 MB), which its plain text nears already
        # (it ran out at least once in four runs too, 2026-12-02): the copy keeps the memory a plain CSV takes.
        scan, readable = _scan(path, b"\x00", reading, ahead=0, beside=False)
    except (OSError, EOFError, zlib.error):
        raise NotReducible("damage the line reader must name") from None
    cut = _csv_cut_tail(path, scan, len(header))
    return _k6_sql.csv_rows(readable, header, tags, cut, scan.newlines)


def _csv_cut_tail(path: Path, scan: LineScan, width: int) -> ArtifactError | None:
    """The line reader's error for a last row cut short (no newline, fewer fields than the header), or None when
    the file ends with a newline or a complete row."""
    if not scan.tail:
        return None
    try:
        rows = list(csv.reader([scan.tail.decode("utf-8")], strict=True))
    except (UnicodeDecodeError, csv.Error):
        raise NotReducible("a last row the line reader must judge") from None
    if not rows or len(rows[0]) == width:
        return None  # DuckDB reads a complete last row without its newline as the line reader does
    if len(rows) > 1 or not rows[0]:
        raise NotReducible("a last row the line reader must judge")
    return _fail(path, scan.newlines + 1, f"row has {len(rows[0])} fields, the header has {width}")


class K6CsvStream:
    name: ClassVar[str] = "k6-csv-stream"
    version: ClassVar[str] = "2"  # 2: exact sums (rounded once), the same on both paths
    summary: ClassVar[str] = "k6 --out csv samples (plain or .gz), reduced with k6's own statistics"
    priority: ClassVar[int] = 60
    #: read() takes percentiles=[0..1, …] to compute beyond the standard set (raw samples allow any).
    computes_percentiles: ClassVar[bool] = True

    def sniff(self, sample: Sample) -> bool:
        return _first_line(sample.head).startswith("metric_name,timestamp,metric_value")

    def read(self, path: Path, percentiles: Sequence[float] = (), slices: Slices = ()) -> Extraction:
        extraction = reduce_with_duckdb(self.name, path, _csv_rows, percentiles, slices)
        if extraction is None:
            collector, warnings = read_csv_stream(path, slices)
            if not collector.points:
                raise ArtifactError(Position(path, 2), "no k6 samples (rows) in the file")
            extraction = _extraction(self.name, collector, warnings, percentiles)
        extraction.info["kinds_from"] = "k6 built-in metric names (the CSV does not say which metric is which kind)"
        return extraction
