"""Bearer-token auth: every route but ``/healthz`` depends on :func:`token_scope`.

A request without ``Authorization: Bearer <token>``, or with a token that is unknown or revoked,
gets 401 with ``WWW-Authenticate: Bearer``. When a token is used, its ``last_used_at`` is
written after the response is sent, at most once per :data:`TOUCH_EVERY` per process: the feed
stays read-only for its readers and never waits on the store's write lock.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import UTC, datetime
from typing import Annotated

from fastapi import BackgroundTasks, Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from watchlist.api.cache import RevisionCache
from watchlist.api.errors import BEARER, ApiError
from watchlist.store.engine import Store
from watchlist.store.feed import StoreRevision
from watchlist.store.tokens import TokenScope, digest, mark_used, verify_token

log = logging.getLogger(__name__)
TOUCH_EVERY = 600.0  # seconds between two writes of one token's last_used_at
_bearer = HTTPBearer(
    auto_error=False,
    description="A token from `watchlist token create NAME`, as `Authorization: Bearer <token>`.",
)


def store_of(request: Request) -> Store:
    """The store the app serves."""
    store: Store = request.app.state.store
    return store


def revision_of(request: Request) -> str | None:
    """The store's revision at the start of this request (None: nothing is served cached)."""
    revision: StoreRevision | None = request.app.state.revision
    return revision.current() if revision is not None else None


StoreDep = Annotated[Store, Depends(store_of)]
RevisionDep = Annotated[str | None, Depends(revision_of)]


class Touches:
    """When each token's use was last written, to write it rarely."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._last: dict[int, float] = {}

    def due(self, token_id: int) -> bool:
        now = time.monotonic()
        with self._lock:
            last = self._last.get(token_id)
            if last is not None and now - last < TOUCH_EVERY:
                return False
            self._last[token_id] = now
            return True


def token_scope(
    request: Request,
    store: StoreDep,
    revision: RevisionDep,
    background: BackgroundTasks,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> TokenScope:
    """The scope of the request's valid bearer token; :class:`ApiError` 401 otherwise.

    A token verified at the store's current revision is not looked up again until the store
    changes (a revocation is a change).
    """
    if credentials is None:
        raise ApiError(401, "a bearer token is needed (Authorization: Bearer <token>)", BEARER)
    known: RevisionCache[TokenScope] = request.app.state.tokens
    key = digest(credentials.credentials)
    scope = known.get(key, revision)
    if scope is None:
        scope = verify_token(store, credentials.credentials)
        if scope is None:
            raise ApiError(401, "the bearer token is not valid (unknown or revoked)", BEARER)
        known.put(key, revision, scope)
    touches: Touches = request.app.state.token_touches
    if touches.due(scope.token_id):
        background.add_task(_touch, store, scope.token_id)
    return scope


def _touch(store: Store, token_id: int) -> None:
    try:
        mark_used(store, token_id, datetime.now(UTC))
    except Exception as exc:  # bookkeeping only: never fail a request for it
        log.warning("could not record the use of a token: %s", exc)


ScopeDep = Annotated[TokenScope, Depends(token_scope)]
