"""The watchlist as exports and the API feed hand it over: one :class:`ExportRow` per entry.

Rows are streamed from one read transaction (a server-side cursor on PostgreSQL, SQLite's own
cursor), a partition at a time, so memory does not grow with the table. What an entry shows
comes from columns that ingest keeps on ``entries`` (role mix, the posts' times, the provider,
the best sighting: see ``upserts``), so the main query joins one sighting per entry, never all
of them; more evidence per entry (``evidence`` > 1) is one extra query per partition.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import Select, Table, func
from sqlalchemy import select as sa_select
from sqlmodel import Session, SQLModel

from watchlist.store.allowlist import not_allowed
from watchlist.store.clusters import in_cluster
from watchlist.store.engine import Store
from watchlist.store.queries import EntryFilter
from watchlist.store.rereview import needs_rereview
from watchlist.store.tables import ClusterMember, Entry, Post, Sighting, role_rank

ENTRIES: Table = SQLModel.metadata.tables[Entry.__tablename__]
SIGHTINGS: Table = SQLModel.metadata.tables[Sighting.__tablename__]
POSTS: Table = SQLModel.metadata.tables[Post.__tablename__]
MEMBERS: Table = SQLModel.metadata.tables[ClusterMember.__tablename__]
PARTITION = 2000
Order = Literal["score", "id"]


@dataclass(frozen=True, slots=True)
class EvidenceRow:
    """One sighting as evidence: the post's URL, site and time, the role, the snippet."""

    url: str
    site: str
    posted_at: datetime | None
    role: str
    snippet: str
    source: str  # "text", or the URL of the image the handle was decoded from


@dataclass(frozen=True, slots=True)
class ExportRow:
    """One entry as it is handed over, with its best evidence first."""

    id: int
    kind: str
    value: str
    provider: str | None
    status: str
    score: float
    offered: int
    reported: int
    mentioned: int
    first_seen: datetime
    last_seen: datetime
    first_posted: datetime | None
    last_posted: datetime | None
    sightings: int
    sites: tuple[str, ...]
    cluster: int | None
    note: str | None
    reviewed_by: str | None
    reviewed_at: datetime | None
    reason: str | None
    evidence: tuple[EvidenceRow, ...]


_BEST = SIGHTINGS.alias("best")
_BEST_POST = POSTS.alias("best_post")
_COLUMNS = (
    ENTRIES.c.id,
    ENTRIES.c.kind,
    ENTRIES.c.value,
    ENTRIES.c.provider,
    ENTRIES.c.status,
    ENTRIES.c.score,
    ENTRIES.c.offered,
    ENTRIES.c.reported,
    ENTRIES.c.mentioned,
    ENTRIES.c.first_seen,
    ENTRIES.c.last_seen,
    ENTRIES.c.first_posted,
    ENTRIES.c.last_posted,
    ENTRIES.c.sightings,
    ENTRIES.c.sites,
    MEMBERS.c.cluster_id,
    ENTRIES.c.note,
    ENTRIES.c.reviewed_by,
    ENTRIES.c.reviewed_at,
    ENTRIES.c.reason,
    _BEST_POST.c.url,
    _BEST_POST.c.site,
    _BEST_POST.c.posted_at,
    _BEST.c.role,
    _BEST.c.snippet,
    _BEST.c.source,
)


def entries_query(session: Session, where: EntryFilter, order: Order = "score") -> Select[Any]:
    """The entries matching ``where`` with their best sighting, in ``order``.

    ``score``: highest score first, then most sightings, then id (what a person reads);
    ``id``: ascending id, the stable order of keyset pagination (new entries come last).
    """
    query = (
        sa_select(*_COLUMNS)
        .select_from(ENTRIES)
        .outerjoin(MEMBERS, MEMBERS.c.entry_id == ENTRIES.c.id)
        .outerjoin(_BEST, _BEST.c.id == ENTRIES.c.best_sighting_id)
        .outerjoin(_BEST_POST, _BEST_POST.c.id == _BEST.c.post_id)
    )
    if not where.allowed:
        query = query.where(not_allowed())
    if where.rereview:
        query = query.where(needs_rereview())
    if where.status:
        query = query.where(ENTRIES.c.status == where.status)
    if where.kind:
        query = query.where(ENTRIES.c.kind == where.kind)
    if where.site:
        seen_on_site = (
            sa_select(SIGHTINGS.c.entry_id)
            .join(POSTS, POSTS.c.id == SIGHTINGS.c.post_id)
            .where(POSTS.c.site == where.site)
        )
        query = query.where(ENTRIES.c.id.in_(seen_on_site))
    if where.cluster is not None:
        query = query.where(in_cluster(session, where.cluster))
    if order == "id":
        query = query.order_by(ENTRIES.c.id)
    else:
        query = query.order_by(ENTRIES.c.score.desc(), ENTRIES.c.sightings.desc(), ENTRIES.c.id)
    return query.limit(where.limit)


def iter_export_rows(
    store: Store,
    where: EntryFilter | None = None,
    *,
    evidence: int = 1,
    order: Order = "score",
    after_id: int | None = None,
) -> Iterator[ExportRow]:
    """Stream the entries matching ``where`` as :class:`ExportRow`, with up to ``evidence``
    sightings each (the best first; 0: none).

    ``after_id`` (with ``order="id"``): only entries with a larger id, for keyset pagination.
    The rows come from one read transaction: a consistent snapshot however long it takes.
    """
    with store.read() as session:
        query = entries_query(session, where or EntryFilter(), order)
        if after_id is not None:
            query = query.where(ENTRIES.c.id > after_id)
        result = session.execute(query.execution_options(yield_per=PARTITION))
        for partition in result.partitions():
            more = _more_evidence(session, [r[0] for r in partition], evidence)
            for row in partition:
                yield _row(row, evidence, more.get(row[0]))


def _row(row: Sequence[Any], evidence: int, more: list[EvidenceRow] | None) -> ExportRow:
    (id_, kind, value, provider, status, score, offered, reported, mentioned) = row[:9]
    (first_seen, last_seen, first_posted, last_posted, sightings, sites, cluster) = row[9:16]
    (note, reviewed_by, reviewed_at, reason, url, site, posted_at, role, snippet, source) = row[16:]
    if more is not None:
        found = tuple(more)
    elif evidence > 0 and url is not None:
        found = (EvidenceRow(url, site, posted_at, role, snippet, source),)
    else:
        found = ()
    return ExportRow(
        id_,
        kind,
        value,
        provider,
        status,
        score,
        offered,
        reported,
        mentioned,
        first_seen,
        last_seen,
        first_posted,
        last_posted,
        sightings,
        tuple(sites.split(",")) if sites else (),
        cluster,
        note,
        reviewed_by,
        reviewed_at,
        reason,
        found,
    )


def _more_evidence(
    session: Session, entry_ids: list[int], evidence: int
) -> dict[int, list[EvidenceRow]]:
    """Up to ``evidence`` sightings of each entry, best first (only when more than one)."""
    if evidence <= 1 or not entry_ids:
        return {}
    place = func.row_number().over(
        partition_by=SIGHTINGS.c.entry_id,
        order_by=(
            role_rank(SIGHTINGS.c.role).desc(),
            POSTS.c.otc_score.desc(),
            POSTS.c.fetched_at.desc(),
            SIGHTINGS.c.id,
        ),
    )
    ranked = (
        sa_select(
            SIGHTINGS.c.entry_id,
            POSTS.c.url,
            POSTS.c.site,
            POSTS.c.posted_at,
            SIGHTINGS.c.role,
            SIGHTINGS.c.snippet,
            SIGHTINGS.c.source,
            place.label("place"),
        )
        .join(POSTS, POSTS.c.id == SIGHTINGS.c.post_id)
        .where(SIGHTINGS.c.entry_id.in_(entry_ids))
        .subquery()
    )
    query = (
        sa_select(*(c for c in ranked.c if c.name != "place"))
        .where(ranked.c.place <= evidence)
        .order_by(ranked.c.entry_id, ranked.c.place)
    )
    found: dict[int, list[EvidenceRow]] = {i: [] for i in entry_ids}
    for entry_id, *fields in session.execute(query):
        found[entry_id].append(EvidenceRow(*fields))
    return found
