"""Make a copied release's raw artifacts its own: every time the tools measured scaled by one factor per release.

The site benchmark builds N releases from the example's three. Copied as they are, releases of one source share
every chart, comparison and sample, so the caches (keyed by content, not by release) would draw each repeated
chart once and flatter a cold build. Scaling every measured time (latencies, durations, wall times) by a factor
of the release's own keeps each file a valid artifact of its format, consistent with its siblings (k6's summary
scaled as its stream is, Locust's buckets re-bucketed as Locust rounds), and makes every time-based figure, and
so every chart drawing one, differ between any two releases. Counts stay as measured.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import re
from pathlib import Path
from typing import Any


def factor(index: int) -> float:
    """The scale of the ``index``-th release (0-based): distinct for every release, within a few tens of per cent."""
    return 1 + 0.0037 * (index + 1)


def perturb(release: Path, scale: float) -> None:
    """Scale every measured time of the artifacts under ``release`` (the example's layout) by ``scale``, in place."""
    perturb_k6(release / "k6", scale)
    _locust_csv(release / "locust" / "run_stats.csv", scale)
    _locust_csv(release / "locust" / "run_stats_history.csv", scale)
    _locust_json(release / "locust" / "run.json", scale)
    _hyperfine(release / "bench" / "hyperfine.json", scale)
    _junit(release / "junit" / "junit.xml", scale)


def perturb_k6(folder: Path, scale: float) -> None:
    """Scale every measured time of a k6 folder of the example's layout (its stream and its summary)."""
    _k6_stream(folder / "stream.ndjson.gz", scale)
    _k6_summary(folder / "summary-export.json", scale)


def _times(value: float, scale: float, digits: int = 6) -> float:
    return round(value * scale, digits)


def _k6_stream(path: Path, scale: float) -> None:
    """Point values of k6's Trend metrics (all times in k6's own output) scaled, 6 decimals as k6 writes them."""
    trends: set[str] = set()
    lines = []
    for line in gzip.decompress(path.read_bytes()).decode().splitlines():
        entry = json.loads(line)
        if entry["type"] == "Metric" and entry["data"]["type"] == "trend":
            trends.add(entry["metric"])
        elif entry["type"] == "Point" and entry["metric"] in trends:
            entry["data"]["value"] = _times(entry["data"]["value"], scale)
            line = json.dumps(entry, separators=(",", ":"))
        lines.append(line + "\n")
    path.write_bytes(gzip.compress("".join(lines).encode(), mtime=0))


_TREND_STATS = re.compile(r"^(avg|min|med|max|p\(.*\))$")


def _k6_summary(path: Path, scale: float) -> None:
    """Each Trend's statistics (those with percentiles) scaled; counts, rates and thresholds' outcomes kept."""
    summary = json.loads(path.read_text())
    for values in summary["metrics"].values():
        if "p(95)" in values:
            for key in [k for k in values if _TREND_STATS.match(k)]:
                values[key] = _times(values[key], scale)
    path.write_text(json.dumps(summary, indent=4))


def _locust_bucket(milliseconds: float) -> int:
    """Locust's rounding of a response time into its histogram (locust.stats.StatsEntry._log_time_of_request)."""
    if milliseconds < 100:
        return round(milliseconds)
    digits = -1 if milliseconds < 1000 else -2 if milliseconds < 10000 else -3
    return int(round(milliseconds, digits))


def _locust_csv(path: Path, scale: float) -> None:
    """Response-time columns of Locust's stats CSVs scaled: percentiles re-bucketed, averages and extremes as floats."""
    rows = list(csv.reader(io.StringIO(path.read_text())))
    header = rows[0]
    for row in rows[1:]:
        for column, name in enumerate(header):
            cell = row[column]
            if cell in ("", "N/A"):
                continue
            if name.endswith("%") or name.endswith("Median Response Time"):
                row[column] = str(_locust_bucket(float(cell) * scale))
            elif re.search(r"(Average|Min|Max) Response Time$", name) and float(cell):
                row[column] = repr(float(cell) * scale)
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    path.write_text(out.getvalue())


def _locust_json(path: Path, scale: float) -> None:
    """Locust --json: total, min and max response times scaled, its response-time histogram re-bucketed."""
    entries: list[dict[str, Any]] = json.loads(path.read_text())
    for entry in entries:
        for key in ("total_response_time", "max_response_time", "min_response_time"):
            if entry.get(key) is not None:
                entry[key] = entry[key] * scale
        histogram: dict[str, int] = {}
        for bucket, count in entry["response_times"].items():
            moved = str(_locust_bucket(float(bucket) * scale))
            histogram[moved] = histogram.get(moved, 0) + count
        entry["response_times"] = histogram
    path.write_text(json.dumps(entries, indent=4))


def _hyperfine(path: Path, scale: float) -> None:
    """hyperfine --export-json: every run's time and the statistics over them scaled."""
    data = json.loads(path.read_text())
    for result in data["results"]:
        for key in ("mean", "stddev", "median", "user", "system", "min", "max"):
            if result.get(key) is not None:
                result[key] = result[key] * scale
        result["times"] = [t * scale for t in result["times"]]
    path.write_text(json.dumps(data, indent=2))


def _junit(path: Path, scale: float) -> None:
    """JUnit XML: every suite's and test case's time attribute scaled (three decimals, as pytest writes)."""
    text = re.sub(r'\btime="([0-9.]+)"', lambda m: f'time="{float(m[1]) * scale:.3f}"', path.read_text())
    path.write_text(text)
