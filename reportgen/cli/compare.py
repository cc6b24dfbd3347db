"""``reportgen compare OLD NEW``: each figure's change, tested for noise; exit 1 when a must-target's metric
regressed significantly."""

from __future__ import annotations

import argparse
import json

from reportgen.cli.common import Subparsers, command, json_flag, project
from reportgen.exits import EXIT_NOT_PASS, EXIT_OK


def register(sub: Subparsers) -> None:
    p = command(
        sub,
        "compare",
        run,
        help="compare two releases' figures, each change tested for noise",
        description="Compare NEW's figures with OLD's: signed changes, 95 % bootstrap intervals where both have raw "
        "samples, and improved / regressed / no significant change / not tested for noise. "
        "Exit 0 no must-target's metric regressed significantly, 1 one did, 2 invalid input.",
    )
    p.add_argument("old", help="the baseline release id")
    p.add_argument("new", help="the release to judge against it")
    json_flag(p, "the rows as JSON")


def run(args: argparse.Namespace) -> int:
    from reportgen.comparison import as_json, as_text, compare_releases, must_regressions

    rows = compare_releases(project(args), args.old, args.new)
    if args.json:
        print(json.dumps(as_json(rows, args.old, args.new), indent=2, ensure_ascii=False))
    else:
        print(as_text(rows, args.old, args.new))
    regressed = must_regressions(rows)
    if regressed and not args.json:
        print(f"REGRESSED: {', '.join(r.metric for r in regressed)} (judged by a must-target)")
    return EXIT_NOT_PASS if regressed else EXIT_OK
