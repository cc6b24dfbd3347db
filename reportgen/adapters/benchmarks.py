"""Micro-benchmark results: pytest-benchmark ``--benchmark-json`` and hyperfine ``--export-json``/``--export-csv``.

Both tools report seconds (docs/FORMATS.md §5, §6). Where the file keeps the raw
per-round or per-run times, reportgen recomputes the summary statistics from them
with the tool's own formulas and warns when they do not match what the file says.
"""

from __future__ import annotations

import math
import re
import statistics
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from reportgen import selectors
from reportgen.adapters._base import Sample, load_json, number, read_csv
from reportgen.adapters._labels import UniqueNames
from reportgen.errors import ArtifactError, Position
from reportgen.schemas.measurement import Extraction, ExtractWarning, Measurement

#: pytest-benchmark's median is ``statistics.median``; its quartiles are Wikipedia's method 2 (even
#: number of rounds: median of each half) and method 3 (odd: weighted neighbours).
PYTEST_BENCHMARK = "pytest-benchmark"
#: hyperfine's median of ``times`` (sorted; the mean of the two middle values when even).
HYPERFINE_MEDIAN = "hyperfine-median"

#: How close a recomputed statistic must be to the file's to count as the same number (float noise only).
_REL_TOLERANCE = 1e-9


@dataclass(frozen=True)
class Stat:
    """Where one statistic sits in the file, and what reportgen calls it."""

    key: str  # the tool's field name
    metric: str
    stat: str
    unit: str
    estimator: str | None = None


def _number_field(record: Mapping[str, Any], key: str, path: Path, pointer: Sequence[str | int]) -> float | None:
    """A JSON number (absent or null → None); anything else is damage named by its JSON pointer."""
    value = record.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        where = selectors.json_pointer(*pointer, key).removeprefix("json:")
        raise ArtifactError(Position(path), f"{where}: expected a number, got {value!r}")
    return float(value)


def _numbers(values: object, path: Path, pointer: Sequence[str | int]) -> list[float] | None:
    """A JSON list of numbers (absent → None)."""
    if values is None:
        return None
    where = selectors.json_pointer(*pointer).removeprefix("json:")
    if not isinstance(values, list) or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
        raise ArtifactError(Position(path), f"{where}: expected a list of numbers")
    return [float(v) for v in values]


def _records(document: object, key: str, path: Path, what: str) -> list[dict[str, Any]]:
    """The list of objects under ``document[key]``; a wrong shape is an error naming the format."""
    records = document.get(key) if isinstance(document, dict) else None
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        raise ArtifactError(Position(path, 1, 1), f'not a {what} file: expected an object with a "{key}" list')
    return records


def _disagreements(
    subject: str, stated: Mapping[str, float | None], recomputed: Mapping[str, float], n: int
) -> list[ExtractWarning]:
    """One warning per statistic whose stated value differs from the one recomputed from the raw times."""
    warnings = []
    for key, value in recomputed.items():
        given = stated.get(key)
        if given is not None and not math.isclose(given, value, rel_tol=_REL_TOLERANCE, abs_tol=1e-15):
            warnings.append(
                ExtractWarning(
                    message=f"{subject}: the file says {key} = {given!r} but its {n} raw times give {value!r}; "
                    "the file may have been edited or written by a different version"
                )
            )
    return warnings


def _measurements(
    stats: Sequence[Stat], values: Mapping[str, float | None], labels: dict[str, str], selector: Callable[[str], str]
) -> list[Measurement]:
    """A Measurement for each statistic the record holds (null ones are skipped: hyperfine's one-run stddev)."""
    return [
        Measurement(
            metric=s.metric,
            stat=s.stat,
            value=values[s.key],
            unit=s.unit,
            labels=labels,
            selector=selector(s.key),
            estimator=s.estimator,
        )
        for s in stats
        if values.get(s.key) is not None
    ]


# --- pytest-benchmark -------------------------------------------------------------------------------------------

PYTEST_BENCHMARK_STATS = (
    Stat("min", "time", "min", "s"),
    Stat("max", "time", "max", "s"),
    Stat("mean", "time", "avg", "s"),
    Stat("median", "time", "med", "s", PYTEST_BENCHMARK),
    Stat("stddev", "time", "stddev", "s"),
    Stat("q1", "time", "p25", "s", PYTEST_BENCHMARK),
    Stat("q3", "time", "p75", "s", PYTEST_BENCHMARK),
    Stat("iqr", "time", "iqr", "s", PYTEST_BENCHMARK),
    Stat("total", "time", "sum", "s"),
    Stat("rounds", "rounds", "count", "count"),
    Stat("iterations", "iterations", "value", "count"),
    Stat("ops", "ops", "value", "/s"),
)


def pytest_benchmark_quartiles(data: Sequence[float]) -> tuple[float, float]:
    """(q1, q3) exactly as pytest-benchmark's ``Stats`` computes them, so results are bit-identical."""
    ordered = sorted(data)
    rounds = len(ordered)
    if rounds == 1:
        return ordered[0], ordered[0]
    if rounds % 2 == 0:  # Wikipedia method 2: medians of the lower and upper halves
        return statistics.median(ordered[: rounds // 2]), statistics.median(ordered[rounds // 2 :])
    n, q = rounds // 4, rounds % 4  # Wikipedia method 3
    if q == 1:
        return 0.25 * ordered[n - 1] + 0.75 * ordered[n], 0.75 * ordered[3 * n] + 0.25 * ordered[3 * n + 1]
    return 0.75 * ordered[n] + 0.25 * ordered[n + 1], 0.25 * ordered[3 * n + 1] + 0.75 * ordered[3 * n + 2]


def _recompute_pytest_benchmark(data: Sequence[float]) -> dict[str, float]:
    q1, q3 = pytest_benchmark_quartiles(data)
    return {
        "min": min(data),
        "max": max(data),
        "mean": statistics.mean(data),
        "median": statistics.median(data),
        "stddev": statistics.stdev(data) if len(data) > 1 else 0.0,
        "q1": q1,
        "q3": q3,
        "rounds": float(len(data)),
        "total": sum(data),  # builtin sum, as pytest-benchmark does (not math.fsum)
    }


def _pytest_benchmark_info(document: Mapping[str, Any]) -> dict[str, str]:
    machine = document.get("machine_info") or {}
    commit = document.get("commit_info") or {}
    cpu = machine.get("cpu")
    cpu = cpu if isinstance(cpu, dict) else {}
    fields = {
        "version": document.get("version"),
        "datetime": document.get("datetime"),
        "node": machine.get("node"),
        "processor": machine.get("processor"),
        "machine": machine.get("machine"),
        "system": machine.get("system"),
        "python_implementation": machine.get("python_implementation"),
        "python_version": machine.get("python_version"),
        # py-cpuinfo renamed ``brand`` to ``brand_raw`` in version 7.
        "cpu": cpu.get("brand_raw") or cpu.get("brand"),
        "commit_id": commit.get("id"),
        "commit_branch": commit.get("branch"),
        "commit_dirty": commit.get("dirty"),
    }
    return {key: str(value) for key, value in fields.items() if value not in (None, "")}


class PytestBenchmark:
    name: ClassVar[str] = "pytest-benchmark"
    version: ClassVar[str] = "1"
    summary: ClassVar[str] = "pytest-benchmark --benchmark-json / --benchmark-autosave file (2.x to 5.x)"
    priority: ClassVar[int] = 50

    def sniff(self, sample: Sample) -> bool:
        head = sample.head
        if not head.lstrip().startswith("{"):
            return False
        # 5.x writes machine_info first; 2.x autosave files start with the benchmarks list.
        modern = '"machine_info"' in head and '"commit_info"' in head
        legacy = '"benchmarks"' in head and '"fullname"' in head and '"stats"' in head
        return modern or legacy

    def read(self, path: Path) -> Extraction:
        document = load_json(path)
        benchmarks = _records(document, "benchmarks", path, "pytest-benchmark JSON")
        extraction = Extraction(adapter=self.name, adapter_version=self.version, info=_pytest_benchmark_info(document))
        unique = UniqueNames()
        for index, benchmark in enumerate(benchmarks):
            self._read_benchmark(benchmark, index, unique, path, extraction)
        return extraction

    def _read_benchmark(
        self, benchmark: dict[str, Any], index: int, unique: UniqueNames, path: Path, extraction: Extraction
    ) -> None:
        stats = benchmark.get("stats")
        name = benchmark.get("fullname") or benchmark.get("name")
        if not isinstance(stats, dict) or not isinstance(name, str):
            where = selectors.json_pointer("benchmarks", index).removeprefix("json:")
            raise ArtifactError(Position(path), f'{where}: a benchmark needs "fullname" (or "name") and "stats"')
        labels = {"benchmark": unique(name)}
        if benchmark.get("group") is not None:
            labels["group"] = str(benchmark["group"])
        pointer = ("benchmarks", index, "stats")
        values = {s.key: _number_field(stats, s.key, path, pointer) for s in PYTEST_BENCHMARK_STATS}
        extraction.measurements.extend(
            _measurements(PYTEST_BENCHMARK_STATS, values, labels, lambda key: selectors.json_pointer(*pointer, key))
        )
        data = _numbers(stats.get("data"), path, (*pointer, "data"))
        if data:
            recomputed = _recompute_pytest_benchmark(data)
            extraction.warnings.extend(_disagreements(f"benchmark {name!r}", values, recomputed, len(data)))


# --- hyperfine ----------------------------------------------------------------------------------------------------

HYPERFINE_STATS = (
    Stat("mean", "time", "avg", "s"),
    Stat("stddev", "time", "stddev", "s"),
    Stat("median", "time", "med", "s", HYPERFINE_MEDIAN),
    Stat("min", "time", "min", "s"),
    Stat("max", "time", "max", "s"),
    Stat("user", "cpu_user", "avg", "s"),
    Stat("system", "cpu_system", "avg", "s"),
)
HYPERFINE_CSV_COLUMNS = ("command", "mean", "stddev", "median", "user", "system", "min", "max")


def _recompute_hyperfine(times: Sequence[float]) -> dict[str, float]:
    """hyperfine's own arithmetic (plain sum / n, sample stddev around that mean), so results are bit-identical."""
    n = len(times)
    mean = sum(times) / n
    ordered = sorted(times)
    median = ordered[n // 2] if n % 2 else (ordered[n // 2 - 1] + ordered[n // 2]) / 2
    recomputed = {"mean": mean, "median": median, "min": ordered[0], "max": ordered[-1]}
    if n > 1:  # hyperfine writes a null stddev for one run
        recomputed["stddev"] = math.sqrt(sum((t - mean) ** 2 for t in times) / (n - 1))
    return recomputed


def _hyperfine_labels(command: str, parameters: Mapping[str, object], unique: UniqueNames) -> dict[str, str]:
    return {"command": unique(command), **{f"param.{key}": str(value) for key, value in parameters.items()}}


def _run_measurements(labels: dict[str, str], runs: int, exit_codes: Sequence[float] | None) -> list[Measurement]:
    """Runs counted from ``times``; failed runs from non-zero ``exit_codes`` (only present with ``-i``)."""
    command = {"command": labels["command"]}
    failing = {**command, "exit_code": "non-zero"}
    figures: list[tuple[str, str, float, str, str]] = [
        ("runs", "count", runs, "count", selectors.stream_query("count", "times", command))
    ]
    if exit_codes is not None:
        failures = sum(1 for code in exit_codes if code != 0)
        figures.append(("failures", "count", failures, "count", selectors.stream_query("count", "exit_codes", failing)))
        if exit_codes:
            ratio = failures / len(exit_codes)
            figures.append(
                ("failures", "ratio", ratio, "ratio", selectors.stream_query("ratio", "exit_codes", failing))
            )
    return [
        Measurement(metric=metric, stat=stat, value=value, unit=unit, labels=labels, selector=selector)
        for metric, stat, value, unit, selector in figures
    ]


class HyperfineJson:
    name: ClassVar[str] = "hyperfine-json"
    version: ClassVar[str] = "1"
    summary: ClassVar[str] = "hyperfine --export-json file"
    priority: ClassVar[int] = 50

    _SHAPE = re.compile(r'^\s*\{\s*"results"\s*:\s*\[\s*(?:\{\s*"command"\s*:|\])')

    def sniff(self, sample: Sample) -> bool:
        return bool(self._SHAPE.match(sample.head))

    def read(self, path: Path) -> Extraction:
        results = _records(load_json(path), "results", path, "hyperfine JSON")
        extraction = Extraction(adapter=self.name, adapter_version=self.version, info={"tool": "hyperfine"})
        unique = UniqueNames()
        for index, result in enumerate(results):
            self._read_result(result, index, unique, path, extraction)
        return extraction

    def _read_result(
        self, result: dict[str, Any], index: int, unique: UniqueNames, path: Path, extraction: Extraction
    ) -> None:
        pointer = ("results", index)
        command = result.get("command")
        if not isinstance(command, str):
            where = selectors.json_pointer(*pointer, "command").removeprefix("json:")
            raise ArtifactError(Position(path), f"{where}: expected the command as a string")
        # Before 1.11 hyperfine wrote one unnamed ``parameter``.
        parameters = result.get("parameters") or ({"value": result["parameter"]} if "parameter" in result else {})
        labels = _hyperfine_labels(command, parameters, unique)
        values = {s.key: _number_field(result, s.key, path, pointer) for s in HYPERFINE_STATS}
        extraction.measurements.extend(
            _measurements(HYPERFINE_STATS, values, labels, lambda key: selectors.json_pointer(*pointer, key))
        )
        times = _numbers(result.get("times"), path, (*pointer, "times"))
        if times:
            exit_codes = _numbers(result.get("exit_codes"), path, (*pointer, "exit_codes"))
            extraction.measurements.extend(_run_measurements(labels, len(times), exit_codes))
            recomputed = _recompute_hyperfine(times)
            extraction.warnings.extend(_disagreements(f"command {command!r}", values, recomputed, len(times)))


def _cells_of(row_key: dict[str, str]) -> Callable[[str], str]:
    """Selectors for the cells of one CSV row: its command and parameter values find it again."""
    return lambda column: selectors.csv_cell(row_key, column)


class HyperfineCsv:
    name: ClassVar[str] = "hyperfine-csv"
    version: ClassVar[str] = "1"
    summary: ClassVar[str] = "hyperfine --export-csv file (summary statistics only, no raw times)"
    priority: ClassVar[int] = 50

    def sniff(self, sample: Sample) -> bool:
        first_line = sample.head.split("\n", 1)[0].strip()
        return first_line.split(",")[: len(HYPERFINE_CSV_COLUMNS)] == list(HYPERFINE_CSV_COLUMNS)

    def read(self, path: Path) -> Extraction:
        table = read_csv(path, delimiter=",", required=HYPERFINE_CSV_COLUMNS)
        parameter_columns = [c for c in table.header if c.startswith("parameter_")]
        extraction = Extraction(adapter=self.name, adapter_version=self.version, info={"tool": "hyperfine"})
        unique = UniqueNames()
        for line, row in table.rows:
            parameters = {column.removeprefix("parameter_"): row[column] for column in parameter_columns}
            labels = _hyperfine_labels(row["command"], parameters, unique)
            values = {s.key: number(row[s.key], path, line, s.key) for s in HYPERFINE_STATS}
            row_key = {"command": row["command"], **{c: row[c] for c in parameter_columns}}
            extraction.measurements.extend(_measurements(HYPERFINE_STATS, values, labels, _cells_of(row_key)))
        return extraction
