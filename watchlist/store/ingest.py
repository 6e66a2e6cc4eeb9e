"""Write crawled posts and their handles: idempotent, batched upserts on SQLite and PostgreSQL.

Re-saving a post never duplicates it or its sightings; two processes saving at once queue on
the database's write lock (see ``engine.py``) and both succeed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Table, bindparam, case, func, select, tuple_
from sqlmodel import Session, SQLModel

from watchlist.extract.known import is_public_contract
from watchlist.store.crawl_state import write_marks
from watchlist.store.engine import Store, upsert_into
from watchlist.store.records import Found, IngestResult, PostRecord
from watchlist.store.tables import Change, Entry, Post, Sighting

SNIPPET_CONTEXT = 80
CHUNK = 500
ROLE_WEIGHT = {"offered": 1.0, "reported": 0.9, "mentioned": 0.5}
PUBLIC_CONTRACT_WEIGHT = 0.1

POSTS: Table = SQLModel.metadata.tables[Post.__tablename__]
ENTRIES: Table = SQLModel.metadata.tables[Entry.__tablename__]
SIGHTINGS: Table = SQLModel.metadata.tables[Sighting.__tablename__]
CHANGES: Table = SQLModel.metadata.tables[Change.__tablename__]


def content_hash(text: str) -> str:
    """The SHA-256 of a post's text, hex."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def entry_score(otc_score: float, role: str, kind: str = "", value: str = "") -> float:
    """How strongly one sighting points at a seller: the post's OTC score, weighed by role.

    A public contract address (Tether's, USDC's: every USDT post may name one) scores a tenth.
    """
    weight = PUBLIC_CONTRACT_WEIGHT if is_public_contract(kind, value) else 1.0
    return round(min(1.0, max(0.0, otc_score)) * ROLE_WEIGHT.get(role, 0.5) * weight, 4)


def snippet(text: str, start: int, end: int) -> str:
    """The text around a span, for evidence."""
    return text[max(0, start - SNIPPET_CONTEXT) : end + SNIPPET_CONTEXT]


def _chunks(items: Sequence[Any], size: int = CHUNK) -> Iterable[Sequence[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def save_posts(
    store: Store,
    posts: Sequence[PostRecord],
    marks: Mapping[str, Mapping[str, str]] | None = None,
) -> IngestResult:
    """Upsert ``posts`` with their entries and sightings in one transaction.

    ``marks`` (``{site: {page url: mark}}``, see ``crawl_state``) are saved in the same
    transaction: a page is remembered as done only together with its posts.
    """
    by_url = {post.url: post for post in posts}
    if not by_url and not marks:
        return IngestResult()
    with store.write() as session:
        # Sorted keys everywhere: concurrent writers then take row locks in the same order and
        # cannot deadlock on PostgreSQL.
        result = (
            _save(session, [by_url[url] for url in sorted(by_url)], datetime.now(UTC))
            if by_url
            else IngestResult()
        )
        for site, site_marks in sorted((marks or {}).items()):
            write_marks(session, site, site_marks)
        return result


def _save(session: Session, posts: list[PostRecord], now: datetime) -> IngestResult:
    result = IngestResult(posts=len(posts))
    post_ids = _upsert_posts(session, posts, result)
    found = {
        (post.url, f.handle.kind, f.handle.value): (post, f)
        for post in reversed(posts)
        for f in reversed(post.found)
    }  # reversed: the first occurrence in a post wins
    if not found:
        return result
    entry_ids = _upsert_entries(session, found.values(), now, result)
    rows = []
    for (url, kind, value), (post, f) in found.items():
        text = f.payload if f.payload is not None else post.text
        rows.append(
            {
                "entry_id": entry_ids[(kind, value)],
                "post_id": post_ids[url],
                "snippet": snippet(text, f.handle.start, f.handle.end),
                "span_start": f.handle.start,
                "span_end": f.handle.end,
                "provider": f.handle.provider,
                "role": f.handle.role,
                "source": f.source,
                "seen_at": now,
            }
        )
    stmt = (
        upsert_into(session, SIGHTINGS)
        .on_conflict_do_nothing(index_elements=["entry_id", "post_id"])
        .returning(SIGHTINGS.c.entry_id)
    )
    rows.sort(key=lambda row: (row["entry_id"], row["post_id"]))
    gained: list[int] = []
    for chunk in _chunks(rows):
        gained.extend(session.execute(stmt, list(chunk)).scalars())
    result.new_sightings = len(gained)
    _refresh_counts(session, sorted(set(gained)), now)
    return result


def _upsert_posts(
    session: Session, posts: list[PostRecord], result: IngestResult
) -> dict[str, int]:
    urls = [post.url for post in posts]
    existing: set[str] = set()
    for chunk in _chunks(urls):
        existing.update(
            session.execute(select(POSTS.c.url).where(POSTS.c.url.in_(chunk))).scalars()
        )
    result.new_posts = len(set(urls) - existing)
    rows = [
        {
            "url": post.url,
            "site": post.site,
            "title": post.title,
            "author": post.author,
            "posted_at": post.posted_at,
            "fetched_at": post.fetched_at,
            "content_hash": content_hash(post.text),
            "text": post.text,
            "otc_score": post.otc_score,
        }
        for post in posts
    ]
    insert = upsert_into(session, POSTS)
    updated = {
        name: insert.excluded[name]
        for name in (
            "title",
            "author",
            "posted_at",
            "fetched_at",
            "content_hash",
            "text",
            "otc_score",
        )
    }
    stmt = insert.on_conflict_do_update(index_elements=["url"], set_=updated)
    for chunk in _chunks(rows):
        session.execute(stmt, list(chunk))
    ids: dict[str, int] = {}
    for chunk in _chunks(urls):
        query = select(POSTS.c.url, POSTS.c.id).where(POSTS.c.url.in_(chunk))
        ids.update((url, post_id) for url, post_id in session.execute(query))
    return ids


def _upsert_entries(
    session: Session,
    found: Iterable[tuple[PostRecord, Found]],
    now: datetime,
    result: IngestResult,
) -> dict[tuple[str, str], int]:
    scores: dict[tuple[str, str], float] = {}
    for post, f in found:
        key = (f.handle.kind, f.handle.value)
        score = entry_score(post.otc_score, f.handle.role, *key)
        scores[key] = max(scores.get(key, 0.0), score)
    keys = list(scores)
    pair = tuple_(ENTRIES.c.kind, ENTRIES.c.value)
    existing: set[tuple[str, str]] = set()
    for chunk in _chunks(keys):
        query = select(ENTRIES.c.kind, ENTRIES.c.value).where(pair.in_(chunk))
        existing.update((kind, value) for kind, value in session.execute(query))
    result.new_entries = len(set(keys) - existing)
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
    )
    rows = [
        {
            "kind": kind,
            "value": value,
            "status": "new",
            "score": score,
            "first_seen": now,
            "last_seen": now,
            "sightings": 0,
            "sites": "",
        }
        for (kind, value), score in sorted(scores.items())
    ]
    for chunk in _chunks(rows):
        session.execute(stmt, list(chunk))
    ids: dict[tuple[str, str], int] = {}
    for chunk in _chunks(keys):
        query = select(ENTRIES.c.kind, ENTRIES.c.value, ENTRIES.c.id).where(pair.in_(chunk))
        ids.update(((k, v), i) for k, v, i in session.execute(query))
    return ids


def _refresh_counts(session: Session, entry_ids: list[int], now: datetime) -> None:
    """Recount sightings and sites of entries that gained sightings; log confirmed ones."""
    counts: dict[int, int] = {}
    sites: dict[int, set[str]] = {}
    confirmed: list[int] = []
    for chunk in _chunks(entry_ids):
        query = (
            select(SIGHTINGS.c.entry_id, func.count())
            .where(SIGHTINGS.c.entry_id.in_(chunk))
            .group_by(SIGHTINGS.c.entry_id)
        )
        counts.update(session.execute(query).all())
        query2 = (
            select(SIGHTINGS.c.entry_id, POSTS.c.site)
            .distinct()
            .join(POSTS, POSTS.c.id == SIGHTINGS.c.post_id)
            .where(SIGHTINGS.c.entry_id.in_(chunk))
        )
        for entry_id, site in session.execute(query2):
            sites.setdefault(entry_id, set()).add(site)
        query3 = select(ENTRIES.c.id).where(
            ENTRIES.c.id.in_(chunk), ENTRIES.c.status == "confirmed"
        )
        confirmed.extend(session.execute(query3).scalars())
    if not entry_ids:
        return
    update = ENTRIES.update().where(ENTRIES.c.id == bindparam("eid"))
    session.execute(
        update.values(sightings=bindparam("n"), sites=bindparam("s")),
        [
            {"eid": i, "n": counts.get(i, 0), "s": ",".join(sorted(sites.get(i, ())))}
            for i in entry_ids
        ],
    )
    # A confirmed entry seen again has new evidence and a new last_seen: the enforcement side
    # hears of it through the change log.
    changes = [{"entry_id": i, "op": "upsert", "status": "confirmed", "at": now} for i in confirmed]
    if changes:
        session.execute(CHANGES.insert(), changes)
