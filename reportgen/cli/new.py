"""``reportgen new RELEASE [--from OLDER]``: create a release manifest, optionally from an older release."""

from __future__ import annotations

import argparse
import datetime as dt

from reportgen.cli.common import Subparsers, command, project
from reportgen.exits import EXIT_OK


def register(sub: Subparsers) -> None:
    p = command(sub, "new", run, help="create results/RELEASE/release.yaml", description="Create a release manifest.")
    p.add_argument("release")
    p.add_argument(
        "--from", dest="from_release", metavar="OLDER", help="copy scenarios, metrics and targets from OLDER"
    )


def run(args: argparse.Namespace) -> int:
    from reportgen.scaffold import new_release

    made = new_release(project(args), args.release, args.from_release, dt.date.today())
    print(f"Created {made.path}" + (f" from {args.from_release}" if args.from_release else ""))
    if args.from_release:
        print(
            f"  copied: {', '.join(made.copied) or 'nothing'}; set baseline: {args.from_release}, status: draft, date"
        )
        if made.carried:
            print(
                f"  carried over (typed projections, marked 'not re-estimated' until edited): {', '.join(made.carried)}"
            )
        if made.dropped:
            print(f"  not copied (they belong to {args.from_release}): {', '.join(made.dropped)}")
    return EXIT_OK
