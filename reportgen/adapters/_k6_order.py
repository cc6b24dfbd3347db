"""File order for the k6 reduction without numbering every line, so that DuckDB scans the file on every core.

Three rules of the line reader depend on file order: metrics come in the order of their first Point line, a
Point before a metric's Metric line makes its kind assumed from its name, and a Gauge's value is the last in time,
ties going to the later line. Numbering each line (``row_number() OVER ()``) gives all three, but DuckDB runs a
numbered scan on one thread (its streaming window keeps a fixed order), and with it the JSON or CSV parsing and
the whole aggregate. So the aggregate reads the file unnumbered, in parallel, and file order comes from:

* :func:`first_lines`: the first Point line of each metric and the first Metric line of each name, from a
  numbered read of a *prefix* of the file (the same rows, ``LIMIT``: DuckDB stops reading there), growing until
  every metric and declaration the aggregate found is in it; k6 declares a metric with its first Point, so the
  first prefix (8Ki lines) nearly always holds them all, and in the worst case the whole file is read once more;
* :func:`resolve_gauge`: a Gauge slice's latest time and the largest and smallest value at that time (and their
  signs: DuckDB keeps ``-0.0`` and ``0.0`` apart only through ``signbit``); one value at the latest time is the
  last value whatever the order; two different ones need the line order, and :class:`FileOrderNeeded` makes the
  reduction run numbered, as before, with the same figures.
"""

from __future__ import annotations

import math
from typing import Any

from reportgen.adapters._duckdb import FileOrderNeeded, fetch

#: Lines in the first numbered prefix (then eight times more each round). k6 writes a metric's first samples
#: with its Metric line, early (the real fixtures' last first sample is within the first 3,700 lines); the
#: numbered read is on one core and in the reducing process's critical path: 65536 lines cost 0.03 s of cpu (up
#: to 0.08 s of wall at load 7) on the 205 MiB benchmark stream, 8192 about half. A stream that needs more
#: reads 72 Ki lines.
FIRST_PREFIX = 8192

#: SQL aggregates (unnumbered read) from which :func:`resolve_gauge` takes a Gauge slice's last value.
GAUGE_HIGH = "max(struct_pack(t := time_ns, v := value, s := signbit(value))) FILTER (WHERE gauge)"
GAUGE_LOW = "max(struct_pack(t := time_ns, v := -value, s := NOT signbit(value))) FILTER (WHERE gauge)"


def resolve_gauge(high: Any, low: Any) -> tuple[float, dict[str, int]]:
    """A Gauge slice's last value and its (time, line) key, line 0, from :data:`GAUGE_HIGH` and :data:`GAUGE_LOW`
    (the largest and the negated smallest value at the latest time); :class:`FileOrderNeeded` when two different
    values (or zeros of two signs) share the latest time, for then only the line order says which is last."""
    top, bottom = dict(high), dict(low)
    if top["v"] != -bottom["v"] or top["s"] == bottom["s"]:
        raise FileOrderNeeded("a Gauge with two values at its latest time")
    return math.copysign(top["v"], -1.0 if top["s"] else 1.0), {"t": top["t"], "r": 0}


def same_value(a: float, b: float) -> bool:
    """``a`` and ``b`` are the same float, zeros' signs included."""
    return a == b and math.copysign(1.0, a) == math.copysign(1.0, b)


def first_lines(
    connection: Any, numbered_rows: str, points: set[str], declared: set[str]
) -> tuple[dict[str, int], dict[str, int]]:
    """The line number (DuckDB's, as the numbered rows give it) of the first Point line of each metric in
    ``points`` and of the first Metric line of each name in ``declared``, from numbered prefixes of the file."""
    limit = FIRST_PREFIX
    while True:
        found = fetch(
            connection,
            f"""SELECT kind, CASE WHEN kind = 'Point' THEN metric ELSE decl_name END, min(rn), max(rn)
                FROM (SELECT rn, kind, metric, decl_name FROM ({numbered_rows}) LIMIT {limit}) GROUP BY ALL""",
        )
        first_point = {name: rn for kind, name, rn, _ in found if kind == "Point"}
        first_declaration = {name: rn for kind, name, rn, _ in found if kind == "Metric"}
        complete = points <= first_point.keys() and declared <= first_declaration.keys()
        if complete:
            return {m: first_point[m] for m in points}, {d: first_declaration[d] for d in declared}
        if max((row[3] for row in found), default=0) < limit:  # the whole file was read: the two reads disagree
            raise FileOrderNeeded("the first lines of a metric not found")
        limit *= 8
