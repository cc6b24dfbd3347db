"""The SQL reduction of a JMeter CSV JTL against the line reader, on files where file order decides the figures."""

from __future__ import annotations

import errno
import os
import random
import threading
from pathlib import Path

import pytest

from reportgen.adapters import _jmeter_order, _jmeter_sql, _jmeter_stats, jmeter
from reportgen.schemas.measurement import Extraction, ExtractWarning

HEADER = (
    "timeStamp,elapsed,label,responseCode,responseMessage,threadName,dataType,success,failureMessage,bytes,"
    "sentBytes,grpThreads,allThreads,URL,Latency,IdleTime,Connect\n"
)
#: A window this small makes every label's percentiles depend on which samples come last in the file.
WINDOW = 40


def _row(chance: random.Random, now: int, label: str, *, transaction: bool = False) -> str:
    elapsed = chance.randint(0, 900) if chance.random() < 0.9 else chance.randint(900, 40_000)
    failed = chance.random() < 0.15
    code, message = (chance.choice(["500", "503", "Non HTTP response code"]), "Error") if failed else ("200", "OK")
    latency = "" if chance.random() < 0.1 else str(max(0, elapsed - 3))
    if transaction:
        message, failed, code = '"Number of samples in transaction : 3, number of failing samples : 0"', False, "200"
    data_type = "" if transaction else "text"
    return (
        f"{now},{elapsed},{label},{code},{message},t 1-1,{data_type},{str(not failed).lower()},,"
        f"{chance.randint(0, 9000)},{chance.randint(0, 500)},1,1,http://x/{label},{latency},0,{chance.randint(0, 3)}\n"
    )


def jtl(
    path: Path, rows: int, *, rare: float = 2, every: int = 25, burst: int = 0, newline: str = "\n", seed: int = 18
) -> Path:
    """Labels common and rare (``rare`` %), one only at the start and one only at the end, a transaction after
    ``every`` samples, timestamps out of order; ``burst`` samples of a label all in the sixth eighth of the file."""
    chance = random.Random(seed)
    now = 1_795_378_189_730
    lines = [_row(chance, now, "setup") for _ in range(7)]
    for index in range(rows):
        now += chance.randint(-40, 60)
        label = chance.choices(["home", "search", "cart", "rare"], weights=[50, 30, 20 - rare, rare])[0]
        lines.append(_row(chance, now, label))
        if index % every == 0:
            lines.append(_row(chance, now, "purchase", transaction=True))
        if burst and rows * 5 // 8 <= index < rows * 6 // 8 and index % max(1, rows // 8 // burst) == 0:
            lines.append(_row(chance, now, "burst"))
    lines += [_row(chance, now + 5, "teardown") for _ in range(3)]
    path.write_bytes((HEADER + "".join(lines)).replace("\n", newline).encode())
    return path


def _line_reader(path: Path) -> Extraction:
    info: dict[str, str] = {"tool": "Apache JMeter", "format": "CSV JTL"}
    warnings: list[ExtractWarning] = []
    samples = [row.sample() for row in jmeter._csv_rows(path, info, warnings)]
    return jmeter._extraction("jmeter-csv", samples, info, warnings, path)


def _same(fast: Extraction | None, slow: Extraction) -> None:
    assert fast is not None, "the SQL path declined a clean file"
    assert [m.model_dump() for m in fast.measurements] == [m.model_dump() for m in slow.measurements]
    assert fast.series == slow.series
    assert list(fast.info.items()) == list(slow.info.items())


@pytest.fixture
def small_window(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_jmeter_stats, "STATISTIC_WINDOW", WINDOW)


def test_the_percentile_window_is_the_last_samples_of_each_series_in_file_order(
    tmp_path: Path, small_window: None
) -> None:
    """With a window of 40 samples and 3,000 samples in the file, every series' percentiles (labels, their
    successes, the total and its successes) are the line reader's: the last 40 in file order, not in time."""
    path = jtl(tmp_path / "results.csv", 3000)
    _same(jmeter._reduce_with_duckdb("jmeter-csv", path), _line_reader(path))


def test_the_window_decides_the_figures_of_this_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The file above is one whose percentiles change with the window (so the test before can fail)."""
    path = jtl(tmp_path / "results.csv", 3000)
    monkeypatch.setattr(_jmeter_stats, "STATISTIC_WINDOW", WINDOW)
    small = _line_reader(path).measurements
    monkeypatch.setattr(_jmeter_stats, "STATISTIC_WINDOW", 10 * WINDOW)
    assert [m.value for m in _line_reader(path).measurements] != [m.value for m in small]


def test_a_negative_timestamp_goes_to_the_line_reader(tmp_path: Path) -> None:
    """DuckDB's ``//`` truncates where the line reader's floor division rounds down: a timestamp before 1970 is
    left to the line reader, whose second it is."""
    path = jtl(tmp_path / "results.csv", 50)
    lines = path.read_text().splitlines(keepends=True)
    lines[3] = "-1500" + lines[3][lines[3].index(",") :]
    path.write_text("".join(lines))
    assert jmeter._reduce_with_duckdb("jmeter-csv", path) is None


@pytest.mark.parametrize("cell", ["+12", "007", " 12", "12 "])
def test_integers_jmeter_does_not_write_are_read_as_the_line_reader_reads_them(tmp_path: Path, cell: str) -> None:
    """An elapsed time with a sign, leading zeros or spaces is not JMeter's own spelling: the SQL path reads it
    the line reader's way (the slow rule) and gives the line reader's figures."""
    path = jtl(tmp_path / "results.csv", 50)
    lines = path.read_text().splitlines(keepends=True)
    stamp, _, rest = lines[4].split(",", 2)
    lines[4] = f"{stamp},{cell},{rest}"
    path.write_text("".join(lines))
    _same(jmeter._reduce_with_duckdb("jmeter-csv", path), _line_reader(path))


class Reads:
    """What the reduction read: numbered reads of the whole file (every figure, or the windows alone), and the
    suffixes it copied (their shares)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.numbered: list[Path] = []
        self.windows: list[Path] = []
        self.suffixes: list[float] = []
        self.suffix_threads: list[str] = []  # the thread each suffix's windows were read in
        read, suffix, windows = _jmeter_sql._read, _jmeter_order.suffix, _jmeter_sql._windows

        def spy_read(connection: object, path: Path, *args: object, numbered: bool) -> object:
            if numbered:
                self.numbered.append(path)
            return read(connection, path, *args, numbered=numbered)  # type: ignore[arg-type]

        def spy_suffix(connection: object, lines: _jmeter_order.Lines, share: float) -> Path | None:
            self.suffixes.append(share)
            return suffix(connection, lines, share)

        def spy_windows(connection: object, path: Path, *args: object) -> object:
            if path.name != "suffix.csv":
                self.windows.append(path)
            else:
                self.suffix_threads.append(threading.current_thread().name)
            return windows(connection, path, *args)  # type: ignore[arg-type]

        monkeypatch.setattr(_jmeter_sql, "_read", spy_read)
        monkeypatch.setattr(_jmeter_sql, "_windows", spy_windows)
        monkeypatch.setattr(_jmeter_order, "suffix", spy_suffix)


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> Reads:
    return Reads(monkeypatch)


def test_a_plain_jtl_is_read_unnumbered_and_the_windows_from_a_suffix(
    tmp_path: Path, small_window: None, reads: Reads
) -> None:
    """A JTL whose cells hold no line break is read unnumbered (on every core): labels small enough keep all
    their samples, the larger ones' last samples come from a numbered suffix of the file, and every figure is
    the line reader's."""
    path = jtl(tmp_path / "results.csv", 4000, rare=6)
    _same(jmeter._reduce_with_duckdb("jmeter-csv", path), _line_reader(path))
    assert reads.numbered == [] and len(reads.suffixes) == 1 and reads.suffixes[0] < 0.5


def test_the_suffix_the_first_rows_call_for_is_read_beside_the_aggregate(
    tmp_path: Path, small_window: None, reads: Reads, monkeypatch: pytest.MonkeyPatch
) -> None:
    """When the first rows already show series larger than a window (scaled to the file), their suffix is read in
    a thread beside the aggregate (a numbered read takes one core), and the figures are the line reader's."""
    monkeypatch.setattr(_jmeter_order, "FIRST_PREFIX", 1024)
    path = jtl(tmp_path / "results.csv", 4000, rare=6)
    _same(jmeter._reduce_with_duckdb("jmeter-csv", path), _line_reader(path))
    assert reads.numbered == [] and reads.suffix_threads == ["reportgen-beside"]


def test_no_thread_is_started_when_the_first_rows_show_no_series_larger_than_a_window(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A JTL whose series all fit in the window (the usual small file) needs no suffix: nothing is started beside
    the aggregate (no thread, no cursor), and the figures are the line reader's."""
    started: list[object] = []
    monkeypatch.setattr(_jmeter_sql, "Beside", lambda *args: started.append(args))
    path = jtl(tmp_path / "results.csv", 3000)
    _same(jmeter._reduce_with_duckdb("jmeter-csv", path), _line_reader(path))
    assert started == []


def test_a_suffix_grows_until_it_holds_every_window(tmp_path: Path, small_window: None, reads: Reads) -> None:
    """A label whose samples all sit in the middle of the file is not in the first suffix, which spread-out
    samples would fill: the suffix grows until it holds that label's last samples too."""
    path = jtl(tmp_path / "results.csv", 4000, rare=10, every=10, burst=300)
    _same(jmeter._reduce_with_duckdb("jmeter-csv", path), _line_reader(path))
    assert reads.numbered == [] and len(reads.suffixes) >= 2
    # the first guessed from the first rows and read beside the aggregate; the larger ones after it, by its counts
    assert reads.suffix_threads == ["reportgen-beside"] + ["MainThread"] * (len(reads.suffixes) - 1)


def test_labels_first_seen_late_are_found_by_a_growing_prefix(
    tmp_path: Path, small_window: None, reads: Reads, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Labels come in the order of their first sample: one that first appears after the first numbered prefix
    is found in a longer one, and the order is the line reader's."""
    monkeypatch.setattr(_jmeter_order, "FIRST_PREFIX", 16)
    path = jtl(tmp_path / "results.csv", 4000, rare=10, every=10, burst=300)
    _same(jmeter._reduce_with_duckdb("jmeter-csv", path), _line_reader(path))
    assert reads.numbered == []


@pytest.mark.parametrize("newline", ["\r\n", "in a cell"])
def test_a_jtl_whose_rows_a_byte_offset_cannot_find_is_read_numbered(
    tmp_path: Path, small_window: None, reads: Reads, newline: str
) -> None:
    """With carriage returns, or a line break inside a quoted cell, a line feed need not start a row: the file
    is read numbered, as before, and every figure is still the line reader's (a suffix the first rows made worth
    reading beside the aggregate, before a line break in a cell was known, is dropped)."""
    if newline == "in a cell":
        path = jtl(tmp_path / "results.csv", 4000, rare=6)
        lines = path.read_text().splitlines(keepends=True)
        lines[-100] = lines[-100].replace(",Error,", ',"Error\nin two lines",').replace(",OK,", ',"OK\n",')
        path.write_text("".join(lines))
    else:
        path = jtl(tmp_path / "results.csv", 4000, rare=6, newline=newline)
    _same(jmeter._reduce_with_duckdb("jmeter-csv", path), _line_reader(path))
    assert reads.numbered == [path] and reads.windows == []
    assert len(reads.suffixes) == (0 if newline == "\r\n" else 1)  # in a cell: the one guessed, unused


def test_a_window_spread_over_most_of_the_file_comes_from_the_whole_file(
    tmp_path: Path, small_window: None, reads: Reads
) -> None:
    """A label with just over a window of samples, spread over the whole file, would need a suffix of most of
    the file: its window comes from a numbered read of the whole file instead (not a copy of most of it)."""
    path = jtl(tmp_path / "results.csv", 4000, rare=1.5)
    _same(jmeter._reduce_with_duckdb("jmeter-csv", path), _line_reader(path))
    assert reads.numbered == [] and reads.windows == [path] and reads.suffixes == []


def test_without_room_for_a_suffix_the_windows_come_from_the_whole_file(
    tmp_path: Path, small_window: None, reads: Reads, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A suffix is copied only while the disk has room for it (the plain copies' rule); without, the windows are
    read from the whole file, numbered, and the figures are the same."""
    monkeypatch.setattr(_jmeter_order, "room", lambda folder: 0)
    path = jtl(tmp_path / "results.csv", 4000, rare=6)
    _same(jmeter._reduce_with_duckdb("jmeter-csv", path), _line_reader(path))
    assert reads.numbered == [] and reads.windows == [path] and len(reads.suffixes) == 1


def test_a_suffix_is_copied_through_python_where_the_kernel_cannot(
    tmp_path: Path, small_window: None, reads: Reads, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where copy_file_range is refused (another file system, an old kernel), the suffix is copied block by block
    and holds the same rows."""

    def refused(*args: object) -> int:
        raise OSError(errno.EXDEV, "cross-device")

    monkeypatch.setattr(os, "copy_file_range", refused, raising=False)
    path = jtl(tmp_path / "results.csv", 4000, rare=6)
    _same(jmeter._reduce_with_duckdb("jmeter-csv", path), _line_reader(path))
    assert reads.numbered == [] and len(reads.suffixes) == 1


def test_a_window_the_first_rows_show_spread_over_the_file_is_read_numbered_at_once(
    tmp_path: Path, small_window: None, reads: Reads, monkeypatch: pytest.MonkeyPatch
) -> None:
    """When the first rows already show a series with a few windows' samples spread over the file, the file is
    read numbered at once (one read instead of two), with the same figures."""
    monkeypatch.setattr(_jmeter_order, "FIRST_PREFIX", 512)
    path = jtl(tmp_path / "results.csv", 4000, rare=1.5)
    _same(jmeter._reduce_with_duckdb("jmeter-csv", path), _line_reader(path))
    assert reads.numbered == [path] and reads.windows == [] and reads.suffixes == []
