"""Bounded work for any input: bombs, deep nesting and huge inputs are refused with the file and the limit.

Each input is generated here (big or binary) and checked by a real ``reportgen check`` in a subprocess whose
address space is capped, so a regression fails with a MemoryError instead of taking the machine's memory.
"""

from __future__ import annotations

import gzip
import resource
import subprocess
import sys
import zlib
from pathlib import Path

from reportgen import limits
from reportgen.scaffold import init

ROOT = Path(__file__).resolve().parents[2]
MEMORY_CAP = 3 * limits.GIB

MANIFEST = """\
release: v1
title: Bounds
date: 2026-10-01
status: final
artifacts:
  - {{path: {path}, format: {format}}}
"""


def _cap_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))


def check(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`reportgen check` in a memory-capped subprocess (a safety net, not a timing assertion)."""
    return subprocess.run(
        [sys.executable, "-m", "reportgen.cli", "-C", str(root), "check", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        preexec_fn=_cap_memory,
    )


def project(tmp_path: Path, manifest: str, files: dict[str, bytes] | None = None) -> Path:
    root = tmp_path / "repo"
    init(root)
    release = root / "results/v1"
    release.mkdir(parents=True)
    (release / "release.yaml").write_text(manifest, encoding="utf-8")
    for relative, content in (files or {}).items():
        (release / relative).parent.mkdir(parents=True, exist_ok=True)
        (release / relative).write_bytes(content)
    return root


def refused(result: subprocess.CompletedProcess[str], *needles: str) -> None:
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr and "MemoryError" not in result.stderr, result.stderr[-3000:]
    for needle in needles:
        assert needle in result.stderr, result.stderr


def alias_bomb(levels: int = 9) -> str:
    """The 0.5 KB "billion laughs": 9 levels of 9 aliases each, 9**9 strings once expanded."""
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, levels + 1):
        lines.append(f"a{level}: &a{level} [" + ", ".join([f"*a{level - 1}"] * 9) + "]")
    return "\n".join(lines) + "\n"


def gzip_of(chunk: bytes, total: int) -> bytes:
    """``total`` bytes of ``chunk`` repeated, gzipped, without holding them in memory."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = chunk * (limits.MIB // len(chunk))
    parts = [packer.compress(block) for _ in range(total // len(block))]
    return b"".join([*parts, packer.flush()])


def test_yaml_alias_bomb_in_release_yaml_is_refused(tmp_path: Path) -> None:
    """A 0.5 KB alias bomb in release.yaml, even under an unknown key, is refused before any expansion."""
    root = project(tmp_path, MANIFEST.format(path="x.json", format="generic-json") + "extra:\n" + _indent(alias_bomb()))
    refused(check(root), "release.yaml:", "limit MAX_YAML_NODES")


def test_yaml_alias_bomb_in_signoffs_yaml_is_refused(tmp_path: Path) -> None:
    """An alias bomb in signoffs.yaml is refused the same way, naming signoffs.yaml."""
    root = project(tmp_path, "release: v1\ntitle: t\ndate: 2026-10-01\n", {"signoffs.yaml": alias_bomb().encode()})
    refused(check(root), "signoffs.yaml:", "limit MAX_YAML_NODES")


def test_deep_yaml_flow_nesting_is_refused(tmp_path: Path) -> None:
    """Flow collections nested 50,000 deep (quadratic in ruamel's scanner) are refused before parsing."""
    root = project(tmp_path, "release: v1\nx: " + "[" * 50_000 + "]" * 50_000 + "\n")
    refused(check(root), "release.yaml:2:", "limit MAX_NESTING")


def test_deep_yaml_block_nesting_is_refused(tmp_path: Path) -> None:
    """Block sequences nested hundreds deep are refused with the limit, not a RecursionError."""
    root = project(tmp_path, "release: v1\nx:\n" + "".join(" " * (i + 1) + "- \n" for i in range(600)))
    refused(check(root), "release.yaml", "limit MAX_NESTING")


def test_megabytes_of_comments_are_refused_by_size(tmp_path: Path) -> None:
    """A manifest of 4 MB of comments is refused by its size, naming the limit, without parsing it."""
    root = project(tmp_path, "release: v1\n" + "# a comment that goes on and on and on\n" * 100_000)
    refused(check(root), "release.yaml: larger than 256 KiB", "limit MAX_MANIFEST_BYTES")


def test_gzip_bomb_of_lines_is_refused(tmp_path: Path) -> None:
    """128 MiB of newlines in a 130 KB gzip (a stream read line by line) is refused by its expansion ratio."""
    bomb = gzip_of(b"\n", 128 * limits.MIB)
    root = project(
        tmp_path, MANIFEST.format(path="k6/stream.ndjson.gz", format="k6-json-stream"), {"k6/stream.ndjson.gz": bomb}
    )
    refused(check(root), "stream.ndjson.gz", "limit MAX_GZIP_RATIO")


def test_gzip_bomb_of_one_document_is_refused(tmp_path: Path) -> None:
    """A gzip JSON document of 128 MiB of spaces is refused by its expansion ratio before it is held in memory."""
    bomb = gzip_of(b" ", 128 * limits.MIB)
    root = project(
        tmp_path, MANIFEST.format(path="summary.json.gz", format="k6-summary-export"), {"summary.json.gz": bomb}
    )
    refused(check(root), "summary.json.gz", "limit MAX_GZIP_RATIO")


def test_endless_line_is_refused(tmp_path: Path) -> None:
    """A text artifact with a 20 MB line is refused at that line, naming the limit."""
    content = b"\n" + b"x" * (20 * limits.MIB)
    root = project(tmp_path, MANIFEST.format(path="stream.ndjson", format="k6-json-stream"), {"stream.ndjson": content})
    refused(check(root), "stream.ndjson:2:", "limit MAX_LINE_CHARS")


def test_deep_json_is_refused_with_position(tmp_path: Path) -> None:
    """JSON nested 100,000 deep is refused at the bracket that passes the limit, not with a RecursionError."""
    root = project(
        tmp_path,
        MANIFEST.format(path="summary.json", format="k6-summary-export"),
        {"summary.json": b'{"metrics": ' + b"[" * 100_000},
    )
    refused(check(root), "summary.json:1:112:", "limit MAX_NESTING")


def test_deep_json_line_in_a_stream_is_refused(tmp_path: Path) -> None:
    """One deeply nested NDJSON line amid a real k6 stream is refused at its line."""
    real = gzip.decompress((ROOT / "tests/fixtures/real/k6/v1.1.0-groups-thresholds/stream.ndjson.gz").read_bytes())
    lines = real.splitlines(keepends=True)[:20]
    deep = b'{"type":"Point","data":' + b"[" * 5_000 + b"]" * 5_000 + b"}\n"
    content = b"".join([lines[0], deep, *lines[1:]])
    root = project(tmp_path, MANIFEST.format(path="stream.ndjson", format="k6-json-stream"), {"stream.ndjson": content})
    refused(check(root), "stream.ndjson:2:", "limit MAX_NESTING")


def test_deep_xml_is_refused(tmp_path: Path) -> None:
    """A 280 KB JUnit file of elements nested 40,000 deep is refused, not expanded into gigabytes of paths."""
    content = b"<testsuites>" + b"<a>" * 40_000 + b"</a>" * 40_000 + b"</testsuites>"
    root = project(tmp_path, MANIFEST.format(path="junit.xml", format="junit-xml"), {"junit.xml": content})
    refused(check(root), "junit.xml:1:", "limit MAX_NESTING")


def test_large_xml_text_node_is_read(tmp_path: Path) -> None:
    """A JUnit suite with a 40 MB <system-out> is read (text pieces joined once, not re-concatenated)."""
    content = (
        b'<testsuite name="s" tests="1" failures="0" errors="0" skipped="0" time="1.0">'
        b'<testcase classname="c" name="t" time="1.0"/><system-out>'
        + b"log line\n" * (40 * limits.MIB // 9)
        + b"</system-out></testsuite>"
    )
    root = project(tmp_path, MANIFEST.format(path="junit.xml", format="junit-xml"), {"junit.xml": content})
    result = check(root)
    assert result.returncode in (0, 1) and "Traceback" not in result.stderr, result.stderr[-3000:]


def _derived(expression: str) -> str:
    return (
        "release: v1\ntitle: t\ndate: 2026-10-01\nmetrics:\n"
        "  - {id: a, projected: {value: 1 ms, method: guess, basis: none}}\n"
        f"  - id: b\n    unit: ms\n    derived: {expression}\n"
    )


def test_huge_derived_expression_is_refused(tmp_path: Path) -> None:
    """A derived expression of 100,000 characters is refused by its length, not with a parser traceback."""
    root = project(tmp_path, _derived("a" + " + a" * 25_000))
    refused(check(root), "limit MAX_EXPRESSION_CHARS")


def test_deep_derived_expression_is_refused(tmp_path: Path) -> None:
    """A derived expression 300 operations deep is refused by its depth, with the sum(...) spelling offered."""
    root = project(tmp_path, _derived("a" + "+a" * 300))
    refused(check(root), "limit MAX_EXPRESSION_DEPTH", "sum(a, b, …)")


def test_every_limit_is_documented() -> None:
    """Every limit constant of reportgen/limits.py is named in site_docs/guide/limits.md."""
    guide = (ROOT / "site_docs/guide/limits.md").read_text(encoding="utf-8")
    for name in (n for n in vars(limits) if n.isupper() and not n.startswith("_") and n not in ("KIB", "MIB", "GIB")):
        assert f"`{name}`" in guide, f"{name} is not documented in site_docs/guide/limits.md"


def _indent(text: str) -> str:
    return "".join(f"  {line}\n" for line in text.splitlines())


def test_gzip_of_writes_what_it_says() -> None:
    """The bomb helper makes real gzip data of the stated size (so the bomb tests test bombs)."""
    assert len(gzip.decompress(gzip_of(b"ab", 2 * limits.MIB))) == 2 * limits.MIB


def test_section_file_over_the_limit_is_refused_where_release_yaml_names_it(tmp_path: Path) -> None:
    """A section's Markdown file over MAX_SECTION_BYTES is refused with release.yaml's position, the file and the
    limit, instead of being read and scanned whole."""
    manifest = "release: v1\ntitle: t\ndate: 2026-10-01\nsections:\n  - {title: Findings, file: findings.md}\n"
    body = b"Findings.\n" * (limits.MAX_SECTION_BYTES // 10 + 1)
    root = project(tmp_path, manifest, {"findings.md": body})
    refused(
        check(root, "v1"),
        "release.yaml:5:",
        "'findings.md'",
        "MAX_SECTION_BYTES",
        limits.size(limits.MAX_SECTION_BYTES),
    )


def test_section_file_at_the_limit_is_read(tmp_path: Path) -> None:
    """A section file of exactly MAX_SECTION_BYTES is still accepted (the limit is inclusive)."""
    manifest = "release: v1\ntitle: t\ndate: 2026-10-01\nsections:\n  - {title: Findings, file: findings.md}\n"
    body = b"Findings.\n" * (limits.MAX_SECTION_BYTES // 10) + b"x" * (limits.MAX_SECTION_BYTES % 10)
    root = project(tmp_path, manifest, {"findings.md": body})
    result = check(root, "v1")
    assert "MAX_SECTION_BYTES" not in result.stderr and "Traceback" not in result.stderr, result.stderr
