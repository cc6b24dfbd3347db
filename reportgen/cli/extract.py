"""``reportgen extract FILE``: show what an adapter reads from one artifact."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from reportgen.adapters import names as adapter_names
from reportgen.cli.common import Subparsers, command, json_flag
from reportgen.exits import EXIT_OK


def _label(text: str) -> tuple[str, str]:
    key, sep, value = text.partition("=")
    if not sep:
        raise argparse.ArgumentTypeError(f"expected KEY=VALUE, got {text!r}")
    return key, value


def register(sub: Subparsers) -> None:
    p = command(
        sub,
        "extract",
        run,
        help="show what an adapter reads from one artifact",
        description="Show the measurements an adapter reads from one artifact.",
    )
    p.add_argument("file")
    p.add_argument("--format", help=f"adapter name (default: sniffed): {', '.join(adapter_names())}")
    json_flag(p, "print a JSON array of measurements")
    p.add_argument(
        "--percentile", action="append", default=[], metavar="N", help="also compute pN from raw samples (e.g. 97.5)"
    )
    p.add_argument("--series", action="store_true", help="the time series (per second or per interval) instead")
    p.add_argument("--metric", help="only this metric (e.g. http_req_duration)")
    p.add_argument(
        "--label", action="append", default=[], type=_label, metavar="KEY=VALUE", help="only slices with this label"
    )


def run(args: argparse.Namespace) -> int:
    from reportgen import listing
    from reportgen.adapters import extract, percentile_of_stat

    requested = [p for text in args.percentile if (p := percentile_of_stat(f"p{text}")) is not None]
    extraction = extract(Path(args.file), args.format, requested)
    selected = listing.select(extraction, args.metric, args.label)
    if args.series:
        if args.json:
            print(listing.series_json(selected))
        else:
            sys.stdout.write(listing.series_text(selected))
        return EXIT_OK
    if args.json:
        print(listing.measurements_json(selected))
    else:
        sys.stdout.write(listing.measurements_text(selected, args.file))
    for warning in extraction.warnings:
        print(f"warning: {args.file}:{warning.line or ''}: {warning.message}", file=sys.stderr)
    return EXIT_OK
