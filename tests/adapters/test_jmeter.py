"""JMeter CSV/XML JTL adapters, checked against JMeter's own output on real files."""

from __future__ import annotations

import codecs
import re
from pathlib import Path

import pytest

from reportgen.adapters._base import read_sample
from reportgen.adapters.jmeter import JmeterCsv, JmeterXml
from reportgen.errors import ArtifactError
from reportgen.estimators import JMETER_LEGACY, jmeter_legacy
from reportgen.schemas.measurement import Extraction, Measurement


def run213(fixtures: Path) -> Path:
    return fixtures / "jmeter" / "v2.13-csv-xml"


def value(extraction: Extraction, metric: str, stat: str, labels: dict[str, str]) -> float | None:
    found = [m for m in extraction.measurements if (m.metric, m.stat, m.labels) == (metric, stat, labels)]
    assert len(found) == 1, (metric, stat, labels, len(found))
    return found[0].value


def by_key(extraction: Extraction) -> dict[tuple[object, ...], Measurement]:
    return {m.key(): m for m in extraction.measurements}


def label_names(extraction: Extraction) -> set[str]:
    return {m.labels["label"] for m in extraction.measurements if "label" in m.labels}


def test_headerless_header_and_xml_of_one_run_agree(fixtures: Path) -> None:
    """The headerless CSV, the CSV with header and the XML of the same run give identical shared numbers."""
    headerless = by_key(JmeterCsv().read(run213(fixtures) / "results-default.jtl"))
    header = by_key(JmeterCsv().read(run213(fixtures) / "results-header.csv"))
    xml = by_key(JmeterXml().read(run213(fixtures) / "results.xml"))
    assert header.keys() == xml.keys()
    assert headerless.keys() <= header.keys()  # 2.13's default columns have no Connect
    for key, measurement in headerless.items():
        assert header[key].value == measurement.value == xml[key].value, key
    assert len(headerless) > 150


def test_summariser_total_agrees(fixtures: Path) -> None:
    """Summing every label (transactions included, as 2.13's summariser does) gives JMeter's `summary =` line."""
    stdout = (run213(fixtures) / "jmeter-stdout.txt").read_text()
    line = [x for x in stdout.splitlines() if x.startswith("summary =")][-1]
    match = re.search(r"=\s+(\d+) in .* Avg:\s+(\d+) Min:\s+(\d+) Max:\s+(\d+) Err:\s+(\d+)", line)
    assert match
    count, avg, low, high, errors = (int(g) for g in match.groups())
    extraction = JmeterCsv().read(run213(fixtures) / "results-default.jtl")
    labels = [{"label": name} for name in sorted(label_names(extraction))]
    counts = [value(extraction, "requests", "count", lb) or 0 for lb in labels]
    means = [value(extraction, "response_time", "avg", lb) or 0 for lb in labels]
    assert sum(counts) == count == 1183
    assert sum(value(extraction, "errors", "count", lb) or 0 for lb in labels) == errors == 144
    total_elapsed = round(sum(c * m for c, m in zip(counts, means, strict=True)))
    assert total_elapsed // count == avg  # JMeter prints Avg by integer division
    assert min(value(extraction, "response_time", "min", lb) or 0 for lb in labels) == low
    assert max(value(extraction, "response_time", "max", lb) or 0 for lb in labels) == high


def test_transactions_are_labels_but_not_in_the_total(fixtures: Path) -> None:
    """The `catalog` Transaction Controller is its own label and the total (labels {}) leaves its 169 samples out."""
    extraction = JmeterCsv().read(run213(fixtures) / "results-default.jtl")
    assert value(extraction, "requests", "count", {"label": "catalog"}) == 169
    assert value(extraction, "errors", "count", {"label": "catalog"}) == 16
    assert value(extraction, "requests", "count", {}) == 1183 - 169
    assert value(extraction, "errors", "count", {}) == 144 - 16
    assert "catalog" in extraction.info["jmeter.total"]
    assert "2.13's default 12 columns" in extraction.info["jmeter.columns"]


def test_errors_by_code_sum_to_the_total(fixtures: Path) -> None:
    """Failed samples per response code add up to the failed samples of the total; assertion failures keep code 200."""
    extraction = JmeterXml().read(run213(fixtures) / "results.xml")
    by_code = {m.labels["code"]: m.value for m in extraction.measurements if "code" in m.labels}
    assert sum(v or 0 for v in by_code.values()) == value(extraction, "errors", "count", {})
    assert "404" in by_code and "200" in by_code


def test_legacy_percentile_by_hand_on_real_rows(fixtures: Path) -> None:
    """The HP-1 sub-result's median and p90 follow Commons-Math LEGACY (pos = p(n+1)), checked by hand on its rows."""
    path = fixtures / "jmeter" / "public-v5-transactions" / "filewithtransactions.csv"
    rows = [line.split(",") for line in path.read_text().splitlines()[1:]]
    elapsed = sorted(int(r[1]) for r in rows if r[2] == "HP-1")
    n = len(elapsed)
    extraction = JmeterCsv().read(path)
    labels = {"label": "HP-1", "parent": "HP"}
    # p90: pos = 0.9 (n + 1); value = v[floor(pos)-1] + frac(pos) (v[floor(pos)] - v[floor(pos)-1])
    pos = 0.9 * (n + 1)
    low = int(pos)
    by_hand = elapsed[low - 1] + (pos - low) * (elapsed[low] - elapsed[low - 1])
    assert value(extraction, "response_time", "p90", labels) == pytest.approx(by_hand)
    assert value(extraction, "response_time", "med", labels) == jmeter_legacy(elapsed, 0.5)
    measurement = by_key(extraction)[("response_time", "p90", tuple(sorted(labels.items())))]
    assert measurement.estimator == JMETER_LEGACY
    assert "estimator=jmeter-legacy (window 20000)" in measurement.selector


def test_subresults_are_grouped_with_their_transaction(fixtures: Path) -> None:
    """`HP-0..2` rows carry `parent: HP`, count in the total, and the `HP` transaction rows do not."""
    extraction = JmeterCsv().read(fixtures / "jmeter" / "public-v5-transactions" / "filewithtransactions.csv")
    hp = value(extraction, "requests", "count", {"label": "HP"}) or 0
    children = sum(value(extraction, "requests", "count", {"label": f"HP-{i}", "parent": "HP"}) or 0 for i in range(3))
    assert children == 3 * hp
    assert "HP-0 → HP" in extraction.info["jmeter.subresults"]
    assert extraction.info["jmeter.transaction_controllers"] == "HP, Scenario, Search"
    text = (fixtures / "jmeter" / "public-v5-transactions" / "filewithtransactions.csv").read_text()
    rows = text.splitlines()[1:]
    transaction_rows = sum(1 for row in rows if ',"Number of samples in transaction' in row)
    assert value(extraction, "requests", "count", {}) == len(rows) - transaction_rows == 210


def test_multiline_quoted_label_is_one_sample(fixtures: Path) -> None:
    """A label quoted over three physical lines is one sample: the file holds 2 samples, one failed."""
    extraction = JmeterCsv().read(fixtures / "jmeter" / "public-multiline-label" / "multiLineCSV.jtl")
    assert value(extraction, "requests", "count", {}) == 2
    assert value(extraction, "errors", "ratio", {}) == 0.5
    assert any("reviewBAD" in name and "\n" in name for name in label_names(extraction))


def test_success_only_latency_is_separate(fixtures: Path) -> None:
    """Response time over successful samples has `success: true` and excludes failures."""
    extraction = JmeterCsv().read(run213(fixtures) / "results-header.csv")
    ok = value(extraction, "requests", "count", {"success": "true"})
    assert ok == 1014 - 128
    assert value(extraction, "response_time", "max", {"label": "slow", "success": "true"}) is not None


def test_per_second_series_add_up(fixtures: Path) -> None:
    """The requests/s series sums to the total count and errors/s to the total errors."""
    extraction = JmeterCsv().read(run213(fixtures) / "results-header.csv")
    series = {s.metric: s for s in extraction.series}
    assert sum(v for _, v in series["requests"].points) == 1014
    assert sum(v for _, v in series["errors"].points) == 128


def test_sniffers_claim_their_own_files(fixtures: Path) -> None:
    """The CSV sniffer takes both CSV files and not the XML; the XML sniffer the reverse."""
    csv_a, csv_b, xml = (
        read_sample(run213(fixtures) / n) for n in ("results-default.jtl", "results-header.csv", "results.xml")
    )
    assert JmeterCsv().sniff(csv_a) and JmeterCsv().sniff(csv_b) and not JmeterCsv().sniff(xml)
    assert JmeterXml().sniff(xml) and not JmeterXml().sniff(csv_a)


def lines_of(path: Path) -> list[str]:
    return path.read_text().splitlines(keepends=True)


def test_truncated_last_row_is_a_warning(fixtures: Path, tmp_path: Path) -> None:
    """A last row cut short (killed run) is skipped with a warning naming its line; the rest is read."""
    lines = lines_of(run213(fixtures) / "results-header.csv")
    damaged = tmp_path / "cut.csv"
    damaged.write_text("".join(lines[:-1]) + lines[-1][:30])
    extraction = JmeterCsv().read(damaged)
    assert extraction.warnings[0].line == len(lines)
    assert sum(value(extraction, "requests", "count", {"label": n}) or 0 for n in label_names(extraction)) == 1182


def test_short_row_in_the_middle_is_an_error(fixtures: Path, tmp_path: Path) -> None:
    """A row with missing columns before the end is an error with its line."""
    lines = lines_of(run213(fixtures) / "results-header.csv")
    lines[10] = ",".join(lines[10].split(",")[:5]) + "\n"
    damaged = tmp_path / "short.csv"
    damaged.write_text("".join(lines))
    with pytest.raises(ArtifactError) as error:
        JmeterCsv().read(damaged)
    assert error.value.position.line == 11


def test_non_numeric_elapsed_is_an_error(fixtures: Path, tmp_path: Path) -> None:
    """A non-numeric elapsed cell names its line and column."""
    lines = lines_of(run213(fixtures) / "results-default.jtl")
    cells = lines[4].split(",")
    cells[1] = "NaN"
    lines[4] = ",".join(cells)
    damaged = tmp_path / "nan.jtl"
    damaged.write_text("".join(lines))
    with pytest.raises(ArtifactError, match="elapsed") as error:
        JmeterCsv().read(damaged)
    assert error.value.position.line == 5


def test_missing_required_column_is_an_error(fixtures: Path, tmp_path: Path) -> None:
    """A header without `elapsed` is refused at line 1."""
    text = (run213(fixtures) / "results-header.csv").read_text().replace("elapsed", "duration", 1)
    damaged = tmp_path / "nocol.csv"
    damaged.write_text(text)
    with pytest.raises(ArtifactError, match="elapsed") as error:
        JmeterCsv().read(damaged)
    assert error.value.position.line == 1


def test_headerless_with_unknown_column_count_asks_for_field_names(fixtures: Path, tmp_path: Path) -> None:
    """A headerless file whose column count is no JMeter default explains how to get a header."""
    rows = [",".join(line.split(",")[:10]) + "\n" for line in lines_of(run213(fixtures) / "results-default.jtl")[:20]]
    damaged = tmp_path / "ten.jtl"
    damaged.write_text("".join(rows))
    with pytest.raises(ArtifactError, match="print_field_names"):
        JmeterCsv().read(damaged)


def test_date_formatted_timestamps_are_refused_clearly(fixtures: Path, tmp_path: Path) -> None:
    """A timeStamp written as a date says which JMeter setting writes epoch milliseconds."""
    lines = lines_of(run213(fixtures) / "results-header.csv")
    lines[1] = "2026/11/22 20:09:49.730" + lines[1][len("1795378189730") :]
    damaged = tmp_path / "dates.csv"
    damaged.write_text("".join(lines))
    with pytest.raises(ArtifactError, match="timestamp_format=ms"):
        JmeterCsv().read(damaged)


@pytest.mark.parametrize("delimiter", [";", "\t", "|"])
def test_other_delimiters_give_the_same_numbers(fixtures: Path, tmp_path: Path, delimiter: str) -> None:
    """The v5 file re-delimited (no field contains the new delimiter) reads to the same measurements."""
    source = fixtures / "jmeter" / "public-v5-transactions" / "filewithtransactions.csv"
    text = source.read_text()
    assert delimiter not in text and '"' in text
    import csv
    import io

    rows = list(csv.reader(io.StringIO(text, newline="")))
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\n").writerows(rows)
    copy = tmp_path / "redelimited.csv"
    copy.write_text(out.getvalue())
    assert {k: m.value for k, m in by_key(JmeterCsv().read(copy)).items()} == {
        k: m.value for k, m in by_key(JmeterCsv().read(source)).items()
    }


@pytest.mark.parametrize(("encoding", "bom"), [("utf-8", codecs.BOM_UTF8), ("utf-16-le", codecs.BOM_UTF16_LE)])
def test_bom_crlf_and_utf16(fixtures: Path, tmp_path: Path, encoding: str, bom: bytes) -> None:
    """BOM, CRLF line ends and UTF-16 do not change a number."""
    source = run213(fixtures) / "results-header.csv"
    copy = tmp_path / "encoded.csv"
    copy.write_bytes(bom + source.read_text().replace("\n", "\r\n").encode(encoding))
    assert {k: m.value for k, m in by_key(JmeterCsv().read(copy)).items()} == {
        k: m.value for k, m in by_key(JmeterCsv().read(source)).items()
    }


def test_truncated_xml_keeps_complete_samples(fixtures: Path, tmp_path: Path) -> None:
    """An XML JTL cut off inside its last sample reads the samples before it and warns."""
    text = (run213(fixtures) / "results.xml").read_text()
    cut = text[: text.rindex("<httpSample") + 40]
    damaged = tmp_path / "cut.xml"
    damaged.write_text(cut)
    extraction = JmeterXml().read(damaged)
    assert extraction.warnings
    total = sum(value(extraction, "requests", "count", {"label": n}) or 0 for n in label_names(extraction))
    assert total == 1182


def test_malformed_xml_names_the_line(fixtures: Path, tmp_path: Path) -> None:
    """Broken XML in the middle is an error with line and column."""
    lines = lines_of(run213(fixtures) / "results.xml")
    lines[5] = lines[5].replace('t="', "t=", 1)
    damaged = tmp_path / "bad.xml"
    damaged.write_text("".join(lines))
    with pytest.raises(ArtifactError) as error:
        JmeterXml().read(damaged)
    assert error.value.position.line == 6
