"""An entry's audit trail, and dismissed entries flagged for re-review when they come back."""

from __future__ import annotations

import json
import shutil
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from conftest import run_cli

from watchlist.extract import extract
from watchlist.store import (
    Found,
    PostRecord,
    get_entry,
    list_entries,
    open_store,
    save_posts,
    set_status,
)
from watchlist.store.allowlist import AllowItem, allow, disallow
from watchlist.store.history import entry_history
from watchlist.store.rereview import REREVIEW_MIN_OTC, rereview_ids

PHONE = "+8613800138000"
SELLER_AD = "出U 秒放 大额可谈，承兑 USDT，联系电话 13800138000"


def save(db: str, url: str, text: str, otc_score: float | None = None) -> None:
    """Save one post as a crawl would, its handles found by the real extractor."""
    found = extract(text)
    store = open_store(db)
    post = PostRecord(
        url=url,
        site="forum",
        text=text,
        author="someone",
        fetched_at=datetime.now(UTC),
        otc_score=found.otc_score if otc_score is None else otc_score,
        found=tuple(Found(h) for h in found.handles),
    )
    save_posts(store, [post])
    store.close()


def phone_id(db: str) -> int:
    store = open_store(db)
    (entry,) = [e for e in list_entries(store) if e.kind == "phone" and e.value == PHONE]
    store.close()
    assert entry.id is not None
    return entry.id


def test_history_names_who_did_what_when_and_why_in_order(sqlite_url: str) -> None:
    save(sqlite_url, "http://forum.test/t/1", SELLER_AD)
    entry_id = phone_id(sqlite_url)
    store = open_store(sqlite_url)
    set_status(store, [entry_id], "confirmed", "alice", "seller ad on two boards")
    allow(store, [AllowItem("phone", PHONE, "our own hotline")], "bob")
    disallow(store, "phone", PHONE, "carol", "not ours after all")
    set_status(store, [entry_id], "dismissed", "dave", reason="victim-or-warning")
    events = entry_history(store, entry_id).events
    store.close()
    assert [(e.actor, e.what) for e in events] == [
        ("crawl", "seen"),
        ("alice", "review"),
        ("alice", "change"),
        ("bob", "allowlist"),
        ("bob", "change"),
        ("carol", "allowlist"),
        ("carol", "change"),
        ("dave", "review"),
        ("dave", "change"),
    ]
    assert events[0].why == "http://forum.test/t/1"
    assert events[1].action == "confirm: new → confirmed"
    assert events[1].why is not None and "seller ad on two boards" in events[1].why
    assert "removed from" in events[4].action and "added to" in events[6].action
    assert events[7].why is not None and "reason victim-or-warning" in events[7].why

    printed = run_cli("history", str(entry_id), db=sqlite_url, env={"COLUMNS": "80"})
    assert printed.code == 0, printed.stderr
    lines = printed.stdout.splitlines()
    assert lines[0] == f"#{entry_id} phone {PHONE} · now dismissed"
    assert any(line.endswith("alice: confirm: new → confirmed") for line in lines)
    assert any(line.strip() == "our own hotline" for line in lines)
    as_json = run_cli("history", str(entry_id), "--json", db=sqlite_url)
    assert [json.loads(line)["actor"] for line in as_json.stdout.splitlines()][-2:] == [
        "dave",
        "dave",
    ]


def test_history_of_an_unknown_entry_is_one_clear_line(sqlite_url: str) -> None:
    save(sqlite_url, "http://forum.test/t/1", SELLER_AD)
    result = run_cli("history", "424242", db=sqlite_url)
    assert result.code == 1 and result.stderr.strip() == "error: no entry with id 424242"


def test_a_dismissed_entry_offered_again_in_a_seller_ad_is_flagged_not_confirmed(
    sqlite_url: str,
) -> None:
    save(sqlite_url, "http://forum.test/t/1", SELLER_AD)
    entry_id = phone_id(sqlite_url)
    store = open_store(sqlite_url)
    set_status(store, [entry_id], "dismissed", "alice", reason="not-otc")
    store.close()
    save(sqlite_url, "http://forum.test/t/2", "长期出U，秒放，电话 13800138000", otc_score=0.9)
    store = open_store(sqlite_url)
    assert rereview_ids(store) == [entry_id]
    assert get_entry(store, entry_id).entry.status == "dismissed"
    store.close()
    listed = run_cli("entries", "--rereview", "--json", db=sqlite_url)
    (row,) = [json.loads(line) for line in listed.stdout.splitlines()]
    assert (row["id"], row["status"], row["rereview"]) == (entry_id, "dismissed", True)
    table = run_cli("entries", db=sqlite_url, env={"COLUMNS": "120"})
    assert "dismissed*" in table.stdout and "flagged for re-review" in table.stdout
    shown = run_cli("show", str(entry_id), db=sqlite_url)
    assert "re-review   seen again offered (OTC score 0.90)" in shown.stdout
    history = run_cli("history", str(entry_id), db=sqlite_url)
    assert "crawl: seen again offered (OTC score 0.90): flagged for re-review" in history.stdout


def test_a_dismissed_entry_named_in_a_scam_warning_is_flagged_whatever_the_posts_otc_score(
    sqlite_url: str,
) -> None:
    # a warning is no offer: its OTC score is low, and the report is still news for a reviewer
    save(sqlite_url, "http://forum.test/t/1", SELLER_AD)
    entry_id = phone_id(sqlite_url)
    store = open_store(sqlite_url)
    set_status(store, [entry_id], "dismissed", "alice", reason="not-otc")
    store.close()
    warning = "避雷！骗子电话 13800138000，收了钱不放币，大家别信"
    save(sqlite_url, "http://forum.test/t/2", warning, otc_score=REREVIEW_MIN_OTC / 4)
    store = open_store(sqlite_url)
    roles = {ev.sighting.role for ev in get_entry(store, entry_id).evidence}
    assert "reported" in roles
    assert rereview_ids(store) == [entry_id]
    assert get_entry(store, entry_id).entry.status == "dismissed"
    store.close()


def test_reviewing_a_flagged_entry_again_clears_its_flag(sqlite_url: str) -> None:
    save(sqlite_url, "http://forum.test/t/1", SELLER_AD)
    entry_id = phone_id(sqlite_url)
    store = open_store(sqlite_url)
    set_status(store, [entry_id], "dismissed", "alice")
    save(sqlite_url, "http://forum.test/t/2", "长期出U，秒放，电话 13800138000", otc_score=0.9)
    assert rereview_ids(store) == [entry_id]
    set_status(store, [entry_id], "confirmed", "bob")
    set_status(store, [entry_id], "dismissed", "bob", reason="other")
    assert rereview_ids(store) == []
    store.close()


def test_a_mention_or_a_low_scoring_post_does_not_flag_a_dismissed_entry(sqlite_url: str) -> None:
    save(sqlite_url, "http://forum.test/t/1", SELLER_AD)
    entry_id = phone_id(sqlite_url)
    store = open_store(sqlite_url)
    set_status(store, [entry_id], "dismissed", "alice")
    store.close()
    save(sqlite_url, "http://forum.test/t/2", "请问 13800138000 是骗子吗？", otc_score=0.9)
    low = REREVIEW_MIN_OTC - 0.2
    save(sqlite_url, "http://forum.test/t/3", "联系电话 13800138000", otc_score=low)
    store = open_store(sqlite_url)
    roles = {ev.sighting.role for ev in get_entry(store, entry_id).evidence}
    assert "mentioned" in roles  # the question was stored, as a mention
    assert rereview_ids(store) == []
    store.close()


def test_a_decision_from_the_command_line_is_in_the_database_file_itself_when_it_exits(
    sqlite_url: str,
) -> None:
    # the command closes its store: SQLite folds its write-ahead log into the file, so a copy
    # of the file alone (a backup, an attachment) holds the decision
    save(sqlite_url, "http://forum.test/t/1", SELLER_AD)
    entry_id = phone_id(sqlite_url)
    path = Path(sqlite_url.removeprefix("sqlite:///"))
    result = run_cli("confirm", str(entry_id), "--note", "seen twice", db=sqlite_url)
    assert result.code == 0, result.stderr
    assert not path.with_name(path.name + "-wal").exists()
    copy = path.with_name("copy.db")
    shutil.copyfile(path, copy)
    with sqlite3.connect(copy) as connection:
        row = connection.execute("SELECT status, note FROM entries WHERE id = ?", (entry_id,))
        assert row.fetchone() == ("confirmed", "seen twice")
