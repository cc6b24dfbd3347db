"""``reportgen import-thresholds SOURCE --release RELEASE``: a k6 script's or summary's thresholds as targets."""

from __future__ import annotations

import argparse
from pathlib import Path

from reportgen.cli.common import Subparsers, command, project, release_option
from reportgen.exits import EXIT_OK


def register(sub: Subparsers) -> None:
    p = command(
        sub,
        "import-thresholds",
        run,
        help="turn a k6 script's or summary's thresholds into targets of a release",
        description="Add a target (and the metric it judges, measured from the release's k6 artifacts) for every "
        "threshold a k6 script or summary declares; what cannot be mapped is listed, not guessed.",
    )
    p.add_argument("source", help="a k6 script (.js) or a handleSummary / --summary-export JSON file")
    release_option(p, "the release whose release.yaml gets the targets")


def run(args: argparse.Namespace) -> int:
    from reportgen.thresholds_import import import_thresholds

    result = import_thresholds(project(args), Path(args.source), args.release)
    added = len(result.targets)
    print(f"{result.manifest}: {added} target{'' if added == 1 else 's'} added ({len(result.metrics)} new metrics)")
    for target in result.targets:
        print(f"  + {target}")
    for line in result.already:
        print(f"  = {line}")
    if result.unsupported:
        print(f"not imported ({len(result.unsupported)}):")
        for line in result.unsupported:
            print(f"  ! {line}")
    return EXIT_OK
