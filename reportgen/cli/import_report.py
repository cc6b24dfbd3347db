"""``reportgen import REPORT --release RELEASE``: start a draft release from a hand-written report."""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

from reportgen.cli.common import Subparsers, command, project, release_option
from reportgen.exits import EXIT_OK


def register(sub: Subparsers) -> None:
    p = command(
        sub,
        "import",
        run,
        help="start a draft release from a hand-written report",
        description="Turn a hand-written Markdown report into results/RELEASE/: header fields, targets, every "
        "stated number as a projected metric, prose as narrative, the report as an attachment.",
    )
    p.add_argument("report", help="the hand-written report (Markdown)")
    release_option(p, "a new release id (its folder must not exist)")


def run(args: argparse.Namespace) -> int:
    from reportgen.legacy_import import import_legacy

    manifest, legacy = import_legacy(project(args), Path(args.report), args.release, dt.date.today())
    print(
        f"{manifest}: draft release with {len(legacy.metrics)} projected metrics and {len(legacy.targets)} targets "
        f"from {args.report} (kept as an attachment); nothing in it can pass until measured"
    )
    print(f"not mapped ({len(legacy.not_mapped)}):")
    for line in legacy.not_mapped:
        print(f"  ! {line}")
    for line in legacy.repaired:
        print(f"  repaired: {line}")
    return EXIT_OK
