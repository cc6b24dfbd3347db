"""generic-csv and generic-json: reportgen's own formats (hand-written inputs are fine: there is no tool)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reportgen.adapters._base import read_sample
from reportgen.adapters.generic import GenericCsv, GenericJson, measurement_offsets
from reportgen.errors import ArtifactError

EXAMPLES = Path(__file__).resolve().parent.parent / "fixtures" / "generic"
HEADER = "metric,stat,value,unit,label.endpoint\n"


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_committed_examples_read_identically() -> None:
    """The example CSV and JSON hold the same five figures with their units, labels and estimator."""
    from_csv = GenericCsv().read(EXAMPLES / "example.csv")
    from_json = GenericJson().read(EXAMPLES / "example.json")

    def key(e):  # type: ignore[no-untyped-def]
        return sorted((m.metric, m.stat, m.value, m.unit, tuple(m.labels.items()), m.estimator) for m in e.measurements)

    assert key(from_csv) == key(from_json)
    assert len(from_csv.measurements) == 5
    p95 = from_json.measurements[0]
    assert (p95.value, p95.unit, p95.labels, p95.estimator) == (182.5, "ms", {"endpoint": "/api/items"}, "nearest-rank")
    assert p95.selector == "json:/measurements/0/value"
    assert from_csv.measurements[0].selector == "csv:row[metric=latency,stat=p95,label.endpoint=/api/items]/col[value]"
    assert from_json.info == {
        "tool": "in-house-loadgen",
        "tool_version": "0.9.1",
        "host": "ci-runner-7",
        "started": "2026-11-20T10:00:00Z",
    }


def test_csv_empty_label_cell_means_no_label(tmp_path: Path) -> None:
    """An empty label.<key> cell leaves that label out, so the row is a whole-run total."""
    path = write(tmp_path, "g.csv", HEADER + "requests,count,10,count,\n")
    assert GenericCsv().read(path).measurements[0].labels == {}


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("latency,p95,12,furlongs,/a", "unknown unit 'furlongs'"),
        ("latency,mean,12,ms,/a", "unknown stat 'mean'"),
        ("latency,p50,12,ms,/a", "write the median as 'med'"),
        ("latency,p95,NaN,ms,/a", "not a finite number"),
        ("latency,p95,fast,ms,/a", "expected a number"),
        (",p95,12,ms,/a", "metric is empty"),
    ],
)
def test_csv_bad_row_names_its_line(tmp_path: Path, row: str, message: str) -> None:
    """A bad unit, stat name, value or metric is an error on the row's line."""
    path = write(tmp_path, "g.csv", HEADER + "latency,avg,10,ms,/a\n" + row + "\n")
    with pytest.raises(ArtifactError, match=message) as caught:
        GenericCsv().read(path)
    assert caught.value.position.line == 3


def test_csv_duplicate_and_unknown_columns(tmp_path: Path) -> None:
    """Two rows for one figure, or a column that is neither known nor label.<key>, are refused."""
    twice = write(tmp_path, "twice.csv", HEADER + "latency,avg,10,ms,/a\nlatency,avg,11,ms,/a\n")
    with pytest.raises(ArtifactError, match="same metric, stat and labels as line 2") as caught:
        GenericCsv().read(twice)
    assert caught.value.position.line == 3
    typo = write(tmp_path, "typo.csv", "metric,stat,value,unit,labels.endpoint\nlatency,avg,10,ms,/a\n")
    with pytest.raises(ArtifactError, match="unknown column"):
        GenericCsv().read(typo)


def test_csv_missing_column_and_truncated_row(tmp_path: Path) -> None:
    """A header without unit, and a row cut short, are errors with their line."""
    with pytest.raises(ArtifactError, match="missing column"):
        GenericCsv().read(write(tmp_path, "nounit.csv", "metric,stat,value\nlatency,avg,10\n"))
    with pytest.raises(ArtifactError, match="fields") as caught:
        GenericCsv().read(write(tmp_path, "cut.csv", HEADER + "latency,avg,10,ms,/a\nlatency,p9\n"))
    assert caught.value.position.line == 3


def test_csv_bom_and_crlf(tmp_path: Path) -> None:
    """Excel's BOM and CRLF line ends read the same."""
    path = tmp_path / "excel.csv"
    path.write_bytes(b"\xef\xbb\xbf" + (EXAMPLES / "example.csv").read_bytes().replace(b"\n", b"\r\n"))
    assert GenericCsv().sniff(read_sample(path))
    assert len(GenericCsv().read(path).measurements) == 5


def test_json_unknown_unit_points_at_its_item(tmp_path: Path) -> None:
    """An unknown unit is reported at the line and column where that measurement starts."""
    document = json.loads((EXAMPLES / "example.json").read_text())
    document["measurements"][3]["unit"] = "parsecs"
    path = write(tmp_path, "g.json", json.dumps(document, indent=2))
    with pytest.raises(ArtifactError, match=r"measurements\.3\.unit: unknown unit 'parsecs'") as caught:
        GenericJson().read(path)
    text = path.read_text()
    line_of_item = text[: text.index('"metric": "errors"')].count("\n") + 1
    assert caught.value.position.line == line_of_item - 1  # the item's "{" is on the line above its first key
    assert caught.value.position.column == 5


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"reportgen_generic": 2}, "reportgen_generic"),
        ({"tool": ""}, "tool"),
        ({"extra": 1}, "extra"),
    ],
)
def test_json_document_errors(tmp_path: Path, change: dict[str, object], message: str) -> None:
    """A wrong marker version, empty tool name or unknown top-level key is refused, naming the key."""
    document = {**json.loads((EXAMPLES / "example.json").read_text()), **change}
    with pytest.raises(ArtifactError, match=message):
        GenericJson().read(write(tmp_path, "g.json", json.dumps(document)))


def test_json_item_errors(tmp_path: Path) -> None:
    """A string value, a boolean value, a duplicate figure and an unknown item key are refused per item."""
    base = json.loads((EXAMPLES / "example.json").read_text())
    cases = [
        ({"value": "12"}, r"measurements\.1\.value"),
        ({"value": True}, r"measurements\.1\.value"),
        ({"stat": "p95", "value": 1}, r"measurements\.1: same metric, stat and labels as measurements\.0"),
        ({"units": "ms"}, r"measurements\.1\.units"),
    ]
    for change, message in cases:
        document = json.loads(json.dumps(base))
        document["measurements"][1].update(change)
        with pytest.raises(ArtifactError, match=message):
            GenericJson().read(write(tmp_path, "g.json", json.dumps(document)))


def test_json_nan_and_truncation(tmp_path: Path) -> None:
    """NaN and a truncated file are errors with a line."""
    text = (EXAMPLES / "example.json").read_text()
    with pytest.raises(ArtifactError, match="NaN") as caught:
        GenericJson().read(write(tmp_path, "nan.json", text.replace("182.5", "NaN")))
    assert caught.value.position.line == 7  # the first measurement, where 182.5 was
    with pytest.raises(ArtifactError, match="invalid JSON") as caught:
        GenericJson().read(write(tmp_path, "cut.json", text[:200]))
    assert caught.value.position.line is not None


def test_measurement_offsets_skip_lookalike_keys() -> None:
    """Offsets come from the top-level measurements array, not from a string that mentions it."""
    text = '{"tool": "measurements", "info": {"measurements": "x"}, "measurements": [ {"a": 1}, [2], 3 ]}'
    assert [text[i] for i in measurement_offsets(text)] == ["{", "[", "3"]


def test_generic_sniffing_is_low_priority_and_specific(fixtures: Path) -> None:
    """Generic formats sniff only their own shape and rank below every real tool's adapter."""
    assert GenericCsv.priority < 50 and GenericJson.priority < 50
    assert GenericJson().sniff(read_sample(EXAMPLES / "example.json"))
    assert GenericCsv().sniff(read_sample(EXAMPLES / "example.csv"))
    others = [
        fixtures / "hyperfine" / "v1.15.0-basic" / "hyperfine.csv",
        fixtures / "hyperfine" / "v1.15.0-basic" / "hyperfine.json",
        fixtures / "locust" / "v2.47.0-failures-exceptions" / "run_stats.csv",
        fixtures / "jmeter" / "v2.13-csv-xml" / "results-header.csv",
    ]
    for other in others:
        sample = read_sample(other)
        assert not GenericCsv().sniff(sample) and not GenericJson().sniff(sample), other
