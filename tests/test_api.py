"""The API feed through its real app (httpx's ASGI transport) on a real store filled by ingest.

SQLite always; the tests taking ``db_url`` run on PostgreSQL too where it is reachable.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from api_client import ApiClient
from review_seed import post, seed
from sqlmodel import select

from watchlist.api import create_app
from watchlist.store import Store, open_store, save_posts, set_status
from watchlist.store.allowlist import AllowItem, allow
from watchlist.store.tables import ApiToken
from watchlist.store.tokens import create_token, revoke_token

ROUTES = ("/v1/entries", "/v1/entries.csv", "/v1/entries/1", "/v1/changes")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest) -> str:
    """A fresh store's URL: SQLite, then PostgreSQL."""
    name = "sqlite_url" if request.param == "sqlite" else "postgres_url"
    url: str = request.getfixturevalue(name)
    return url


@dataclass
class Served:
    """A seeded store, a token for it and a client of the real app."""

    store: Store
    ids: dict[str, int]
    token: str
    client: ApiClient


@pytest.fixture
def served(sqlite_url: str) -> Iterator[Served]:
    yield from _serve(sqlite_url)


def _serve(url: str) -> Iterator[Served]:
    ids = seed(url)
    store = open_store(url)
    token = create_token(store, "risk-team")
    try:
        yield Served(store, ids, token, ApiClient(create_app(store), token))
    finally:
        store.close()


def seller_post(number: int) -> object:
    """A new post offering one new phone number (a new entry, with a larger id)."""
    phone = f"1390000{number:04d}"
    return post(
        f"http://forum-d.test/t/{number}#p1",
        "forum-d",
        f"出U 电话 {phone}",
        0.8,
        [("phone", f"+86{phone}", phone, "offered")],
    )


def test_healthz_answers_without_a_token(served: Served) -> None:
    response = served.client.get("/healthz", token="")
    assert response.status_code == 200
    assert response.json() == {"ok": True}


@pytest.mark.parametrize("path", ROUTES)
def test_every_route_but_healthz_is_401_without_a_token(served: Served, path: str) -> None:
    response = served.client.get(path, token="")
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert "bearer token" in response.json()["error"]


@pytest.mark.parametrize("path", ROUTES)
def test_an_unknown_token_is_401(served: Served, path: str) -> None:
    response = served.client.get(path, token=served.token[:-1] + "x")
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.json() == {"error": "the bearer token is not valid (unknown or revoked)"}


def test_another_scheme_than_bearer_is_401(served: Served) -> None:
    headers = {"Authorization": f"Basic {served.token}"}
    response = served.client.get("/v1/entries", token="", headers=headers)
    assert response.status_code == 401


def test_a_revoked_token_is_401_from_then_on(served: Served) -> None:
    assert served.client.get("/v1/entries").status_code == 200
    assert revoke_token(served.store, "risk-team") is True
    response = served.client.get("/v1/entries")
    assert response.status_code == 401
    assert revoke_token(served.store, "risk-team") is False  # already revoked


def test_only_the_tokens_sha256_is_stored_and_its_use_is_recorded(served: Served) -> None:
    served.client.get("/v1/entries")
    with served.store.read() as session:
        row = session.exec(select(ApiToken)).one()
    assert row.digest == hashlib.sha256(served.token.encode()).hexdigest()
    assert served.token not in {row.digest, row.name, row.statuses, row.kinds}
    assert row.last_used_at is not None


def test_a_token_scoped_to_statuses_and_kinds_sees_only_those(served: Served) -> None:
    phone = served.ids["+8613800138000"]
    wechat = served.ids["usdt_king88"]
    set_status(served.store, [phone, wechat], "confirmed", "alice")
    scoped = create_token(served.store, "phones", statuses=["confirmed"], kinds=["phone"])
    entries = served.client.get("/v1/entries", token=scoped).json()["entries"]
    assert [(e["kind"], e["status"]) for e in entries] == [("phone", "confirmed")]
    assert served.client.get(f"/v1/entries/{phone}", token=scoped).status_code == 200
    hidden = served.client.get(f"/v1/entries/{wechat}", token=scoped)
    assert hidden.status_code == 404
    assert hidden.json() == {"error": f"no entry with id {wechat}"}
    changes = served.client.get("/v1/changes", token=scoped).json()["changes"]
    assert [c["entry"]["kind"] for c in changes] == ["phone"]
    rows = list(
        csv.DictReader(io.StringIO(served.client.get("/v1/entries.csv", token=scoped).text))
    )
    assert [r["kind"] for r in rows] == ["phone"]
    asked = served.client.get("/v1/entries", token=scoped, params={"kind": "wechat"})
    assert asked.status_code == 403
    assert asked.json() == {"error": "kind: this token may read only phone"}


def test_a_token_of_several_statuses_sees_each_of_them(served: Served) -> None:
    set_status(served.store, [served.ids["+8613800138000"]], "confirmed", "alice")
    set_status(served.store, [served.ids["12345678"]], "dismissed", "alice")
    scoped = create_token(served.store, "two", statuses=["confirmed", "dismissed"])
    entries = served.client.get("/v1/entries", token=scoped).json()["entries"]
    assert sorted(e["status"] for e in entries) == ["confirmed", "dismissed"]


def test_pages_follow_the_cursor_skipping_and_repeating_nothing_while_entries_are_added(
    db_url: str,
) -> None:
    served = next(_serve(db_url))
    try:
        seen: list[int] = []
        params: dict[str, object] = {"limit": 3}
        number = 0
        while True:
            page = served.client.get("/v1/entries", params=params)
            assert page.status_code == 200, page.text
            body = page.json()
            seen.extend(e["id"] for e in body["entries"])
            if body["next_cursor"] is None:
                break
            if number < 4:  # a crawl stores new entries between two page fetches
                number += 1
                save_posts(served.store, [seller_post(number), seller_post(number + 100)])
            params = {"limit": 3, "cursor": body["next_cursor"]}
        with served.store.read() as session:
            from watchlist.store.tables import Entry

            every = sorted(e.id for e in session.exec(select(Entry)) if e.id is not None)
        assert seen == every  # ascending, no gap, no repeat
        assert len(every) == len(served.ids) + 8
    finally:
        served.store.close()


def test_filters_narrow_the_listing(served: Served) -> None:
    def values(**params: object) -> list[str]:
        response = served.client.get("/v1/entries", params=params)
        assert response.status_code == 200, response.text
        return sorted(e["value"] for e in response.json()["entries"])

    assert values(kind="phone") == ["+8613800138000", "+8613900139000"]
    assert values(site="forum-c") == ["evil_seller", "https://qr.alipay.com/fkx12345abcde"]
    assert values(status="confirmed") == []
    set_status(served.store, [served.ids["12345678"]], "confirmed", "alice")
    assert values(status="confirmed", kind="qq") == ["12345678"]
    entry = served.client.get(f"/v1/entries/{served.ids['usdt_king88']}").json()
    assert entry["cluster"] is not None
    members = values(cluster=entry["cluster"])
    assert "usdt_king88" in members and "12345678" not in members


def test_a_cursor_from_other_filters_is_400(served: Served) -> None:
    first = served.client.get("/v1/entries", params={"limit": 1}).json()
    other = served.client.get(
        "/v1/entries", params={"kind": "phone", "cursor": first["next_cursor"]}
    )
    assert other.status_code == 400
    assert "other filters" in other.json()["error"]


@pytest.mark.parametrize(
    ("params", "status", "error"),
    [
        ({"cursor": "garbage"}, 400, "cursor: not a cursor this server handed out"),
        ({"cursor": "e30"}, 400, "cursor: not a cursor this server handed out"),  # {}
        ({"cursor": "eyJhZnRlciI6LTEsImYiOiJ4In0"}, 400, "cursor: not a cursor"),  # after -1
        ({"cursor": "x" * 201}, 422, "cursor: string should have at most 200 characters"),
        ({"limit": 0}, 422, "limit: input should be greater than or equal to 1"),
        ({"limit": 1001}, 422, "limit: input should be less than or equal to 1000"),
        ({"limit": "ten"}, 422, "limit: input should be a valid integer"),
        ({"status": "bogus"}, 422, "status: input should be 'new', 'confirmed' or 'dismissed'"),
        ({"kind": "phones"}, 422, "kind: input should be"),
        ({"site": "nowhere"}, 404, "site: no site 'nowhere' has posts in the store"),
        ({"cluster": 999999}, 404, "no cluster with id 999999"),
        ({"cluster": 2**70}, 422, "cluster: input should be less than or equal to"),
        ({"site": "x" * 3000}, 414, "the query string is longer than 2048 bytes"),
    ],
)
def test_a_bad_request_gets_a_4xx_json_error_never_a_500(
    served: Served, params: dict[str, object], status: int, error: str
) -> None:
    response = served.client.get("/v1/entries", params=params)
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    assert response.json()["error"].startswith(error)


@pytest.mark.parametrize("path", ["/v1/entries/0", "/v1/entries/99999999999999999999999"])
def test_an_entry_id_out_of_range_is_422(served: Served, path: str) -> None:
    response = served.client.get(path)
    assert response.status_code == 422
    assert response.json()["error"].startswith("entry_id: input should be")


def test_an_unknown_entry_is_404_and_an_unknown_path_too(served: Served) -> None:
    assert served.client.get("/v1/entries/4242").json() == {"error": "no entry with id 4242"}
    missing = served.client.get("/v2/everything")
    assert (missing.status_code, missing.json()) == (404, {"error": "not found"})


def test_there_is_no_write_endpoint(served: Served) -> None:
    for method in ("POST", "PUT", "PATCH", "DELETE"):
        response = served.client.request(method, "/v1/entries")
        assert response.status_code == 405
        assert response.headers["allow"] == "GET"
        assert response.json() == {"error": "method not allowed"}


def test_cors_is_off(served: Served) -> None:
    headers = {"Origin": "https://evil.test", "Authorization": f"Bearer {served.token}"}
    response = served.client.request("GET", "/v1/entries", headers=headers)
    assert "access-control-allow-origin" not in response.headers


def test_an_etag_answers_if_none_match_with_304_until_the_body_changes(served: Served) -> None:
    for path in ("/v1/entries", f"/v1/entries/{served.ids['12345678']}", "/v1/changes"):
        first = served.client.get(path)
        etag = first.headers["etag"]
        again = served.client.get(path, headers={"If-None-Match": etag})
        assert again.status_code == 304, path
        assert again.content == b""
        assert again.headers["etag"] == etag
    etag = served.client.get("/v1/entries").headers["etag"]
    set_status(served.store, [served.ids["12345678"]], "confirmed", "alice")
    changed = served.client.get("/v1/entries", headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["etag"] != etag


def test_large_bodies_are_gzipped_small_ones_are_not(served: Served) -> None:
    save_posts(served.store, [seller_post(n) for n in range(1, 41)])
    large = served.client.get("/v1/entries", headers={"Accept-Encoding": "gzip"})
    assert large.headers["content-encoding"] == "gzip"
    assert len(large.json()["entries"]) == len(served.ids) + 40  # decoded by the client
    small = served.client.get("/healthz", headers={"Accept-Encoding": "gzip"})
    assert "content-encoding" not in small.headers


def test_the_csv_is_every_entry_and_safe_in_a_spreadsheet(served: Served) -> None:
    save_posts(served.store, [seller_post(n) for n in range(1, 1501)])  # more than one chunk
    response = served.client.get("/v1/entries.csv", params={"kind": "phone"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert len(rows) == 1502
    assert [int(r["id"]) for r in rows] == sorted(int(r["id"]) for r in rows)
    first = rows[0]
    assert first["value"] == "'+8613800138000"  # reads as the number, never a formula
    for row in rows:
        for cell in row.values():
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell


def test_an_entry_by_id_comes_with_its_evidence_best_first(served: Served) -> None:
    entry = served.client.get(f"/v1/entries/{served.ids['+8613800138000']}").json()
    assert entry["kind"] == "phone" and entry["value"] == "+8613800138000"
    assert entry["sightings"] == 2
    assert [e["url"] for e in entry["evidence"]] == [
        "http://forum-a.test/t/1#p1",
        "http://forum-b.test/t/9#p3",
    ]
    assert {e["role"] for e in entry["evidence"]} == {"offered"}
    assert entry["first_seen"].endswith("Z")


def test_an_allowlisted_value_is_never_served(served: Served) -> None:
    allow(served.store, [AllowItem("qq", "12345678")], "alice")
    entries = served.client.get("/v1/entries").json()["entries"]
    assert "12345678" not in {e["value"] for e in entries}
    assert served.client.get(f"/v1/entries/{served.ids['12345678']}").status_code == 404
    assert "12345678" not in served.client.get("/v1/entries.csv").text


def test_the_openapi_document_declares_401_on_every_route_but_healthz(served: Served) -> None:
    document = served.client.get("/openapi.json", token="").json()
    assert document["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"
    for path, operations in document["paths"].items():
        for operation in operations.values():
            if path == "/healthz":
                assert "401" not in operation["responses"]
            else:
                assert "401" in operation["responses"], path
                assert "security" in operation, path


def test_hostile_text_is_escaped_in_the_json(served: Served) -> None:
    response = served.client.get(f"/v1/entries/{served.ids['evil_seller']}")
    assert "\u202e" not in response.text and "\\u202e" in response.text
    assert "\u202e" in response.json()["evidence"][0]["snippet"]  # the data itself is exact


def test_a_token_name_is_refused_when_taken_or_malformed(sqlite_url: str) -> None:
    from watchlist.errors import UsageError

    seed(sqlite_url)
    store = open_store(sqlite_url)
    try:
        create_token(store, "a")
        with pytest.raises(UsageError, match="exists already"):
            create_token(store, "a")
        with pytest.raises(UsageError, match="token name"):
            create_token(store, "no spaces")
        with pytest.raises(UsageError, match="--status: 'gone'"):
            create_token(store, "b", statuses=["gone"])
    finally:
        store.close()


def test_timestamps_are_utc_with_a_z(served: Served) -> None:
    entry = served.client.get(f"/v1/entries/{served.ids['12345678']}").json()
    parsed = datetime.fromisoformat(entry["last_seen"].replace("Z", "+00:00"))
    assert parsed.tzinfo == UTC


def test_a_kept_page_is_rendered_again_once_the_store_changes(served: Served) -> None:
    first = served.client.get("/v1/entries", params={"kind": "qq"}).json()
    again = served.client.get("/v1/entries", params={"kind": "qq"}).json()
    assert again == first and first["entries"][0]["status"] == "new"
    set_status(served.store, [served.ids["12345678"]], "confirmed", "alice")
    after = served.client.get("/v1/entries", params={"kind": "qq"}).json()
    assert after["entries"][0]["status"] == "confirmed"


def test_without_the_cache_every_request_is_rendered(sqlite_url: str) -> None:
    ids = seed(sqlite_url)
    store = open_store(sqlite_url)
    try:
        client = ApiClient(create_app(store, cache=False), create_token(store, "plain"))
        assert client.get("/v1/entries/1").json()["status"] == "new"
        set_status(store, [1], "confirmed", "alice")
        assert client.get("/v1/entries/1").json()["status"] == "confirmed"
        assert len(client.get("/v1/entries").json()["entries"]) == len(ids)
    finally:
        store.close()


def test_kept_bodies_stay_within_their_count_and_bytes_least_recently_used_first() -> None:
    from watchlist.api.cache import RevisionCache

    kept: RevisionCache[str] = RevisionCache(max_items=3, max_bytes=100)
    for n in range(3):
        kept.put(n, "r1", f"body{n}", 30)
    assert kept.get(0, "r1") == "body0"  # 0 is now the most recently used
    kept.put(3, "r1", "body3", 30)  # 120 bytes: 1, the least recently used, goes
    assert [kept.get(n, "r1") for n in range(4)] == ["body0", None, "body2", "body3"]
    assert kept.get(0, "r2") is None  # another revision: not served
    kept.put(9, "r1", "huge", 101)
    assert kept.get(9, "r1") is None
    assert kept.get(0, None) is None


def test_the_api_s_kinds_are_the_contract_s_kinds() -> None:
    from typing import get_args

    from watchlist.api.models import KindName
    from watchlist.extract.model import ENTRY_KINDS

    assert get_args(KindName) == ENTRY_KINDS
