"""What crawls remember between runs: page marks and validators, and the log of crawl runs.

A thread's *mark* is saved in the same transaction as the last of its posts (``save_posts``'s
``marks``), so a crawl killed at any moment never remembers a thread whose posts it lost.
Validators (``ETag``, ``Last-Modified``) are saved only by a crawl that finished having read
everything it was shown (see ``SiteSpider.closed``): a board page answered ``304`` is trusted to
list nothing new, which holds only if the crawl that saw it went on to store everything it listed.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Table, select
from sqlmodel import Session, SQLModel, col

from watchlist.store.engine import Store, upsert_into
from watchlist.store.storable import storable_text, stored_url
from watchlist.store.tables import CrawlRun, PageState, Post

PAGES: Table = SQLModel.metadata.tables[PageState.__tablename__]
RUNS: Table = SQLModel.metadata.tables[CrawlRun.__tablename__]
POSTS: Table = SQLModel.metadata.tables[Post.__tablename__]
CHUNK = 500


@dataclass(frozen=True, slots=True)
class PageMemory:
    """What the store remembers of one page."""

    mark: str | None
    etag: str | None
    last_modified: str | None


@dataclass(frozen=True, slots=True)
class RunRecord:
    """One crawl of one site, as the runner reports it."""

    site: str
    started_at: datetime
    finished_at: datetime
    ok: bool
    finish_reason: str
    pages: int
    unchanged: int
    posts: int
    new_posts: int
    new_entries: int
    new_sightings: int
    failed_requests: int
    problem: str | None
    stats: Mapping[str, Any]


def page_memory(store: Store, site: str) -> dict[str, PageMemory]:
    """``{url: PageMemory}`` of every page of ``site`` the store remembers.

    URLs are as the store keeps them (``storable.stored_url``): look a page up by that form.
    """
    query = select(PAGES.c.url, PAGES.c.mark, PAGES.c.etag, PAGES.c.last_modified).where(
        PAGES.c.site == site
    )
    with store.read() as session:
        return {url: PageMemory(mark, etag, lm) for url, mark, etag, lm in session.execute(query)}


def write_marks(session: Session, site: str, marks: Mapping[str, str]) -> None:
    """Upsert the marks of pages of ``site`` inside the caller's transaction."""
    rows = {stored_url(url): {"mark": storable_text(mark)} for url, mark in marks.items()}
    _upsert(session, site, rows, ["mark"])


def save_validators(store: Store, site: str, validators: Mapping[str, tuple[str, str]]) -> None:
    """Remember ``{url: (etag, last_modified)}`` of pages of ``site`` ("" for none)."""
    rows = {
        stored_url(url): {
            "etag": _exactly(etag, 512),
            "last_modified": _exactly(modified, 128),
        }
        for url, (etag, modified) in validators.items()
    }
    with store.write() as session:
        _upsert(session, site, rows, ["etag", "last_modified"])


def _exactly(validator: str, limit: int) -> str | None:
    """A validator the store can keep as it is, else None: a cut one would never match."""
    if not validator or len(validator) > limit or storable_text(validator) != validator:
        return None
    return validator


def _upsert(
    session: Session, site: str, by_url: Mapping[str, dict[str, Any]], columns: list[str]
) -> None:
    if not by_url:
        return
    rows = [{"url": url, **by_url[url]} for url in sorted(by_url)]
    now = datetime.now(UTC)
    insert = upsert_into(session, PAGES)
    stmt = insert.on_conflict_do_update(
        index_elements=["url"],
        set_={**{c: getattr(insert.excluded, c) for c in columns}, "updated_at": now},
    )
    for start in range(0, len(rows), CHUNK):
        chunk = [{**row, "site": site, "updated_at": now} for row in rows[start : start + CHUNK]]
        session.execute(stmt, chunk)


def known_post_urls(store: Store, urls: Iterable[str]) -> set[str]:
    """Which of ``urls`` are stored posts (a URL is known by the form the store keeps)."""
    asked: dict[str, set[str]] = {}
    for url in urls:
        asked.setdefault(stored_url(url), set()).add(url)
    wanted = sorted(asked)
    found: set[str] = set()
    with store.read() as session:
        for start in range(0, len(wanted), CHUNK):
            chunk = wanted[start : start + CHUNK]
            query = select(POSTS.c.url).where(POSTS.c.url.in_(chunk))
            for stored in session.execute(query).scalars():
                found.update(asked[stored])
    return found


def record_run(store: Store, run: RunRecord) -> int:
    """Append ``run`` to the ``crawl_runs`` log; its id."""
    values = {
        name: getattr(run, name) for name in RunRecord.__dataclass_fields__ if name != "stats"
    }
    values["problem"] = storable_text(run.problem) if run.problem else run.problem
    values["finish_reason"] = storable_text(run.finish_reason)[:64]
    values["stats"] = json.dumps(dict(run.stats), default=str, sort_keys=True)  # escapes all
    with store.write() as session:
        result = session.execute(RUNS.insert().values(**values).returning(RUNS.c.id))
        return int(result.scalar_one())


def recent_runs(store: Store, site: str | None = None, limit: int = 20) -> list[CrawlRun]:
    """The newest crawl runs, newest first, of one site or of all."""
    query = select(CrawlRun).order_by(col(CrawlRun.id).desc()).limit(limit)
    if site is not None:
        query = query.where(col(CrawlRun.site) == site)
    with store.read() as session:
        return list(session.execute(query).scalars())
