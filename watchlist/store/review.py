"""Review decisions: change an entry's status, with an audit row and a change-log row."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from watchlist.errors import NotFound, WatchlistError
from watchlist.store.engine import Store
from watchlist.store.tables import Change, Entry, Review

REVIEWABLE = {"confirmed", "dismissed"}


@dataclass(frozen=True, slots=True)
class Decision:
    """What a review did to one entry (``changed`` is False when it already had that status)."""

    entry_id: int
    kind: str
    value: str
    from_status: str
    to_status: str
    changed: bool


def set_status(
    store: Store,
    entry_ids: Sequence[int],
    status: str,
    reviewer: str,
    note: str | None = None,
) -> list[Decision]:
    """Move entries to ``status`` (confirmed or dismissed), all or none.

    Each real change appends a ``reviews`` row; entering or leaving ``confirmed`` also appends a
    ``changes`` row (``upsert`` or ``remove``), which the API feed and the sync read.
    """
    if status not in REVIEWABLE:
        raise WatchlistError(f"cannot set status {status!r}: use one of {sorted(REVIEWABLE)}")
    now = datetime.now(UTC)
    decisions: list[Decision] = []
    with store.write() as session:
        for entry_id in dict.fromkeys(entry_ids):
            entry = session.get(Entry, entry_id)
            if entry is None:
                raise NotFound(f"no entry with id {entry_id}")
            before = entry.status
            changed = before != status
            decisions.append(Decision(entry_id, entry.kind, entry.value, before, status, changed))
            if not changed:
                continue
            entry.status = status
            entry.reviewed_by = reviewer
            entry.reviewed_at = now
            if note is not None:
                entry.note = note
            session.add(entry)
            session.add(
                Review(
                    entry_id=entry_id,
                    from_status=before,
                    to_status=status,
                    reviewer=reviewer,
                    at=now,
                    note=note,
                )
            )
            if status == "confirmed" or before == "confirmed":
                op = "upsert" if status == "confirmed" else "remove"
                session.add(Change(entry_id=entry_id, op=op, status=status, at=now))
    return decisions
