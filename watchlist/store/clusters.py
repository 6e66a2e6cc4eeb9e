"""Operator clusters, read: which cluster an entry is in, a cluster's members, the listing.

How clusters are made and kept up to date is in ``clustering``. An id once shown keeps working:
a cluster merged into another resolves to the one that took its members.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import ColumnElement, func
from sqlmodel import Session, col, select

from watchlist.errors import NotFound
from watchlist.store import clustering
from watchlist.store.clustering import chunks
from watchlist.store.engine import Store
from watchlist.store.tables import Cluster, ClusterBacklog, ClusterMember, Entry, Hub

TOP_VALUES = 3


@dataclass(frozen=True, slots=True)
class ClusterSummary:
    """One cluster for the listing: its size, kinds, sites, review state and best values."""

    id: int
    size: int
    kinds: dict[str, int]
    sites: list[str]
    statuses: dict[str, int]
    score: float  # its best member's
    last_seen: datetime
    top: list[Entry] = field(default_factory=list)  # the best-scoring members

    @property
    def confirmed(self) -> int:
        """How many members are confirmed."""
        return self.statuses.get("confirmed", 0)


@dataclass(frozen=True, slots=True)
class ClusterFilter:
    """Which clusters to list; every field is optional."""

    site: str | None = None  # a member was seen on this site
    min_size: int = 2
    limit: int | None = None


def resolve(session: Session, cluster_id: int) -> int:
    """The live cluster that ``cluster_id`` is or was merged into; :class:`NotFound` if none."""
    seen: set[int] = set()
    current = cluster_id
    while current not in seen:
        seen.add(current)
        cluster = session.get(Cluster, current)
        if cluster is None:
            break
        if cluster.merged_into is None:
            return current
        current = cluster.merged_into
    raise NotFound(f"no cluster with id {cluster_id}")


def entry_cluster(store: Store, entry_id: int) -> int | None:
    """The cluster of entry ``entry_id``, or None when it is linked to nothing."""
    with store.read() as session:
        member = session.get(ClusterMember, entry_id)
        return member.cluster_id if member is not None else None


def entry_clusters(store: Store, entry_ids: list[int]) -> dict[int, int]:
    """``{entry id: cluster id}`` for those of ``entry_ids`` that are in a cluster."""
    found: dict[int, int] = {}
    with store.read() as session:
        for chunk in chunks(sorted(set(entry_ids))):
            query = select(ClusterMember.entry_id, ClusterMember.cluster_id).where(
                col(ClusterMember.entry_id).in_(chunk)
            )
            found.update((e, c) for e, c in session.exec(query))
    return found


def cluster_entries(store: Store, cluster_id: int) -> list[Entry]:
    """The members of cluster ``cluster_id`` (or of the one it was merged into), best first."""
    with store.read() as session:
        live = resolve(session, cluster_id)
        query = (
            select(Entry)
            .join(ClusterMember, col(ClusterMember.entry_id) == col(Entry.id))
            .where(col(ClusterMember.cluster_id) == live)
            .order_by(col(Entry.score).desc(), col(Entry.sightings).desc(), col(Entry.id))
        )
        return list(session.exec(query))


def in_cluster(session: Session, cluster_id: int) -> ColumnElement[bool]:
    """SQL condition on ``entries``: a member of cluster ``cluster_id`` (resolved)."""
    live = resolve(session, cluster_id)
    members = select(ClusterMember.entry_id).where(col(ClusterMember.cluster_id) == live)
    return col(Entry.id).in_(members)


def list_clusters(store: Store, where: ClusterFilter = ClusterFilter()) -> list[ClusterSummary]:
    """Clusters of at least ``min_size`` members, largest first, then by best score."""
    with store.read() as session:
        query = select(Cluster.id).where(col(Cluster.size) >= max(2, where.min_size))
        ids = [i for i in session.exec(query) if i is not None]
        members: dict[int, list[Entry]] = {}
        for chunk in chunks(sorted(ids)):
            rows = session.exec(
                select(ClusterMember.cluster_id, Entry)
                .join(Entry, col(Entry.id) == col(ClusterMember.entry_id))
                .where(col(ClusterMember.cluster_id).in_(chunk))
            )
            for cluster_id, entry in rows:
                members.setdefault(cluster_id, []).append(entry)
    summaries = [_summary(i, found) for i, found in members.items()]
    if where.site:
        summaries = [s for s in summaries if where.site in s.sites]
    summaries.sort(key=lambda s: (-s.size, -s.score, s.id))
    return summaries[: where.limit] if where.limit is not None else summaries


def _summary(cluster_id: int, members: list[Entry]) -> ClusterSummary:
    best = sorted(members, key=lambda e: (-e.score, -e.sightings, e.id or 0))
    sites = sorted({site for e in members for site in e.sites.split(",") if site})
    return ClusterSummary(
        id=cluster_id,
        size=len(members),
        kinds=dict(sorted(Counter(e.kind for e in members).items())),
        sites=sites,
        statuses=dict(Counter(e.status for e in members)),
        score=best[0].score,
        last_seen=max(e.last_seen for e in members),
        top=best[:TOP_VALUES],
    )


def list_hubs(store: Store) -> list[tuple[Entry, int]]:
    """The values found too common to link anything, with how many authors posted them."""
    with store.read() as session:
        rows = session.exec(
            select(Entry, Hub.authors)
            .join(Hub, col(Hub.entry_id) == col(Entry.id))
            .order_by(col(Hub.authors).desc(), col(Entry.id))
        )
        return [(entry, authors) for entry, authors in rows]


def backlog_size(store: Store) -> int:
    """How many posts stored before clusters existed are not linked yet."""
    with store.read() as session:
        return session.exec(select(func.count()).select_from(ClusterBacklog)).one()


def rebuild_clusters(store: Store) -> int:
    """Forget every cluster and hub and link every stored post again; the clusters made."""
    with store.write() as session:
        clustering.rebuild(session, datetime.now(UTC))
        query = select(func.count()).select_from(Cluster).where(col(Cluster.size) >= 2)
        return session.exec(query).one()
