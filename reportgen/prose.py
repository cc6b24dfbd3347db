"""Where the prose is in Markdown text: everything outside fenced code blocks and inline code spans.

Citations render only in prose and the narrative lint reads only prose, so that a number in a code
block, or a citation shown as an example inside backticks, stays exactly as written.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from reportgen.errors import Position

_FENCE = re.compile(r"^ {0,3}(?P<fence>`{3,}|~{3,})")
_CODE_SPAN = re.compile(r"(?P<ticks>`+)(?:.|\n)*?(?<!`)(?P=ticks)(?!`)")


def _closes(line: str, found: str, opening: str) -> bool:
    """A closing fence: the opening's character, at least as long, and nothing else on the line."""
    return found[0] == opening[0] and len(found) >= len(opening) and not line.strip().strip(opening[0])


def _code_blocks(text: str) -> list[tuple[int, int]]:
    """Offsets of fenced code blocks (fence lines included); an unclosed fence runs to the end, as in Markdown."""
    blocks: list[tuple[int, int]] = []
    offset, opened, fence = 0, -1, ""
    for line in text.splitlines(keepends=True):
        match = _FENCE.match(line)
        if opened < 0 and match:
            opened, fence = offset, match.group("fence")
        elif opened >= 0 and match and _closes(line, match.group("fence"), fence):
            blocks.append((opened, offset + len(line)))
            opened = -1
        offset += len(line)
    if opened >= 0:
        blocks.append((opened, len(text)))
    return blocks


def code_ranges(text: str) -> list[tuple[int, int]]:
    """Offsets of all code in ``text``: fenced blocks, then inline code spans in what is left."""
    ranges = _code_blocks(text)
    outside = _complement(ranges, len(text))
    for start, end in outside:
        ranges.extend((start + m.start(), start + m.end()) for m in _CODE_SPAN.finditer(text[start:end]))
    return sorted(ranges)


def _complement(ranges: list[tuple[int, int]], length: int) -> list[tuple[int, int]]:
    gaps, at = [], 0
    for start, end in sorted(ranges):
        if start > at:
            gaps.append((at, start))
        at = max(at, end)
    if at < length:
        gaps.append((at, length))
    return gaps


def prose_ranges(text: str) -> list[tuple[int, int]]:
    """Offsets of the prose in ``text`` (the complement of :func:`code_ranges`)."""
    return _complement(code_ranges(text), len(text))


def in_prose(text: str, pattern: re.Pattern[str]) -> Iterator[re.Match[str]]:
    """Matches of ``pattern`` that lie wholly in prose."""
    for start, end in prose_ranges(text):
        yield from pattern.finditer(text, start, end)


@dataclass(frozen=True)
class Origin:
    """Where a text was written: its file, the line and column of its first character, and the indentation
    a YAML block scalar strips from every line (so positions point into the file, not into the string)."""

    source: str
    line: int = 1
    column: int = 1
    indent: int = 0

    def position(self, text: str, offset: int) -> Position:
        """The file position of ``offset`` in ``text``."""
        lines_before = text.count("\n", 0, offset)
        column = offset - (text.rfind("\n", 0, offset) + 1) + 1
        column += self.column - 1 if lines_before == 0 else self.indent
        return Position(self.source, self.line + lines_before, column)
