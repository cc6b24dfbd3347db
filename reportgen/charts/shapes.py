"""Each chart's Vega-Lite spec built by Altair once per shape; only the data differs between charts of a shape.

Altair is slow to build a spec (0.1–0.2 s of cpu per chart: copies of the chart objects on every method
call, then jsonschema validation of the whole spec, data included), and a report draws the same charts
release after release with other numbers. So a spec function is split in two:

- a **shape**: everything its look depends on (domains, sizes, titles, which layers are drawn), hashable;
- a **builder** that makes the Altair chart from the shape alone, with placeholders where the data goes.

:func:`spec` builds (and validates) the spec of a shape once per process, then puts each chart's own datasets
in the places Altair put the placeholders, named as Altair names them (a hash of the values), so the spec is
the one Altair would have built from the data itself (``tests/test_chart_shapes.py`` checks that for every
chart of the example). A builder sees only the shape and the placeholders, so nothing else of a chart can
leak into another's spec.

A shape's spec is also kept in the build's cache (``.reportgen-cache/chart_shapes/``, by the builder, the shape and
reportgen's code, :func:`reportgen.cache.code_digest`): a rebuild after a release was added builds no Altair chart
for the shapes earlier builds met (a trend's newest 20 releases are a shape every build meets). The spec goes through
JSON either way, so a kept one and a built one are the same value.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Hashable, Sequence
from functools import lru_cache
from typing import Any

import altair as alt
from altair.vegalite.v6.api import _dataset_name

from reportgen.cache import code_digest, derived

Rows = Sequence[dict[str, Any]]
#: A builder: the shape and one placeholder per dataset (``alt.InlineData``) → the finished spec.
Builder = Callable[[Any, tuple[Any, ...]], dict[str, Any]]
#: Shapes kept per process; a report has a few per chart kind.
SHAPES = 1024


def _name(rows: Any) -> str:
    """A dataset's name as Altair gives it when it moves inline data to the top level (a hash of the values)."""
    return _dataset_name(rows)


def _placeholder(slot: int) -> alt.InlineData:
    return alt.InlineData(values=[{"reportgen-dataset": slot}])


@lru_cache(maxsize=SHAPES)
def _template(builder: Builder, shape: Hashable, slots: tuple[int, ...]) -> dict[str, Any]:
    """The spec of ``shape`` with placeholder data; equal datasets share a placeholder, as equal data would."""

    def build() -> str:
        return json.dumps(builder(shape, tuple(_placeholder(slot) for slot in slots)))

    written = _written(shape)
    if written is None:  # not a shape the cache can name: built in this process only
        return dict(json.loads(build()))
    key = f"{code_digest()}\0{builder.__module__}.{builder.__qualname__}\0{written}\0{list(slots)}"
    return dict(json.loads(derived("chart_shapes", key, build)))


def _written(shape: object) -> str | None:
    """``shape`` as text naming it exactly (each tuple's kind kept: a :class:`Names` is not a plain tuple), or None
    when it holds anything but tuples, strings, numbers, booleans and None."""

    def tagged(value: object) -> object:
        if value is None or isinstance(value, str | bool | int | float):
            return value
        if isinstance(value, tuple) and type(value) in (tuple, Names):
            return {type(value).__name__: [tagged(item) for item in value]}
        raise TypeError(type(value).__name__)

    try:
        return json.dumps(tagged(shape))
    except TypeError:
        return None


class Names(tuple[str, ...]):
    """Names in a shape that the spec holds only as strings, as they are (the releases along a trend's axis):
    charts differing only in them share one build, with numbered stand-ins, and get their own names back."""


_NAME = "reportgen-name-{:04d}"


def _stand_ins(shape: Hashable) -> tuple[Hashable, dict[str, str]]:
    """``shape`` with each :class:`Names` in it numbered, and stand-in → name."""
    if not isinstance(shape, tuple) or not any(isinstance(item, Names) for item in shape):
        return shape, {}
    names: dict[str, str] = {}
    numbered: list[Any] = []
    for item in shape:
        if isinstance(item, Names):
            stand_ins = [_NAME.format(len(names) + at) for at in range(len(item))]
            names.update(zip(stand_ins, item, strict=True))
            item = Names(stand_ins)
        numbered.append(item)
    return tuple(numbered), names


def spec(builder: Builder, shape: Hashable, datasets: Sequence[Rows]) -> dict[str, Any]:
    """The spec ``builder`` makes for ``shape``, with ``datasets`` (in the order of its placeholders) filled in."""
    values = [list(rows) for rows in datasets]
    slots = tuple(values.index(rows) for rows in values)  # the first equal dataset's slot
    shape, stood_for = _stand_ins(shape)
    template = _template(builder, shape, slots)
    if stood_for:  # every string that is a stand-in, outside the data, is its name again
        template = {k: v if k == "datasets" else _strings(v, stood_for) for k, v in template.items()}
    held = template.get("datasets", {})
    names = {_name(_placeholder(slot).values): slot for slot in set(slots)}
    renamed = {name: _name(values[slot]) for name, slot in names.items() if name in held}
    filled: dict[str, Any] = _renamed({k: v for k, v in template.items() if k != "datasets"}, renamed)
    if held:
        kept = {name: copy.deepcopy(rows) for name, rows in held.items() if name not in renamed}
        filled["datasets"] = kept | {renamed[name]: values[names[name]] for name in held if name in renamed}
    return filled


def _strings(value: Any, names: dict[str, str]) -> Any:
    """A copy of ``value`` with each string that is a key of ``names`` replaced by its value."""
    if isinstance(value, str):
        return names.get(value, value)
    if isinstance(value, dict):
        return {key: _strings(item, names) for key, item in value.items()}
    if isinstance(value, list):
        return [_strings(item, names) for item in value]
    return value


def _renamed(value: Any, names: dict[str, str]) -> Any:
    """``value`` with every data reference ``{"name": placeholder}`` pointing at the real dataset's name."""
    if isinstance(value, dict):
        if set(value) == {"name"} and value["name"] in names:
            return {"name": names[value["name"]]}
        return {key: _renamed(item, names) for key, item in value.items()}
    if isinstance(value, list):
        return [_renamed(item, names) for item in value]
    return value
