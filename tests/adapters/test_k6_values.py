"""The Trend values of a k6 stream read again (reportgen.adapters._k6_values), for streams whose values do not fit
in DuckDB's memory as list states."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from reportgen.adapters import _duckdb, _k6_sql, _k6_values, extract
from reportgen.adapters import k6_stream as k6
from reportgen.errors import ReportgenError
from tests.adapters.test_stream_sql import CHECKOUT_OK, K6_CASES, _line_reader
from tests.adapters.test_stream_sql import _duckdb as reduce_with_duckdb

ASKED = ([0.975, 0.9999], [CHECKOUT_OK, ("checks", {"scenario": "browse"})])
CSV = next(path for path in K6_CASES if ".csv" in path.name)


def _short_of_memory(monkeypatch: pytest.MonkeyPatch) -> None:
    """The one query's list states run out of memory_limit, as they may on a stream of gigabytes."""
    real = _k6_sql.fetch_columns

    def short_of_memory(connection: Any, statement: str) -> Any:
        if "list(value) FILTER" in statement:
            raise _duckdb.OutOfMemory("could not allocate block")
        return real(connection, statement)

    monkeypatch.setattr(_k6_sql, "fetch_columns", short_of_memory)


def _count_second_reads(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []
    real = _k6_sql.by_metric

    def counted(*args: Any) -> Any:
        calls.append(1)
        return real(*args)

    monkeypatch.setattr(_k6_sql, "by_metric", counted)
    return calls


@pytest.mark.parametrize("path", K6_CASES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_values_read_again_give_the_line_readers_figures_exactly(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A stream whose list states run out of memory gives, from its Trend values read again, the same measurements
    (bit for bit, same order), series and info as the line reader."""
    _short_of_memory(monkeypatch)
    second_reads = _count_second_reads(monkeypatch)
    fast = reduce_with_duckdb(path, *ASKED)
    assert fast is not None, "the SQL path declined a clean file"
    assert second_reads, "the values were not read again"
    slow = _line_reader(path, *ASKED)
    assert [m.model_dump() for m in fast.measurements] == [m.model_dump() for m in slow.measurements]
    assert fast.series == slow.series
    assert fast.info == slow.info


def test_running_out_of_memory_in_the_one_query_reads_the_values_again(monkeypatch: pytest.MonkeyPatch) -> None:
    """When the one query's list states exceed memory_limit, the reduction counts the values instead and reads
    them again, with the same figures, rather than failing."""
    expected = reduce_with_duckdb(CSV, *ASKED)
    _short_of_memory(monkeypatch)
    second_reads = _count_second_reads(monkeypatch)
    assert reduce_with_duckdb(CSV, *ASKED) == expected
    assert second_reads


def test_values_read_again_that_differ_from_those_counted_go_to_the_line_reader(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A second read that gives other Trend values than the one query counted (the file changed in between) makes
    the SQL path decline the file, for the line reader to read."""
    _short_of_memory(monkeypatch)
    real = _k6_values.fetch_arrays
    monkeypatch.setattr(_k6_values, "fetch_arrays", lambda c, s: {"value": real(c, s)["value"][1:]})
    assert reduce_with_duckdb(CSV, *ASKED) is None
    assert k6.K6CsvStream().read(CSV).measurements  # the line reader reads it


def test_values_read_again_beyond_a_groups_extremes_go_to_the_line_reader(monkeypatch: pytest.MonkeyPatch) -> None:
    """A second read whose values are as many as counted but not the same ones (a group's maximum exceeded) makes
    the SQL path decline the file."""
    _short_of_memory(monkeypatch)
    real = _k6_values.fetch_arrays

    def changed(connection: Any, statement: str) -> Any:
        values = real(connection, statement)["value"].copy()
        values[-1] = values.max() + 1.0
        return {"value": values}

    monkeypatch.setattr(_k6_values, "fetch_arrays", changed)
    assert reduce_with_duckdb(CSV, *ASKED) is None


def test_a_stream_too_big_for_the_lists_is_counted_and_read_again_without_running_out_first(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A stream whose lines would outgrow memory_limit as list states is not given to the lists at all: the one
    query counts, the values are read again, and the figures are the line reader's."""
    monkeypatch.setattr(_k6_values, "LIST_STATE_BYTES", 10**15)
    statements: list[str] = []
    real = _k6_sql.fetch_columns
    monkeypatch.setattr(_k6_sql, "fetch_columns", lambda c, s: statements.append(s) or real(c, s))
    second_reads = _count_second_reads(monkeypatch)
    fast = reduce_with_duckdb(CSV, *ASKED)
    assert fast is not None and second_reads
    assert statements and not any("list(value) FILTER" in statement for statement in statements)
    slow = _line_reader(CSV, *ASKED)
    assert [m.model_dump() for m in fast.measurements] == [m.model_dump() for m in slow.measurements]


def test_the_values_read_again_come_back_one_metric_at_a_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """Read again, each sorted read holds one metric's Trend values only, so the process never holds the stream's."""
    _short_of_memory(monkeypatch)
    reads: list[tuple[str, int]] = []
    real = _k6_values.fetch_arrays

    def recorded(connection: Any, statement: str) -> Any:
        arrays = real(connection, statement)
        reads.append((statement, len(arrays["value"])))
        return arrays

    monkeypatch.setattr(_k6_values, "fetch_arrays", recorded)
    extraction = reduce_with_duckdb(CSV, *ASKED)
    assert extraction is not None
    trends = {m.metric for m in extraction.measurements if m.stat == "p95"}
    assert len(reads) == len(trends) > 1
    assert all("WHERE metric = " in statement for statement, _ in reads)
    counts = {m.metric: m.value for m in extraction.measurements if m.stat == "count" and not m.labels}
    assert sorted(n for _, n in reads) == sorted(counts[metric] for metric in trends)


@pytest.mark.parametrize("compress", [False, True], ids=["plain", "gzip"])
def test_the_line_estimate_is_the_files_line_count_to_within_a_few_percent(tmp_path: Path, compress: bool) -> None:
    """lines_estimate, from the first MiB of a stream of several, is within 3 % of its real line count, gzip or not."""
    import gzip
    import random

    generator = random.Random(18)
    text = b"".join(b"x" * generator.randint(60, 240) + b"\n" for _ in range(60_000))
    path = tmp_path / "stream"
    path.write_bytes(gzip.compress(text, 1) if compress else text)
    assert abs(_k6_values.lines_estimate(path).lines - 60_000) < 0.03 * 60_000


def test_the_trend_estimate_leaves_out_the_known_non_trends_lines_in_the_heads_proportion() -> None:
    """trend_values counts a stream's lines but those of the named non-Trend metrics, in the first MiB's proportion
    times the margin (never more than every line); lines it could not name count as Trend values."""
    head = {"http_reqs": 300, "vus": 100, "http_req_duration": 400}  # and 200 lines it could not name
    estimate = _k6_values.LinesEstimate(lines=100_000, head_lines=1000, metric_counts=head)
    assert estimate.trend_values({"http_reqs", "vus"}) == round(100_000 * 0.6 * _k6_values.TREND_MARGIN)
    assert estimate.trend_values(set()) == 100_000
    assert estimate.trend_values({"vus"}) == 100_000  # 0.9 of the lines with the margin: capped at every line


def test_a_head_of_few_lines_takes_every_line_for_a_trend_value() -> None:
    """A first MiB of fewer than FEWEST_HEAD_LINES complete lines says too little of the mix: every line counts."""
    few = _k6_values.FEWEST_HEAD_LINES - 1
    estimate = _k6_values.LinesEstimate(lines=50_000, head_lines=few, metric_counts={"http_reqs": few})
    assert estimate.trend_values({"http_reqs"}) == 50_000


def test_the_head_is_read_for_the_metric_of_each_complete_point_line_as_k6_writes_it(tmp_path: Path) -> None:
    """The estimate names the metric of each complete Point line (NDJSON) or row (CSV, its first cell), and no
    other: a Metric line, a quoted first cell and the line the first MiB cuts count as unnamed (the CSV header
    counts as a metric named ``metric_name``, which no kind claims: a Trend's line)."""
    ndjson = tmp_path / "stream.ndjson"
    point = '{"metric":"http_reqs","type":"Point","data":{"time":"2026-11-22T20:04:42Z","value":1,"tags":{}}}\n'
    ndjson.write_text(
        '{"type":"Metric","data":{"name":"http_reqs","type":"counter"},"metric":"http_reqs"}\n' + point * 3
    )
    estimate = _k6_values.lines_estimate(ndjson, _k6_sql.POINT_METRIC)
    assert (estimate.lines, estimate.head_lines, dict(estimate.metric_counts)) == (4, 4, {"http_reqs": 3})
    csv = tmp_path / "stream.csv"
    csv.write_text('metric_name,timestamp,metric_value\nvus,1,2\n"vus",1,2\nhttp_reqs,1,1\nvus,1')
    estimate = _k6_values.lines_estimate(csv, _k6_sql.CSV_METRIC)
    assert (estimate.head_lines, dict(estimate.metric_counts)) == (4, {"metric_name": 1, "vus": 1, "http_reqs": 1})


@pytest.mark.parametrize("path", [p for p in K6_CASES if "real" in p.parts], ids=lambda p: f"{p.parent.name}/{p.name}")
def test_the_trend_estimate_of_each_real_k6_stream_covers_its_trend_values_with_little_to_spare(path: Path) -> None:
    """On every real k6 stream the estimate from its first MiB is at least the Trend values the stream holds (so
    the lists are not chosen for more than fit) and at most 1.4 times them (so the margin is all it adds)."""
    pattern = _k6_sql.CSV_METRIC if ".csv" in path.name else _k6_sql.POINT_METRIC
    estimate = _k6_values.lines_estimate(path, pattern)
    assert estimate.head_lines >= _k6_values.FEWEST_HEAD_LINES
    extraction = extract(path)
    trends = {m.metric for m in extraction.measurements if m.stat == "p95"}
    held = sum(
        m.value or 0 for m in extraction.measurements if m.stat == "count" and not m.labels and m.metric in trends
    )
    not_trends = {m.metric for m in extraction.measurements} - trends  # as the reduction classed them
    assert held <= estimate.trend_values(not_trends) <= 1.4 * held


def test_a_stream_whose_lines_would_not_fit_but_whose_trend_values_do_is_read_once_as_lists(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A stream whose every line would outgrow memory_limit as list states, but whose Trend values by the estimate
    fit, is gathered in lists by the one query (no second read), with the line reader's figures."""
    estimate = _k6_sql.csv_rows(CSV, ["metric_name"], ()).lines  # the header's first cell is all the parser needs
    trends = estimate.trend_values({n for n, kind in _k6_sql.BUILTIN_KINDS.items() if kind != "trend"})
    assert trends < estimate.lines
    with _duckdb.connect() as connection:
        limit = _duckdb.memory_limit(connection)
    monkeypatch.setattr(_k6_values, "LIST_STATE_BYTES", limit // ((trends + estimate.lines) // 2))
    statements: list[str] = []
    real = _k6_sql.fetch_columns
    monkeypatch.setattr(_k6_sql, "fetch_columns", lambda c, s: statements.append(s) or real(c, s))
    second_reads = _count_second_reads(monkeypatch)
    fast = reduce_with_duckdb(CSV, *ASKED)
    assert fast is not None and not second_reads
    assert any("list(value) FILTER" in statement for statement in statements)
    slow = _line_reader(CSV, *ASKED)
    assert [m.model_dump() for m in fast.measurements] == [m.model_dump() for m in slow.measurements]
    assert fast.series == slow.series


def test_a_memory_share_ends_with_the_blocks_own_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    """memory_share lowers memory_limit for its block only: after it the setting is the environment's again."""
    monkeypatch.setenv("REPORTGEN_DUCKDB_MEMORY", "100MB")
    with _duckdb.connect() as connection:
        before = connection.execute("SELECT current_setting('memory_limit')").fetchone()
        with _duckdb.memory_share(connection, 0.5):
            assert 45 * 10**6 < _duckdb.memory_limit(connection) < 50 * 10**6
        assert connection.execute("SELECT current_setting('memory_limit')").fetchone() == before


def test_a_stream_that_does_not_fit_even_read_again_is_a_message_naming_the_file_and_the_setting(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """When DuckDB runs out of memory on both ways of reading, the user gets reportgen's error naming the file and
    REPORTGEN_DUCKDB_MEMORY, not DuckDB's exception."""

    def always_short(connection: Any, statement: str) -> Any:
        raise _duckdb.OutOfMemory("could not allocate block")

    monkeypatch.setattr(_k6_sql, "fetch_columns", always_short)
    with pytest.raises(ReportgenError) as raised:
        extract(CSV)
    assert str(CSV) in str(raised.value)
    assert "REPORTGEN_DUCKDB_MEMORY" in str(raised.value)


def test_raw_samples_that_do_not_fit_are_a_message_naming_the_file_and_the_setting(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The raw samples' read (comparisons, relative targets) has no spilling second read: running out of memory
    there is reportgen's error naming the file and REPORTGEN_DUCKDB_MEMORY too, not DuckDB's exception."""
    from reportgen import samples
    from reportgen.adapters import _k6_samples_sql

    def always_short(path: Path, rows: Any) -> Any:
        raise _duckdb.OutOfMemory("could not allocate block")

    monkeypatch.setattr(_k6_samples_sql, "read", always_short)
    with pytest.raises(ReportgenError) as raised:
        samples._k6_stream(CSV, csv=True)
    assert str(CSV) in str(raised.value) and "REPORTGEN_DUCKDB_MEMORY" in str(raised.value)
