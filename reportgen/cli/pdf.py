"""``reportgen pdf RELEASE``: print the release's report to PDF with headless Chromium."""

from __future__ import annotations

import argparse

from reportgen.cli.common import Subparsers, command, output_option, output_path, project, release_argument
from reportgen.exits import EXIT_OK


def register(sub: Subparsers) -> None:
    p = command(
        sub,
        "pdf",
        run,
        help="print RELEASE's report to PDF with headless Chromium",
        description="Print RELEASE's report to PDF with Debian's chromium (through Playwright): header with release "
        "and verdict, page numbers, no row or chart cut by a page break.",
    )
    release_argument(p)
    output_option(p, "file to write (default exports/RELEASE.pdf)", metavar="FILE")


def run(args: argparse.Namespace) -> int:
    from reportgen.pdf import pdf

    path = pdf(project(args), args.release, output_path(args))
    print(f"{args.release}: report printed to {path}")
    return EXIT_OK
