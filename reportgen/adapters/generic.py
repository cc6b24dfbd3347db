"""reportgen's own generic formats, for tools it has no adapter for yet.

Each figure carries its unit explicitly, so nothing is guessed. Both formats sniff
at low priority: they only win when no real tool's adapter claims a file.

``generic-csv``: a header with ``metric,stat,value,unit``, optional ``estimator`` and
``label.<key>`` columns, one figure per row::

    metric,stat,value,unit,label.endpoint
    latency,p95,182.5,ms,/api/items

``generic-json``: an object marked with ``"reportgen_generic": 1``::

    {"reportgen_generic": 1, "tool": "mytool", "tool_version": "2.1", "info": {"host": "ci-7"},
     "measurements": [{"metric": "latency", "stat": "p95", "value": 182.5, "unit": "ms",
                       "labels": {"endpoint": "/api/items"}, "estimator": "nearest-rank"}]}
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from reportgen import selectors
from reportgen.adapters._base import Sample, iter_lines, number, parse_json, read_csv
from reportgen.errors import ArtifactError, Position, UnitError
from reportgen.schemas.measurement import STATS, Extraction, Measurement
from reportgen.units import unit

GENERIC_PRIORITY = 10
REQUIRED_COLUMNS = ("metric", "stat", "value", "unit")
OPTIONAL_COLUMNS = ("estimator",)
LABEL_PREFIX = "label."
MARKER = "reportgen_generic"

_PERCENTILE = re.compile(r"^p\d+(\.\d+)?$")
_EXTRA_STATS = ("iqr",)


def stat_problem(stat: str) -> str | None:
    """Why a stat name is not one reportgen knows (typos like ``mean`` for ``avg``), or None."""
    if stat == "p50":
        return "write the median as 'med', reportgen's one name for it"
    if stat in STATS or stat in _EXTRA_STATS or _PERCENTILE.match(stat):
        return None
    return f"unknown stat {stat!r}; use one of {', '.join(STATS + _EXTRA_STATS)} or a percentile like p95, p99.9"


def unit_problem(symbol: str) -> str | None:
    """Why a unit is not one reportgen can convert (the message lists the known ones), or None."""
    try:
        unit(symbol)
    except UnitError as exc:
        return str(exc)
    return None


def first_duplicate(measurements: list[Measurement]) -> tuple[int, int] | None:
    """Indexes (earlier, later) of the first two figures with the same metric, stat and labels."""
    seen: dict[tuple[str, str, tuple[tuple[str, str], ...]], int] = {}
    for index, measurement in enumerate(measurements):
        earlier = seen.setdefault(measurement.key(), index)
        if earlier != index:
            return earlier, index
    return None


# --- generic-csv ----------------------------------------------------------------------------------------------


def _check_header(header: list[str], path: Path) -> list[str]:
    """The label columns; unknown columns are refused so a typo does not silently drop a label."""
    unknown = [c for c in header if c not in REQUIRED_COLUMNS + OPTIONAL_COLUMNS and not c.startswith(LABEL_PREFIX)]
    if unknown:
        raise ArtifactError(
            Position(path, 1),
            f"unknown column(s) {', '.join(unknown)}; generic CSV columns are {', '.join(REQUIRED_COLUMNS)}, "
            f"optional estimator, and label.<key>",
        )
    return [c for c in header if c.startswith(LABEL_PREFIX)]


class GenericCsv:
    name: ClassVar[str] = "generic-csv"
    version: ClassVar[str] = "1"
    summary: ClassVar[str] = "reportgen generic CSV: metric,stat,value,unit[,estimator][,label.<key>…]"
    priority: ClassVar[int] = GENERIC_PRIORITY

    def sniff(self, sample: Sample) -> bool:
        columns = [c.strip() for c in sample.head.split("\n", 1)[0].split(",")]
        return set(REQUIRED_COLUMNS) <= set(columns)

    def read(self, path: Path) -> Extraction:
        table = read_csv(path, delimiter=",", required=REQUIRED_COLUMNS)
        label_columns = _check_header(table.header, path)
        measurements = [self._measurement(row, label_columns, path, line) for line, row in table.rows]
        duplicate = first_duplicate(measurements)
        if duplicate:
            earlier, later = (table.rows[i][0] for i in duplicate)
            raise ArtifactError(Position(path, later), f"same metric, stat and labels as line {earlier}")
        return Extraction(adapter=self.name, adapter_version=self.version, measurements=measurements)

    @staticmethod
    def _measurement(row: dict[str, str], label_columns: list[str], path: Path, line: int) -> Measurement:
        metric, stat, symbol = row["metric"].strip(), row["stat"].strip(), row["unit"].strip()
        problem = ("metric is empty" if not metric else None) or stat_problem(stat) or unit_problem(symbol)
        if problem:
            raise ArtifactError(Position(path, line), problem)
        labels = {c.removeprefix(LABEL_PREFIX): row[c] for c in label_columns if row[c] != ""}
        row_key = {"metric": metric, "stat": stat, **{c: row[c] for c in label_columns if row[c] != ""}}
        return Measurement(
            metric=metric,
            stat=stat,
            value=number(row["value"], path, line, "value"),
            unit=symbol,
            labels=labels,
            selector=selectors.csv_cell(row_key, "value"),
            estimator=row.get("estimator") or None,
        )


# --- generic-json ---------------------------------------------------------------------------------------------


class GenericMeasurement(BaseModel):
    # defer_build: the validators are built when a generic JSON file is first read, not when detect() loads this
    # adapter for whatever file it sniffs (building both cost about 2 ms of cpu in every process that detects).
    model_config = ConfigDict(extra="forbid", strict=True, defer_build=True)

    metric: str = Field(min_length=1)
    stat: str
    value: float
    unit: str
    labels: dict[str, str] = Field(default_factory=dict)
    estimator: str | None = None

    @field_validator("stat")
    @classmethod
    def _known_stat(cls, stat: str) -> str:
        problem = stat_problem(stat)
        if problem:
            raise ValueError(problem)
        return stat

    @field_validator("unit")
    @classmethod
    def _known_unit(cls, symbol: str) -> str:
        problem = unit_problem(symbol)
        if problem:
            raise ValueError(problem)
        return symbol.strip()


class GenericDocument(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, defer_build=True)  # as GenericMeasurement

    reportgen_generic: Literal[1]
    tool: str = Field(min_length=1)
    tool_version: str | None = None
    info: dict[str, str] = Field(default_factory=dict)
    measurements: list[GenericMeasurement]


_WHITESPACE = re.compile(r"[ \t\n\r]*")


def _skip_space(text: str, index: int) -> int:
    match = _WHITESPACE.match(text, index)
    return match.end() if match else index


def _array_item_offsets(text: str, index: int, decoder: json.JSONDecoder) -> list[int]:
    """Start offsets of the items of the JSON array opening at ``text[index]``."""
    offsets: list[int] = []
    index = _skip_space(text, index + 1)
    while text[index] != "]":
        offsets.append(index)
        _, index = decoder.raw_decode(text, index)
        index = _skip_space(text, index)
        index = _skip_space(text, index + 1) if text[index] == "," else index
    return offsets


def measurement_offsets(text: str) -> list[int]:
    """Where each item of the top-level ``measurements`` array starts in already-valid JSON text.

    ``json`` gives no positions, so walk the top-level object key by key; only this array is stepped into.
    """
    decoder = json.JSONDecoder()
    index = _skip_space(text, 0)
    if text[index] != "{":
        return []
    index = _skip_space(text, index + 1)
    while text[index] != "}":
        key, index = decoder.raw_decode(text, index)
        index = _skip_space(text, _skip_space(text, index) + 1)  # past the colon
        if key == "measurements" and text[index] == "[":
            return _array_item_offsets(text, index, decoder)
        _, index = decoder.raw_decode(text, index)
        index = _skip_space(text, index)
        index = _skip_space(text, index + 1) if text[index] == "," else index
    return []


def _position_of_item(text: str, path: Path, item: int) -> Position:
    offsets = measurement_offsets(text)
    if item >= len(offsets):
        return Position(path)
    offset = offsets[item]
    line = text.count("\n", 0, offset) + 1
    return Position(path, line, offset - (text.rfind("\n", 0, offset) + 1) + 1)


def _validation_error(exc: ValidationError, text: str, path: Path) -> ArtifactError:
    """The first schema problem, placed at the offending measurement when it is inside one."""
    first = exc.errors()[0]
    location = first["loc"]
    where = ".".join(str(part) for part in location)
    message = first["msg"].removeprefix("Value error, ")
    if len(location) >= 2 and location[0] == "measurements" and isinstance(location[1], int):
        return ArtifactError(_position_of_item(text, path, location[1]), f"{where}: {message}")
    return ArtifactError(Position(path, 1, 1), f"{where or 'document'}: {message}")


class GenericJson:
    name: ClassVar[str] = "generic-json"
    version: ClassVar[str] = "1"
    summary: ClassVar[str] = 'reportgen generic JSON: {"reportgen_generic": 1, "tool": …, "measurements": […]}'
    priority: ClassVar[int] = GENERIC_PRIORITY

    def sniff(self, sample: Sample) -> bool:
        return sample.head.lstrip().startswith("{") and f'"{MARKER}"' in sample.head

    def read(self, path: Path) -> Extraction:
        text = "\n".join(line for _, line in iter_lines(path, whole=True))
        if not text.strip():
            raise ArtifactError(Position(path, 1, 1), "file is empty")
        try:
            document = GenericDocument.model_validate(parse_json(text, path))
        except ValidationError as exc:
            raise _validation_error(exc, text, path) from None
        info = {"tool": document.tool, **({"tool_version": document.tool_version} if document.tool_version else {})}
        measurements = [
            Measurement(
                metric=item.metric,
                stat=item.stat,
                value=item.value,
                unit=item.unit,
                labels=item.labels,
                selector=selectors.json_pointer("measurements", index, "value"),
                estimator=item.estimator,
            )
            for index, item in enumerate(document.measurements)
        ]
        duplicate = first_duplicate(measurements)
        if duplicate:
            earlier, later = duplicate
            message = f"measurements.{later}: same metric, stat and labels as measurements.{earlier}"
            raise ArtifactError(_position_of_item(text, path, later), message)
        return Extraction(
            adapter=self.name, adapter_version=self.version, measurements=measurements, info={**info, **document.info}
        )
