"""Inline chart SVGs kept out of MkDocs' Markdown and search passes, and put back into the finished page.

A release page is about half inline SVG (:mod:`reportgen.charts.svg`: one line per chart, inside a
``<figure data-search-exclude>``). MkDocs passes that raw HTML through unchanged, but only after
Python-Markdown's HTML block parser, its tree processors and MkDocs' anchor and link checks walked every
element, and Material's search plugin parsed it again only to drop it: that was most of MkDocs' time on a
release page. So the ``reportgen`` plugin lifts each chart line out of the Markdown of reportgen's own pages
before conversion, leaving a comment in its place, and puts the same bytes back into the page's finished HTML.
The page and the search index come out byte for byte as before.

Only whole lines reportgen itself writes are lifted (an ``<svg role="img" aria-labelledby="…-title"`` line,
which escaped or sanitised text from manifests and artifacts cannot produce). A placeholder that does not come
back exactly once stops the build instead of publishing a page without its chart.

The numbers under each chart (a ``<details class="rg-chart-data">`` block of escaped text, written by the
``chart`` macro) are raw HTML too, and Python-Markdown's HTML block parser (``md_in_html``) cost about two thirds
of a release page's conversion on them, to pass them through unchanged. They are lifted the same way
(:func:`lift_blocks`) and put back into the page's HTML as soon as Markdown made it (:func:`restore_blocks`, in the
plugin's ``page_content``), so the search plugin, the link checks and the theme see the very HTML they saw before.
"""

from __future__ import annotations

import re

from reportgen.errors import BuildError

#: One chart as :func:`reportgen.charts.svg.inline` writes it: a whole line.
_CHART_LINE = re.compile(r'^<svg role="img" aria-labelledby="[^"\n]*-title"[^\n]*</svg>$', re.MULTILINE)
_PLACEHOLDER = "<!--reportgen-chart-{}-->"
_PLACEHOLDERS = re.compile(r"<!--reportgen-chart-(\d+)-->")


def lift(markdown: str) -> tuple[str, list[str]]:
    """The Markdown with each chart line replaced by a numbered placeholder, and the lines in that order."""
    return _hold(markdown, _CHART_LINE, _PLACEHOLDER)


def restore(html: str, charts: list[str], page: str) -> str:
    """The page's HTML with each placeholder replaced by its chart; BuildError unless each came back once."""
    return _put_back(html, charts, _PLACEHOLDERS, page, "chart SVGs")


#: The numbers under one chart as the ``chart`` macro writes them: whole lines, from the opening tag to its end.
_DATA_BLOCK = re.compile(r'^<details class="rg-chart-data">\n(?:(?!</details>)[^\n]*\n)*</details>$', re.MULTILINE)
_BLOCK_PLACEHOLDER = "<!--reportgen-html-{}-->"
_BLOCK_PLACEHOLDERS = re.compile(r"<!--reportgen-html-(\d+)-->")


def lift_blocks(markdown: str) -> tuple[str, list[str]]:
    """The Markdown with each chart's block of numbers replaced by a numbered placeholder, and the blocks."""
    return _hold(markdown, _DATA_BLOCK, _BLOCK_PLACEHOLDER)


def restore_blocks(html: str, blocks: list[str], page: str) -> str:
    """Markdown's HTML with each block put back; BuildError unless each placeholder came back once."""
    return _put_back(html, blocks, _BLOCK_PLACEHOLDERS, page, "blocks of chart numbers")


def _hold(markdown: str, pattern: re.Pattern[str], placeholder: str) -> tuple[str, list[str]]:
    """``markdown`` with each match of ``pattern`` replaced by ``placeholder`` numbered in order, and the matches."""
    held: list[str] = []

    def hold(found: re.Match[str]) -> str:
        held.append(found.group(0))
        return placeholder.format(len(held) - 1)

    return pattern.sub(hold, markdown), held


def _put_back(html: str, held: list[str], placeholders: re.Pattern[str], page: str, what: str) -> str:
    seen: list[int] = []

    def put(found: re.Match[str]) -> str:
        index = int(found.group(1))
        if index >= len(held):
            return found.group(0)  # not one of ours: counted below
        seen.append(index)
        return held[index]

    restored = placeholders.sub(put, html) if held else html
    if sorted(seen) != list(range(len(held))):
        raise BuildError(
            f"{page}: {len(held)} {what} were lifted out of the Markdown but {len(seen)} placeholders came back "
            "in the HTML; a Markdown extension or plugin changed them"
        )
    return restored
