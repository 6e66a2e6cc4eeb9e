"""The tables of the store (ARCHITECTURE.md, "The watchlist table and its neighbours").

Schema changes go through a migration in ``migrations/versions/``; these models are what the
queries use, and a test checks that they and the migrations agree.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    Column,
    ColumnElement,
    Index,
    LargeBinary,
    Text,
    UniqueConstraint,
    case,
    inspect,
    select,
)
from sqlalchemy.orm import column_property
from sqlmodel import Field, SQLModel

STATUSES = ("new", "confirmed", "dismissed")
ROLE_RANKS = {"mentioned": 0, "reported": 1, "offered": 2}  # the queue's "offered outranks …"


def role_rank(role: Any) -> ColumnElement[int]:
    """SQL: the rank of a role column in :data:`ROLE_RANKS` (an unknown role ranks 0)."""
    return case(*((role == name, rank) for name, rank in ROLE_RANKS.items() if rank), else_=0)


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
    # Four-eyes mode: who confirmed first; the entry stays `new`, awaiting a second reviewer.
    first_confirmed_by: str | None = Field(default=None, max_length=128, index=True)
    # The strongest role of its sightings (offered > reported > mentioned), kept by ingest.
    best_role: str = Field(
        default="mentioned", max_length=16, sa_column_kwargs={"server_default": "mentioned"}
    )
    # Kept by ingest from the entry's sightings, for exports and the feed (no per-row join):
    # sightings per role, the posts' own first and last times, the provider the sightings'
    # contexts named most, and the best sighting (offered before reported before mentioned,
    # then the post's OTC score, then the latest fetch).
    offered: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    reported: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    mentioned: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    first_posted: datetime | None = None
    last_posted: datetime | None = None
    provider: str | None = Field(default=None, max_length=32)
    best_sighting_id: int | None = None
    # The reason code of the decision that set the status (a dismissal's), if any.
    reason: str | None = Field(default=None, max_length=32)


class Title(SQLModel, table=True):
    """A post title, stored once however many posts carry it (a thread's title on each reply).

    ``digest``: the SHA-256 of ``text`` (a unique index on the text itself would outgrow
    PostgreSQL's index row limit).
    """

    __tablename__ = "titles"
    __table_args__ = (UniqueConstraint("digest", name="uq_titles_digest"),)

    id: int | None = Field(default=None, primary_key=True)
    digest: str = Field(max_length=64)
    text: str = Field(sa_column=Column(Text, nullable=False))


class Post(SQLModel, table=True):
    """A crawled post: the evidence behind sightings.

    ``title`` is read from the ``titles`` row ``title_id`` names (loaded with the post).
    """

    __tablename__ = "posts"

    id: int | None = Field(default=None, primary_key=True)
    url: str = Field(max_length=2048, unique=True)
    site: str = Field(max_length=128, index=True)
    title_id: int | None = Field(default=None, foreign_key="titles.id", index=True)
    author: str | None = Field(default=None, max_length=512)
    posted_at: datetime | None = None
    fetched_at: datetime
    content_hash: str = Field(max_length=64)
    text: str = Field(sa_column=Column(Text, nullable=False))
    otc_score: float = 0.0

    if TYPE_CHECKING:
        title: str | None  # the column property below


_TITLES = SQLModel.metadata.tables[Title.__tablename__]
_POSTS = SQLModel.metadata.tables[Post.__tablename__]
inspect(Post).add_property(
    "title",
    column_property(
        select(_TITLES.c.text).where(_TITLES.c.id == _POSTS.c.title_id).scalar_subquery()
    ),
)


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
    """Append-only audit log of review decisions.

    ``action``: ``confirm``, ``dismiss``, ``first-confirm`` (four-eyes: the status stays),
    ``note`` or ``undo``; ``reason``: a dismissal's reason code; ``batch``: the id shared by the
    rows of one decision (one entry, or every entry of a batch), which an undo names again.
    """

    __tablename__ = "reviews"

    id: int | None = Field(default=None, primary_key=True)
    entry_id: int = Field(foreign_key="entries.id", index=True, ondelete="CASCADE")
    from_status: str = Field(max_length=16)
    to_status: str = Field(max_length=16)
    reviewer: str = Field(max_length=128)
    at: datetime
    note: str | None = Field(default=None, sa_column=Column(Text))
    action: str = Field(
        default="confirm", max_length=16, sa_column_kwargs={"server_default": "confirm"}
    )
    reason: str | None = Field(default=None, max_length=32)
    batch: str | None = Field(default=None, max_length=32, index=True)


class ReviewCursor(SQLModel, table=True):
    """Where a reviewer left a queue (one row per reviewer and queue filter), to resume there."""

    __tablename__ = "review_cursors"
    __table_args__ = (UniqueConstraint("reviewer", "queue", name="uq_review_cursors_queue"),)

    id: int | None = Field(default=None, primary_key=True)
    reviewer: str = Field(max_length=128)
    queue: str = Field(max_length=512)
    entry_id: int = Field(foreign_key="entries.id", ondelete="CASCADE")
    updated_at: datetime


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


class Cluster(SQLModel, table=True):
    """An operator cluster: entries linked by appearing in the same posts (see ``clustering``).

    ``size``: its members (0 once merged away); ``merged_into``: the cluster that took its
    members, so that an id once shown keeps leading somewhere.
    """

    __tablename__ = "clusters"

    id: int | None = Field(default=None, primary_key=True)
    size: int = 0
    created_at: datetime
    updated_at: datetime
    merged_into: int | None = Field(default=None, index=True)


class ClusterMember(SQLModel, table=True):
    """The cluster an entry belongs to (an entry linked to nothing has no row)."""

    __tablename__ = "cluster_members"

    entry_id: int = Field(primary_key=True, foreign_key="entries.id", ondelete="CASCADE")
    cluster_id: int = Field(foreign_key="clusters.id", index=True)


class Hub(SQLModel, table=True):
    """An entry too common to link anything: posted with other values by many authors."""

    __tablename__ = "hubs"

    entry_id: int = Field(primary_key=True, foreign_key="entries.id", ondelete="CASCADE")
    authors: int
    since: datetime


class HubCheck(SQLModel, table=True):
    """How many authors an entry had when last counted, at how many sightings (see ``clustering``).

    Each new sighting adds one author at most, so an entry is counted again only once its
    sightings have grown enough to take it past the hub threshold.
    """

    __tablename__ = "hub_checks"

    entry_id: int = Field(primary_key=True, foreign_key="entries.id", ondelete="CASCADE")
    authors: int
    sightings: int


class ClusterBacklog(SQLModel, table=True):
    """A post whose sightings are not linked into clusters yet (stored before clusters were)."""

    __tablename__ = "cluster_backlog"

    post_id: int = Field(primary_key=True, foreign_key="posts.id", ondelete="CASCADE")


class Allowed(SQLModel, table=True):
    """An allowlisted (kind, canonical value): never queued, exported, fed or synced."""

    __tablename__ = "allowlist"
    __table_args__ = (UniqueConstraint("kind", "value", name="uq_allowlist_kind_value"),)

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=32)
    value: str = Field(max_length=512)
    note: str | None = Field(default=None, sa_column=Column(Text))
    added_by: str = Field(max_length=128)
    added_at: datetime


class AllowlistEvent(SQLModel, table=True):
    """Append-only log of allowlist additions (``add``) and removals (``remove``)."""

    __tablename__ = "allowlist_events"
    __table_args__ = (Index("ix_allowlist_events_kind_value", "kind", "value"),)

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=32)
    value: str = Field(max_length=512)
    op: str = Field(max_length=16)
    by: str = Field(max_length=128)
    at: datetime
    note: str | None = Field(default=None, sa_column=Column(Text))


class RereviewFlag(SQLModel, table=True):
    """A dismissed entry seen again, offered or reported in a post with a high OTC score.

    It stands while ``flagged_at`` is later than the entry's ``reviewed_at``: the next review
    of the entry clears it. ``post_id``: the latest post that raised it.
    """

    __tablename__ = "rereview_flags"

    entry_id: int = Field(primary_key=True, foreign_key="entries.id", ondelete="CASCADE")
    post_id: int = Field(foreign_key="posts.id", ondelete="CASCADE")
    role: str = Field(max_length=16)
    otc_score: float
    flagged_at: datetime


class ApiToken(SQLModel, table=True):
    """A bearer token of the API feed: only its SHA-256 is kept (the token is shown once).

    ``statuses`` / ``kinds``: comma-separated scopes (empty: all); ``revoked_at``: set by
    ``token revoke`` (the row stays, for the audit).
    """

    __tablename__ = "api_tokens"
    __table_args__ = (UniqueConstraint("name", name="uq_api_tokens_name"),)

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=128)
    digest: str = Field(max_length=64, index=True)
    statuses: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    kinds: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    created_at: datetime
    revoked_at: datetime | None = None
    last_used_at: datetime | None = None


class SyncTarget(SQLModel, table=True):
    """Where the sync stands with one target of ``watchlist.toml`` (see ``sync_state``).

    ``cursor``: the last seq the target acknowledged (a 2xx); ``disabled_at``: the target
    answered 410 Gone, and is skipped until re-enabled.
    """

    __tablename__ = "sync_targets"
    __table_args__ = (UniqueConstraint("name", name="uq_sync_targets_name"),)

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=128)
    cursor: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    last_success_at: datetime | None = None
    last_error: str | None = Field(default=None, sa_column=Column(Text))
    last_error_at: datetime | None = None
    disabled_at: datetime | None = None
    disabled_reason: str | None = Field(default=None, sa_column=Column(Text))
    batches_sent: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    changes_sent: int = Field(default=0, sa_column_kwargs={"server_default": "0"})


class SyncBatch(SQLModel, table=True):
    """A target's pending batch: built once and stored before it is sent, so that every retry
    (also after a crash) sends the same id and body. Deleted when the target acknowledges it."""

    __tablename__ = "sync_batches"
    __table_args__ = (UniqueConstraint("target_id", name="uq_sync_batches_target"),)

    id: str = Field(primary_key=True, max_length=64)
    target_id: int = Field(foreign_key="sync_targets.id", ondelete="CASCADE")
    from_seq: int
    to_seq: int
    changes: int
    body: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    entries: str = Field(sa_column=Column(Text, nullable=False))  # JSON: [[kind, sent, id]…]
    created_at: datetime
    attempts: int = Field(default=0, sa_column_kwargs={"server_default": "0"})


class EnforcementResult(SQLModel, table=True):
    """What a target said it did with an entry, the latest reply (accepted, restricted,
    rejected with a reason, known)."""

    __tablename__ = "enforcement_results"
    __table_args__ = (
        UniqueConstraint("entry_id", "target", name="uq_enforcement_results_entry_target"),
        Index("ix_enforcement_results_target_result", "target", "result"),
    )

    id: int | None = Field(default=None, primary_key=True)
    entry_id: int = Field(foreign_key="entries.id", ondelete="CASCADE")
    target: str = Field(max_length=128)
    result: str = Field(max_length=16)
    reason: str | None = Field(default=None, sa_column=Column(Text))
    batch_id: str = Field(max_length=64)
    at: datetime
