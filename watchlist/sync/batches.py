"""Batches of the sync protocol, built from the change log (ARCHITECTURE.md, "Sync protocol").

A batch covers the log window ``from_seq..to_seq`` (inclusive; ``from_seq`` is the cursor + 1)
and holds, per entry, only its latest change in that window (compaction): a confirmation then
dismissal within one batch is sent as one ``remove``. The change objects are the API feed's
(:func:`watchlist.change_objects.change_object`); the rows come from
:func:`watchlist.store.feed.read_changes`, which leaves out upserts of allowlisted values and
changes of kinds the target does not take. A hashed target gets salted SHA-256 values.

``to_seq`` also covers the rows the filter left out: when the window holds fewer rows than the
batch size, it reaches the newest seq the log held before the read (seq order is commit
order, so nothing at or below it can still appear).
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from watchlist.change_objects import change_object
from watchlist.store.engine import Store
from watchlist.store.feed import ChangeRow, last_seq, read_changes
from watchlist.store.sync_state import PendingBatch
from watchlist.sync.config import Target

SOURCE = "otc-watchlist"


@dataclass(frozen=True, slots=True)
class Window:
    """What the log holds for a target after its cursor: the batch to send, if any."""

    to_seq: int  # the cursor once this window is acknowledged (or skipped)
    batch: PendingBatch | None  # None: nothing in the window for this target


def compact(rows: list[ChangeRow]) -> list[ChangeRow]:
    """The latest change of each entry among ``rows`` (in seq order)."""
    latest: dict[int, ChangeRow] = {}
    for row in rows:
        latest.pop(row.entry_id, None)
        latest[row.entry_id] = row
    return sorted(latest.values(), key=lambda r: r.seq)


def next_window(store: Store, target: Target, cursor: int, salt: bytes | None) -> Window | None:
    """The window after ``cursor`` (None: the target has everything)."""
    head = last_seq(store)
    if head <= cursor:
        return None
    rows = read_changes(store, cursor, target.batch_size, kinds=target.kinds)
    if len(rows) < target.batch_size:
        to_seq = max(head, rows[-1].seq if rows else head)
    else:
        to_seq = rows[-1].seq
    if not rows:
        return Window(to_seq, None)
    return Window(to_seq, build_batch(cursor + 1, to_seq, compact(rows), salt))


def build_batch(
    from_seq: int, to_seq: int, rows: list[ChangeRow], salt: bytes | None
) -> PendingBatch:
    """The batch body (compact JSON, UTF-8) of ``rows``, with a new batch id."""
    batch_id = str(uuid.uuid4())
    changes = [change_object(row, salt=salt) for row in rows]
    body = {
        "batch_id": batch_id,
        "source": SOURCE,
        "from_seq": from_seq,
        "to_seq": to_seq,
        "changes": changes,
    }
    data = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
    sent = tuple(
        (row.kind, str(obj["entry"]["value"]), row.entry_id)
        for row, obj in zip(rows, changes, strict=True)
    )
    return PendingBatch(batch_id, from_seq, to_seq, len(rows), data, sent, datetime.now(UTC))
