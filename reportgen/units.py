"""Units: parse, check and convert quantities.

Every unit belongs to one dimension and has a factor to that dimension's
canonical unit. Values are compared and computed in canonical units:

=========  =========  ===================================================
dimension  canonical  units
=========  =========  ===================================================
time       ms         ns, us (µs), ms, s, min, h
ratio      ratio      ratio (0..1), % (percent)
rate       /s         /s, req/s (rps), events/s, iter/s, ops/s, /min
bytes      B          B, kB, MB, GB (SI), KiB, MiB, GiB
count      count      count, requests, events, iterations, tests, ...
none       (empty)    a plain number (k6 ``contains: default`` trends)
=========  =========  ===================================================

Converting between dimensions raises :class:`UnitError`: a latency in ms can
never be compared with a throughput in req/s.

Arithmetic over quantities (derived metrics, ``projected.from``) is done by pint on a registry
built from this table (:func:`quantity`, :func:`magnitude`): time and bytes are base dimensions,
a rate is one over time, ratios, counts and plain numbers are dimensionless. So ``requests /
duration`` with the duration in ms comes out per millisecond and is converted into the declared
``req/s``, and a result of another dimension than its declared unit is an error.
"""

from __future__ import annotations

import difflib
import math
import re
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any, TypeAlias

from reportgen.errors import UnitError

if TYPE_CHECKING:
    import pint

    #: A number with its unit as pint computes with it (imported lazily: most commands never need it).
    Amount: TypeAlias = pint.Quantity[Any]


@dataclass(frozen=True)
class Unit:
    symbol: str
    dimension: str
    factor: float  # multiply a value in this unit by factor to get the canonical unit


_UNITS: dict[str, Unit] = {}


def _add(dimension: str, factor: float, *symbols: str) -> None:
    for symbol in symbols:
        _UNITS[symbol] = Unit(symbols[0], dimension, factor)


_add("time", 1e-6, "ns", "nsec", "nanoseconds")
_add("time", 1e-3, "us", "µs", "μs", "usec", "microseconds")
_add("time", 1.0, "ms", "msec", "millis", "milliseconds")
_add("time", 1000.0, "s", "sec", "seconds")
_add("time", 60_000.0, "min", "minutes")
_add("time", 3_600_000.0, "h", "hours")
_add("ratio", 1.0, "ratio")
_add("ratio", 0.01, "%", "percent")
_add("rate", 1.0, "/s", "per_s")
# One spelling per rate: "rps" and "requests/s" are read, "req/s" is what every page writes.
_add("rate", 1.0, "req/s", "requests/s", "rps")
_add("rate", 1.0, "iter/s", "iterations/s")
for _name in ("events", "ops", "msgs", "tx"):
    _add("rate", 1.0, f"{_name}/s")
_add("rate", 1 / 60, "/min", "req/min", "rpm")
_add("bytes", 1.0, "B", "bytes")
_add("bytes", 1e3, "kB", "KB")
_add("bytes", 1e6, "MB")
_add("bytes", 1e9, "GB")
_add("bytes", 1024.0, "KiB")
_add("bytes", 1024.0**2, "MiB")
_add("bytes", 1024.0**3, "GiB")
_add("bytes/s", 1.0, "B/s")
_add("bytes/s", 1e3, "kB/s", "KB/s")
_add("bytes/s", 1e6, "MB/s")
_add("count", 1.0, "count", "requests", "events", "iterations", "tests", "samples", "errors", "rounds", "users", "vus")
_add("none", 1.0, "")


def unit(symbol: str) -> Unit:
    """Return the unit for ``symbol`` or raise UnitError listing the known ones."""
    try:
        return _UNITS[symbol.strip()]
    except KeyError:
        raise UnitError(f"unknown unit {symbol!r}; known units: {', '.join(known_symbols())}") from None


def known_symbols() -> list[str]:
    return sorted({u.symbol for u in _UNITS.values() if u.symbol})


def closest_unit(number: float, symbol: str, value: float) -> str | None:
    """The unit of ``symbol``'s dimension in which ``number`` comes nearest to ``value`` (given in ``symbol``).

    For a unit slip's hint: ``250`` against a value of 0.15 s is nearest as ``250 ms``.
    """
    own = unit(symbol)
    if own.dimension == "none" or value == 0 or number == 0:
        return None
    best: tuple[float, str] | None = None
    for candidate in sorted({u.symbol for u in _UNITS.values() if u.dimension == own.dimension}):
        if candidate == own.symbol:
            continue
        in_own = number * unit(candidate).factor / own.factor
        distance = abs(math.log10(abs(in_own / value)))
        if best is None or distance < best[0]:
            best = (distance, candidate)
    return best[1] if best is not None and best[0] < math.log10(SLIP_HINT) else None


#: A hinted unit must bring the threshold within this factor of the value.
SLIP_HINT = 20.0


def is_unit(symbol: str) -> bool:
    return symbol.strip() in _UNITS


def convert(value: float, from_unit: str, to_unit: str) -> float:
    """Convert ``value`` between units of one dimension; raise UnitError across dimensions."""
    source, target = unit(from_unit), unit(to_unit)
    if source.dimension != target.dimension:
        raise UnitError(
            f"cannot compare {from_unit or 'a plain number'} ({source.dimension}) "
            f"with {to_unit or 'a plain number'} ({target.dimension})"
        )
    if source.symbol == target.symbol:
        return value
    return value * source.factor / target.factor


_QUANTITY = re.compile(r"^\s*(?P<number>[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?)\s*(?P<unit>\S*)\s*$")


def parse_quantity(text: str) -> tuple[float, str]:
    """Parse ``"200 ms"``, ``"0.2s"``, ``"1 %"`` or ``"42"`` into (value, unit symbol).

    Raises ValueError (for pydantic to report) when the text is not a number with a known unit.
    """
    match = _QUANTITY.match(text)
    if not match:
        raise ValueError(f'expected a number with a unit, got "{text}"')
    symbol = match.group("unit")
    if not is_unit(symbol):
        close = difflib.get_close_matches(symbol, [s for s in _UNITS if s], n=1)
        hint = f'; did you mean "{close[0]}"?' if close else f"; known units: {', '.join(known_symbols())}"
        raise ValueError(f'unknown unit "{symbol}" in "{text}"{hint}')
    value = float(match.group("number"))
    if not math.isfinite(value):
        raise ValueError(f'"{text}": {match.group("number")} is too large for a number (it would be infinity)')
    return value, unit(symbol).symbol


#: What a bare per-second rate counts, by the tool's metric name: an adapter writes ``/s`` for k6's ``http_reqs``
#: rate or Locust's ``requests`` rate, and the page writes ``req/s``, as for a rate the manifest declares.
_RATE_OF = {
    "http_reqs": "req/s",
    "requests": "req/s",
    "thread_requests": "req/s",
    "grpc_reqs": "req/s",
    "iterations": "iter/s",
    "ops": "ops/s",
}


def spelled(symbol: str, metric: str = "") -> str:
    """The one spelling of a unit wherever a figure is shown: its symbol's (``rps`` → ``req/s``), and for a bare
    ``/s`` rate of a tool metric that counts something named (``http_reqs``), that thing's rate (``req/s``).
    Unknown symbols are returned as given (they are refused elsewhere, with the file and line)."""
    if not is_unit(symbol):
        return symbol
    own = unit(symbol).symbol
    return _RATE_OF.get(metric, own) if own == "/s" else own


def format_value(value: float | None, symbol: str) -> str:
    """Human form of a value: thousands separators, at most 4 significant decimals, unit after a thin gap."""
    if value is None:
        return "—"
    if symbol == "ratio":
        value, symbol = value * 100, "%"
    if value != value:  # NaN
        return "NaN"
    value += 0.0  # -0.0 (a tool's "-0", a product with a negative factor) reads 0, never "-0 ms"
    magnitude = abs(value)
    if magnitude == 0 or magnitude >= 1000 or float(value).is_integer():
        text = f"{value:,.0f}" if float(value).is_integer() or magnitude >= 1000 else f"{value:,.2f}"
    elif magnitude >= 100:
        text = f"{value:,.1f}"
    elif magnitude >= 1:
        text = f"{value:,.2f}"
    else:
        text = f"{value:.4g}"
    if symbol in ("", "count"):
        return text
    if symbol == "%":
        return f"{text} %"
    return f"{text} {symbol}"


#: Each dimension's canonical unit written for pint; ratio, count and none are all dimensionless.
_PINT = {
    "time": "ms",
    "ratio": "dimensionless",
    "rate": "1 / s",
    "bytes": "B",
    "bytes/s": "B / s",
    "count": "dimensionless",
    "none": "dimensionless",
}


@cache
def registry() -> pint.UnitRegistry[Any]:
    """A pint registry holding only reportgen's dimensions (pint's full registry takes half a second to load)."""
    import pint

    ureg: pint.UnitRegistry[Any] = pint.UnitRegistry(None)
    ureg.define("ms = [time]")
    ureg.define("s = 1000 * ms")
    ureg.define("B = [bytes]")
    return ureg


def quantity(value: float, symbol: str) -> Amount:
    """``value`` in ``symbol`` as a pint quantity in its dimension's canonical unit."""
    u = unit(symbol)
    return registry().Quantity(value * u.factor, _PINT[u.dimension])


def dimension_of(q: Amount) -> str:
    """The reportgen name of a quantity's dimension, or pint's (``[time] ** 2``) when it is none of ours."""
    if q.dimensionless:
        return "plain number (a count or a ratio)"
    for name, spelled in _PINT.items():
        if spelled != "dimensionless" and q.dimensionality == registry().Quantity(1, spelled).dimensionality:
            return name
    return str(q.dimensionality)


def magnitude(q: Amount, symbol: str) -> float:
    """The number ``q`` is in ``symbol``; UnitError when the dimensions differ."""
    import pint

    u = unit(symbol)
    try:
        return float(q.to(_PINT[u.dimension]).magnitude) / u.factor
    except pint.DimensionalityError:
        declared = "a plain number" if u.dimension in ("ratio", "count", "none") else f"a {u.dimension} unit"
        raise UnitError(
            f"the expression gives a {dimension_of(q)} quantity, but unit {symbol!r} is {declared}"
        ) from None


def format_change(delta: float, symbol: str) -> str:
    """``+201.8 ms``; a change of a percentage is in percentage points (``+8.33 pp``), not percent."""
    sign = "+" if delta > 0 else ""
    if unit(symbol).dimension == "ratio":
        points = convert(delta, symbol, "%")
        return f"{sign}{format_value(points, '')} pp"
    return sign + format_value(delta, symbol)
