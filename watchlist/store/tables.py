"""The tables of the store (ARCHITECTURE.md, "The watchlist table and its neighbours").

Schema changes go through a migration in ``migrations/versions/``; these models are what the
queries use, and a test checks that they and the migrations agree.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

STATUSES = ("new", "confirmed", "dismissed")


class Entry(SQLModel, table=True):
    """One key website or account: a (kind, value) pair, with its review state."""

    __tablename__ = "entries"
    __table_args__ = (
        UniqueConstraint("kind", "value", name="uq_entries_kind_value"),
        Index("ix_entries_status_score", "status", "score"),
    )

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=32)
    value: str = Field(max_length=512)
    status: str = Field(default="new", max_length=16)
    score: float = 0.0
    first_seen: datetime
    last_seen: datetime
    sightings: int = 0
    sites: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    note: str | None = Field(default=None, sa_column=Column(Text))
    reviewed_by: str | None = Field(default=None, max_length=128)
    reviewed_at: datetime | None = None


class Post(SQLModel, table=True):
    """A crawled post: the evidence behind sightings."""

    __tablename__ = "posts"

    id: int | None = Field(default=None, primary_key=True)
    url: str = Field(max_length=2048, unique=True)
    site: str = Field(max_length=128, index=True)
    title: str | None = Field(default=None, sa_column=Column(Text))
    author: str | None = Field(default=None, max_length=512)
    posted_at: datetime | None = None
    fetched_at: datetime
    content_hash: str = Field(max_length=64)
    text: str = Field(sa_column=Column(Text, nullable=False))
    otc_score: float = 0.0


class Sighting(SQLModel, table=True):
    """An entry seen in a post, with the snippet around it."""

    __tablename__ = "sightings"
    __table_args__ = (UniqueConstraint("entry_id", "post_id", name="uq_sightings_entry_post"),)

    id: int | None = Field(default=None, primary_key=True)
    entry_id: int = Field(foreign_key="entries.id", index=True, ondelete="CASCADE")
    post_id: int = Field(foreign_key="posts.id", index=True, ondelete="CASCADE")
    snippet: str = Field(sa_column=Column(Text, nullable=False))
    span_start: int = 0
    span_end: int = 0
    provider: str | None = Field(default=None, max_length=32)
    role: str = Field(default="mentioned", max_length=16)
    source: str = Field(default="text", max_length=2048)
    seen_at: datetime


class Review(SQLModel, table=True):
    """Append-only audit log of review decisions."""

    __tablename__ = "reviews"

    id: int | None = Field(default=None, primary_key=True)
    entry_id: int = Field(foreign_key="entries.id", index=True, ondelete="CASCADE")
    from_status: str = Field(max_length=16)
    to_status: str = Field(max_length=16)
    reviewer: str = Field(max_length=128)
    at: datetime
    note: str | None = Field(default=None, sa_column=Column(Text))


class Change(SQLModel, table=True):
    """Append-only, monotonically numbered log of changes the enforcement side cares about."""

    __tablename__ = "changes"

    seq: int | None = Field(default=None, primary_key=True)
    entry_id: int = Field(foreign_key="entries.id", index=True, ondelete="CASCADE")
    op: str = Field(max_length=16)
    status: str = Field(max_length=16)
    at: datetime


class PageState(SQLModel, table=True):
    """What the last crawls learnt about a page, so that a re-crawl fetches only what changed.

    ``mark``: for a thread, what its board row showed when all its posts were stored (reply
    count, last-post time): a row still showing it needs no fetch. ``etag``/``last_modified``:
    the page's validators, for a conditional request, saved only by a crawl that finished.
    """

    __tablename__ = "page_states"
    __table_args__ = (UniqueConstraint("url", name="uq_page_states_url"),)

    id: int | None = Field(default=None, primary_key=True)
    url: str = Field(max_length=2048)
    site: str = Field(max_length=128, index=True)
    mark: str | None = Field(default=None, sa_column=Column(Text))
    etag: str | None = Field(default=None, max_length=512)
    last_modified: str | None = Field(default=None, max_length=128)
    updated_at: datetime


class CrawlRun(SQLModel, table=True):
    """One crawl of one site: when, how it ended and what it found (its Scrapy stats too)."""

    __tablename__ = "crawl_runs"

    id: int | None = Field(default=None, primary_key=True)
    site: str = Field(max_length=128, index=True)
    started_at: datetime
    finished_at: datetime
    ok: bool
    finish_reason: str = Field(max_length=64)
    pages: int = 0
    unchanged: int = 0
    posts: int = 0
    new_posts: int = 0
    new_entries: int = 0
    new_sightings: int = 0
    failed_requests: int = 0
    problem: str | None = Field(default=None, sa_column=Column(Text))
    stats: str = Field(default="{}", sa_column=Column(Text, nullable=False))
