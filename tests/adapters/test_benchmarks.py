"""pytest-benchmark and hyperfine: figures agree with what each tool printed and with its raw times."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from reportgen.adapters._base import read_sample
from reportgen.adapters.benchmarks import (
    HyperfineCsv,
    HyperfineJson,
    PytestBenchmark,
    _recompute_hyperfine,
    _recompute_pytest_benchmark,
)
from reportgen.errors import ArtifactError
from reportgen.schemas.measurement import Extraction

RUNS = Path(__file__).resolve().parent.parent / "fixtures" / "runs"
ADAPTERS = (PytestBenchmark(), HyperfineJson(), HyperfineCsv())


def figures(extraction: Extraction, **labels: str) -> dict[tuple[str, str], float | None]:
    return {(m.metric, m.stat): m.value for m in extraction.measurements if m.labels == labels}


def printed_table(stdout: Path) -> dict[str, list[float]]:
    """pytest-benchmark's printed rows: name → [min, max, mean, stddev, median, iqr] in the table's unit."""
    rows: dict[str, list[float]] = {}
    for line in stdout.read_text().splitlines():
        match = re.match(r"^(test_\S+)\s+(.*)$", line)
        if match:
            numbers = re.findall(r"([\d,]+\.\d+)(?: \([^)]*\))?", match.group(2))
            rows[match.group(1)] = [float(n.replace(",", "")) for n in numbers[:6]]
    return rows


@pytest.fixture
def v531(fixtures: Path) -> Path:
    return fixtures / "pytest-benchmark" / "v5.3.1-basic"


def test_pytest_benchmark_matches_printed_table(v531: Path) -> None:
    """min/max/mean/stddev/median/IQR equal the printed ns table to its four decimals, for all 7 benchmarks."""
    table = printed_table(v531 / "pytest-stdout.txt")
    got = PytestBenchmark().read(v531 / "benchmark.json")
    assert len(table) == 7
    for name, printed in table.items():
        ours = figures(got, benchmark=f"test_bench.py::{name}")
        stats = [ours[("time", s)] for s in ("min", "max", "avg", "stddev", "med", "iqr")]
        assert [round((v or 0) * 1e9, 4) for v in stats] == printed, name
    assert got.warnings == []


def test_pytest_benchmark_recomputes_bit_identically_from_data(v531: Path) -> None:
    """mean, median, min, max, stddev, q1, q3, rounds and total recompute from `data` bit for bit (12 benchmarks)."""
    for path in (v531 / "benchmark.json", RUNS / "pytest-benchmark" / "v5.3.1-groups" / "benchmark.json"):
        for benchmark in json.loads(path.read_text())["benchmarks"]:
            stats = benchmark["stats"]
            recomputed = _recompute_pytest_benchmark(stats["data"])
            assert recomputed == {key: stats[key] for key in recomputed}, benchmark["name"]


def test_pytest_benchmark_names_stats_units_and_selectors(v531: Path) -> None:
    """Quartiles are p25/p75 with the tool's estimator, ops is per second, selectors are JSON pointers."""
    got = PytestBenchmark().read(v531 / "benchmark.json")
    by_key = {(m.metric, m.stat): m for m in got.measurements if m.labels == {"benchmark": "test_bench.py::test_sort"}}
    assert by_key[("time", "p25")].value == 2.2136250663606916e-05
    assert by_key[("time", "p25")].estimator == "pytest-benchmark"
    assert by_key[("time", "med")].selector == "json:/benchmarks/0/stats/median"
    assert (by_key[("ops", "value")].value, by_key[("ops", "value")].unit) == (43837.986132348145, "/s")
    assert by_key[("rounds", "count")].value == 1499
    assert {m.unit for m in got.measurements if m.metric == "time"} == {"s"}
    assert got.info["version"] == "5.3.1" and got.info["cpu"] == "Intel(R) Xeon(R) Processor"
    assert got.info["commit_id"] == "unversioned"


def test_pytest_benchmark_groups_become_labels() -> None:
    """A benchmark's group is a label; benchmarks without a group have none; one round has stddev 0."""
    got = PytestBenchmark().read(RUNS / "pytest-benchmark" / "v5.3.1-groups" / "benchmark.json")
    joined = figures(got, benchmark="test_groups.py::test_join[100]", group="join")
    assert joined[("rounds", "count")] == 820 and joined[("iterations", "value")] == 10
    one = figures(got, benchmark="test_groups.py::test_one_round")
    assert one[("time", "stddev")] == 0 and one[("rounds", "count")] == 1
    assert got.warnings == []


def test_pytest_benchmark_2015_file_without_data(fixtures: Path) -> None:
    """The 2.5.0 autosave file (no data, ops or total) still gives its statistics and commit info."""
    path = next((fixtures / "pytest-benchmark" / "public-storage-2015").glob("0001_*.json"))
    got = PytestBenchmark().read(path)
    ours = figures(got, benchmark="tests/test_normal.py::test_xfast_parametrized[0]")
    assert ours[("time", "avg")] == 2.622408132654948e-07
    assert ours[("rounds", "count")] == 9987
    assert ("ops", "value") not in ours
    assert got.info["version"] == "2.5.0" and got.info["commit_dirty"] == "True"


def test_pytest_benchmark_edited_mean_is_flagged(tmp_path: Path, v531: Path) -> None:
    """A mean that no longer matches the raw rounds gives a warning naming the benchmark."""
    document = json.loads((v531 / "benchmark.json").read_text())
    document["benchmarks"][0]["stats"]["mean"] *= 0.9
    edited = tmp_path / "edited.json"
    edited.write_text(json.dumps(document))
    warnings = PytestBenchmark().read(edited).warnings
    assert len(warnings) == 1 and "test_sort" in warnings[0].message and "mean" in warnings[0].message


def test_pytest_benchmark_damage(tmp_path: Path, v531: Path) -> None:
    """Truncated JSON names line and column; a string where a number belongs names its JSON pointer."""
    text = (v531 / "benchmark.json").read_text()
    cut = tmp_path / "cut.json"
    cut.write_text(text[: len(text) // 3])
    with pytest.raises(ArtifactError, match="invalid JSON") as caught:
        PytestBenchmark().read(cut)
    assert caught.value.position.line is not None
    document = json.loads(text)
    document["benchmarks"][2]["stats"]["median"] = "fast"
    wrong = tmp_path / "wrong.json"
    wrong.write_text(json.dumps(document))
    with pytest.raises(ArtifactError, match="/benchmarks/2/stats/median: expected a number"):
        PytestBenchmark().read(wrong)


def test_pytest_benchmark_nan_is_refused(tmp_path: Path, v531: Path) -> None:
    """A NaN statistic is an error with its line, not a number."""
    text = (v531 / "benchmark.json").read_text().replace('"stddev": 3.602240902904063e-06', '"stddev": NaN', 1)
    path = tmp_path / "nan.json"
    path.write_text(text)
    with pytest.raises(ArtifactError, match="NaN") as caught:
        PytestBenchmark().read(path)
    assert caught.value.position.line is not None


# --- hyperfine --------------------------------------------------------------------------------------------------


def printed_hyperfine(stdout: Path) -> list[tuple[str, float, float | None, float, float, float, float, int]]:
    """hyperfine's text: (name, mean, σ, user, system, min, max, runs) per benchmark, all in ms."""
    text = stdout.read_text()
    results = []
    pattern = (
        r"Benchmark \d+: (.+)\n\s+Time \(mean ± σ\):\s+([\d.]+) ms ±\s+([\d.]+) ms\s+"
        r"\[User: ([\d.]+) ms, System: ([\d.]+) ms\]\n\s+Range \(min … max\):\s+([\d.]+) ms …\s+([\d.]+) ms\s+(\d+) runs"
    )
    for match in re.finditer(pattern, text):
        name, *numbers, runs = match.groups()
        results.append((name, *(float(n) for n in numbers), int(runs)))
    return results  # type: ignore[return-value]


@pytest.fixture
def hf(fixtures: Path) -> Path:
    return fixtures / "hyperfine" / "v1.15.0-basic"


@pytest.mark.parametrize(
    ("export", "stdout"),
    [("hyperfine.json", "hyperfine-stdout.txt"), ("hyperfine-params.json", "hyperfine-params-stdout.txt")],
)
def test_hyperfine_json_matches_printed_output(hf: Path, export: str, stdout: str) -> None:
    """mean ± σ, user, system, min, max and runs agree with hyperfine's printed text to its 0.1 ms rounding."""
    got = HyperfineJson().read(hf / export)
    printed = printed_hyperfine(hf / stdout)
    assert len(printed) == 3
    for name, mean, sigma, user, system, low, high, runs in printed:
        labels = next(m.labels for m in got.measurements if m.labels["command"] == name)
        ours = figures(got, **labels)
        pairs = [
            ("time", "avg"),
            ("time", "stddev"),
            ("cpu_user", "avg"),
            ("cpu_system", "avg"),
            ("time", "min"),
            ("time", "max"),
        ]
        assert [round((ours[p] or 0) * 1000, 1) for p in pairs] == [mean, sigma, user, system, low, high], name
        assert ours[("runs", "count")] == runs
    assert got.warnings == []


def test_hyperfine_recomputes_bit_identically_from_times(hf: Path) -> None:
    """mean, median, min, max and stddev recompute from `times` bit for bit with hyperfine's arithmetic."""
    paths = [
        hf / "hyperfine.json",
        hf / "hyperfine-params.json",
        RUNS / "hyperfine" / "v1.15.0-one-run-params" / "hyperfine-one-run.json",
    ]
    for path in paths:
        for result in json.loads(path.read_text())["results"]:
            recomputed = _recompute_hyperfine(result["times"])
            assert recomputed == {key: result[key] for key in recomputed}, result["command"]


def test_hyperfine_failures_and_parameters(hf: Path) -> None:
    """Non-zero exit codes (run with -i) are failures with their ratio; -P values are param.<name> labels."""
    got = HyperfineJson().read(hf / "hyperfine-params.json")
    odd = figures(got, command='python3 -c "import sys, time; time.sleep(1/100); sys.exit(1 % 2)"', **{"param.n": "1"})
    even = figures(got, command='python3 -c "import sys, time; time.sleep(2/100); sys.exit(2 % 2)"', **{"param.n": "2"})
    assert (odd[("failures", "count")], odd[("failures", "ratio")]) == (5, 1.0)
    assert (even[("failures", "count")], even[("failures", "ratio")]) == (0, 0.0)
    assert odd[("time", "med")] == 0.12157780472


def test_hyperfine_one_run_has_no_stddev() -> None:
    """With one run hyperfine writes stddev null: no stddev figure, runs = 1."""
    got = HyperfineJson().read(RUNS / "hyperfine" / "v1.15.0-one-run-params" / "hyperfine-one-run.json")
    ours = figures(got, command='sh -c "exit 1"', **{"param.code": "1"})
    assert ("time", "stddev") not in ours
    assert (ours[("runs", "count")], ours[("failures", "count")]) == (1, 1)


def test_hyperfine_csv_equals_json(hf: Path) -> None:
    """The CSV export gives the same figures as the JSON export of the same run, with cell selectors."""
    from_csv = HyperfineCsv().read(hf / "hyperfine.csv")
    from_json = HyperfineJson().read(hf / "hyperfine.json")
    csv_figures = {(m.metric, m.stat, m.labels["command"]): m.value for m in from_csv.measurements}
    json_figures = {
        (m.metric, m.stat, m.labels["command"]): m.value
        for m in from_json.measurements
        if m.metric not in ("runs", "failures")
    }
    assert csv_figures == json_figures and len(csv_figures) == 21
    assert from_csv.measurements[0].selector == "csv:row[command=python startup]/col[mean]"


def test_hyperfine_csv_parameter_columns() -> None:
    """parameter_<name> columns become param.<name> labels; a one-run stddev is 0 in CSV (null in JSON)."""
    got = HyperfineCsv().read(RUNS / "hyperfine" / "v1.15.0-one-run-params" / "hyperfine-one-run.csv")
    ours = figures(got, command='sh -c "exit 0"', **{"param.code": "0"})
    assert ours[("time", "avg")] == 0.0007420266000000002
    assert ours[("time", "stddev")] == 0


def test_hyperfine_csv_damage(tmp_path: Path, hf: Path) -> None:
    """A truncated row and a non-number cell are errors with their line."""
    lines = (hf / "hyperfine.csv").read_text().splitlines()
    cut = tmp_path / "cut.csv"
    cut.write_text("\n".join([*lines[:2], lines[2][:30]]) + "\n")
    with pytest.raises(ArtifactError, match="fields") as caught:
        HyperfineCsv().read(cut)
    assert caught.value.position.line == 3
    bad = tmp_path / "bad.csv"
    bad.write_text("\n".join([lines[0], lines[1].replace("0.0256189", "nan")]) + "\n")
    with pytest.raises(ArtifactError, match="'system'") as caught:
        HyperfineCsv().read(bad)
    assert caught.value.position.line == 2


def test_hyperfine_crlf_and_bom(tmp_path: Path, hf: Path) -> None:
    """A CSV saved with a BOM and CRLF line ends reads the same."""
    path = tmp_path / "win.csv"
    path.write_bytes(b"\xef\xbb\xbf" + (hf / "hyperfine.csv").read_bytes().replace(b"\n", b"\r\n"))
    assert HyperfineCsv().sniff(read_sample(path))
    assert len(HyperfineCsv().read(path).measurements) == 21


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("pytest-benchmark/v5.3.1-basic/benchmark.json", "pytest-benchmark"),
        ("hyperfine/v1.15.0-basic/hyperfine.json", "hyperfine-json"),
        ("hyperfine/v1.15.0-basic/hyperfine-params.json", "hyperfine-json"),
        ("hyperfine/v1.15.0-basic/hyperfine.csv", "hyperfine-csv"),
        ("k6/v1.1.0-groups-thresholds/summary-export.json", None),
        ("locust/v2.47.0-failures-exceptions/run.json", None),
        ("k6/v1.1.0-groups-thresholds/handle-summary.json", None),
        ("junit/public-pytest-horovod-fail/junit.fail.results.json", None),
    ],
)
def test_sniffing_is_specific(fixtures: Path, path: str, expected: str | None) -> None:
    """Each file is claimed by exactly its own adapter, and other tools' JSON by none of these."""
    file = fixtures / path
    claimed = [a.name for a in ADAPTERS if a.sniff(read_sample(file))]
    assert claimed == ([expected] if expected else [])
