"""Opaque keyset cursors of ``/v1/entries``: the last id handed out and the filters it was for.

A cursor is URL-safe base64 (no padding) of ``{"after": id, "f": digest of the filters}``. One
from another listing (other filters) or one that does not decode is refused with 400, never a
500: a client must start that listing again without a cursor.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Sequence

from watchlist.api.errors import ApiError

CURSOR_MAX = 200  # characters: far more than any cursor we hand out
MAX_ID = 2**63 - 1


def filters_digest(filters: Sequence[object]) -> str:
    """A short digest naming one listing's filters."""
    text = json.dumps(list(filters), separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def encode_cursor(after: int, digest: str) -> str:
    """The cursor that continues after id ``after`` in the listing of ``digest``."""
    raw = json.dumps({"after": after, "f": digest}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, digest: str) -> int:
    """The id a cursor continues after; :class:`ApiError` 400 unless it is one of ``digest``."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        data = json.loads(raw.decode())
    except (binascii.Error, ValueError):  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        raise ApiError(400, "cursor: not a cursor this server handed out") from None
    after = data.get("after") if isinstance(data, dict) else None
    if type(after) is not int or not 0 <= after <= MAX_ID or not isinstance(data.get("f"), str):
        raise ApiError(400, "cursor: not a cursor this server handed out")
    if data["f"] != digest:
        raise ApiError(
            400, "cursor: it belongs to a listing with other filters; start again without it"
        )
    return after
