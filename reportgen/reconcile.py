"""Two artifacts of one run can disagree (Locust rewrites its CSV on an interval, so the final
``_stats.csv`` lags the ``--json`` totals). Say so, and say which file each metric used."""

from __future__ import annotations

from itertools import combinations

from reportgen.schemas.report import Artifact

#: Statistics whose disagreement between two files of the same run is worth a warning.
_TOTALS = ("count",)


def disagreements(artifacts: list[Artifact]) -> list[str]:
    """One warning per pair of artifacts of the same scenario whose shared totals differ."""
    warnings: list[str] = []
    for first, second in combinations(artifacts, 2):
        if first.scenario is None or first.scenario != second.scenario:
            continue
        totals = {m.key(): m.value for m in first.extraction.measurements if m.stat in _TOTALS and not m.labels}
        for m in second.extraction.measurements:
            other = totals.get(m.key())
            if other is None or m.value is None or other == m.value:
                continue
            lagging, leading = (first, second) if other < m.value else (second, first)
            warnings.append(
                f"scenario {first.scenario}: {m.metric} {m.stat} is {other:,.0f} in {first.path} but "
                f"{m.value:,.0f} in {second.path}. Files written during a run can lag the final numbers "
                f"({lagging.path} looks older than {leading.path}); each metric uses the file its manifest entry names."
            )
    return warnings
