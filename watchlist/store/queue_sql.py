"""The review queue's order and filters, written once as SQL text, and the reads that use them.

**Order** (docs/review.md): entries are taken by score band — tenths, 0.9–1.0 first — and within
a band by role (an entry with an *offered* sighting before one only *reported*, before one only
*mentioned*), then by how many sites show it, how many sightings it has, how recently it was
seen, its exact score, and its id. Bands are read one at a time, best first, each through the
``(status, score)`` index, so the queue opens without sorting the whole table.

**Which entries**: ``new`` ones (or, with ``rereview``, dismissed ones flagged for re-review),
never an allowlisted value, never one the reviewer has already confirmed once in four-eyes mode
(it awaits someone else); narrowed by kind, site, minimum score and operator cluster.

Every function takes a :class:`~watchlist.store.plain_sql.Reader`: the same statements run
through ``sqlite3`` when ``watchlist review`` starts on a SQLite file, and through SQLAlchemy
otherwise (``store.queue``). This module imports nothing heavy.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from watchlist.errors import NotFound
from watchlist.store.plain_sql import Reader, Rows, in_list

CHUNK = 500
BANDS = 10  # score bands: [0.9, 1.0], [0.8, 0.9), ..., [0, 0.1)
# tables.ROLE_RANKS (a test checks they agree): the queue's "offered outranks reported …"
ROLE_RANKS = {"mentioned": 0, "reported": 1, "offered": 2}
# The reason codes of a dismissal (``store.review`` checks a decision's reason against them).
REASONS = ("not-otc", "victim-or-warning", "platform-own", "test-data", "other")


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


def role_rank(column: str) -> str:
    """SQL: the rank of a role column in :data:`ROLE_RANKS` (an unknown role ranks 0)."""
    ranked = " ".join(f"WHEN '{name}' THEN {rank}" for name, rank in ROLE_RANKS.items() if rank)
    return f"(CASE {column} {ranked} ELSE 0 END)"


SITES_COUNT = (
    "(CASE WHEN entries.sites = '' THEN 0 "
    "ELSE length(entries.sites) - length(replace(entries.sites, ',', '')) + 1 END)"
)
ORDER = (
    f"{role_rank('entries.best_role')} DESC, {SITES_COUNT} DESC, entries.sightings DESC, "
    "entries.last_seen DESC, entries.score DESC, entries.id ASC"
)
# dismissed, with a re-review flag newer than the entry's last review (``store.rereview``)
NEEDS_REREVIEW = (
    "(entries.status = 'dismissed' AND EXISTS (SELECT 1 FROM rereview_flags AS standing "
    "WHERE standing.entry_id = entries.id "
    "AND standing.flagged_at > coalesce(entries.reviewed_at, entries.first_seen)))"
)


def band_of(score: float) -> int:
    """The queue band of a score: 9 for [0.9, 1.0], 0 for below 0.1."""
    return max(0, min(BANDS - 1, int(score * BANDS + 1e-9)))


def band_sql(band: int, params: dict[str, Any]) -> str:
    """SQL: the entry's score is in ``band`` (its bounds added to ``params``)."""
    parts = []
    if band > 0:
        params["band_low"] = band / BANDS
        parts.append("entries.score >= :band_low")
    if band < BANDS - 1:
        params["band_high"] = (band + 1) / BANDS
        parts.append("entries.score < :band_high")
    return "(" + (" AND ".join(parts) or "1 = 1") + ")"


def resolve_cluster(rows: Rows, cluster_id: int) -> int:
    """The live cluster that ``cluster_id`` is or was merged into; :class:`NotFound` if none."""
    seen: set[int] = set()
    current = cluster_id
    while current not in seen:
        seen.add(current)
        found = rows("SELECT merged_into FROM clusters WHERE id = :id", {"id": current})
        if not found:
            break
        if found[0][0] is None:
            return current
        current = int(found[0][0])
    raise NotFound(f"no cluster with id {cluster_id}")


def conditions(rows: Rows, where: QueueFilter, params: dict[str, Any]) -> str:
    """SQL for the filter's own conditions on ``entries`` (exclusions are :func:`excluded`'s)."""
    found = [NEEDS_REREVIEW if where.rereview else "entries.status = 'new'"]
    if where.kinds:
        found.append(f"entries.kind IN {in_list('kind', list(where.kinds), params)}")
    if where.site:
        escaped = where.site.replace("/", "//").replace("%", "/%").replace("_", "/_")
        params["site"] = f"%,{escaped},%"
        found.append("(',' || entries.sites || ',') LIKE :site ESCAPE '/'")
    if where.min_score is not None:
        params["min_score"] = where.min_score
        found.append("entries.score >= :min_score")
    if where.cluster is not None:
        params["cluster"] = resolve_cluster(rows, where.cluster)
        found.append(
            "entries.id IN (SELECT entry_id FROM cluster_members WHERE cluster_id = :cluster)"
        )
    return " AND ".join(found)


def excluded(rows: Rows, reviewer: str) -> set[int]:
    """Entries no queue shows ``reviewer``: allowlisted values, and those they confirmed once.

    Read from the small side (the four-eyes index; the allowlist joined to the entries' unique
    ``(kind, value)``), so that the queue's counts stay index-only however large the table is.
    """
    mine = rows(
        "SELECT id FROM entries WHERE first_confirmed_by = :reviewer", {"reviewer": reviewer}
    )
    allowed = rows(
        "SELECT entries.id FROM allowlist JOIN entries "
        "ON entries.kind = allowlist.kind AND entries.value = allowlist.value",
        {},
    )
    return {int(i) for (i,) in (*mine, *allowed) if i is not None}


def _ids(rows: Rows, sql: str, params: Mapping[str, Any], left_out: set[int]) -> list[int]:
    return [int(i) for (i,) in rows(sql, params) if i is not None and int(i) not in left_out]


def band_counts(reader: Reader, where: QueueFilter, reviewer: str) -> dict[int, int]:
    """How many entries of the queue each non-empty band holds, best band first."""
    counts: dict[int, int] = {}
    with reader.read() as rows:
        params: dict[str, Any] = {}
        condition = conditions(rows, where, params)
        for band in range(BANDS - 1, -1, -1):
            banded = dict(params)
            sql = f"SELECT count(*) FROM entries WHERE {condition} AND {band_sql(band, banded)}"
            counts[band] = int(rows(sql, banded)[0][0])
        left_out = sorted(excluded(rows, reviewer))
        for i in range(0, len(left_out), CHUNK):
            chunk = dict(params)
            ids = in_list("left_out", left_out[i : i + CHUNK], chunk)
            sql = f"SELECT score FROM entries WHERE {condition} AND entries.id IN {ids}"
            for (score,) in rows(sql, chunk):
                counts[band_of(score)] -= 1
    return {band: count for band, count in counts.items() if count > 0}


def band_ids(reader: Reader, where: QueueFilter, reviewer: str, band: int) -> list[int]:
    """The ids of the queue's entries in ``band``, in queue order."""
    with reader.read() as rows:
        params: dict[str, Any] = {}
        condition = conditions(rows, where, params)
        sql = (
            f"SELECT entries.id FROM entries WHERE {condition} AND {band_sql(band, params)} "
            f"ORDER BY {ORDER}"
        )
        return _ids(rows, sql, params, excluded(rows, reviewer))


def position(reader: Reader, where: QueueFilter, reviewer: str, entry_id: int) -> tuple[int, int]:
    """Where ``entry_id`` stands, or would stand, in the queue: (band, entries before it there)."""
    with reader.read() as rows:
        found = rows("SELECT score FROM entries WHERE id = :id", {"id": entry_id})
        if not found:
            raise NotFound(f"no entry with id {entry_id}")
        band = band_of(found[0][0])
        params: dict[str, Any] = {"entry_id": entry_id}
        condition = conditions(rows, where, params)
        sql = (
            f"SELECT entries.id FROM entries WHERE {band_sql(band, params)} "
            f"AND (({condition}) OR entries.id = :entry_id) ORDER BY {ORDER}"
        )
        ids = _ids(rows, sql, params, excluded(rows, reviewer) - {entry_id})
    return band, ids.index(entry_id)


def saved_cursor(reader: Reader, reviewer: str, where: QueueFilter) -> int | None:
    """The entry where ``reviewer`` left this queue, if they have opened it before."""
    with reader.read() as rows:
        found = rows(
            "SELECT entry_id FROM review_cursors WHERE reviewer = :reviewer AND queue = :queue",
            {"reviewer": reviewer, "queue": where.key()},
        )
    return int(found[0][0]) if found else None


def queue_kinds(reader: Reader, where: QueueFilter, reviewer: str) -> list[tuple[int, str]]:
    """Every entry of the queue (all bands) with its kind, in queue order: a batch's scope."""
    with reader.read() as rows:
        params: dict[str, Any] = {}
        condition = conditions(rows, where, params)
        left_out = excluded(rows, reviewer)
        sql = f"SELECT entries.id, entries.kind FROM entries WHERE {condition} ORDER BY {ORDER}"
        return [(int(i), str(k)) for i, k in rows(sql, params) if int(i) not in left_out]


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


def post_sites(reader: Reader, site: str | None = None) -> list[str]:
    """The sites that have posts in the store, sorted; with ``site``, just it if it has any
    (``queries.post_sites``, for the queue's ``--site`` before the ORM is imported)."""
    with reader.read() as rows:
        if site is not None:
            found = rows("SELECT site FROM posts WHERE site = :site LIMIT 1", {"site": site})
            return [str(found[0][0])] if found else []
        return sorted(str(name) for (name,) in rows("SELECT DISTINCT site FROM posts", {}))
