"""The store: the only package that writes SQL.

``open_store(url)`` gives a migrated :class:`Store`; ``ingest.save_posts`` writes crawled posts
(made storable first: ``storable``; the SQL in ``upserts``);
``queries`` reads; ``review.set_status`` records review decisions.
"""

from watchlist.store.crawl_state import (
    PageMemory,
    RunRecord,
    known_post_urls,
    page_memory,
    recent_runs,
    record_run,
    save_validators,
)
from watchlist.store.engine import Store, open_store
from watchlist.store.ingest import save_posts
from watchlist.store.queries import EntryDetail, EntryFilter, Evidence, get_entry, list_entries
from watchlist.store.records import Found, IngestResult, PostRecord, SetAside, Summary
from watchlist.store.review import Decision, set_status

__all__ = [
    "Decision",
    "EntryDetail",
    "EntryFilter",
    "Evidence",
    "Found",
    "IngestResult",
    "PageMemory",
    "PostRecord",
    "RunRecord",
    "SetAside",
    "Store",
    "Summary",
    "get_entry",
    "known_post_urls",
    "list_entries",
    "open_store",
    "page_memory",
    "recent_runs",
    "record_run",
    "save_posts",
    "save_validators",
    "set_status",
]
