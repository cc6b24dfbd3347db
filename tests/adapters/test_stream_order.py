"""How the SQL reduction reads a k6 stream: unnumbered, on every core, with the line reader's figures in its file
order; a gzip stream decompressed once."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from reportgen.adapters import _gzip_end, _k6_order, _k6_sql, _plain_copy
from reportgen.adapters import k6_stream as k6
from reportgen.schemas.measurement import Extraction

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT / "tests/fixtures/real/k6/v1.1.0-groups-thresholds/stream.ndjson.gz"
Slices = list[tuple[str, dict[str, str]]]


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[bool]]:
    """How each SQL reduction read the file: False unnumbered (every core), True numbered (one core)."""
    used: list[bool] = []
    reduce = _k6_sql._reduce

    def spy(*args: Any, numbered: bool) -> Any:
        used.append(numbered)
        return reduce(*args, numbered=numbered)

    monkeypatch.setattr(_k6_sql, "_reduce", spy)
    yield used


def _both(path: Path, asked: Slices | None = None) -> tuple[Extraction, Extraction]:
    slices = asked or []
    csv = ".csv" in path.name
    fast = k6.reduce_with_duckdb("k6", path, k6._csv_rows if csv else k6._ndjson_rows, [0.975], slices)
    assert fast is not None, "the SQL path declined a clean file"
    collector, warnings = (k6.read_csv_stream if csv else k6.read_ndjson)(path, slices)
    return fast, k6._extraction("k6", collector, warnings, [0.975])


def _same(fast: Extraction, slow: Extraction) -> None:
    assert [m.model_dump() for m in fast.measurements] == [m.model_dump() for m in slow.measurements]
    assert fast.series == slow.series
    assert fast.info == slow.info


def _files_read(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The files the NDJSON rows are made to read, as the reduction asks for them."""
    read: list[Path] = []
    original = _k6_sql.ndjson_rows

    def spy(source: Path, *args: Any, **kwargs: Any) -> Any:
        read.append(source)
        return original(source, *args, **kwargs)

    monkeypatch.setattr(_k6_sql, "ndjson_rows", spy)
    return read


def _point(metric: str, time: str, value: float, **tags: str) -> str:
    data = {"time": f"2026-12-01T20:00:{time}Z", "value": value, "tags": tags}
    return json.dumps({"metric": metric, "type": "Point", "data": data}) + "\n"


def _metric(name: str, kind: str, **submetric: str) -> str:
    subs = [{"name": name, "suffix": "", "tags": submetric}] if submetric else None
    data = {"name": name, "type": kind, "contains": "default", "thresholds": [], "submetrics": subs}
    return json.dumps({"type": "Metric", "data": data, "metric": name}) + "\n"


def test_a_clean_real_stream_is_read_unnumbered(reads: list[bool]) -> None:
    """A real k6 stream is reduced by the unnumbered read alone (DuckDB on every core), to the line reader's
    figures in its order."""
    _same(*_both(SOURCE, [("http_req_duration", {"name": "items", "expected_response": "true"})]))
    assert reads == [False]


def test_metrics_first_seen_beyond_the_first_prefix_keep_file_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, reads: list[bool]
) -> None:
    """Metrics whose first Point lies beyond the first numbered prefix come in file order, and a Point before its
    metric's Metric line still makes the kind assumed (the Metric line, and its submetric, ignored), as the line
    reader does: the prefix grows until it holds every metric's first line."""
    monkeypatch.setattr(_k6_order, "FIRST_PREFIX", 2)
    lines = [_metric("zeta", "trend"), *(_point("zeta", f"0{i}", i) for i in range(5))]
    lines += [_point("alpha", "06", 1.5), _point("middle", "07", 2), _metric("middle", "trend", method="GET")]
    lines += [*(_point("middle", f"1{i}", 1, method="GET") for i in range(9)), _metric("beta", "gauge")]
    lines += [_point("beta", "20", 7), _point("alpha", "21", 2.5), _point("zeta", "22", 0.25)]
    path = tmp_path / "stream.ndjson"
    path.write_text("".join(lines))
    fast, slow = _both(path)
    _same(fast, slow)
    assert list(dict.fromkeys(m.metric for m in fast.measurements)) == ["zeta", "alpha", "middle", "beta"]
    middle = [m for m in fast.measurements if m.metric == "middle"]
    assert all(m.labels != {"method": "GET"} for m in middle), "the ignored Metric line's submetric"
    assert reads == [False]


def test_a_csv_stream_keeps_the_order_of_first_rows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, reads: list[bool]
) -> None:
    """A k6 CSV whose metrics first appear far apart gives the line reader's figures in its order, read
    unnumbered."""
    monkeypatch.setattr(_k6_order, "FIRST_PREFIX", 2)
    rows = ["metric_name,timestamp,metric_value,name,extra_tags,metadata\n"]
    rows += [f"http_req_duration,{1764619200 + i},{i}.5,a,,\n" for i in range(7)]
    rows += ["vus,1764619210,3,,,\n", "iterations,1764619211,1,,,\n", "vus,1764619212,0,,,\n"]
    path = tmp_path / "stream.csv"
    path.write_text("".join(rows))
    fast, slow = _both(path)
    _same(fast, slow)
    assert list(dict.fromkeys(m.metric for m in fast.measurements)) == ["http_req_duration", "vus", "iterations"]
    assert reads == [False]


@pytest.mark.parametrize(
    ("values", "tags", "last"),
    [
        ((5.0, 3.0), ({}, {}), 3.0),
        ((3.0, 5.0), ({}, {}), 5.0),
        ((0.0, -0.0), ({}, {}), -0.0),
        ((-0.0, 0.0), ({}, {}), 0.0),
        ((5.0, 3.0), ({"name": "a"}, {"name": "b"}), 3.0),  # two finest groups share the latest time
        ((3.0, 5.0), ({"name": "a"}, {"name": "b"}), 5.0),
    ],
    ids=["5-3", "3-5", "0--0", "-0-0", "two-groups-5-3", "two-groups-3-5"],
)
def test_a_gauge_with_two_values_at_its_latest_time_takes_the_later_line(
    tmp_path: Path, reads: list[bool], values: tuple[float, float], tags: tuple[dict[str, str], ...], last: float
) -> None:
    """A Gauge's value is the later line's when two values share its latest time (zeros' signs included): only
    the line order decides, so the reduction reads the file numbered, and gives the line reader's figures."""
    lines = [_metric("vus", "gauge"), _point("vus", "01", 9)]
    lines += [_point("vus", "02", value, **labels) for value, labels in zip(values, tags, strict=True)]
    path = tmp_path / "stream.ndjson"
    path.write_text("".join(lines))
    fast, slow = _both(path)
    _same(fast, slow)
    values = [next(m.value for m in e.measurements if m.stat == "value" and not m.labels) for e in (fast, slow)]
    assert [repr(v) for v in values] == [repr(last)] * 2  # repr: a zero's sign too (== takes -0.0 for 0.0)
    assert reads == [False, True]


def test_a_gauge_with_one_value_at_its_latest_time_is_read_unnumbered(tmp_path: Path, reads: list[bool]) -> None:
    """Equal values at a Gauge's latest time (a negative zero alone too) need no line order: one unnumbered read."""
    lines = [_metric("vus", "gauge"), _point("vus", "01", 9), _point("vus", "02", -0.0), _point("vus", "02", -0.0)]
    lines += [_metric("vus_max", "gauge"), _point("vus_max", "02", 4), _point("vus_max", "02", 4, name="b")]
    path = tmp_path / "stream.ndjson"
    path.write_text("".join(lines))
    fast, slow = _both(path)
    _same(fast, slow)
    assert repr(next(m.value for m in fast.measurements if m.metric == "vus" and m.stat == "value")) == "-0.0"
    assert reads == [False]


def test_a_stream_cut_short_is_read_numbered(tmp_path: Path, reads: list[bool]) -> None:
    """A stream whose last line is cut short is read numbered (which line is the cut one is file order)."""
    text = gzip.decompress(SOURCE.read_bytes())[:-30]
    path = tmp_path / "stream.ndjson"
    path.write_bytes(text)
    fast, slow = _both(path)
    _same(fast, slow)
    assert reads == [True]


def test_a_gzip_ndjson_stream_is_read_by_duckdb_with_its_end_read_beside(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """DuckDB reads a gzip NDJSON stream from the gzip file itself, with no plain copy, while the text past the
    first bytes is read to its end through reportgen's limits beside the query; the figures are the line
    reader's."""
    monkeypatch.setattr(k6, "DECLARATIONS_AHEAD", 2**16)  # the fixture's text is a few MiB: most read beside
    path = tmp_path / "stream.ndjson.gz"
    path.write_bytes(gzip.compress(gzip.decompress(SOURCE.read_bytes())))
    read = _files_read(monkeypatch)
    monkeypatch.setattr(k6, "PlainCopy", None)  # called, it would fail: no copy is made
    ends: list[Path] = []
    original_start = _gzip_end.GzipEnd.start

    def started(end: _gzip_end.GzipEnd) -> None:
        ends.append(end.path)
        original_start(end)

    monkeypatch.setattr(_gzip_end.GzipEnd, "start", started)
    fast, slow = _both(path)
    _same(fast, slow)
    assert set(read) == {path} and ends == [path]


def test_a_gzip_csv_stream_is_read_by_duckdb_through_its_plain_copy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A gzip k6 CSV is inflated once, through the limits, to a plain copy in the reduction's private folder, and
    DuckDB reads that copy (its CSV reader cannot spill what it holds of a .gz), gone after the reduction; the
    figures are the line reader's, and nothing is read beside the query."""
    rows = ["metric_name,timestamp,metric_value,name,extra_tags,metadata\n"]
    rows += [f"http_req_duration,{1764619200 + i},{i}.5,a,,\n" for i in range(7)] + ["vus,1764619210,3,,,\n"]
    text = "".join(rows).encode()
    path = tmp_path / "stream.csv.gz"
    path.write_bytes(gzip.compress(text))
    read: list[Path] = []
    original = _k6_sql.csv_rows

    def spy(source: Path, *args: Any, **kwargs: Any) -> Any:
        read.append(source)
        assert source.read_bytes() == text  # the whole text, as the line reader reads it
        return original(source, *args, **kwargs)

    monkeypatch.setattr(_k6_sql, "csv_rows", spy)
    monkeypatch.setattr(_gzip_end.GzipEnd, "start", None)  # called, it would fail: nothing is read beside
    fast, slow = _both(path)
    _same(fast, slow)
    assert len(read) == 1 and read[0] != path and not read[0].exists()


def test_a_gzip_stream_read_again_without_room_for_its_text_is_read_from_the_gzip_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A gzip stream read again after DuckDB read it itself (its last line cut short), when the text would leave the
    disk with less than the reserve, keeps no copy: DuckDB reads the gzip file again, and the figures and the
    warning are the line reader's."""
    monkeypatch.setattr(_plain_copy, "RESERVE_BYTES", 1 << 62)  # more than any disk has
    path = tmp_path / "stream.ndjson.gz"
    path.write_bytes(gzip.compress(gzip.decompress(SOURCE.read_bytes())[:-30]))
    read = _files_read(monkeypatch)
    fast, slow = _both(path)
    _same(fast, slow)
    assert fast.warnings == slow.warnings and len(fast.warnings) == 1
    assert set(read) == {path}


def test_a_copy_larger_than_its_budget_is_given_up_and_removed(tmp_path: Path) -> None:
    """A plain copy whose text outgrows its budget mid-way is removed and reported as no copy; one within it is kept
    whole."""
    given_up = _plain_copy.PlainCopy(tmp_path / "big.txt")
    given_up.budget = 10
    given_up.write(b"123456")
    given_up.write(b"789012")
    given_up.write(b"3")
    assert given_up.finish() is None and not (tmp_path / "big.txt").exists()
    kept = _plain_copy.PlainCopy(tmp_path / "small.txt")
    kept.write(b"123")
    kept.write(b"456")
    assert kept.finish() == tmp_path / "small.txt" and (tmp_path / "small.txt").read_bytes() == b"123456"


REAL_PLAIN = sorted((ROOT / "tests/fixtures/real/k6").glob("*/stream.ndjson.gz"))


@pytest.mark.parametrize("packed", [False, True], ids=["plain", "gzip"])
@pytest.mark.parametrize("path", REAL_PLAIN, ids=lambda p: p.parent.name)
def test_metric_lines_beyond_the_read_ahead_give_the_line_readers_figures(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, reads: list[bool], path: Path, packed: bool
) -> None:
    """A real stream, plain or gzip, whose Metric lines all lie beyond the read-ahead (here none is read ahead)
    gives the line reader's figures, read once: its submetrics are breakdown slices, and its custom Counter,
    Rate and Gauge, unknown to the plan, get their figures from the aggregates of both a Trend and a Gauge."""
    monkeypatch.setattr(k6, "DECLARATIONS_AHEAD", 0)
    plain = tmp_path / "stream.ndjson"
    plain.write_bytes(gzip.decompress(path.read_bytes()))
    _same(*_both(path if packed else plain, [("http_req_duration", {"name": "items", "expected_response": "true"})]))
    assert reads == [False]


def test_a_late_metric_line_with_a_new_slice_makes_a_second_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, reads: list[bool]
) -> None:
    """A Metric line beyond the read-ahead whose submetric is a slice the query did not plan (two tags) has the
    file read again, planned from every Metric line, to the line reader's figures."""
    monkeypatch.setattr(k6, "DECLARATIONS_AHEAD", 0)
    lines = [_point("zeta", "01", 1, proto="h2", method="GET"), _metric("late", "trend", proto="h2", method="GET")]
    lines += [_point("late", f"0{i}", i, proto="h2", method="GET" if i % 2 else "POST") for i in range(2, 9)]
    path = tmp_path / "stream.ndjson"
    path.write_text("".join(lines))
    fast, slow = _both(path)
    _same(fast, slow)
    assert any(m.labels == {"proto": "h2", "method": "GET"} for m in fast.measurements)
    assert reads == [False, False]


def test_a_plain_stream_with_its_metric_lines_read_ahead_is_read_once(tmp_path: Path, reads: list[bool]) -> None:
    """A plain stream whose Metric lines lie within the read-ahead is read once, unnumbered."""
    plain = tmp_path / "stream.ndjson"
    plain.write_bytes(gzip.decompress(SOURCE.read_bytes()))
    _same(*_both(plain))
    assert reads == [False]


def test_a_late_metric_line_that_changes_no_slice_costs_no_second_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, reads: list[bool]
) -> None:
    """A Metric line beyond the read-ahead that asks for nothing the query did not compute (a Trend, no submetric,
    no threshold percentile) costs no second read, and the figures are the line reader's."""
    monkeypatch.setattr(k6, "DECLARATIONS_AHEAD", 0)
    lines = [_metric("zeta", "trend"), *(_point("zeta", f"0{i}", i) for i in range(5))]
    lines += [_metric("vus", "gauge"), _point("vus", "06", 3), _metric("late", "trend"), _point("late", "07", 2)]
    path = tmp_path / "stream.ndjson"
    path.write_text("".join(lines))
    _same(*_both(path))
    assert reads == [False]


@pytest.mark.parametrize(
    "declaration",
    [
        {"contains": None},  # DuckDB reads null and a missing key alike: the line reader tells them apart
        {"thresholds": [5]},  # a number DuckDB's JSON may spell otherwise
        {"submetrics": [{"name": "x", "suffix": "", "tags": {"name": 7}}]},
        {"submetrics": [{"name": "x", "suffix": "", "tags": {"name": "a"}}], "again": True},  # two Metric lines differ
    ],
    ids=["null contains", "number threshold", "number submetric tag", "two different Metric lines"],
)
def test_late_metric_lines_duckdb_may_misread_are_read_by_python(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, declaration: dict[str, Any]
) -> None:
    """Metric lines beyond the read-ahead whose JSON DuckDB may not give as the line reader reads it are read by
    the Python scan of the whole file, and the figures are the line reader's."""
    monkeypatch.setattr(k6, "DECLARATIONS_AHEAD", 0)
    again = declaration.pop("again", False)
    data = {"name": "late", "type": "trend", "contains": "time", "thresholds": [], "submetrics": None, **declaration}
    late = json.dumps({"type": "Metric", "data": data, "metric": "late"}) + "\n"
    lines = [_metric("zeta", "trend"), *(_point("zeta", f"0{i}", i, name="a") for i in range(5)), late]
    lines += [_point("late", "07", 2, name="a"), _point("late", "08", 3, name="7")]
    lines += [late.replace('"name": "a"', '"name": "b"')] if again else []
    path = tmp_path / "stream.ndjson"
    path.write_text("".join(lines))
    _same(*_both(path))


def test_a_damaged_metric_line_beyond_the_read_ahead_goes_to_the_line_reader(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A Metric line beyond the read-ahead that the line reader refuses (a name that is not a string) sends the
    file to the line reader, as one read ahead does."""
    monkeypatch.setattr(k6, "DECLARATIONS_AHEAD", 0)
    bad = json.dumps({"type": "Metric", "data": {"name": 5, "type": "trend", "contains": "default"}, "metric": "5"})
    path = tmp_path / "stream.ndjson"
    path.write_text("".join([_point("zeta", "01", 1), bad + "\n", _point("zeta", "02", 2)]))
    assert k6.reduce_with_duckdb("k6", path, k6._ndjson_rows, [], []) is None
