"""Bounded lines: at most :data:`MAX_POINTS` points a line, keeping its peaks.

Largest-Triangle-Three-Buckets (Steinarsson 2013, "Downsampling Time Series for Visual
Representation", ch. 4): the first and last points stay; every other bucket keeps the one
point that makes the largest triangle with the point kept before it and the mean of the
next bucket, which keeps spikes a plain average would flatten. Deterministic: ties keep
the earliest point.
"""

from __future__ import annotations

from collections.abc import Sequence

MAX_POINTS = 1000

Point = tuple[float, float]


def lttb(points: Sequence[Point], threshold: int = MAX_POINTS) -> list[Point]:
    """``points`` (in x order) reduced to ``threshold`` points; unchanged when already that short."""
    n = len(points)
    if threshold < 3 or n <= threshold:
        return list(points)
    every = (n - 2) / (threshold - 2)
    kept: list[Point] = [points[0]]
    chosen = 0
    for bucket in range(threshold - 2):
        start = int(bucket * every) + 1
        end = int((bucket + 1) * every) + 1
        following = points[end : min(int((bucket + 2) * every) + 1, n)] or [points[-1]]
        mean_x = sum(p[0] for p in following) / len(following)
        mean_y = sum(p[1] for p in following) / len(following)
        ax, ay = points[chosen]
        best, best_area = start, -1.0
        for index in range(start, end):
            x, y = points[index]
            area = abs((ax - mean_x) * (y - ay) - (ax - x) * (mean_y - ay))
            if area > best_area:
                best, best_area = index, area
        kept.append(points[best])
        chosen = best
    kept.append(points[-1])
    return kept
