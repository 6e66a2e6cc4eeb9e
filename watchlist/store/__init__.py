"""The store: the only package that writes SQL.

``open_store(url)`` gives a migrated :class:`Store`; ``ingest.save_posts`` writes crawled posts
(made storable first: ``storable``; the SQL in ``upserts``);
``queries`` reads; ``review.set_status`` records review decisions.

The names below are imported when first used (PEP 562), not with the package: a module of
the package that needs no ORM (``plain_sql``, ``queue_sql``, ``entry_sql``: the review queue's
first screen) is imported without SQLAlchemy, SQLModel and pydantic.
"""

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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

_HOMES = {
    "PageMemory": "crawl_state",
    "RunRecord": "crawl_state",
    "known_post_urls": "crawl_state",
    "page_memory": "crawl_state",
    "recent_runs": "crawl_state",
    "record_run": "crawl_state",
    "save_validators": "crawl_state",
    "Store": "engine",
    "open_store": "engine",
    "save_posts": "ingest",
    "EntryDetail": "queries",
    "EntryFilter": "queries",
    "Evidence": "queries",
    "get_entry": "queries",
    "list_entries": "queries",
    "Found": "records",
    "IngestResult": "records",
    "PostRecord": "records",
    "SetAside": "records",
    "Summary": "records",
    "Decision": "review",
    "set_status": "review",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"{__name__}.{home}"), name)
    globals()[name] = value
    return value


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
