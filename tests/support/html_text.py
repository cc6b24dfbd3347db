"""Read built HTML as a browser would: visible text, and every element with its attributes."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class Page:
    text: str  # visible text, whitespace collapsed as HTML shows it
    elements: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    scripts: list[str] = field(default_factory=list)  # inline script bodies


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.scripts: list[str] = []
        self._in: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, {k: v or "" for k, v in attrs}))
        if tag in ("script", "style", "title"):
            self._in.append(tag)
        self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if self._in and self._in[-1] == tag:
            self._in.pop()
        self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if self._in and self._in[-1] == "script":
            self.scripts.append(data)
        elif not self._in or self._in[-1] == "title":
            self.parts.append(data)


def read(html: str) -> Page:
    reader = _Reader()
    reader.feed(html)
    reader.close()
    return Page(_HTML_SPACE.sub(" ", "".join(reader.parts)).strip(" "), reader.elements, reader.scripts)


#: What HTML collapses: space, tab, LF, FF, CR (not U+2028 or NBSP, which Python's str.split() also splits on).
_HTML_SPACE = re.compile(r"[ \t\n\f\r]+")


def normalise(text: str) -> str:
    """What a page shows for text: whitespace runs as one space, control characters as their symbols."""
    from reportgen.markup import printable

    return _HTML_SPACE.sub(" ", printable(text)).strip(" ")
