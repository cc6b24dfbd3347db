"""Comparison rows as people read them: signed changes with the precision their uncertainty allows. Pure.

Used by the release page and by ``reportgen compare``. A tested change shows two significant
digits of its interval's half-width (``+202 ms``, interval ``+186 to +215 ms``); an untested one
three significant digits of the larger value, so no ``+0.7155 ms`` stands beside values of three
digits. Changes of percentages are in percentage points (pp).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

from reportgen import units
from reportgen.compare_stats import METHOD, decimals
from reportgen.project import Project
from reportgen.samples import SampleSource
from reportgen.schemas.report import ComparisonRow


@dataclass(frozen=True)
class ChangeText:
    delta: str  # "+202 ms"
    interval: str  # "+186 to +215 ms", or "—"
    samples: str  # "60 → 34", or "—"
    percent: str  # "+188.2 %", or "—"


def _display(row: ComparisonRow) -> tuple[str, float]:
    """The unit changes are written in, and the factor from the row's unit to it (ratios → percentage points)."""
    if units.unit(row.unit).dimension == "ratio":
        return "pp", units.convert(1.0, row.unit, "%")
    return row.unit, 1.0


def _number(value: float, places: int, unit: str, signed: bool = True) -> str:
    text = f"{value:+,.{places}f}" if signed else f"{value:,.{places}f}"
    if text.lstrip("+-").strip("0.,") == "":
        text = f"{0:.{places}f}"  # never "-0" or "+0.0": no change is no change
    return f"{text} {unit}".rstrip() if unit not in ("", "count") else text


def change_text(row: ComparisonRow) -> ChangeText:
    unit, factor = _display(row)
    percent = "—" if row.delta_percent is None else f"{row.delta_percent:+.1f} %"
    if row.delta is None:
        return ChangeText("—", "—", "—", percent)
    delta = row.delta * factor
    if row.low is not None and row.high is not None:
        low, high = row.low * factor, row.high * factor
        places = decimals((high - low) / 2, delta)
        interval = f"{_number(low, places, '')} to {_number(high, places, unit)}"
        samples = f"{row.n_baseline:,} → {row.n_current:,}"
        if row.subsampled:
            samples += " (bootstrapped on a seeded subsample of 10,000 each)"
        return ChangeText(_number(delta, places, unit), interval, samples, percent)
    largest = max(abs(row.baseline or 0.0) * factor, abs(row.current or 0.0) * factor)
    whole = all(float(v * factor).is_integer() for v in (row.baseline or 0.0, row.current or 0.0))
    places = 0 if largest == 0 or whole or delta == 0 else max(0, min(6, 2 - math.floor(math.log10(largest))))
    return ChangeText(_number(delta, places, unit), "—", "—", percent)


def verdict_word(row: ComparisonRow) -> str:
    """The word a row gets; a projected side is never a measured change."""
    if "projected" in (row.baseline_provenance, row.current_provenance) and row.delta is not None:
        return "not tested for noise (projected)"
    return row.change


def must_regressions(rows: list[ComparisonRow]) -> list[ComparisonRow]:
    """Rows whose metric a must-target judges (directly or by a guard) and that regressed significantly."""
    return [r for r in rows if r.severity == "must" and r.change == "regressed"]


def compare_releases(project: Project, old: str, new: str) -> list[ComparisonRow]:
    """``reportgen compare OLD NEW``: both releases analysed, NEW's figures against OLD's, tested for noise."""
    from reportgen.analyse import analyse
    from reportgen.compare import compare

    by_id = {r.id: r for r in analyse(project, [old, new])}
    return compare(by_id[new], by_id[old], SampleSource.of(project))


def as_json(rows: list[ComparisonRow], old: str, new: str) -> dict[str, Any]:
    return {
        "baseline": old,
        "current": new,
        "method": METHOD,
        "significant_must_regressions": [r.metric for r in must_regressions(rows)],
        "rows": [{**r.model_dump(mode="json"), "text": asdict(change_text(r)), "word": verdict_word(r)} for r in rows],
    }


def as_text(rows: list[ComparisonRow], old: str, new: str) -> str:
    """The comparison as a terminal table, most important rows first."""
    head = ("metric", old, new, "change", "95 % interval", "samples", "noise test")
    lines: list[tuple[str, ...]] = [head]
    for r in rows:
        text = change_text(r)
        word = verdict_word(r) + (f" [{r.severity}]" if r.severity else "")
        lines.append(
            (
                r.metric,
                units.format_value(r.baseline, r.unit),
                units.format_value(r.current, r.unit),
                text.delta,
                text.interval,
                text.samples,
                word,
            )
        )
    widths = [max(len(line[i]) for line in lines) for i in range(len(head))]
    out = ["  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)).rstrip() for line in lines]
    out.append(f"Tested: {METHOD}; significant when the interval excludes 0.")
    return "\n".join(out)
