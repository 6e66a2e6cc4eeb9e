"""Rendered bodies kept in memory until the store changes (:class:`StoreRevision`).

A feed's readers poll: the same first page, the same changes after the same seq. A body is
kept under the request's key (its route, parameters and token scope) and the store revision it
was rendered at, and served again while the revision is the same; any commit to the store
changes the revision and the next request renders afresh. Bounded: at most
:data:`MAX_ITEMS` values and :data:`MAX_BYTES` bytes of them, none over :data:`MAX_BODY`.
Verified tokens are kept the same way, so a revoked token stops working at the next request.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Generic, TypeVar

Value = TypeVar("Value")
MAX_ITEMS = 256
MAX_BYTES = 64 * 1024 * 1024  # of all the values kept, as their owners count them
MAX_BODY = 2 * 1024 * 1024  # bytes: larger bodies are rendered every time


class RevisionCache(Generic[Value]):
    """A small LRU of values, each valid at one store revision."""

    def __init__(self, max_items: int = MAX_ITEMS, max_bytes: int = MAX_BYTES) -> None:
        self._items: OrderedDict[object, tuple[str, Value, int]] = OrderedDict()
        self._lock = threading.Lock()
        self._bytes = 0
        self.max_items = max_items
        self.max_bytes = max_bytes

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

    def put(self, key: object, revision: str | None, value: Value, size: int = 0) -> None:
        """Keep ``value`` (``size`` bytes) for ``key`` at ``revision`` (nothing when the
        revision is unknown); the least recently used values make room."""
        if revision is None or size > self.max_bytes:
            return
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self._bytes -= old[2]
            self._items[key] = (revision, value, size)
            self._bytes += size
            while len(self._items) > self.max_items or self._bytes > self.max_bytes:
                _key, (_revision, _value, dropped) = self._items.popitem(last=False)
                self._bytes -= dropped
