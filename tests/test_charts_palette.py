"""One colour-blind-safe palette: the badges' CSS and the charts use the same verdict colours, which stay apart
under simulated colour-vision deficiencies and carry white text legibly."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

from reportgen.charts.palette import PROVENANCE_COLOURS, VERDICT_COLOURS

CSS = Path(__file__).resolve().parent.parent / "reportgen" / "templates" / "reportgen.css"

#: Machado, Oliveira & Fernandes (2009), severity 1.0, on linear RGB.
SIMULATIONS = {
    "deuteranopia": ((0.367322, 0.860646, -0.227968), (0.280085, 0.672501, 0.047413), (-0.011820, 0.042940, 0.968881)),
    "protanopia": ((0.152286, 1.052583, -0.204868), (0.114503, 0.786281, 0.099216), (-0.003882, -0.048116, 1.051998)),
    "tritanopia": ((1.255528, -0.076749, -0.178779), (-0.078411, 0.930809, 0.147602), (0.004733, 0.691367, 0.303900)),
    "normal vision": ((1, 0, 0), (0, 1, 0), (0, 0, 1)),
}


def _linear(colour: str) -> tuple[float, float, float]:
    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
    return channel(r), channel(g), channel(b)


def _lab(rgb: tuple[float, float, float]) -> tuple[float, float, float]:
    r, g, b = (min(max(c, 0.0), 1.0) for c in rgb)
    x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047
    y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883

    def f(t: float) -> float:
        return t ** (1 / 3) if t > 0.008856 else 7.787 * t + 16 / 116

    return 116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))


def _seen(colour: str, matrix: tuple[tuple[float, ...], ...]) -> tuple[float, float, float]:
    rgb = _linear(colour)
    r, g, b = (sum(m * c for m, c in zip(row, rgb, strict=True)) for row in matrix)
    return _lab((r, g, b))


def test_css_badges_use_the_chart_palette() -> None:
    """Every --rg-<verdict> and --rg-<provenance> colour in reportgen.css is the palette's colour."""
    declared = dict(re.findall(r"--rg-([a-z]+):\s*(#[0-9a-fA-F]{6})", CSS.read_text(encoding="utf-8")))
    for name, colour in {**PROVENANCE_COLOURS, **VERDICT_COLOURS}.items():
        assert declared[name].lower() == colour.lower(), name


def test_verdict_colours_stay_apart_for_colour_blind_readers() -> None:
    """Every two verdict colours differ by at least ΔE 10 (CIE76) under each simulated colour-vision deficiency."""
    for vision, matrix in SIMULATIONS.items():
        for a, b in itertools.combinations(VERDICT_COLOURS, 2):
            la, lb = _seen(VERDICT_COLOURS[a], matrix), _seen(VERDICT_COLOURS[b], matrix)
            distance = sum((p - q) ** 2 for p, q in zip(la, lb, strict=True)) ** 0.5
            assert distance >= 10, f"{a} and {b} look alike under {vision} (ΔE {distance:.1f})"


def test_verdict_colours_carry_white_text() -> None:
    """White badge text on each verdict colour has a contrast ratio of at least 4.5:1 (WCAG AA)."""
    for name, colour in VERDICT_COLOURS.items():
        r, g, b = _linear(colour)
        luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b
        assert 1.05 / (luminance + 0.05) >= 4.5, name
