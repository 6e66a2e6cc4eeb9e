"""What the review queue shows of one entry: its facts, role mix, best evidence, neighbours.

The read itself is :func:`watchlist.store.entry_sql.read_entry_view` (plain SQL, written once);
:func:`entry_view` runs it through the store's SQLAlchemy engine, any database.
"""

from __future__ import annotations

from watchlist.store.engine import Store
from watchlist.store.entry_sql import (
    BEST_EVIDENCE,
    OTHERS_FROM_POSTS,
    OTHERS_SHOWN,
    ClusterInfo,
    Enforced,
    EntryFacts,
    EntryView,
    Evidence,
    Neighbour,
    by_count,
    read_entry_view,
)
from watchlist.store.queue import store_reader

__all__ = [
    "BEST_EVIDENCE",
    "OTHERS_FROM_POSTS",
    "OTHERS_SHOWN",
    "ClusterInfo",
    "Enforced",
    "EntryFacts",
    "EntryView",
    "Evidence",
    "Neighbour",
    "by_count",
    "entry_view",
]


def entry_view(store: Store, entry_id: int, evidence: int | None = BEST_EVIDENCE) -> EntryView:
    """One entry with its role mix, best ``evidence`` (None: all), neighbours and cluster."""
    return read_entry_view(store_reader(store), entry_id, evidence)
