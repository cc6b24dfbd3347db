"""``reportgen serve``: build, serve on localhost, rebuild on changes."""

from __future__ import annotations

import argparse

from reportgen.cli.common import Subparsers, command, project
from reportgen.exits import EXIT_OK


def register(sub: Subparsers) -> None:
    p = command(
        sub,
        "serve",
        run,
        help="build and serve locally, rebuilding on changes",
        description="Build, serve on localhost, rebuild when results or templates change.",
    )
    p.add_argument("-a", "--dev-addr", default="127.0.0.1:8000", help="address to serve on (default 127.0.0.1:8000)")


def run(args: argparse.Namespace) -> int:
    from reportgen.serve import serve

    serve(project(args), args.dev_addr)
    return EXIT_OK
