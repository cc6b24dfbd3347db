"""k6 raw samples read by one DuckDB query against the line reader they replace: every slice, every value, in
file order."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import numpy as np
import pytest

from reportgen import samples
from reportgen.adapters import _k6_samples_sql
from reportgen.adapters import k6_stream as k6
from reportgen.errors import ArtifactError
from reportgen.sample_store import Read

ROOT = Path(__file__).resolve().parents[2]
REAL = sorted((ROOT / "tests/fixtures/real/k6").glob("*/stream.*.gz"))
CASES = [
    *REAL,
    ROOT / "tests/fixtures/k6-runs/killed-mid-run/plain.ndjson.gz",
    ROOT / "results/v1.2.0/k6/stream.ndjson.gz",
]


def _csv(path: Path) -> bool:
    return ".csv" in path.name


def _line_reader(path: Path) -> Read:
    collector = (k6.read_csv_stream if _csv(path) else k6.read_ndjson)(path)[0]
    by_metric = {m: {labels: s.values for labels, s in slices.items()} for m, slices in collector.slices.items()}
    vus = collector.slices.get("vus", {}).get(())
    return samples._k6(collector.declarations, by_metric, list(vus.times) if vus is not None else [])


def _duckdb(path: Path) -> Read | None:
    found = _k6_samples_sql.read(path, k6._csv_rows if _csv(path) else k6._ndjson_rows)
    return None if found is None else samples._k6(found.declarations, found.slices, found.vus_times)


def _assert_same(fast: Read | None, slow: Read) -> None:
    assert fast is not None, "the DuckDB reader declined a file the reduction reads"
    assert sorted(fast[0]) == sorted(slow[0])
    for key, (values, unit, estimator) in slow[0].items():
        assert fast[0][key][0].tobytes() == values.tobytes(), key  # bit for bit (-0.0 too), in file order
        assert fast[0][key][1:] == (unit, estimator), key
    assert fast[1] == slow[1]


@pytest.mark.parametrize("path", CASES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_duckdb_samples_are_the_line_readers_array_for_array(path: Path) -> None:
    """On every real k6 stream (NDJSON and CSV, gzip, a run killed mid-write), each slice's values from DuckDB are
    the line reader's bit for bit in file order, with the same units, estimators and VUs series."""
    _assert_same(_duckdb(path), _line_reader(path))


def _metric(name: str, kind: str, contains: str = "default", submetrics: list[dict[str, str]] | None = None) -> str:
    subs = [{"name": f"{name}{{x}}", "suffix": "x", "tags": tags} for tags in submetrics] if submetrics else None
    data = {"name": name, "type": kind, "contains": contains, "thresholds": [], "submetrics": subs}
    return json.dumps({"type": "Metric", "data": data, "metric": name}, ensure_ascii=False)


def _point(metric: str, value: float, tags: dict[str, object], time: str = "2026-11-22T20:04:42.5Z") -> str:
    data = {"time": time, "value": value, "tags": tags}
    return json.dumps({"metric": metric, "type": "Point", "data": data}, ensure_ascii=False)


def _adversarial() -> list[str]:
    """Unicode tags and checks, typed and null tag values, empty tags, a submetric on a non-breakdown tag and one
    on an empty value, rates that are not 0/1, VUs with tied and unordered times, an undeclared metric, a Point
    before its (same-kind) Metric line, times in another zone, -0.0."""
    lines = [
        _point("iterations", 1, {"proto": "h2"}),  # before its Metric line: the line reader ignores the submetric
        _metric(
            "http_req_duration", "trend", "time", [{"name": "ché 名"}, {"method": "GET", "name": "a"}, {"scenario": ""}]
        ),
        _metric("http_req_failed", "rate", submetrics=[{"name": "a"}]),
        _metric("checks", "rate"),
        _metric("vus", "gauge"),
        _metric("iterations", "counter", submetrics=[{"proto": "h2"}]),
    ]
    names = ["a", "ché 名", '🚀 "q" \\ b', ""]
    for i in range(400):
        name = names[i % 4]
        tags: dict[str, object] = {"name": name, "method": "GET" if i % 3 else "POST", "scenario": "" if i % 5 else "s"}
        if i % 7 == 0:
            tags = {"name": name, "status": 200, "expected_response": True, "group": None}
        time = f"2026-11-22T2{i % 2}:04:{i % 60:02d}.{i:06d}" + ("Z" if i % 4 else "+02:00")
        lines.append(_point("http_req_duration", (-0.0 if i == 9 else i * 1.25 + 0.1), tags, time))
        lines.append(_point("http_req_failed", [0, 1, 0.5, 0][i % 4], tags, time))
        check = {"check": ["status ok", "ünïcode ✓", ""][i % 3], "group": ["", "::g 1"][i % 2], "name": name}
        if i % 6 == 5:
            del check["group"]
        lines.append(_point("checks", i % 2, check, time))
        lines.append(_point("vus", [3, 5, 4][i % 3], {}, f"2026-11-22T20:04:{(i * 7) % 11:02d}Z"))
        lines.append(_point("my_custom", 2.0**40 + i, {"name": name}, time))
        lines.append(_point("iterations", 1, {"proto": "h2" if i % 2 else "h1"}, time))
    return lines


def test_duckdb_samples_of_an_adversarial_stream_are_the_line_readers(tmp_path: Path) -> None:
    """Unicode and typed tags, checks, rates, submetrics' tags, tied VU times, undeclared and late-declared metrics
    give the line reader's slices and values exactly, plain, gzip and as k6 CSV."""
    text = "\n".join(_adversarial()) + "\n"
    plain, packed = tmp_path / "stream.ndjson", tmp_path / "stream.ndjson.gz"
    plain.write_text(text, encoding="utf-8")
    packed.write_bytes(gzip.compress(text.encode()))
    for path in (plain, packed):
        slow = _line_reader(path)
        assert ("http_req_duration", (("method", "GET"), ("name", "a"))) in slow[0]
        assert ("http_req_duration", (("scenario", ""),)) in slow[0]
        assert ("checks", (("check", "ünïcode ✓"), ("group", "::g 1"))) in slow[0]
        assert ("iterations", (("proto", "h2"),)) not in slow[0]  # its declaration came after a Point
        _assert_same(_duckdb(path), slow)


def test_duckdb_samples_of_a_cut_last_line_are_the_complete_lines(tmp_path: Path) -> None:
    """A stream whose last line is cut (k6 killed mid-write) gives the samples of every complete line, as the line
    reader reads them, NDJSON and CSV."""
    for source in sorted((ROOT / "tests/fixtures/real/k6/v1.1.0-groups-thresholds").glob("stream.*.gz")):
        path = tmp_path / source.name.removesuffix(".gz")
        path.write_bytes(gzip.decompress(source.read_bytes())[:-30])
        _assert_same(_duckdb(path), _line_reader(path))


@pytest.mark.parametrize(
    "damage",
    [
        lambda lines: ["\ufeff" + lines[0], *lines[1:]],
        lambda lines: [*lines[:50], lines[50][:40], *lines[51:]],
        lambda lines: [*lines[:50], lines[50].replace('"value":', '"value":1e999,"x":', 1), *lines[51:]],
        lambda lines: [_point("vus", 1, {}), _metric("vus", "trend"), *lines],
    ],
    ids=["bom", "cut line inside", "infinite value", "point before metric changes its kind"],
)
def test_files_the_reduction_hands_to_the_line_reader_are_read_by_it(tmp_path: Path, damage: object) -> None:
    """A BOM, damage before the last line, a non-finite value or a kind changed by a later Metric line: DuckDB
    declines, and the samples are the line reader's (or its error naming the line)."""
    path = tmp_path / "stream.ndjson"
    path.write_text("\n".join(damage(_adversarial())) + "\n", encoding="utf-8")  # type: ignore[operator]
    assert _duckdb(path) is None
    try:
        slow = _line_reader(path)
    except ArtifactError as exc:
        with pytest.raises(ArtifactError) as raised:
            samples._k6_stream(path, csv=False)
        assert str(raised.value) == str(exc) and ":51" in str(exc)  # the line reader names the line
    else:
        got = samples._k6_stream(path, csv=False)
        assert sorted(got[0]) == sorted(slow[0]) and got[1] == slow[1]
        assert all(got[0][k][0].tobytes() == v[0].tobytes() for k, v in slow[0].items())


@pytest.mark.parametrize("form", ["ndjson", "ndjson.gz", "csv"])
def test_values_come_in_file_order_from_a_multithreaded_scan(
    tmp_path: Path, form: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With 4 DuckDB threads over a file of several read buffers (36 MB), every slice's values come in file order:
    each line's value is its line number, so each slice must be strictly increasing and the total complete."""
    monkeypatch.setenv("REPORTGEN_DUCKDB_THREADS", "4")
    count = 250_000
    names = ["a", "b", "ü名", "c"]
    if form == "csv":
        header = "metric_name,timestamp,metric_value,name,status,scenario\n"
        row = "{m},{s},{i},{n},200,s{k}\n"
        body = (
            row.format(m=_metric_of(i), s=1795371635 + i // 1000, i=i, n=names[i % 4], k=i % 3) for i in range(count)
        )
        text = header + "".join(body)
    else:
        line = (
            '{{"metric":"{m}","type":"Point","data":{{"time":"2026-11-22T20:{mm:02d}:{ss:02d}.{i:09d}Z","value":{i},'
            '"tags":{{"name":"{n}","status":"200","scenario":"s{k}"}}}}}}\n'
        )
        body = (
            line.format(m=_metric_of(i), mm=i // 60000 % 60, ss=i // 1000 % 60, i=i, n=names[i % 4], k=i % 3)
            for i in range(count)
        )
        text = "".join(body)
    path = tmp_path / f"stream.{form}"
    path.write_bytes(gzip.compress(text.encode(), 1) if form.endswith(".gz") else text.encode())
    found = _k6_samples_sql.read(path, k6._csv_rows if form == "csv" else k6._ndjson_rows)
    assert found is not None
    assert sum(len(found.slices[m][()]) for m in found.slices) == count
    for metric, slices in found.slices.items():
        for labels, values in slices.items():
            assert (np.diff(values) > 0).all(), (metric, labels)


def _metric_of(line: int) -> str:
    return "iteration_duration" if line % 7 == 0 else "http_req_duration"


@pytest.mark.parametrize("path", [p for p in REAL if ".ndjson" in p.name], ids=lambda p: p.parent.name)
def test_duckdb_samples_with_metric_lines_beyond_the_read_ahead_are_the_line_readers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, path: Path
) -> None:
    """A plain stream none of whose Metric lines is read ahead gives the line reader's samples: the query's own
    Metric lines give the declarations (and the slices their submetrics ask for)."""
    monkeypatch.setattr(k6, "DECLARATIONS_AHEAD", 0)
    plain = tmp_path / "stream.ndjson"
    plain.write_bytes(gzip.decompress(path.read_bytes()))
    _assert_same(_duckdb(plain), _line_reader(plain))
