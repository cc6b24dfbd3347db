"""Numbers are finite: an overflow in arithmetic makes a figure missing, and JSON output never holds Infinity/NaN."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from reportgen.cli import main
from reportgen.scaffold import init

OVERFLOW = """\
release: v1
title: Overflow
date: 2026-10-01
metrics:
  - {id: a, unit: count, projected: {value: 1e300 count, method: guess, basis: none}}
  - {id: b, unit: count, derived: a * a}
targets:
  - {metric: b, comparator: "<=", threshold: 5 count}
"""


def strict_json(text: str) -> Any:
    """json.loads that refuses Infinity and NaN, as every other JSON reader does."""

    def refuse(name: str) -> None:
        raise ValueError(f"{name} is not JSON")

    return json.loads(text, parse_constant=refuse)


def test_arithmetic_overflow_is_missing_and_json_stays_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A derived value that overflows (1e300 * 1e300) is missing with the reason; check --json and claims.json parse."""
    root = tmp_path / "repo"
    init(root)
    (root / "results/v1").mkdir(parents=True)
    (root / "results/v1/release.yaml").write_text(OVERFLOW)
    assert main(["-C", str(root), "check", "--json"]) == 1
    out = capsys.readouterr().out
    (target,) = strict_json(out)[0]["targets"]
    assert target["value"] is None and target["verdict"] == "missing"
    assert "overflows" in target["reason"]
    assert main(["-C", str(root), "build"]) == 0
    for claims in (root / "site").rglob("claims.json"):
        strict_json(claims.read_text(encoding="utf-8"))
