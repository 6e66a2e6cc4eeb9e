"""The store: the only package that writes SQL.

``open_store(url)`` gives a migrated :class:`Store`; ``ingest.save_posts`` writes crawled posts;
``queries`` reads; ``review.set_status`` records review decisions.
"""

from watchlist.store.engine import Store, open_store
from watchlist.store.ingest import save_posts
from watchlist.store.queries import EntryDetail, EntryFilter, Evidence, get_entry, list_entries
from watchlist.store.records import Found, IngestResult, PostRecord, Summary
from watchlist.store.review import Decision, set_status

__all__ = [
    "Decision",
    "EntryDetail",
    "EntryFilter",
    "Evidence",
    "Found",
    "IngestResult",
    "PostRecord",
    "Store",
    "Summary",
    "get_entry",
    "list_entries",
    "open_store",
    "save_posts",
    "set_status",
]
