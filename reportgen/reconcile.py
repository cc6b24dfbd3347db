"""Two artifacts of one run can disagree (Locust rewrites its CSV on an interval, so the final
``_stats.csv`` lags the ``--json`` totals). Say so, and say which file each metric used and why."""

from __future__ import annotations

from itertools import combinations

from reportgen.schemas.manifest import Manifest
from reportgen.schemas.report import Artifact

#: Statistics whose disagreement between two files of the same run is worth a warning.
_TOTALS = ("count",)


def _users(manifest: Manifest, path: str) -> list[str]:
    return [m.id for m in manifest.metrics if m.measured is not None and m.measured.artifact == path]


def disagreements(manifest: Manifest, artifacts: list[Artifact]) -> list[str]:
    """One warning per pair of artifacts of the same scenario whose run totals (labels ``{}``) differ."""
    warnings: list[str] = []
    for first, second in combinations(artifacts, 2):
        if first.scenario is None or first.scenario != second.scenario:
            continue
        totals = {m.key(): m.value for m in first.extraction.measurements if m.stat in _TOTALS and not m.labels}
        differences: list[str] = []
        first_larger = 0
        for m in second.extraction.measurements:
            other = totals.get(m.key())
            if other is None or m.value is None or other == m.value:
                continue
            differences.append(f"{m.metric} {m.stat} {other:,.0f} vs {m.value:,.0f}")
            first_larger += 1 if other > m.value else -1
        if not differences:
            continue
        lagging = second if first_larger > 0 else first
        used = []
        for artifact in (first, second):
            metrics = _users(manifest, artifact.path)
            used.append(f"{', '.join(metrics)} from {artifact.path}" if metrics else f"nothing from {artifact.path}")
        leading = first if lagging is second else second
        warnings.append(
            f"scenario {first.scenario}: {first.path} and {second.path} disagree ({'; '.join(differences)}). "
            f"{lagging.path} counts fewer, so it was likely written before the run ended (Locust, for one, "
            f"rewrites its CSV files on an interval); {leading.path} has the later numbers. Nothing is corrected: "
            f"each metric uses the file its manifest entry names ({'; '.join(used)})."
        )
    return warnings
