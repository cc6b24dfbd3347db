"""``reportgen check [RELEASE ...|--latest]``: validate releases, print their verdicts, exit by the gate."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from reportgen.cli.common import Subparsers, command, json_flag, print_warnings, project
from reportgen.exits import EXIT_NOT_PASS, help_table


def register(sub: Subparsers) -> None:
    p = command(
        sub,
        "check",
        run,
        help="validate releases and print their verdicts",
        description="Validate releases and print their verdict tables. Without RELEASE, every release in "
        "results/ is checked; CI usually gates on the newest one with --latest.",
        epilog=help_table(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    which = p.add_mutually_exclusive_group()
    which.add_argument("releases", nargs="*", metavar="RELEASE", default=[], help="release ids to check")
    which.add_argument(
        "--latest", action="store_true", help="check only the newest release (manifest date, then version order)"
    )
    p.add_argument("--strict", action="store_true", help="also fail when a should-target does not pass")
    p.add_argument(
        "--require-signoff",
        action="store_true",
        help="also fail unless each checked release has a current (not stale) approval in signoffs.yaml",
    )
    json_flag(p, "print the verdicts as JSON (schema: reportgen schema --check)")
    p.add_argument(
        "--summary",
        type=Path,
        metavar="FILE",
        help="also write the verdicts as Markdown (for $GITHUB_STEP_SUMMARY or a pull-request comment)",
    )
    p.add_argument("--junit", type=Path, metavar="FILE", help="also write each target as a JUnit XML test case")


def run(args: argparse.Namespace) -> int:
    from reportgen.check import as_json, check, release_text
    from reportgen.gate import NO_RELEASES, GateOptions

    options = GateOptions(strict=args.strict, require_signoff=args.require_signoff)
    checked = check(project(args), args.releases, args.latest, options, args.summary, args.junit)
    if not checked.results:
        if args.json:
            print("[]")
        print(f"error: {NO_RELEASES}", file=sys.stderr)
        return EXIT_NOT_PASS
    if args.json:
        print(as_json(checked))
    for result in checked.results:
        if not args.json:
            print(release_text(result))
        print_warnings(result)
    for finding in checked.findings:
        print(finding, file=sys.stderr)
    for release_gate in checked.gates:
        for reason in release_gate.reasons:
            print(f"not passing: {release_gate.release}: {reason}", file=sys.stderr)
    return checked.exit_code
