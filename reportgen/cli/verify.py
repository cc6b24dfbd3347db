"""``reportgen verify [PATH]``: recompute a built site from its raw copies (and from results/) and compare."""

from __future__ import annotations

import argparse
from pathlib import Path

from reportgen.cli.common import Subparsers, command
from reportgen.exits import EXIT_NOT_PASS, EXIT_OK


def register(sub: Subparsers) -> None:
    p = command(
        sub,
        "verify",
        run,
        help="recompute a built site from its raw copies (and from results/) and compare",
        description="Recompute every figure of a built site from the raw copies it holds and compare with "
        "claims.json and the pages; in a checkout, also recompute from results/. "
        "Exit 0 everything matches, 1 a mismatch (each listed), 2 unreadable input.",
    )
    p.add_argument("path", nargs="?", help="a built site folder, or a report repository (default: -C or here)")
    p.add_argument("--site-dir", help="in a repository, the built site to check (default: site/)")


def run(args: argparse.Namespace) -> int:
    from reportgen.verify import verify

    report = verify(Path(args.path or args.project), Path(args.site_dir) if args.site_dir else None)
    for mismatch in report.mismatches:
        print(mismatch)
    checked = (
        f"{len(report.releases)} release(s) in {report.site}: {report.files_hashed} files hashed, "
        f"{report.claims_compared} claims recomputed, {report.figures_compared} page figures compared"
    )
    if report.ok:
        print(f"verified: {checked}; everything matches")
        return EXIT_OK
    print(f"NOT VERIFIED: {len(report.mismatches)} mismatch(es); {checked}")
    return EXIT_NOT_PASS
