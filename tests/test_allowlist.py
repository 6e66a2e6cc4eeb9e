"""The allowlist: one row per canonical value, left out of every list, told to enforcement."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from conftest import run_cli
from sqlmodel import select

from watchlist.demo import World
from watchlist.extract import extract
from watchlist.extract.canonical import NotAValue, canonical_value
from watchlist.store import (
    EntryFilter,
    Found,
    PostRecord,
    list_entries,
    open_store,
    save_posts,
    set_status,
)
from watchlist.store.allowlist import AllowItem, allow, allowed_keys, disallow
from watchlist.store.clusters import entry_cluster
from watchlist.store.tables import Change

AD = "出U 秒放，电话 13800138000，TG: @usdt_king88，TRC20 地址：TK25c8a9GoNes7Nc4C2q9BFdRGcXafAC95"


def seed(db: str, text: str = AD) -> dict[tuple[str, str], int]:
    """A store holding one seller's ad; ``{(kind, value): entry id}``."""
    store = open_store(db)
    found = extract(text)
    post = PostRecord(
        url="http://forum.test/t/1",
        site="forum",
        text=text,
        author="seller",
        fetched_at=datetime.now(UTC),
        otc_score=found.otc_score,
        found=tuple(Found(h) for h in found.handles),
    )
    save_posts(store, [post])
    ids = {(e.kind, e.value): e.id for e in list_entries(store) if e.id is not None}
    store.close()
    return ids


@pytest.mark.parametrize(
    ("kind", "written", "value"),
    [
        ("phone", "138 0013 8000", "+8613800138000"),
        ("phone", "+86 138-0013-8000", "+8613800138000"),
        ("alipay", "13800138000", "+8613800138000"),
        ("alipay", "Pay.Desk@Example.com", "pay.desk@example.com"),
        ("wechat", "Fast_Pay88", "fast_pay88"),
        ("telegram", "@USDT_King88", "usdt_king88"),
        ("telegram", "t.me/usdt_king88", "usdt_king88"),
        (
            "eth",
            "0xdac17f958d2ee523a2206206994597c13d831ec7",
            "0xdAC17F958D2ee523a2206206994597C13D831ec7",
        ),
        ("domain", "pay.fastu.com.cn", "fastu.com.cn"),
        ("payment_link", "HTTPS://QR.ALIPAY.COM/FKX01234?t=1", "https://qr.alipay.com/fkx01234"),
        ("bank_card", "6222 0212 3456 7890 128", "6222021234567890128"),
    ],
)
def test_typed_values_are_canonicalized_as_the_extractor_does(
    kind: str, written: str, value: str
) -> None:
    assert canonical_value(kind, written) == value


@pytest.mark.parametrize(
    ("kind", "written"),
    [
        ("phone", "12345"),
        ("phone", "13800138000 13900139000"),  # two values are not one
        ("bank_card", "6222021234567890129"),  # Luhn fails
        ("qq", "0123"),
        ("wechat", "hello"),
        ("domain", "readme.md"),
        ("phones", "13800138000"),
    ],
)
def test_values_the_extractor_would_not_take_are_refused(kind: str, written: str) -> None:
    with pytest.raises(NotAValue):
        canonical_value(kind, written)


def test_every_crawled_handle_of_the_demo_world_canonicalizes_to_itself(
    demo_world: World,
) -> None:
    checked = 0
    for post in demo_world.posts():
        for handle in extract(post.text).handles:
            written = post.text[handle.start : handle.end]
            if handle.kind in ("phone", "email", "tron", "eth", "btc", "bank_card", "domain"):
                assert canonical_value(handle.kind, written) == handle.value, written
                checked += 1
    assert checked > 50


def test_two_writings_of_one_phone_are_one_allowlist_row(sqlite_url: str) -> None:
    first = run_cli(
        "allow", "add", "phone", "138 0013 8000", "--note", "our hotline", db=sqlite_url
    )
    assert first.code == 0, first.stderr
    second = run_cli("allow", "add", "phone", "+8613800138000", db=sqlite_url)
    assert second.code == 0 and "already allowlisted" in second.stdout
    listed = run_cli("allow", "list", "--json", db=sqlite_url)
    rows = [json.loads(line) for line in listed.stdout.splitlines()]
    assert [(r["kind"], r["value"], r["note"]) for r in rows] == [
        ("phone", "+8613800138000", "our hotline")
    ]


def test_an_invalid_value_is_one_line_naming_it_and_a_bad_file_adds_nothing(
    sqlite_url: str, tmp_path: Path
) -> None:
    bad = run_cli("allow", "add", "phone", "12345", db=sqlite_url)
    assert bad.code == 2
    assert bad.stderr.strip() == "error: '12345' is not a valid phone value"
    sheet = tmp_path / "allow.csv"
    sheet.write_text("kind,value,note\ndomain,taobao.com,ours\nqq,0123,typo\n", encoding="utf-8")
    refused = run_cli("allow", "add", "--file", str(sheet), db=sqlite_url)
    assert refused.code == 2 and "line 3" in refused.stderr and "'0123'" in refused.stderr
    assert run_cli("allow", "list", "--json", db=sqlite_url).stdout == ""


def test_a_csv_file_allowlists_every_row_with_its_note(sqlite_url: str, tmp_path: Path) -> None:
    sheet = tmp_path / "allow.csv"
    sheet.write_text(
        "kind,value,note\ndomain,www.Example-Pay.com,our own domain\n"
        "# hot wallets\ntron,TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t,\n",
        encoding="utf-8",
    )
    result = run_cli("allow", "add", "--file", str(sheet), db=sqlite_url)
    assert result.code == 0, result.stderr
    listed = run_cli("allow", "list", "--json", db=sqlite_url).stdout.splitlines()
    assert [(r["kind"], r["value"], r["note"]) for r in map(json.loads, listed)] == [
        ("domain", "example-pay.com", "our own domain"),
        ("tron", "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t", None),
    ]


def test_an_allowlisted_value_is_in_no_list_and_no_export(sqlite_url: str) -> None:
    ids = seed(sqlite_url)
    phone = ("phone", "+8613800138000")
    assert run_cli("allow", "add", "phone", "13800138000", db=sqlite_url).code == 0
    store = open_store(sqlite_url)
    assert phone in allowed_keys(store)
    assert phone not in {(e.kind, e.value) for e in list_entries(store)}
    assert phone in {(e.kind, e.value) for e in list_entries(store, EntryFilter(allowed=True))}
    store.close()
    listed = run_cli("entries", "--json", db=sqlite_url)
    assert ids[phone] not in {json.loads(line)["id"] for line in listed.stdout.splitlines()}
    exported = run_cli("export", "--format", "csv", "--status", "all", db=sqlite_url)
    values = [row["value"] for row in csv.DictReader(io.StringIO(exported.stdout))]
    assert values and not any("8613800138000" in v for v in values)
    as_json = run_cli("export", "--format", "json", "--status", "all", db=sqlite_url)
    assert "8613800138000" not in as_json.stdout
    shown = run_cli("show", str(ids[phone]), db=sqlite_url)
    assert "allowlisted by" in shown.stdout


def test_allowlisting_a_confirmed_entry_tells_the_enforcement_side_and_removing_undoes_it(
    sqlite_url: str,
) -> None:
    ids = seed(sqlite_url)
    tron = ("tron", "TK25c8a9GoNes7Nc4C2q9BFdRGcXafAC95")
    store = open_store(sqlite_url)
    set_status(store, [ids[tron]], "confirmed", "alice")
    allow(store, [AllowItem("tron", tron[1], "exchange hot wallet")], "bob")
    disallow(store, "tron", tron[1], "carol", "not the exchange's after all")
    with store.read() as session:
        changes = session.exec(
            select(Change.op, Change.status).where(Change.entry_id == ids[tron])
        ).all()
    store.close()
    assert [tuple(c) for c in changes] == [
        ("upsert", "confirmed"),
        ("remove", "confirmed"),
        ("upsert", "confirmed"),
    ]


def test_allowlisting_takes_the_value_out_of_its_cluster_and_removing_links_it_again(
    sqlite_url: str,
) -> None:
    ids = seed(sqlite_url)
    phone, tg = ("phone", "+8613800138000"), ("telegram", "usdt_king88")
    store = open_store(sqlite_url)
    cluster = entry_cluster(store, ids[phone])
    assert cluster is not None and entry_cluster(store, ids[tg]) == cluster
    allow(store, [AllowItem("phone", "13800138000")], "bob")
    assert entry_cluster(store, ids[phone]) is None
    assert entry_cluster(store, ids[tg]) == cluster  # the rest still hangs together
    disallow(store, "phone", "+8613800138000", "bob")
    assert entry_cluster(store, ids[phone]) == cluster
    store.close()


def test_removing_a_value_that_is_not_allowlisted_is_one_clear_line(sqlite_url: str) -> None:
    open_store(sqlite_url).close()  # a store, empty: `allow remove` never creates one
    result = run_cli("allow", "remove", "phone", "13800138000", db=sqlite_url)
    assert result.code == 1
    assert result.stderr.strip() == "error: phone +8613800138000 is not on the allowlist"
