"""``watchlist sync``: push each target its changes since its cursor, batch after batch.

Per batch: a pending batch (left by an earlier run, or a crash) is sent first, as it was
stored; otherwise the next window of the log is compacted into a batch and stored, then sent.
A 2xx acknowledges it: :func:`watchlist.store.sync_state.acknowledge` moves the cursor, deletes
the batch and keeps the reply's per-entry results, all in one transaction. A crash at any point
leaves either the old cursor and the stored batch (sent again, same id: the receiver dedupes)
or the new cursor: nothing is lost or doubled.

Targets are independent: one failing does not stop the others; the run then fails naming it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from watchlist.errors import WatchlistError
from watchlist.export.hashing import require_salt
from watchlist.store.engine import Store
from watchlist.store.feed import last_seq
from watchlist.store.sync_state import (
    RESULT_NAMES,
    PendingBatch,
    acknowledge,
    count_attempt,
    disable,
    pending_changes,
    record_error,
    save_pending,
    skip_to,
    target_state,
)
from watchlist.sync.batches import next_window
from watchlist.sync.config import Target
from watchlist.sync.delivery import TargetGone, check_endpoint, client, send

Progress = Callable[[str, int, int], None]  # (target, seqs done, seqs to go at the start)


class SyncFailed(WatchlistError):
    """One or more targets failed; each is named in the message (``reports``: every target's)."""

    def __init__(self, message: str, reports: list[TargetReport]) -> None:
        super().__init__(message)
        self.reports = reports


@dataclass(slots=True)
class TargetReport:
    """What one run did for one target."""

    name: str
    batches: int = 0
    changes: int = 0
    retries: int = 0
    results: dict[str, int] = field(default_factory=dict)
    cursor: int = 0
    skipped: str | None = None  # why nothing was tried (disabled)
    error: str | None = None
    disabled: bool = False


def salt_for(target: Target) -> bytes | None:
    """The hash salt of a hashed target (None for raw values)."""
    return require_salt() if target.hashed else None


def sync(
    store: Store, targets: Iterable[Target], progress: Progress | None = None
) -> list[TargetReport]:
    """Sync every target; :class:`SyncFailed` after all were tried if any failed."""
    reports = [sync_target(store, target, progress) for target in targets]
    failed = [r for r in reports if r.error is not None]
    if failed:
        raise SyncFailed("; ".join(str(r.error) for r in failed), reports)
    return reports


def sync_target(store: Store, target: Target, progress: Progress | None = None) -> TargetReport:
    """Send ``target`` everything after its cursor; errors end up in the report."""
    report = TargetReport(target.name)
    state = target_state(store, target.name)
    report.cursor = state.cursor
    if state.disabled_at is not None:
        report.skipped = f"disabled since {state.disabled_at:%Y-%m-%d %H:%M} UTC: " + (
            state.disabled_reason or "410 Gone"
        )
        return report
    # A target that cannot be used as configured (no secret, no salt, a private endpoint) is a
    # usage error for the whole run (exit 2), not a delivery failure.
    secrets = target.secrets()
    salt = salt_for(target)
    pinned = check_endpoint(target)
    try:
        total = last_seq(store) - state.cursor
        with client(target, pinned) as http:
            pending = state.pending
            cursor = state.cursor
            while True:
                if pending is None:
                    window = next_window(store, target, cursor, salt)
                    if window is None:
                        break
                    if window.batch is None:
                        skip_to(store, target.name, cursor, window.to_seq)
                        cursor = window.to_seq
                        continue
                    try:
                        pending = save_pending(store, target.name, cursor, window.batch)
                    except LookupError:  # another run moved the cursor: read where it is
                        fresh = target_state(store, target.name)
                        cursor, pending = fresh.cursor, fresh.pending
                        continue
                _deliver(store, target, secrets, http, pending, report)
                cursor = pending.to_seq
                report.cursor = cursor
                pending = None
                if progress is not None:
                    progress(target.name, cursor - state.cursor, total)
    except TargetGone as exc:
        disable(store, target.name, str(exc))
        report.error = f"{exc}: the target is disabled (see `watchlist sync --status`)"
        report.disabled = True
    except WatchlistError as exc:
        message = str(exc)
        record_error(store, target.name, message)
        pending_now = pending_changes(store, report.cursor, target.kinds)
        report.error = f"{message} (cursor stays at {report.cursor}; {pending_now} changes pending)"
    return report


def _deliver(
    store: Store,
    target: Target,
    secrets: tuple[str, ...],
    http: Any,
    batch: PendingBatch,
    report: TargetReport,
) -> None:
    retries = 0

    def counted() -> None:
        nonlocal retries
        retries += 1
        count_attempt(store, batch.id)

    count_attempt(store, batch.id)
    reply = send(http, target, secrets, "POST", batch.id, batch.body, on_retry=counted)
    results = parse_results(reply.body, batch)
    acknowledge(store, target.name, batch, results)
    report.batches += 1
    report.changes += batch.changes
    report.retries += retries
    for _, result, _ in results:
        report.results[result] = report.results.get(result, 0) + 1


def parse_results(body: Any, batch: PendingBatch) -> list[tuple[int, str, str | None]]:
    """The reply's per-entry results mapped to our entry ids (what we cannot map is left out).

    ``{"results": [{"kind", "value", "result", "reason"}]}``, ``value`` as it was sent (hashed
    for a hashed target); ``result`` one of accepted, restricted, rejected, known.
    """
    if not isinstance(body, dict) or not isinstance(body.get("results"), list):
        return []
    ids = {(kind, value): entry_id for kind, value, entry_id in batch.entries}
    found: list[tuple[int, str, str | None]] = []
    for item in body["results"]:
        if not isinstance(item, dict):
            continue
        key = (item.get("kind"), item.get("value"))
        result = item.get("result")
        entry_id = ids.get(key) if all(isinstance(k, str) for k in key) else None  # type: ignore[arg-type]
        if entry_id is None or result not in RESULT_NAMES:
            continue
        reason = item.get("reason")
        found.append((entry_id, str(result), reason if isinstance(reason, str) else None))
    return found
