"""vl-convert, started once per process, compiling Vega-Lite to Vega once per chart shape.

Compiling Vega-Lite to Vega costs about a third of a chart's drawing, and charts of one shape (reportgen.charts.
shapes) differ only in their data. So a spec's datasets are taken out (their names, hashes of the values, made
positional), the rest compiled once per process (:func:`_vega_template`), and each chart's own datasets put back
into the Vega spec where its placeholders are: the same Vega that compiling the whole spec gives, drawn by
``vega_to_svg``. If a placeholder is not found exactly where expected, the chart is compiled whole.
``tests/test_vega_templates.py`` checks that every chart of the example gets the bytes of a whole compile.

Not done, measured: most of what is left of a chart's cost is measuring its labels (1–1.5 ms of cpu each).
vl-convert holds a system font as a file that it opens and maps again about twenty times per label; with only
its embedded Liberation Sans (fontconfig given an empty folder) a 100-label chart costs 29 ms instead of 140, but
its embedded copy and Debian's fonts-liberation (1.07.4) lay out some labels differently: 2 px of width in 5 of
197 charts of a 20-release site, so the SVG bytes would change. Loading system fonts into memory once is
vl-convert's to do (fontdb's ``make_shared_face_data``).
"""

from __future__ import annotations

import json
from functools import lru_cache
from types import ModuleType
from typing import Any


@lru_cache(maxsize=1)
def engine() -> ModuleType:
    """The vl_convert module (imported on first use: starting its JavaScript engine costs a second, once)."""
    import vl_convert

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
    skeleton = _replaced({k: v for k, v in spec.items() if k != "datasets"}, tokens)
    skeleton["datasets"] = {_TOKEN.format(slot): _placeholder(slot) for slot in range(len(datasets))}
    template = _vega_template(json.dumps(skeleton, sort_keys=True))
    names = {token: name for name, token in tokens.items()}
    vega: dict[str, Any] = _replaced(template, names)  # a new tree: the template stays as compiled
    if _TOKEN_PREFIX in json.dumps(vega):  # a name inside a longer string (an expression): not a template's
        return None
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
def _vega_template(skeleton: str) -> dict[str, Any]:
    compiled: dict[str, Any] = engine().vegalite_to_vega(json.loads(skeleton))
    return compiled


def _replaced(value: Any, names: dict[str, str]) -> Any:
    """A copy of ``value`` with every string that is one of ``names``' keys replaced by its value."""
    if isinstance(value, str):
        return names.get(value, value)
    if isinstance(value, dict):
        return {_replaced(k, names): _replaced(v, names) for k, v in value.items()}
    if isinstance(value, list):
        return [_replaced(item, names) for item in value]
    return value
