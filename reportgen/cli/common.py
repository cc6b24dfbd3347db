"""What the command modules share: the project from ``-C``, one way to add a command, and the arguments that
several commands take alike (RELEASE, ``--release``, ``--json``, ``-o``)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias

if TYPE_CHECKING:  # the commands import the library lazily, so --help stays fast
    from reportgen.project import Project
    from reportgen.schemas.report import ReleaseResult

Subparsers: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"
Run: TypeAlias = Callable[[argparse.Namespace], int]


def project(args: argparse.Namespace) -> Project:
    from reportgen.project import find_project

    return find_project(Path(args.project))


def command(
    sub: Subparsers, name: str, run: Run, *, help: str, description: str, **more: Any
) -> argparse.ArgumentParser:
    """Add the command ``name``, which ``main`` dispatches to ``run``."""
    parser = sub.add_parser(name, help=help, description=description, **more)
    parser.set_defaults(run=run)
    return parser


def release_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("release", metavar="RELEASE")


def release_option(parser: argparse.ArgumentParser, help: str) -> None:
    parser.add_argument("--release", required=True, help=help)


def json_flag(parser: argparse.ArgumentParser, help: str) -> None:
    parser.add_argument("--json", action="store_true", help=help)


def output_option(parser: argparse.ArgumentParser, help: str, metavar: str | None = None) -> None:
    parser.add_argument("-o", "--output", metavar=metavar, help=help)


def output_path(args: argparse.Namespace) -> Path | None:
    return Path(args.output) if args.output else None


def print_warnings(result: ReleaseResult) -> None:
    """Each warning not acknowledged, with the id a manifest acknowledges it by; acknowledged ones stay quiet."""
    for finding in result.loud:
        print(f"warning: {result.id}: {finding.message} [{finding.id}]", file=sys.stderr)
