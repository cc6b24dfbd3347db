"""wrk and wrk2 text: every figure agrees with what the tool printed, with each value's unit taken from its suffix."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from reportgen.adapters import detect, extract
from reportgen.adapters._base import read_sample
from reportgen.adapters.wrk import WRK2_HDRHISTOGRAM, WRK_NEAREST_RANK, WrkText
from reportgen.errors import ArtifactError
from reportgen.schemas.measurement import Extraction

WRK = Path(__file__).resolve().parent.parent / "fixtures" / "real" / "wrk"
OUTPUTS = sorted(
    p for p in WRK.rglob("*") if p.suffix in (".txt", ".wrk", ".md") and p.name not in ("PROVENANCE.md", "LICENSE.txt")
)

# wrk's units.c: (scale, base unit, larger units); a value moves up a unit once it reaches 0.85 × scale.
TIME_US = (1000, "us", ("ms", "s"))
TIME_S = (60, "s", ("m", "h"))
BINARY = (1024, "", ("K", "M", "G", "T", "P"))
METRIC = (1000, "", ("k", "M", "G", "T", "P"))


def wrk_format(amount: float, units: tuple[int, str, tuple[str, ...]]) -> str:
    """A value printed as wrk's ``format_units`` prints it (two decimals, the unit it picks)."""
    scale, unit, larger = units
    for name in larger:
        if amount < scale * 0.85:
            break
        amount /= scale
        unit = name
    return f"{amount:.2f}{unit}"


def wrk_time(ms: float) -> str:
    """wrk's ``format_time_us``: microseconds, or from one second on, seconds/minutes/hours."""
    us = ms * 1000
    return wrk_format(us / 1e6, TIME_S) if us >= 1e6 else wrk_format(us, TIME_US)


def printed_form(metric: str, stat: str, value: float, unit: str, line: str) -> list[str]:
    """The texts wrk could have printed for a figure: one of them must be on its line."""
    if unit == "ms":  # wrk's own time format, or wrk2's spectrum and #[…] footers in ms with 3 decimals
        return [wrk_time(value), f"{value:.3f}"] if metric == "latency" else [wrk_time(value)]
    if unit == "ratio":
        return [f"{value * 100:.2f}%"]
    if unit == "count":
        return [str(int(value))]
    if unit == "B":
        return [wrk_format(value, BINARY) + "B"]
    if unit == "B/s":
        return [wrk_format(value, BINARY) + "B"]
    if metric == "thread_requests":
        return [wrk_format(value, METRIC)]
    return [f"{value:.2f}"]


@pytest.mark.parametrize("path", OUTPUTS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_figure_reprints_as_wrk_printed_it(path: Path) -> None:
    """Each figure read from a line, formatted back with wrk's own unit rule, is text found on that line."""
    extraction = extract(path)
    lines = path.read_text().splitlines()
    checked = 0
    for m in extraction.measurements:
        where = re.fullmatch(r"text:line\[(\d+)\]/field\[(.+)\]", m.selector)
        if where is None or m.value is None:
            continue
        text = lines[int(where.group(1)) - 1]
        forms = printed_form(m.metric, m.stat, m.value, m.unit, text)
        assert any(re.search(rf"(?<![\d.]){re.escape(form)}(?![\d.])", text) for form in forms), (m, forms, text)
        checked += 1
    assert checked >= 8  # the run where nothing completed has 10 figures that are not missing


def by_key(extraction: Extraction, **labels: str) -> dict[tuple[str, str], float | None]:
    return {(m.metric, m.stat): m.value for m in extraction.measurements if m.labels == labels}


def test_suffixes_become_one_unit_per_quantity() -> None:
    """us/ms latency, k-suffixed Req/Sec, KB/MB as 1024-based bytes and 1.00m as minutes convert exactly."""
    plugin = by_key(WrkText().read(WRK / "public-performance-plugin" / "WrkResultsWithErrors.wrk"))
    assert plugin[("latency", "avg")] == 78.43
    assert plugin[("latency", "stddev")] == 0.05533  # printed 55.33us beside 78.43ms
    assert plugin[("bytes_read", "sum")] == 5.66 * 1024
    assert plugin[("duration", "value")] == 1030
    assert plugin[("latency_within_stddev", "ratio")] == 0.6667
    wrk2 = by_key(WrkText().read(WRK / "public-wrk2-highload-dht" / "allocGet.md"))
    assert wrk2[("thread_requests", "avg")] == 2110  # 2.11k
    assert wrk2[("duration", "value")] == 60_000  # 1.00m
    assert wrk2[("bytes_read", "sum")] == 10.16 * 1024**2
    big = by_key(WrkText().read(WRK / "v4.1.0-errors" / "wrk-big.txt"))
    assert big[("bytes_read", "rate")] == 208.6 * 1024**2


def test_non_2xx_and_socket_errors_are_failures() -> None:
    """Non-2xx/3xx responses and socket errors count as failures; absent lines are the zero wrk omits."""
    errors = by_key(WrkText().read(WRK / "public-performance-plugin" / "WrkResultsWithErrors.wrk"))
    assert errors[("non_2xx_3xx", "count")] == 12
    assert errors[("failures", "count")] == 12
    assert errors[("failures", "ratio")] == 1.0
    flaky = by_key(WrkText().read(WRK / "v4.1.0-loopback" / "wrk-flaky.txt"))
    assert flaky[("non_2xx_3xx", "ratio")] == 785 / 5375
    sockets = WrkText().read(WRK / "v4.1.0-errors" / "wrk-socket-errors.txt")
    assert by_key(sockets, kind="read")[("socket_errors", "count")] == 16
    assert by_key(sockets, kind="timeout")[("socket_errors", "count")] == 0
    plain = by_key(sockets)
    assert plain[("socket_errors", "count")] == 16
    assert plain[("non_2xx_3xx", "count")] == 0
    assert plain[("failures", "count")] == 16
    assert plain[("failures", "ratio")] == 16 / (99 + 16)


def test_latency_percentiles_name_their_estimator() -> None:
    """--latency percentiles: wrk's nearest rank; wrk2's HdrHistogram distribution plus its spectrum rows."""
    wrk = WrkText().read(WRK / "v4.1.0-loopback" / "wrk-items-latency.txt")
    assert {m.stat: m.value for m in wrk.measurements if m.stat.startswith("p")} == {
        "p50": 5.46,
        "p75": 7.20,
        "p90": 8.25,
        "p99": 9.27,
    }
    assert {m.estimator for m in wrk.measurements if m.stat.startswith("p")} == {WRK_NEAREST_RANK}
    wrk2 = WrkText().read(WRK / "public-wrk2-highload-dht" / "allocGet.md")
    figures = by_key(wrk2)
    assert wrk2.info["tool"] == "wrk2"
    assert figures[("latency", "p99.999")] == 12.68  # the distribution block
    assert figures[("latency", "p50")] == 1.37  # the block wins over the spectrum's 1.371
    assert figures[("latency", "p94.375")] == 2.629  # only in the spectrum
    assert figures[("latency", "min")] == 0.067
    assert figures[("latency", "p100")] == 12.93 and figures[("latency", "max")] == 12.92
    assert figures[("latency", "count")] == 99357
    assert {m.estimator for m in wrk2.measurements if m.stat.startswith("p")} == {WRK2_HDRHISTOGRAM}


def test_wrk2_uncorrected_histogram_is_labelled(tmp_path: Path) -> None:
    """With -U, wrk2's second (uncorrected) distribution is labelled histogram=uncorrected, not mixed in."""
    original = (WRK / "public-wrk2-highload-dht" / "allocGet.md").read_text()
    start, end = (
        original.index("  Latency Distribution"),
        original.index("----------------------------------------------------------\n"),
    )
    block = original[start:end]
    uncorrected = block.replace(
        "Recorded Latency", "Uncorrected Latency (measured without taking delayed starts into account)"
    )
    both = (
        original[:end] + "----------------------------------------------------------\n\n" + uncorrected + original[end:]
    )
    path = tmp_path / "wrk2-u.txt"
    path.write_text(both)
    extraction = WrkText().read(path)
    assert by_key(extraction)[("latency", "p50")] == 1.37
    assert by_key(extraction, histogram="uncorrected")[("latency", "p50")] == 1.37
    assert by_key(extraction, histogram="uncorrected")[("latency", "avg")] == 1.441


def test_sniffed_and_registered_by_entry_point() -> None:
    """Every wrk fixture is sniffed as wrk-text through the registry; other formats' files are not."""
    for path in OUTPUTS:
        assert detect(path).name == "wrk-text"
    others = [p for p in (WRK.parent / "k6").rglob("*.txt")] + list((WRK.parent / "hyperfine").rglob("*.json"))
    assert others
    assert not any(WrkText().sniff(read_sample(p)) for p in others)


@pytest.mark.parametrize(
    ("damage", "message", "line"),
    [
        (lambda t: t.replace("5.46ms", "5.46xs", 1), "cannot read '5.46xs'", 4),
        (lambda t: t[: t.index("  14640 requests")], "truncated wrk output", None),
        (lambda t: t + t, "a second wrk run", 14),
    ],
    ids=["unknown-suffix", "truncated", "two-runs"],
)
def test_damage_is_named_with_its_line(
    tmp_path: Path, damage: Callable[[str], str], message: str, line: int | None
) -> None:
    """A value with an unknown suffix, a cut-off output and two runs in one file are errors naming the place."""
    path = tmp_path / "wrk.txt"
    path.write_text(damage((WRK / "v4.1.0-loopback" / "wrk-items-latency.txt").read_text()))
    with pytest.raises(ArtifactError, match=re.escape(message)) as caught:
        WrkText().read(path)
    assert caught.value.position.line == line


def test_a_run_with_no_completed_request_has_missing_latency() -> None:
    """wrk's 0.00us and -nan% for a run where nothing completed become missing figures with a warning, never 0 ms."""
    extraction = WrkText().read(WRK / "v4.1.0-errors" / "wrk-all-failed.txt")
    figures = by_key(extraction)
    assert figures[("latency", "p99")] is None and figures[("latency", "avg")] is None
    assert figures[("latency_within_stddev", "ratio")] is None
    assert figures[("requests", "count")] == 0
    assert figures[("failures", "ratio")] == 1.0
    assert figures[("non_2xx_3xx", "ratio")] is None
    assert "no request completed" in extraction.warnings[0].message
