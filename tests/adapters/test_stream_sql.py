"""The DuckDB reductions of raw streams against the line readers and against the raw samples themselves."""

from __future__ import annotations

import gzip
import json
import math
from pathlib import Path

import pytest

from reportgen.adapters import jmeter
from reportgen.adapters import k6_stream as k6
from reportgen.adapters._base import scan_lines
from reportgen.analyse import analyse
from reportgen.estimators import k6_linear
from reportgen.project import Project
from reportgen.schemas.measurement import Extraction, ExtractWarning
from tests.support.project import stream_project

ROOT = Path(__file__).resolve().parents[2]
K6_CASES = [
    *sorted((ROOT / "tests/fixtures/real/k6").glob("*/stream.*.gz")),
    ROOT / "tests/fixtures/k6-runs/killed-mid-run/plain.ndjson.gz",
]
CHECKOUT_OK = ("http_req_duration", {"name": "items", "expected_response": "true"})


def _line_reader(path: Path, percentiles: list[float], slices: list[tuple[str, dict[str, str]]]) -> Extraction:
    if ".csv" in path.name:
        collector, warnings = k6.read_csv_stream(path, slices)
        return k6._extraction("k6-csv-stream", collector, warnings, percentiles)
    collector, warnings = k6.read_ndjson(path, slices)
    return k6._extraction("k6-json-stream", collector, warnings, percentiles)


def _duckdb(path: Path, percentiles: list[float], slices: list[tuple[str, dict[str, str]]]) -> Extraction | None:
    csv = ".csv" in path.name
    rows = k6._csv_rows if csv else k6._ndjson_rows
    return k6.reduce_with_duckdb("k6-csv-stream" if csv else "k6-json-stream", path, rows, percentiles, slices)


@pytest.mark.parametrize("path", K6_CASES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_duckdb_gives_the_line_readers_figures_exactly(path: Path) -> None:
    """On every real k6 stream, the SQL reduction gives the same measurements (bit for bit, same order), series and
    info as the line reader, requested percentiles and label combinations included."""
    asked = ([0.975, 0.9999], [CHECKOUT_OK, ("checks", {"scenario": "browse"})])
    fast = _duckdb(path, *asked)
    assert fast is not None, "the SQL path declined a clean file"
    slow = _line_reader(path, *asked)
    assert [m.model_dump() for m in fast.measurements] == [m.model_dump() for m in slow.measurements]
    assert fast.series == slow.series
    assert fast.info == slow.info


def test_a_two_tag_slice_is_k6s_rule_over_exactly_those_samples() -> None:
    """A label combination no standard slice has (name and expected_response) is computed over the samples
    carrying both tags, with k6's percentile rule and the exact sum (rounded once)."""
    path = ROOT / "tests/fixtures/real/k6/v1.1.0-groups-thresholds/stream.ndjson.gz"
    extraction = k6.K6JsonStream().read(path, slices=[CHECKOUT_OK])
    records = [json.loads(line) for line in gzip.decompress(path.read_bytes()).decode().splitlines()]
    values = [
        r["data"]["value"]
        for r in records
        if r["type"] == "Point"
        and r["metric"] == "http_req_duration"
        and r["data"]["tags"].get("name") == "items"
        and r["data"]["tags"].get("expected_response") == "true"
    ]
    got = {m.stat: m.value for m in extraction.measurements if m.labels == CHECKOUT_OK[1]}
    assert got["count"] == len(values) > 10
    assert got["avg"] == math.fsum(values) / len(values)
    assert got["p95"] == k6_linear(sorted(values), 0.95)


def test_a_stream_written_in_another_time_zone_gives_the_same_instants(tmp_path: Path) -> None:
    """Point times with a UTC offset (k6 on a machine not on UTC) give the same first/last instants and per-second
    series as the same stream in Z time."""
    source = ROOT / "tests/fixtures/real/k6/two-scenarios/stream.ndjson.gz"
    lines = gzip.decompress(source.read_bytes()).decode().splitlines(keepends=True)
    shifted = []
    for line in lines:
        record = json.loads(line)
        if record["type"] == "Point":
            stamp = record["data"]["time"]  # e.g. 2026-11-22T20:04:42.239402403Z → 22:04:42…+02:00
            hour = int(stamp[11:13]) + 2
            assert hour < 24
            record["data"]["time"] = f"{stamp[:11]}{hour:02d}{stamp[13:-1]}+02:00"
        shifted.append(json.dumps(record) + "\n")
    path = tmp_path / "stream.ndjson"
    path.write_text("".join(shifted))
    original = _duckdb(source, [], [])
    moved = _duckdb(path, [], [])
    assert original is not None and moved is not None
    assert (moved.info["first_point"], moved.info["last_point"]) == (
        original.info["first_point"],
        original.info["last_point"],
    )
    assert moved.series == original.series


def test_a_plain_file_is_scanned_as_its_gzip_copy(tmp_path: Path) -> None:
    """The in-place scan of a plain stream finds the same Metric lines, line count and cut tail as the block scan
    of the same text gzipped."""
    source = ROOT / "tests/fixtures/real/k6/two-scenarios/stream.ndjson.gz"
    text = gzip.decompress(source.read_bytes())[:-30]  # a last line cut short: the count is needed
    plain, packed = tmp_path / "stream.ndjson", tmp_path / "stream.ndjson.gz"
    plain.write_bytes(text)
    packed.write_bytes(gzip.compress(text))
    assert scan_lines(plain, b'"Metric"') == scan_lines(packed, b'"Metric"')
    assert scan_lines(plain, b'"Metric"').newlines == text.count(b"\n") > 0
    assert len(scan_lines(plain, b'"Metric"').matches) == text.count(b'"type":"Metric"') > 0


def test_a_tag_value_that_is_not_a_string_is_spelled_as_json_by_both_readers(tmp_path: Path) -> None:
    """Tag values written as JSON true or 200 (not by k6, which writes strings) are the labels "true" and "200" on
    the SQL path and the line reader alike (not Python's "True"), so a manifest's expected_response: "true"
    finds them and both readers give the same figures."""
    source = ROOT / "tests/fixtures/real/k6/two-scenarios/stream.ndjson.gz"
    lines = []
    for line in gzip.decompress(source.read_bytes()).decode().splitlines():
        record = json.loads(line)
        tags = record["data"].get("tags") or {} if record["type"] == "Point" else {}
        for name, typed in (("expected_response", {"true": True, "false": False}), ("status", {"200": 200})):
            if tags.get(name) in typed:
                tags[name] = typed[tags[name]]
        lines.append(json.dumps(record, separators=(",", ":")) + "\n")
    path = tmp_path / "stream.ndjson"
    path.write_text("".join(lines))
    asked: tuple[list[float], list[tuple[str, dict[str, str]]]] = (
        [],
        [("http_req_duration", {"expected_response": "true", "status": "200"})],
    )
    fast = _duckdb(path, *asked)
    assert fast is not None, "the SQL path declined typed tag values"
    slow = _line_reader(path, *asked)
    assert [m.model_dump() for m in fast.measurements] == [m.model_dump() for m in slow.measurements]
    labels = [m.labels for m in fast.measurements if m.metric == "http_req_duration" and m.stat == "p95"]
    assert {"expected_response": "true"} in labels and {"status": "200"} in labels
    assert {"expected_response": "true", "status": "200"} in labels
    assert not any("True" in m.labels.values() for m in slow.measurements)


@pytest.mark.parametrize(
    "damage",
    [
        lambda text: "\ufeff" + text,  # a byte-order mark
        lambda text: text.replace('"value":1,', '"value":"1",', 1).replace('"value":1.', '"value":1e999,', 1),
        lambda text: text.replace('"type":"Point"', '"type":"Sample"', 1),
        lambda text: text.replace(text.splitlines()[-5], text.splitlines()[-5][:40]),  # cut, lines after it
        lambda text: text.replace('"value":1,', '"value":"1",', 1),  # DuckDB alone would read the string as 1
        lambda text: text.replace('"value":1,', '"value":true,', 1),
        lambda text: text.replace('"metric":"http_reqs","type":"Point"', '"metric":7,"type":"Point"', 1),
    ],
    ids=[
        "bom",
        "infinite value",
        "unknown line type",
        "cut line inside",
        "string value",
        "boolean value",
        "number metric",
    ],
)
def test_files_the_sql_path_cannot_judge_go_to_the_line_reader(tmp_path: Path, damage: object) -> None:
    """A file with a BOM, a non-finite value, an unknown line type, a cut line with lines after it, or a value or
    metric name of the wrong JSON type is handed to the line reader (which names the line), never reduced by SQL
    to different figures."""
    source = ROOT / "tests/fixtures/real/k6/two-scenarios/stream.ndjson.gz"
    path = tmp_path / "stream.ndjson"
    path.write_text(damage(gzip.decompress(source.read_bytes()).decode()))  # type: ignore[operator]
    assert _duckdb(path, [], []) is None


@pytest.mark.parametrize("packed", [False, True], ids=["plain", "gzip"])
def test_a_last_line_cut_short_is_read_by_sql_up_to_the_last_complete_line(tmp_path: Path, packed: bool) -> None:
    """A stream whose last line is cut (k6 killed mid-write), plain or in a whole gzip file, reduces in SQL to
    the line reader's figures, with the line reader's warning naming that line."""
    source = ROOT / "tests/fixtures/real/k6/two-scenarios/stream.ndjson.gz"
    path = tmp_path / ("stream.ndjson.gz" if packed else "stream.ndjson")
    text = gzip.decompress(source.read_bytes())[:-30]
    path.write_bytes(gzip.compress(text, 1) if packed else text)
    fast = _duckdb(path, [], [])
    assert fast is not None, "the SQL path declined a cut last line"
    slow = _line_reader(path, [], [])
    assert [m.model_dump() for m in fast.measurements] == [m.model_dump() for m in slow.measurements]
    assert (fast.series, fast.info) == (slow.series, slow.info)
    assert fast.warnings == slow.warnings and "last line is incomplete" in fast.warnings[0].message


@pytest.mark.parametrize("packed", [False, True], ids=["plain", "gzip"])
@pytest.mark.parametrize("cut", [1, 30, 200], ids=["newline only", "in a tag", "in the value"])
def test_a_csv_cut_short_is_read_by_sql_up_to_the_last_complete_row(tmp_path: Path, cut: int, packed: bool) -> None:
    """A k6 CSV whose last row is cut (k6 killed mid-write), plain or in a whole gzip file, reduces in SQL to the
    line reader's figures and warning; a last row that lost only its newline is a row like any other."""
    source = ROOT / "tests/fixtures/real/k6/two-scenarios/stream.csv.gz"
    path = tmp_path / ("stream.csv.gz" if packed else "stream.csv")
    text = gzip.decompress(source.read_bytes())[:-cut]
    path.write_bytes(gzip.compress(text, 1) if packed else text)
    fast = _duckdb(path, [], [])
    assert fast is not None, "the SQL path declined a cut last row"
    slow = _line_reader(path, [], [])
    assert [m.model_dump() for m in fast.measurements] == [m.model_dump() for m in slow.measurements]
    assert (fast.series, fast.info, fast.warnings) == (slow.series, slow.info, slow.warnings)
    assert bool(fast.warnings) == (cut > 1)


def test_a_csv_cut_short_with_a_bad_row_before_goes_to_the_line_reader(tmp_path: Path) -> None:
    """In a cut k6 CSV, a short row before the last one (which DuckDB would skip as silently as the cut one)
    sends the file to the line reader, which names it."""
    source = ROOT / "tests/fixtures/real/k6/two-scenarios/stream.csv.gz"
    lines = gzip.decompress(source.read_bytes()).decode().splitlines(keepends=True)
    lines[5] = lines[5][:20] + "\n"
    path = tmp_path / "stream.csv"
    path.write_text("".join(lines)[:-30])
    assert _duckdb(path, [], []) is None


#: Slice sizes where k6's positions are easy to get wrong: one and two values, p(n-1) integral for p50 (3), p95 (21)
#: and p99 (101), k6's p(99.9) = 0.9990000000000001 a hair over an integer (1001), p(70) a hair under one in double
#: arithmetic (0.7 * 90 = 62.99999999999999, n = 91), and a slice of ties.
ADVERSARIAL_COUNTS = (1, 2, 3, 21, 91, 101, 1001)


def test_percentiles_of_adversarial_counts_are_k6s_bit_for_bit(tmp_path: Path) -> None:
    """For slice sizes where p(n-1) is integral, a hair under or over an integer, or the values tie, every
    percentile of the SQL path (totals and tags by selection, per-second and label sets from sorted lists) is the
    line reader's bit for bit, and a tag slice's is k6's expression over its sorted values."""
    import random

    rng = random.Random(18)
    groups = {f"n{n}": [rng.uniform(0.5, 900.0) for _ in range(n)] for n in ADVERSARIAL_COUNTS}
    groups["ties"] = [rng.choice((1.25, 2.5, 2.5, 7.0)) for _ in range(64)]
    lines = [
        '{"type":"Metric","data":{"name":"http_req_duration","type":"trend","contains":"time",'
        '"thresholds":[],"submetrics":null},"metric":"http_req_duration"}'
    ]
    for name, values in groups.items():
        for index, value in enumerate(values):
            second = index % 3 if name != "n1001" else index // 91  # per-second slices of 91 values and fewer
            tags = {"name": name, "status": "200" if index % 5 else "500", "scenario": "s"}
            data = {"time": f"2026-11-22T20:04:{second:02d}.{index:09d}Z", "value": value, "tags": tags}
            lines.append(json.dumps({"metric": "http_req_duration", "type": "Point", "data": data}))
    path = tmp_path / "stream.ndjson"
    path.write_text("\n".join(lines) + "\n")
    asked = ([0.7, 0.975], [("http_req_duration", {"name": "n91", "status": "200"})])
    fast = _duckdb(path, *asked)
    assert fast is not None, "the SQL path declined a clean file"
    slow = _line_reader(path, *asked)
    assert [m.model_dump() for m in fast.measurements] == [m.model_dump() for m in slow.measurements]
    assert fast.series == slow.series
    got = {(m.labels.get("name"), m.stat): m.value for m in fast.measurements if set(m.labels) == {"name"}}
    for name, values in groups.items():
        for stat, p in (("med", 0.5), ("p95", 0.95), ("p99", 0.99), ("p99.9", 99.9 / 100), ("p70", 0.7)):
            assert got[(name, stat)] == k6_linear(sorted(values), p), (name, stat)


def test_a_manifest_can_ask_a_stream_for_success_only_latency_per_endpoint(tmp_path: Path) -> None:
    """`labels: {name: slow, expected_response: "true"}` on a k6 stream resolves to a measured value."""
    root = stream_project(
        tmp_path,
        "  - id: p95_slow_ok\n"
        "    measured: {artifact: k6/stream.ndjson.gz, metric: http_req_duration, stat: p95,"
        ' labels: {name: slow, expected_response: "true"}}\n',
    )
    metric = analyse(Project(root))[0].metric("p95_slow_ok")
    assert metric.value is not None and metric.value > 0


JMETER_CSV = sorted(
    p for p in (ROOT / "tests/fixtures/real/jmeter").glob("*/*") if p.suffix in (".csv", ".jtl") and p.is_file()
)


@pytest.mark.parametrize("path", JMETER_CSV, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_duckdb_gives_the_jmeter_line_readers_figures_exactly(path: Path) -> None:
    """On every real JMeter CSV JTL (with and without header, transactions, multi-line labels) the SQL reduction
    gives the line reader's measurements, series and info exactly, in the same order."""
    fast = jmeter._reduce_with_duckdb("jmeter-csv", path)
    assert fast is not None, "the SQL path declined a clean file"
    info: dict[str, str] = {"tool": "Apache JMeter", "format": "CSV JTL"}
    warnings: list[ExtractWarning] = []
    samples = [row.sample() for row in jmeter._csv_rows(path, info, warnings)]
    slow = jmeter._extraction("jmeter-csv", samples, info, warnings, path)
    assert [m.model_dump() for m in fast.measurements] == [m.model_dump() for m in slow.measurements]
    assert fast.series == slow.series
    assert list(fast.info.items()) == list(slow.info.items())


@pytest.mark.parametrize(
    "damage",
    [
        lambda lines: [*lines[:5], lines[5].split(",", 3)[0] + "\n", *lines[6:]],  # a short row mid-file
        lambda lines: [lines[0], lines[1].replace(",", ",x", 1), *lines[2:]],  # elapsed not a number
        lambda lines: [lines[0], lines[1].replace(",true,", ",yes,", 1), *lines[2:]],  # success not a boolean
        lambda lines: [*lines[:-1], lines[-1][:20]],  # a cut last row
    ],
    ids=["short row", "elapsed", "success", "truncated"],
)
def test_jtl_rows_the_sql_path_cannot_judge_go_to_the_line_reader(tmp_path: Path, damage: object) -> None:
    """A JTL with a short row, a non-integer elapsed, a success that is not true/false or a cut last row is handed
    to the line reader, which names the row or warns."""
    source = ROOT / "tests/fixtures/real/jmeter/v2.13-csv-xml/results-header.csv"
    path = tmp_path / "results.csv"
    path.write_text("".join(damage(source.read_text().splitlines(keepends=True))))  # type: ignore[operator]
    assert jmeter._reduce_with_duckdb("jmeter-csv", path) is None


def test_numbers_in_every_json_spelling_are_the_line_readers_values(tmp_path: Path) -> None:
    """Point values spelled -0, with an exponent, past 2^53 or as a short decimal are read by the SQL path as the
    same doubles as Python's json (bit for bit, -0.0's sign included), and a quoted number is refused."""
    spellings = [("m", "-0"), ("m", "1E5"), ("m", "2.5E-3"), ("m", "9007199254740993"), ("m", "0.1")]
    spellings += [("m", "123.456e2"), ("m", "7"), ("z", "-0.0")]  # one slice holding -0.0 and 0.0: not this rule
    lines = [
        f'{{"type":"Point","metric":"{metric}","data":{{"time":"2026-12-01T20:00:0{i}Z","value":{v},"tags":{{}}}}}}'
        for i, (metric, v) in enumerate(spellings)
    ]
    path = tmp_path / "stream.ndjson"
    path.write_text("\n".join(lines) + "\n")
    fast = _duckdb(path, [], [])
    assert fast is not None
    slow = _line_reader(path, [], [])
    assert [repr(m.value) for m in fast.measurements] == [repr(m.value) for m in slow.measurements]
    assert any(m.metric == "z" and m.stat == "min" and repr(m.value) == "-0.0" for m in fast.measurements)
    path.write_text("\n".join([*lines, lines[0].replace('"value":-0', '"value":"-0"')]) + "\n")
    assert _duckdb(path, [], []) is None


@pytest.mark.parametrize(
    "name", ['"7"', "7", "true", '{"a":1}', '"true"'], ids=["text 7", "7", "true", "object", "text"]
)
def test_a_metric_name_json_reads_as_another_value_is_judged_as_the_line_reader_does(tmp_path: Path, name: str) -> None:
    """A Point whose metric is a JSON number, boolean or object goes to the line reader (which refuses the line),
    though the fast rows read it as the text 7, true or {"a":1}; a metric named "7" or "true" (a JSON string) is
    reduced, to the line reader's figures."""
    lines = [_point_line("ok", 1), _point_line("ok", 2).replace('"metric":"ok"', f'"metric":{name}')]
    path = tmp_path / "stream.ndjson"
    path.write_text("".join(lines))
    fast = _duckdb(path, [], [])
    if name.startswith('"'):
        assert fast is not None
        slow = _line_reader(path, [], [])
        assert [m.model_dump() for m in fast.measurements] == [m.model_dump() for m in slow.measurements]
        assert json.loads(name) in {m.metric for m in fast.measurements}
    else:
        assert fast is None


def _point_line(metric: str, value: float) -> str:
    data = {"time": "2026-12-01T20:00:01Z", "value": value, "tags": {}}
    return json.dumps({"type": "Point", "metric": metric, "data": data}, separators=(",", ":")) + "\n"
