"""``reportgen sign RELEASE``: append a sign-off over the release's current evidence to signoffs.yaml."""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

from reportgen.cli.common import Subparsers, command, project, release_argument
from reportgen.exits import EXIT_OK


def register(sub: Subparsers) -> None:
    p = command(
        sub,
        "sign",
        run,
        help="append a sign-off over the release's current evidence to signoffs.yaml",
        description="Append a sign-off to results/RELEASE/signoffs.yaml with today's date and the release's "
        "current evidence digest (comments and layout kept); with --key, sign it with ssh-keygen -Y sign.",
    )
    release_argument(p)
    p.add_argument("--role", required=True, help='e.g. "QA lead"')
    p.add_argument("--name", required=True, help="who signs")
    p.add_argument("--decision", required=True, choices=("approve", "reject", "conditional"))
    p.add_argument("--comment", help="why, in one or two sentences")
    p.add_argument("--key", metavar="SSH_KEY", help="a private SSH key to sign with (checked against allowed_signers)")


def run(args: argparse.Namespace) -> int:
    from reportgen.sign import sign
    from reportgen.signoffs import describe

    signed = sign(
        project(args),
        args.release,
        role=args.role,
        name=args.name,
        decision=args.decision,
        today=dt.date.today(),
        comment=args.comment,
        key=Path(args.key) if args.key else None,
    )
    print(f"Signed {args.release} in {signed.path}: {describe(signed.state)}")
    print(f"  evidence digest {signed.signoff.evidence_digest}")
    return EXIT_OK
