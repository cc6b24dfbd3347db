"""Mojibake: UTF-8 text that was decoded with a single-byte code page somewhere on its way ("âœ…" for "✅").

Detection and repair are ftfy's (``fix_encoding_and_explain``: Windows-1252, Latin-1, the other
Windows code pages, CP437, …). ftfy does not flag Mac Roman damage such as ``‚úÖ`` (it is
plausible text character by character), so one narrow rule is added for it: a run of characters
whose Mac Roman bytes are UTF-8 for a character of three or four bytes (symbols, arrows, emoji).
Two-byte sequences are left alone there, since ordinary text such as ``“École`` would match them.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

import ftfy

#: ftfy's encoding names as people know them.
_ENCODING_NAMES = {
    "sloppy-windows-1252": "Windows-1252",
    "windows-1252": "Windows-1252",
    "latin-1": "Latin-1",
    "sloppy-windows-1250": "Windows-1250",
    "sloppy-windows-1251": "Windows-1251",
    "sloppy-windows-1253": "Windows-1253",
    "sloppy-windows-1254": "Windows-1254",
    "sloppy-windows-1257": "Windows-1257",
    "iso-8859-2": "ISO-8859-2",
    "macroman": "Mac Roman",
    "cp437": "CP437",
}
_NON_ASCII = re.compile(r"[^\x00-\x7f]+")


@dataclass(frozen=True)
class Mojibake:
    """One damaged stretch of a line: where it starts (1-based), what it says, and what was meant."""

    line: int
    column: int
    damaged: str
    repaired: str
    encoding: str  # the code page the UTF-8 bytes were wrongly decoded with

    def message(self) -> str:
        return (
            f"{self.damaged!r} is mojibake (UTF-8 read as {self.encoding}); "
            f"did you mean {self.repaired!r}? Re-save the file as UTF-8"
        )


def _decoded_with(explanation: list[tuple[str, str]]) -> str:
    encodings = [arg for step, arg in explanation if step == "encode"]
    if encodings:
        return _ENCODING_NAMES.get(encodings[0], encodings[0])
    if ("apply", "decode_inconsistent_utf8") in explanation:  # ftfy's repair of Windows-1252 stretches in good text
        return "Windows-1252"
    return "a single-byte code page"


def _differences(original: str, repaired: str) -> list[tuple[int, str, str]]:
    """(0-based column, damaged text, repaired text) for each stretch that repair changed."""
    matcher = difflib.SequenceMatcher(None, original, repaired, autojunk=False)
    spans: list[list[int]] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        # Widen to the whole non-ASCII stretch, so "Âµs" → "µs" reports "Âµ" → "µ", not "Â" → "".
        # Outside an opcode both strings are equal, so the widening is the same on each side.
        left = 0
        while i1 - left > 0 and not original[i1 - left - 1].isascii():
            left += 1
        right = 0
        while i2 + right < len(original) and not original[i2 + right].isascii():
            right += 1
        span = [i1 - left, i2 + right, j1 - left, j2 + right]
        if spans and span[0] <= spans[-1][1]:
            spans[-1][1], spans[-1][3] = span[1], span[3]
        else:
            spans.append(span)
    return [(i1, original[i1:i2], repaired[j1:j2]) for i1, i2, j1, j2 in spans]


def _utf8_length(lead: int) -> int:
    return 3 if 0xE0 <= lead <= 0xEF else 4 if 0xF0 <= lead <= 0xF4 else 0


def _mac_roman(line: str) -> list[tuple[int, str, str]]:
    """Stretches whose Mac Roman bytes are UTF-8 for characters of 3-4 bytes: ``‚úÖ`` → ``✅``."""
    found: list[tuple[int, str, str]] = []
    for run in _NON_ASCII.finditer(line):
        text, index = run.group(0), 0
        start, damaged, repaired = -1, "", ""
        while index < len(text):
            try:
                lead = text[index].encode("mac_roman")[0]
                size = _utf8_length(lead)
                char = text[index : index + size].encode("mac_roman").decode("utf-8") if size else ""
            except (UnicodeEncodeError, UnicodeDecodeError):
                char = ""
            if char and len(text[index : index + size]) == size:
                start = run.start() + index if start < 0 else start
                damaged, repaired, index = damaged + text[index : index + size], repaired + char, index + size
                continue
            if damaged:
                found.append((start, damaged, repaired))
                start, damaged, repaired = -1, "", ""
            index += 1
        if damaged:
            found.append((start, damaged, repaired))
    return found


def find_mojibake(text: str, first_line: int = 1) -> list[Mojibake]:
    """Every damaged stretch in ``text``, line by line, with its repair (lines numbered from ``first_line``)."""
    found: list[Mojibake] = []
    for number, line in enumerate(text.splitlines(), start=first_line):
        if line.isascii():
            continue
        fixed = ftfy.fix_encoding_and_explain(line)
        if fixed.text != line:
            encoding = _decoded_with(list(fixed.explanation or []))
            stretches = _differences(line, fixed.text)
        else:
            encoding, stretches = "Mac Roman", _mac_roman(line)
        found.extend(Mojibake(number, column + 1, bad, good, encoding) for column, bad, good in stretches)
    return found


def repair(text: str) -> str:
    """``text`` with every stretch :func:`find_mojibake` reports replaced by its repair; line ends kept."""
    lines = text.splitlines(keepends=True)
    for finding in sorted(find_mojibake(text), key=lambda f: (f.line, -f.column)):
        line = lines[finding.line - 1]
        at = finding.column - 1
        lines[finding.line - 1] = line[:at] + finding.repaired + line[at + len(finding.damaged) :]
    return "".join(lines)
