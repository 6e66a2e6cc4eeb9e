"""The allowlist: values that never enter the queue, an export, the feed or a sync.

The platform's own merchant accounts, known exchange hot wallets, its own domains. Values are
canonicalized by the extractor itself (``watchlist.extract.canonical``), so ``138 0013 8000``
and ``+8613800138000`` are one row, and a value the extractor would not take is refused, named.

Allowlisting a value takes its entry (if there is one) out of its operator cluster (the cluster
is split again without it) and, if the entry is confirmed, appends a ``remove`` change: the
enforcement side drops it. Removing a value from the allowlist links its entry again and, if it
is confirmed, appends an ``upsert`` change. The entry's review status is never touched. Every
addition and removal is logged in ``allowlist_events`` (who, when, why), which ``history`` shows.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, delete
from sqlmodel import Session, col, select

from watchlist.errors import InvalidValue, NotFound
from watchlist.extract.canonical import NotAValue, canonical_value
from watchlist.store import clustering
from watchlist.store.change_log import change, log_changes
from watchlist.store.clustering import ALLOWED
from watchlist.store.engine import Store, upsert_into
from watchlist.store.tables import Allowed, AllowlistEvent, Entry, Sighting


@dataclass(frozen=True, slots=True)
class AllowItem:
    """A value to allowlist, as written (``line``: where a file gave it, for error messages)."""

    kind: str
    written: str
    note: str | None = None
    line: int | None = None


@dataclass(frozen=True, slots=True)
class AllowResult:
    """What allowlisting (or un-allowlisting) one value did."""

    kind: str
    value: str  # canonical
    changed: bool  # False: it was already (or was not) on the allowlist
    entry_id: int | None  # the entry of that value, if the watchlist has one
    confirmed: bool  # that entry is confirmed: a change went to the enforcement side


def canonical(kind: str, written: str, line: int | None = None) -> str:
    """``written`` in canonical form for ``kind``; :class:`InvalidValue` naming it otherwise."""
    try:
        return canonical_value(kind.strip().lower(), written)
    except NotAValue as exc:
        raise InvalidValue(f"line {line}: {exc}" if line is not None else str(exc)) from exc


def read_csv(text: str) -> list[AllowItem]:
    """Rows ``kind,value[,note]`` (a ``kind,value,…`` header, blank and ``#`` lines skipped)."""
    items = []
    for number, row in enumerate(csv.reader(io.StringIO(text)), start=1):
        if not row or not "".join(row).strip() or row[0].lstrip().startswith("#"):
            continue
        if number == 1 and [c.strip().lower() for c in row[:2]] == ["kind", "value"]:
            continue
        if len(row) < 2 or len(row) > 3:
            raise InvalidValue(f"line {number}: expected kind,value[,note], got {len(row)} fields")
        note = row[2].strip() or None if len(row) == 3 else None
        items.append(AllowItem(row[0].strip().lower(), row[1], note, number))
    return items


def allow(store: Store, items: Sequence[AllowItem], by: str) -> list[AllowResult]:
    """Allowlist ``items``, all or none (every value is checked before anything is written)."""
    keys = [
        (item.kind.strip().lower(), canonical(item.kind, item.written, item.line)) for item in items
    ]
    now = datetime.now(UTC)
    results = []
    removals: list[dict[str, Any]] = []
    with store.write() as session:
        clustering.lock(session)
        insert = upsert_into(session, ALLOWED).on_conflict_do_nothing(
            index_elements=["kind", "value"]
        )
        for item, (kind, value) in zip(items, keys, strict=True):
            row = {"kind": kind, "value": value, "note": item.note, "added_by": by}
            added = session.execute(insert.returning(ALLOWED.c.id), row | {"added_at": now})
            entry_id, status = _entry(session, kind, value)
            if added.first() is None:
                results.append(AllowResult(kind, value, False, entry_id, False))
                continue
            event = AllowlistEvent(kind=kind, value=value, op="add", by=by, at=now, note=item.note)
            session.add(event)
            if entry_id is not None:
                clustering.detach(session, [entry_id], now)
                if status == "confirmed":
                    removals.append(change(entry_id, "remove", status, now))
            results.append(AllowResult(kind, value, True, entry_id, status == "confirmed"))
        log_changes(session, removals)
    return results


def disallow(
    store: Store, kind: str, written: str, by: str, note: str | None = None
) -> AllowResult:
    """Take a value off the allowlist; :class:`NotFound` when it is not on it."""
    kind = kind.strip().lower()
    value = canonical(kind, written)
    now = datetime.now(UTC)
    with store.write() as session:
        clustering.lock(session)
        removed = session.execute(
            delete(ALLOWED)
            .where(ALLOWED.c.kind == kind, ALLOWED.c.value == value)
            .returning(ALLOWED.c.id)
        ).first()
        if removed is None:
            raise NotFound(f"{kind} {value} is not on the allowlist")
        session.add(AllowlistEvent(kind=kind, value=value, op="remove", by=by, at=now, note=note))
        entry_id, status = _entry(session, kind, value)
        if entry_id is not None:
            query = select(Sighting.post_id).where(col(Sighting.entry_id) == entry_id)
            posts = list(session.exec(query))
            clustering.link_posts(session, posts, now, gained={entry_id})
            if status == "confirmed":
                log_changes(session, [change(entry_id, "upsert", status, now)])
    return AllowResult(kind, value, True, entry_id, status == "confirmed")


def _entry(session: Session, kind: str, value: str) -> tuple[int | None, str | None]:
    """The id and status of the entry of ``(kind, value)``, if the watchlist has one."""
    query = select(Entry.id, Entry.status).where(Entry.kind == kind, Entry.value == value)
    row = session.exec(query).first()
    return (row[0], row[1]) if row is not None else (None, None)


def allowlist(store: Store) -> list[Allowed]:
    """Every allowlisted value, by kind then value."""
    with store.read() as session:
        query = select(Allowed).order_by(col(Allowed.kind), col(Allowed.value))
        return list(session.exec(query))


def allowed_keys(source: Store | Session) -> set[tuple[str, str]]:
    """Every allowlisted ``(kind, value)``: what the queue, exports, the feed and sync leave out."""
    query = select(Allowed.kind, Allowed.value)
    if isinstance(source, Session):
        return {(kind, value) for kind, value in source.exec(query)}
    with source.read() as session:
        return {(kind, value) for kind, value in session.exec(query)}


def not_allowed() -> ColumnElement[bool]:
    """SQL condition on ``entries``: the entry's value is not allowlisted."""
    listed = select(Allowed.id).where(
        col(Allowed.kind) == col(Entry.kind), col(Allowed.value) == col(Entry.value)
    )
    return ~listed.exists()


def allowed_row(store: Store, kind: str, value: str) -> Allowed | None:
    """The allowlist row of the canonical ``(kind, value)``, if it is allowlisted."""
    with store.read() as session:
        query = select(Allowed).where(Allowed.kind == kind, Allowed.value == value)
        return session.exec(query).first()
