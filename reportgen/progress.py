"""Progress of long operations on a terminal: bytes and rate while artifacts are read, pages while they render.

Shown with rich on standard error, only when standard error is a terminal and neither ``CI`` nor
``REPORTGEN_NO_PROGRESS`` is set, and removed when the operation ends (``transient``): CI logs, pipes and
files never see it. Advances are per artifact and per release page; a single big stream advances once it is
read (DuckDB reads it in one statement).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Literal

Advance = Callable[[float], None]


def enabled() -> bool:
    """Whether to draw progress: on a terminal, outside CI, unless turned off."""
    if os.environ.get("CI", "").strip().lower() not in ("", "0", "false"):
        return False
    if os.environ.get("REPORTGEN_NO_PROGRESS", "").strip() not in ("", "0"):
        return False
    return sys.stderr.isatty()


def _ignore(_: float) -> None:
    return None


@contextmanager
def bar(description: str, total: float | None, unit: Literal["bytes", "pages"]) -> Iterator[Advance]:
    """A progress bar for the block; the yielded function advances it (a no-op when progress is not shown)."""
    if not enabled():
        yield _ignore
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TransferSpeedColumn,
    )

    counts = (DownloadColumn(), TransferSpeedColumn()) if unit == "bytes" else (MofNCompleteColumn(),)
    columns = (TextColumn("{task.description}"), BarColumn(), *counts, TimeElapsedColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as progress:
        task = progress.add_task(description, total=total)

        def advance(amount: float) -> None:
            progress.advance(task, amount)

        yield advance
