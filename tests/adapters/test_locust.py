"""Locust adapters against Locust's own numbers: CSV cells, the printed console tables, and a run whose CSV and
JSON hold the same final state (tests/fixtures/locust-runs/v2.47.0-quiet-tail)."""

from __future__ import annotations

import csv
import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from reportgen.adapters import detect, extract
from reportgen.errors import ArtifactError
from reportgen.estimators import LOCUST_BUCKETS
from reportgen.schemas.measurement import Extraction, Measurement

ROOT = Path(__file__).resolve().parents[2]
QUIET_TAIL = ROOT / "tests" / "fixtures" / "locust-runs" / "v2.47.0-quiet-tail"

#: Percentile column → stat name, as Locust 2.x writes them.
PERCENTILE_STATS = {
    "50%": "p50",
    "66%": "p66",
    "75%": "p75",
    "80%": "p80",
    "90%": "p90",
    "95%": "p95",
    "98%": "p98",
    "99%": "p99",
    "99.9%": "p99.9",
    "99.99%": "p99.99",
    "100%": "p100",
}
EXACT_COLUMNS = {
    "Request Count": ("requests", "count"),
    "Failure Count": ("failures", "count"),
    "Requests/s": ("requests", "rate"),
    "Failures/s": ("failures", "rate"),
    "Average Response Time": ("response_time", "avg"),
    "Min Response Time": ("response_time", "min"),
    "Max Response Time": ("response_time", "max"),
    "Median Response Time": ("response_time", "med"),
    "Average Content Size": ("content_size", "avg"),
}


@pytest.fixture
def run(fixtures: Path) -> Path:
    return fixtures / "locust" / "v2.47.0-failures-exceptions"


@pytest.fixture
def basic(fixtures: Path) -> Path:
    return fixtures / "locust" / "basic"


def by_key(extraction: Extraction) -> dict[tuple[str, str, tuple[tuple[str, str], ...]], Measurement]:
    return {m.key(): m for m in extraction.measurements}


def key(metric: str, stat: str, labels: dict[str, str]) -> tuple[str, str, tuple[tuple[str, str], ...]]:
    return (metric, stat, tuple(sorted(labels.items())))


def csv_rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def labels_of(row: dict[str, str]) -> dict[str, str]:
    return {} if row["Name"] == "Aggregated" else {"name": row["Name"], "method": row["Type"]}


def aggregated_console_lines(console: Path) -> tuple[list[str], list[str]]:
    """The last Aggregated line of the stats table and of the percentile table Locust printed."""
    lines = [
        line.split()
        for line in console.read_text(encoding="utf-8").splitlines()
        if line.strip().startswith("Aggregated")
    ]
    stats = [fields for fields in lines if "|" in fields][-1]
    percentiles = [fields for fields in lines if "|" not in fields][-1]
    return stats, percentiles


# --------------------------------------------------------------------------- _stats.csv


@pytest.mark.parametrize("case", ["v2.47.0-failures-exceptions", "basic"])
def test_stats_csv_numbers_equal_the_cells(fixtures: Path, case: str) -> None:
    """Every count, rate, time and size of every row equals the CSV cell Locust wrote, as a float."""
    path = fixtures / "locust" / case / "run_stats.csv"
    found = by_key(extract(path))
    for row in csv_rows(path):
        labels = labels_of(row)
        for column, (metric, stat) in EXACT_COLUMNS.items():
            assert found[key(metric, stat, labels)].value == float(row[column]), (column, labels)
        for column, stat in PERCENTILE_STATS.items():
            measurement = found[key("response_time", stat, labels)]
            assert (measurement.value, measurement.estimator) == (float(row[column]), LOCUST_BUCKETS)


def test_stats_csv_aggregated_row_is_the_total(run: Path) -> None:
    """The Aggregated row has labels {} and no endpoint is called Aggregated."""
    extraction = extract(run / "run_stats.csv")
    assert not [m for m in extraction.measurements if m.labels.get("name") == "Aggregated"]
    total = by_key(extraction)
    assert total[key("requests", "count", {})].value == 2617
    assert total[key("failures", "count", {})].value == 195
    assert total[key("response_time", "p95", {})].value == 160
    assert total[key("requests", "count", {})].selector == "csv:row[Type=,Name=Aggregated]/col[Request Count]"


def test_stats_csv_failure_ratio_is_failures_over_requests(run: Path) -> None:
    """failures ratio = Failure Count / Request Count per row, unit ratio, located by the Failure Count cell."""
    found = by_key(extract(run / "run_stats.csv"))
    slow = found[key("failures", "ratio", {"name": "slow", "method": "GET"})]
    assert slow.value == 81 / 260
    assert slow.unit == "ratio"
    assert slow.selector == "csv:row[Type=GET,Name=slow]/col[Failure Count]"
    assert found[key("failures", "ratio", {"name": "home", "method": "GET"})].value == 0.0
    assert found[key("failures", "ratio", {})].value == 195 / 2617


def test_stats_csv_units_and_custom_request_type(run: Path) -> None:
    """Times are ms, sizes B, rates /s, counts count; a request type fired through events.request is its own method."""
    found = by_key(extract(run / "run_stats.csv"))
    cache = {"name": "local-cache", "method": "CACHE"}
    assert found[key("requests", "count", cache)].value == 136
    units = {m.metric + " " + m.stat: m.unit for m in extract(run / "run_stats.csv").measurements}
    assert units["response_time p99.9"] == units["response_time avg"] == "ms"
    assert units["content_size avg"] == "B"
    assert units["requests rate"] == units["failures rate"] == "/s"
    assert units["requests count"] == "count"


def test_stats_csv_not_available_cells_give_no_value(run: Path, tmp_path: Path) -> None:
    """A row as Locust writes it for an entry without requests (0 counts, N/A percentiles) gives counts only, never a 0 ms time."""
    text = (run / "run_stats.csv").read_text(encoding="utf-8")
    empty = "GET,idle,0,0,0,0.0,0,0,0,0.0,0.0," + ",".join(["N/A"] * 11)
    lines = text.splitlines()
    (tmp_path / "run_stats.csv").write_text("\n".join([lines[0], empty, *lines[1:]]) + "\n", encoding="utf-8")
    found = by_key(extract(tmp_path / "run_stats.csv"))
    idle = {"name": "idle", "method": "GET"}
    assert found[key("requests", "count", idle)].value == 0
    assert found[key("failures", "count", idle)].value == 0
    assert not [k for k in found if k[2] == key("", "", idle)[2] and k[0] in ("response_time", "content_size")]
    assert key("failures", "ratio", idle) not in found


def test_stats_csv_not_available_percentile_is_skipped(run: Path, tmp_path: Path) -> None:
    """A single N/A percentile cell drops that one figure and keeps the rest of the row."""
    rows = csv_rows(run / "run_stats.csv")
    rows[0]["99.9%"] = "N/A"
    path = tmp_path / "run_stats.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    found = by_key(extract(path))
    items = {"name": "/api/items/[id]", "method": "GET"}
    assert key("response_time", "p99.9", items) not in found
    assert found[key("response_time", "p99.99", items)].value == 21


def test_stats_csv_old_0x_header(run: Path, tmp_path: Path) -> None:
    """A 0.x file is read like a 2.x one.

    The input is a header-rename of the real 2.x file into Locust 0.x's form (quoted fields, ``# requests``,
    ``Requests Failed/s``, a percentile header without ``%``, ``None`` as the Aggregated type); the numbers stay.
    """
    renames = {
        "Request Count": "# requests",
        "Failure Count": "# failures",
        "Median Response Time": "Median response time",
        "Average Response Time": "Average response time",
        "Min Response Time": "Min response time",
        "Max Response Time": "Max response time",
        "Failures/s": "Requests Failed/s",
        "99.99%": "99.99",
    }
    rows = csv_rows(run / "run_stats.csv")
    path = tmp_path / "old_stats.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, quoting=csv.QUOTE_ALL)
        writer.writerow([renames.get(column, column) for column in rows[0]])
        for row in rows:
            writer.writerow(
                ["None" if column == "Type" and row["Name"] == "Aggregated" else value for column, value in row.items()]
            )
    assert detect(path).name == "locust-stats-csv"
    old, new = extract(path), extract(run / "run_stats.csv")
    assert [(m.key(), m.value) for m in old.measurements] == [(m.key(), m.value) for m in new.measurements]
    assert old.info["header"] == "locust<1.0"
    assert (
        by_key(old)[key("failures", "rate", {})].selector == "csv:row[Type=None,Name=Aggregated]/col[Requests Failed/s]"
    )


def test_stats_csv_custom_percentile_list(run: Path, tmp_path: Path) -> None:
    """Percentile columns come from the header, so a locustfile's own list (here 99.5%) is read, not a fixed set."""
    text = (run / "run_stats.csv").read_text(encoding="utf-8").replace(",99.9%,", ",99.5%,", 1)
    (tmp_path / "run_stats.csv").write_text(text, encoding="utf-8")
    found = by_key(extract(tmp_path / "run_stats.csv"))
    assert found[key("response_time", "p99.5", {})].value == 250
    assert key("response_time", "p99.9", {}) not in found


# --------------------------------------------------------------------------- damage


def test_missing_column_is_an_error_on_the_header(run: Path, tmp_path: Path) -> None:
    """A stats file without Failure Count is refused on line 1, naming the column."""
    rows = list(csv.reader((run / "run_stats.csv").read_text(encoding="utf-8").splitlines()))
    drop = rows[0].index("Failure Count")
    path = tmp_path / "run_stats.csv"
    path.write_text("\n".join(",".join(r[:drop] + r[drop + 1 :]) for r in rows) + "\n", encoding="utf-8")
    with pytest.raises(ArtifactError, match="Failure Count") as error:
        extract(path, "locust-stats-csv")
    assert error.value.position.line == 1


def test_row_with_a_missing_field_is_an_error_on_its_line(run: Path, tmp_path: Path) -> None:
    """A row cut short (a killed writer) is refused with its line number."""
    lines = (run / "run_stats.csv").read_text(encoding="utf-8").splitlines()
    lines[3] = lines[3].rsplit(",", 1)[0]
    path = tmp_path / "run_stats.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ArtifactError, match="fields") as error:
        extract(path)
    assert error.value.position.line == 4


def test_non_numeric_cell_is_an_error_on_its_line(run: Path, tmp_path: Path) -> None:
    """A count that is not a number (or is NaN) is refused with the line and column name."""
    lines = (run / "run_stats.csv").read_text(encoding="utf-8").splitlines()
    lines[2] = lines[2].replace(",258,", ",NaN,", 1)
    path = tmp_path / "run_stats.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ArtifactError, match="Request Count") as error:
        extract(path)
    assert error.value.position.line == 3


@pytest.mark.parametrize(
    "encode",
    [
        pytest.param(lambda text: ("\ufeff" + text).encode("utf-8"), id="bom"),
        pytest.param(lambda text: text.replace("\n", "\r\n").encode("utf-8"), id="crlf"),
        pytest.param(lambda text: text.encode("utf-16"), id="utf-16"),
    ],
)
@pytest.mark.parametrize(
    "name", ["run_stats.csv", "run_stats_history.csv", "run_failures.csv", "run_exceptions.csv", "run.json"]
)
def test_bom_crlf_and_utf16_read_like_the_original(
    run: Path, tmp_path: Path, encode: Callable[[str], bytes], name: str
) -> None:
    """A re-saved file (BOM, CRLF line ends, UTF-16) is sniffed and read to the same figures."""
    original = run / name
    copy = tmp_path / name
    copy.write_bytes(encode(original.read_text(encoding="utf-8")))
    assert detect(copy).name == detect(original).name
    want, got = extract(original), extract(copy)
    assert [(m.key(), m.value) for m in got.measurements] == [(m.key(), m.value) for m in want.measurements]
    assert [s.points for s in got.series] == [s.points for s in want.series]


def test_truncated_json_is_an_error_with_its_line(run: Path, tmp_path: Path) -> None:
    """A JSON file cut mid-way is refused with a line number."""
    text = (run / "run.json").read_text(encoding="utf-8")
    path = tmp_path / "run.json"
    path.write_text(text[: len(text) // 2], encoding="utf-8")
    with pytest.raises(ArtifactError, match="invalid JSON") as error:
        extract(path, "locust-json")
    assert error.value.position.line is not None


def test_json_entry_with_a_missing_key_names_it(run: Path, tmp_path: Path) -> None:
    """An entry without num_failures is refused, naming the entry and key."""
    entries = json.loads((run / "run.json").read_text(encoding="utf-8"))
    del entries[2]["num_failures"]
    path = tmp_path / "run.json"
    path.write_text(json.dumps(entries, indent=4), encoding="utf-8")
    with pytest.raises(ArtifactError, match="/2/num_failures"):
        extract(path)


def test_json_not_an_array_is_refused(tmp_path: Path) -> None:
    """A JSON object is not Locust's --json output."""
    path = tmp_path / "run.json"
    path.write_text('{"num_requests": 1}', encoding="utf-8")
    with pytest.raises(ArtifactError, match="array"):
        extract(path, "locust-json")


# --------------------------------------------------------------------------- sniffing


def test_sniff_tells_the_five_files_apart_by_content(run: Path, basic: Path, tmp_path: Path) -> None:
    """Each file is claimed by its adapter from its header or shape, whatever it is called."""
    expected = {
        run / "run_stats.csv": "locust-stats-csv",
        run / "run_stats_history.csv": "locust-history-csv",
        run / "run_failures.csv": "locust-failures-csv",
        run / "run_exceptions.csv": "locust-exceptions-csv",
        basic / "run_exceptions.csv": "locust-exceptions-csv",  # header only: no exceptions in that run
        run / "run.json": "locust-json",
        basic / "locust-stdout.json": "locust-json",
    }
    for number, (path, adapter) in enumerate(expected.items()):
        neutral = tmp_path / f"artifact{number}{path.suffix}"
        shutil.copyfile(path, neutral)
        assert detect(neutral).name == adapter, path


def test_sniff_does_not_claim_console_or_locustfile(run: Path) -> None:
    """The console log and the locustfile are not Locust artifacts any adapter of this module reads."""
    from reportgen.adapters import adapters, read_sample

    for path in (run / "locust-console.txt", run / "locustfile.py", run / "PROVENANCE.md"):
        sample = read_sample(path)
        assert not [name for name, adapter in adapters().items() if name.startswith("locust") and adapter.sniff(sample)]


# --------------------------------------------------------------------------- --json


def test_json_aggregated_reproduces_the_console_summary(basic: Path) -> None:
    """The Aggregated total rebuilt from --json equals Locust's final printed tables of the same run.

    With --json (stdout) Locust prints its final tables after the JSON, from the same in-memory total; the percentile
    table and counts are exact, avg/min/max/median are printed truncated to whole ms (%d), req/s with 2 decimals.
    """
    found = by_key(extract(basic / "locust-stdout.json"))
    stats, percentiles = aggregated_console_lines(basic / "locust-console.txt")
    # Aggregated  1576  220(13.96%) | 3 1 39 3 | 108.08 15.09
    assert found[key("requests", "count", {})].value == int(stats[1])
    failures, share = re.fullmatch(r"(\d+)\(([\d.]+)%\)", stats[2]).groups()
    assert found[key("failures", "count", {})].value == int(failures)
    assert f"{found[key('failures', 'ratio', {})].value * 100:.2f}" == share
    for stat, printed in zip(("avg", "min", "max", "med"), stats[4:8], strict=True):
        assert int(found[key("response_time", stat, {})].value) == int(printed), stat
    for stat, printed in zip(PERCENTILE_STATS.values(), percentiles[1:-1], strict=True):
        assert found[key("response_time", stat, {})].value == int(printed), stat
    assert int(percentiles[-1]) == found[key("requests", "count", {})].value


def test_json_rate_uses_the_run_span_and_differs_from_locust_by_the_unrecorded_start(basic: Path) -> None:
    """requests rate = count / (last request − earliest entry start): a little above Locust's printed 108.08/s.

    Locust divides by (last request − stats start); the stats start is not in the JSON and comes a few ms before
    the first entry starts, so the JSON-derived rate is higher by that share (0.3 % here), never lower.
    """
    entries = json.loads((basic / "locust-stdout.json").read_text(encoding="utf-8"))
    span = max(e["last_request_timestamp"] for e in entries) - min(e["start_time"] for e in entries)
    found = by_key(extract(basic / "locust-stdout.json"))
    rate = found[key("requests", "rate", {})].value
    assert rate == 1576 / span
    stats, _ = aggregated_console_lines(basic / "locust-console.txt")
    assert float(stats[9]) <= rate <= float(stats[9]) * 1.01
    status = found[key("requests", "rate", {"name": "status", "method": "GET"})].value
    assert status == 935 / span  # every entry uses the run's span, as Locust's total_rps does


def test_json_reproduces_the_csv_when_both_saw_the_same_requests() -> None:
    """In a run with a quiet tail (CSV and JSON both hold all 202 requests) every figure from --json equals Locust's CSV cell.

    Counts, failure counts and ratios, min, max, median (clamped), all eleven percentiles and average content size
    are bit-identical per endpoint and Aggregated; avg is bit-identical per endpoint and within 1e-12 for Aggregated
    (summation order); rates differ only by the documented unrecorded stats start (≤ 2 % here).
    """
    from_json = by_key(extract(QUIET_TAIL / "run.json"))
    from_csv = by_key(extract(QUIET_TAIL / "run_stats.csv"))
    assert set(from_json) == set(from_csv)
    assert from_csv[key("requests", "count", {})].value == 202
    for identity, cell in from_csv.items():
        derived = from_json[identity].value
        metric, stat, labels = identity
        if stat == "rate":
            assert cell.value <= derived <= cell.value * 1.02, identity
        elif (metric, stat, labels) == ("response_time", "avg", ()):
            assert derived == pytest.approx(cell.value, rel=1e-12)
        else:
            assert derived == cell.value, identity


def test_json_avg_leaves_out_requests_without_a_response_time() -> None:
    """avg, median and percentiles divide by num_requests − num_none_requests, as Locust does (5 of 15 untimed)."""
    entry = next(e for e in json.loads((QUIET_TAIL / "run.json").read_text(encoding="utf-8")) if e["name"] == "enqueue")
    assert entry["num_none_requests"] == 5
    found = by_key(extract(QUIET_TAIL / "run.json"))
    queue = {"name": "enqueue", "method": "QUEUE"}
    assert found[key("response_time", "avg", queue)].value == entry["total_response_time"] / 10
    assert found[key("requests", "count", queue)].value == 15
    assert found[key("content_size", "avg", queue)].value == entry["total_content_length"] / 15


def test_json_counts_lag_nothing_and_the_csv_of_that_run_lags(run: Path) -> None:
    """Each file is reported as written: the v2.47.0 JSON totals 2659 requests, its CSV (written earlier) 2617."""
    from_json = by_key(extract(run / "run.json"))
    from_csv = by_key(extract(run / "run_stats.csv"))
    entries = json.loads((run / "run.json").read_text(encoding="utf-8"))
    assert from_json[key("requests", "count", {})].value == sum(e["num_requests"] for e in entries) == 2659
    assert from_json[key("failures", "count", {})].value == sum(e["num_failures"] for e in entries) == 199
    assert from_csv[key("requests", "count", {})].value == 2617


def test_json_median_is_clamped_into_min_max(run: Path, tmp_path: Path) -> None:
    """A lone 147.3 ms request sits in Locust's 150 ms bucket; the median is clamped to the max (147.3), p50 stays 150."""
    entry = json.loads((run / "run.json").read_text(encoding="utf-8"))[0]
    entry.update(
        num_requests=1,
        num_none_requests=0,
        num_failures=0,
        total_response_time=147.3,
        min_response_time=147.3,
        max_response_time=147.3,
        response_times={"150": 1},
    )
    path = tmp_path / "one.json"
    path.write_text(json.dumps([entry]), encoding="utf-8")
    found = by_key(extract(path))
    assert found[key("response_time", "med", {})].value == 147.3
    assert found[key("response_time", "p50", {})].value == 150


def test_json_series_count_requests_per_second(run: Path) -> None:
    """The requests series is num_reqs_per_sec per endpoint, and their sum per second for the total."""
    extraction = extract(run / "run.json")
    entries = json.loads((run / "run.json").read_text(encoding="utf-8"))
    series = {(s.metric, tuple(sorted(s.labels.items()))): s for s in extraction.series}
    home = series[("requests", (("method", "GET"), ("name", "home")))]
    assert home.points[0] == (1795378328.0, 11.0)
    total = series[("requests", ())]
    assert sum(v for _, v in total.points) == sum(e["num_requests"] for e in entries)
    assert home.unit == "/s"


# --------------------------------------------------------------------------- failures, exceptions, history


def test_failures_csv_counts_by_error(run: Path) -> None:
    """Each row is failures count with method, name and error labels; the total equals the stats file's Failure Count."""
    extraction = extract(run / "run_failures.csv")
    found = by_key(extraction)
    slow = {"method": "GET", "name": "slow", "error": "CatchResponseError('slower than 200 ms')"}
    assert found[key("failures", "count", slow)].value == 81
    assert found[key("failures", "count", {})].value == 195
    stats = by_key(extract(run / "run_stats.csv"))
    assert found[key("failures", "count", {})].value == stats[key("failures", "count", {})].value
    assert extraction.info == {"first_failure": "2026-11-22T20:12:08Z", "last_failure": "2026-11-22T20:12:46Z"}


def test_exceptions_csv_counts_by_message_and_are_not_failures(run: Path) -> None:
    """The multi-line traceback row is one exception entry (140 KeyErrors), labelled by message, apart from failures."""
    found = by_key(extract(run / "run_exceptions.csv"))
    assert found[key("exceptions", "count", {"message": "'missing_key'"})].value == 140
    assert found[key("exceptions", "count", {})].value == 140
    assert all(k[0] == "exceptions" for k in found)


def test_exceptions_csv_with_no_exceptions_has_a_zero_total(basic: Path) -> None:
    """A header-only exceptions file says 0 exceptions."""
    assert [(m.key(), m.value) for m in extract(basic / "run_exceptions.csv").measurements] == [
        (key("exceptions", "count", {}), 0)
    ]


def test_history_csv_series_and_peak_users(run: Path) -> None:
    """Users, requests/s, failures/s and p50/p95 per timestamp; Aggregated rows are labels {}; users max is -u 10."""
    extraction = extract(run / "run_stats_history.csv")
    rows = csv_rows(run / "run_stats_history.csv")
    aggregated = [row for row in rows if row["Name"] == "Aggregated"]
    series = {(s.metric, s.stat, tuple(sorted(s.labels.items()))): s for s in extraction.series}
    users = series[("users", "value", ())]
    assert users.points == [(float(r["Timestamp"]), float(r["User Count"])) for r in aggregated]
    rps = series[("requests", "rate", ())]
    assert rps.points == [(float(r["Timestamp"]), float(r["Requests/s"])) for r in aggregated]
    p95 = series[("response_time", "p95", ())]
    assert p95.points == [(float(r["Timestamp"]), float(r["95%"])) for r in aggregated if r["95%"] not in ("N/A", "0")]
    assert p95.estimator == LOCUST_BUCKETS
    assert ("requests", "rate", (("method", "GET"), ("name", "slow"))) in series  # --csv-full-history
    assert by_key(extraction)[key("users", "max", {})].value == 10
    assert extraction.info["history_percentiles"] == "current window"


def test_history_csv_without_full_history_is_cumulative() -> None:
    """Without --csv-full-history only Aggregated rows exist and Locust writes whole-run percentiles in them."""
    extraction = extract(QUIET_TAIL / "run_stats_history.csv")
    assert {tuple(s.labels) for s in extraction.series} == {()}
    assert extraction.info["history_percentiles"] == "cumulative"
    assert by_key(extraction)[key("users", "max", {})].value == 5
