"""Gatling simulation.log and stats.json adapters, checked against Gatling's own expected values."""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from reportgen.adapters._base import read_sample
from reportgen.adapters._gatling_binary import read_binary_log
from reportgen.adapters.gatling import GatlingLog, GatlingStatsJson
from reportgen.errors import ArtifactError
from reportgen.estimators import GATLING_TDIGEST, NEAREST_RANK, nearest_rank
from reportgen.schemas.measurement import Extraction

PUBLIC = Path(__file__).resolve().parent.parent / "fixtures" / "gatling-public"
KNOWN_STATS = PUBLIC / "v2.0-known-stats" / "simulation_with_known_stats.log"


def value(extraction: Extraction, metric: str, stat: str, labels: dict[str, str]) -> float | None:
    found = [m for m in extraction.measurements if (m.metric, m.stat, m.labels) == (metric, stat, labels)]
    assert len(found) == 1, (metric, stat, labels, len(found))
    return found[0].value


def test_text_log_matches_gatlings_own_spec() -> None:
    """Gatling's FileDataReaderSpec expects 8 requests, min 2000, max 9000, stdDev 2000, p70 5000, p99 9000 here."""
    extraction = GatlingLog().read(KNOWN_STATS)
    assert value(extraction, "requests", "count", {}) == 8
    assert value(extraction, "response_time", "min", {}) == 2000
    assert value(extraction, "response_time", "max", {}) == 9000
    assert value(extraction, "response_time", "stddev", {}) == 2000
    assert value(extraction, "response_time", "p99", {}) == 9000
    assert value(extraction, "response_time", "p75", {"name": "Test Request"}) == 5000  # p70 is 5000 too
    assert value(extraction, "errors", "ratio", {}) == 0


def test_text_log_percentiles_name_their_rule() -> None:
    """Every computed percentile and median records the nearest-rank estimator, in its selector too."""
    extraction = GatlingLog().read(KNOWN_STATS)
    percentiles = [m for m in extraction.measurements if m.stat in ("med", "p75", "p95", "p99")]
    assert percentiles and all(m.estimator == NEAREST_RANK for m in percentiles)
    assert all("estimator=nearest-rank" in m.selector for m in percentiles)


def test_run_record_becomes_info() -> None:
    """The RUN record gives simulation, Gatling version and start time."""
    info = GatlingLog().read(KNOWN_STATS).info
    assert info["gatling.simulation"] == "MySimulation"
    assert info["gatling.version"] == "2.0"
    assert info["gatling.start_ms"] == "1406822067250"


def relayout(source: Path, target: Path, layout: str) -> Path:
    """The same REQUEST records rewritten in the 3.1–3.3 or 3.4+ layout (FORMATS §4.1), for the parser only."""
    out = []
    for line in source.read_text().splitlines():
        fields = line.split("\t")
        if fields[0] == "REQUEST":
            scenario_user_dropped = fields[2:] if layout == "3.1" else fields[3:]
            out.append("\t".join(["REQUEST", *scenario_user_dropped]))
        elif fields[0] == "RUN":
            out.append(line)
    target.write_text("\n".join(out) + "\n")
    return target


@pytest.mark.parametrize("layout", ["3.1", "3.4"])
def test_newer_record_layouts_read_the_same(tmp_path: Path, layout: str) -> None:
    """REQUEST records with a user id (3.1–3.3) or without (3.4+) give the same numbers as the original layout."""
    original = {m.key(): m.value for m in GatlingLog().read(KNOWN_STATS).measurements}
    copy = relayout(KNOWN_STATS, tmp_path / "simulation.log", layout)
    assert {m.key(): m.value for m in GatlingLog().read(copy).measurements} == original


def test_ko_requests_are_errors_and_left_out_of_ok_latency(tmp_path: Path) -> None:
    """A KO request counts as an error and is excluded from the `status: OK` response times."""
    lines = KNOWN_STATS.read_text().splitlines()
    slowest = next(i for i, line in enumerate(lines) if "\t7000\t14000\t" in line)
    lines[slowest] = lines[slowest].replace("\tOK\t", "\tKO\t")
    copy = tmp_path / "simulation.log"
    copy.write_text("\n".join(lines) + "\n")
    extraction = GatlingLog().read(copy)
    assert value(extraction, "errors", "count", {}) == 1
    assert value(extraction, "errors", "ratio", {}) == 1 / 8
    assert value(extraction, "response_time", "max", {}) == 9000
    assert value(extraction, "response_time", "max", {"status": "OK"}) == 9000
    assert value(extraction, "requests", "count", {}) == 8


BINARY = Path(__file__).resolve().parent.parent / "fixtures" / "real" / "gatling" / "public-binary-log-3.12"
BINARY_LOG = BINARY / "simulation.log"


def test_binary_log_matches_gatlings_own_spec() -> None:
    """Gatling's LogFileReaderSpec expects 104 OK + 1 KO, min 87, max 368 in this binary log."""
    extraction = GatlingLog().read(BINARY_LOG)
    assert value(extraction, "requests", "count", {}) == 105
    assert value(extraction, "errors", "count", {}) == 1
    assert value(extraction, "errors", "ratio", {}) == 1 / 105
    assert value(extraction, "response_time", "min", {}) == 87
    assert value(extraction, "response_time", "max", {}) == 368
    assert value(extraction, "response_time", "p99", {}) == 368
    assert value(extraction, "response_time", "max", {"status": "OK"}) == 368
    assert value(extraction, "errors", "count", {"name": "Post Redirect 1"}) == 1
    assert value(extraction, "requests", "count", {"name": "Home"}) == 12
    assert not extraction.warnings


def test_binary_log_percentiles_agree_with_gatlings_spec() -> None:
    """Nearest rank over the binary log's times gives Gatling's expected p0 87, p70 113, p99 = p100 = 368."""
    requests = read_binary_log(BINARY_LOG).requests
    times = sorted(r.end - r.start for r in requests)
    assert [nearest_rank(times, p) for p in (0.0, 0.7, 0.99, 1.0)] == [87, 113, 368, 368]
    assert sum(r.ok for r in requests) == 104


def test_binary_run_header_becomes_info() -> None:
    """The run header gives version, simulation, start, scenarios; every byte up to the end is read."""
    info = GatlingLog().read(BINARY_LOG).info
    assert info["gatling.version"] == "3.12.1"
    assert info["gatling.simulation"] == "computerdatabase.ComputerDatabaseSimulation"
    assert info["gatling.start_ms"] == "1730757531501"
    assert info["gatling.scenarios"] == "Users, Admins"
    assert info["gatling.records"] == "105 request, 24 user, 0 group, 0 error"
    assert info["format"] == "simulation.log (binary)"


def as_text_log(binary: Path, target: Path) -> Path:
    """The binary log's run and request records written as a 3.4+ text log."""
    log = read_binary_log(binary)
    start, header = log.header.start_ms, log.header
    lines = [f"RUN\t{header.simulation}\tsim\t{start}\t \t{header.version}"]
    for r in log.requests:
        status = "OK" if r.ok else "KO"
        fields = [",".join(r.groups), r.name, str(start + r.start), str(start + r.end), status, r.message or " "]
        lines.append("\t".join(["REQUEST", *fields]))
    target.write_text("\n".join(lines) + "\n")
    return target


def test_binary_and_text_logs_give_the_same_measurements(tmp_path: Path) -> None:
    """The binary log yields exactly the measurements and selectors of the same records in a text log."""
    binary = {(m.key(), m.selector): m.value for m in GatlingLog().read(BINARY_LOG).measurements}
    text_log = as_text_log(BINARY_LOG, tmp_path / "simulation.log")
    assert {(m.key(), m.selector): m.value for m in GatlingLog().read(text_log).measurements} == binary


def damaged(tmp_path: Path, edit: Callable[[bytearray], bytes | bytearray]) -> Path:
    copy = tmp_path / "simulation.log"
    copy.write_bytes(edit(bytearray(BINARY_LOG.read_bytes())))
    return copy


def test_binary_log_cut_mid_record_is_a_warning_with_the_offset(tmp_path: Path) -> None:
    """A last record cut short is skipped with a warning naming its byte offset; the records before it count."""
    last = read_binary_log(BINARY_LOG).requests[-1].offset
    extraction = GatlingLog().read(damaged(tmp_path, lambda data: data[: last + 10]))
    assert value(extraction, "requests", "count", {}) == 104
    assert len(extraction.warnings) == 1 and extraction.warnings[0].line is None
    assert f"byte offset {last}" in extraction.warnings[0].message


def test_binary_log_cut_in_the_header_is_an_error(tmp_path: Path) -> None:
    """A file that ends inside the run header has nothing to read: an error."""
    with pytest.raises(ArtifactError, match="inside the run header"):
        GatlingLog().read(damaged(tmp_path, lambda data: data[:40]))


def test_binary_log_wrong_first_byte_names_offset_0(tmp_path: Path) -> None:
    """A binary file that does not start with the run record is an error at byte offset 0."""

    def edit(data: bytearray) -> bytearray:
        data[0] = 7
        return data

    with pytest.raises(ArtifactError, match="byte offset 0: first byte is 7"):
        GatlingLog().read(damaged(tmp_path, edit))


def test_binary_log_unknown_record_type_names_its_offset(tmp_path: Path) -> None:
    """A record type byte that is no Gatling record is an error naming its byte offset."""
    offset = read_binary_log(BINARY_LOG).requests[5].offset

    def edit(data: bytearray) -> bytearray:
        data[offset] = 9
        return data

    with pytest.raises(ArtifactError, match=f"byte offset {offset}: unknown record type 9"):
        GatlingLog().read(damaged(tmp_path, edit))


def test_binary_log_reference_to_an_unknown_string_is_an_error(tmp_path: Path) -> None:
    """A cached-string reference to an index no record defined is garbage, named by its byte offset."""
    name_at = read_binary_log(BINARY_LOG).requests[0].offset + 1 + 4  # type byte, group count

    def edit(data: bytearray) -> bytearray:
        data[name_at : name_at + 4] = (-99).to_bytes(4, "big", signed=True)
        return data

    with pytest.raises(ArtifactError, match=f"byte offset {name_at}: reference to string #99"):
        GatlingLog().read(damaged(tmp_path, edit))


def test_binary_log_of_an_unknown_version_is_refused(tmp_path: Path) -> None:
    """A header version whose layout is not known (here 4.00.0) is refused, saying so."""
    with pytest.raises(ArtifactError, match=r"Gatling '4\.00\.0': its layout is not known"):
        GatlingLog().read(damaged(tmp_path, lambda data: data.replace(b"3.12.1", b"4.00.0", 1)))


def test_binary_log_in_the_uncached_layout_is_refused(tmp_path: Path) -> None:
    """A header without coder bytes (Gatling's first binary writer) is refused as that layout, not misread."""

    def edit(data: bytearray) -> bytes:
        # drop the coder byte after the version and after the class name: 5 + 6 = 11, 11 + 1 + 4 + 43 = 59
        return bytes(data[:11] + data[12:59] + data[60:])

    with pytest.raises(ArtifactError, match="older binary layout"):
        GatlingLog().read(damaged(tmp_path, edit))


def test_gzipped_binary_log_reads_the_same(tmp_path: Path) -> None:
    """A gzipped binary log is sniffed and gives the same measurements as the plain one."""
    copy = tmp_path / "simulation.log.gz"
    copy.write_bytes(gzip.compress(BINARY_LOG.read_bytes()))
    assert GatlingLog().sniff(read_sample(copy))
    plain = {m.key(): m.value for m in GatlingLog().read(BINARY_LOG).measurements}
    assert {m.key(): m.value for m in GatlingLog().read(copy).measurements} == plain


def test_utf16_text_log_is_not_taken_for_binary(tmp_path: Path) -> None:
    """A UTF-16 text log (with BOM, so full of NUL bytes) is still read as text, with the same numbers."""
    copy = tmp_path / "simulation.log"
    copy.write_text(KNOWN_STATS.read_text(), encoding="utf-16")
    plain = {m.key(): m.value for m in GatlingLog().read(KNOWN_STATS).measurements}
    assert {m.key(): m.value for m in GatlingLog().read(copy).measurements} == plain


def test_truncated_last_record_is_a_warning(tmp_path: Path) -> None:
    """A REQUEST record cut short at the end of the file is skipped with a warning."""
    text = KNOWN_STATS.read_text()
    last_request = text.rindex("REQUEST")
    copy = tmp_path / "simulation.log"
    copy.write_text(text[: last_request + 30])
    extraction = GatlingLog().read(copy)
    assert extraction.warnings and extraction.warnings[0].line == 10
    assert value(extraction, "requests", "count", {}) == 7


def test_unknown_record_type_names_the_line(tmp_path: Path) -> None:
    """A line that is no Gatling record is an error with its line."""
    lines = KNOWN_STATS.read_text().splitlines(keepends=True)
    lines.insert(3, "garbage\tline\n")
    copy = tmp_path / "simulation.log"
    copy.write_text("".join(lines))
    with pytest.raises(ArtifactError) as error:
        GatlingLog().read(copy)
    assert error.value.position.line == 4


def test_log_sniffer_is_specific(fixtures: Path) -> None:
    """The log sniffer takes the text and binary logs, not a JMeter CSV."""
    assert GatlingLog().sniff(read_sample(KNOWN_STATS))
    jtl = fixtures / "jmeter" / "v2.13-csv-xml" / "results-default.jtl"
    assert not GatlingLog().sniff(read_sample(jtl))
    assert GatlingLog().sniff(read_sample(BINARY_LOG))


# ---------------------------------------------------------------- stats.json
# No stats.json with a permissive licence was found (see PROVENANCE.md of the fixture): the
# document below is built in the test, in the shape of FORMATS §4.2, with the values Gatling's
# spec asserts for the known-stats log, and exercises only the reading rules.


def stats_block(name: str, total: str, ok: str, ko: str) -> dict[str, object]:
    def triple(t: str, o: str, k: str) -> dict[str, str]:
        return {"total": t, "ok": o, "ko": k}

    return {
        "name": name,
        "numberOfRequests": triple(total, ok, ko),
        "minResponseTime": triple("2000", "2000", "-"),
        "maxResponseTime": triple("9000", "9000", "-"),
        "meanResponseTime": triple("5000", "5000", "-"),
        "standardDeviation": triple("2000", "2000", "-"),
        "percentiles1": triple("4000", "4000", "-"),
        "percentiles2": triple("5000", "5000", "-"),
        "percentiles3": triple("9000", "9000", "-"),
        "percentiles4": triple("   9,000", "9,000", "-"),
        "group1": {"name": "t < 800 ms", "count": 0, "percentage": 0},
        "meanNumberOfRequestsPerSecond": triple("0.615", "0.615", "-"),
    }


def stats_tree() -> dict[str, object]:
    request = {
        "type": "REQUEST",
        "name": "Test Request",
        "path": "Test Request",
        "pathFormatted": "req_test",
        "stats": stats_block("Test Request", "8", "8", "0"),
    }
    group = {
        "type": "GROUP",
        "name": "shop",
        "path": "shop",
        "pathFormatted": "group_shop",
        "stats": stats_block("shop", "8", "8", "0"),
        "contents": {"req_test": request},
    }
    return {
        "type": "GROUP",
        "name": "All Requests",
        "path": "",
        "pathFormatted": "group_missing-name",
        "stats": stats_block("All Requests", "8", "8", "-"),
        "contents": {"group_shop": group},
    }


def test_stats_json_values_and_pointers(tmp_path: Path) -> None:
    """Strings, padded/grouped digits and "-" become numbers or None; selectors are JSON pointers."""
    path = tmp_path / "stats.json"
    path.write_text(json.dumps(stats_tree(), indent=2))
    extraction = GatlingStatsJson().read(path)
    assert value(extraction, "requests", "count", {}) == 8
    assert value(extraction, "response_time", "p99", {}) == 9000
    assert value(extraction, "response_time", "min", {"status": "KO"}) is None
    assert value(extraction, "errors", "ratio", {}) == 0
    request = {"name": "Test Request", "group": "shop"}
    assert value(extraction, "response_time", "p95", request) == 9000
    assert value(extraction, "requests", "count", {"group": "shop"}) == 8
    p95 = next(m for m in extraction.measurements if m.stat == "p95" and m.labels == request)
    assert p95.selector == "json:/contents/group_shop/contents/req_test/stats/percentiles3/total"
    assert p95.estimator == GATLING_TDIGEST
    assert extraction.info["gatling.global_block"] == "All Requests"


def test_global_stats_json_is_the_root_block(tmp_path: Path) -> None:
    """global_stats.json (just the stats object) gives the run totals with pointers from the root."""
    path = tmp_path / "global_stats.json"
    path.write_text(json.dumps(stats_block("Global Information", "8", "7", "1")))
    assert GatlingStatsJson().sniff(read_sample(path))
    extraction = GatlingStatsJson().read(path)
    assert value(extraction, "errors", "ratio", {}) == 1 / 8
    mean = next(m for m in extraction.measurements if m.stat == "avg" and m.labels == {})
    assert mean.selector == "json:/meanResponseTime/total"


def test_stats_json_bad_number_is_an_error(tmp_path: Path) -> None:
    """A value that is not a number names its JSON pointer."""
    tree = stats_tree()
    tree["stats"]["percentiles3"]["total"] = "fast"  # type: ignore[index]
    path = tmp_path / "stats.json"
    path.write_text(json.dumps(tree))
    with pytest.raises(ArtifactError, match="percentiles3/total"):
        GatlingStatsJson().read(path)


def test_stats_json_nan_is_an_error(tmp_path: Path) -> None:
    """A NaN written as a bare JSON constant is refused with its line."""
    path = tmp_path / "stats.json"
    path.write_text(json.dumps(stats_tree(), indent=2).replace('"0.615"', "NaN", 1))
    with pytest.raises(ArtifactError) as error:
        GatlingStatsJson().read(path)
    assert error.value.position.line is not None
