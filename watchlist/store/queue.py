"""The review queue's reads: its order, where a reviewer left it, what a batch would decide.

**Order** (docs/review.md): entries are taken by score band — tenths, 0.9–1.0 first — and within
a band by role (an entry with an *offered* sighting before one only *reported*, before one only
*mentioned*), then by how many sites show it, how many sightings it has, how recently it was
seen, its exact score, and its id. Bands are read one at a time, best first, each through the
``(status, score)`` index, so the queue opens without sorting the whole table.

**Which entries**: ``new`` ones (or, with ``rereview``, dismissed ones flagged for re-review),
never an allowlisted value, never one the reviewer has already confirmed once in four-eyes mode
(it awaits someone else); narrowed by kind, site, minimum score and operator cluster.

**Resume**: each reviewer has a cursor per filter (``review_cursors``); opening the same queue
again starts at the entry it names or, when that one has left the queue, where it stood.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    and_,
    case,
    func,
    literal,
    or_,
    tuple_,
)
from sqlmodel import Session, col, select

from watchlist.errors import NotFound
from watchlist.store.allowlist import allowed_keys
from watchlist.store.clusters import in_cluster
from watchlist.store.engine import Store, upsert_into
from watchlist.store.entry_view import by_count
from watchlist.store.rereview import needs_rereview
from watchlist.store.tables import Entry, ReviewCursor, role_rank

CHUNK = 500
BANDS = 10  # score bands: [0.9, 1.0], [0.8, 0.9), ..., [0, 0.1)


@dataclass(frozen=True, slots=True)
class QueueFilter:
    """Which entries the queue holds; every field is optional."""

    kinds: tuple[str, ...] = ()
    site: str | None = None
    min_score: float | None = None
    cluster: int | None = None
    rereview: bool = False  # dismissed entries flagged for re-review, instead of new ones

    def key(self) -> str:
        """A stable name of this filter: one resume cursor per reviewer and key."""
        parts = [f"kind={','.join(sorted(self.kinds))}"] if self.kinds else []
        if self.site:
            parts.append(f"site={self.site}")
        if self.min_score is not None:
            parts.append(f"min={self.min_score:g}")
        if self.cluster is not None:
            parts.append(f"cluster={self.cluster}")
        if self.rereview:
            parts.append("rereview")
        return ";".join(parts) or "all"


def _sites_count() -> ColumnElement[int]:
    """SQL: how many sites ``entries.sites`` (comma-separated) names."""
    sites = col(Entry.sites)
    commas = func.length(sites) - func.length(func.replace(sites, ",", ""))
    return case((sites == "", 0), else_=commas + 1)


def _order() -> list[Any]:
    return [
        role_rank(col(Entry.best_role)).desc(),
        _sites_count().desc(),
        col(Entry.sightings).desc(),
        col(Entry.last_seen).desc(),
        col(Entry.score).desc(),
        col(Entry.id).asc(),
    ]


def band_of(score: float) -> int:
    """The queue band of a score: 9 for [0.9, 1.0], 0 for below 0.1."""
    return max(0, min(BANDS - 1, int(score * BANDS + 1e-9)))


def _band(band: int) -> ColumnElement[bool]:
    score = col(Entry.score)
    low = score >= band / BANDS if band > 0 else literal(True)
    high = score < (band + 1) / BANDS if band < BANDS - 1 else literal(True)
    return and_(low, high)


def _conditions(session: Session, where: QueueFilter) -> list[ColumnElement[bool]]:
    """SQL for the filter's own conditions (exclusions are :func:`_excluded`'s)."""
    found: list[ColumnElement[bool]] = [
        needs_rereview() if where.rereview else col(Entry.status) == "new",
    ]
    if where.kinds:
        found.append(col(Entry.kind).in_(where.kinds))
    if where.site:
        listed = literal(",") + col(Entry.sites) + literal(",")
        found.append(listed.contains(f",{where.site},", autoescape=True))
    if where.min_score is not None:
        found.append(col(Entry.score) >= where.min_score)
    if where.cluster is not None:
        found.append(in_cluster(session, where.cluster))
    return found


def _excluded(session: Session, reviewer: str) -> set[int]:
    """Entries no queue shows ``reviewer``: allowlisted values, and those they confirmed once.

    Read from the small side (the allowlist; the four-eyes index), so that the queue's counts
    stay index-only however large the table is.
    """
    excluded = set(
        session.exec(select(col(Entry.id)).where(Entry.first_confirmed_by == reviewer)).all()
    )
    keys = sorted(allowed_keys(session))
    pair = tuple_(col(Entry.kind), col(Entry.value))
    for i in range(0, len(keys), CHUNK):
        query = select(col(Entry.id)).where(pair.in_(keys[i : i + CHUNK]))
        excluded.update(session.exec(query).all())
    return {i for i in excluded if i is not None}


def band_counts(store: Store, where: QueueFilter, reviewer: str) -> dict[int, int]:
    """How many entries of the queue each non-empty band holds, best band first."""
    counts: dict[int, int] = {}
    with store.read() as session:
        conditions = _conditions(session, where)
        for band in range(BANDS - 1, -1, -1):
            query = select(func.count()).select_from(Entry).where(*conditions, _band(band))
            counts[band] = int(session.exec(query).one())
        excluded = sorted(_excluded(session, reviewer))
        for i in range(0, len(excluded), CHUNK):
            scores = select(col(Entry.score)).where(
                *conditions, col(Entry.id).in_(excluded[i : i + CHUNK])
            )
            for score in session.exec(scores):
                counts[band_of(score)] -= 1
    return {band: count for band, count in counts.items() if count > 0}


def band_ids(store: Store, where: QueueFilter, reviewer: str, band: int) -> list[int]:
    """The ids of the queue's entries in ``band``, in queue order."""
    with store.read() as session:
        query = select(col(Entry.id)).where(*_conditions(session, where), _band(band))
        excluded = _excluded(session, reviewer)
        ids = session.exec(query.order_by(*_order())).all()
    return [i for i in ids if i is not None and i not in excluded]


def position(store: Store, where: QueueFilter, reviewer: str, entry_id: int) -> tuple[int, int]:
    """Where ``entry_id`` stands, or would stand, in the queue: (band, entries before it there)."""
    with store.read() as session:
        entry = session.get(Entry, entry_id)
        if entry is None:
            raise NotFound(f"no entry with id {entry_id}")
        band = band_of(entry.score)
        conditions = and_(*_conditions(session, where))
        query = (
            select(col(Entry.id))
            .where(_band(band), or_(conditions, col(Entry.id) == entry_id))
            .order_by(*_order())
        )
        excluded = _excluded(session, reviewer) - {entry_id}
        ids = [i for i in session.exec(query) if i is not None and i not in excluded]
    return band, ids.index(entry_id)


def saved_cursor(store: Store, reviewer: str, where: QueueFilter) -> int | None:
    """The entry where ``reviewer`` left this queue, if they have opened it before."""
    with store.read() as session:
        query = select(ReviewCursor.entry_id).where(
            ReviewCursor.reviewer == reviewer, ReviewCursor.queue == where.key()
        )
        return session.exec(query).first()


def save_cursor(store: Store, reviewer: str, where: QueueFilter, entry_id: int) -> None:
    """Remember that ``reviewer`` is at ``entry_id`` in this queue."""
    table = ReviewCursor.__table__  # type: ignore[attr-defined]
    row = {
        "reviewer": reviewer,
        "queue": where.key(),
        "entry_id": entry_id,
        "updated_at": datetime.now(UTC),
    }
    with store.write() as session:
        insert = upsert_into(session, table)
        session.execute(
            insert.on_conflict_do_update(
                index_elements=["reviewer", "queue"],
                set_={
                    "entry_id": insert.excluded.entry_id,
                    "updated_at": insert.excluded.updated_at,
                },
            ),
            [row],
        )


@dataclass(frozen=True, slots=True)
class BatchPreview:
    """Every ``new`` entry of a site or a cluster (not allowlisted): what a batch would decide."""

    scope: str  # "site demo-discuz", "cluster 12"
    entry_ids: tuple[int, ...]
    kinds: dict[str, int]  # how many of each kind, most first

    @property
    def size(self) -> int:
        """How many entries the batch would decide."""
        return len(self.entry_ids)


def batch_preview(
    store: Store, reviewer: str, *, site: str | None = None, cluster: int | None = None
) -> BatchPreview:
    """The ``new`` entries a batch over ``site`` or ``cluster`` would decide, by kind."""
    if (site is None) == (cluster is None):
        raise ValueError("a batch is over one site or one cluster")
    where = QueueFilter(site=site, cluster=cluster)
    with store.read() as session:
        query = (
            select(col(Entry.id), col(Entry.kind))
            .where(*_conditions(session, where))
            .order_by(*_order())
        )
        excluded = _excluded(session, reviewer)
        rows = [(i, k) for i, k in session.exec(query) if i is not None and i not in excluded]
    scope = f"site {site}" if site is not None else f"cluster {cluster}"
    kinds = by_count(kind for _, kind in rows)
    return BatchPreview(scope, tuple(i for i, _ in rows), kinds)
