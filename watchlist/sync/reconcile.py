"""``watchlist reconcile``: compare what a target holds with our confirmed list.

The target's list is read with signed, paged ``GET {endpoint}?cursor=C`` requests (ARCHITECTURE.md,
"Sync targets") → ``{"entries": [{"kind", "value", "status"}], "next_cursor": C | null}``.
Drift both ways: ours confirmed and not there (``missing``), theirs and not confirmed here
(``extra``). ``fix`` appends the changes that close it to the change log (upserts of the
missing, removes of the extra we know), so the next ``watchlist sync`` sends them; an extra
value the watchlist has no entry for cannot be queued (it is reported as ``unknown``).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from watchlist.errors import WatchlistError
from watchlist.export.hashing import hashed_value
from watchlist.store.engine import Store
from watchlist.store.sync_state import (
    confirmed_keys,
    entry_ids_of,
    entry_keys,
    pending_changes,
    queue_changes,
    target_state,
)
from watchlist.sync.config import Target
from watchlist.sync.delivery import check_endpoint, client, send
from watchlist.sync.run import salt_for

PAGES_MAX = 100_000


class BadListing(WatchlistError):
    """The target's GET answered something that is not the contract's listing."""


@dataclass(slots=True)
class Drift:
    """The difference between our confirmed list and a target's."""

    name: str
    ours: int = 0
    theirs: int = 0
    pages: int = 0
    missing: list[tuple[str, str]] = field(default_factory=list)  # ours, not there
    extra: list[tuple[str, str]] = field(default_factory=list)  # theirs, not confirmed here
    unknown: list[tuple[str, str]] = field(default_factory=list)  # extra, no entry of ours
    pending: int = 0  # log rows not yet sent: drift they would close
    queued: int = 0  # changes appended by --fix


def their_list(store: Store, target: Target) -> tuple[set[tuple[str, str]], int]:
    """Every (kind, value) the target holds, and the pages it took."""
    secrets = target.secrets()
    pinned = check_endpoint(target)
    held: set[tuple[str, str]] = set()
    cursor: str | None = None
    pages = 0
    with client(target, pinned) as http:
        while True:
            params = {"cursor": cursor} if cursor is not None else None
            reply = send(
                http, target, secrets, "GET", f"list_{uuid.uuid4().hex}", b"", params=params
            )
            pages += 1
            body = reply.body
            if not isinstance(body, dict) or not isinstance(body.get("entries"), list):
                raise BadListing(f"target {target.name}: GET {target.endpoint}: not a listing")
            for item in body["entries"]:
                if (
                    isinstance(item, dict)
                    and isinstance(item.get("kind"), str)
                    and isinstance(item.get("value"), str)
                ):
                    held.add((item["kind"], item["value"]))
            following = body.get("next_cursor")
            if following is None or pages >= PAGES_MAX:
                return held, pages
            cursor = str(following)


def reconcile(store: Store, target: Target, *, fix: bool = False) -> Drift:
    """The drift between ``target`` and our confirmed list (``fix``: queue what closes it)."""
    salt = salt_for(target)
    drift = Drift(target.name)
    held, drift.pages = their_list(store, target)
    ours_raw = confirmed_keys(store, target.kinds)
    ours = {_sent(k, v, salt): i for (k, v), i in ours_raw.items()}
    drift.ours, drift.theirs = len(ours), len(held)
    drift.missing = sorted(set(ours) - held)
    drift.extra = sorted(held - set(ours))
    if salt is None:
        known = entry_ids_of(store, drift.extra)
    else:
        every = {_sent(k, v, salt): i for (k, v), i in entry_keys(store, target.kinds).items()}
        known = {key: every[key] for key in drift.extra if key in every}
    drift.unknown = [key for key in drift.extra if key not in known]
    drift.pending = pending_changes(store, target_state(store, target.name).cursor, target.kinds)
    if fix:
        upserts = [ours[key] for key in drift.missing]
        removes = [known[key] for key in drift.extra if key in known]
        drift.queued = queue_changes(store, upserts, removes)
    return drift


def _sent(kind: str, value: str, salt: bytes | None) -> tuple[str, str]:
    return (kind, value if salt is None else hashed_value(kind, value, salt))
