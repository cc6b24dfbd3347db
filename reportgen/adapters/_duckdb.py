"""One way to open DuckDB for reducing a raw stream: bounded memory, spill to a private temp folder.

The stream reductions are SQL over files (``read_json``/``read_csv``), so that the same
statements can later run where the files are (DuckDB over object storage, a cluster SQL
engine); site_docs/guide/scale.md says how. This module only owns the connection:

* a database file in a private temporary folder, removed afterwards (what DuckDB pages out goes there);
* ``memory_limit`` (``REPORTGEN_DUCKDB_MEMORY``, default 256 MB): DuckDB spills what does not fit (the
  sorted values of exact percentiles) to that folder, so a 2 GB stream reduces in under 400 MB of resident
  memory, measured (benchmarks/k6_stream.py --memory);
* ``threads`` (``REPORTGEN_DUCKDB_THREADS``, default: DuckDB's, one per core).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb

from reportgen import named_files

DEFAULT_MEMORY = "256MB"


class NotReducible(Exception):
    """The file needs the line reader (damage, a byte-order mark, a rule only it checks): the adapter re-reads
    it line by line, which names the line."""


class FileOrderNeeded(NotReducible):
    """An answer of an unnumbered (parallel) read depends on the order of the lines: read it numbered instead."""


def run_statement(connection: Any, statement: str) -> None:
    """Run a statement that reads an artifact; what DuckDB cannot parse becomes :class:`NotReducible`."""
    fetch(connection, statement)


def fetch(connection: Any, statement: str) -> list[Any]:
    """The rows of a query that reads an artifact (DuckDB reads while fetching: errors count as at execute)."""
    with _reading():
        return list(connection.execute(statement).fetchall())


def fetch_columns(connection: Any, statement: str) -> list[tuple[Any, ...]]:
    """:func:`fetch` by columns (numpy): a LIST column comes as arrays, not as one Python float per value."""
    with _reading():
        columns = connection.execute(statement).fetchnumpy()
    return list(zip(*(column.tolist() for column in columns.values()), strict=True))


@contextmanager
def _reading() -> Iterator[None]:
    """What DuckDB cannot parse becomes :class:`NotReducible` (running out of memory stays an error)."""
    try:
        yield
    except duckdb.Error as exc:
        if "out of memory" in str(exc).lower():
            raise
        raise NotReducible(str(exc).splitlines()[0]) from None


def source(path: Path, function: str, options: str) -> str:
    """``read_json(…)``/``read_csv(…)`` over ``path``, gzip by magic number."""
    return f"{function}({literal(str(path))}, compression = {literal(compression(path))}, {options})"


@contextmanager
def connect() -> Iterator[Any]:
    """A DuckDB connection to a scratch database whose folder is removed when the block ends."""
    spill = tempfile.mkdtemp(prefix="reportgen-duckdb-")
    connection = duckdb.connect(str(Path(spill) / "reduce.duckdb"))
    try:
        connection.execute(f"SET memory_limit = {literal(os.environ.get('REPORTGEN_DUCKDB_MEMORY', DEFAULT_MEMORY))}")
        connection.execute(f"SET temp_directory = {literal(spill)}")
        # File order is the order k6 summed in: tables keep it (rowid) even when loaded in parallel.
        connection.execute("SET preserve_insertion_order = true")
        connection.execute("SET enable_progress_bar = false")  # reportgen's own progress display owns the terminal
        threads = os.environ.get("REPORTGEN_DUCKDB_THREADS")
        if threads:
            connection.execute(f"SET threads = {int(threads)}")
        yield connection
    finally:
        connection.close()
        shutil.rmtree(spill, ignore_errors=True)


def scratch_folder(connection: Any) -> Path:
    """The connection's private temporary folder (removed with it): for files made for this reduction only."""
    return Path(connection.execute("SELECT current_setting('temp_directory')").fetchone()[0])


def literal(text: str) -> str:
    """``text`` as an SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def identifier(name: str) -> str:
    """``name`` as a quoted SQL identifier (tag names are user text)."""
    return '"' + name.replace('"', '""') + '"'


def compression(path: Path) -> str:
    """``gzip`` by magic number (never by file name, as the Python readers do), else ``none``."""
    with named_files.open_file(path) as stream:
        return "gzip" if stream.read(2) == b"\x1f\x8b" else "none"


def plain_utf8(path: Path) -> bool:
    """True unless the text starts with a byte-order mark (UTF-16, UTF-8 BOM): those go to the Python readers."""
    import gzip

    try:
        with named_files.open_file(path) as raw:
            stream = gzip.GzipFile(fileobj=raw) if raw.peek(2)[:2] == b"\x1f\x8b" else raw
            start: bytes = stream.read(3)
    except (OSError, EOFError):
        return False
    return not start.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"))
