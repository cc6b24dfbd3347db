"""``reportgen schema [--signoffs|--check|--claims|--index] [-o FILE]``: a JSON Schema, for editors and consumers."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from reportgen.cli.common import Subparsers, command, output_option
from reportgen.exits import EXIT_OK

#: The flags that choose another schema than release.yaml's, with their help.
KINDS = {
    "signoffs": "the schema of signoffs.yaml instead",
    "check": "the schema of `reportgen check --json` output instead",
    "claims": "the schema of a release's claims.json instead",
    "index": "the schema of the site's releases/index.json instead",
}


def register(sub: Subparsers) -> None:
    p = command(
        sub,
        "schema",
        run,
        help="write the JSON Schema of release.yaml",
        description="Write the JSON Schema of release.yaml (or signoffs.yaml) for editors.",
    )
    output_option(p, "file to write (default: standard output)")
    kind = p.add_mutually_exclusive_group()
    for flag, help in KINDS.items():
        kind.add_argument(f"--{flag}", action="store_true", help=help)


def run(args: argparse.Namespace) -> int:
    from reportgen.schema_files import schema_text, write_schema

    kind = next((flag for flag in KINDS if getattr(args, flag)), "manifest")
    if args.output:
        write_schema(kind, Path(args.output), Path(args.project))
        print(f"Wrote {args.output}")
    else:
        sys.stdout.write(schema_text(kind))
    return EXIT_OK
