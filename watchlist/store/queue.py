"""The review queue's reads through the store's engine (any database), its cursor and batches.

The order and filters are SQL text written once in :mod:`watchlist.store.queue_sql` (its
docstring says which entries, in what order); the functions here run them through SQLAlchemy
(:func:`store_reader`). ``watchlist review`` on a SQLite file runs the same statements through
``sqlite3`` at start-up (``plain_sql``).

**Resume**: each reviewer has a cursor per filter (``review_cursors``); opening the same queue
again starts at the entry it names or, when that one has left the queue, where it stood.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import text

from watchlist.store import queue_sql
from watchlist.store.engine import Store, upsert_into
from watchlist.store.entry_sql import by_count
from watchlist.store.plain_sql import Reader, Rows
from watchlist.store.queue_sql import BANDS, CHUNK, BatchPreview, QueueFilter, band_of
from watchlist.store.tables import ReviewCursor

__all__ = [
    "BANDS",
    "CHUNK",
    "BatchPreview",
    "QueueFilter",
    "band_counts",
    "band_ids",
    "band_of",
    "batch_preview",
    "position",
    "save_cursor",
    "saved_cursor",
    "store_reader",
]


class _StoreReader:
    """The plain-SQL reads of ``queue_sql`` and ``entry_sql`` through a SQLAlchemy session."""

    def __init__(self, store: Store) -> None:
        self.store = store

    @contextmanager
    def read(self) -> Iterator[Rows]:
        with self.store.read() as session:

            def rows(sql: str, params: Mapping[str, Any]) -> list[tuple[Any, ...]]:
                return [tuple(row) for row in session.execute(text(sql), dict(params))]

            yield rows


def store_reader(store: Store) -> Reader:
    """A :class:`~watchlist.store.plain_sql.Reader` over ``store``'s engine (any database)."""
    return _StoreReader(store)


def band_counts(store: Store, where: QueueFilter, reviewer: str) -> dict[int, int]:
    """How many entries of the queue each non-empty band holds, best band first."""
    return queue_sql.band_counts(store_reader(store), where, reviewer)


def band_ids(store: Store, where: QueueFilter, reviewer: str, band: int) -> list[int]:
    """The ids of the queue's entries in ``band``, in queue order."""
    return queue_sql.band_ids(store_reader(store), where, reviewer, band)


def position(store: Store, where: QueueFilter, reviewer: str, entry_id: int) -> tuple[int, int]:
    """Where ``entry_id`` stands, or would stand, in the queue: (band, entries before it there)."""
    return queue_sql.position(store_reader(store), where, reviewer, entry_id)


def saved_cursor(store: Store, reviewer: str, where: QueueFilter) -> int | None:
    """The entry where ``reviewer`` left this queue, if they have opened it before."""
    return queue_sql.saved_cursor(store_reader(store), reviewer, where)


def save_cursor(store: Store, reviewer: str, where: QueueFilter, entry_id: int) -> None:
    """Remember that ``reviewer`` is at ``entry_id`` in this queue."""
    table = ReviewCursor.__table__  # type: ignore[attr-defined]
    row = {
        "reviewer": reviewer,
        "queue": where.key(),
        "entry_id": entry_id,
        "updated_at": datetime.now(UTC),
    }
    with store.write() as session:
        insert = upsert_into(session, table)
        session.execute(
            insert.on_conflict_do_update(
                index_elements=["reviewer", "queue"],
                set_={
                    "entry_id": insert.excluded.entry_id,
                    "updated_at": insert.excluded.updated_at,
                },
            ),
            [row],
        )


def batch_preview(
    source: Store | Reader, reviewer: str, *, site: str | None = None, cluster: int | None = None
) -> BatchPreview:
    """The ``new`` entries a batch over ``site`` or ``cluster`` would decide, by kind."""
    if (site is None) == (cluster is None):
        raise ValueError("a batch is over one site or one cluster")
    where = QueueFilter(site=site, cluster=cluster)
    reader = store_reader(source) if isinstance(source, Store) else source
    rows = queue_sql.queue_kinds(reader, where, reviewer)
    scope = f"site {site}" if site is not None else f"cluster {cluster}"
    kinds = by_count(kind for _, kind in rows)
    return BatchPreview(scope, tuple(i for i, _ in rows), kinds)
