"""Opening a file that a user or a manifest names: regular files only.

Opening a FIFO for reading blocks until some writer comes, so a named pipe given as release.yaml, as an
artifact or as a section file would make ``check`` wait forever; a socket or a device is no file to read
either. Every path a person or a manifest names is opened here: its target (a symlink is judged by what it
points to) is stat'ed first and anything but a regular file is refused, then it is opened with
``O_NONBLOCK`` and checked again on the open descriptor, so a file swapped for a FIFO in between cannot
hang the read either (for a regular file ``O_NONBLOCK`` changes nothing).
"""

from __future__ import annotations

import io
import os
import stat
from pathlib import Path

from reportgen.errors import InputError, Position

#: The words for each kind of path that is not a regular file.
_KINDS = (
    (stat.S_ISDIR, "is a folder, not a file"),
    (stat.S_ISFIFO, "is a FIFO (named pipe), not a regular file"),
    (stat.S_ISSOCK, "is a socket, not a regular file"),
    (stat.S_ISCHR, "is a character device, not a regular file"),
    (stat.S_ISBLK, "is a block device, not a regular file"),
)


class NotAFileError(InputError):
    """A path names a folder, FIFO, socket or device where a file belongs."""


def _kind(mode: int) -> str | None:
    if stat.S_ISREG(mode):
        return None
    return next((words for test, words in _KINDS if test(mode)), "is not a regular file")


def not_a_file(path: Path) -> str | None:
    """Why ``path`` cannot be read as a file ("is a folder, not a file", "is a FIFO …"), or None when it is a
    regular file or does not exist (opening it then says what is wrong)."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return None
    return _kind(mode)


def open_file(path: Path) -> io.BufferedReader:
    """``path`` opened for binary reading, refused with :class:`NotAFileError` unless it is a regular file.

    Other failures (no such file, permission) are the ``OSError`` of ``open``.
    """
    if (reason := not_a_file(path)) is not None:
        raise NotAFileError(Position(path), reason)
    descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    try:
        if (reason := _kind(os.fstat(descriptor).st_mode)) is not None:
            raise NotAFileError(Position(path), reason)
        os.set_blocking(descriptor, True)
        raw = io.FileIO(descriptor, "rb")
        raw.name = str(path)  # what parsers name in their messages (else the descriptor's number)
        return io.BufferedReader(raw)
    except BaseException:
        os.close(descriptor)
        raise


def read_bytes(path: Path, limit: int | None = None) -> bytes:
    """The bytes of the regular file ``path``; with ``limit``, at most ``limit + 1`` of them (so a caller can
    tell a file over its limit without reading all of it)."""
    with open_file(path) as stream:
        return stream.read() if limit is None else stream.read(limit + 1)


def read_text(path: Path, encoding: str = "utf-8", errors: str = "strict") -> str:
    """The text of the regular file ``path``, newlines read as ``Path.read_text`` reads them;
    ``UnicodeDecodeError`` when it is not in ``encoding``."""
    with io.TextIOWrapper(open_file(path), encoding=encoding, errors=errors) as text:
        return text.read()
