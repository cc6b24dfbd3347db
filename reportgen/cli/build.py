"""``reportgen build``: render site_docs/releases/ and build the site with MkDocs."""

from __future__ import annotations

import argparse
from pathlib import Path

from reportgen.cli.common import Subparsers, command, print_warnings, project
from reportgen.exits import EXIT_OK


def register(sub: Subparsers) -> None:
    p = command(
        sub,
        "build",
        run,
        help="render site_docs/ and build the site with MkDocs",
        description="Render site_docs/releases/ and build site/ with MkDocs (strict).",
    )
    p.add_argument("--site-dir", help="build here instead of site/")
    p.add_argument(
        "--engine",
        choices=["mkdocs", "properdocs"],
        help="site builder (default: extra.reportgen.engine in mkdocs.yml, else mkdocs)",
    )


def run(args: argparse.Namespace) -> int:
    from reportgen.build import build

    where = project(args)
    results = build(where, Path(args.site_dir) if args.site_dir else None, engine=args.engine)
    for result in results:
        print_warnings(result)
    count = f"{len(results)} release" + ("" if len(results) == 1 else "s")
    print(f"Built {count} into {args.site_dir or where.site}")
    return EXIT_OK
