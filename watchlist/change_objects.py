"""The change objects of the delta feed: one shape for the API's ``/v1/changes`` and the sync.

ARCHITECTURE.md, "Sync protocol": ``{"seq", "op": "upsert"|"remove", "entry": {"kind",
"value", "status", "score", "first_seen", "last_seen", "evidence": [urls]}}``. Datetimes are ISO
8601 UTC with a ``Z``; evidence URLs hold no raw control or space (:func:`inert_url`). With a
salt (a target with ``hashed = true``) the value is its salted SHA-256
(:mod:`watchlist.export.hashing`).
"""

from __future__ import annotations

from typing import Any

from watchlist.export.hashing import hashed_value
from watchlist.export.objects import iso
from watchlist.inert import inert_url
from watchlist.store.feed import ChangeRow


def change_object(row: ChangeRow, *, salt: bytes | None = None) -> dict[str, Any]:
    """The change ``row`` as a JSON-ready dict."""
    value = row.value if salt is None else hashed_value(row.kind, row.value, salt)
    return {
        "seq": row.seq,
        "op": row.op,
        "entry": {
            "kind": row.kind,
            "value": value,
            "status": row.status,
            "score": row.score,
            "first_seen": iso(row.first_seen),
            "last_seen": iso(row.last_seen),
            "evidence": [inert_url(url) for url in row.evidence],
        },
    }
