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
    charts: list[str] = []

    def hold(found: re.Match[str]) -> str:
        charts.append(found.group(0))
        return _PLACEHOLDER.format(len(charts) - 1)

    return _CHART_LINE.sub(hold, markdown), charts


def restore(html: str, charts: list[str], page: str) -> str:
    """The page's HTML with each placeholder replaced by its chart; BuildError unless each came back once."""
    seen: list[int] = []

    def put(found: re.Match[str]) -> str:
        index = int(found.group(1))
        if index >= len(charts):
            return found.group(0)  # not one of ours: counted below
        seen.append(index)
        return charts[index]

    restored = _PLACEHOLDERS.sub(put, html) if charts else html
    if sorted(seen) != list(range(len(charts))):
        raise BuildError(
            f"{page}: {len(charts)} chart SVGs were lifted out of the Markdown but {len(seen)} placeholders came back "
            "in the HTML; a Markdown extension or plugin changed them"
        )
    return restored
