"""The push sync's state per target: cursor, pending batch, errors, and enforcement results.

A target's **cursor** is the last seq it acknowledged. Its **pending batch** is built once and
stored (:func:`save_pending`) before the first request, so every retry, also after a crash,
sends the same id and body. :func:`acknowledge` is the one transaction that, for a 2xx, moves
the cursor to the batch's ``to_seq``, deletes the pending batch and stores the reply's
per-entry results: the cursor never moves without the reply that acknowledged it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Table, delete, func, select, update
from sqlmodel import Session, SQLModel

from watchlist.store.change_log import change, log_changes
from watchlist.store.engine import Store, upsert_into
from watchlist.store.tables import (
    Allowed,
    Change,
    EnforcementResult,
    Entry,
    SyncBatch,
    SyncTarget,
)

TARGETS: Table = SQLModel.metadata.tables[SyncTarget.__tablename__]
BATCHES: Table = SQLModel.metadata.tables[SyncBatch.__tablename__]
RESULTS: Table = SQLModel.metadata.tables[EnforcementResult.__tablename__]
CHANGES: Table = SQLModel.metadata.tables[Change.__tablename__]
ENTRIES: Table = SQLModel.metadata.tables[Entry.__tablename__]
ALLOWED: Table = SQLModel.metadata.tables[Allowed.__tablename__]
RESULT_NAMES = ("accepted", "restricted", "rejected", "known")
REASON_MAX = 500


@dataclass(frozen=True, slots=True)
class PendingBatch:
    """A batch built for a target, stored before it is sent."""

    id: str
    from_seq: int
    to_seq: int
    changes: int
    body: bytes
    entries: tuple[tuple[str, str, int], ...]  # (kind, value as sent, entry id) per change
    created_at: datetime
    attempts: int = 0


@dataclass(frozen=True, slots=True)
class TargetState:
    """Where the sync stands with one target."""

    name: str
    cursor: int
    last_success_at: datetime | None
    last_error: str | None
    last_error_at: datetime | None
    disabled_at: datetime | None
    disabled_reason: str | None
    batches_sent: int
    changes_sent: int
    pending: PendingBatch | None


@dataclass(frozen=True, slots=True)
class Enforcement:
    """What one target last said about one entry."""

    target: str
    result: str
    reason: str | None
    at: datetime


def _target_id(session: Session, name: str) -> int:
    found = session.execute(select(TARGETS.c.id).where(TARGETS.c.name == name)).scalar()
    if found is not None:
        return int(found)
    insert = upsert_into(session, TARGETS).on_conflict_do_nothing(index_elements=["name"])
    session.execute(insert, {"name": name})
    return int(session.execute(select(TARGETS.c.id).where(TARGETS.c.name == name)).scalar_one())


def target_state(store: Store, name: str) -> TargetState:
    """The state of target ``name`` (a new target starts at cursor 0)."""
    with store.write() as session:
        target_id = _target_id(session, name)
        row = session.execute(select(TARGETS).where(TARGETS.c.id == target_id)).one()
        batch = session.execute(select(BATCHES).where(BATCHES.c.target_id == target_id)).first()
    pending = None
    if batch is not None:
        pending = PendingBatch(
            batch.id,
            batch.from_seq,
            batch.to_seq,
            batch.changes,
            bytes(batch.body),
            tuple((k, v, int(i)) for k, v, i in json.loads(batch.entries)),
            batch.created_at,
            batch.attempts,
        )
    return TargetState(
        name,
        row.cursor,
        row.last_success_at,
        row.last_error,
        row.last_error_at,
        row.disabled_at,
        row.disabled_reason,
        row.batches_sent,
        row.changes_sent,
        pending,
    )


def save_pending(store: Store, name: str, cursor: int, batch: PendingBatch) -> PendingBatch:
    """Store ``batch`` as the target's pending batch, built from ``cursor``.

    If another run stored one meanwhile, or moved the cursor, that one wins: the stored
    pending batch is returned (or ``batch`` unchanged when it was stored now).
    """
    with store.write() as session:
        target_id = _target_id(session, name)
        now_cursor = session.execute(
            select(TARGETS.c.cursor).where(TARGETS.c.id == target_id).with_for_update()
        ).scalar_one()
        existing = session.execute(
            select(BATCHES.c.id).where(BATCHES.c.target_id == target_id)
        ).first()
        if existing is None and now_cursor == cursor:
            session.execute(
                BATCHES.insert(),
                {
                    "id": batch.id,
                    "target_id": target_id,
                    "from_seq": batch.from_seq,
                    "to_seq": batch.to_seq,
                    "changes": batch.changes,
                    "body": batch.body,
                    "entries": json.dumps([list(e) for e in batch.entries]),
                    "created_at": batch.created_at,
                },
            )
            return batch
    state = target_state(store, name)
    if state.pending is None:  # the cursor moved on: the caller builds again from there
        raise LookupError("the cursor moved")
    return state.pending


def skip_to(store: Store, name: str, cursor: int, to_seq: int) -> None:
    """Move the cursor over a window holding nothing for the target (no request needed)."""
    with store.write() as session:
        target_id = _target_id(session, name)
        session.execute(
            update(TARGETS)
            .where(TARGETS.c.id == target_id, TARGETS.c.cursor == cursor)
            .values(cursor=to_seq)
        )


def count_attempt(store: Store, batch_id: str) -> None:
    """One more request for the pending batch ``batch_id``."""
    with store.write() as session:
        session.execute(
            update(BATCHES).where(BATCHES.c.id == batch_id).values(attempts=BATCHES.c.attempts + 1)
        )


def acknowledge(
    store: Store,
    name: str,
    batch: PendingBatch,
    results: Sequence[tuple[int, str, str | None]],
) -> bool:
    """Record a 2xx for ``batch``: cursor to its ``to_seq``, batch deleted, results stored.

    All in one transaction. ``results``: (entry id, result, reason). False (nothing done) when
    the batch is no longer pending (another run acknowledged it first).
    """
    now = datetime.now(UTC)
    with store.write() as session:
        target_id = _target_id(session, name)
        gone = session.execute(
            delete(BATCHES)
            .where(BATCHES.c.id == batch.id, BATCHES.c.target_id == target_id)
            .returning(BATCHES.c.id)
        ).first()
        if gone is None:
            return False
        session.execute(
            update(TARGETS)
            .where(TARGETS.c.id == target_id)
            .values(
                cursor=batch.to_seq,
                last_success_at=now,
                last_error=None,
                last_error_at=None,
                batches_sent=TARGETS.c.batches_sent + 1,
                changes_sent=TARGETS.c.changes_sent + batch.changes,
            )
        )
        _store_results(session, name, batch.id, results, now)
    return True


def _store_results(
    session: Session,
    target: str,
    batch_id: str,
    results: Sequence[tuple[int, str, str | None]],
    now: datetime,
) -> None:
    latest = {entry_id: (result, reason) for entry_id, result, reason in results}
    if not latest:
        return
    insert = upsert_into(session, RESULTS)
    insert = insert.on_conflict_do_update(
        index_elements=["entry_id", "target"],
        set_={
            "result": insert.excluded.result,
            "reason": insert.excluded.reason,
            "batch_id": insert.excluded.batch_id,
            "at": insert.excluded.at,
        },
    )
    rows = [
        {
            "entry_id": entry_id,
            "target": target,
            "result": result,
            "reason": None if reason is None else reason[:REASON_MAX],
            "batch_id": batch_id,
            "at": now,
        }
        for entry_id, (result, reason) in latest.items()
    ]
    for start in range(0, len(rows), 2000):
        session.execute(insert, rows[start : start + 2000])


def record_error(store: Store, name: str, message: str) -> None:
    """Remember the last error of target ``name`` (shown by ``sync --status``)."""
    with store.write() as session:
        target_id = _target_id(session, name)
        session.execute(
            update(TARGETS)
            .where(TARGETS.c.id == target_id)
            .values(last_error=message, last_error_at=datetime.now(UTC))
        )


def disable(store: Store, name: str, reason: str) -> None:
    """Disable target ``name`` (it answered 410 Gone): later syncs skip it."""
    now = datetime.now(UTC)
    with store.write() as session:
        target_id = _target_id(session, name)
        session.execute(
            update(TARGETS)
            .where(TARGETS.c.id == target_id)
            .values(disabled_at=now, disabled_reason=reason, last_error=reason, last_error_at=now)
        )


def enable(store: Store, name: str) -> None:
    """Enable target ``name`` again (after a 410, once the receiver is back)."""
    with store.write() as session:
        target_id = _target_id(session, name)
        session.execute(
            update(TARGETS)
            .where(TARGETS.c.id == target_id)
            .values(disabled_at=None, disabled_reason=None)
        )


def pending_changes(store: Store, cursor: int, kinds: Sequence[str] = ()) -> int:
    """How many log rows above ``cursor`` (of ``kinds``; empty: all) are still to be sent."""
    query = select(func.count()).select_from(CHANGES).where(CHANGES.c.seq > cursor)
    if kinds:
        query = query.join(ENTRIES, ENTRIES.c.id == CHANGES.c.entry_id).where(
            ENTRIES.c.kind.in_(list(kinds))
        )
    with store.read() as session:
        return int(session.execute(query).scalar_one())


def result_counts(store: Store, target: str) -> dict[str, int]:
    """The target's latest result per entry, counted per result."""
    query = (
        select(RESULTS.c.result, func.count())
        .where(RESULTS.c.target == target)
        .group_by(RESULTS.c.result)
    )
    with store.read() as session:
        return {result: int(n) for result, n in session.execute(query)}


def enforcement_for(store: Store, entry_ids: Iterable[int]) -> dict[int, list[Enforcement]]:
    """What each target last said about each of ``entry_ids`` (ids without results left out)."""
    ids = sorted(set(entry_ids))
    found: dict[int, list[Enforcement]] = {}
    with store.read() as session:
        for start in range(0, len(ids), 5000):
            query = (
                select(RESULTS.c.entry_id, RESULTS.c.target, RESULTS.c.result, RESULTS.c.reason)
                .add_columns(RESULTS.c.at)
                .where(RESULTS.c.entry_id.in_(ids[start : start + 5000]))
                .order_by(RESULTS.c.entry_id, RESULTS.c.target)
            )
            for entry_id, target, result, reason, at in session.execute(query):
                found.setdefault(entry_id, []).append(Enforcement(target, result, reason, at))
    return found


def enforced_ids(store: Store, result: str, target: str | None = None) -> set[int]:
    """The entries whose latest result (from ``target``, or any target) is ``result``."""
    query = select(RESULTS.c.entry_id).where(RESULTS.c.result == result)
    if target is not None:
        query = query.where(RESULTS.c.target == target)
    with store.read() as session:
        return {int(i) for i in session.execute(query).scalars()}


def confirmed_keys(store: Store, kinds: Sequence[str] = ()) -> dict[tuple[str, str], int]:
    """(kind, value) → entry id of every confirmed entry not allowlisted (of ``kinds``)."""
    allowlisted = (
        select(ALLOWED.c.id)
        .where(ALLOWED.c.kind == ENTRIES.c.kind, ALLOWED.c.value == ENTRIES.c.value)
        .exists()
    )
    query = select(ENTRIES.c.kind, ENTRIES.c.value, ENTRIES.c.id).where(
        ENTRIES.c.status == "confirmed", ~allowlisted
    )
    if kinds:
        query = query.where(ENTRIES.c.kind.in_(list(kinds)))
    with store.read() as session:
        return {(k, v): int(i) for k, v, i in session.execute(query)}


def entry_ids_of(store: Store, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], int]:
    """The entry ids of the (kind, value) pairs the watchlist has (others left out)."""
    wanted = list(dict.fromkeys(keys))
    found: dict[tuple[str, str], int] = {}
    with store.read() as session:
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            for kind in {k for k, _ in chunk}:
                values = [v for k, v in chunk if k == kind]
                query = select(ENTRIES.c.kind, ENTRIES.c.value, ENTRIES.c.id).where(
                    ENTRIES.c.kind == kind, ENTRIES.c.value.in_(values)
                )
                found.update({(k, v): int(i) for k, v, i in session.execute(query)})
    return found


def queue_changes(store: Store, upserts: Sequence[int], removes: Sequence[int]) -> int:
    """Append upserts and removes to the change log (reconcile ``--fix``): the next sync sends
    them to every target. Returns how many rows were appended."""
    now = datetime.now(UTC)
    rows = [change(i, "upsert", "confirmed", now) for i in upserts]
    with store.write() as session:
        statuses = (
            dict(
                session.execute(
                    select(ENTRIES.c.id, ENTRIES.c.status).where(ENTRIES.c.id.in_(list(removes)))
                ).all()
            )
            if removes
            else {}
        )
        rows += [change(i, "remove", str(statuses.get(i, "dismissed")), now) for i in removes]
        log_changes(session, rows)
    return len(rows)


def entry_keys(store: Store, kinds: Sequence[str] = ()) -> dict[tuple[str, str], int]:
    """(kind, value) → entry id of every entry (of ``kinds``), whatever its status."""
    query = select(ENTRIES.c.kind, ENTRIES.c.value, ENTRIES.c.id)
    if kinds:
        query = query.where(ENTRIES.c.kind.in_(list(kinds)))
    with store.read() as session:
        return {(k, v): int(i) for k, v, i in session.execute(query)}
