"""Release order: the one place that says which release comes after which. Pure.

A release is later than another when its manifest date is later; on the same date, when its id is
a later version. Ids that are versions (``v1.10.0``, ``2.0.0rc1``, ``2026.1``) compare as versions
(PEP 440, via ``packaging``: ``v1.10.0`` after ``v1.9.0``, a release candidate before its release);
other ids (``nightly-7``) compare piece by piece, numbers as numbers, and come before versions of
the same date. The id itself breaks any remaining tie, so the order is total and deterministic.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from typing import TypeVar

from packaging.version import InvalidVersion, Version

T = TypeVar("T")

_PIECES = re.compile(r"(\d+)")

#: (date, kind, version, natural pieces, id): kind 0 for non-version ids, 1 for versions.
ReleaseKey = tuple[dt.date, int, Version, tuple[tuple[int, int, str], ...], str]
_NO_VERSION = Version("0")


def _natural(text: str) -> tuple[tuple[int, int, str], ...]:
    """``nightly-10`` after ``nightly-9``: digits compare as numbers, text as text, never int against str."""
    return tuple((0, int(piece), "") if piece.isdigit() else (1, 0, piece) for piece in _PIECES.split(text) if piece)


def release_key(release: str, date: dt.date) -> ReleaseKey:
    """Sort key of a release: later releases have larger keys."""
    try:
        return (date, 1, Version(release), (), release)
    except InvalidVersion:
        return (date, 0, _NO_VERSION, _natural(release), release)


def release_order(items: Iterable[T], key: Callable[[T], tuple[str, dt.date]]) -> list[T]:
    """``items`` oldest first; ``key`` gives each item's (release id, manifest date)."""
    return sorted(items, key=lambda item: release_key(*key(item)))


def newest_first(items: Iterable[T], key: Callable[[T], tuple[str, dt.date]]) -> list[T]:
    """``items`` newest first, as the home page and ``check`` list them."""
    return list(reversed(release_order(items, key)))
