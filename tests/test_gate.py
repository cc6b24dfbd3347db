"""`reportgen check` gating: release order, NO TARGETS, --latest, --strict, --require-signoff and the exit codes."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest

from reportgen.cli import main
from reportgen.exits import EXIT_CODES
from reportgen.gate import GateOptions, exit_code, gate_release
from reportgen.ordering import newest_first, release_order
from reportgen.schemas.manifest import Manifest, SignOff, Target
from reportgen.schemas.report import ReleaseResult, SignOffState, TargetResult
from tests.support.project import BASE_MANIFEST, make_project

ROOT = Path(__file__).resolve().parent.parent
DAY = dt.date(2026, 10, 1)
LATER = dt.date(2026, 11, 1)

ORDER_CASES = [
    ("v1.10.0 comes after v1.9.0 on the same date", [("v1.10.0", DAY), ("v1.9.0", DAY)], ["v1.9.0", "v1.10.0"]),
    ("the manifest date decides before the version", [("v2.0.0", DAY), ("v1.0.0", LATER)], ["v2.0.0", "v1.0.0"]),
    (
        "a release candidate comes before its release",
        [("v2.0.0", DAY), ("v2.0.0-rc.1", DAY)],
        ["v2.0.0-rc.1", "v2.0.0"],
    ),
    (
        "ids that are not versions compare numbers as numbers",
        [("nightly-10", DAY), ("nightly-9", DAY)],
        ["nightly-9", "nightly-10"],
    ),
    ("on one date, non-version ids come before versions", [("v1.0.0", DAY), ("nightly", DAY)], ["nightly", "v1.0.0"]),
    ("calendar ids order as versions", [("2026.10", DAY), ("2026.9", DAY)], ["2026.9", "2026.10"]),
]


@pytest.mark.parametrize(("rule", "releases", "expected"), ORDER_CASES, ids=[c[0] for c in ORDER_CASES])
def test_release_order(rule: str, releases: list[tuple[str, dt.date]], expected: list[str]) -> None:
    """Releases order by manifest date, then by version order (v1.10.0 after v1.9.0), oldest first."""
    assert [r for r, _ in release_order(releases, lambda item: item)] == expected, rule
    assert [r for r, _ in newest_first(releases, lambda item: item)] == expected[::-1], rule


def _target(verdict: str, severity: str = "must") -> TargetResult:
    t = Target.model_validate({"metric": "m", "comparator": "<", "threshold": "1 ms", "severity": severity})
    return TargetResult.model_validate(
        {"target": t, "key": f"{severity}_{verdict}", "title": "m", "value": 1, "unit": "ms"}
        | {"provenance": "measured", "verdict": verdict, "reason": ""}
    )


DIGEST = "sha256:" + "a" * 64
OTHER = "sha256:" + "b" * 64


def _signoff(decision: str, digest: str | None = DIGEST) -> SignOffState:
    s = SignOff(role="QA lead", name="Ada", decision=decision, date=DAY, evidence_digest=digest)  # type: ignore[arg-type]
    return SignOffState(signoff=s, bound=digest is not None, stale=digest is not None and digest != DIGEST)


def _release(verdict: str, targets: list[TargetResult], signoffs: list[SignOffState]) -> ReleaseResult:
    manifest = Manifest(release="v1.0.0", title="v1.0.0", date=DAY)
    return ReleaseResult.model_validate(
        {"manifest": manifest, "manifest_sha256": "0" * 64, "verdict": verdict, "counts": {}, "targets": targets}
        | {"metrics": [], "artifacts": [], "signoffs": signoffs, "evidence_digest": DIGEST}
    )


PASSING = [_target("pass")]
GATE_CASES = [
    # (rule, release verdict, targets, sign-offs, options, passes the gate)
    ("a PASS release passes", "pass", PASSING, [], GateOptions(), True),
    ("a FAIL release does not", "fail", [_target("fail")], [], GateOptions(), False),
    ("an UNVERIFIED release does not", "unverified", [_target("unverified")], [], GateOptions(), False),
    ("a WAIVED release does not", "waived", [_target("waived")], [], GateOptions(), False),
    ("a NO TARGETS release does not", "no targets", [], [], GateOptions(), False),
    (
        "a PASS release with an unverified should-target passes without --strict",
        "pass",
        [*PASSING, _target("unverified", "should")],
        [],
        GateOptions(),
        True,
    ),
    (
        "--strict fails a PASS release whose should-target does not pass",
        "pass",
        [*PASSING, _target("fail", "should")],
        [],
        GateOptions(strict=True),
        False,
    ),
    (
        "--strict passes when every should-target passes",
        "pass",
        [*PASSING, _target("pass", "should")],
        [],
        GateOptions(strict=True),
        True,
    ),
    ("--require-signoff fails an unsigned release", "pass", PASSING, [], GateOptions(require_signoff=True), False),
    (
        "--require-signoff passes with a current approval",
        "pass",
        PASSING,
        [_signoff("approve")],
        GateOptions(require_signoff=True),
        True,
    ),
    (
        "a conditional approval counts",
        "pass",
        PASSING,
        [_signoff("conditional")],
        GateOptions(require_signoff=True),
        True,
    ),
    (
        "a stale approval does not count",
        "pass",
        PASSING,
        [_signoff("approve", OTHER)],
        GateOptions(require_signoff=True),
        False,
    ),
    (
        "an approval bound to no digest does not count",
        "pass",
        PASSING,
        [_signoff("approve", None)],
        GateOptions(require_signoff=True),
        False,
    ),
    (
        "a current rejection fails despite an approval",
        "pass",
        PASSING,
        [_signoff("approve"), _signoff("reject")],
        GateOptions(require_signoff=True),
        False,
    ),
    (
        "an approval never makes a FAIL release pass",
        "fail",
        [_target("fail")],
        [_signoff("approve")],
        GateOptions(require_signoff=True),
        False,
    ),
]


@pytest.mark.parametrize(
    ("rule", "verdict", "targets", "signoffs", "options", "passes"), GATE_CASES, ids=[c[0] for c in GATE_CASES]
)
def test_gate(
    rule: str,
    verdict: str,
    targets: list[TargetResult],
    signoffs: list[SignOffState],
    options: GateOptions,
    passes: bool,
) -> None:
    """check exits 0 exactly when the release verdict is PASS and the chosen options hold; each refusal says why."""
    result = gate_release(_release(verdict, targets, signoffs), options)
    assert result.ok is passes, f"{rule}: {result.reasons}"
    assert bool(result.reasons) is not passes
    assert exit_code([result]) == (0 if passes else 1)


def test_checking_nothing_is_not_a_pass() -> None:
    """No release checked at all exits 1, never 0."""
    assert exit_code([]) == 1


def _manifest(release: str, date: str, threshold: str = "300 ms") -> str:
    return BASE_MANIFEST.format(release=release, date=date).replace("300 ms", threshold)


def test_a_new_release_with_no_targets_is_no_targets_and_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`new v1.10.0` then `check v1.10.0` says NO TARGETS and exits 1; the home page draws it neutral, not green."""
    root = make_project(tmp_path)
    assert main(["-C", str(root), "new", "v1.10.0"]) == 0
    capsys.readouterr()
    assert main(["-C", str(root), "check", "v1.10.0"]) == 1
    out = capsys.readouterr().out
    assert "v1.10.0" in out and "NO TARGETS" in out and "PASS" not in out
    assert main(["-C", str(root), "build"]) == 0
    home = (root / "site_docs/index.md").read_text()
    row = next(line for line in home.splitlines() if "v1.10.0" in line)
    assert 'rg-verdict--no-targets">NO TARGETS<' in row and "rg-verdict--pass" not in row
    css = (root / "site/assets/reportgen.css").read_text() if (root / "site/assets/reportgen.css").exists() else ""
    assert not css or ".rg-verdict--no-targets" in css


def test_an_empty_results_folder_exits_1_saying_how_to_start(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A repository with no releases exits 1 for check and check --latest, naming `reportgen new`."""
    assert main(["init", str(tmp_path / "r")]) == 0
    for args in (["check"], ["check", "--latest"], ["check", "--json"]):
        capsys.readouterr()
        assert main(["-C", str(tmp_path / "r"), *args]) == 1, args
        assert "reportgen new v1.0.0" in capsys.readouterr().err


def test_check_latest_gates_on_the_newest_release_only(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """An old failure does not keep `check --latest` red: it checks the newest release (v1.10.0 after v1.9.0)."""
    root = make_project(
        tmp_path,
        {
            "v1.9.0": _manifest("v1.9.0", "2026-10-01", "0.2 s"),  # fails
            "v1.10.0": _manifest("v1.10.0", "2026-10-01"),  # passes, same date: version order decides
            "v1.2.0": _manifest("v1.2.0", "2026-09-01", "0.2 s"),  # fails, older date
        },
    )
    assert main(["-C", str(root), "check"]) == 1
    capsys.readouterr()
    assert main(["-C", str(root), "check", "--latest", "--json"]) == 0
    assert [r["release"] for r in json.loads(capsys.readouterr().out)] == ["v1.10.0"]
    assert main(["-C", str(root), "check", "v1.9.0"]) == 1
    assert main(["-C", str(root), "check", "v1.10.0"]) == 0


def test_check_lists_releases_newest_first_in_release_order(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`check` prints releases newest first by date, then version order."""
    root = make_project(tmp_path, {r: _manifest(r, "2026-10-01") for r in ("v1.9.0", "v1.10.0", "v1.8.0")})
    main(["-C", str(root), "check", "--json"])
    assert [r["release"] for r in json.loads(capsys.readouterr().out)] == ["v1.10.0", "v1.9.0", "v1.8.0"]


def test_check_json_says_why_a_release_does_not_pass_and_fits_its_schema(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`check --json` carries each release's gate and reasons, and validates against `reportgen schema --check`."""
    import jsonschema

    root = make_project(tmp_path)
    assert main(["-C", str(root), "check", "--json", "--require-signoff"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data[0]["verdict"] == "pass" and data[0]["gate"]["passes"] is False
    assert "no approval" in data[0]["gate"]["reasons"][0]
    assert main(["schema", "--check", "-o", str(tmp_path / "check.schema.json")]) == 0
    schema = json.loads((tmp_path / "check.schema.json").read_text())
    jsonschema.Draft202012Validator(schema).validate(data)
    assert "no targets" in json.dumps(schema)


def test_the_exit_code_table_is_the_same_in_help_and_in_the_guide(capsys: pytest.CaptureFixture[str]) -> None:
    """One exit-code table: `check --help` prints it and site_docs/guide/verdicts.md has a row per code."""
    with pytest.raises(SystemExit):
        main(["check", "--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    guide = (ROOT / "site_docs/guide/verdicts.md").read_text()
    for code, meaning in EXIT_CODES:
        assert f"{code} {meaning}" in help_text
        assert re.search(rf"^\| {code} \| {re.escape(meaning)} \|$", guide, re.M), f"exit {code} not in verdicts.md"
