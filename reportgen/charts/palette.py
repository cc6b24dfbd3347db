"""The one palette of reportgen: the verdict and provenance colours of badges (reportgen.css) and charts.

Colour-blind safe: every pair of verdict colours stays apart under simulated deuteranopia,
protanopia and tritanopia (tests/test_charts_palette.py checks it), and each carries white
text at a contrast of at least 4.5:1. Colour is never the only channel: charts also differ
by shape and fill, and every verdict is written out in words.
"""

from __future__ import annotations

VERDICT_COLOURS: dict[str, str] = {
    "pass": "#00734f",
    "fail": "#b2182b",
    "unverified": "#8a5a00",
    "missing": "#6b6b6b",
    "invalid": "#9e3f86",
    "waived": "#0060a8",
}

PROVENANCE_COLOURS: dict[str, str] = {
    "measured": VERDICT_COLOURS["pass"],
    "derived": "#2f6db5",
    "projected": VERDICT_COLOURS["unverified"],
    "missing": VERDICT_COLOURS["missing"],
    "stale": VERDICT_COLOURS["invalid"],
    "waived": VERDICT_COLOURS["waived"],
}

#: A release with no targets: nothing was validated, so neutral and never the green of a pass.
NO_TARGETS_COLOUR = "#4a5568"

#: Lines and points that are not verdicts (series of one run, percentiles): Okabe–Ito, darkened for white paper.
SERIES_COLOURS: tuple[str, ...] = ("#0060a8", "#b35c00", "#00734f", "#9e3f86", "#4d4d4d", "#2f6db5")

#: Threshold rules: dark and dashed, so they read as a limit and not as data.
THRESHOLD_COLOUR = "#222222"
