"""Dismissed entries seen again: flagged for re-review, never silently confirmed.

A dismissed entry gets a flag when a save adds a sighting of it that is *offered* in a post
whose OTC score is at least :data:`REREVIEW_MIN_OTC` (a seller's ad), or *reported* in any post
(a warning or scam report: the OTC score measures offers, and a warning is none) — not a
passing mention. Public contracts and allowlisted values are never flagged. The entry stays
``dismissed``; the flag stands while it is newer than the entry's last review (``reviewed_at``),
so the next decision on the entry — dismissed again, or confirmed — clears it.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Table, and_, func, or_, select
from sqlmodel import Session, SQLModel, col

from watchlist.extract.known import is_public_contract
from watchlist.store.clustering import ALLOWED, ENTRIES, POSTS, SIGHTINGS, chunks
from watchlist.store.engine import Store, upsert_into
from watchlist.store.tables import Entry, RereviewFlag

REREVIEW_MIN_OTC = 0.6
REREVIEW_ROLES = ("offered", "reported")
FLAGS: Table = SQLModel.metadata.tables[RereviewFlag.__tablename__]


def flag_seen_again(session: Session, post_ids: Collection[int], now: datetime) -> int:
    """Flag the dismissed entries that the sightings saved at ``now`` show again; how many."""
    allowed = (
        select(ALLOWED.c.id)
        .where(ALLOWED.c.kind == ENTRIES.c.kind, ALLOWED.c.value == ENTRIES.c.value)
        .exists()
    )
    best: dict[int, dict[str, Any]] = {}
    for chunk in chunks(sorted(post_ids)):
        query = (
            select(
                SIGHTINGS.c.entry_id,
                SIGHTINGS.c.post_id,
                SIGHTINGS.c.role,
                POSTS.c.otc_score,
                ENTRIES.c.kind,
                ENTRIES.c.value,
            )
            .join(POSTS, POSTS.c.id == SIGHTINGS.c.post_id)
            .join(ENTRIES, ENTRIES.c.id == SIGHTINGS.c.entry_id)
            .where(
                SIGHTINGS.c.post_id.in_(chunk),
                SIGHTINGS.c.seen_at == now,
                SIGHTINGS.c.role.in_(REREVIEW_ROLES),
                or_(SIGHTINGS.c.role == "reported", POSTS.c.otc_score >= REREVIEW_MIN_OTC),
                ENTRIES.c.status == "dismissed",
                ~allowed,
            )
        )
        for row in session.execute(query):
            if is_public_contract(row.kind, row.value):
                continue
            known = best.get(row.entry_id)
            if known is None or row.otc_score > known["otc_score"]:
                best[row.entry_id] = {
                    "entry_id": row.entry_id,
                    "post_id": row.post_id,
                    "role": row.role,
                    "otc_score": row.otc_score,
                    "flagged_at": now,
                }
    if best:
        insert = upsert_into(session, FLAGS)
        statement = insert.on_conflict_do_update(
            index_elements=["entry_id"],
            set_={
                name: insert.excluded[name]
                for name in ("post_id", "role", "otc_score", "flagged_at")
            },
        )
        session.execute(statement, [best[i] for i in sorted(best)])
    return len(best)


def needs_rereview() -> ColumnElement[bool]:
    """SQL condition on ``entries``: dismissed, with a flag newer than its last review."""
    flag = FLAGS.alias("standing")
    standing = (
        select(flag.c.entry_id)
        .where(
            flag.c.entry_id == col(Entry.id),
            flag.c.flagged_at > func.coalesce(col(Entry.reviewed_at), col(Entry.first_seen)),
        )
        .correlate(Entry)
        .exists()
    )
    return and_(col(Entry.status) == "dismissed", standing)


def standing_flags(store: Store, entry_ids: Sequence[int]) -> dict[int, RereviewFlag]:
    """The standing re-review flags of ``entry_ids`` (entries without one are left out)."""
    flags: dict[int, RereviewFlag] = {}
    with store.read() as session:
        for chunk in chunks(sorted(set(entry_ids))):
            query = (
                select(RereviewFlag)
                .join(Entry, col(Entry.id) == RereviewFlag.entry_id)
                .where(col(RereviewFlag.entry_id).in_(chunk), needs_rereview())
            )
            flags.update((flag.entry_id, flag) for flag in session.execute(query).scalars())
    return flags


def rereview_ids(store: Store) -> list[int]:
    """Every entry flagged for re-review, highest score first (the queue's re-review filter)."""
    with store.read() as session:
        query = (
            select(col(Entry.id))
            .where(needs_rereview())
            .order_by(col(Entry.score).desc(), col(Entry.id))
        )
        return [int(i) for i in session.execute(query).scalars()]
