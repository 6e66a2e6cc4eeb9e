"""``/v1/changes``, the delta feed: seq order, the allowlist rule, the sync's shape, and on
PostgreSQL a change that commits late is never skipped by a reader paging by seq."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from api_client import ApiClient
from review_seed import seed
from sqlalchemy import text

from watchlist.api import create_app
from watchlist.change_objects import change_object
from watchlist.export.hashing import hashed_value
from watchlist.store import Store, open_store, set_status
from watchlist.store.allowlist import AllowItem, allow
from watchlist.store.change_log import change, log_changes
from watchlist.store.feed import read_changes
from watchlist.store.tokens import create_token

ENTRY_KEYS = {"kind", "value", "status", "score", "first_seen", "last_seen", "evidence"}


@pytest.fixture
def feed(sqlite_url: str) -> Iterator[tuple[Store, dict[str, int], ApiClient]]:
    ids = seed(sqlite_url)
    store = open_store(sqlite_url)
    client = ApiClient(create_app(store), create_token(store, "feed"))
    try:
        yield store, ids, client
    finally:
        store.close()


def history(store: Store, ids: dict[str, int]) -> None:
    """Confirm two, dismiss one of them, confirm a third, then allowlist that third."""
    set_status(store, [ids["+8613800138000"], ids["usdt_king88"]], "confirmed", "alice")
    set_status(store, [ids["usdt_king88"]], "dismissed", "bob")
    set_status(store, [ids["12345678"]], "confirmed", "alice")
    allow(store, [AllowItem("qq", "12345678")], "carol")


def test_changes_come_in_seq_order_and_next_after_pages_through_them(
    feed: tuple[Store, dict[str, int], ApiClient],
) -> None:
    store, ids, client = feed
    history(store, ids)
    pages, after = [], 0
    while True:
        body = client.get("/v1/changes", params={"after": after, "limit": 2}).json()
        if not body["changes"]:
            assert body["next_after"] == after  # nothing new: ask again from the same place
            break
        pages.append([(c["seq"], c["op"], c["entry"]["value"]) for c in body["changes"]])
        after = body["next_after"]
        assert after == body["changes"][-1]["seq"]
    assert pages == [
        [(1, "upsert", "+8613800138000"), (2, "upsert", "usdt_king88")],
        # seq 4, the upsert of the qq number allowlisted since, is left out; its remove is not
        [(3, "remove", "usdt_king88"), (5, "remove", "12345678")],
    ]


def test_a_change_object_has_the_sync_protocols_shape(
    feed: tuple[Store, dict[str, int], ApiClient],
) -> None:
    store, ids, client = feed
    history(store, ids)
    changes = client.get("/v1/changes").json()["changes"]
    for item in changes:
        assert set(item) == {"seq", "op", "entry"}
        assert set(item["entry"]) == ENTRY_KEYS
    first = changes[0]["entry"]
    assert first["kind"] == "phone" and first["status"] == "confirmed"
    assert first["evidence"] == ["http://forum-a.test/t/1#p1", "http://forum-b.test/t/9#p3"]
    assert first["first_seen"].endswith("Z")
    removed = changes[2]["entry"]
    assert (changes[2]["op"], removed["status"]) == ("remove", "dismissed")


def test_a_hashed_change_object_spells_no_value() -> None:
    from watchlist.store.feed import ChangeRow

    now = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
    row = ChangeRow(7, "upsert", "confirmed", 1, "qq", "12345678", 0.9, now, now, ("http://x/1",))
    hashed = change_object(row, salt=b"pepper")
    assert hashed["entry"]["value"] == hashed_value("qq", "12345678", b"pepper")
    assert "12345678" not in str(hashed)
    assert change_object(row)["entry"]["first_seen"] == "2026-12-01T10:00:00Z"


def test_a_token_whose_statuses_leave_out_confirmed_has_no_changes(
    feed: tuple[Store, dict[str, int], ApiClient],
) -> None:
    store, ids, client = feed
    history(store, ids)
    queue_only = create_token(store, "queue", statuses=["new"])
    body = client.get("/v1/changes", token=queue_only, params={"after": 1}).json()
    assert body == {"changes": [], "next_after": 1}


def test_a_bad_after_or_limit_is_422(feed: tuple[Store, dict[str, int], ApiClient]) -> None:
    _, _, client = feed
    for params in ({"after": -1}, {"after": "x"}, {"limit": 0}, {"limit": 1001}):
        response = client.get("/v1/changes", params=params)
        assert response.status_code == 422, params
        assert "error" in response.json()


def _waiting_on_a_lock(store: Store) -> bool:
    """Whether some transaction waits for an advisory lock (the change log's)."""
    with store.read() as session:
        query = "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
        return bool(session.execute(text(query)).scalar())


@pytest.mark.postgres
def test_a_change_that_commits_late_on_postgresql_is_never_skipped(postgres_url: str) -> None:
    ids = seed(postgres_url)
    store = open_store(postgres_url)
    client = ApiClient(create_app(store), create_token(store, "feed"))
    phone, qq = ids["+8613800138000"], ids["12345678"]
    now = datetime.now(UTC)
    first_in, first_may_commit = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def first_writer() -> None:  # appends first (the lower seq), commits last
        try:
            with store.write() as session:
                log_changes(session, [change(phone, "upsert", "confirmed", now)])
                first_in.set()
                first_may_commit.wait(60)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    def second_writer() -> None:  # appends later, tries to commit while the first is open
        try:
            with store.write() as session:
                log_changes(session, [change(qq, "upsert", "confirmed", now)])
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    try:
        first = threading.Thread(target=first_writer)
        first.start()
        assert first_in.wait(60)
        second = threading.Thread(target=second_writer)
        second.start()
        deadline = time.monotonic() + 60
        while not _waiting_on_a_lock(store):  # the second waits for the first to commit
            assert time.monotonic() < deadline, "the second writer never waited"
            time.sleep(0.02)
        assert second.is_alive()
        early = client.get("/v1/changes").json()
        assert early == {"changes": [], "next_after": 0}  # neither is visible yet
        first_may_commit.set()
        first.join(60)
        second.join(60)
        assert errors == []
        late = client.get("/v1/changes", params={"after": early["next_after"]}).json()
        delivered = [(c["seq"], c["entry"]["value"]) for c in late["changes"]]
        assert [value for _, value in delivered] == ["+8613800138000", "12345678"]
        assert delivered[0][0] < delivered[1][0]
        assert read_changes(store, late["next_after"], 10) == []
    finally:
        first_may_commit.set()
        store.close()
