"""``sync --dry-run`` (what would be sent, nothing stored or sent) and ``sync --status``."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from watchlist.store.engine import Store
from watchlist.store.sync_state import pending_changes, result_counts, target_state
from watchlist.sync.batches import next_window
from watchlist.sync.config import Target
from watchlist.sync.run import salt_for


@dataclass(slots=True)
class DryRun:
    """What a sync of one target would send now."""

    name: str
    cursor: int
    batches: int = 0
    ops: dict[str, int] = field(default_factory=dict)
    first: list[dict[str, Any]] = field(default_factory=list)
    pending_batch: str | None = None  # a stored batch that would be sent again first
    disabled: bool = False


@dataclass(frozen=True, slots=True)
class Status:
    """Where one target stands."""

    name: str
    endpoint: str
    cursor: int
    pending: int  # log rows after the cursor (before compaction)
    pending_batch: str | None
    pending_attempts: int
    last_success_at: datetime | None
    last_error: str | None
    last_error_at: datetime | None
    disabled_at: datetime | None
    batches_sent: int
    changes_sent: int
    results: dict[str, int]


def dry_run(store: Store, target: Target, first: int = 10) -> DryRun:
    """Count per op what would be sent, and keep the first ``first`` change objects."""
    state = target_state(store, target.name)
    report = DryRun(target.name, state.cursor, disabled=state.disabled_at is not None)
    salt = salt_for(target)
    cursor = state.cursor
    bodies: list[bytes] = []
    if state.pending is not None:
        report.pending_batch = state.pending.id
        bodies.append(state.pending.body)
        cursor = state.pending.to_seq
    while True:
        for body in bodies:
            report.batches += 1
            for change in json.loads(body)["changes"]:
                report.ops[change["op"]] = report.ops.get(change["op"], 0) + 1
                if len(report.first) < first:
                    report.first.append(change)
        bodies = []
        window = next_window(store, target, cursor, salt)
        if window is None:
            return report
        if window.batch is not None:
            bodies.append(window.batch.body)
        cursor = window.to_seq


def status(store: Store, target: Target) -> Status:
    """The target's cursor, backlog, last success and error, and results received."""
    state = target_state(store, target.name)
    return Status(
        target.name,
        target.endpoint,
        state.cursor,
        pending_changes(store, state.cursor, target.kinds),
        state.pending.id if state.pending else None,
        state.pending.attempts if state.pending else 0,
        state.last_success_at,
        state.last_error,
        state.last_error_at,
        state.disabled_at,
        state.batches_sent,
        state.changes_sent,
        result_counts(store, target.name),
    )
