"""The raw excerpt that holds a figure: the JSON member, the CSV row, the XML element, the text line, or for a
reduction over a stream its query and sample count. Shown by ``reportgen explain`` and on evidence pages.

Each artifact is parsed once for all its selectors; a selector this module cannot follow gets no excerpt
(the selector itself stays on the page), never a guess.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reportgen.adapters._base import CsvTable, iter_lines, load_json, read_csv
from reportgen.adapters._xml import XmlElement, parse_xml
from reportgen.errors import ReportgenError
from reportgen.schemas.measurement import Measurement
from reportgen.schemas.report import Artifact

#: Longest excerpt shown on a page; the terminal shows it whole.
SHORT = 160


@dataclass(frozen=True)
class Excerpt:
    """Where in the file, the raw text (for a terminal), and one line with the value first (for a page)."""

    where: str  # "line 3, column 'Requests/s'", "member of /metrics/http_reqs", "a reduction over the stream"
    text: str
    brief: str

    def short(self) -> str:
        text = " ".join(self.brief.split())
        return text if len(text) <= SHORT else text[: SHORT - 1] + "…"


def _pointer_tokens(pointer: str) -> list[str]:
    return [t.replace("~1", "/").replace("~0", "~") for t in pointer.split("/")[1:]]


def _json_excerpt(document: Any, pointer: str) -> Excerpt | None:
    node = document
    tokens = _pointer_tokens(pointer)
    for token in tokens:
        if isinstance(node, dict) and token in node:
            node = node[token]
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        else:
            return None
    if not tokens:
        text = json.dumps(node, ensure_ascii=False)
        return Excerpt("the whole document", text, text)
    parent = "/" + "/".join(t.replace("~", "~0").replace("/", "~1") for t in tokens[:-1])
    member = json.dumps(tokens[-1], ensure_ascii=False) + ": " + json.dumps(node, ensure_ascii=False)
    return Excerpt(f"member of {parent if len(tokens) > 1 else 'the top level'}", member, member)


_CELL = re.compile(r"^csv:row\[(?P<row>(?:\\.|[^\]])*)\]/col\[(?P<col>(?:\\.|[^\]])*)\]$")


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


def _split(text: str, separator: str) -> list[str]:
    parts, current, escaped = [], "", False
    for char in text:
        if escaped:
            current += "\\" + char
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == separator:
            parts.append(current)
            current = ""
        else:
            current += char
    parts.append(current)
    return parts


def _csv_excerpt(table: CsvTable, selector: str, lines: list[str]) -> Excerpt | None:
    match = _CELL.match(selector)
    if match is None:
        return None
    row_key = match["row"]
    column = _unescape(match["col"])
    if row_key.isdigit():
        index = int(row_key) - 1
        found = table.rows[index] if 0 <= index < len(table.rows) else None
    else:
        wanted = {_unescape(k): _unescape(v) for k, v in (_split(p, "=") for p in _split(row_key, ","))}
        found = next((r for r in table.rows if all(r[1].get(k) == v for k, v in wanted.items())), None)
    if found is None or column not in table.header:
        return None
    line, row = found
    header = lines[0] if lines else ",".join(table.header)
    text = lines[line - 1] if 0 < line <= len(lines) else ",".join(row.values())
    cell = f"{column} = {row[column]}"
    return Excerpt(f"line {line}, column {column!r}", f"{header}\n{text}\n{cell}", f"{cell} (line {line}: {text})")


def _xml_excerpt(root: XmlElement, selector: str) -> Excerpt | None:
    steps = selector.removeprefix("xml:/").split("/")
    attribute = steps.pop()[1:] if steps and steps[-1].startswith("@") else None
    node: XmlElement | None = root if steps and steps[0] == root.tag else None
    for step in steps[1:]:
        if node is None:
            return None
        tag, _, index = step.partition("[")
        same = node.find_all(tag)
        position = int(index.rstrip("]")) - 1 if index else 0
        node = same[position] if 0 <= position < len(same) else None
    if node is None:
        return None
    attributes = " ".join(f'{k}="{v}"' for k, v in node.attrib.items())
    element = f"<{node.tag}{' ' + attributes if attributes else ''}>"
    if attribute is None:
        return Excerpt(f"line {node.line}", element, f"{element} (line {node.line})")
    value = f"@{attribute} = {node.attrib.get(attribute, '(absent)')}"
    return Excerpt(f"line {node.line}", f"{element}\n{value}", f"{value} in {element} (line {node.line})")


_Slice = tuple[str, tuple[tuple[str, str], ...]]


def _slice(m: Measurement) -> _Slice:
    """Metric and labels: what a statistic and its sample count share."""
    metric, _, labels = m.key()
    return metric, labels


def _counts(measurements: Iterable[Measurement]) -> dict[_Slice, float | None]:
    """(metric, labels) → the first ``count`` recorded for it: built once per artifact, so that a stream of
    thousands of measurements is not scanned once for each of them."""
    counts: dict[_Slice, float | None] = {}
    for m in measurements:
        if m.stat == "count":
            counts.setdefault(_slice(m), m.value)
    return counts


def _query_excerpt(selector: str, count: float | None) -> Excerpt:
    samples = f"over {count:,.0f} samples" if count is not None else "sample count not recorded"
    text = f"{selector.removeprefix('query:')} ({samples})"
    return Excerpt("a reduction over the stream", text, text)


def excerpts(release_dir: Path, artifact: Artifact) -> dict[str, Excerpt]:
    """Selector → excerpt for every measurement of one artifact (parsed once); unreadable parts are left out."""
    path = release_dir / artifact.path
    measurements = artifact.extraction.measurements
    found: dict[str, Excerpt] = {}
    schemes = {m.selector.partition(":")[0] for m in measurements}
    counts = _counts(measurements) if "query" in schemes else {}
    try:
        raw_lines = [line for _, line in iter_lines(path)] if schemes & {"json", "csv", "text"} else []
        document = load_json(path) if "json" in schemes else None
        root = parse_xml(path) if "xml" in schemes else None
        table = read_csv(path) if "csv" in schemes else None
    except ReportgenError:
        return found
    for m in measurements:
        scheme, _, rest = m.selector.partition(":")
        excerpt: Excerpt | None = None
        try:
            if scheme == "json" and document is not None:
                excerpt = _json_excerpt(document, rest)
            elif scheme == "csv" and table is not None:
                excerpt = _csv_excerpt(table, m.selector, raw_lines)
            elif scheme == "xml" and root is not None:
                excerpt = _xml_excerpt(root, m.selector)
            elif scheme == "text" and (line := re.match(r"line\[(\d+)\]", rest)):
                number = int(line.group(1))
                if 0 < number <= len(raw_lines):
                    excerpt = Excerpt(
                        f"line {number}", raw_lines[number - 1], f"line {number}: {raw_lines[number - 1]}"
                    )
            elif scheme == "query":
                excerpt = _query_excerpt(m.selector, counts.get(_slice(m)))
        except (ReportgenError, ValueError, IndexError):
            excerpt = None
        if excerpt is not None:
            found[m.selector] = excerpt
    return found


def page_excerpts(release_dir: Path, artifacts: Iterable[Artifact]) -> dict[str, dict[str, str]]:
    """Artifact path → selector → the one-line excerpt an evidence page shows under a figure."""
    return {a.path: {selector: e.short() for selector, e in excerpts(release_dir, a).items()} for a in artifacts}
