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
    """A crawled post with what the extractor found in it.

    ``thread_url``: the page whose mark (``save_posts``'s ``marks``) must not be saved unless
    this post is stored.
    """

    url: str
    site: str
    text: str
    fetched_at: datetime
    title: str | None = None
    author: str | None = None
    posted_at: datetime | None = None
    otc_score: float = 0.0
    found: tuple[Found, ...] = ()
    thread_url: str | None = None


@dataclass(frozen=True, slots=True)
class SetAside:
    """A post the database refused even once made storable: not stored, and why."""

    url: str  # as stored URLs are written (percent-encoded): safe to print
    site: str
    thread_url: str | None
    reason: str  # one line


@dataclass(slots=True)
class IngestResult:
    """What one :func:`~watchlist.store.ingest.save_posts` call changed, and what it did not.

    ``posts``: posts written; ``new_*``: rows the upserts inserted (not updated), so concurrent
    crawls never count one row twice. ``posts_of_another_site``: posts not written because their
    URL is already stored for another site. ``truncated_fields``: titles, authors, texts and
    URLs cut to their limits; ``handles_set_aside``: handles whose value the store cannot keep
    exactly (too long for its column, or holding a control character or a lone surrogate).
    ``threads_remembered``: marks saved.
    """

    posts: int = 0
    new_posts: int = 0
    new_entries: int = 0
    new_sightings: int = 0
    posts_of_another_site: int = 0
    truncated_fields: int = 0
    handles_set_aside: int = 0
    threads_remembered: int = 0
    set_aside: list[SetAside] = field(default_factory=list)

    def add(self, other: IngestResult) -> None:
        """Add the counts of ``other`` (a later transaction of the same save) to these."""
        self.posts += other.posts
        self.new_posts += other.new_posts
        self.new_entries += other.new_entries
        self.new_sightings += other.new_sightings
        self.posts_of_another_site += other.posts_of_another_site
        self.threads_remembered += other.threads_remembered
        self.set_aside.extend(other.set_aside)


@dataclass(frozen=True, slots=True)
class Summary:
    """Counts over the whole store, for the crawl and demo summaries."""

    posts: int
    entries: int
    sightings: int
    entries_by_kind: dict[str, int] = field(default_factory=dict)
    entries_by_status: dict[str, int] = field(default_factory=dict)
