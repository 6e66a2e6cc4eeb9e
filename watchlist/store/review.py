"""Review decisions: every one written at once to ``reviews`` (and ``changes``), and undoable.

A decision over one entry or many (a batch) is one call, all or none, whose rows share a
``batch`` id. Each entry it touches gets a ``reviews`` row (action, from → to, reviewer,
reason, note); entering or leaving ``confirmed`` also appends a ``changes`` row (``upsert`` or
``remove``), which the API feed and the sync read.

Four-eyes mode (``WATCHLIST_FOUR_EYES``, or ``four_eyes=True``): a confirmation by one reviewer
is a ``first-confirm`` — the entry keeps its status and records ``first_confirmed_by`` — and
only a confirmation by a different reviewer makes it ``confirmed``. An entry awaits a second
review exactly while ``first_confirmed_by`` is set; a dismissal or a confirmation clears it.

:func:`undo` reverses a decision by its batch id: each entry still as the decision left it goes
back (status, and a first confirmation the decision had cleared); an entry changed since is left
as it is and reported. An undo is itself audited (action ``undo``, the same batch id).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from sqlmodel import Session, col, select

from watchlist import settings
from watchlist.errors import NotFound, UsageError
from watchlist.store.change_log import change, log_changes
from watchlist.store.engine import Store
from watchlist.store.queue_sql import REASONS  # the dismissal codes, defined with the queue
from watchlist.store.tables import Entry, Review

REVIEWABLE = ("confirmed", "dismissed")
DECISIONS = ("confirm", "dismiss", "first-confirm")  # the actions undo reverses
REASON_MAX = 128


@dataclass(frozen=True, slots=True)
class Decision:
    """What a review did to one entry.

    ``changed``: the status changed. ``awaiting``: four-eyes, the entry now awaits a second
    reviewer (``first_confirmed_by``); ``refused``: why nothing was done (one line), if so.
    """

    entry_id: int
    kind: str
    value: str
    from_status: str
    to_status: str
    changed: bool
    awaiting: bool = False
    first_confirmed_by: str | None = None
    batch: str | None = None
    refused: str | None = None


def check_reason(status: str, reason: str | None) -> str | None:
    """The reason as stored: a dismissal's is one of :data:`REASONS` (any case), or a
    :class:`UsageError`; a confirmation's is free text on one line."""
    if reason is None or not reason.strip():
        return None
    if status == "dismissed":
        code = reason.strip().lower()
        if code not in REASONS:
            raise UsageError(f"unknown reason {reason!r}: use one of {', '.join(REASONS)}")
        return code
    return " ".join(reason.split())[:REASON_MAX]


def set_status(
    store: Store,
    entry_ids: Sequence[int],
    status: str,
    reviewer: str,
    note: str | None = None,
    *,
    reason: str | None = None,
    four_eyes: bool | None = None,
    only_status: str | None = None,
) -> list[Decision]:
    """Confirm or dismiss entries, all or none, as one decision (one batch id).

    ``four_eyes``: None reads the setting. ``only_status``: an entry no longer in that status
    (decided by someone else meanwhile) is left as it is, ``refused`` saying so. An unknown id
    raises :class:`NotFound` and changes nothing; an entry already in ``status`` is left as it
    is (``changed`` False).
    """
    if status not in REVIEWABLE:
        raise UsageError(f"cannot set status {status!r}: use one of {', '.join(REVIEWABLE)}")
    code = check_reason(status, reason)
    two = settings.load().four_eyes if four_eyes is None else four_eyes
    batch = uuid.uuid4().hex
    now = datetime.now(UTC)
    decisions: list[Decision] = []
    with store.write() as session:
        for entry_id in dict.fromkeys(entry_ids):
            entry = session.get(Entry, entry_id)
            if entry is None:
                raise NotFound(f"no entry with id {entry_id}")
            if only_status is not None and entry.status != only_status:
                refused = f"#{entry_id} is {entry.status} now: left as it is"
                decisions.append(
                    Decision(
                        entry_id,
                        entry.kind,
                        entry.value,
                        entry.status,
                        entry.status,
                        False,
                        batch=batch,
                        refused=refused,
                    )
                )
                continue
            decisions.append(_decide(session, entry, status, reviewer, note, code, two, batch, now))
        log_changes(session, _changes(decisions, now))
    return decisions


def _decide(
    session: Session,
    entry: Entry,
    status: str,
    reviewer: str,
    note: str | None,
    reason: str | None,
    four_eyes: bool,
    batch: str,
    now: datetime,
) -> Decision:
    before = entry.status
    first = entry.first_confirmed_by
    base = Decision(_id(entry), entry.kind, entry.value, before, before, False, batch=batch)
    if before == status:
        return replace(base, awaiting=first is not None, first_confirmed_by=first)
    action = "confirm" if status == "confirmed" else "dismiss"
    if status == "confirmed" and four_eyes and first in (None, reviewer):
        if first == reviewer:
            refused = f"already confirmed once by {reviewer}: a second, different reviewer must"
            return replace(base, awaiting=True, first_confirmed_by=first, refused=refused)
        entry.first_confirmed_by = reviewer
        _touch(session, entry, reviewer, note, now)
        _audit(session, entry, before, before, reviewer, now, "first-confirm", reason, note, batch)
        return replace(base, awaiting=True, first_confirmed_by=reviewer)
    entry.status = status
    entry.first_confirmed_by = None
    _touch(session, entry, reviewer, note, now)
    entry.reason = reason
    _audit(session, entry, before, status, reviewer, now, action, reason, note, batch)
    return replace(base, to_status=status, changed=True, first_confirmed_by=first)


def _touch(session: Session, entry: Entry, reviewer: str, note: str | None, now: datetime) -> None:
    entry.reviewed_by = reviewer
    entry.reviewed_at = now
    if note is not None and note.strip():
        entry.note = note
    session.add(entry)


def _audit(
    session: Session,
    entry: Entry,
    before: str,
    after: str,
    reviewer: str,
    now: datetime,
    action: str,
    reason: str | None,
    note: str | None,
    batch: str,
) -> None:
    session.add(
        Review(
            entry_id=_id(entry),
            from_status=before,
            to_status=after,
            reviewer=reviewer,
            at=now,
            note=note if note is not None and note.strip() else None,
            action=action,
            reason=reason,
            batch=batch,
        )
    )


def _changes(decisions: list[Decision], now: datetime) -> list[dict[str, object]]:
    """The change log's rows for ``decisions``: into or out of ``confirmed``."""
    rows = []
    for d in decisions:
        if d.changed and "confirmed" in (d.from_status, d.to_status):
            op = "upsert" if d.to_status == "confirmed" else "remove"
            rows.append(change(d.entry_id, op, d.to_status, now))
    return rows


def _id(entry: Entry) -> int:
    assert entry.id is not None  # every entry read from the store has one
    return entry.id


def add_note(store: Store, entry_id: int, reviewer: str, note: str) -> None:
    """Set an entry's note (status unchanged), audited as a ``note`` row."""
    now = datetime.now(UTC)
    with store.write() as session:
        entry = session.get(Entry, entry_id)
        if entry is None:
            raise NotFound(f"no entry with id {entry_id}")
        entry.note = note
        session.add(entry)
        status = entry.status
        _audit(session, entry, status, status, reviewer, now, "note", None, note, uuid.uuid4().hex)


def last_decision(store: Store, reviewer: str) -> str | None:
    """The batch id of ``reviewer``'s latest decision that has not been undone, if any."""
    undo = select(Review.batch).where(Review.action == "undo")
    query = (
        select(Review.batch)
        .where(
            Review.reviewer == reviewer,
            col(Review.action).in_(DECISIONS),
            col(Review.batch).is_not(None),
            col(Review.batch).not_in(undo),
        )
        .order_by(col(Review.id).desc())
        .limit(1)
    )
    with store.read() as session:
        return session.exec(query).first()


def undo(store: Store, batch: str, reviewer: str) -> list[Decision]:
    """Reverse the decision ``batch``; ``refused`` names each entry changed since (kept)."""
    now = datetime.now(UTC)
    out: list[Decision] = []
    with store.write() as session:
        rows = session.exec(
            select(Review).where(Review.batch == batch).order_by(col(Review.id).desc())
        ).all()
        if any(r.action == "undo" for r in rows):
            raise UsageError("that decision is already undone")
        for row in rows:
            if row.action not in DECISIONS:
                continue
            entry = session.get(Entry, row.entry_id)
            if entry is None:
                continue
            out.append(_undo_one(session, entry, row, batch, reviewer, now))
        log_changes(session, _changes(out, now))
    return out


def _undo_one(
    session: Session, entry: Entry, row: Review, batch: str, reviewer: str, now: datetime
) -> Decision:
    now_status = entry.status
    base = Decision(
        _id(entry), entry.kind, entry.value, now_status, now_status, False, batch=row.batch
    )
    if row.action == "first-confirm":
        if entry.first_confirmed_by != row.reviewer or now_status != row.to_status:
            return replace(base, refused=f"#{entry.id} changed since: left {now_status}")
        entry.first_confirmed_by = None
        _untouch(entry, reviewer, now)
        session.add(entry)
        _audit(session, entry, now_status, now_status, reviewer, now, "undo", None, None, batch)
        return base
    if now_status != row.to_status:
        return replace(base, refused=f"#{entry.id} changed since: left {now_status}")
    entry.status = row.from_status
    entry.first_confirmed_by = _awaiting_before(session, _id(entry), int(row.id or 0))
    _untouch(entry, reviewer, now)
    session.add(entry)
    entry.reason = None if row.from_status == "new" else entry.reason
    _audit(session, entry, now_status, row.from_status, reviewer, now, "undo", None, None, batch)
    return replace(
        base,
        to_status=row.from_status,
        changed=True,
        awaiting=entry.first_confirmed_by is not None,
        first_confirmed_by=entry.first_confirmed_by,
    )


def _untouch(entry: Entry, reviewer: str, now: datetime) -> None:
    if entry.status == "new" and entry.first_confirmed_by is None:
        entry.reviewed_by = entry.reviewed_at = None
    else:
        entry.reviewed_by, entry.reviewed_at = reviewer, now


def _awaiting_before(session: Session, entry_id: int, row_id: int) -> str | None:
    """Who had confirmed the entry once, still awaiting a second, just before review ``row_id``."""
    undone = set(session.exec(select(Review.batch).where(Review.action == "undo")).all())
    rows = session.exec(
        select(Review)
        .where(Review.entry_id == entry_id, col(Review.id) < row_id)
        .order_by(col(Review.id).desc())
    )
    for row in rows:
        if row.batch in undone or row.action not in DECISIONS:
            continue
        return row.reviewer if row.action == "first-confirm" else None
    return None
