"""The watchlist as exports and the API feed hand it over: one :class:`ExportRow` per entry.

Rows are streamed from one read transaction (a server-side cursor on PostgreSQL, SQLite's own
cursor), a partition at a time, so memory does not grow with the table. What an entry shows
comes from columns that ingest keeps on ``entries`` (role mix, the posts' times, the provider,
the best sighting: see ``upserts``), so the main query joins one sighting per entry, never all
of them; more evidence per entry (``evidence`` > 1) is one extra query per partition.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import Select, String, Table, case, func, literal
from sqlalchemy import select as sa_select
from sqlmodel import Session, SQLModel

from watchlist.store.allowlist import not_allowed
from watchlist.store.clusters import in_cluster
from watchlist.store.engine import Store
from watchlist.store.queries import EntryFilter
from watchlist.store.rereview import needs_rereview
from watchlist.store.tables import (
    Allowed,
    ClusterMember,
    EnforcementResult,
    Entry,
    Post,
    Sighting,
    role_rank,
)

ENTRIES: Table = SQLModel.metadata.tables[Entry.__tablename__]
SIGHTINGS: Table = SQLModel.metadata.tables[Sighting.__tablename__]
POSTS: Table = SQLModel.metadata.tables[Post.__tablename__]
MEMBERS: Table = SQLModel.metadata.tables[ClusterMember.__tablename__]
ALLOWED: Table = SQLModel.metadata.tables[Allowed.__tablename__]
RESULTS: Table = SQLModel.metadata.tables[EnforcementResult.__tablename__]
PARTITION = 2000
Order = Literal["score", "id"]


def parse_time(text: str | None) -> datetime | None:
    """An ISO 8601 UTC time of an export row (``2026-12-01T10:00:00Z``) as a datetime."""
    return None if text is None else datetime.fromisoformat(text)


@dataclass(frozen=True, slots=True)
class EvidenceRow:
    """One sighting as evidence: the post's URL, site and time, the role, the snippet."""

    url: str
    site: str
    posted_at_text: str | None  # ISO 8601 UTC to the second, "2026-12-01T10:00:00Z"
    role: str
    snippet: str
    source: str  # "text", or the URL of the image the handle was decoded from

    @property
    def posted_at(self) -> datetime | None:
        """When the post says it was written."""
        return parse_time(self.posted_at_text)


@dataclass(frozen=True, slots=True)
class EnforcementRow:
    """What a sync target last said it did with the entry (``watchlist sync``)."""

    target: str
    result: str  # accepted | restricted | rejected | known
    reason: str | None
    at_text: str  # ISO 8601 UTC to the second


@dataclass(frozen=True, slots=True)
class ExportRow:
    """One entry as it is handed over, with its best evidence first.

    Times are kept as the database formats them — ISO 8601 in UTC to the second
    (``*_text``: what every format writes, with no conversion per row) — and read as datetimes
    through the properties of the same names without the suffix.
    """

    id: int
    kind: str
    value: str
    provider: str | None
    status: str
    score: float
    offered: int
    reported: int
    mentioned: int
    first_seen_text: str
    last_seen_text: str
    first_posted_text: str | None
    last_posted_text: str | None
    sightings: int
    sites: tuple[str, ...]
    cluster: int | None
    note: str | None
    reviewed_by: str | None
    reviewed_at_text: str | None
    reason: str | None
    evidence: tuple[EvidenceRow, ...]
    enforcement: tuple[EnforcementRow, ...] = ()

    @property
    def first_seen(self) -> datetime:
        """The first crawl that saw the entry."""
        return datetime.fromisoformat(self.first_seen_text)

    @property
    def last_seen(self) -> datetime:
        """The latest crawl that saw the entry."""
        return datetime.fromisoformat(self.last_seen_text)

    @property
    def first_posted(self) -> datetime | None:
        """The earliest post time of its sightings' posts."""
        return parse_time(self.first_posted_text)

    @property
    def last_posted(self) -> datetime | None:
        """The latest post time of its sightings' posts."""
        return parse_time(self.last_posted_text)

    @property
    def reviewed_at(self) -> datetime | None:
        """When the latest decision was made."""
        return parse_time(self.reviewed_at_text)


def iso_text(column: Any, dialect: str) -> Any:
    """SQL: ``column`` (a UTC time) as ISO 8601 text to the second with a ``Z``."""
    if dialect == "postgresql":
        return func.to_char(func.timezone("UTC", column), 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
    return func.strftime("%Y-%m-%dT%H:%M:%SZ", column)


_BEST = SIGHTINGS.alias("best")
_BEST_POST = POSTS.alias("best_post")


def _columns(dialect: str) -> tuple[Any, ...]:
    return (
        ENTRIES.c.id,
        ENTRIES.c.kind,
        ENTRIES.c.value,
        ENTRIES.c.provider,
        ENTRIES.c.status,
        ENTRIES.c.score,
        ENTRIES.c.offered,
        ENTRIES.c.reported,
        ENTRIES.c.mentioned,
        iso_text(ENTRIES.c.first_seen, dialect),
        iso_text(ENTRIES.c.last_seen, dialect),
        iso_text(ENTRIES.c.first_posted, dialect),
        iso_text(ENTRIES.c.last_posted, dialect),
        ENTRIES.c.sightings,
        ENTRIES.c.sites,
        MEMBERS.c.cluster_id,
        ENTRIES.c.note,
        ENTRIES.c.reviewed_by,
        iso_text(ENTRIES.c.reviewed_at, dialect),
        ENTRIES.c.reason,
        _BEST_POST.c.url,
        _BEST_POST.c.site,
        iso_text(_BEST_POST.c.posted_at, dialect),
        _BEST.c.role,
        _BEST.c.snippet,
        _BEST.c.source,
    )


# The names of what :func:`entries_query` selects, in order.
_SELECTED = (
    "id",
    "kind",
    "value",
    "provider",
    "status",
    "score",
    "offered",
    "reported",
    "mentioned",
    "first_seen",
    "last_seen",
    "first_posted",
    "last_posted",
    "sightings",
    "sites",
    "cluster",
    "note",
    "reviewed_by",
    "reviewed_at",
    "reason",
    "evidence_url",
    "evidence_site",
    "evidence_posted_at",
    "evidence_role",
    "evidence_snippet",
    "evidence_source",
)


def entries_query(
    session: Session,
    where: EntryFilter,
    order: Order = "score",
    columns: Sequence[Any] | None = None,
) -> Select[Any]:
    """The entries matching ``where`` with their best sighting, in ``order``.

    ``score``: highest score first, then most sightings, then id (what a person reads);
    ``id``: ascending id, the stable order of keyset pagination (new entries come last).
    ``columns``: what to select (default: :data:`_SELECTED`'s columns, from :func:`_columns`).
    """
    query = (
        sa_select(*(columns or _columns(session.get_bind().dialect.name)))
        .select_from(ENTRIES)
        .outerjoin(MEMBERS, MEMBERS.c.entry_id == ENTRIES.c.id)
        .outerjoin(_BEST, _BEST.c.id == ENTRIES.c.best_sighting_id)
        .outerjoin(_BEST_POST, _BEST_POST.c.id == _BEST.c.post_id)
    )
    if not where.allowed and _any(session, ALLOWED):
        query = query.where(not_allowed())  # (an empty allowlist costs no lookup per row)
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
        connection = session.connection()  # Core rows: no ORM processing per row
        result = connection.execute(query.execution_options(yield_per=PARTITION))
        with result:  # closed also when the reader stops early (a server-side cursor)
            yield from _rows(session, result, evidence)


def _rows(session: Session, result: Any, evidence: int) -> Iterator[ExportRow]:
    any_results = _any(session, RESULTS)
    for partition in result.partitions():
        several = [r[0] for r in partition if r[13] > 1]  # one sighting: it is the best
        more = _more_evidence(session, several, evidence)
        told = _enforcement(session, [r[0] for r in partition]) if any_results else {}
        for row in partition:
            found = _row(row, evidence, more.get(row[0]))
            yield replace(found, enforcement=told[row[0]]) if row[0] in told else found


def _any(session: Session, table: Table) -> bool:
    """Whether ``table`` has a row (an empty one costs no lookup per exported row)."""
    return session.execute(sa_select(table.c.id).limit(1)).first() is not None


def _enforcement(session: Session, entry_ids: list[int]) -> dict[int, tuple[EnforcementRow, ...]]:
    """What each sync target last said about each of ``entry_ids``, by target."""
    dialect = session.get_bind().dialect.name
    query = (
        sa_select(
            RESULTS.c.entry_id,
            RESULTS.c.target,
            RESULTS.c.result,
            RESULTS.c.reason,
            iso_text(RESULTS.c.at, dialect),
        )
        .where(RESULTS.c.entry_id.in_(entry_ids))
        .order_by(RESULTS.c.entry_id, RESULTS.c.target)
    )
    found: dict[int, list[EnforcementRow]] = {}
    for entry_id, *fields in session.execute(query):
        found.setdefault(entry_id, []).append(EnforcementRow(*fields))
    return {entry_id: tuple(rows) for entry_id, rows in found.items()}


# The columns of a flat (spreadsheet) row, in order: an entry and its best evidence.
FLAT_COLUMNS = (
    "id",
    "kind",
    "value",
    "provider",
    "status",
    "score",
    "offered",
    "reported",
    "mentioned",
    "first_seen",
    "last_seen",
    "first_posted",
    "last_posted",
    "sightings",
    "sites",
    "cluster",
    "evidence_url",
    "evidence_posted_at",
    "evidence_role",
    "evidence_snippet",
    "reviewed_by",
    "reviewed_at",
    "reason",
    "note",
    "enforcement",
)
# Flat columns that hold text from outside (pages, reviewers): formula-guarded when asked.
GUARDED = (
    "value",
    "provider",
    "sites",
    "evidence_url",
    "evidence_snippet",
    "reviewed_by",
    "reason",
    "note",
)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")


def formula_guarded(column: Any) -> Any:
    """SQL: ``column`` with a ``'`` in front when a spreadsheet would read it as a formula
    (its first character after leading spaces is one of :data:`FORMULA_START`)."""
    first = func.substr(func.ltrim(column, " "), 1, 1)
    return case((first.in_(FORMULA_START), literal("'") + column), else_=column)


def iter_flat_rows(
    store: Store, where: EntryFilter | None = None, *, guarded: bool = True
) -> Iterator[Sequence[Any]]:
    """Stream the entries matching ``where`` as tuples in :data:`FLAT_COLUMNS` order, by id.

    Built by the database itself, ready for a CSV writer: times as ISO text, sites separated
    by spaces, and with ``guarded`` every :data:`GUARDED` text formula-safe — no per-row work
    is left to Python. One read transaction, constant memory.
    """
    for partition in _flat_partitions(store, where or EntryFilter(), guarded):
        yield from partition


def _flat_partitions(
    store: Store, where: EntryFilter, guarded: bool
) -> Iterator[Sequence[Sequence[Any]]]:
    with store.read() as session:
        by_name = dict(zip(_SELECTED, _columns(session.get_bind().dialect.name), strict=True))
        by_name["sites"] = func.replace(ENTRIES.c.sites, ",", " ")
        by_name["enforcement"] = _told(session)
        columns = [
            formula_guarded(by_name[name]) if guarded and name in GUARDED else by_name[name]
            for name in FLAT_COLUMNS
        ]
        flat = entries_query(session, where, "id", columns)
        result = session.connection().execute(flat.execution_options(yield_per=PARTITION))
        with result:  # closed also when the reader stops early (a server-side cursor)
            yield from result.partitions()


def _told(session: Session) -> Any:
    """SQL: what the sync targets last said of the entry, ``target:result`` joined by ``; ``
    (by target); NULL — and no lookup per row — while no target has said anything."""
    if not _any(session, RESULTS):
        return literal(None, String)
    told = RESULTS.c.target + literal(":") + RESULTS.c.result
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import aggregate_order_by

        joined = func.string_agg(told, aggregate_order_by(literal("; "), RESULTS.c.target))
    else:  # SQLite reads them through the (entry_id, target) index: in target order
        joined = func.group_concat(told, literal("; "))
    return (
        sa_select(joined)
        .where(RESULTS.c.entry_id == ENTRIES.c.id)
        .correlate(ENTRIES)
        .scalar_subquery()
    )


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
            iso_text(POSTS.c.posted_at, session.get_bind().dialect.name).label("posted_at"),
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
