"""The store on real SQLite (and PostgreSQL where marked): migrations, upserts, reviews."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

from watchlist.errors import NotFound, StoreError
from watchlist.extract.model import Handle
from watchlist.store import (
    EntryFilter,
    Found,
    PostRecord,
    get_entry,
    list_entries,
    open_store,
    save_posts,
    set_status,
)
from watchlist.store.queries import summary


def post(url: str, text: str, site: str = "a", *handles: Handle) -> PostRecord:
    return PostRecord(
        url=url,
        site=site,
        text=text,
        fetched_at=datetime.now(UTC),
        otc_score=0.6,
        found=tuple(Found(h) for h in handles),
    )


PHONE = Handle("phone", "+8613800138000", 3, 14, None, "offered")
TG = Handle("telegram", "usdt_king", 15, 25, "telegram", "mentioned")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db(request: pytest.FixtureRequest) -> str:
    name = "sqlite_url" if request.param == "sqlite" else "postgres_url"
    return str(request.getfixturevalue(name))


def test_migrations_create_exactly_the_schema_of_the_models(db: str) -> None:
    store = open_store(db)
    with store.engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), SQLModel.metadata)
    store.close()
    assert diff == []


def test_saving_the_same_posts_twice_changes_nothing_the_second_time(db: str) -> None:
    store = open_store(db)
    batch = [post("u1", "加V 13800138000 @usdt_king", "a", PHONE, TG), post("u2", "hi", "b")]
    first = save_posts(store, batch)
    second = save_posts(store, batch)
    assert (first.new_posts, first.new_entries, first.new_sightings) == (2, 2, 2)
    assert (second.new_posts, second.new_entries, second.new_sightings) == (0, 0, 0)
    totals = summary(store)
    assert (totals.posts, totals.entries, totals.sightings) == (2, 2, 2)
    store.close()


def test_an_entry_seen_on_two_sites_counts_both_and_keeps_the_best_score(db: str) -> None:
    store = open_store(db)
    weak = Handle("phone", "+8613800138000", 0, 11, None, "mentioned")
    save_posts(store, [post("u1", "13800138000", "b", weak)])
    save_posts(store, [post("u2", "联系 13800138000", "a", PHONE)])
    (entry,) = list_entries(store)
    assert (entry.sightings, entry.sites) == (2, "a,b")
    assert entry.score == pytest.approx(0.6)
    assert entry.last_seen >= entry.first_seen
    assert [e.kind for e in list_entries(store, EntryFilter(site="b"))] == ["phone"]
    assert list_entries(store, EntryFilter(site="zzz")) == []
    store.close()


def test_evidence_highlight_points_at_the_handle_in_the_snippet(db: str) -> None:
    store = open_store(db)
    text = "x" * 200 + " 13800138000 " + "y" * 200
    start = text.index("138")
    handle = Handle("phone", "+8613800138000", start, start + 11)
    save_posts(store, [post("u1", text, "a", handle)])
    (evidence,) = get_entry(store, 1).evidence
    begin, end = evidence.highlight
    assert evidence.sighting.snippet[begin:end] == "13800138000"
    store.close()


def test_new_evidence_on_a_confirmed_entry_is_logged_as_a_change(db: str) -> None:
    from sqlmodel import select

    from watchlist.store.tables import Change

    store = open_store(db)
    save_posts(store, [post("u1", "联系 13800138000", "a", PHONE)])
    set_status(store, [1], "confirmed", "alice")
    save_posts(store, [post("u2", "联系 13800138000", "a", PHONE)])
    save_posts(store, [post("u2", "联系 13800138000", "a", PHONE)])  # nothing new
    with store.read() as session:
        ops = [(c.op, c.status) for c in session.exec(select(Change).order_by(Change.seq))]  # type: ignore[arg-type]
    assert ops == [("upsert", "confirmed"), ("upsert", "confirmed")]
    store.close()


def test_review_of_a_missing_entry_raises_not_found_and_changes_nothing(db: str) -> None:
    store = open_store(db)
    save_posts(store, [post("u1", "联系 13800138000", "a", PHONE)])
    with pytest.raises(NotFound):
        set_status(store, [1, 42], "confirmed", "alice")
    assert list_entries(store)[0].status == "new"
    store.close()


def test_unsupported_database_url_is_a_store_error() -> None:
    with pytest.raises(StoreError, match="unsupported database"):
        open_store("mysql://localhost/x")
    with pytest.raises(StoreError, match="not a database URL"):
        open_store("not a url")


def test_a_public_contract_address_scores_a_tenth_of_a_seller_address(db: str) -> None:
    store = open_store(db)
    tether = Handle("tron", "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t", 0, 34, None, "offered")
    seller = Handle("tron", "TGEcGedAW2cmPho9Pm72CbUdij26FMkFgq", 35, 69, None, "offered")
    save_posts(store, [post("u1", "x", "a", tether, seller)])
    scores = {e.value: e.score for e in list_entries(store)}
    assert scores[seller.value] == pytest.approx(0.6)
    assert scores[tether.value] == pytest.approx(0.06)
    store.close()


def test_the_head_revision_read_without_alembic_is_alembics_head() -> None:
    from alembic.script import ScriptDirectory

    from watchlist.store.engine import MIGRATIONS, head_revision

    assert head_revision() == ScriptDirectory(str(MIGRATIONS)).get_current_head()
