"""The delta feed read from the ``changes`` log: what the API's ``/v1/changes`` and the sync send.

The log is appended in commit order (``change_log``), so a reader that pages by ``seq`` (rows
after the last seq it got) never skips a change that commits late. An ``upsert`` of an entry
whose value is allowlisted *now* is left out (the enforcement side must not get it); a ``remove``
is always delivered. The log holds changes of the confirmed list (into and out of ``confirmed``),
so a reader scoped to statuses that leave ``confirmed`` out has nothing to read here.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Table, and_, func, not_
from sqlalchemy import select as sa_select
from sqlmodel import SQLModel

from watchlist.store.engine import Store
from watchlist.store.export_view import _more_evidence
from watchlist.store.tables import Allowed, Change, Entry

CHANGES: Table = SQLModel.metadata.tables[Change.__tablename__]
ENTRIES: Table = SQLModel.metadata.tables[Entry.__tablename__]
ALLOWED: Table = SQLModel.metadata.tables[Allowed.__tablename__]
EVIDENCE_URLS = 5  # evidence URLs per change object, best first


@dataclass(frozen=True, slots=True)
class ChangeRow:
    """One change of the log with its entry as it is now (``status``: the change's own)."""

    seq: int
    op: str  # "upsert" | "remove"
    status: str  # the entry's status the change recorded
    entry_id: int
    kind: str
    value: str
    score: float
    first_seen: datetime
    last_seen: datetime
    evidence: tuple[str, ...]  # post URLs, best first


def last_seq(store: Store) -> int:
    """The newest seq in the log (0 when it is empty): a cheap revision of the confirmed list."""
    with store.read() as session:
        found = session.execute(sa_select(func.max(CHANGES.c.seq))).scalar()
        return int(found) if found is not None else 0


def read_changes(
    store: Store,
    after: int,
    limit: int,
    *,
    kinds: Sequence[str] = (),
    evidence: int = EVIDENCE_URLS,
) -> list[ChangeRow]:
    """Up to ``limit`` changes with a seq above ``after``, in seq order.

    ``kinds``: only changes of entries of these kinds (empty: every kind). Upserts of entries
    allowlisted now are left out, so the limit counts only what is delivered.
    """
    allowlisted = (
        sa_select(ALLOWED.c.id)
        .where(ALLOWED.c.kind == ENTRIES.c.kind, ALLOWED.c.value == ENTRIES.c.value)
        .exists()
    )
    query = (
        sa_select(
            CHANGES.c.seq,
            CHANGES.c.op,
            CHANGES.c.status,
            ENTRIES.c.id,
            ENTRIES.c.kind,
            ENTRIES.c.value,
            ENTRIES.c.score,
            ENTRIES.c.first_seen,
            ENTRIES.c.last_seen,
        )
        .join(ENTRIES, ENTRIES.c.id == CHANGES.c.entry_id)
        .where(CHANGES.c.seq > after)
        .where(not_(and_(CHANGES.c.op == "upsert", allowlisted)))
        .order_by(CHANGES.c.seq)
        .limit(limit)
    )
    if kinds:
        query = query.where(ENTRIES.c.kind.in_(list(kinds)))
    with store.read() as session:
        rows = list(session.execute(query))
        ids = sorted({row[3] for row in rows})
        found = _more_evidence(session, ids, max(evidence, 2)) if evidence > 0 else {}
    return [
        ChangeRow(
            seq,
            op,
            status,
            entry_id,
            kind,
            value,
            score,
            first_seen,
            last_seen,
            tuple(e.url for e in found.get(entry_id, [])[:evidence]),
        )
        for seq, op, status, entry_id, kind, value, score, first_seen, last_seen in rows
    ]


class StoreRevision:
    """A cheap token that changes whenever a transaction that wrote anything commits.

    For caches of what the feed renders: a page cached under one revision is served until the
    revision changes. SQLite: ``PRAGMA data_version`` on one connection kept for it (it changes
    when any other connection commits; this one never writes). PostgreSQL: the WAL insert
    position (asked on any pooled connection), which every committed write moves. ``None``
    when the database cannot say: the caller then renders every time.
    """

    def __init__(self, store: Store) -> None:
        self._store = store
        self._lock = threading.RLock()
        self._connection: Any = None
        self._sql = (
            "PRAGMA data_version"
            if store.dialect == "sqlite"
            else "SELECT pg_current_wal_insert_lsn()::text"
        )

    def current(self) -> str | None:
        """The revision now (None: unknown, do not cache)."""
        try:
            if self._store.dialect != "sqlite":  # the WAL position is the server's: any connection
                with self._store.engine.connect() as connection:
                    return f"wal:{connection.exec_driver_sql(self._sql).scalar()}"
            with self._lock:
                if self._connection is None:
                    self._connection = self._store.engine.raw_connection()
                cursor = self._connection.cursor()
                try:
                    cursor.execute(self._sql)
                    value = cursor.fetchone()[0]
                finally:
                    cursor.close()
                return f"{id(self._connection)}:{value}"
        except Exception:  # any failure: no revision, so nothing is served from a cache
            self.close()
            return None

    def close(self) -> None:
        """Give the connection back."""
        with self._lock:
            connection, self._connection = self._connection, None
        if connection is not None:
            with contextlib.suppress(Exception):  # already broken: nothing to give back
                connection.close()
