"""`reportgen compare OLD NEW`: exit 1 on a significant regression of a must-target's metric, 0 otherwise,
2 on bad input; --json gives the same rows."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reportgen.cli import main


def test_a_significant_must_regression_exits_1(example_repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """v1.2.0 against v1.1.0: checkout p95 regressed beyond noise, so exit 1 and the row says so first."""
    assert main(["-C", str(example_repo), "compare", "v1.1.0", "v1.2.0"]) == 1
    out = capsys.readouterr().out
    first = out.splitlines()[1]
    assert first.startswith("checkout_p95") and "+186 to +215 ms" in first and first.endswith("regressed [must]")
    assert "REGRESSED: checkout_p95" in out


def test_a_release_against_itself_exits_0(example_repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The same files on both sides: nothing regressed significantly, exit 0."""
    assert main(["-C", str(example_repo), "compare", "v1.2.0", "v1.2.0"]) == 0
    assert "regressed" not in capsys.readouterr().out


def test_json_lists_rows_and_the_gating_regressions(example_repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--json holds every row with its interval and word, and names the must-target regressions."""
    assert main(["-C", str(example_repo), "compare", "v1.1.0", "v1.2.0", "--json"]) == 1
    document = json.loads(capsys.readouterr().out)
    assert document["significant_must_regressions"] == ["checkout_p95", "login_error_rate"]
    row = document["rows"][0]
    assert row["metric"] == "checkout_p95" and row["word"] == "regressed" and row["n_current"] == 34
    words = {r["metric"]: r["word"] for r in document["rows"]}
    assert words["browse_rps"] == "not tested for noise"


def test_an_unknown_release_exits_2(example_repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A release id with no manifest is invalid input: exit 2 and a message naming the releases there are."""
    assert main(["-C", str(example_repo), "compare", "v1.1.0", "v9.9.9"]) == 2
    assert "releases here: v1.0.0, v1.1.0, v1.2.0" in capsys.readouterr().err
