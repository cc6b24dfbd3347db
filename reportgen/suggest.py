"""What to say when a manifest asks an artifact for a measurement it does not have. Pure.

The message points at the fix: the metric or labels that are close, and for a statistic the file
lacks, never a different statistic (a p95 is not a p99) but the artifact of the same release that
has it, or how to make the tool write it.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from reportgen.schemas.measurement import labels_yaml
from reportgen.schemas.report import Artifact

#: Per adapter: why a statistic may be absent from its files and how to get it.
_STAT_HINTS = {
    "k6-summary-export": "k6 writes into --summary-export only the statistics of --summary-trend-stats "
    "(default avg,min,med,max,p(90),p(95)); rerun with e.g. --summary-trend-stats 'avg,min,med,max,p(90),p(95),p(99)', "
    "or keep the --out json stream, from which reportgen computes any percentile",
    "k6-handle-summary": "k6's summary holds only the statistics of summaryTrendStats; add the one you need to "
    "summaryTrendStats in the script's options, or keep the --out json stream, from which reportgen computes any "
    "percentile",
    "k6-json-stream": "a k6 stream holds samples, not the run's duration, so it gives counts but no per-second rate; "
    "the --summary-export of the same run has rates",
    "k6-csv-stream": "a k6 stream holds samples, not the run's duration, so it gives counts but no per-second rate; "
    "the --summary-export of the same run has rates",
}


def _has(artifact: Artifact, metric: str, stat: str, labels: dict[str, str]) -> bool:
    return any(m.metric == metric and m.stat == stat and m.labels == labels for m in artifact.extraction.measurements)


def candidates(
    artifact: Artifact, metric: str, stat: str, labels: dict[str, str], others: Iterable[Artifact] = ()
) -> str:
    """What the artifact does offer, in a stable order, with the closest match first when there is one."""
    measurements = artifact.extraction.measurements
    same = [m for m in measurements if m.metric == metric]
    if not same:
        names = sorted({m.metric for m in measurements})
        close = difflib.get_close_matches(metric, names, n=1)
        hint = f"did you mean metric {close[0]!r}? " if close else ""
        return hint + f"metrics in this file: {', '.join(names[:20])}" + (", …" if len(names) > 20 else "")
    with_stat = [m for m in same if m.stat == stat]
    if not with_stat:
        stats = sorted({m.stat for m in same})
        text = (
            f"{artifact.path} has no {stat} of {metric} at all (its statistics of {metric}: {', '.join(stats)}); "
            "another statistic would be another target, so none is suggested"
        )
        if info := artifact.extraction.info.get("summaryTrendStats"):
            text += f". Its summaryTrendStats is {info}"
        elsewhere = [a.path for a in others if a.path != artifact.path and _has(a, metric, stat, labels)]
        if elsewhere:
            return text + f". {elsewhere[0]} of this release has it: write artifact: {elsewhere[0]}"
        how = _STAT_HINTS.get(artifact.extraction.adapter)
        return text + (f". {how}" if how else "")
    label_sets = sorted({labels_yaml(m.labels) for m in with_stat}, key=lambda text: (len(text), text))
    close = difflib.get_close_matches(labels_yaml(labels), label_sets, n=1)
    hint = f"did you mean labels {close[0]}? " if close else ""
    return hint + f"labels of {metric} {stat}: {', '.join(label_sets[:10])}" + (", …" if len(label_sets) > 10 else "")
