"""Plain records that cross into the store: what the crawl hands over, what queries return."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from watchlist.extract.model import Handle


@dataclass(frozen=True, slots=True)
class Found:
    """A handle found in a post, and where.

    ``source`` is ``"text"`` (the span indexes the post text) or the URL of the image it was
    decoded from; then ``payload`` is the decoded text that the span indexes.
    """

    handle: Handle
    source: str = "text"
    payload: str | None = None


@dataclass(frozen=True, slots=True)
class PostRecord:
    """A crawled post with what the extractor found in it."""

    url: str
    site: str
    text: str
    fetched_at: datetime
    title: str | None = None
    author: str | None = None
    posted_at: datetime | None = None
    otc_score: float = 0.0
    found: tuple[Found, ...] = ()


@dataclass(slots=True)
class IngestResult:
    """What one :func:`~watchlist.store.ingest.save_posts` call changed."""

    posts: int = 0
    new_posts: int = 0
    new_entries: int = 0
    new_sightings: int = 0


@dataclass(frozen=True, slots=True)
class Summary:
    """Counts over the whole store, for the crawl and demo summaries."""

    posts: int
    entries: int
    sightings: int
    entries_by_kind: dict[str, int] = field(default_factory=dict)
    entries_by_status: dict[str, int] = field(default_factory=dict)
