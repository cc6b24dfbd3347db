"""Figures: a number plus everything needed to badge it on a page and trace it to evidence."""

from __future__ import annotations

import hashlib
import re

from reportgen import units
from reportgen.resolve import evidence_for
from reportgen.schemas.measurement import Measurement, labels_yaml
from reportgen.schemas.page import Figure
from reportgen.schemas.report import Artifact, Evidence, ResolvedMetric


def slug(*parts: str) -> str:
    """Readable id text: lowercase letters, digits and '-' (lossy: ``a.b``, ``a-b`` and ``A_B`` all give ``a-b``)."""
    text = "-".join(parts).lower()
    return re.sub(r"-+", "-", re.sub(r"[^a-z0-9]+", "-", text)).strip("-")


#: A part the slug keeps exactly: lowercase letters and digits, single underscores between them (``p95_search``).
_EXACT = re.compile(r"[a-z0-9]+(?:_[a-z0-9]+)*")


def anchor(*parts: str) -> str:
    """An id that distinct parts never share: the slug, plus a digest of the exact parts whenever the slug
    lost something (case, punctuation, another script), so ``Search``/``search``, ``a.b``/``a-b`` and
    ``поиск``/``検索`` get ids of their own, the same ones in every build."""
    readable = slug(*parts)
    if all(_EXACT.fullmatch(part) for part in parts):
        return readable
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8", "surrogatepass")).hexdigest()[:8]
    return f"{readable}-{digest}" if readable else digest


def evidence_hover(evidence: Evidence) -> str:
    return f"measured: {evidence.path} → {evidence.selector} (sha256 {evidence.sha256[:12]}…)"


def from_metric(metric: ResolvedMetric, prefix: str = "metric") -> Figure:
    if metric.provenance == "projected":
        if metric.projection is not None:
            p = metric.projection
            computed = f" Computed from {metric.expression}." if metric.expression else ""
            hover = f"projected, not measured.{computed} Method: {p.method.rstrip('.')}. Basis: {p.basis.rstrip('.')}."
            if metric.carried_from:
                hover += f" Carried over from {metric.carried_from}, not re-estimated."
        else:
            hover = f"projected: {metric.note}"
    elif metric.provenance == "derived":
        hover = f"derived: {metric.expression}"
    elif metric.evidence is not None and metric.provenance == "measured":
        hover = evidence_hover(metric.evidence)
    else:
        hover = f"missing: {metric.note or 'no value'}"
    return Figure(
        id=anchor(prefix, metric.id),
        label=metric.title,
        text=units.format_value(metric.value, metric.unit),
        value=metric.value,
        unit=metric.unit,
        provenance=metric.provenance,
        hover=hover,
        evidence=metric.evidence,
        projection=metric.projection,
        expression=metric.expression,
        inputs=metric.inputs,
        note=metric.note,
        carried_from=metric.carried_from,
    )


def in_unit(figure: Figure, unit: str, figure_id: str) -> Figure:
    """The same figure shown in another unit of its dimension (a target's threshold unit)."""
    value = None if figure.value is None else units.convert(figure.value, figure.unit, unit)
    return figure.model_copy(
        update={"id": figure_id, "value": value, "unit": unit, "text": units.format_value(value, unit)}
    )


def from_measurement(artifact: Artifact, m: Measurement, figure_id: str) -> Figure:
    evidence = evidence_for(artifact, m)
    label = f"{m.stat} of {m.metric} {labels_yaml(m.labels) if m.labels else ''}".strip()
    unit = units.spelled(m.unit, m.metric)
    return Figure(
        id=figure_id,
        label=label,
        text=units.format_value(m.value, unit),
        value=m.value,
        unit=unit,
        provenance="measured" if m.value is not None else "missing",
        hover=evidence_hover(evidence),
        evidence=evidence,
    )
