"""``reportgen bundle RELEASE``: the site as of RELEASE for opening from disk, as a folder and a .zip."""

from __future__ import annotations

import argparse

from reportgen.cli.common import Subparsers, command, output_option, output_path, project, release_argument
from reportgen.exits import EXIT_OK


def register(sub: Subparsers) -> None:
    p = command(
        sub,
        "bundle",
        run,
        help="the site as of RELEASE for opening from disk, as a folder and a .zip",
        description="Build the site as of RELEASE to open from file:// (navigation, charts, search, no network) "
        "into a folder, and zip it beside it.",
    )
    release_argument(p)
    output_option(p, "folder to write (default exports/RELEASE-site)", metavar="DIR")


def run(args: argparse.Namespace) -> int:
    from reportgen.bundle import bundle

    folder, archive = bundle(project(args), args.release, output_path(args))
    print(f"{args.release}: offline site in {folder} (open index.html), archived as {archive}")
    return EXIT_OK
