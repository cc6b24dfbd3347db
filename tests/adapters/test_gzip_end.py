"""A gzip k6 stream read by DuckDB itself while its end is read beside the query (reportgen/adapters/_gzip_end.py):
what that read finds (a bomb, damage, a cut last line) decides before any figure is used."""

from __future__ import annotations

import gzip
import zlib
from pathlib import Path

import pytest

from reportgen import limits
from reportgen.adapters import _gzip_end, _k6_samples_sql
from reportgen.adapters import k6_stream as k6
from reportgen.errors import ArtifactError

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT / "tests/fixtures/real/k6/two-scenarios/stream.ndjson.gz"  # 20 MB of text: most of it read beside


def _newlines(total: int) -> bytes:
    """A gzip member of ``total`` newlines (about a thousand to one)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = b"\n" * limits.MIB
    return b"".join([*(packer.compress(block) for _ in range(total // limits.MIB)), packer.flush()])


def test_a_bomb_past_the_read_ahead_is_refused_while_duckdb_reads_the_gzip_file(tmp_path: Path) -> None:
    """A real stream followed by a gzip member of 512 MiB of newlines is refused by its expansion ratio, named by
    the limit, though DuckDB reads the gzip file itself and the first bytes read ahead are a real stream's."""
    path = tmp_path / "stream.ndjson.gz"
    path.write_bytes(SOURCE.read_bytes() + _newlines(512 * limits.MIB))
    with pytest.raises(ArtifactError, match="limit MAX_GZIP_RATIO"):
        k6.K6JsonStream().read(path)


def test_the_samples_read_of_a_gzip_stream_refuses_a_bomb_past_the_read_ahead(tmp_path: Path) -> None:
    """The raw samples' read, which DuckDB also does from the gzip file itself, refuses the same bomb by the limit."""
    path = tmp_path / "stream.ndjson.gz"
    path.write_bytes(SOURCE.read_bytes() + _newlines(512 * limits.MIB))
    with pytest.raises(ArtifactError, match="limit MAX_GZIP_RATIO"):
        _k6_samples_sql.read(path, k6._ndjson_rows)


def test_text_past_the_decompressed_limit_is_refused_beside_the_query(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A well compressed stream whose text passes MAX_DECOMPRESSED_BYTES beyond the read-ahead is refused with that
    limit by the read beside the query, which interrupts the query."""
    monkeypatch.setattr(limits, "MAX_DECOMPRESSED_BYTES", 5 * limits.MIB)
    interrupted: list[bool] = []
    original = _gzip_end.GzipEnd._read

    def read(end: _gzip_end.GzipEnd) -> None:
        original(end)
        interrupted.append(end._refused is not None)

    monkeypatch.setattr(_gzip_end.GzipEnd, "_read", read)
    with pytest.raises(ArtifactError, match="limit MAX_DECOMPRESSED_BYTES"):
        k6.K6JsonStream().read(SOURCE)
    assert interrupted == [True]


def test_a_gzip_csv_past_the_decompressed_limit_is_refused_before_its_query(monkeypatch: pytest.MonkeyPatch) -> None:
    """A gzip k6 CSV, inflated to its plain copy before DuckDB reads it, is refused with MAX_DECOMPRESSED_BYTES
    when its text passes it."""
    monkeypatch.setattr(limits, "MAX_DECOMPRESSED_BYTES", 5 * limits.MIB)
    with pytest.raises(ArtifactError, match="limit MAX_DECOMPRESSED_BYTES"):
        k6.K6CsvStream().read(SOURCE.with_name("stream.csv.gz"))


def test_a_gzip_file_whose_crc_is_wrong_goes_to_the_line_reader(tmp_path: Path) -> None:
    """A gzip stream whose CRC is wrong, which DuckDB reads without checking, is not reduced from DuckDB's read: the
    line reader names the damage, as when the scan ran before the query."""
    packed = bytearray(SOURCE.read_bytes())
    packed[-6] ^= 0xFF  # in the trailer's CRC-32
    path = tmp_path / "stream.ndjson.gz"
    path.write_bytes(bytes(packed))
    with pytest.raises(ArtifactError, match="cannot read: CRC check failed"):
        k6.K6JsonStream().read(path)


def test_a_gzip_file_duckdb_cannot_read_is_read_through_its_plain_copy(tmp_path: Path) -> None:
    """A gzip stream padded with zero bytes after its end (a tape or block device's padding, which Python's gzip
    reads and DuckDB refuses) reduces in SQL, read again through the scan's plain copy, to the line reader's
    figures."""
    path = tmp_path / "stream.ndjson.gz"
    path.write_bytes(SOURCE.read_bytes() + bytes(512))
    fast = k6.reduce_with_duckdb("k6", path, k6._ndjson_rows, [], [])
    assert fast is not None, "the SQL path declined a readable gzip file"
    collector, warnings = k6.read_ndjson(path)
    slow = k6._extraction("k6", collector, warnings)
    assert [m.model_dump() for m in fast.measurements] == [m.model_dump() for m in slow.measurements]
    assert (fast.series, fast.info, fast.warnings) == (slow.series, slow.info, slow.warnings)


def test_a_gzip_file_cut_short_still_gives_its_complete_lines_with_a_warning(tmp_path: Path) -> None:
    """A gzip stream whose compressed data ends early past the read-ahead (k6 killed before it closed the file) is
    read up to its last complete line with the line reader's warning, as before."""
    packed = SOURCE.read_bytes()
    path = tmp_path / "stream.ndjson.gz"
    path.write_bytes(packed[: len(packed) * 3 // 4])
    extraction = k6.K6JsonStream().read(path)
    assert [w.message for w in extraction.warnings][-1].startswith("the compressed file ends early")
    assert 0 < int(extraction.info["points"]) < gzip.decompress(SOURCE.read_bytes()).count(b'"type":"Point"')
