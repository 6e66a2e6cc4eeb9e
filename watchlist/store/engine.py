"""Open the store: one engine per database URL, migrated to the newest schema on first use.

SQLite gets WAL, ``synchronous=NORMAL``, a busy timeout and foreign keys on every connection, and
write transactions start with ``BEGIN IMMEDIATE`` so that two writer processes queue for the
lock instead of failing with "database is locked" when a read turns into a write.

A plain path (``./x.db``, ``/tmp/x.db``) names a SQLite file. ``open_store(url, create=False)``
never creates anything: no folder, no file, no schema in an empty database; it raises
:class:`MissingStore` instead, saying how to create one. Commands that only read open it so.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, Table, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DatabaseError, OperationalError
from sqlmodel import Session

from watchlist.errors import MissingStore, StoreError

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).with_name("migrations")
SQLITE_BUSY_TIMEOUT_MS = 30_000
_READONLY = "watchlist_readonly"
# Any constant works: it names the advisory lock that serializes migrations on PostgreSQL.
_PG_MIGRATION_LOCK = 7_360_221


class Store:
    """A database holding the watchlist; use :func:`open_store` to get one."""

    def __init__(self, engine: Engine, created: bool = False) -> None:
        self.engine = engine
        self.created = created  # this opening created the schema (a new store)
        self._reader = engine.execution_options(**{_READONLY: True})

    @property
    def location(self) -> str:
        """Where the store is, for people: a SQLite file's absolute path, else its URL."""
        url = self.engine.url
        if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
            return str(Path(url.database).expanduser().absolute())
        return url.render_as_string(hide_password=True)

    @property
    def dialect(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return self.engine.dialect.name

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A session in one write transaction, committed when the block ends without error."""
        with Session(self.engine, expire_on_commit=False) as session, session.begin():
            yield session

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reading; it never takes the write lock."""
        with Session(self._reader, expire_on_commit=False) as session:
            yield session

    def close(self) -> None:
        """Release every pooled connection."""
        self.engine.dispose()


def upsert_into(session: Session, table: Table) -> Any:
    """An ``INSERT`` for ``table`` with ``ON CONFLICT`` clauses, in the session's dialect."""
    from sqlalchemy.dialects import postgresql, sqlite

    dialect = session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)


_ENGINES: dict[str, Engine] = {}  # one engine (and connection pool) per URL per process
_ENGINES_LOCK = threading.Lock()


def database_url(value: str) -> str:
    """``value`` as a SQLAlchemy URL: a plain path (no ``scheme:``, no spaces) is a SQLite file."""
    if ":" in value or not value or any(c.isspace() for c in value):
        return value  # a URL, or nothing that could be a path: make_url judges it
    return f"sqlite:///{Path(value).expanduser()}"


def open_store(url: str, *, create: bool = True) -> Store:
    """Open (creating and migrating as needed) the store at the SQLAlchemy ``url``.

    With ``create=False`` nothing is created: a SQLite file (or folder) that does not exist, or
    a database without a watchlist schema, is a :class:`MissingStore` error naming the URL.
    Every store of one URL in a process shares one engine; :meth:`Store.close` returns its
    pooled connections, and the engine opens new ones if the store is used again.
    """
    url = database_url(url)
    _sqlite_file(url, create)
    with _ENGINES_LOCK:
        engine = _ENGINES.get(url)
        if engine is None:
            engine = _ENGINES[url] = _create_engine(url)
    deadline = time.monotonic() + SQLITE_BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            created = migrate(engine, create=create)
            return Store(engine, created=created)
        except DatabaseError as exc:  # OperationalError, or "file is not a database"
            # SQLite can answer "database is locked" at once, without waiting out the busy
            # timeout (seen in CI: two crawls starting at once on one new file): wait, retry.
            locked = isinstance(exc, OperationalError) and "locked" in str(exc.orig)
            if not (locked and engine.dialect.name == "sqlite") or time.monotonic() > deadline:
                _forget(url, engine)
                reason = (str(exc.orig).strip().splitlines() or ["?"])[0]
                raise StoreError(f"cannot open the database {_safe_url(url)}: {reason}") from exc
            time.sleep(0.05)
        except Exception as exc:
            from alembic.util import CommandError  # e.g. a revision this version does not know

            if not isinstance(exc, CommandError):
                raise
            _forget(url, engine)
            raise StoreError(
                f"cannot open the database {_safe_url(url)}: its schema is not one this version "
                f"knows ({exc}); is it another program's database, or a newer version's?"
            ) from exc


HOW_TO_CREATE = (
    "`watchlist crawl NAME…` or `watchlist demo` creates one; "
    "or name another with --db or WATCHLIST_DB"
)


def _sqlite_file(url: str, create: bool) -> None:
    """Check a SQLite store's file (``create``: make its folder); nothing for other databases."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise StoreError(f"WATCHLIST_DB is not a database URL or a file's path: {url!r}") from exc
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return
    path = Path(parsed.database).expanduser()
    if path.is_dir():
        raise StoreError(f"cannot open the database {url}: {path} is a directory")
    if not create:
        if not path.exists():
            missing = path.parent if not path.parent.exists() else path
            raise MissingStore(
                f"no watchlist store at {url} ({missing.absolute()} does not exist): "
                + HOW_TO_CREATE
            )
        if path.stat().st_size == 0:  # checked before connecting: WAL mode would write to it
            raise MissingStore(
                f"no watchlist store at {url} (the database is empty): " + HOW_TO_CREATE
            )
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        why = f"{path.parent} is not a folder" if path.parent.exists() else exc.strerror
        raise StoreError(f"cannot open the database {url}: {why}") from exc


def _forget(url: str, engine: Engine) -> None:
    engine.dispose()
    with _ENGINES_LOCK:
        _ENGINES.pop(url, None)


def _safe_url(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url


def _create_engine(url: str) -> Engine:
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise StoreError(f"WATCHLIST_DB is not a database URL or a file's path: {url!r}") from exc
    if parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        engine = create_engine(parsed, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})
        _configure_sqlite(engine)
        return engine
    if backend == "postgresql":
        return create_engine(parsed, pool_pre_ping=True)
    raise StoreError(f"unsupported database {backend!r}: use sqlite:/// or postgresql+psycopg://")


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode=WAL")  # open_store retries if this finds it locked
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        readonly = connection.get_execution_options().get(_READONLY, False)
        connection.exec_driver_sql("BEGIN" if readonly else "BEGIN IMMEDIATE")


def _alembic_config(connection: Connection) -> Config:
    from alembic.config import Config  # only when migrating: it is slow to import

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    """The newest migration's id: revisions are numbered ``NNNN`` in a line (``revision``
    writes them so; tests/test_store.py checks it is Alembic's head)."""
    numbers = (f.name[:4] for f in (MIGRATIONS / "versions").glob("[0-9][0-9][0-9][0-9]_*.py"))
    return max(numbers)


def _at_head(engine: Engine) -> bool:
    """Whether the database's schema is the newest migration (False when unsure)."""
    try:
        with engine.connect() as connection:
            found = connection.execute(text("SELECT version_num FROM alembic_version")).all()
    except DatabaseError:  # no such table yet, or not a database we can read: let Alembic say
        return False
    return [row[0] for row in found] == [head_revision()]


def migrate(engine: Engine, *, create: bool = True) -> bool:
    """Bring the schema to the newest migration; safe when several processes do it at once.

    True when the database held no watchlist schema (it was created now). With
    ``create=False`` such a database is a :class:`MissingStore` error instead.
    """
    if _at_head(engine):  # the usual case, decided without Alembic (a third of a second)
        return False
    # Alembic is imported here, not at the top: it costs half a second at every CLI start.
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    head = ScriptDirectory(str(MIGRATIONS)).get_current_head()
    with engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_revision()
        if current == head:
            return False
        if current is None and inspect(connection).get_table_names():
            raise StoreError(
                f"cannot open the database {_safe_url(str(engine.url))}: it holds tables but no "
                "watchlist schema (another program's database?); name a new or a watchlist one"
            )
        if current is None and not create:
            raise MissingStore(
                f"no watchlist store at {_safe_url(str(engine.url))} (the database is empty): "
                + HOW_TO_CREATE
            )
    with engine.begin() as connection:
        # The write transaction (BEGIN IMMEDIATE on SQLite, an advisory lock on PostgreSQL)
        # makes a second process wait, then find the schema already at head.
        if engine.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_MIGRATION_LOCK})
        from alembic import command

        command.upgrade(_alembic_config(connection), "head")
    return current is None
