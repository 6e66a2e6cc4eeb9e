"""Salted SHA-256 values, for partners who must not see raw accounts (``--hashed``).

The matching recipe for the receiving side (docs/export.md, "Hashed exports"): canonicalize
your own value exactly as the watchlist does (docs/architecture.md, "Entry kinds and canonical
values": E.164 phones, lower-case emails and IDs …), then compare
``sha256(salt + kind + ":" + value)`` in lower-case hex, all UTF-8, with the salt you were given
out of band. The salt comes from ``WATCHLIST_HASH_SALT`` and is never written to any output.
"""

from __future__ import annotations

import hashlib

from watchlist import settings
from watchlist.errors import UsageError


def hashed_value(kind: str, value: str, salt: bytes) -> str:
    """The lower-case hex SHA-256 of ``salt + kind + ":" + value`` (UTF-8)."""
    return hashlib.sha256(salt + f"{kind}:{value}".encode()).hexdigest()


def require_salt() -> bytes:
    """The salt of hashed exports (``WATCHLIST_HASH_SALT``); :class:`UsageError` when unset."""
    salt = settings.load().hash_salt
    if not salt:
        raise UsageError(
            "--hashed needs a salt: set WATCHLIST_HASH_SALT (share it with the receiving side "
            "out of band; it is never written to the output)"
        )
    return salt.encode()
