"""``reportgen deploy RELEASE|--latest|--list``: publish a release's site as a mike version."""

from __future__ import annotations

import argparse
import sys

from reportgen.cli.common import Subparsers, command, project
from reportgen.exits import EXIT_INVALID, EXIT_OK


def register(sub: Subparsers) -> None:
    p = command(
        sub,
        "deploy",
        run,
        help="publish a release's site as a mike version on gh-pages",
        description="Build the site as of RELEASE and commit it to the gh-pages branch as a mike version "
        "(aliases as copies; an alias never moves to an older release). One deploy at a time per checkout.",
    )
    p.add_argument("release", nargs="?", metavar="RELEASE")
    p.add_argument("--latest", action="store_true", help="deploy the newest release (manifest date, then version)")
    p.add_argument("--alias", action="append", metavar="NAME", help="alias to point at RELEASE (default: latest)")
    p.add_argument("--no-alias", action="store_true", help="deploy without any alias")
    p.add_argument("--title", help="title in the version selector (default: the release id)")
    p.add_argument("--branch", default="gh-pages", help="branch to commit to (default gh-pages)")
    p.add_argument("--remote", default="origin", help="remote to sync with and push to (default origin)")
    p.add_argument("--push", action="store_true", help="fetch the remote's branch first, push it afterwards")
    p.add_argument("--list", action="store_true", help="list the published versions instead")


def _list(args: argparse.Namespace) -> int:
    from reportgen.publish import published

    for v in published(project(args), args.branch):
        shown = f" [{', '.join(v.aliases)}]" if v.aliases else ""
        title = f" {v.title!r}" if v.title != v.version else ""
        verdict = f" {v.verdict.upper()}" if v.verdict else ""
        print(f"{v.version}{title}{shown}{verdict}{'  (default)' if v.default else ''}")
    return EXIT_OK


def run(args: argparse.Namespace) -> int:
    from reportgen.gate import select_releases
    from reportgen.publish import deploy

    if args.list:
        return _list(args)
    where = project(args)
    release = next(iter(select_releases(where, [], latest=True)), None) if args.latest else args.release
    if not release:
        print("error: deploy needs a RELEASE (or --latest, or --list) and results/ a release", file=sys.stderr)
        return EXIT_INVALID
    aliases = [] if args.no_alias else (args.alias or ["latest"])
    done = deploy(
        where, release, aliases=aliases, title=args.title, branch=args.branch, remote=args.remote, push=args.push
    )
    where_to = f"{done.branch}" + (f" as {', '.join(done.aliases)}" if done.aliases else "")
    print(
        f"{done.release}: deployed to {where_to}"
        if done.changed
        else f"{done.release}: already on {where_to}; nothing changed"
    )
    for alias, holder in done.kept.items():
        print(f"  {alias} stays on {holder}, which is newer than {done.release}")
    if done.default:
        print(f"  default version: {done.default}")
    if done.pushed:
        print(f"  pushed {done.branch} to {done.pushed}")
    return EXIT_OK
