"""The watchlist as exports and the API feed hand it over: one :class:`ExportRow` per entry.

Rows are streamed from one read transaction (a server-side cursor on PostgreSQL, SQLite's own
cursor), a partition at a time, so memory does not grow with the table. What an entry shows
comes from columns that ingest keeps on ``entries`` (role mix, the posts' times, the provider,
the best sighting: see ``upserts``), so the main query joins one sighting per entry, never all
of them; more evidence per entry (``evidence`` > 1) is one extra query per partition.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Literal, TypeVar

from sqlalchemy import Select, String, Table, case, func, literal, literal_column
from sqlalchemy import select as sa_select
from sqlmodel import Session, SQLModel

from watchlist.store.allowlist import not_allowed
from watchlist.store.clusters import in_cluster
from watchlist.store.engine import Store
from watchlist.store.parallel_read import in_blocks
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
T = TypeVar("T")
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
    return func.strftime(_constant("%Y-%m-%dT%H:%M:%SZ"), column)


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
    first = func.substr(func.ltrim(column, _constant(" ")), 1, 1)
    starts = [_constant(char) for char in FORMULA_START]
    return case((first.in_(starts), _constant("'") + column), else_=column)


def _constant(text: str) -> Any:
    """SQL: one of our own constant strings written into the statement, not bound: SQLite
    evaluates a bound argument again on every row (a third of the time of a CSV line)."""
    return literal_column("'" + text.replace("'", "''") + "'", String)


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
        flat = entries_query(session, where, "id", _flat_columns(session, guarded))
        result = session.connection().execute(flat.execution_options(yield_per=PARTITION))
        with result:  # closed also when the reader stops early (a server-side cursor)
            yield from result.partitions()


def _flat_columns(session: Session, guarded: bool) -> list[Any]:
    """SQL: the :data:`FLAT_COLUMNS`, with ``guarded`` every :data:`GUARDED` one formula-safe."""
    by_name = dict(zip(_SELECTED, _columns(session.get_bind().dialect.name), strict=True))
    by_name["sites"] = func.replace(ENTRIES.c.sites, ",", " ")
    by_name["enforcement"] = _told(session)
    return [
        formula_guarded(by_name[name]) if guarded and name in GUARDED else by_name[name]
        for name in FLAT_COLUMNS
    ]


# A CSV line as SQLite's printf writes it: every cell quoted, its quotes doubled (``%w``),
# NULL an empty cell; what Python's csv writer writes with QUOTE_ALL, byte for byte.
_CSV_LINE = ",".join(['"%w"'] * len(FLAT_COLUMNS)) + "\r\n"
# An evidence URL a line may not hold raw (a space, a control, anything not printable ASCII:
# an older store kept some): such a row is written by Python, its URL percent-encoded.
_UNPRINTABLE = "*[^!-~]*"


def iter_csv_lines(
    store: Store, where: EntryFilter | None = None
) -> Iterator[tuple[int, list[str | Sequence[Any]]]]:
    """SQLite: the entries matching ``where`` as formula-safe CSV lines in :data:`FLAT_COLUMNS`
    order, by id, a block at a time: ``(count, pieces)`` — each line built by the database
    itself (``printf``), a whole block joined by it too (``group_concat``: one text, no Python
    object per row), so Python only writes them out. In a block with a row whose evidence URL
    must be encoded first, the pieces are its lines one by one and that row's flat tuple (as
    :func:`iter_flat_rows` gives it). Read by two threads from one snapshot
    (:mod:`watchlist.store.parallel_read`), constant memory.
    """
    where = where or EntryFilter()

    def read(
        session: Session, after: int | None, up_to: int | None
    ) -> tuple[int, list[str | Sequence[Any]]]:
        cells = [func.ifnull(column, _constant("")) for column in _flat_columns(session, True)]
        line = case(
            (_BEST_POST.c.url.op("GLOB", is_comparison=True)(_constant(_UNPRINTABLE)), None),
            else_=func.printf(_constant(_CSV_LINE), *cells),
        )
        query = _within(entries_query(session, where, "id", [line, ENTRIES.c.id]), after, up_to)
        if up_to is not None:  # a block: joined by the database when it wrote every line
            lines = query.subquery()
            # (the aggregate reads the ordered subquery in its order, as _json_block's does)
            joined = sa_select(
                func.group_concat(lines.c[0], _constant("")),
                func.count(),
                func.count(lines.c[0]),
            )
            text, total, written = session.connection().execute(joined).one()
            if written == total:
                return total, [text or ""]
        found = session.connection().execute(query).all()
        pieces: list[str | Sequence[Any]] = [text for text, _ in found]
        if None in pieces:
            for n, (text, entry_id) in enumerate(found):
                if text is None:
                    pieces[n] = _written_by_python(session, entry_id)
        return len(found), pieces

    yield from _blocks(store, where, read)


def _within(query: Select[Any], after: int | None, up_to: int | None) -> Select[Any]:
    """``query`` narrowed to ids in ``(after, up_to]`` (None: no bound)."""
    if after is not None:
        query = query.where(ENTRIES.c.id > after)
    if up_to is not None:
        query = query.where(ENTRIES.c.id <= up_to)
    return query


def _blocks(
    store: Store, where: EntryFilter, read: Callable[[Session, int | None, int | None], T]
) -> Iterator[T]:
    """``read`` of every id block of a SQLite store in id order, by two threads from one
    snapshot; of the whole range at once when ``where`` has a limit (it counts across
    blocks)."""
    if store.dialect != "sqlite":
        raise ValueError("the database builds export lines on SQLite stores only")
    if where.limit is not None:
        with store.read() as session:
            yield read(session, None, None)
        return
    from watchlist import settings

    yield from in_blocks(store, read, readers=settings.load().readers)


def _written_by_python(session: Session, entry_id: int) -> Sequence[Any]:
    """The flat row of one entry (in the caller's read transaction), for Python to write."""
    query = entries_query(session, EntryFilter(), "id", _flat_columns(session, True))
    return tuple(session.connection().execute(query.where(ENTRIES.c.id == entry_id)).one())


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
        order_by=_best_first(SIGHTINGS, POSTS),
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


@dataclass(frozen=True, slots=True)
class JsonPartition:
    """Entries whose JSON the database wrote, a partition at a time (:func:`iter_json_rows`).

    Most blocks come whole: ``text`` holds their ``count`` lines, finished by the database, one
    string (no object per row). Otherwise:

    ``rows``: ``(id, head, evidence)`` — ``head`` the entry's object through ``reason``, as
    JSON text; ``evidence`` its evidence array as JSON text, or None where Python must write
    it from ``more`` (several sightings, or a URL to encode first). ``told``: what sync targets
    said of each entry that has an answer.
    """

    rows: list[tuple[int, str, str | None]]
    more: dict[int, list[EvidenceRow]]
    told: dict[int, tuple[EnforcementRow, ...]]
    text: str | None = None  # every line of the block, joined by newlines, when SQLite wrote all
    count: int = 0  # how many entries ``text`` holds


def _json_bool(value: bool) -> Any:
    return func.json(_constant("true" if value else "false"))


def _head_object(session: Session) -> Any:
    """SQL: the entry's JSON object through ``reason`` (``export.objects.entry_object``'s
    keys, in its order). Site names are slugs: a comma list becomes an array by text."""
    dialect = session.get_bind().dialect.name
    sites = case(
        (ENTRIES.c.sites == _constant(""), func.json_array()),
        else_=func.json(
            _constant('["')
            + func.replace(ENTRIES.c.sites, _constant(","), _constant('","'))
            + _constant('"]')
        ),
    )
    roles = func.json_object(
        _constant("offered"), ENTRIES.c.offered,
        _constant("reported"), ENTRIES.c.reported,
        _constant("mentioned"), ENTRIES.c.mentioned,
    )  # fmt: skip
    return func.json_object(
        _constant("id"), ENTRIES.c.id,
        _constant("kind"), ENTRIES.c.kind,
        _constant("value"), ENTRIES.c.value,
        _constant("hashed"), _json_bool(False),
        _constant("provider"), ENTRIES.c.provider,
        _constant("status"), ENTRIES.c.status,
        _constant("score"), ENTRIES.c.score,
        _constant("roles"), roles,
        _constant("first_seen"), iso_text(ENTRIES.c.first_seen, dialect),
        _constant("last_seen"), iso_text(ENTRIES.c.last_seen, dialect),
        _constant("first_posted"), iso_text(ENTRIES.c.first_posted, dialect),
        _constant("last_posted"), iso_text(ENTRIES.c.last_posted, dialect),
        _constant("sightings"), ENTRIES.c.sightings,
        _constant("sites"), sites,
        _constant("cluster"), MEMBERS.c.cluster_id,
        _constant("note"), ENTRIES.c.note,
        _constant("reviewed_by"), ENTRIES.c.reviewed_by,
        _constant("reviewed_at"), iso_text(ENTRIES.c.reviewed_at, dialect),
        _constant("reason"), ENTRIES.c.reason,
    )  # fmt: skip


def _evidence_object(sighting: Any, post: Any, dialect: str) -> Any:
    """SQL: one sighting as ``export.objects.evidence_object`` writes it (URLs as stored)."""
    return func.json_object(
        _constant("url"), post.c.url,
        _constant("site"), post.c.site,
        _constant("posted_at"), iso_text(post.c.posted_at, dialect),
        _constant("role"), sighting.c.role,
        _constant("snippet"), sighting.c.snippet,
        _constant("source"), sighting.c.source,
    )  # fmt: skip


def _unprintable(sighting: Any, post: Any) -> Any:
    """SQL: whether the sighting's URLs hold a character a URL cell may not hold raw."""
    glob = _constant(_UNPRINTABLE)
    return post.c.url.op("GLOB", is_comparison=True)(glob) | (
        (sighting.c.source != _constant("text"))
        & sighting.c.source.op("GLOB", is_comparison=True)(glob)
    )


def _evidence_array(session: Session, evidence: int) -> Any:
    """SQL: the entry's best ``evidence`` sightings as a JSON array, best first; NULL where
    one of their URLs must be percent-encoded first (Python writes that array)."""
    dialect = session.get_bind().dialect.name
    sighting, post = SIGHTINGS.alias("ev"), POSTS.alias("ev_post")
    best = (
        sa_select(
            _evidence_object(sighting, post, dialect).label("object"),
            _unprintable(sighting, post).label("unprintable"),
        )
        .select_from(sighting.join(post, post.c.id == sighting.c.post_id))
        .where(sighting.c.entry_id == ENTRIES.c.id)
        .order_by(*_best_first(sighting, post))
        .limit(evidence)
        .correlate(ENTRIES)
        .subquery()
    )
    # (the aggregate reads the ordered subquery in its order: a test holds SQLite to it)
    several = sa_select(
        case(
            (func.max(best.c.unprintable), None),
            else_=_constant("[")
            + func.group_concat(best.c.object, _constant(","))
            + _constant("]"),
        )
    ).scalar_subquery()
    single = func.json_array(_evidence_object(_BEST, _BEST_POST, dialect))
    return case(
        (_BEST.c.id.is_(None), _constant("[]")),
        (ENTRIES.c.sightings > 1, several),
        (_unprintable(_BEST, _BEST_POST), None),
        else_=single,
    )


def _best_first(sighting: Any, post: Any) -> tuple[Any, ...]:
    """SQL: the order of an entry's evidence, best first (``upserts``' best sighting rule)."""
    return (
        role_rank(sighting.c.role).desc(),
        post.c.otc_score.desc(),
        post.c.fetched_at.desc(),
        sighting.c.id,
    )


def iter_json_rows(
    store: Store, where: EntryFilter | None = None, *, evidence: int = 5
) -> Iterator[JsonPartition]:
    """SQLite: the entries matching ``where``, by id, as JSON the database writes itself
    (``json_object``), with up to ``evidence`` sightings each; Python adds only what needs a
    second look (:class:`JsonPartition`). Read by two threads from one snapshot, constant
    memory."""
    where = where or EntryFilter()

    def read(session: Session, after: int | None, up_to: int | None) -> JsonPartition:
        if up_to is not None:  # a block of ids (a limited read counts across them: row by row)
            whole = _json_block(session, where, evidence, after, up_to)
            if whole is not None:
                return whole
        columns = [ENTRIES.c.id, _head_object(session), _evidence_array(session, evidence)]
        query = _within(entries_query(session, where, "id", columns), after, up_to)
        rows: list[tuple[int, str, str | None]] = [
            (row[0], row[1], row[2]) for row in session.connection().execute(query)
        ]
        python = [row[0] for row in rows if row[2] is None]
        more = _more_evidence(session, python, max(evidence, 2)) if python else {}
        told = _enforcement(session, [r[0] for r in rows]) if _any(session, RESULTS) else {}
        return JsonPartition(rows, more, told)

    yield from _blocks(store, where, read)


def _json_block(
    session: Session, where: EntryFilter, evidence: int, after: int | None, up_to: int
) -> JsonPartition | None:
    """The block's finished lines as one text the database joins (``group_concat`` over the
    id-ordered rows), or None when a line needs Python (evidence to encode, a sync answer)."""
    head = _head_object(session)
    # The head without its closing brace: it ends in "reason" (a string or null), so its last
    # "}" is its only trailing one; rtrim reads the object once (substr(head, 1, length - 1)
    # built it twice).
    line = (
        func.rtrim(head, _constant("}"))
        + _constant(',"evidence":')
        + _evidence_array(session, evidence)
        + _constant(',"enforcement":[]}')
    )  # NULL where the evidence array is (Python writes it)
    if _any(session, RESULTS):
        told = sa_select(RESULTS.c.id).where(RESULTS.c.entry_id == ENTRIES.c.id).correlate(ENTRIES)
        line = case((told.exists(), None), else_=line)
    lines = _within(
        entries_query(session, where, "id", [line.label("line")]), after, up_to
    ).subquery()
    # (the aggregate reads the ordered subquery in its order, as _evidence_array's does)
    joined = sa_select(
        func.group_concat(lines.c.line, _constant("\n")), func.count(), func.count(lines.c.line)
    )
    text, total, written = session.connection().execute(joined).one()
    if written != total:
        return None
    return JsonPartition([], {}, {}, text or "", total)
