"""The SQL of saving posts: titles, posts, entries and sightings, upserted in one transaction.

Each upsert says what it inserted: PostgreSQL by ``RETURNING (xmax = 0)`` (a row an upsert
updated has a locking transaction id; one it inserted has none), SQLite by reading which keys
exist first — exact there, as the write transaction (``BEGIN IMMEDIATE``) holds the database's
only write lock from its start. Counting "new" from a read before the upsert is wrong on
PostgreSQL: a concurrent crawl may insert the row between the read and the upsert.

A post whose URL is already stored for another site is left as it is (the upsert's ``WHERE``)
and none of its sightings is written: a page can file its posts under another site's URL, but
it cannot rewrite that site's evidence. Keys are sorted everywhere, so concurrent writers take
row locks in the same order and cannot deadlock on PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Table, bindparam, case, func, literal_column, select, tuple_
from sqlmodel import Session, SQLModel

from watchlist.store import clustering
from watchlist.store.change_log import change, log_changes
from watchlist.store.engine import upsert_into
from watchlist.store.records import IngestResult
from watchlist.store.sighting_hooks import on_sightings_saved
from watchlist.store.tables import ROLE_RANKS, Entry, Post, Sighting, Title, role_rank

CHUNK = 500
ROLE_OF_RANK = {rank: role for role, rank in ROLE_RANKS.items()}

POSTS: Table = SQLModel.metadata.tables[Post.__tablename__]
TITLES: Table = SQLModel.metadata.tables[Title.__tablename__]
ENTRIES: Table = SQLModel.metadata.tables[Entry.__tablename__]
SIGHTINGS: Table = SQLModel.metadata.tables[Sighting.__tablename__]


@dataclass(frozen=True, slots=True)
class Sight:
    """A handle seen in a post, ready to store: its entry's key and score, its sighting row."""

    kind: str
    value: str
    score: float
    row: dict[str, Any]  # sightings columns but entry_id, post_id and seen_at


@dataclass(frozen=True, slots=True)
class Ready:
    """A post made storable (see ``storable``): its posts row but ``title_id``, its title."""

    url: str
    site: str
    thread_url: str | None
    title: str | None
    title_digest: str | None
    row: dict[str, Any]
    sights: tuple[Sight, ...]


def write(session: Session, posts: Sequence[Ready], now: datetime) -> IngestResult:
    """Upsert ``posts`` (unique URLs, sorted) with their titles, entries and sightings."""
    result = IngestResult()
    # PostgreSQL allocates entry ids at insert, not at commit: two crawls saving at once could
    # commit a smaller id after a larger one, and a reader paging entries by id (the API feed)
    # would skip it. One writer at a time from here on keeps ids in commit order (the cluster
    # lock, which the save takes later anyway: same lock, same order, no new deadlock).
    clustering.lock(session)
    titles = _upsert_titles(session, posts)
    post_ids = _upsert_posts(session, posts, titles, result)
    sights = {
        (post.url, sight.kind, sight.value): (post, sight)
        for post in reversed(posts)
        if post.url in post_ids
        for sight in reversed(post.sights)
    }  # reversed: the first occurrence in a post wins
    if not sights:
        return result
    entry_ids = _upsert_entries(session, [sight for _, sight in sights.values()], now, result)
    rows = [
        sight.row
        | {
            "entry_id": entry_ids[(sight.kind, sight.value)],
            "post_id": post_ids[post.url],
            "seen_at": now,
        }
        for post, sight in sights.values()
    ]
    rows.sort(key=lambda row: (row["entry_id"], row["post_id"]))
    stmt = (
        upsert_into(session, SIGHTINGS)
        .on_conflict_do_nothing(index_elements=["entry_id", "post_id"])
        .returning(SIGHTINGS.c.entry_id)
    )
    gained: list[int] = []
    for chunk in _chunks(rows):
        gained.extend(session.execute(stmt, list(chunk)).scalars())
    result.new_sightings = len(gained)
    confirmed = _refresh_counts(session, sorted(set(gained)), now)
    on_sightings_saved(session, post_ids.values(), now)  # clusters, re-review flags
    confirmed_seen_again(session, confirmed, now)
    return result


def _chunks(items: Sequence[Any], size: int = CHUNK) -> Iterable[Sequence[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _inserted(session: Session) -> ColumnElement[Any] | None:
    """PostgreSQL's "this upsert inserted the row" (None on SQLite, which reads first)."""
    if session.get_bind().dialect.name == "postgresql":
        return (literal_column("xmax") == 0).label("inserted")
    return None


def _upsert_titles(session: Session, posts: Sequence[Ready]) -> dict[str, int]:
    """``{digest: titles.id}`` of the posts' titles, inserting those not stored yet."""
    texts = {p.title_digest: p.title for p in posts if p.title_digest and p.title is not None}
    if not texts:
        return {}
    digests = sorted(texts)
    stmt = upsert_into(session, TITLES).on_conflict_do_nothing(index_elements=["digest"])
    for chunk in _chunks(digests):
        session.execute(stmt, [{"digest": d, "text": texts[d]} for d in chunk])
    ids: dict[str, int] = {}
    for chunk in _chunks(digests):
        query = select(TITLES.c.digest, TITLES.c.id).where(TITLES.c.digest.in_(chunk))
        ids.update((digest, title_id) for digest, title_id in session.execute(query))
    return ids


def _upsert_posts(
    session: Session, posts: Sequence[Ready], titles: dict[str, int], result: IngestResult
) -> dict[str, int]:
    """``{url: posts.id}`` of the posts written (not those another site holds)."""
    inserted = _inserted(session)
    existing: set[str] = set()
    if inserted is None:
        for chunk in _chunks([post.url for post in posts]):
            query = select(POSTS.c.url).where(POSTS.c.url.in_(chunk))
            existing.update(session.execute(query).scalars())
    rows = [
        post.row | {"title_id": titles.get(post.title_digest) if post.title_digest else None}
        for post in posts
    ]
    insert = upsert_into(session, POSTS)
    columns = ("title_id", "author", "posted_at", "fetched_at", "content_hash", "text", "otc_score")
    stmt = insert.on_conflict_do_update(
        index_elements=["url"],
        set_={name: insert.excluded[name] for name in columns},
        where=POSTS.c.site == insert.excluded.site,
    ).returning(POSTS.c.url, POSTS.c.id, *([inserted] if inserted is not None else []))
    ids: dict[str, int] = {}
    for chunk in _chunks(rows):
        for row in session.execute(stmt, list(chunk)):
            ids[row.url] = row.id
            new = bool(row.inserted) if inserted is not None else row.url not in existing
            result.new_posts += new
    result.posts = len(ids)
    result.posts_of_another_site = len(posts) - len(ids)
    return ids


def _upsert_entries(
    session: Session, sights: Iterable[Sight], now: datetime, result: IngestResult
) -> dict[tuple[str, str], int]:
    scores: dict[tuple[str, str], float] = {}
    for sight in sights:
        key = (sight.kind, sight.value)
        scores[key] = max(scores.get(key, 0.0), sight.score)
    keys = sorted(scores)
    inserted = _inserted(session)
    existing: set[tuple[str, str]] = set()
    if inserted is None:
        pair = tuple_(ENTRIES.c.kind, ENTRIES.c.value)
        for chunk in _chunks(keys):
            query = select(ENTRIES.c.kind, ENTRIES.c.value).where(pair.in_(chunk))
            existing.update((kind, value) for kind, value in session.execute(query))
    insert = upsert_into(session, ENTRIES)
    stmt = insert.on_conflict_do_update(
        index_elements=["kind", "value"],
        set_={
            "last_seen": case(
                (insert.excluded.last_seen > ENTRIES.c.last_seen, insert.excluded.last_seen),
                else_=ENTRIES.c.last_seen,
            ),
            "score": case(
                (insert.excluded.score > ENTRIES.c.score, insert.excluded.score),
                else_=ENTRIES.c.score,
            ),
        },
    ).returning(
        ENTRIES.c.kind,
        ENTRIES.c.value,
        ENTRIES.c.id,
        *([inserted] if inserted is not None else []),
    )
    rows = [
        {
            "kind": kind,
            "value": value,
            "status": "new",
            "score": scores[(kind, value)],
            "first_seen": now,
            "last_seen": now,
            "sightings": 0,
            "sites": "",
        }
        for kind, value in keys
    ]
    ids: dict[tuple[str, str], int] = {}
    for chunk in _chunks(rows):
        for row in session.execute(stmt, list(chunk)):
            key = (row.kind, row.value)
            ids[key] = row.id
            result.new_entries += (
                bool(row.inserted) if inserted is not None else key not in existing
            )
    return ids


def _refresh_counts(session: Session, entry_ids: list[int], now: datetime) -> list[int]:
    """Recount what entries that gained sightings show; returns those that are confirmed.

    Sightings and sites, the role mix and the best role, the posts' first and last times, the
    provider named most and the best sighting (the export's and feed's evidence).
    """
    if not entry_ids:
        return []
    facts: dict[int, dict[str, Any]] = {i: _no_facts(i) for i in entry_ids}
    confirmed: list[int] = []
    for chunk in _chunks(entry_ids):
        _count_roles(session, chunk, facts)
        query = (
            select(SIGHTINGS.c.entry_id, POSTS.c.site)
            .distinct()
            .join(POSTS, POSTS.c.id == SIGHTINGS.c.post_id)
            .where(SIGHTINGS.c.entry_id.in_(chunk))
        )
        sites: dict[int, set[str]] = {}
        for entry_id, site in session.execute(query):
            sites.setdefault(entry_id, set()).add(site)
        for entry_id, names in sites.items():
            facts[entry_id]["s"] = ",".join(sorted(names))
        _posted_times(session, chunk, facts)
        _providers(session, chunk, facts)
        _best_sightings(session, chunk, facts)
        query3 = select(ENTRIES.c.id).where(
            ENTRIES.c.id.in_(chunk), ENTRIES.c.status == "confirmed"
        )
        confirmed.extend(session.execute(query3).scalars())
    update = ENTRIES.update().where(ENTRIES.c.id == bindparam("eid"))
    session.execute(
        update.values(
            sightings=bindparam("n"),
            sites=bindparam("s"),
            best_role=bindparam("r"),
            offered=bindparam("offered_n"),
            reported=bindparam("reported_n"),
            mentioned=bindparam("mentioned_n"),
            first_posted=bindparam("fp"),
            last_posted=bindparam("lp"),
            provider=bindparam("pv"),
            best_sighting_id=bindparam("best"),
        ),
        list(facts.values()),
    )
    return confirmed


def confirmed_seen_again(session: Session, confirmed: list[int], now: datetime) -> None:
    """A confirmed entry seen again has new evidence and a new last_seen: the enforcement side
    hears of it through the change log (appended last: see ``change_log``)."""
    log_changes(session, [change(i, "upsert", "confirmed", now) for i in confirmed])


def _no_facts(entry_id: int) -> dict[str, Any]:
    return {
        "eid": entry_id,
        "n": 0,
        "s": "",
        "r": ROLE_OF_RANK[0],
        "offered_n": 0,
        "reported_n": 0,
        "mentioned_n": 0,
        "fp": None,
        "lp": None,
        "pv": None,
        "best": None,
    }


def _count_roles(session: Session, chunk: Sequence[int], facts: dict[int, dict[str, Any]]) -> None:
    query = (
        select(SIGHTINGS.c.entry_id, SIGHTINGS.c.role, func.count())
        .where(SIGHTINGS.c.entry_id.in_(chunk))
        .group_by(SIGHTINGS.c.entry_id, SIGHTINGS.c.role)
    )
    for entry_id, role, count in session.execute(query):
        row = facts[entry_id]
        row["n"] += count
        if role in ROLE_RANKS:
            row[f"{role}_n"] += count
            if ROLE_RANKS[role] > ROLE_RANKS[row["r"]]:
                row["r"] = role


def _posted_times(session: Session, chunk: Sequence[int], facts: dict[int, dict[str, Any]]) -> None:
    query = (
        select(SIGHTINGS.c.entry_id, func.min(POSTS.c.posted_at), func.max(POSTS.c.posted_at))
        .join(POSTS, POSTS.c.id == SIGHTINGS.c.post_id)
        .where(SIGHTINGS.c.entry_id.in_(chunk))
        .group_by(SIGHTINGS.c.entry_id)
    )
    for entry_id, first, last in session.execute(query):
        facts[entry_id]["fp"], facts[entry_id]["lp"] = first, last


def _providers(session: Session, chunk: Sequence[int], facts: dict[int, dict[str, Any]]) -> None:
    """The provider each entry's sightings named most (ties: alphabetically first)."""
    query = (
        select(SIGHTINGS.c.entry_id, SIGHTINGS.c.provider, func.count())
        .where(SIGHTINGS.c.entry_id.in_(chunk), SIGHTINGS.c.provider.is_not(None))
        .group_by(SIGHTINGS.c.entry_id, SIGHTINGS.c.provider)
    )
    best: dict[int, tuple[int, str]] = {}
    for entry_id, provider, count in session.execute(query):
        if entry_id not in best or (-count, provider) < (-best[entry_id][0], best[entry_id][1]):
            best[entry_id] = (count, provider)
    for entry_id, (_, provider) in best.items():
        facts[entry_id]["pv"] = provider


def _best_sightings(
    session: Session, chunk: Sequence[int], facts: dict[int, dict[str, Any]]
) -> None:
    """Each entry's best sighting: offered before reported before mentioned (an offer is never
    shown as a warning post), then the post's OTC score, then the latest fetch, then the first."""
    order = func.row_number().over(
        partition_by=SIGHTINGS.c.entry_id,
        order_by=(
            role_rank(SIGHTINGS.c.role).desc(),
            POSTS.c.otc_score.desc(),
            POSTS.c.fetched_at.desc(),
            SIGHTINGS.c.id,
        ),
    )
    ranked = (
        select(SIGHTINGS.c.entry_id, SIGHTINGS.c.id, order.label("place"))
        .join(POSTS, POSTS.c.id == SIGHTINGS.c.post_id)
        .where(SIGHTINGS.c.entry_id.in_(chunk))
        .subquery()
    )
    query = select(ranked.c.entry_id, ranked.c.id).where(ranked.c.place == 1)
    for entry_id, sighting_id in session.execute(query):
        facts[entry_id]["best"] = sighting_id
