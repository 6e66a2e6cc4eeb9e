"""Bearer tokens of the API feed: created once, kept only as a SHA-256 digest, revocable.

``create_token`` returns the token itself (``secrets.token_urlsafe(32)``: 256 bits) exactly once;
the store keeps its SHA-256 hex digest. ``verify_token`` hashes what a request presented, finds
the row by digest and compares the digests again with :func:`hmac.compare_digest`, so the answer
takes the same time however much of a guess matches. A token may be scoped to statuses and
kinds (empty: all); a revoked token stays listed (who had access, until when) and never
verifies again.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import update
from sqlmodel import col, select

from watchlist.errors import NotFound, UsageError
from watchlist.store.engine import Store
from watchlist.store.tables import STATUSES, ApiToken

NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")
KIND_SLUG = re.compile(r"[a-z][a-z_]{0,31}")
TOKEN_MAX = 256  # longer than any token we issue: refused before hashing


@dataclass(frozen=True, slots=True)
class TokenScope:
    """What a verified token may read: its statuses and kinds (empty: all)."""

    name: str
    statuses: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    token_id: int = 0

    def allows(self, kind: str, status: str) -> bool:
        """Whether an entry of ``kind`` with ``status`` is within the scope."""
        return (not self.kinds or kind in self.kinds) and (
            not self.statuses or status in self.statuses
        )


@dataclass(frozen=True, slots=True)
class TokenInfo:
    """A token as ``token list`` shows it (never the token: only its name and scope)."""

    name: str
    statuses: tuple[str, ...]
    kinds: tuple[str, ...]
    created_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None


def digest(token: str) -> str:
    """The SHA-256 hex digest under which a token is kept."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def create_token(
    store: Store, name: str, statuses: Iterable[str] = (), kinds: Iterable[str] = ()
) -> str:
    """Create the token ``name`` with its scope; return the token (shown once, never stored).

    :class:`UsageError` for a bad name, an unknown status or kind, or a name already used (a
    revoked token's name too: the audit keeps it).
    """
    name = name.strip()
    if not NAME.fullmatch(name):
        raise UsageError(
            f"token name {name!r}: use 1-128 letters, digits, '.', '_' or '-' "
            "(starting with a letter or digit)"
        )
    scope_statuses = _checked(statuses, STATUSES, "--status")
    scope_kinds = _checked(kinds, None, "--kind")
    token = secrets.token_urlsafe(32)
    with store.write() as session:
        taken = session.exec(select(ApiToken.id).where(ApiToken.name == name)).first()
        if taken is not None:
            raise UsageError(f"a token named {name!r} exists already: choose another name")
        session.add(
            ApiToken(
                name=name,
                digest=digest(token),
                statuses=",".join(scope_statuses),
                kinds=",".join(scope_kinds),
                created_at=datetime.now(UTC),
            )
        )
    return token


def list_tokens(store: Store) -> list[TokenInfo]:
    """Every token, revoked ones too, oldest first."""
    with store.read() as session:
        rows = session.exec(select(ApiToken).order_by(col(ApiToken.id)))
        return [
            TokenInfo(
                t.name,
                _split(t.statuses),
                _split(t.kinds),
                t.created_at,
                t.revoked_at,
                t.last_used_at,
            )
            for t in rows
        ]


def revoke_token(store: Store, name: str) -> bool:
    """Revoke the token ``name``: False if it was revoked already; :class:`NotFound` if none."""
    with store.write() as session:
        token = session.exec(select(ApiToken).where(ApiToken.name == name.strip())).first()
        if token is None:
            raise NotFound(f"no token named {name.strip()!r}")
        if token.revoked_at is not None:
            return False
        token.revoked_at = datetime.now(UTC)
        session.add(token)
    return True


def has_active_token(store: Store) -> bool:
    """Whether any token that is not revoked exists."""
    with store.read() as session:
        query = select(ApiToken.id).where(col(ApiToken.revoked_at).is_(None)).limit(1)
        return session.exec(query).first() is not None


def verify_token(store: Store, token: str) -> TokenScope | None:
    """The scope of ``token`` if it is a live token, else None."""
    if not token or len(token) > TOKEN_MAX:
        return None
    presented = digest(token)
    with store.read() as session:
        query = select(ApiToken).where(
            ApiToken.digest == presented, col(ApiToken.revoked_at).is_(None)
        )
        row = session.exec(query).first()
    if row is None or row.id is None or not hmac.compare_digest(row.digest, presented):
        return None
    return TokenScope(row.name, _split(row.statuses), _split(row.kinds), row.id)


def mark_used(store: Store, token_id: int, at: datetime) -> None:
    """Record that the token ``token_id`` was used at ``at`` (callers throttle this)."""
    with store.write() as session:
        session.execute(
            update(ApiToken).where(col(ApiToken.id) == token_id).values(last_used_at=at)
        )


def _split(value: str) -> tuple[str, ...]:
    return tuple(v for v in value.split(",") if v)


def _checked(
    values: Iterable[str], choices: tuple[str, ...] | None, option: str
) -> tuple[str, ...]:
    """``values`` lower-cased, each once; one of ``choices`` (None: a kind's slug, which the
    CLI checks against the contract's kinds)."""
    found: list[str] = []
    for value in values:
        given = value.strip().lower()
        if choices is not None and given not in choices:
            raise UsageError(f"{option}: {value!r} is not one of {', '.join(choices)}")
        if choices is None and not KIND_SLUG.fullmatch(given):
            raise UsageError(f"{option}: {value!r} is not a kind")
        if given not in found:
            found.append(given)
    return tuple(found)
