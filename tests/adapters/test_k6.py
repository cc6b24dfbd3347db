"""k6 adapters against k6's own numbers in the real fixtures (docs/FORMATS.md §1)."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pytest

from reportgen.adapters import detect
from reportgen.adapters._base import read_sample
from reportgen.adapters._k6_common import split_metric_key, stat_name
from reportgen.adapters.k6 import K6HandleSummary, K6SummaryExport
from reportgen.adapters.k6_stream import K6CsvStream, K6JsonStream
from reportgen.errors import ArtifactError
from reportgen.estimators import K6_LINEAR
from reportgen.schemas.measurement import Extraction, Measurement

CASES = ["v1.1.0-groups-thresholds", "v0.57.0-groups-thresholds", "two-scenarios"]
ROOT = Path(__file__).resolve().parents[2]
KILLED = ROOT / "tests" / "fixtures" / "k6-runs" / "killed-mid-run"

Key = tuple[str, str, tuple[tuple[str, str], ...]]


def by_key(extraction: Extraction) -> dict[Key, Measurement]:
    return {m.key(): m for m in extraction.measurements}


def summary_values(case_dir: Path, kind: str) -> dict[Key, float]:
    """k6's own figures of every metric of one kind in handle-summary.json, keyed as reportgen keys them."""
    document = json.loads((case_dir / "handle-summary.json").read_text())
    found: dict[Key, float] = {}
    for key, entry in document["metrics"].items():
        if entry["type"] == kind:
            metric, labels = split_metric_key(key)
            for value_key, value in entry["values"].items():
                found[(metric, stat_name(value_key), tuple(sorted(labels.items())))] = value
    return found


def custom_metrics(case_dir: Path) -> set[str]:
    document = json.loads((case_dir / "handle-summary.json").read_text())
    return {key.split("{")[0] for key in document["metrics"] if not key.startswith(("http_", "data_", "vus", "iter"))}


@pytest.fixture(scope="module")
def streams() -> dict[tuple[str, str], Extraction]:
    base = ROOT / "tests" / "fixtures" / "real" / "k6"
    read: dict[tuple[str, str], Extraction] = {}
    for case in CASES:
        read[(case, "ndjson")] = K6JsonStream().read(base / case / "stream.ndjson.gz")
        read[(case, "csv")] = K6CsvStream().read(base / case / "stream.csv.gz")
    return read


# ---------------------------------------------------------------------------- streams agree with k6


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("stream", ["ndjson", "csv"])
def test_stream_reproduces_every_trend_stat(
    fixtures: Path, streams: dict[tuple[str, str], Extraction], case: str, stream: str
) -> None:
    """Every trend statistic of k6's handleSummary, submetrics included, is recomputed from the stream: bit for bit,
    except avg, which reportgen sums exactly (rounded once) where k6 adds in arrival order: within 1e-12, the
    tolerance issue 18 sets for averages."""
    expected = summary_values(fixtures / "k6" / case, "trend")
    got = by_key(streams[(case, stream)])
    assert len(expected) >= 60
    mismatches = {key: (value, got[key].value if key in got else None) for key, value in expected.items()}
    exact = {k: v for k, v in mismatches.items() if k[1] != "avg"}
    assert {k: v for k, v in exact.items() if v[0] != v[1]} == {}
    for key in mismatches.keys() - exact.keys():
        assert mismatches[key][1] == pytest.approx(mismatches[key][0], rel=1e-12, abs=0), key
    for key in expected:
        if key[1] == "med" or key[1].startswith("p"):
            assert got[key].estimator == K6_LINEAR


def test_trend_submetrics_named_in_the_brief_are_covered(fixtures: Path) -> None:
    """The submetrics k6 reports (name, expected_response, group paths) map to labels the stream slices carry."""
    expected = summary_values(fixtures / "k6" / "v1.1.0-groups-thresholds", "trend")
    assert expected[("http_req_duration", "p95", (("name", "slow"),))] == 243.28271705
    assert expected[("http_req_duration", "p99.9", (("expected_response", "true"),))] == 250.37273124800018
    assert expected[("group_duration", "p90", (("group", "::catalog"),))] == 10.292035


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("kind", ["counter", "rate", "gauge"])
def test_ndjson_counts_rates_and_gauges_match_k6(
    fixtures: Path, streams: dict[tuple[str, str], Extraction], case: str, kind: str
) -> None:
    """Counter sums, Rate passes/fails/ratio and Gauge value/min/max equal k6's; a Counter's per-second rate is not guessed."""
    expected = summary_values(fixtures / "k6" / case, kind)
    got = by_key(streams[(case, "ndjson")])
    for key, value in expected.items():
        if kind == "counter" and key[1] == "rate":
            assert key not in got  # needs the test run duration, which the stream does not record
        else:
            assert got[key].value == value, key


@pytest.mark.parametrize("case", CASES)
def test_csv_counts_of_builtin_metrics_match_k6(
    fixtures: Path, streams: dict[tuple[str, str], Extraction], case: str
) -> None:
    """The CSV, which has no metric types, gets built-in counters, rates and gauges right by their names."""
    got = by_key(streams[(case, "csv")])
    custom = custom_metrics(fixtures / "k6" / case)
    compared = 0
    for kind in ("counter", "rate", "gauge"):
        for key, value in summary_values(fixtures / "k6" / case, kind).items():
            if key[0] not in custom and not (kind == "counter" and key[1] == "rate"):
                assert got[key].value == value, key
                compared += 1
    assert compared >= 13


def test_csv_says_which_custom_metrics_it_took_for_trends(streams: dict[tuple[str, str], Extraction]) -> None:
    """Custom metrics in a CSV stream are treated as trends, and info names them."""
    info = streams[("v1.1.0-groups-thresholds", "csv")].info
    assert info["assumed_trend"] == "item_parse_time, items_seen, last_item_count, login_ok"
    assert "assumed_trend" not in streams[("v1.1.0-groups-thresholds", "ndjson")].info


@pytest.mark.parametrize("stream", ["ndjson", "csv"])
def test_stream_checks_per_check_and_group_match_root_group(
    fixtures: Path, streams: dict[tuple[str, str], Extraction], stream: str
) -> None:
    """Per-check passes/fails from the stream equal k6's root_group figures, with the same check/group labels."""
    summary = by_key(K6HandleSummary().read(fixtures / "k6" / "v1.1.0-groups-thresholds" / "handle-summary.json"))
    got = by_key(streams[("v1.1.0-groups-thresholds", stream)])
    checks = {k: m.value for k, m in summary.items() if k[0] == "checks" and k[2]}
    assert len(checks) == 14  # 7 checks in 4 groups
    assert checks[("checks", "fails", (("check", "flaky is 200"), ("group", "::heavy")))] == 41
    assert checks[("checks", "passes", (("check", "login is 200"), ("group", "")))] == 103
    assert {k: got[k].value for k in checks} == checks


def test_http_req_failed_is_the_share_of_failed_requests(streams: dict[tuple[str, str], Extraction]) -> None:
    """http_req_failed rate is the failure ratio: passes count failed requests, fails count the expected responses."""
    got = by_key(streams[("v1.1.0-groups-thresholds", "ndjson")])
    failed = got[("http_req_failed", "rate", ())]
    assert (failed.value, failed.unit) == (0.046546546546546545, "ratio")
    assert got[("http_req_failed", "passes", ())].value == 93
    ok_count = got[("http_req_duration", "count", (("expected_response", "true"),))].value
    assert got[("http_req_failed", "fails", ())].value == ok_count == 1905


def test_stream_breakdowns_have_exactly_one_label(streams: dict[tuple[str, str], Extraction]) -> None:
    """Slices by name, status, scenario, group and expected_response are separate items with a single label each."""
    got = by_key(streams[("v1.1.0-groups-thresholds", "ndjson")])
    for labels in [
        (("status", "500"),),
        (("scenario", "login"),),
        (("group", "::catalog::detail"),),
        (("name", "big"),),
    ]:
        assert ("http_req_duration", "p95", labels) in got
    assert got[("http_reqs", "count", (("scenario", "login"),))].value == 125  # k6: http_reqs{scenario:login}
    selector = got[("http_req_duration", "p95", (("name", "slow"),))].selector
    assert selector == "query:p95 of value where metric=http_req_duration and name=slow; estimator=k6-linear"


def test_stream_thresholds_go_to_info_not_verdicts(streams: dict[tuple[str, str], Extraction]) -> None:
    """The stream declares thresholds but not their outcome: expressions are in info, no verdict is invented."""
    extraction = streams[("v1.1.0-groups-thresholds", "ndjson")]
    assert extraction.tool_verdicts == []
    assert extraction.info["thresholds.http_req_failed"] == "rate<0.10"
    assert extraction.info["thresholds.item_parse_time"] == "med<5"


def test_per_second_series_add_up_to_the_request_count(streams: dict[tuple[str, str], Extraction]) -> None:
    """Requests per second sum to http_reqs' count, and both series are stamped in whole Unix seconds of the run."""
    extraction = streams[("two-scenarios", "ndjson")]
    series = {s.metric: s for s in extraction.series}
    requests = series["http_reqs"]
    assert sum(v for _, v in requests.points) == by_key(extraction)[("http_reqs", "count", ())].value == 7576
    assert requests.points[0][0] == 1795371635.0  # 2026-11-22T18:20:35Z, the first point's second
    p95 = series["http_req_duration"]
    assert (p95.stat, p95.unit, p95.estimator) == ("p95", "ms", K6_LINEAR)
    assert [t for t, _ in p95.points] == [t for t, _ in requests.points]


# ---------------------------------------------------------------------------- the two summary files


@pytest.mark.parametrize("case", [*CASES, "v1.1.0-summary-modes/full", "v1.1.0-summary-modes/legacy"])
def test_summary_export_and_handle_summary_give_the_same_figures(fixtures: Path, case: str) -> None:
    """Both summary shapes give identical measurements; only custom trends lose their unit in the export."""
    handle = K6HandleSummary().read(fixtures / "k6" / case / "handle-summary.json")
    export = K6SummaryExport().read(fixtures / "k6" / case / "summary-export.json")
    unknown = set(export.info.get("unit_unknown", "").split(",")) - {""}

    def figures(extraction: Extraction) -> dict[Key, tuple[float | None, str | None]]:
        return {m.key(): (m.value, m.estimator) for m in extraction.measurements}

    assert figures(export) == figures(handle)
    units = {m.key(): m.unit for m in handle.measurements if m.metric not in unknown or m.stat == "count"}
    assert {m.key(): m.unit for m in export.measurements if m.key() in units} == units
    if case.startswith("v1.1.0"):
        assert unknown == {"item_parse_time"}


def test_summary_units_and_rate_names(fixtures: Path) -> None:
    """Trends are ms, data counters bytes, a Rate's export ``value`` is reported as stat ``rate`` with unit ratio."""
    got = by_key(K6SummaryExport().read(fixtures / "k6" / "v1.1.0-groups-thresholds" / "summary-export.json"))
    assert got[("http_req_duration", "p99.9", ())].unit == "ms"
    assert got[("http_req_duration", "count", ())].unit == "count"
    assert (got[("data_received", "count", ())].value, got[("data_received", "count", ())].unit) == (16513988, "B")
    assert got[("data_received", "rate", ())].unit == "B/s"
    assert (got[("http_reqs", "rate", ())].value, got[("http_reqs", "rate", ())].unit) == (65.84204368323923, "/s")
    assert (got[("checks", "rate", ())].value, got[("checks", "rate", ())].unit) == (0.9534301452178268, "ratio")
    assert got[("checks", "rate", ())].selector == "json:/metrics/checks/value"
    assert got[("vus_max", "value", ())].value == 7


@pytest.mark.parametrize(
    "adapter, file", [(K6HandleSummary(), "handle-summary.json"), (K6SummaryExport(), "summary-export.json")]
)
def test_threshold_verdicts_follow_each_files_convention(fixtures: Path, adapter: Any, file: str) -> None:
    """handleSummary ``ok:false`` and summary-export ``true`` both mean crossed: exactly p(95)<150 on name:slow failed."""
    extraction = adapter.read(fixtures / "k6" / "v1.1.0-groups-thresholds" / file)
    assert len(extraction.tool_verdicts) == 12
    crossed = [(v.subject, v.expression) for v in extraction.tool_verdicts if not v.ok]
    assert crossed == [("http_req_duration{name:slow}", "p(95)<150")]


def test_two_scenarios_failed_threshold(fixtures: Path) -> None:
    """In the two-scenario run k6 crossed http_req_failed rate<0.01 and kept both duration thresholds."""
    for adapter, file in [(K6HandleSummary(), "handle-summary.json"), (K6SummaryExport(), "summary-export.json")]:
        verdicts = {
            (v.subject, v.expression): v.ok
            for v in adapter.read(fixtures / "k6" / "two-scenarios" / file).tool_verdicts
        }
        assert verdicts == {
            ("http_req_failed", "rate<0.01"): False,
            ("http_req_duration{name:status}", "p(95)<200"): True,
            ("http_req_duration{name:status}", "p(99)<400"): True,
        }


def test_handle_summary_info_and_public_file(fixtures: Path) -> None:
    """info keeps summaryTrendStats and testRunDurationMs; a public handleSummary file with other stat order reads."""
    info = K6HandleSummary().read(fixtures / "k6" / "v1.1.0-groups-thresholds" / "handle-summary.json").info
    assert info == {
        "summaryTrendStats": "avg,min,med,max,p(90),p(95),p(99),p(99.9),count",
        "testRunDurationMs": "30345.352122",
    }
    public = K6HandleSummary().read(fixtures / "k6" / "public-k6-reporter-simple" / "simple.json")
    assert public.info["summaryTrendStats"] == "avg,min,max,med,p(90),p(95),p(99)"
    verdicts = [(v.subject, v.expression, v.ok) for v in public.tool_verdicts]
    assert verdicts == [("http_req_duration", "p(95)<1000", True), ("iteration_duration", "max<4000", True)]
    assert by_key(public)[("http_req_duration", "p99", ())].value == 39.577136380000084


def test_machine_readable_summary_is_refused_clearly(tmp_path: Path) -> None:
    """k6 ≥ 1.5's opt-in machine-readable summary is recognised and refused with a message saying how to get a readable one."""
    path = tmp_path / "summary.json"
    path.write_text(json.dumps({"version": "1.0.0", "metadata": {"k6Version": "1.5.0"}, "results": {"metrics": []}}))
    assert K6HandleSummary().sniff(read_sample(path))
    with pytest.raises(ArtifactError, match="new-machine-readable-summary"):
        K6HandleSummary().read(path)


# ---------------------------------------------------------------------------- sniffing


def test_each_k6_file_is_claimed_by_its_own_adapter(fixtures: Path) -> None:
    """Among the k6 adapters exactly the right one sniffs each real k6 file."""
    adapters = [K6HandleSummary(), K6SummaryExport(), K6JsonStream(), K6CsvStream()]
    expected = {
        "handle-summary.json": "k6-handle-summary",
        "simple.json": "k6-handle-summary",
        "summary-export.json": "k6-summary-export",
        "stream.ndjson.gz": "k6-json-stream",
        "stream.csv.gz": "k6-csv-stream",
    }
    paths = [p for p in (fixtures / "k6").rglob("*") if p.name in expected]
    assert len(paths) == 17
    for path in paths:
        claims = [a.name for a in adapters if a.sniff(read_sample(path))]
        assert claims == [expected[path.name]], path


def test_k6_adapters_leave_other_tools_files_alone(fixtures: Path) -> None:
    """No k6 adapter sniffs a file another tool wrote."""
    adapters = [K6HandleSummary(), K6SummaryExport(), K6JsonStream(), K6CsvStream()]
    others = [p for p in fixtures.rglob("*") if p.is_file() and "k6" not in p.parts and p.suffix != ".md"]
    assert len(others) > 10
    for path in others:
        assert [a.name for a in adapters if a.sniff(read_sample(path))] == [], path


@pytest.mark.parametrize(
    "file, adapter",
    [
        ("handle-summary.json", "k6-handle-summary"),
        ("summary-export.json", "k6-summary-export"),
        ("stream.ndjson.gz", "k6-json-stream"),
        ("stream.csv.gz", "k6-csv-stream"),
    ],
)
def test_detect_picks_the_k6_adapter(fixtures: Path, file: str, adapter: str) -> None:
    """The registry's detect() gives each k6 file to its adapter, against every registered adapter."""
    assert detect(fixtures / "k6" / "v1.1.0-groups-thresholds" / file).name == adapter


# ---------------------------------------------------------------------------- damage


def ndjson_lines(fixtures: Path) -> list[str]:
    with gzip.open(fixtures / "k6" / "v1.1.0-groups-thresholds" / "stream.ndjson.gz", "rt") as f:
        return f.read().splitlines(keepends=True)


def test_killed_run_gzip_stream_is_read_up_to_the_cut(fixtures: Path) -> None:
    """A real .gz stream of a k6 killed mid-run gives its complete lines' samples and one warning at the cut."""
    extraction = K6JsonStream().read(KILLED / "killed.ndjson.gz")
    assert [w.line for w in extraction.warnings] == [680]
    assert extraction.info["points"] == "657"
    with gzip.open(KILLED / "plain.ndjson.gz", "rt") as f:
        prefix = [json.loads(line) for line in f.read().splitlines()[:679]]
    durations = [p["data"]["value"] for p in prefix if p["metric"] == "http_req_duration" and p["type"] == "Point"]
    got = by_key(extraction)
    assert got[("http_req_duration", "count", ())].value == len(durations)
    assert got[("http_req_duration", "max", ())].value == max(durations)


def test_truncated_last_ndjson_line_is_a_warning(fixtures: Path, tmp_path: Path) -> None:
    """A plain stream whose last line is cut (killed run) keeps the complete lines and warns with the line number."""
    lines = ndjson_lines(fixtures)
    path = tmp_path / "cut.ndjson"
    path.write_text("".join(lines[:-1]) + lines[-1][:40])
    extraction = K6JsonStream().read(path)
    assert [w.line for w in extraction.warnings] == [len(lines)]
    complete = by_key(K6JsonStream().read(fixtures / "k6" / "v1.1.0-groups-thresholds" / "stream.ndjson.gz"))
    assert by_key(extraction)[("iterations", "count", ())].value == complete[("iterations", "count", ())].value - 1


def test_garbage_in_the_middle_is_an_error_with_line_and_column(fixtures: Path, tmp_path: Path) -> None:
    """A damaged line with complete lines after it is an error naming that line and column."""
    lines = ndjson_lines(fixtures)
    comma = lines[100].index(",")
    lines[100] = lines[100][: comma + 1] + " oops" + lines[100][comma + 1 :]
    path = tmp_path / "damaged.ndjson"
    path.write_text("".join(lines))
    with pytest.raises(ArtifactError) as raised:
        K6JsonStream().read(path)
    assert (raised.value.position.line, raised.value.position.column) == (101, comma + 3)


def test_nan_value_is_an_error(fixtures: Path, tmp_path: Path) -> None:
    """A non-finite value written into the NDJSON is refused with its line."""
    lines = ndjson_lines(fixtures)
    lines[50] = lines[50].replace('"value":', '"value":NaN,"x":', 1)
    path = tmp_path / "nan.ndjson"
    path.write_text("".join(lines))
    with pytest.raises(ArtifactError, match="NaN") as raised:
        K6JsonStream().read(path)
    assert raised.value.position.line == 51


def csv_text(fixtures: Path) -> str:
    with gzip.open(fixtures / "k6" / "two-scenarios" / "stream.csv.gz", "rt", newline="") as f:
        return f.read()


def test_csv_missing_column_is_an_error(fixtures: Path, tmp_path: Path) -> None:
    """A CSV without metric_value is refused on line 1, naming the column."""
    text = csv_text(fixtures).replace("metric_value", "value", 1)
    path = tmp_path / "stream.csv"
    path.write_text(text)
    with pytest.raises(ArtifactError, match="metric_value") as raised:
        K6CsvStream().read(path)
    assert raised.value.position.line == 1


def test_csv_with_bom_and_crlf_gives_the_same_figures(fixtures: Path, tmp_path: Path) -> None:
    """A CSV re-saved with a BOM and CRLF line ends is sniffed and read to the same figures."""
    path = tmp_path / "stream.csv"
    path.write_bytes(b"\xef\xbb\xbf" + csv_text(fixtures).replace("\n", "\r\n").encode())
    assert K6CsvStream().sniff(read_sample(path))
    original = by_key(K6CsvStream().read(fixtures / "k6" / "two-scenarios" / "stream.csv.gz"))
    assert {k: m.value for k, m in by_key(K6CsvStream().read(path)).items()} == {
        k: m.value for k, m in original.items()
    }


def test_csv_truncated_last_row_warns_and_mid_file_short_row_fails(fixtures: Path, tmp_path: Path) -> None:
    """A cut last CSV row is a warning; the same short row followed by more rows is an error with its line."""
    lines = csv_text(fixtures).splitlines(keepends=True)
    cut = tmp_path / "cut.csv"
    cut.write_text("".join(lines[:-1]) + lines[-1][:25])
    assert [w.line for w in K6CsvStream().read(cut).warnings] == [len(lines)]
    middle = tmp_path / "middle.csv"
    middle.write_text("".join(lines[:10]) + lines[10][:25] + "\n" + "".join(lines[11:]))
    with pytest.raises(ArtifactError) as raised:
        K6CsvStream().read(middle)
    assert raised.value.position.line == 11


def test_csv_utf16_reads_like_utf8(fixtures: Path, tmp_path: Path) -> None:
    """A CSV saved as UTF-16 (with BOM) reads to the same figures."""
    path = tmp_path / "stream.csv"
    path.write_bytes(csv_text(fixtures).encode("utf-16"))
    original = by_key(K6CsvStream().read(fixtures / "k6" / "two-scenarios" / "stream.csv.gz"))
    assert {k: m.value for k, m in by_key(K6CsvStream().read(path)).items()} == {
        k: m.value for k, m in original.items()
    }
