"""What ``reportgen extract`` lists from one artifact: its measurements (or time series), narrowed to a metric
and label values, as an aligned table whose labels can be pasted into release.yaml, or as JSON."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from reportgen import units
from reportgen.schemas.measurement import Extraction, Measurement, Series, labels_yaml


@dataclass(frozen=True)
class Listing:
    """The part of an extraction a user asked for."""

    extraction: Extraction
    measurements: list[Measurement]
    series: list[Series]


def select(extraction: Extraction, metric: str | None, labels: Sequence[tuple[str, str]]) -> Listing:
    """Only ``metric`` (every metric when None) and the slices carrying every ``labels`` value."""

    def wanted(name: str, have: dict[str, str]) -> bool:
        return (not metric or name == metric) and all(have.get(k) == v for k, v in labels)

    return Listing(
        extraction,
        [m for m in extraction.measurements if wanted(m.metric, m.labels)],
        [s for s in extraction.series if wanted(s.metric, s.labels)],
    )


def series_json(listing: Listing) -> str:
    return json.dumps(
        [s.model_dump(mode="json") for s in listing.series], indent=2, ensure_ascii=False, allow_nan=False
    )


def series_text(listing: Listing) -> str:
    """One line a series: metric, stat, unit, labels and the span of its points."""
    lines = []
    for s in listing.series:
        span = f"{len(s.points)} points" + (f", t = {s.points[0][0]:.0f} … {s.points[-1][0]:.0f} s" if s.points else "")
        unit = units.spelled(s.unit, s.metric)
        lines.append(f"{s.metric:<28} {s.stat:<8} {unit:<6} {labels_yaml(s.labels) if s.labels else '':<24} {span}")
    return "".join(line + "\n" for line in lines)


def measurements_json(listing: Listing) -> str:
    items = [
        {
            "metric": m.metric,
            "stat": m.stat,
            "value": m.value,
            "unit": units.spelled(m.unit, m.metric),  # as the pages write it: a rate of requests is req/s
            "labels": m.labels,
            "selector": m.selector,
            **({"estimator": m.estimator} if m.estimator else {}),
        }
        for m in listing.measurements
    ]
    return json.dumps(items, indent=2, ensure_ascii=False, allow_nan=False)


def measurements_text(listing: Listing, shown_path: str) -> str:
    """Which adapter read the file, what the file says about the run, the measurements, the tool's own verdicts."""
    extraction = listing.extraction
    lines = [
        f"{shown_path}: read by {extraction.adapter} (adapter v{extraction.adapter_version}), "
        f"{len(listing.measurements)} of {len(extraction.measurements)} measurements"
    ]
    lines += [f"  {key}: {value}" for key, value in sorted(extraction.info.items())]
    lines.append(f"{'metric':<28} {'stat':<8} {'value':>16}  labels (write them in release.yaml as shown)")
    for m in listing.measurements:
        labels = labels_yaml(m.labels) if m.labels else ""
        shown = units.format_value(m.value, units.spelled(m.unit, m.metric))
        lines.append(f"{m.metric:<28} {m.stat:<8} {shown:>16}  {labels}")
    lines += [
        f"tool verdict: {verdict.subject} {verdict.expression}: {'ok' if verdict.ok else 'NOT OK'}"
        for verdict in extraction.tool_verdicts
    ]
    return "\n".join(lines) + "\n"
