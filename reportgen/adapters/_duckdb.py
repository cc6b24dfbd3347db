"""One way to open DuckDB for reducing a raw stream: bounded memory, spill to a private temp folder.

The stream reductions are SQL over files (``read_json``/``read_csv``), so that the same
statements can later run where the files are (DuckDB over object storage, a cluster SQL
engine); site_docs/guide/scale.md says how. This module only owns the connection:

* one database per process, opened on the first reduction and reused by the next ones (opening one cost
  about 25 ms of cpu, and a cold build of 100 releases opened some 300); a file in a private temporary folder
  (what DuckDB pages out goes there), closed and removed when the process ends, and closed before the process
  forks (a forked copy of a DuckDB with threads can hang); one that a killed process left is removed by the next
  process's first database (:mod:`._owned_folders`);
* each :func:`connect` block finds it as a fresh one would be: the settings below as the environment says at
  its start (a block changes none itself), its own empty scratch folder (:func:`scratch_folder`), and the tables
  and views it made dropped when it ends; a block left by an error closes the database, so the next block
  opens a new one;
* ``memory_limit`` (``REPORTGEN_DUCKDB_MEMORY``, default 256 MB): DuckDB spills what it can to that folder;
  the list states that hold a k6 stream's Trend values cannot spill, so a stream whose values would outgrow it
  as lists, or a query that runs out with them, is read again the spilling way (:mod:`._k6_values`), and one that
  runs out even so is :class:`OutOfMemory`, which ``extract`` reports naming the setting (peaks measured:
  benchmarks/k6_stream.py --memory);
* ``threads`` (``REPORTGEN_DUCKDB_THREADS``, default: DuckDB's, one per core);
* :func:`memory_share`: a part of ``memory_limit`` for one query whose result the process then holds beside
  DuckDB's own memory (the block's limit comes back after it).
"""

from __future__ import annotations

import atexit
import os
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from reportgen import named_files
from reportgen.adapters import _owned_folders
from reportgen.errors import ReportgenError

DEFAULT_MEMORY = "256MB"
#: The private folders' prefix in the temporary directory; one a killed process left is swept (:mod:`._owned_folders`).
FOLDER_PREFIX = "reportgen-duckdb-"


class NotReducible(Exception):
    """The file needs the line reader (damage, a byte-order mark, a rule only it checks): the adapter re-reads
    it line by line, which names the line."""


class OutOfMemory(Exception):
    """DuckDB ran out of ``memory_limit`` (not NotReducible: the file is fine, the way of reading it was not)."""


def out_of_memory_error(path: Path, exc: OutOfMemory) -> ReportgenError:
    """What a user reads when DuckDB ran out of memory reducing ``path``: the file and the setting to raise."""
    limit = os.environ.get("REPORTGEN_DUCKDB_MEMORY", DEFAULT_MEMORY)
    return ReportgenError(
        f"{path}: DuckDB ran out of memory reducing it ({exc}); give it more than {limit} with "
        "REPORTGEN_DUCKDB_MEMORY (e.g. REPORTGEN_DUCKDB_MEMORY=1GB); see site_docs/guide/scale.md"
    )


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


def fetch_arrays(connection: Any, statement: str) -> dict[str, Any]:
    """:func:`fetch` as one numpy array per column (8 bytes a DOUBLE, where Python floats take 32)."""
    with _reading():
        return dict(connection.execute(statement).fetchnumpy())


@contextmanager
def _reading() -> Iterator[None]:
    """What DuckDB cannot parse becomes :class:`NotReducible`; running out of memory, :class:`OutOfMemory`."""
    import duckdb  # a database is open, so this is a lookup (see _Database)

    try:
        yield
    except duckdb.Error as exc:
        if "out of memory" in str(exc).lower():
            raise OutOfMemory(str(exc).splitlines()[0]) from exc
        raise NotReducible(str(exc).splitlines()[0]) from None


def source(path: Path, function: str, options: str) -> str:
    """``read_json(…)``/``read_csv(…)`` over ``path``, gzip by magic number."""
    return f"{function}({literal(str(path))}, compression = {literal(compression(path))}, {options})"


class _Database:
    """A database in a private folder and the one connection to it."""

    def __init__(self) -> None:
        # Imported with the first database, not with this module: every stream adapter imports this module, and
        # detect() loads every adapter for any file, so a JUnit or Locust file would pay DuckDB's import (about
        # 0.1 s of cpu) for nothing.
        import duckdb

        if not _SWEPT:
            _owned_folders.sweep(FOLDER_PREFIX)
            _SWEPT.append(True)
        self.owned = _owned_folders.OwnedFolder(FOLDER_PREFIX)
        self.folder = self.owned.path
        self.connection: Any = duckdb.connect(str(self.folder / "reduce.duckdb"))
        self.pid = os.getpid()
        self.blocks = 0
        self.connection.execute(f"SET temp_directory = {literal(str(self.folder))}")
        # File order is the order k6 summed in: tables keep it (rowid) even when loaded in parallel.
        self.connection.execute("SET preserve_insertion_order = true")
        self.connection.execute("SET enable_progress_bar = false")  # reportgen's own progress display owns the terminal
        #: The settings the environment chose, as last applied (each SET costs a fraction of a millisecond, and a
        #: build runs hundreds of blocks); blocks change no setting themselves.
        self.applied: dict[str, str] = {}

    def configure(self) -> None:
        """Apply ``memory_limit`` and ``threads`` as the environment says now (unset threads: DuckDB's default)."""
        threads = os.environ.get("REPORTGEN_DUCKDB_THREADS")
        wanted = {
            "memory_limit": f"SET memory_limit = {literal(os.environ.get('REPORTGEN_DUCKDB_MEMORY', DEFAULT_MEMORY))}",
            "threads": f"SET threads = {int(threads)}" if threads else "RESET threads",
        }
        for name, statement in wanted.items():
            if self.applied.get(name) != statement:
                self.connection.execute(statement)
                self.applied[name] = statement

    def close(self) -> None:
        self.connection.close()
        self.owned.remove()


#: Whether this process swept abandoned folders yet (once: the first database it opens).
_SWEPT: list[bool] = []
#: The process's database, once a block opened it.
_SHARED: list[_Database] = []
#: Each connection in a block: id(connection) → its database (its settings as applied) and the block's scratch folder.
_OPEN: dict[int, tuple[_Database, Path]] = {}


def close() -> None:
    """Close the process's database and remove its folder (at exit, and before a fork), unless a block uses it."""
    if _SHARED and id(_SHARED[0].connection) not in _OPEN:
        database = _SHARED.pop()
        if database.pid == os.getpid():  # a forked child closes nothing of its parent's
            database.close()


# A spawned pool worker ends by sys.exit, so atexit runs there too; a forked child closes nothing of its parent's
# (the database is closed before the fork), and the forked MkDocs workers reduce nothing.
atexit.register(close)
os.register_at_fork(before=close)


@contextmanager
def connect() -> Iterator[Any]:
    """A DuckDB connection to a scratch database, as a new one would be; what the block made is removed when it
    ends. A block in another thread, or inside another block, gets a database of its own for itself."""
    main = threading.current_thread() is threading.main_thread()
    if main and not _SHARED:
        _SHARED.append(_Database())
    reuse = main and id(_SHARED[0].connection) not in _OPEN
    database = _SHARED[0] if reuse else _Database()
    connection = database.connection
    database.blocks += 1
    scratch = database.folder / f"block-{database.blocks}"
    scratch.mkdir()
    _OPEN[id(connection)] = database, scratch
    ended = False
    try:
        database.configure()
        yield connection
        _drop_made(connection)
        ended = True
    finally:
        del _OPEN[id(connection)]
        shutil.rmtree(scratch, ignore_errors=True)
        if not (reuse and ended):  # after an error (an interrupt, running out of memory) the next block starts anew
            database.close()
            if reuse:
                _SHARED.remove(database)


def _drop_made(connection: Any) -> None:
    """Drop the views and tables a block made (the Trend values' table of :mod:`._k6_values`, when a reduction
    that made it did not end)."""
    made = connection.execute(
        "SELECT 'VIEW', schema_name, view_name, temporary FROM duckdb_views() WHERE NOT internal "
        "UNION ALL SELECT 'TABLE', schema_name, table_name, temporary FROM duckdb_tables() WHERE NOT internal"
    ).fetchall()
    for kind, schema, name, temporary in sorted(made, key=lambda row: row[0] != "VIEW"):  # views first
        connection.execute(f"DROP {kind} IF EXISTS {'temp' if temporary else identifier(schema)}.{identifier(name)}")


#: Bytes per unit of DuckDB's spelling of a size (``current_setting('memory_limit')``: '244.1 MiB').
_UNITS = {
    **{"bytes": 1, "KiB": 2**10, "MiB": 2**20, "GiB": 2**30, "TiB": 2**40},
    **{"KB": 10**3, "MB": 10**6, "GB": 10**9, "TB": 10**12},
}


def memory_limit(connection: Any) -> int:
    """DuckDB's ``memory_limit`` in bytes (to the precision DuckDB spells it in). Read as a query is: a read beside
    the query (:mod:`._gzip_end`) that refuses the file interrupts whatever statement runs, this one too."""
    number, unit = fetch(connection, "SELECT current_setting('memory_limit')")[0][0].split()
    return int(float(number) * _UNITS[unit])


@contextmanager
def memory_share(connection: Any, fraction: float) -> Iterator[None]:
    """Within the block, ``memory_limit`` is ``fraction`` of the block's: DuckDB spills beyond it, leaving the rest
    for what the process holds of the result. The block's own setting is applied again after (blocks change no
    setting: :func:`connect`)."""
    share = max(int(memory_limit(connection) * fraction), 16 * 2**20)
    run_statement(connection, f"SET memory_limit = '{share} bytes'")  # interrupted as a query is (above)
    try:
        yield
    finally:
        run_statement(connection, _OPEN[id(connection)][0].applied["memory_limit"])


def scratch_folder(connection: Any) -> Path:
    """The block's private folder (removed when it ends): for files made for this reduction only."""
    return _OPEN[id(connection)][1]


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
