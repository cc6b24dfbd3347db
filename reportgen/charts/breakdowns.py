"""Chart models from raw samples and per-cause counts: latency distribution, failures by cause, k6 checks. Pure
given the samples.

The distribution is an ECDF per endpoint (share of requests at or below each latency), drawn from
every sample, or from :data:`ECDF_POINTS` evenly spaced ranks of a longer run (exact steps at
those ranks; the caption says so); log scale when the values span more than 20×. A target on a
percentile of that endpoint is a cross at (threshold, percentile) with its label.
"""

from __future__ import annotations

import numpy as np

from reportgen import units
from reportgen.charts.models import ChartModel, Row, artifact_chart, latency_metric, row_name
from reportgen.compare_stats import statistic
from reportgen.samples import FloatArray, SampleSource
from reportgen.schemas.report import Artifact, ReleaseResult

ECDF_POINTS = 200
_OK_STATUS = ("1", "2", "3")  # HTTP 1xx-3xx are answers, not failures


def _share(stat: str) -> float | None:
    if stat == "med":
        return 0.5
    try:
        return float(stat[1:]) / 100 if stat.startswith("p") else None
    except ValueError:
        return None


def _fmt(value: float, unit: str) -> str:
    return units.format_value(value, unit)


def distribution(result: ReleaseResult, artifact: Artifact, samples: SampleSource) -> ChartModel | None:
    """ECDF of the latency of each endpoint of one artifact, from its raw samples; None without samples."""
    adapter = artifact.extraction.adapter
    metric = latency_metric(adapter)
    if metric is None:
        return None
    label_sets = {
        tuple(sorted(m.labels.items())): m.labels
        for m in artifact.extraction.measurements
        if m.metric == metric and m.labels and row_name(adapter, m.labels) is not None
    }
    rows: list[Row] = []
    sentences: list[str] = []
    reduced = False
    unit = ""
    lows: list[float] = []
    highs: list[float] = []
    for key in sorted(label_sets):
        found = samples.samples(result.id, artifact, metric, label_sets[key])
        if found is None:
            continue
        unit = found.unit
        values = np.sort(found.values)
        n = len(values)
        ranks = np.arange(n) if n <= ECDF_POINTS else np.unique(np.linspace(0, n - 1, ECDF_POINTS).round().astype(int))
        reduced = reduced or n > ECDF_POINTS
        endpoint = str(row_name(adapter, label_sets[key]))
        rows += [
            {"endpoint": endpoint, "value": round(float(values[i]), 6), "share": round((i + 1) / n, 6)} for i in ranks
        ]
        lows.append(float(values[0]))
        highs.append(float(values[-1]))
        median, p95 = (_tool_statistic(stat, found.estimator, values) for stat in ("med", "p95"))
        sentences.append(
            f"{endpoint}: {n:,} samples from {_fmt(float(values[0]), unit)} to {_fmt(float(values[-1]), unit)}, "
            f"median {_fmt(median, unit)}, p95 {_fmt(p95, unit)}"
        )
    if not rows:
        return None
    rules = _percentile_targets(result, artifact, metric, unit)
    positive = [v for v in lows if v > 0]
    wide = bool(positive) and max(highs) / min(positive) > 20
    notes = []
    if reduced:
        notes.append(f"lines of more than {ECDF_POINTS} samples are drawn at {ECDF_POINTS} evenly spaced ranks")
    if wide:
        notes.append("log scale: the values span more than 20×")
    if rules:
        notes.append("each target on a percentile is a cross at its threshold and percentile")
    return artifact_chart(
        "distribution",
        artifact,
        "Latency distribution per endpoint",
        alt=f"Latency distribution per endpoint from the raw samples of {artifact.path}. ",
        sentences=sentences,
        caption=f"Share of requests at or below each latency (ECDF), measured, every sample of {artifact.path}",
        notes=notes,
        rows=rows,
        columns=[("endpoint", "Endpoint"), ("value", f"Latency ({unit})"), ("share", "Share at or below")],
        rules=rules,
        unit=unit,
        log_scale=wide,
    )


def _tool_statistic(stat: str, estimator: str, values: FloatArray) -> float:
    """A percentile by the tool's own rule, so the alt text says what the tool's tables say."""
    function = statistic(stat, estimator)
    assert function is not None
    return float(function(values))


def _percentile_targets(result: ReleaseResult, artifact: Artifact, metric: str, unit: str) -> list[Row]:
    by_id = {m.id: m for m in result.metrics}
    grouped: dict[tuple[float, float, str], list[str]] = {}
    for t in result.targets:
        evidence = by_id[t.target.metric].evidence
        share = None if evidence is None else _share(evidence.stat)
        if evidence is None or share is None or evidence.path != artifact.path or evidence.metric != metric:
            continue
        endpoint = row_name(artifact.extraction.adapter, evidence.labels)
        if endpoint is None or not evidence.labels or t.bound is None:
            continue
        comparator, threshold = t.bound
        value = units.convert(threshold.value, threshold.unit, unit)
        rule = f"{evidence.stat} {comparator} {threshold}"
        grouped.setdefault((value, share, rule), []).append(endpoint)
    # Targets at the same point share one cross and one label ("p95 < 100 ms: login, search").
    # Labels step down below their crosses so that neighbouring targets never overprint each other.
    return [
        {
            "threshold": value,
            "share": share,
            "label_at": share - 0.07 * (i + 1),
            "label": f"{rule}: {', '.join(sorted(e))}",
        }
        for i, ((value, share, rule), e) in enumerate(sorted(grouped.items()))
    ]


def failures_by_cause(artifact: Artifact) -> ChartModel | None:
    """Failed requests by cause: k6's requests by non-2xx status, Locust's failures by error."""
    adapter = artifact.extraction.adapter
    rows: list[Row] = []
    for m in artifact.extraction.measurements:
        if m.value is None or m.stat != "count":
            continue
        if adapter.startswith("k6") and m.metric == "http_reqs" and set(m.labels) == {"status"}:
            if not m.labels["status"].startswith(_OK_STATUS):
                rows.append({"cause": f"HTTP status {m.labels['status'] or '(none)'}", "count": m.value})
        elif adapter == "locust-failures-csv" and m.metric == "failures" and "error" in m.labels:
            cause = f"{m.labels.get('method', '')} {m.labels.get('name', '')}: {m.labels['error']}".strip()
            rows.append({"cause": cause, "count": m.value})
    if not rows:
        return None
    rows.sort(key=lambda r: (-float(r["count"] or 0), str(r["cause"])))
    total = sum(float(r["count"] or 0) for r in rows)
    return artifact_chart(
        "failures",
        artifact,
        "Failures by cause",
        alt=f"Failures by cause in {artifact.path}, {total:,.0f} in all. ",
        sentences=[f"{r['cause']}: {float(r['count'] or 0):,.0f}" for r in rows],
        caption=f"Failed requests by cause, measured, from {artifact.path}",
        notes=["k6 counts every answer with a status other than 1xx–3xx (0: no answer)"]
        if adapter.startswith("k6")
        else [],
        rows=rows,
        columns=[("cause", "Cause"), ("count", "Failures")],
    )


def checks(artifact: Artifact) -> ChartModel | None:
    """k6 checks: passes and fails of each check, as the stream or summary records them."""
    if not artifact.extraction.adapter.startswith("k6"):
        return None
    counts: dict[tuple[str, str], dict[str, float]] = {}
    for m in artifact.extraction.measurements:
        if m.metric == "checks" and "check" in m.labels and m.stat in ("passes", "fails") and m.value is not None:
            key = (m.labels.get("group", ""), m.labels["check"])
            counts.setdefault(key, {})[m.stat] = m.value
    if not counts:
        return None
    rows: list[Row] = []
    for (group, check), found in sorted(counts.items()):
        name = f"{group.strip(':')} › {check}" if group else check
        for outcome, stat in (("passed", "passes"), ("failed", "fails")):
            rows.append({"check": name, "outcome": outcome, "count": found.get(stat, 0.0)})
    failing = [r for r in rows if r["outcome"] == "failed" and float(r["count"] or 0) > 0]
    return artifact_chart(
        "checks",
        artifact,
        "k6 checks",
        alt=f"k6 checks in {artifact.path}: ",
        sentences=[
            f"{name}: {float(found.get('passes', 0)):,.0f} passed, {float(found.get('fails', 0)):,.0f} failed"
            for name, found in ((f"{g.strip(':')} › {c}" if g else c, f) for (g, c), f in sorted(counts.items()))
        ],
        caption=f"Passes and fails of each k6 check, measured, from {artifact.path}",
        notes=[f"{len(failing)} check(s) failed at least once" if failing else "every check passed every time"],
        rows=rows,
        columns=[("check", "Check"), ("outcome", "Outcome"), ("count", "Count")],
    )
