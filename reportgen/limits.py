"""Every bound on the work one input can cause: one named constant each, in one place.

Inputs come from killed runs, spreadsheets and strangers: a 0.5 KB YAML alias bomb, a gzip bomb, JSON or
XML nested a million deep, an expression of a million terms. Each limit below is far above what a real
tool or a person writes, and a refusal names the file and the limit (site_docs/guide/limits.md lists them;
``tests/test_docs.py`` checks that every constant here is documented there).
"""

from __future__ import annotations

import datetime as dt
from itertools import accumulate

KIB, MIB, GIB = 1024, 1024**2, 1024**3

#: release.yaml and signoffs.yaml: bytes read at most (a manifest is a few KB; comments count).
MAX_MANIFEST_BYTES = 256 * KIB
#: A section's Markdown file (``sections[].file``): bytes read at most (a long findings page is some 50 KB).
MAX_SECTION_BYTES = 1 * MIB
#: YAML nodes a document may stand for once every alias is expanded (a billion-laughs document: billions).
MAX_YAML_NODES = 100_000
#: Levels of nesting of JSON arrays/objects, YAML collections and XML elements.
MAX_NESTING = 100
#: Bytes a gzip artifact may expand to.
MAX_DECOMPRESSED_BYTES = 16 * GIB
#: How many times its compressed size a gzip artifact may expand to, once past MAX_RATIO_FREE_BYTES.
MAX_GZIP_RATIO = 200
#: Decompressed bytes exempt from MAX_GZIP_RATIO (tiny files compress extremely well).
MAX_RATIO_FREE_BYTES = 1 * MIB
#: Bytes of a JSON, XML or binary artifact that is read whole into memory (streams are read line by line).
MAX_DOCUMENT_BYTES = 512 * MIB
#: Bytes above which a raw copy in the site is stored gzip-compressed (unless its format is compressed already).
RAW_COPY_GZIP_ABOVE = 5 * MIB
#: Characters of one line of a text artifact (CSV, NDJSON, logs).
MAX_LINE_CHARS = 16 * MIB
#: Characters of a derived-metric or ``projected.from`` expression.
MAX_EXPRESSION_CHARS = 2000
#: Depth of the tree of a derived expression (``a + b + c`` is depth 3; use ``sum(a, b, c)`` for long sums).
MAX_EXPRESSION_DEPTH = 100
#: Seconds a per-second series may span (about 11.6 days): every second of it is a point, the empty ones as 0.
MAX_SERIES_SECONDS = 1_000_000
#: Values a summary of counts (Locust JSON's response-time buckets) is expanded to for noise tests and charts;
#: counts beyond it are scaled down in proportion (a few bytes can claim billions of requests).
MAX_EXPANDED_SAMPLES = 10_000_000
#: Dates a release or sign-off may carry: a build stamps them into gzip and zip headers (32-bit seconds since 1970).
EARLIEST_DATE = dt.date(1970, 1, 1)
LATEST_DATE = dt.date(2106, 2, 6)
#: The largest SOURCE_DATE_EPOCH a build accepts (the 32-bit timestamp of gzip headers).
MAX_SOURCE_DATE_EPOCH = 2**32 - 1


def size(count: float) -> str:
    """A byte count for messages: 1 MiB, 512 MiB, 16 GiB, 3.2 KiB."""
    for unit, scale in (("GiB", GIB), ("MiB", MIB), ("KiB", KIB)):
        if count >= scale:
            value = count / scale
            return f"{value:.0f} {unit}" if value == int(value) else f"{value:.1f} {unit}"
    return f"{count:.0f} bytes"


def series_too_long(first: float, last: float) -> str | None:
    """Why a per-second series from second ``first`` to ``last`` is refused, or None when it is not."""
    seconds = int(last) - int(first) + 1
    if seconds <= MAX_SERIES_SECONDS:
        return None
    return (
        f"its timestamps span {seconds:,} seconds, more than the {MAX_SERIES_SECONDS:,} a per-second series "
        "may (MAX_SERIES_SECONDS); a damaged timestamp?"
    )


_DELTA = [0] * 256
_DELTA[ord("[")] = _DELTA[ord("{")] = 1
_DELTA[ord("]")] = _DELTA[ord("}")] = -1
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")


def bracket_depth_exceeds(text: str, limit: int = MAX_NESTING) -> int | None:
    """The offset in ``text`` (JSON) where nesting first goes deeper than ``limit``, or None.

    Counting runs in C: most documents (every NDJSON line) have fewer brackets than the limit and are
    answered by two ``str.count`` calls.
    """
    if text.count("[") + text.count("{") <= limit:
        return None
    brackets = text.encode("utf-8", "surrogatepass").translate(None, _NOT_BRACKETS)
    if max(accumulate(map(_DELTA.__getitem__, brackets)), default=0) <= limit:
        return None  # brackets inside strings may still be the reason; find the real depth exactly
    return _first_too_deep(text, limit)


def _first_too_deep(text: str, limit: int) -> int | None:
    """Exact scan (strings skipped) for the offset where depth passes ``limit``; only run on suspects."""
    depth, in_string, escaped = 0, False, False
    for offset, char in enumerate(text):
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > limit:
                return offset
        elif char in "]}":
            depth -= 1
    return None


def open_brackets_exceed(text: str, limit: int = MAX_NESTING) -> int | None:
    """The offset where more than ``limit`` ``[``/``{`` are open at once, counting every bracket (quotes
    and comments too, so nothing can hide them), or None. For YAML, whose scanner slows quadratically with
    flow nesting: run before parsing, on text already capped by MAX_MANIFEST_BYTES."""
    if text.count("[") + text.count("{") <= limit:
        return None
    depth = 0
    for offset, char in enumerate(text):
        if char in "[{":
            depth += 1
            if depth > limit:
                return offset
        elif char in "]}" and depth:
            depth -= 1
    return None


def line_and_column(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of ``offset`` in ``text``."""
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1
