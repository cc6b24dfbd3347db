"""The charts a load-test scenario's artifacts cannot give, each said in one line naming the artifact that would.

A scenario is never shown an empty chart: where no artifact of it holds a series over time or raw
samples, its chart section says which file of its tool would give that chart (or that reportgen
draws none from that tool's files yet), so a team knows what to keep next time.
"""

from __future__ import annotations

#: (chart kind, the chart in words) of the charts that need more than a summary.
NEEDS_MORE = (("over_time", "over-the-run chart"), ("distribution", "latency distribution"))

#: Per load tool and chart kind: the artifact that gives it, or None when reportgen reads no such data from
#: that tool's files (Gatling's simulation.log is read for summaries only; JMeter's JTL is not resampled).
_GIVES: dict[str, dict[str, str | None]] = {
    "k6": {
        "over_time": "a k6 stream (k6 run --out json=FILE or --out csv=FILE)",
        "distribution": "a k6 stream (k6 run --out json=FILE or --out csv=FILE)",
    },
    "locust": {
        "over_time": "Locust's --json output or its stats history (--csv PREFIX, per endpoint with --csv-full-history)",
        "distribution": "Locust's --json output (its response-time buckets)",
    },
    "jmeter": {"over_time": "a JMeter JTL results file (CSV or XML)", "distribution": None},
    "gatling": {"over_time": None, "distribution": None},
}


def tool_of(adapter: str) -> str | None:
    """The load tool an adapter reads (k6-summary-export → k6), or None for other formats."""
    tool = adapter.split("-", 1)[0]
    return tool if tool in _GIVES else None


def absent_notes(tool: str, drawn: set[str]) -> list[str]:
    """One line for each chart that needs more than a summary and that a scenario of tool did not draw."""
    notes: list[str] = []
    for kind, words in NEEDS_MORE:
        if kind in drawn:
            continue
        source = _GIVES[tool][kind]
        if source is None:
            notes.append(f"No {words}: reportgen draws none from {tool}'s files yet.")
        else:
            notes.append(f"No {words}: none of this scenario's files holds the data; {source} would give one.")
    return notes
