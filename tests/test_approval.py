"""Approving a release that does not pass is explicit: conditional or a comment, shown as "approved despite …"."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from reportgen.approval import approval_problem, decision_text
from reportgen.cli import main
from reportgen.schemas.manifest import SignOff
from reportgen.schemas.report import SignOffState
from tests.support.project import BASE_MANIFEST, make_project

DAY = dt.date(2026, 10, 2)

CASES = [
    # (rule, release verdict, decision, comment, refused, shown as)
    ("a plain approve of a PASS release is plain", "pass", "approve", None, False, "approve"),
    ("a plain approve of a FAIL release is refused", "fail", "approve", None, True, ""),
    (
        "an approve with a comment on a FAIL release stands, shown as despite FAIL",
        "fail",
        "approve",
        "hotfix",
        False,
        "approved despite FAIL",
    ),
    (
        "a conditional approval needs no comment",
        "unverified",
        "conditional",
        None,
        False,
        "approved on condition despite UNVERIFIED",
    ),
    ("a whitespace comment is no comment", "no targets", "approve", "  ", True, ""),
    ("a rejection is always allowed and plain", "fail", "reject", None, False, "reject"),
]


@pytest.mark.parametrize(
    ("rule", "verdict", "decision", "comment", "refused", "shown"), CASES, ids=[c[0] for c in CASES]
)
def test_approving_a_release_that_does_not_pass_is_explicit(
    rule: str, verdict: str, decision: str, comment: str | None, refused: bool, shown: str
) -> None:
    """`approve` of a non-PASS release needs a comment (or `conditional`), and reads "approved despite VERDICT"."""
    signoff = SignOff(role="QA lead", name="Ada", decision=decision, date=DAY, comment=comment)  # type: ignore[arg-type]
    assert (approval_problem(signoff, verdict) is not None) is refused, rule  # type: ignore[arg-type]
    if not refused:
        approving = decision in ("approve", "conditional") and verdict != "pass"
        state = SignOffState(signoff=signoff, stale=False, bound=False, despite=verdict if approving else None)  # type: ignore[arg-type]
        assert decision_text(state) == shown, rule


FAILING = BASE_MANIFEST.format(release="v1.0.0", date="2026-10-01").replace("300 ms", "0.2 s")


def test_a_bare_approval_of_a_failing_release_is_an_error_at_its_position(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """check exits 2 naming signoffs.yaml:line:col and both ways out, for a comment-less approve of a FAIL release."""
    root = make_project(tmp_path, {"v1.0.0": FAILING})
    (root / "results/v1.0.0/signoffs.yaml").write_text(
        "signoffs:\n  - {role: QA lead, name: Ada, decision: approve, date: 2026-10-02}\n"
    )
    assert main(["-C", str(root), "check"]) == 2
    err = capsys.readouterr().err
    assert "signoffs.yaml:2:42: signoffs[0].decision: Ada (QA lead) approves a release whose verdict is FAIL" in err
    assert "decision: conditional, or add a comment" in err


def test_approved_despite_fail_shows_in_check_page_and_home(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """An approval with a comment of a FAIL release reads "approved despite FAIL" in check, on its page and the home page."""
    root = make_project(tmp_path, {"v1.0.0": FAILING})
    (root / "results/v1.0.0/signoffs.yaml").write_text(
        "signoffs:\n  - {role: QA lead, name: Ada, decision: approve, date: 2026-10-02, comment: hotfix follows}\n"
    )
    assert main(["-C", str(root), "check"]) == 1
    assert "sign-off: approved despite FAIL by Ada (QA lead)" in capsys.readouterr().out
    assert main(["-C", str(root), "build"]) == 0
    page = (root / "site_docs/releases/v1.0.0/index.md").read_text()
    assert "| QA lead | Ada | approved despite FAIL |" in page
    home = (root / "site_docs/index.md").read_text()
    assert "approved despite FAIL" in home
