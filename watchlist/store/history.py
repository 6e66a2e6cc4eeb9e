"""An entry's audit trail: every review, change, allowlist decision and flag — who, when, why.

Read from the append-only logs (``reviews``, ``changes``, ``allowlist_events``) and the entry's
re-review flag. A change carries no author of its own: it is credited to the review or
allowlist decision written in the same transaction (the same instant), else to the crawl that
brought new evidence on a confirmed entry.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from watchlist.errors import NotFound
from watchlist.store.engine import Store
from watchlist.store.tables import (
    AllowlistEvent,
    Change,
    Entry,
    Post,
    RereviewFlag,
    Review,
    Sighting,
)

CRAWL = "crawl"
_ORDER = {"seen": 0, "allowlist": 1, "review": 2, "change": 3, "flag": 4}


@dataclass(frozen=True, slots=True)
class AuditEvent:
    """One thing that happened to an entry."""

    at: datetime
    actor: str  # a reviewer, or "crawl"
    what: str  # "seen", "review", "change", "allowlist" or "flag"
    action: str  # one line: what happened
    why: str | None = None  # the reason code and note, the allowlist note, the evidence URL


@dataclass(frozen=True, slots=True)
class EntryHistory:
    """An entry and its audit trail, oldest first."""

    entry: Entry
    events: list[AuditEvent]


def entry_history(store: Store, entry_id: int) -> EntryHistory:
    """Every review, change, allowlist decision and flag of entry ``entry_id``, oldest first."""
    with store.read() as session:
        entry = session.get(Entry, entry_id)
        if entry is None:
            raise NotFound(f"no entry with id {entry_id}")
        events = [*_first_seen(session, entry), *_reviews(session, entry_id)]
        events += _allowlist(session, entry)
        actors = {e.at: e.actor for e in events if e.what in ("review", "allowlist")}
        events += _changes(session, entry_id, actors)
        events += _flag(session, entry)
    events.sort(key=lambda e: (e.at, _ORDER[e.what]))
    return EntryHistory(entry, events)


def _first_seen(session: Session, entry: Entry) -> list[AuditEvent]:
    query = (
        select(Post.site, Post.url)
        .join(Sighting, col(Sighting.post_id) == col(Post.id))
        .where(Sighting.entry_id == entry.id)
        .order_by(col(Sighting.seen_at), col(Sighting.id))
        .limit(1)
    )
    first = session.exec(query).first()
    where = f" on {first[0]}" if first else ""
    return [AuditEvent(entry.first_seen, CRAWL, "seen", f"first seen{where}", first and first[1])]


def _reviews(session: Session, entry_id: int) -> list[AuditEvent]:
    query = select(Review).where(Review.entry_id == entry_id).order_by(col(Review.id))
    events = []
    for review in session.exec(query):
        moved = (
            f"{review.from_status} → {review.to_status}"
            if review.from_status != review.to_status
            else f"stays {review.to_status}"
        )
        why = " · ".join(
            part
            for part in (
                f"reason {review.reason}" if review.reason else None,
                review.note,
                f"batch {review.batch[:8]}" if review.batch else None,
            )
            if part
        )
        events.append(
            AuditEvent(
                review.at, review.reviewer, "review", f"{review.action}: {moved}", why or None
            )
        )
    return events


def _allowlist(session: Session, entry: Entry) -> list[AuditEvent]:
    query = (
        select(AllowlistEvent)
        .where(AllowlistEvent.kind == entry.kind, AllowlistEvent.value == entry.value)
        .order_by(col(AllowlistEvent.id))
    )
    said = {"add": "allowlisted", "remove": "taken off the allowlist"}
    return [
        AuditEvent(event.at, event.by, "allowlist", said.get(event.op, event.op), event.note)
        for event in session.exec(query)
    ]


def _changes(session: Session, entry_id: int, actors: dict[datetime, str]) -> list[AuditEvent]:
    query = select(Change).where(Change.entry_id == entry_id).order_by(col(Change.seq))
    told = {"upsert": "added to or updated on", "remove": "removed from"}
    return [
        AuditEvent(
            change.at,
            actors.get(change.at, CRAWL),
            "change",
            f"change #{change.seq}: {told.get(change.op, change.op)} the enforcement list",
            f"status {change.status}",
        )
        for change in session.exec(query)
    ]


def _flag(session: Session, entry: Entry) -> list[AuditEvent]:
    flag = session.get(RereviewFlag, entry.id)
    if flag is None:
        return []
    post = session.get(Post, flag.post_id)
    action = f"seen again {flag.role} (OTC score {flag.otc_score:.2f}): flagged for re-review"
    return [AuditEvent(flag.flagged_at, CRAWL, "flag", action, post.url if post else None)]
