"""The queue's plain-SQL reads: one definition, run by sqlite3 and by SQLAlchemy alike.

``watchlist review`` on a SQLite file reads its first screen through the standard library's
``sqlite3`` (``store.plain_sql``) so that it draws before the ORM is imported; everything else
runs the same statements through SQLAlchemy. These tests prove both drivers give the same
entries in the same order, that the order is the documented one, and that the first screen
needs no ORM.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from review_seed import post, seed
from sqlmodel import select

from watchlist.store import Store, engine, ingest, open_store, save_posts, set_status, tables
from watchlist.store.allowlist import AllowItem, allow, allowed_keys
from watchlist.store.clusters import entry_cluster
from watchlist.store.entry_sql import SNIPPET_CONTEXT, read_entry_view
from watchlist.store.plain_sql import SqliteReader, head_revision, sqlite_reader
from watchlist.store.queue import store_reader
from watchlist.store.queue_sql import (
    BANDS,
    ROLE_RANKS,
    QueueFilter,
    band_counts,
    band_ids,
    band_of,
    position,
    queue_kinds,
)
from watchlist.store.rereview import rereview_ids
from watchlist.store.tables import Entry

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from review_world import SITES, generate  # noqa: E402


def _reader(url: str) -> SqliteReader:
    reader = sqlite_reader(url)
    assert reader is not None
    return reader


def documented_order(store: Store, where: QueueFilter, left_out: set[int]) -> list[int]:
    """The queue as docs/review.md defines it, sorted in Python from the ORM's rows."""
    with store.read() as session:
        entries = list(session.exec(select(Entry)))

    def keeps(e: Entry) -> bool:
        return (
            e.status == "new"
            and (not where.kinds or e.kind in where.kinds)
            and (where.site is None or where.site in e.sites.split(","))
            and (where.min_score is None or e.score >= where.min_score)
            and (e.id or 0) not in left_out
        )

    def key(e: Entry) -> tuple[object, ...]:
        sites = len([s for s in e.sites.split(",") if s])
        return (
            -band_of(e.score),
            -ROLE_RANKS[e.best_role],
            -sites,
            -e.sightings,
            -e.last_seen.timestamp(),
            -e.score,
            e.id,
        )

    return [int(e.id or 0) for e in sorted(filter(keeps, entries), key=key)]


@pytest.fixture
def world(sqlite_url: str) -> Store:
    """2,000 generated entries with many ties, some allowlisted, some confirmed once."""
    store = open_store(sqlite_url)
    generate(store, 2_000, 12_000)
    with store.read() as session:
        new = list(session.exec(select(Entry).where(Entry.status == "new").limit(200)))
    qq = [e for e in new if e.kind == "qq"][:10]  # generated QQ numbers are valid ones
    allow(store, [AllowItem(e.kind, e.value, "ours") for e in qq], "admin")
    assert len(left_out_for(store, "nobody")) == len(qq)
    once = [int(e.id or 0) for e in new if e.kind != "qq"][:10]
    set_status(store, once, "confirmed", "alice", four_eyes=True)
    return store


FILTERS = [
    QueueFilter(),
    QueueFilter(kinds=("phone", "alipay")),
    QueueFilter(site=SITES[3]),
    QueueFilter(min_score=0.45),
    QueueFilter(kinds=("tron",), site=SITES[0], min_score=0.2),
]


@pytest.mark.parametrize("where", FILTERS, ids=lambda w: w.key())
def test_sqlite3_and_sqlalchemy_give_the_same_entries_in_the_documented_order(
    world: Store, sqlite_url: str, where: QueueFilter
) -> None:
    light, orm = _reader(sqlite_url), store_reader(world)
    try:
        counts = band_counts(light, where, "alice")
        assert counts == band_counts(orm, where, "alice") and sum(counts.values()) > 0
        walked: list[int] = []
        for band in range(BANDS - 1, -1, -1):
            ids = band_ids(light, where, "alice", band)
            assert ids == band_ids(orm, where, "alice", band)
            assert len(ids) == counts.get(band, 0)
            walked.extend(ids)
        assert walked == documented_order(world, where, left_out_for(world, "alice"))
        # a batch's scope is the same order over all bands (not band by band)
        assert [i for i, _ in queue_kinds(light, where, "alice")] == [
            i for i, _ in queue_kinds(orm, where, "alice")
        ]
        # bob confirmed nothing once: he sees alice's first confirmations
        assert sum(band_counts(light, where, "bob").values()) >= sum(counts.values())
        middle = walked[len(walked) // 2]
        assert position(light, where, "alice", middle) == position(orm, where, "alice", middle)
    finally:
        light.close()


def left_out_for(store: Store, reviewer: str) -> set[int]:
    """Allowlisted entries and those ``reviewer`` confirmed once, read through the ORM."""
    allowed = allowed_keys(store)
    with store.read() as session:
        entries = list(session.exec(select(Entry)))
    return {
        int(e.id or 0)
        for e in entries
        if (e.kind, e.value) in allowed or e.first_confirmed_by == reviewer
    }


def test_both_drivers_read_the_same_entry_view(world: Store, sqlite_url: str) -> None:
    light, orm = _reader(sqlite_url), store_reader(world)
    try:
        ids = band_ids(light, QueueFilter(), "alice", 9)[:25]
        for entry_id in ids:
            view = read_entry_view(light, entry_id)
            assert view == read_entry_view(orm, entry_id)
            assert len(view.evidence) == min(3, view.evidence_total)
        full = read_entry_view(light, ids[0], None)
        assert full == read_entry_view(orm, ids[0], None)
        assert len(full.evidence) == full.evidence_total
    finally:
        light.close()


def test_the_seeded_world_s_views_clusters_and_rereview_agree_on_both_drivers(
    sqlite_url: str,
) -> None:
    ids = seed(sqlite_url)
    store = open_store(sqlite_url)
    light, orm = _reader(sqlite_url), store_reader(store)
    try:
        for entry_id in ids.values():
            assert read_entry_view(light, entry_id) == read_entry_view(orm, entry_id)
        view = read_entry_view(light, ids["+8613800138000"])
        assert view.cluster is not None and view.cluster.id == entry_cluster(store, view.entry.id)
        assert [o.value for o in view.others][:1] and view.roles == {"offered": 2}
        cluster = QueueFilter(cluster=view.cluster.id)
        assert band_counts(light, cluster, "alice") == band_counts(orm, cluster, "alice")
        # the queue's re-review condition is the store's (rereview.needs_rereview)
        set_status(store, [ids["evil_seller"]], "dismissed", "bob", reason="not-otc")
        again = post(
            "http://forum-c.test/t/4#p1",
            "forum-c",
            "出U 微信 evil_seller",
            0.9,
            [("wechat", "evil_seller", "evil_seller", "offered")],
        )
        save_posts(store, [again])
        flagged = QueueFilter(rereview=True)
        walked = [i for band in range(BANDS) for i in band_ids(light, flagged, "alice", band)]
        assert walked == rereview_ids(store) == [ids["evil_seller"]]
        assert read_entry_view(light, ids["evil_seller"]).rereview
    finally:
        light.close()


def test_the_plain_sql_constants_are_the_store_s() -> None:
    assert ROLE_RANKS == tables.ROLE_RANKS
    assert SNIPPET_CONTEXT == ingest.SNIPPET_CONTEXT
    assert head_revision() == engine.head_revision()


def test_the_sqlite3_reader_is_only_for_a_sqlite_file_at_the_newest_schema(
    tmp_path: Path, sqlite_url: str
) -> None:
    missing = tmp_path / "nowhere" / "x.db"
    assert sqlite_reader(f"sqlite:///{missing}") is None and not missing.parent.exists()
    empty = tmp_path / "empty.db"
    empty.touch()
    assert sqlite_reader(str(empty)) is None and empty.stat().st_size == 0
    assert sqlite_reader("postgresql+psycopg://u@localhost/x") is None
    assert sqlite_reader("sqlite:///:memory:") is None
    open_store(sqlite_url).close()
    reader = sqlite_reader(sqlite_url)
    assert reader is not None
    reader.close()
    stale = tmp_path / "stale.db"
    store = open_store(str(stale))
    with store.write() as session:
        session.connection().exec_driver_sql("UPDATE alembic_version SET version_num = '0001'")
    store.close()
    assert sqlite_reader(str(stale)) is None  # a store to migrate: opened the usual way


FIRST_SCREEN = """
import io, json, sys
from watchlist.cli import review as cli_review  # the command's module, as `watchlist review`
from watchlist.review.app import ReviewApp
from watchlist.review.panels import entry_text
from watchlist.review.session import ReviewSession, StoreOpening
from watchlist.store.plain_sql import sqlite_reader
from rich.console import Console

reader = sqlite_reader(sys.argv[1])
session = ReviewSession(StoreOpening(lambda: 1 / 0), "alice", reads=reader)
session.open()
view = session.view()
console = Console(width=80, record=True, file=io.StringIO())
console.print(entry_text(view))
heavy = sorted(m for m in ("sqlalchemy", "sqlmodel", "pydantic", "watchlist.store.tables")
               if m in sys.modules)
print(json.dumps({"heavy": heavy, "total": session.total, "text": console.export_text()}))
"""


def test_the_first_screen_is_read_and_drawn_without_sqlalchemy_sqlmodel_or_pydantic(
    sqlite_url: str,
) -> None:
    ids = seed(sqlite_url)
    run = subprocess.run(
        [sys.executable, "-c", FIRST_SCREEN, sqlite_url],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    found = json.loads(run.stdout)
    assert found["heavy"] == []
    assert found["total"] == len(ids)
    assert "evidence: best" in found["text"]


def test_a_queue_started_before_its_store_is_open_writes_every_decision_and_saves_its_place(
    sqlite_url: str,
) -> None:
    from test_review_queue import Pilot, drive

    from watchlist.review.session import ReviewSession, StoreOpening
    from watchlist.store.queue import saved_cursor
    from watchlist.store.tables import Review

    seed(sqlite_url)
    opening = StoreOpening(lambda: open_store(sqlite_url))
    session = ReviewSession(opening, "alice", reads=_reader(sqlite_url))
    session.open()
    assert not session.store_is_open
    first, second = session.ids[0], session.ids[1]

    async def scenario(pilot: Pilot) -> None:
        await pilot.press("c")  # at once: the decision waits for the store, then is written
        assert f"#{first} new → confirmed" in pilot.screen()
        await pilot.press("z")
        assert f"undone: #{first} confirmed → new" in pilot.screen()
        await pilot.press("j")

    drive(session, scenario)
    store = open_store(sqlite_url)
    with store.read() as s:
        actions = [(r.entry_id, r.action, r.reviewer) for r in s.exec(select(Review))]
    assert actions == [(first, "confirm", "alice"), (first, "undo", "alice")]
    assert saved_cursor(store, "alice", QueueFilter()) == second
    session.close()


@pytest.mark.postgres
def test_postgresql_runs_the_same_plain_sql_and_shows_the_same_entries(
    sqlite_url: str, postgres_url: str
) -> None:
    from rich.console import Console

    from watchlist.review.panels import entry_text

    def shown(url: str) -> tuple[list[list[int]], list[str]]:
        ids = seed(url)
        store = open_store(url)
        reader = store_reader(store)
        bands = [band_ids(reader, QueueFilter(), "alice", band) for band in range(BANDS)]
        texts = []
        for entry_id in sorted(ids.values()):
            console = Console(width=80, record=True, file=io.StringIO())
            console.print(entry_text(read_entry_view(reader, entry_id)))
            texts.append(console.export_text())
        store.close()
        return bands, texts

    assert shown(postgres_url) == shown(sqlite_url)
