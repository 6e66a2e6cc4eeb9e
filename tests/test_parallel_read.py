"""Two reader threads over one SQLite snapshot (store.parallel_read): what exports stand on.

A real SQLite store filled through the real extractor and ingest; a real writer commits while
the threads read.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlmodel import Session

from watchlist.extract import extract
from watchlist.store import Found, PostRecord, Store, open_store, save_posts, set_status
from watchlist.store.export_view import ENTRIES
from watchlist.store.parallel_read import in_blocks

FETCHED = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def posts(first: int, count: int) -> list[PostRecord]:
    records = []
    for n in range(first, first + count):
        text = f"长期出U，加微信 wxseller{n:04d} 秒回"
        found = extract(text)
        records.append(
            PostRecord(
                url=f"http://forum.test/t/{n}#p{n}",
                site="forum",
                text=text,
                fetched_at=FETCHED,
                otc_score=found.otc_score,
                found=tuple(Found(h) for h in found.handles),
            )
        )
    return records


@pytest.fixture
def store(sqlite_url: str) -> Store:
    opened = open_store(sqlite_url)
    save_posts(opened, posts(0, 60))
    return opened


def statuses(session: Session, after: int | None, up_to: int | None) -> list[tuple[int, str]]:
    query = select(ENTRIES.c.id, ENTRIES.c.status).order_by(ENTRIES.c.id)
    if after is not None:
        query = query.where(ENTRIES.c.id > after)
    if up_to is not None:
        query = query.where(ENTRIES.c.id <= up_to)
    return [(i, s) for i, s in session.execute(query)]


def everything(store: Store) -> list[tuple[int, str]]:
    with store.read() as session:
        return statuses(session, None, None)


def test_reader_threads_see_one_snapshot_while_a_writer_commits(store: Store) -> None:
    before = everything(store)
    assert len(before) == 60
    blocks = in_blocks(store, statuses, readers=2, block=2)
    got = list(next(blocks))
    # a write commits while the threads read: confirmed statuses and ten new entries
    set_status(store, [i for i, _ in before], "confirmed", "r", None, four_eyes=False)
    save_posts(store, posts(60, 10))
    for block in blocks:
        got.extend(block)
    assert got == before  # every entry once, in id order, as it was when the read began
    assert len(everything(store)) == 70
    store.close()


def test_an_error_in_a_reader_thread_reaches_the_caller(store: Store) -> None:
    def read(session: Session, after: int | None, up_to: int | None) -> int:
        if after is not None and after > 20:
            raise RuntimeError(f"broken block after {after}")
        return len(statuses(session, after, up_to))

    with pytest.raises(RuntimeError, match="broken block"):
        list(in_blocks(store, read, readers=2, block=5))
    store.close()


def test_a_caller_that_stops_early_leaves_no_reader_thread_behind(store: Store) -> None:
    blocks = in_blocks(store, statuses, readers=2, block=1)
    assert next(blocks)
    blocks.close()
    alive = [t.name for t in threading.enumerate() if t.name.startswith("watchlist-read-")]
    assert alive == []
    store.close()
