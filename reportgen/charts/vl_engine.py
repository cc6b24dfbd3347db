"""vl-convert, started once per process, laying text out with its own embedded fonts only, compiling Vega-Lite
once per chart shape.

Vega measures every label it draws (axis labels, titles, value labels) to lay a chart out, and vl-convert does
that measuring in Rust against a font database it builds once per process, on first use, from the system's
fonts (fontconfig's folders) plus the Liberation Sans it embeds. Two reasons to leave the system's fonts out:

* The same inputs must give the same bytes on every machine. With system fonts, a chart's layout depended on
  which fonts a machine had installed: Debian's fonts-liberation (1.07, which chromium brings) kerns some digit
  pairs unlike the embedded Liberation Sans (2.x), 2 px of layout in 5 of 197 charts of a 20-release site, so a
  site built on a laptop without that package differed from the one CI built.
* Speed. A system font is held as a file, and each measurement opens and maps it again, about twenty times per
  label: 1–1.5 ms of cpu per label, most of the cost of a chart with many labels (a 100-label chart: 140 ms,
  29 ms with embedded fonts).

So the database is built while ``FONTCONFIG_FILE`` names a configuration whose only font folder is empty:
vl-convert then finds no system font and measures with the Liberation Sans it carries in memory (its default
``sans-serif``, the family every chart names: reportgen.charts.specs.FONT). The variable is set for that one
moment and restored: nothing else in the process (or started by it, such as Chromium for the PDF) sees it.
``tests/test_chart_fonts.py`` checks both.

Compiling Vega-Lite to Vega costs about a third of a chart's drawing, and charts of one shape (reportgen.charts.
shapes) differ only in their data. So a spec's datasets are taken out (their names, hashes of the values, made
positional), the rest compiled once per process (:func:`_vega_template`), and each chart's own datasets put back
into the Vega spec where its placeholders are: the same Vega that compiling the whole spec gives, drawn by
``vega_to_svg``. If a placeholder is not found exactly where expected, the chart is compiled whole.
``tests/test_vega_templates.py`` checks that every chart of the example gets the bytes of a whole compile.
Templates are kept in the build's cache too (``.reportgen-cache/vega_templates/``, by the skeleton and
vl-convert's version), so a later build compiles only shapes no build compiled before.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import threading
from functools import lru_cache
from pathlib import Path
from types import ModuleType
from typing import Any
from xml.sax.saxutils import escape

from reportgen.cache import derived

_FONTCONFIG = "FONTCONFIG_FILE"
#: Which fonts lay charts out, for the chart cache's key: an SVG laid out with other fonts is not reused.
FONTS = "embedded fonts only"
#: A Vega spec with one label: measuring it builds vl-convert's font database.
_ONE_LABEL: dict[str, Any] = {
    "width": 10,
    "height": 10,
    "marks": [{"type": "text", "encode": {"enter": {"text": {"value": "reportgen"}}}}],
}
_LOCK = threading.Lock()


@lru_cache(maxsize=1)
def engine() -> ModuleType:
    """The vl_convert module, its font database built from its embedded fonts only (once per process)."""
    import vl_convert  # imported here: starting its JavaScript engine costs a second, once

    with _LOCK, tempfile.TemporaryDirectory(prefix="reportgen-fonts-") as folder:
        empty = Path(folder, "no-fonts")
        empty.mkdir()
        config = Path(folder, "fonts.conf")
        config.write_text(f"<?xml version='1.0'?>\n<fontconfig><dir>{escape(str(empty))}</dir></fontconfig>\n")
        before = os.environ.get(_FONTCONFIG)
        os.environ[_FONTCONFIG] = str(config)
        try:
            vl_convert.vega_to_svg(_ONE_LABEL)
        finally:
            if before is None:
                del os.environ[_FONTCONFIG]
            else:
                os.environ[_FONTCONFIG] = before
    return vl_convert


def vegalite_to_svg(spec: dict[str, Any]) -> str:
    """vl-convert's SVG of a Vega-Lite spec, compiled through its shape's Vega template (given as a dict: its
    JSON-text input rounds some doubles)."""
    vega = _filled(spec)
    svg: str = engine().vega_to_svg(vega) if vega is not None else engine().vegalite_to_svg(spec)
    return svg


#: Vega templates kept per process; a report has a few chart shapes per kind.
TEMPLATES = 1024
#: A dataset's name in a template: positional, zero-padded so that names sort as the real ones (hashes) did.
_TOKEN = "reportgen-dataset-{:04d}"
_TOKEN_PREFIX = "reportgen-dataset-"


def _placeholder(slot: int) -> list[dict[str, int]]:
    return [{"reportgen-dataset": slot}]


def _filled(spec: dict[str, Any]) -> dict[str, Any] | None:
    """The Vega spec of ``spec``: its shape's template with its own dataset names and values, or None when the
    template does not hold each placeholder once, as a data source's values."""
    datasets: dict[str, Any] = spec.get("datasets", {})
    tokens = {name: _TOKEN.format(slot) for slot, name in enumerate(datasets)}
    skeleton = json.loads(_renamed(json.dumps({k: v for k, v in spec.items() if k != "datasets"}), tokens))
    skeleton["datasets"] = {_TOKEN.format(slot): _placeholder(slot) for slot in range(len(datasets))}
    # The template as JSON text: each token, a whole JSON string, gets its dataset's name; parsing it then makes a
    # new tree (the template stays as compiled) faster than copying one.
    template = _vega_template(json.dumps(skeleton, sort_keys=True))
    template = _renamed(template, {token: name for name, token in tokens.items()})
    if _TOKEN_PREFIX in template:  # a name inside a longer string (an expression): not a template's
        return None
    vega: dict[str, Any] = json.loads(template)
    values = list(datasets.values())
    placed = [0] * len(values)
    for source in vega.get("data", []):
        found = source.get("values")
        if isinstance(found, list) and len(found) == 1 and isinstance(found[0], dict):
            slot = found[0].get("reportgen-dataset")
            if isinstance(slot, int) and 0 <= slot < len(values) and found == _placeholder(slot):
                source["values"] = values[slot]
                placed[slot] += 1
    if placed != [1] * len(values):
        return None
    return vega


@lru_cache(maxsize=TEMPLATES)
def _vega_template(skeleton: str) -> str:
    """The Vega that vl-convert compiles ``skeleton`` (Vega-Lite, as JSON text) to, as JSON text."""
    from importlib.metadata import version

    def compile_skeleton() -> str:
        return json.dumps(engine().vegalite_to_vega(json.loads(skeleton)))

    key = f"vl-convert-python {version('vl-convert-python')}\0{skeleton}"
    return derived("vega_templates", key, compile_skeleton)


def _renamed(text: str, names: dict[str, str]) -> str:
    """JSON ``text`` (as ``json.dumps`` writes it) with every string that is one of ``names``' keys (the whole
    string, as a key or a value) replaced by its value. A whole string follows ``[``, ``{`` or the space of a
    separator; the same characters after an escaped quote are the end of a longer string (a label), left as it is."""
    for old, new in names.items():
        whole = re.compile(r"(?<=[\[{ ])" + re.escape(json.dumps(old)))
        text = whole.sub(json.dumps(new).replace("\\", "\\\\"), text)  # a backslash in it is one
    return text
