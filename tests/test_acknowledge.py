"""Accepted warnings stop shouting: a manifest acknowledges a warning by its stable id, with a reason."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reportgen.acknowledge import warning_id
from reportgen.cli import main
from tests.support.project import BASE_MANIFEST, make_project

# A draft with an artifact that is not there yet: one warning, always the same text.
DRAFT = (
    BASE_MANIFEST.format(release="v1.0.0", date="2026-10-01")
    .replace("status: final", "status: draft")
    .replace("        format: k6-summary-export\n", "        format: k6-summary-export\n      - k6/later.ndjson.gz\n")
)
WARNING = "release.yaml:12:9: artifact 'k6/later.ndjson.gz' is not there yet (draft release: the metrics it feeds are missing)"
WARNING_ID = warning_id("artifact", WARNING)


def _with(acknowledge: str) -> str:
    return DRAFT + acknowledge


CASES = [
    # (rule, acknowledge block, loud ids, acknowledged ids)
    ("a warning nobody acknowledged stays loud, with its id", "", [WARNING_ID], []),
    (
        "an acknowledged warning is quiet and listed with its reason",
        f"acknowledge:\n  - {{warning: {WARNING_ID}, reason: the stream comes tomorrow}}\n",
        [],
        [WARNING_ID],
    ),
    (
        "an acknowledgement of no current warning keeps the warning loud and is itself a warning",
        "acknowledge:\n  - {warning: artifact-00000000, reason: stale}\n",
        [WARNING_ID, "acknowledge-"],
        [],
    ),
]


@pytest.mark.parametrize(("rule", "block", "loud", "quiet"), CASES, ids=[c[0] for c in CASES])
def test_acknowledged_warnings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], rule: str, block: str, loud: list[str], quiet: list[str]
) -> None:
    """check prints each unacknowledged warning with its id and no acknowledged one; --json lists both kinds."""
    root = make_project(tmp_path, {"v1.0.0": _with(block)})
    main(["-C", str(root), "check", "--json"])
    captured = capsys.readouterr()
    release = json.loads(captured.out)[0]
    assert len(release["warning_ids"]) == len(loud), rule
    assert all(i.startswith(prefix) for i, prefix in zip(release["warning_ids"], loud, strict=True)), rule
    assert [a["id"] for a in release["acknowledged"]] == quiet, rule
    assert (f"[{WARNING_ID}]" in captured.err) is (WARNING_ID in loud), rule
    if loud[1:]:
        assert "no warning of this release has id 'artifact-00000000'" in captured.err
        assert WARNING_ID in captured.err  # the current ids are listed


def test_the_page_lists_acknowledged_warnings_with_their_reason(tmp_path: Path) -> None:
    """The release page shows an acknowledged warning under "Acknowledged warnings", not under "Warnings"."""
    block = f"acknowledge:\n  - {{warning: {WARNING_ID}, reason: the stream comes tomorrow}}\n"
    root = make_project(tmp_path, {"v1.0.0": _with(block)})
    assert main(["-C", str(root), "build"]) == 0
    page = (root / "site_docs/releases/v1.0.0/index.md").read_text()
    assert "## Acknowledged warnings" in page and "the stream comes tomorrow" in page
    assert "## Warnings" not in page


def test_the_example_acknowledges_its_locust_csv_lag(example_repo: Path) -> None:
    """The example's Locust CSV-lags-JSON warnings are acknowledged, so `check` of the example prints no warning."""
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "reportgen.cli", "-C", str(example_repo), "check", "--json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert "warning:" not in done.stderr, done.stderr
    assert all(r["acknowledged"] for r in json.loads(done.stdout))
