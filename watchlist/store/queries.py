"""Named read queries: the CLI, API and exports call these and build no SQL of their own."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import col, select

from watchlist.errors import NotFound
from watchlist.store.allowlist import not_allowed
from watchlist.store.clusters import in_cluster
from watchlist.store.engine import Store
from watchlist.store.entry_sql import snippet_highlight
from watchlist.store.records import Summary
from watchlist.store.rereview import needs_rereview
from watchlist.store.tables import Entry, Post, Sighting


@dataclass(frozen=True, slots=True)
class EntryFilter:
    """Which entries to list; every field is optional."""

    status: str | None = None
    kind: str | None = None
    site: str | None = None
    limit: int | None = None
    cluster: int | None = None  # members of this operator cluster (merged ids resolve)
    rereview: bool = False  # only dismissed entries flagged for re-review
    allowed: bool = False  # include allowlisted values (left out of every list by default)


@dataclass(frozen=True, slots=True)
class Evidence:
    """One sighting of an entry with the post it was seen in."""

    sighting: Sighting
    post: Post

    @property
    def highlight(self) -> tuple[int, int]:
        """Where in the sighting's snippet the handle stands."""
        return snippet_highlight(self.sighting.span_start, self.sighting.span_end)


@dataclass(frozen=True, slots=True)
class EntryDetail:
    """An entry with all its evidence, newest post first."""

    entry: Entry
    evidence: list[Evidence]


def list_entries(store: Store, where: EntryFilter = EntryFilter()) -> list[Entry]:
    """Entries matching ``where``, highest score first, then most sightings, then id.

    Allowlisted values are left out unless ``where.allowed``; an unknown ``where.cluster`` is
    :class:`NotFound`.
    """
    query = select(Entry)
    if not where.allowed:
        query = query.where(not_allowed())
    if where.rereview:
        query = query.where(needs_rereview())
    if where.status:
        query = query.where(Entry.status == where.status)
    if where.kind:
        query = query.where(Entry.kind == where.kind)
    if where.site:
        seen_on_site = (
            select(Sighting.entry_id)
            .join(Post, col(Post.id) == Sighting.post_id)
            .where(Post.site == where.site)
        )
        query = query.where(col(Entry.id).in_(seen_on_site))
    query = query.order_by(
        col(Entry.score).desc(), col(Entry.sightings).desc(), col(Entry.id)
    ).limit(where.limit)
    with store.read() as session:
        if where.cluster is not None:
            query = query.where(in_cluster(session, where.cluster))
        return list(session.exec(query))


def get_entry(store: Store, entry_id: int) -> EntryDetail:
    """One entry with its sightings and posts; :class:`NotFound` when there is none."""
    with store.read() as session:
        entry = session.get(Entry, entry_id)
        if entry is None:
            raise NotFound(f"no entry with id {entry_id}")
        rows = session.exec(
            select(Sighting, Post)
            .join(Post, col(Post.id) == Sighting.post_id)
            .where(Sighting.entry_id == entry_id)
            .order_by(col(Post.fetched_at).desc(), col(Sighting.id))
        )
        return EntryDetail(entry, [Evidence(s, p) for s, p in rows])


def evidence_urls(store: Store, entry_ids: list[int], per_entry: int = 1) -> dict[int, list[str]]:
    """Up to ``per_entry`` evidence URLs for each entry id (first seen first)."""
    urls: dict[int, list[str]] = {i: [] for i in entry_ids}
    if not entry_ids:
        return urls
    with store.read() as session:
        rows = session.exec(
            select(Sighting.entry_id, Post.url)
            .join(Post, col(Post.id) == Sighting.post_id)
            .where(col(Sighting.entry_id).in_(entry_ids))
            .order_by(col(Sighting.id))
        )
        for entry_id, url in rows:
            if len(urls[entry_id]) < per_entry:
                urls[entry_id].append(url)
    return urls


def summary(store: Store) -> Summary:
    """Counts of posts, entries (by kind and status) and sightings."""
    with store.read() as session:
        posts = session.exec(select(func.count()).select_from(Post)).one()
        sightings = session.exec(select(func.count()).select_from(Sighting)).one()
        by_kind = dict(session.exec(select(Entry.kind, func.count()).group_by(Entry.kind)).all())
        by_status = dict(
            session.exec(select(Entry.status, func.count()).group_by(Entry.status)).all()
        )
    return Summary(
        posts=posts,
        entries=sum(by_kind.values()),
        sightings=sightings,
        entries_by_kind=dict(sorted(by_kind.items())),
        entries_by_status=by_status,
    )


def post_sites(store: Store, site: str | None = None) -> list[str]:
    """The sites that have posts in the store, sorted; with ``site``, just it if it has any."""
    with store.read() as session:
        if site is not None:
            found = session.exec(select(Post.site).where(Post.site == site).limit(1)).first()
            return [found] if found is not None else []
        return sorted(session.exec(select(Post.site).distinct()).all())
