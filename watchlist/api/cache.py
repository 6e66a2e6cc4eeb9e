"""Rendered bodies kept in memory until the store changes (:class:`StoreRevision`).

A feed's readers poll: the same first page, the same changes after the same seq. A body is
kept under the request's key (its route, parameters and token scope) and the store revision it
was rendered at, and served again while the revision is the same; any commit to the store
changes the revision and the next request renders afresh. Bounded: at most
:data:`MAX_ITEMS` bodies, none over :data:`MAX_BODY` bytes. Verified tokens are kept the same
way, so a revoked token stops working at the next request.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Generic, TypeVar

Value = TypeVar("Value")
MAX_ITEMS = 256
MAX_BODY = 512 * 1024  # bytes: larger bodies are rendered every time


class RevisionCache(Generic[Value]):
    """A small LRU of values, each valid at one store revision."""

    def __init__(self, max_items: int = MAX_ITEMS) -> None:
        self._items: OrderedDict[object, tuple[str, Value]] = OrderedDict()
        self._lock = threading.Lock()
        self.max_items = max_items

    def get(self, key: object, revision: str | None) -> Value | None:
        """The value kept for ``key`` at ``revision``, if any."""
        if revision is None:
            return None
        with self._lock:
            found = self._items.get(key)
            if found is None or found[0] != revision:
                return None
            self._items.move_to_end(key)
            return found[1]

    def put(self, key: object, revision: str | None, value: Value) -> None:
        """Keep ``value`` for ``key`` at ``revision`` (nothing when the revision is unknown)."""
        if revision is None:
            return
        with self._lock:
            self._items[key] = (revision, value)
            self._items.move_to_end(key)
            while len(self._items) > self.max_items:
                self._items.popitem(last=False)
