"""Command line: parse arguments, call the library, turn ReportgenError into a message and an exit code.

One module per command, each with ``register(subparsers)`` and ``run(args)``; this module only registers them
(in the order ``--help`` lists them) and is the ONE place that turns errors into messages and exit codes.
Exit codes: see :mod:`reportgen.exits` (0 every checked release passes; 1 one does not; 2 input invalid).
"""

from __future__ import annotations

import argparse
import errno
import os
import sys
from collections.abc import Sequence

from reportgen import __version__, page_pool
from reportgen.cli import (
    build,
    bundle,
    check,
    compare,
    deploy,
    explain,
    extract,
    import_report,
    import_thresholds,
    init,
    new,
    pdf,
    schema,
    serve,
    sign,
    verify,
)
from reportgen.errors import ErrorGroup, ReportgenError
from reportgen.exits import EXIT_INVALID, EXIT_OK, help_table

#: Every command, in the order ``reportgen --help`` lists them.
COMMANDS = (
    init,
    new,
    check,
    build,
    deploy,
    bundle,
    pdf,
    serve,
    extract,
    sign,
    explain,
    import_thresholds,
    import_report,
    verify,
    compare,
    schema,
)


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="reportgen",
        description="Release validation reports computed from raw test artifacts, rendered as an MkDocs site.",
        epilog=help_table(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    top.add_argument("--version", action="version", version=f"reportgen {__version__}")
    top.add_argument("-C", "--project", default=".", help="report repository (default: the current folder or above)")
    sub = top.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in COMMANDS:
        command.register(sub)
    return top


def main(argv: Sequence[str] | None = None) -> int:
    page_pool.allow_processes()  # this command's main module runs nothing on import: builds may use workers
    args = parser().parse_args(argv)
    try:
        code: int = args.run(args)
        return code
    except ErrorGroup as exc:
        for error in exc.errors:
            print(f"error: {error}", file=sys.stderr)
        print(f"{len(exc.errors)} errors; nothing was written.", file=sys.stderr)
        return EXIT_INVALID
    except ReportgenError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # Output piped into `head` and closed early: not an error. Point stdout at devnull so the
        # interpreter's final flush does not raise again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except OSError as exc:
        # The file system or the network said no (a path that is a file, a port in use): say where.
        where = exc.filename or (f"address {args.dev_addr}" if getattr(args, "dev_addr", None) else "reportgen")
        hint = " (choose another with -a 127.0.0.1:PORT)" if exc.errno == errno.EADDRINUSE else ""
        print(f"error: {where}: {exc.strerror or exc}{hint}", file=sys.stderr)
        return EXIT_INVALID
