"""Reads in plain SQL, run by whichever driver is at hand: the review queue's fast start.

The queue's reads (``queue_sql``, ``entry_sql``) are SQL text with ``:name`` parameters, written
once and run either through a SQLAlchemy session (:func:`watchlist.store.queue.store_reader`,
any database) or, for a SQLite file, through the standard library's ``sqlite3``
(:class:`SqliteReader`): that one needs neither SQLAlchemy, SQLModel nor pydantic, so
``watchlist review`` draws its first entry before they are imported (docs/benchmarks.md).

Both drivers run the same statements: one definition of the queue's order and filters.
This module imports nothing heavy.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import quote

MIGRATIONS = Path(__file__).with_name("migrations")
BUSY_TIMEOUT_S = 30.0

Rows = Callable[[str, Mapping[str, Any]], list[tuple[Any, ...]]]
"""Run one ``SELECT`` (SQL text, ``:name`` parameters) and return its rows as tuples."""


class Reader(Protocol):
    """Something that runs plain-SQL reads in one read transaction at a time."""

    def read(self) -> AbstractContextManager[Rows]:
        """A read transaction: the :data:`Rows` function it yields runs statements in it."""
        ...


def in_list(name: str, values: list[Any], params: dict[str, Any]) -> str:
    """``(:name0, :name1, …)`` for an ``IN``, its values added to ``params`` (never empty)."""
    if not values:
        return "(NULL)"
    for i, value in enumerate(values):
        params[f"{name}{i}"] = value
    return "(" + ", ".join(f":{name}{i}" for i in range(len(values))) + ")"


def head_revision() -> str:
    """The newest migration's id (as ``engine.head_revision``; tests check they agree)."""
    numbers = (f.name[:4] for f in (MIGRATIONS / "versions").glob("[0-9][0-9][0-9][0-9]_*.py"))
    return max(numbers)


def sqlite_file(url: str) -> Path | None:
    """The file of a plain SQLite URL (``sqlite:///x.db``) or path; None for anything else.

    Anything unusual (another database, a query string, ``:memory:``) is None: the caller
    opens it through SQLAlchemy, which knows every form and says what is wrong.
    """
    if url.startswith("sqlite:///"):
        database = url[len("sqlite:///") :]
    elif ":" not in url and url and not any(c.isspace() for c in url):
        database = url  # a plain path (engine.database_url)
    else:
        return None
    if not database or "?" in database or database == ":memory:":
        return None
    return Path(database).expanduser()


class SqliteReader:
    """Read transactions on a SQLite file through ``sqlite3``: one connection per thread.

    SQLite runs a statement without holding the interpreter lock, so a read in a worker thread
    does not hold up the terminal's thread. Never writes, never creates the file.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._local = threading.local()
        self._opened: list[sqlite3.Connection] = []
        self._lock = threading.Lock()

    def _connection(self) -> sqlite3.Connection:
        connection: sqlite3.Connection | None = getattr(self._local, "connection", None)
        if connection is None:
            uri = f"file:{quote(str(self.path.absolute()))}?mode=rw"  # never creates the file
            connection = sqlite3.connect(
                uri,
                uri=True,
                timeout=BUSY_TIMEOUT_S,
                isolation_level=None,  # we begin and end the transactions
                check_same_thread=False,  # closed by the thread that calls close()
            )
            self._local.connection = connection
            with self._lock:
                self._opened.append(connection)
        return connection

    @contextmanager
    def read(self) -> Iterator[Rows]:
        """One read transaction (a consistent snapshot of the store)."""
        connection = self._connection()

        def rows(sql: str, params: Mapping[str, Any]) -> list[tuple[Any, ...]]:
            return connection.execute(sql, dict(params)).fetchall()

        connection.execute("BEGIN")
        try:
            yield rows
        finally:
            connection.execute("COMMIT")

    def close(self) -> None:
        """Close every connection this reader opened."""
        with self._lock:
            opened, self._opened = self._opened, []
        for connection in opened:
            connection.close()


def sqlite_reader(url: str) -> SqliteReader | None:
    """A :class:`SqliteReader` on the store at ``url`` when it is a SQLite file at the newest
    schema; None otherwise (another database, a missing or empty file, a schema to migrate):
    then the store is opened the usual way, which migrates it or names what is wrong."""
    path = sqlite_file(url)
    if path is None or not path.is_file() or path.stat().st_size == 0:
        return None
    reader = SqliteReader(path)
    try:
        with reader.read() as rows:
            found = rows("SELECT version_num FROM alembic_version", {})
    except sqlite3.Error:
        reader.close()
        return None
    if [row[0] for row in found] != [head_revision()]:
        reader.close()
        return None
    return reader
