"""The per-artifact sections of a release page: each artifact's table of figures, and the tools' own verdicts.

Pure: extractions in, page models out.
"""

from __future__ import annotations

from reportgen import estimators
from reportgen.figures import anchor, from_measurement
from reportgen.schemas.page import Figure, Table, ToolVerdictRow
from reportgen.schemas.report import Artifact
from reportgen.views import VIEWS

#: How to read percentiles that are not exact order statistics of every sample.
ESTIMATOR_NOTES = {
    estimators.LOCUST_BUCKETS: "Percentiles are Locust's own: computed over response times rounded into buckets "
    "(1 ms below 100 ms, 10 ms below 1 s, 100 ms below 10 s), so one can exceed the exact maximum.",
    estimators.GATLING_TDIGEST: "Percentiles are Gatling's own, from a t-digest and rounded: approximate.",
    estimators.JMETER_LEGACY: "Percentiles follow JMeter's dashboard rule (Commons-Math LEGACY over the last "
    "20,000 samples of each label).",
}


def artifact_table(artifact: Artifact) -> Table | None:
    """The artifact's per-endpoint (per-suite, per-benchmark) table, total first; None for formats without a view."""
    view = VIEWS.get(artifact.extraction.adapter)
    if view is None:
        return None
    index = {m.key(): m for m in artifact.extraction.measurements}
    keys = set(view.row_labels)
    rows_seen: dict[tuple[tuple[str, str], ...], None] = {}
    for m in artifact.extraction.measurements:
        if set(m.labels) == keys:
            rows_seen.setdefault(tuple(sorted(m.labels.items())), None)
    row_keys: list[tuple[tuple[str, str], ...]] = ([()] if view.total_name else []) + sorted(rows_seen)
    rows: list[tuple[str, list[Figure | None]]] = []
    for row_key in row_keys:
        name = " ".join(dict(row_key)[k] for k in view.row_labels) if row_key else view.total_name
        cells: list[Figure | None] = []
        for column in view.columns:
            found = index.get((column.metric, column.stat, row_key))
            figure_id = anchor("t", artifact.path, column.metric, column.stat, *(v for _, v in row_key))
            cells.append(None if found is None else from_measurement(artifact, found, figure_id))
        if any(cells):
            rows.append((name, cells))
    if not rows:
        return None
    title = f"{artifact.scenario or 'Artifacts'}: {artifact.path}"
    used = {c.evidence.estimator for _, cells in rows for c in cells if c is not None and c.evidence is not None}
    notes = [note for estimator, note in ESTIMATOR_NOTES.items() if estimator in used]
    # Every cell is read from this one file, so "measured" is said once above the table, not in every cell.
    badged = sum(1 for _, cells in rows for c in cells if c is not None and c.provenance != "measured")
    return Table(
        title=title,
        artifact=artifact.path,
        columns=[c.title for c in view.columns],
        rows=rows,
        notes=notes,
        provenance="measured",
        badged=badged,
    )


def tool_verdict_rows(artifacts: list[Artifact]) -> list[ToolVerdictRow]:
    """Each verdict a tool decided, once: two summaries of one run (k6's ``--summary-export`` and its
    ``handleSummary`` JSON) carry the same thresholds, so a verdict both give is one row naming both files."""
    merged: dict[tuple[str | None, str, str, bool], list[str]] = {}
    for artifact in artifacts:
        for verdict in artifact.extraction.tool_verdicts:
            key = (artifact.scenario, verdict.subject, verdict.expression, verdict.ok)
            files = merged.setdefault(key, [])
            if artifact.path not in files:
                files.append(artifact.path)
    return [
        ToolVerdictRow(artifacts=files, subject=subject, expression=expression, ok=ok)
        for (_, subject, expression, ok), files in merged.items()
    ]
