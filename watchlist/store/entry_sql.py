"""What the review queue shows of one entry, read in plain SQL by either driver.

:func:`read_entry_view` reads an entry's facts, role mix, best evidence, neighbours (the other
entries seen in the same posts — the entry's latest :data:`OTHERS_FROM_POSTS` — with their
review state, so the reviewer judges the seller and not one string), operator cluster,
re-review flag and what sync targets said, in one read transaction. It is the read behind every
keypress of the queue; ``store.entry_view`` runs it through SQLAlchemy, ``watchlist review``
through ``sqlite3`` on a SQLite file (``plain_sql``). The rows are plain frozen dataclasses,
not ORM objects. This module imports nothing heavy.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from watchlist.errors import NotFound
from watchlist.store.plain_sql import Reader
from watchlist.store.queue_sql import NEEDS_REREVIEW, resolve_cluster, role_rank

BEST_EVIDENCE = 3
OTHERS_SHOWN = 12
OTHERS_FROM_POSTS = 200  # other handles are read from the entry's latest posts only
SNIPPET_CONTEXT = 80  # ingest.SNIPPET_CONTEXT (a test checks they agree)


def by_count(names: Iterable[str]) -> dict[str, int]:
    """How many of each name, most first, then alphabetically."""
    return dict(sorted(Counter(names).items(), key=lambda item: (-item[1], item[0])))


def _when(value: Any) -> str | None:
    """A stored time as text (SQLite keeps text; PostgreSQL gives a datetime)."""
    return None if value is None else str(value)


@dataclass(frozen=True, slots=True)
class EntryFacts:
    """The ``entries`` row the queue shows (times as text: the panels cut them)."""

    id: int
    kind: str
    value: str
    status: str
    score: float
    first_seen: str
    last_seen: str
    sightings: int
    sites: str
    note: str | None
    best_role: str
    reviewed_by: str | None
    reviewed_at: str | None
    first_confirmed_by: str | None


_ENTRY_COLUMNS = (
    "id, kind, value, status, score, first_seen, last_seen, sightings, sites, note, best_role, "
    "reviewed_by, reviewed_at, first_confirmed_by"
)


@dataclass(frozen=True, slots=True)
class SightingFacts:
    """One sighting: where the handle stands in its snippet, its role and source."""

    id: int
    role: str
    source: str  # "text", or the URL of the QR image it was read from
    snippet: str
    span_start: int
    span_end: int


@dataclass(frozen=True, slots=True)
class PostFacts:
    """The post a sighting is in."""

    site: str
    author: str | None
    posted_at: str | None
    url: str
    title: str | None


@dataclass(frozen=True, slots=True)
class Evidence:
    """One sighting of an entry with the post it was seen in."""

    sighting: SightingFacts
    post: PostFacts

    @property
    def highlight(self) -> tuple[int, int]:
        """Where in the sighting's snippet the handle stands."""
        return snippet_highlight(self.sighting.span_start, self.sighting.span_end)


def snippet_highlight(span_start: int, span_end: int) -> tuple[int, int]:
    """Where a handle written at ``[span_start, span_end)`` of its post stands in the snippet
    ingest kept of it (``SNIPPET_CONTEXT`` characters before it, or from the post's start)."""
    offset = max(0, span_start - SNIPPET_CONTEXT)
    return span_start - offset, span_end - offset


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
class Enforced:
    """What one sync target last said about the entry."""

    target: str
    result: str
    reason: str | None
    at: str


@dataclass(frozen=True, slots=True)
class EntryView:
    """What the queue shows of one entry."""

    entry: EntryFacts
    roles: dict[str, int]  # sightings per role
    evidence: list[Evidence]  # the best first: offered before reported before mentioned, …
    evidence_total: int
    providers: list[str] = field(default_factory=list)  # what the sightings' contexts named
    others: list[Neighbour] = field(default_factory=list)
    others_total: int = 0
    cluster: ClusterInfo | None = None
    rereview: bool = False
    enforcement: list[Enforced] = field(default_factory=list)  # what sync targets said

    @property
    def awaiting(self) -> bool:
        """Four-eyes: confirmed once, awaiting a second reviewer."""
        return self.entry.first_confirmed_by is not None and self.entry.status != "confirmed"


_ROLES = (
    "SELECT role, provider, count(*) FROM sightings WHERE entry_id = :entry_id "
    "GROUP BY role, provider"
)
_BEST = (
    "SELECT sightings.id, sightings.role, sightings.source, sightings.snippet, "
    "sightings.span_start, sightings.span_end, posts.site, posts.author, posts.posted_at, "
    "posts.url, (SELECT titles.text FROM titles WHERE titles.id = posts.title_id) "
    "FROM sightings JOIN posts ON posts.id = sightings.post_id "
    "WHERE sightings.entry_id = :entry_id "
    f"ORDER BY {role_rank('sightings.role')} DESC, posts.otc_score DESC, "
    "posts.fetched_at DESC, sightings.id"
)
_NEIGHBOURS = (
    "SELECT entries.id, entries.kind, entries.value, entries.status, "
    "entries.first_confirmed_by, count(*) AS shared "
    "FROM entries JOIN sightings AS other ON other.entry_id = entries.id "
    "WHERE other.post_id IN (SELECT sightings.post_id FROM sightings "
    "WHERE sightings.entry_id = :entry_id "
    f"ORDER BY sightings.id DESC LIMIT {OTHERS_FROM_POSTS}) "
    "AND entries.id != :entry_id "
    "GROUP BY entries.id ORDER BY shared DESC, entries.score DESC, entries.id"
)
_FLAGGED = f"SELECT count(*) FROM entries WHERE entries.id = :entry_id AND {NEEDS_REREVIEW}"
_CLUSTER = "SELECT cluster_id FROM cluster_members WHERE entry_id = :entry_id"
_MEMBERS = (
    "SELECT entries.status, entries.kind FROM entries "
    "JOIN cluster_members ON cluster_members.entry_id = entries.id "
    "WHERE cluster_members.cluster_id = :cluster"
)
_ENFORCED = (
    "SELECT target, result, reason, at FROM enforcement_results "
    "WHERE entry_id = :entry_id ORDER BY target"
)


def read_entry_view(
    reader: Reader, entry_id: int, evidence: int | None = BEST_EVIDENCE
) -> EntryView:
    """One entry with its role mix, best ``evidence`` (None: all), neighbours and cluster."""
    params = {"entry_id": entry_id}
    with reader.read() as rows:
        found = rows(f"SELECT {_ENTRY_COLUMNS} FROM entries WHERE id = :entry_id", params)
        if not found:
            raise NotFound(f"no entry with id {entry_id}")
        e = found[0]
        entry = EntryFacts(
            id=e[0],
            kind=e[1],
            value=e[2],
            status=e[3],
            score=e[4],
            first_seen=str(_when(e[5])),
            last_seen=str(_when(e[6])),
            sightings=e[7],
            sites=e[8],
            note=e[9],
            best_role=e[10],
            reviewed_by=e[11],
            reviewed_at=_when(e[12]),
            first_confirmed_by=e[13],
        )
        roles: Counter[str] = Counter()
        providers: set[str] = set()
        for role, provider, count in rows(_ROLES, params):
            roles[role] += count
            if provider:
                providers.add(provider)
        best_sql = _BEST if evidence is None else f"{_BEST} LIMIT {int(evidence)}"
        best = [
            Evidence(SightingFacts(*r[:6]), PostFacts(r[6], r[7], _when(r[8]), r[9], r[10]))
            for r in rows(best_sql, params)
        ]
        neighbours = rows(_NEIGHBOURS, params)
        others = [
            Neighbour(i, kind, value, status, first is not None and status != "confirmed", n)
            for i, kind, value, status, first, n in neighbours[:OTHERS_SHOWN]
        ]
        flagged = bool(rows(_FLAGGED, params)[0][0])
        cluster = None
        member = rows(_CLUSTER, params)
        if member:
            cluster_id = int(member[0][0])
            live = resolve_cluster(rows, cluster_id)
            members = rows(_MEMBERS, {"cluster": live})
            cluster = ClusterInfo(
                id=cluster_id,
                size=len(members),
                statuses=dict(Counter(status for status, _ in members)),
                kinds=by_count(kind for _, kind in members),
            )
        enforced = [Enforced(t, r, why, str(at)) for t, r, why, at in rows(_ENFORCED, params)]
    return EntryView(
        entry=entry,
        roles=dict(roles),
        evidence=best,
        evidence_total=sum(roles.values()),
        providers=sorted(providers),
        others=others,
        others_total=len(neighbours),
        cluster=cluster,
        rereview=flagged,
        enforcement=enforced,
    )
