"""Vega-Lite specs → static SVG (vl-convert, in process; no JavaScript on the page), made safe to inline.

Inlined SVGs share the page's id space, and vl-convert numbers its clip paths ``clip1``,
``clip2`` … in every chart: each chart's ids get the chart's own prefix so they stay unique
per page. The SVG is wrapped so that its text stays out of the search index
(``data-search-exclude``) and reads to assistive technology as one image with the chart's
alternative text.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Callable
from typing import Any

from markupsafe import escape

from reportgen.cache import chart_svg, code_digest, derived
from reportgen.charts import vl_engine
from reportgen.markup import printable

_ID = re.compile(r'\bid="([^"]+)"')
_SVG_OPEN = re.compile(r"^<svg\b")


def text(value: object) -> str:
    """Plain text for HTML (text nodes and attribute values): the one escaping helper of the charts.
    Control characters show as their symbols, as everywhere else (reportgen.markup.printable)."""
    return str(escape(printable(value)))


def prefix_ids(svg: str, prefix: str) -> str:
    """Give every id defined in ``svg`` the prefix, and every reference to it (``url(#…)``, ``href="#…"``)."""
    for found in sorted(set(_ID.findall(svg)), key=len, reverse=True):
        new = f"{prefix}-{found}"
        svg = svg.replace(f'id="{found}"', f'id="{new}"')
        svg = svg.replace(f"url(#{found})", f"url(#{new})")
        svg = svg.replace(f'href="#{found}"', f'href="#{new}"')
    return svg


def model_text(model: object) -> str:
    """A chart model (a dataclass) as canonical JSON text: two models of the same text draw the same chart. The
    text of ``dataclasses.asdict``, without its deep copy of every row (a sixth of a chart's cost when cached)."""
    return json.dumps(model, sort_keys=True, default=_plain)


def _plain(value: object) -> object:
    """A dataclass as the dict of its fields; any other value JSON cannot write, as text."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {field.name: getattr(value, field.name) for field in dataclasses.fields(value)}
    return str(value)


def model_svg(model: object, spec: Callable[[], dict[str, Any]]) -> str:
    """The SVG of a chart model (a dataclass): from the cache when the same chart code drew the same model before,
    else :func:`to_svg` of ``spec()``. Building a spec with Altair costs more than drawing it, so a rebuild that
    changed one release builds the specs of that release's charts only."""
    # Kept apart from the SVGs by spec (charts/): an entry there is a chart vl-convert drew.
    return derived("chart_models", f"chart model {code_digest()}\0{model_text(model)}", lambda: to_svg(spec()))


def to_svg(spec: dict[str, Any]) -> str:
    """The SVG of a Vega-Lite spec; the same spec always gives the same bytes."""
    from importlib.metadata import version

    # A canonical JSON text: dict order never changes the rendering's input (nor the cache key). Every string
    # made printable first: vl-convert aborts the whole process on a NUL in a label (an endpoint name).
    text = json.dumps(_printable(spec), sort_keys=True)

    def draw() -> str:
        return rounded(vl_engine.vegalite_to_svg(json.loads(text)).replace("\r", "").replace("\n", " ").strip())

    drawn_by = f"vl-convert-python {version('vl-convert-python')}, {vl_engine.FONTS}, {_GEOMETRY_KEY}"
    return chart_svg(text, drawn_by, draw)


#: Digits kept after the point in an SVG's geometry: a tenth of a pixel, below what a screen shows at any zoom a
#: page is read at. Vega writes path data to a thousandth and translations in full (``116.07692307692308``): on a
#: release page of 16 charts that was 27 KiB of 735.
GEOMETRY_DECIMALS = 1
_GEOMETRY_KEY = f"geometry to {GEOMETRY_DECIMALS} decimal(s)"  # in the cache key: SVGs drawn before are not reused
#: The attributes that hold only geometry (path data and transforms); labels and other text keep their digits.
_GEOMETRY = re.compile(r'(?<= )(d|transform)="([^"]*)"')
_NUMBER = re.compile(r"-?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?")


def rounded(svg: str) -> str:
    """``svg`` with the numbers of its path data and transforms to :data:`GEOMETRY_DECIMALS` places (integers as
    they are, ``-0`` as ``0``): the same drawing, to the eye, in fewer bytes."""

    def number(match: re.Match[str]) -> str:
        digits = match.group(0)
        if "." not in digits and "e" not in digits.lower():
            return digits
        shown = f"{float(digits):.{GEOMETRY_DECIMALS}f}".rstrip("0").rstrip(".")
        return "0" if shown == "-0" else shown

    return _GEOMETRY.sub(lambda m: f'{m.group(1)}="{_NUMBER.sub(number, m.group(2))}"', svg)


#: Characters beyond U+FFFF: Vega shortens a long label by UTF-16 code units, which can split one into a lone
#: surrogate that vl-convert then fails on (or aborts the process with). In the SVG only they show as U+FFFD;
#: the page's table of the numbers drawn and the alternative text keep them.
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


def _printable(value: Any) -> Any:
    """The spec with control characters and lone surrogates in its strings shown as symbols (as on the page)."""
    if isinstance(value, str):
        return _ASTRAL.sub("\ufffd", printable(value).replace("\f", " "))  # a form feed aborts vl-convert too
    if isinstance(value, dict):
        return {_printable(k): _printable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_printable(v) for v in value]
    return value


def inline(svg: str, chart_id: str, alt: str) -> str:
    """The SVG as one line of HTML: ids prefixed, one image named by ``alt`` for screen readers."""
    svg = prefix_ids(svg, chart_id)
    title = f'<title id="{chart_id}-title">{text(alt)}</title>'
    svg = _SVG_OPEN.sub(f'<svg role="img" aria-labelledby="{chart_id}-title"', svg, count=1)
    return svg.replace(">", ">" + title, 1)
