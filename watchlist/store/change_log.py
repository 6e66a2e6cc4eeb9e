"""The ``changes`` log, appended in commit order.

Readers of the log (the API's ``/v1/changes``, the sync) page by ``seq`` and must never skip a
change that commits late. On PostgreSQL a ``serial`` is allocated at insert, not at commit: two
transactions could commit seq 11 before seq 10, and a reader that saw 11 would never see 10.
So every writer appends through :func:`log_changes`, which first takes one advisory lock held to
the end of the transaction: a transaction allocates its seqs only after every earlier appender
has committed or rolled back, hence seq order *is* commit order. SQLite has one writer at a
time, so the order holds there by itself.

Call it as the last write of a transaction (after any cluster lock), so that the lock is held
briefly and always taken in the same order: no deadlock between appenders.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Table, text
from sqlmodel import Session, SQLModel

from watchlist.store.tables import Change

CHANGES: Table = SQLModel.metadata.tables[Change.__tablename__]
# Any constant works: with the schema's hash it names the lock (two int4 keys).
PG_CHANGES_LOCK = 7_360_223


def log_changes(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Append ``rows`` (``entry_id``, ``op``, ``status``, ``at``) to the log, in commit order."""
    if not rows:
        return
    session.flush()  # the ORM's pending writes first: the lock is taken last
    if session.get_bind().dialect.name == "postgresql":
        lock = text("SELECT pg_advisory_xact_lock(CAST(:k AS integer), hashtext(current_schema()))")
        session.execute(lock, {"k": PG_CHANGES_LOCK})
    session.execute(CHANGES.insert(), list(rows))


def change(entry_id: int, op: str, status: str, at: datetime) -> dict[str, Any]:
    """One row for :func:`log_changes`."""
    return {"entry_id": entry_id, "op": op, "status": status, "at": at}
