"""Apache JMeter JTL result files, CSV and XML (docs/FORMATS.md §3).

Both readers turn the file into :class:`JmeterSample` records and hand them to
:func:`reportgen.adapters._jmeter_stats.measure`, so CSV and XML of one run agree.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar
from xml.parsers import expat

from reportgen.adapters._base import Sample, check_expansion, not_text, open_text
from reportgen.adapters._duckdb import NotReducible, connect, plain_utf8
from reportgen.adapters._jmeter_stats import JmeterSample, measure
from reportgen.errors import ArtifactError, Position
from reportgen.schemas.measurement import Extraction, ExtractWarning

#: JMeter ≤ 2.13 writes no header by default (``print_field_names=false``); these are its default columns.
DEFAULT_COLUMNS_2_13 = (
    "timeStamp", "elapsed", "label", "responseCode", "responseMessage", "threadName",
    "dataType", "success", "bytes", "grpThreads", "allThreads", "Latency",
)  # fmt: skip
_KNOWN_HEADERLESS = {len(DEFAULT_COLUMNS_2_13): DEFAULT_COLUMNS_2_13}
_DELIMITERS = (",", ";", "\t", "|")
_REQUIRED = ("timeStamp", "elapsed", "label", "success")
_CSV_HEADER_START = re.compile(r"^\ufeff?timeStamp[,;\t|]elapsed[,;\t|]")
_CSV_ROW_START = re.compile(r"^\d{12,14}[,;\t|]\d+[,;\t|]")


class _CsvRow:
    """One data row with its line, so that every cell error names the place."""

    def __init__(self, path: Path, line: int, cells: dict[str, str]) -> None:
        self.path, self.line, self.cells = path, line, cells

    def text(self, column: str) -> str:
        return self.cells.get(column, "")

    def integer(self, column: str) -> int:
        raw = self.cells[column].strip()
        try:
            return int(raw)
        except ValueError:
            pass
        if column == "timeStamp":
            raise ArtifactError(
                Position(self.path, self.line),
                f"timeStamp {raw!r} is not epoch milliseconds; date-formatted timestamps are not supported: "
                "run JMeter with jmeter.save.saveservice.timestamp_format=ms",
            )
        raise ArtifactError(Position(self.path, self.line), f"column {column!r}: expected an integer, got {raw!r}")

    def optional_integer(self, column: str) -> int | None:
        return self.integer(column) if column in self.cells and self.cells[column].strip() != "" else None

    def sample(self) -> JmeterSample:
        return JmeterSample(
            line=self.line,
            timestamp=self.integer("timeStamp"),
            elapsed=self.integer("elapsed"),
            label=self.text("label"),
            success=_success(self.text("success"), self.path, self.line),
            response_code=self.text("responseCode"),
            response_message=self.text("responseMessage"),
            data_type=self.cells.get("dataType"),
            received_bytes=self.optional_integer("bytes"),
            sent_bytes=self.optional_integer("sentBytes"),
            latency=self.optional_integer("Latency"),
            connect=self.optional_integer("Connect"),
        )


def _success(text: str, path: Path, line: int | None) -> bool:
    lowered = text.strip().lower()
    if lowered not in ("true", "false"):
        raise ArtifactError(Position(path, line), f"success: expected true or false, got {text!r}")
    return lowered == "true"


def _sniff_delimiter(first_line: str) -> str:
    return max(_DELIMITERS, key=first_line.count)


def _looks_numeric(text: str) -> bool:
    return text.strip().isdigit()


def _header(path: Path, first: list[str], info: dict[str, str]) -> tuple[tuple[str, ...], bool]:
    """The column names and whether the first row is data (a headerless file)."""
    if first and not _looks_numeric(first[0]):
        missing = [c for c in _REQUIRED if c not in first]
        if missing:
            raise ArtifactError(
                Position(path, 1), f"missing column(s) {', '.join(missing)}; header is {','.join(first)}"
            )
        return tuple(first), False
    columns = _KNOWN_HEADERLESS.get(len(first))
    if columns is None:
        raise ArtifactError(
            Position(path, 1),
            f"CSV without a header row and {len(first)} columns, which is no JMeter default column list; "
            "re-run with jmeter.save.saveservice.print_field_names=true so the file names its columns",
        )
    info["jmeter.columns"] = "no header row: assumed JMeter 2.13's default 12 columns (" + ",".join(columns) + ")"
    return columns, True


def _csv_rows(path: Path, info: dict[str, str], warnings: list[ExtractWarning]) -> Iterator[_CsvRow]:
    """Rows of a CSV JTL; a short last row (a killed run) becomes a warning, any other short row an error."""
    line = 1
    try:
        with open_text(path) as text:
            delimiter = _sniff_delimiter(text.readline())
            text.seek(0)
            reader = csv.reader(text, delimiter=delimiter, strict=True)
            rows: list[tuple[int, list[str]]] = []
            for fields in reader:
                if fields:
                    rows.append((line, fields))
                line = reader.line_num + 1
    except csv.Error as exc:
        raise ArtifactError(Position(path, line), f"malformed CSV: {exc}") from None
    except UnicodeDecodeError as exc:
        raise not_text(path, exc) from None
    if not rows:
        raise ArtifactError(Position(path, 1, 1), "file is empty")
    columns, first_is_data = _header(path, rows[0][1], info)
    info["jmeter.delimiter"] = repr(delimiter)
    data = rows if first_is_data else rows[1:]
    for index, (start, fields) in enumerate(data):
        if len(fields) != len(columns):
            message = f"row has {len(fields)} fields, the columns are {len(columns)}"
            if index == len(data) - 1 and len(fields) < len(columns):
                warnings.append(ExtractWarning(message=f"{message}: truncated last row skipped", line=start))
                return
            raise ArtifactError(Position(path, start), message + " (damaged file?)")
        yield _CsvRow(path, start, dict(zip(columns, fields, strict=True)))


def _extraction(
    name: str, samples: list[JmeterSample], info: dict[str, str], warnings: list[ExtractWarning], path: Path
) -> Extraction:
    if not samples:
        raise ArtifactError(Position(path), "no samples in the file")
    measurements, series, facts = measure(samples, path)
    return Extraction(
        adapter=name,
        adapter_version="1",
        measurements=measurements,
        series=series,
        warnings=warnings,
        info={**info, **facts},
    )


class JmeterCsv:
    name: ClassVar[str] = "jmeter-csv"
    version: ClassVar[str] = "1"
    summary: ClassVar[str] = "JMeter CSV JTL (with or without header row), by the HTML dashboard's rules"
    priority: ClassVar[int] = 60

    def sniff(self, sample: Sample) -> bool:
        first = sample.head.lstrip("\ufeff").split("\n", 1)[0]
        return bool(_CSV_HEADER_START.match(first) or _CSV_ROW_START.match(first))

    def read(self, path: Path) -> Extraction:
        fast = _reduce_with_duckdb(self.name, path)
        if fast is not None:
            return fast
        info: dict[str, str] = {"tool": "Apache JMeter", "format": "CSV JTL"}
        warnings: list[ExtractWarning] = []
        samples = [row.sample() for row in _csv_rows(path, info, warnings)]
        return _extraction(self.name, samples, info, warnings, path)


def _reduce_with_duckdb(name: str, path: Path) -> Extraction | None:
    """The CSV JTL reduced as SQL over the file; None when the line reader must read it (damage, a BOM, a
    header it refuses), which then names the row."""
    if not plain_utf8(path):
        return None
    check_expansion(path)  # DuckDB reads gzip without reportgen's limits: refuse a bomb first
    info: dict[str, str] = {"tool": "Apache JMeter", "format": "CSV JTL"}
    try:
        with open_text(path) as text:
            first_line = text.readline()
        delimiter = _sniff_delimiter(first_line)
        first = next(csv.reader([first_line], delimiter=delimiter, strict=True), [])
        columns, first_is_data = _header(path, first, info)
    except (ArtifactError, OSError, EOFError, UnicodeDecodeError, csv.Error):
        return None
    info["jmeter.delimiter"] = repr(delimiter)
    # Imported here, not with this module: detect() loads every adapter for any file it sniffs, and the SQL
    # reduction brings numpy (about 0.1 s of cpu) and its own modules, which only a CSV JTL needs.
    from reportgen.adapters import _jmeter_sql

    with connect() as connection:
        try:
            measurements, series, facts = _jmeter_sql.reduce(connection, path, columns, delimiter, not first_is_data)
        except NotReducible:
            return None
    if facts["jmeter.samples"] == "0":
        return None
    return Extraction(
        adapter=name, adapter_version="1", measurements=measurements, series=series, info={**info, **facts}
    )


_SAMPLE_TAGS = ("httpSample", "sample")


class _XmlSamples:
    """Expat handlers: one JmeterSample per ``<httpSample>``/``<sample>``, children before their parent."""

    def __init__(self, path: Path, parser: expat.XMLParserType) -> None:
        self.path, self.parser = path, parser
        self.samples: list[JmeterSample] = []
        self.open: list[tuple[int, dict[str, str]]] = []  # (line, attributes) of enclosing samples
        self.version: str | None = None

    def start(self, tag: str, attributes: dict[str, str]) -> None:
        if tag == "testResults":
            self.version = attributes.get("version")
        elif tag in _SAMPLE_TAGS:
            self.open.append((self.parser.CurrentLineNumber, attributes))

    def end(self, tag: str) -> None:
        if tag not in _SAMPLE_TAGS:
            return
        line, attributes = self.open.pop()
        parent = self.open[-1][1].get("lb", "") if self.open else None
        self.samples.append(self._sample(line, attributes, parent))

    def _integer(self, attributes: dict[str, str], name: str, line: int) -> int | None:
        raw = attributes.get(name)
        if raw is None or raw == "":
            return None
        try:
            return int(raw)
        except ValueError:
            raise ArtifactError(
                Position(self.path, line), f"attribute {name}: expected an integer, got {raw!r}"
            ) from None

    def _required(self, attributes: dict[str, str], name: str, line: int) -> int:
        value = self._integer(attributes, name, line)
        if value is None:
            raise ArtifactError(Position(self.path, line), f"sample without the {name!r} attribute")
        return value

    def _sample(self, line: int, a: dict[str, str], parent: str | None) -> JmeterSample:
        return JmeterSample(
            line=line,
            timestamp=self._required(a, "ts", line),
            elapsed=self._required(a, "t", line),
            label=a.get("lb", ""),
            success=_success(a.get("s", ""), self.path, line),
            response_code=a.get("rc", ""),
            response_message=a.get("rm", ""),
            data_type=a.get("dt"),
            received_bytes=self._integer(a, "by", line),
            sent_bytes=self._integer(a, "sby", line),
            latency=self._integer(a, "lt", line),
            connect=self._integer(a, "ct", line),
            parent=parent,
        )


def _read_xml(path: Path, warnings: list[ExtractWarning]) -> _XmlSamples:
    """Parse with expat for line numbers; a file cut off at its end keeps its complete samples, with a warning."""
    parser = expat.ParserCreate()
    handlers = _XmlSamples(path, parser)
    parser.StartElementHandler = handlers.start
    parser.EndElementHandler = handlers.end
    try:
        with open_text(path, whole=True) as text:
            content = text.read()
    except UnicodeDecodeError as exc:
        raise not_text(path, exc) from None
    if not content.strip():
        raise ArtifactError(Position(path, 1, 1), "file is empty")
    try:
        parser.Parse(content, True)
    except expat.ExpatError as exc:
        last_line = content.rstrip("\r\n").count("\n") + 1
        if exc.lineno < last_line or not handlers.samples:
            raise ArtifactError(Position(path, exc.lineno, exc.offset + 1), f"malformed XML: {exc}") from None
        warnings.append(
            ExtractWarning(message=f"XML ends early ({exc}); read the complete samples before it", line=exc.lineno)
        )
    return handlers


class JmeterXml:
    name: ClassVar[str] = "jmeter-xml"
    version: ClassVar[str] = "1"
    summary: ClassVar[str] = "JMeter XML JTL (<testResults> with <httpSample>/<sample>), by the HTML dashboard's rules"
    priority: ClassVar[int] = 60

    def sniff(self, sample: Sample) -> bool:
        return "<testResults" in sample.head and ("<httpSample" in sample.head or "<sample" in sample.head)

    def read(self, path: Path) -> Extraction:
        warnings: list[ExtractWarning] = []
        parsed = _read_xml(path, warnings)
        info = {"tool": "Apache JMeter", "format": "XML JTL"}
        if parsed.version:
            info["jmeter.testresults_version"] = parsed.version
        return _extraction(self.name, parsed.samples, info, warnings, path)
