"""What the review queue shows of one entry: its facts, role mix, best evidence, neighbours.

``entry_view`` reads it in one read transaction with statements built once (bound by entry id):
this is the read behind every keypress of the queue. The *neighbours* are the other entries seen
in the same posts (the entry's latest :data:`OTHERS_FROM_POSTS`), with their review state, so
the reviewer judges the seller and not one string.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import BindParameter, Integer, Table, bindparam, func
from sqlalchemy import select as sa_select
from sqlmodel import SQLModel, col, select

from watchlist.errors import NotFound
from watchlist.store.clusters import cluster_entries, entry_cluster
from watchlist.store.engine import Store
from watchlist.store.queries import Evidence
from watchlist.store.rereview import needs_rereview
from watchlist.store.sync_state import Enforcement, enforcement_for
from watchlist.store.tables import Entry, Post, Sighting, role_rank

SIGHTINGS: Table = SQLModel.metadata.tables[Sighting.__tablename__]
ENTRIES: Table = SQLModel.metadata.tables[Entry.__tablename__]
BEST_EVIDENCE = 3
OTHERS_SHOWN = 12
OTHERS_FROM_POSTS = 200  # other handles are read from the entry's latest posts only


def by_count(names: Iterable[str]) -> dict[str, int]:
    """How many of each name, most first, then alphabetically."""
    return dict(sorted(Counter(names).items(), key=lambda item: (-item[1], item[0])))


@dataclass(frozen=True, slots=True)
class Neighbour:
    """Another entry seen in the same posts, with its review state."""

    id: int
    kind: str
    value: str
    status: str
    awaiting: bool
    shared_posts: int


@dataclass(frozen=True, slots=True)
class ClusterInfo:
    """The operator cluster of an entry: its size and review state."""

    id: int
    size: int
    statuses: dict[str, int]
    kinds: dict[str, int]


@dataclass(frozen=True, slots=True)
class EntryView:
    """What the queue shows of one entry."""

    entry: Entry
    roles: dict[str, int]  # sightings per role
    evidence: list[Evidence]  # the best first: offered before reported before mentioned, …
    evidence_total: int
    providers: list[str] = field(default_factory=list)  # what the sightings' contexts named
    others: list[Neighbour] = field(default_factory=list)
    others_total: int = 0
    cluster: ClusterInfo | None = None
    rereview: bool = False
    enforcement: list[Enforcement] = field(default_factory=list)  # what sync targets said

    @property
    def awaiting(self) -> bool:
        """Four-eyes: confirmed once, awaiting a second reviewer."""
        return self.entry.first_confirmed_by is not None and self.entry.status != "confirmed"


_ENTRY_ID: BindParameter[int] = bindparam("entry_id", type_=Integer)
_ROLES = (
    select(Sighting.role, Sighting.provider, func.count())
    .where(Sighting.entry_id == _ENTRY_ID)
    .group_by(col(Sighting.role), col(Sighting.provider))
)
_BEST = (
    select(Sighting, Post)
    .join(Post, col(Post.id) == Sighting.post_id)
    .where(Sighting.entry_id == _ENTRY_ID)
    .order_by(
        role_rank(col(Sighting.role)).desc(),
        col(Post.otc_score).desc(),
        col(Post.fetched_at).desc(),
        col(Sighting.id),
    )
)
_OTHER = SIGHTINGS.alias("other")
_SHARED = func.count().label("shared")
_NEIGHBOURS = (
    sa_select(
        ENTRIES.c.id,
        ENTRIES.c.kind,
        ENTRIES.c.value,
        ENTRIES.c.status,
        ENTRIES.c.first_confirmed_by,
        _SHARED,
    )
    .join(_OTHER, _OTHER.c.entry_id == ENTRIES.c.id)
    .where(
        _OTHER.c.post_id.in_(
            sa_select(SIGHTINGS.c.post_id)
            .where(SIGHTINGS.c.entry_id == _ENTRY_ID)
            .order_by(SIGHTINGS.c.id.desc())
            .limit(OTHERS_FROM_POSTS)
        ),
        ENTRIES.c.id != _ENTRY_ID,
    )
    .group_by(ENTRIES.c.id)
    .order_by(_SHARED.desc(), ENTRIES.c.score.desc(), ENTRIES.c.id)
)
_FLAGGED = (
    select(func.count()).select_from(Entry).where(col(Entry.id) == _ENTRY_ID, needs_rereview())
)


def entry_view(store: Store, entry_id: int, evidence: int | None = BEST_EVIDENCE) -> EntryView:
    """One entry with its role mix, best ``evidence`` (None: all), neighbours and cluster."""
    params = {"entry_id": entry_id}
    with store.read() as session:
        entry = session.get(Entry, entry_id)
        if entry is None:
            raise NotFound(f"no entry with id {entry_id}")
        roles: Counter[str] = Counter()
        providers: set[str] = set()
        for role, provider, count in session.execute(_ROLES, params):
            roles[role] += count
            if provider:
                providers.add(provider)
        best_query = _BEST if evidence is None else _BEST.limit(evidence)
        best = [Evidence(s, p) for s, p in session.execute(best_query, params)]
        rows = session.execute(_NEIGHBOURS, params).all()
        others = [
            Neighbour(i, kind, value, status, first is not None and status != "confirmed", n)
            for i, kind, value, status, first, n in rows[:OTHERS_SHOWN]
        ]
        flagged = bool(session.execute(_FLAGGED, params).scalar_one())
    return EntryView(
        entry=entry,
        roles=dict(roles),
        evidence=best,
        evidence_total=sum(roles.values()),
        providers=sorted(providers),
        others=others,
        others_total=len(rows),
        cluster=_cluster(store, entry_id),
        rereview=flagged,
        enforcement=enforcement_for(store, [entry_id]).get(entry_id, []),
    )


def _cluster(store: Store, entry_id: int) -> ClusterInfo | None:
    cluster_id = entry_cluster(store, entry_id)
    if cluster_id is None:
        return None
    members = cluster_entries(store, cluster_id)
    return ClusterInfo(
        id=cluster_id,
        size=len(members),
        statuses=dict(Counter(m.status for m in members)),
        kinds=by_count(m.kind for m in members),
    )
