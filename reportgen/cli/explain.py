"""``reportgen explain RELEASE FIGURE``: the chain behind one figure, from artifact to verdict."""

from __future__ import annotations

import argparse
import sys

from reportgen.cli.common import Subparsers, command, project, release_argument
from reportgen.exits import EXIT_OK


def register(sub: Subparsers) -> None:
    p = command(
        sub,
        "explain",
        run,
        help="the chain behind one figure: artifact, hash, selector, raw excerpt, conversions, guards, verdict rule",
        description="Explain one figure of a release: its artifact, SHA-256, adapter, selector, the raw excerpt "
        "holding the value, unit conversions, derived inputs with their values, guards and the verdict rule.",
    )
    release_argument(p)
    p.add_argument("figure", metavar="FIGURE", help="a target id, a metric id, or an evidence-page anchor")


def run(args: argparse.Namespace) -> int:
    from reportgen.explain import explain

    sys.stdout.write(explain(project(args), args.release, args.figure))
    return EXIT_OK
