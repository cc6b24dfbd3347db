"""``reportgen init DIR``: scaffold a new report repository."""

from __future__ import annotations

import argparse
from pathlib import Path

from reportgen.cli.common import Subparsers, command
from reportgen.exits import EXIT_OK


def register(sub: Subparsers) -> None:
    p = command(
        sub, "init", run, help="scaffold a new report repository", description="Scaffold a new report repository."
    )
    p.add_argument("dir")
    p.add_argument(
        "--install",
        metavar="SPEC",
        help="what the CI workflow pip-installs (default: this reportgen's distribution at this version, "
        "or its git URL and commit when it was installed from git)",
    )


def run(args: argparse.Namespace) -> int:
    from reportgen.scaffold import init

    written = init(Path(args.dir), args.install)
    print(f"Created a report repository in {args.dir}: {', '.join(written)}")
    print(f"Next: cd {args.dir} && reportgen new v1.0.0")
    return EXIT_OK
