"""Operator clusters on the demo world's ground truth: crawled for real, kept up incrementally."""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic import command
from conftest import run_cli, write_site

from watchlist.demo import World
from watchlist.demo.server import RunningServer
from watchlist.demo.site import demo_site
from watchlist.extract import extract
from watchlist.extract.known import PUBLIC_CONTRACTS
from watchlist.store import Found, PostRecord, Store, open_store, save_posts
from watchlist.store.clustering import HUB_AUTHORS, POST_LINK_LIMIT
from watchlist.store.clusters import (
    backlog_size,
    cluster_entries,
    entry_cluster,
    list_clusters,
    list_hubs,
    rebuild_clusters,
)
from watchlist.store.engine import _alembic_config

Key = tuple[str, str]
TETHER = sorted(PUBLIC_CONTRACTS["tron"])[0]
ESCROW = "escrow-hub.com"


@pytest.fixture(scope="module")
def crawled(
    tmp_path_factory: pytest.TempPathFactory, demo_world: World, demo_server: RunningServer
) -> Path:
    """A store holding one real crawl of the demo forum (copy it before changing it)."""
    folder = tmp_path_factory.mktemp("clusters")
    seeds = folder / "seeds"
    write_site(seeds, demo_site(demo_world, demo_server.base_url, name="demo").model_dump())
    db = folder / "crawled.db"
    result = run_cli("crawl", "demo", "--seeds", str(seeds), db=f"sqlite:///{db}")
    assert result.code == 0, result.stderr + result.stdout
    return db


@pytest.fixture
def store_url(crawled: Path, tmp_path: Path) -> str:
    """A private copy of the crawled store."""
    copy = tmp_path / "watchlist.db"
    with sqlite3.connect(crawled) as source, sqlite3.connect(copy) as target:
        source.backup(target)
    return f"sqlite:///{copy}"


def co_occurring(posts: Iterable[frozenset[Key]]) -> set[frozenset[Key]]:
    """The connected components (two values or more) of values named in the same posts."""
    parent: dict[Key, Key] = {}

    def find(key: Key) -> Key:
        while parent.setdefault(key, key) != key:
            key = parent[key]
        return key

    for handles in posts:
        keys = sorted(handles)
        for key in keys:
            find(key)
        for key in keys[1:]:
            parent[find(key)] = find(keys[0])
    groups: dict[Key, set[Key]] = {}
    for key in parent:
        groups.setdefault(find(key), set()).add(key)
    return {frozenset(group) for group in groups.values() if len(group) > 1}


def clusters_of(store: Store) -> set[frozenset[Key]]:
    return {
        frozenset((e.kind, e.value) for e in cluster_entries(store, summary.id))
        for summary in list_clusters(store)
    }


def owner_of(world: World) -> dict[Key, int]:
    return {key: uid for uid, keys in world.operators().items() for key in keys}


def ad(url: str, author: str, text: str, site: str = "demo") -> PostRecord:
    """A post as the crawl hands it over, its handles found by the real extractor."""
    found = extract(text)
    return PostRecord(
        url=url,
        site=site,
        text=text,
        author=author,
        fetched_at=datetime.now(UTC),
        otc_score=found.otc_score,
        found=tuple(Found(h) for h in found.handles),
    )


def seller_values(world: World, count: int) -> list[tuple[int, Key]]:
    """One value of each of ``count`` sellers."""
    picked = [(uid, min(keys)) for uid, keys in sorted(world.operators().items())][:count]
    assert len(picked) == count, "the demo world has too few sellers for this test"
    return picked


CUES = {
    "phone": "电话 ",
    "telegram": "TG: @",
    "wechat": "微信：",
    "qq": "QQ：",
    "alipay": "支付宝：",
}


def written(key: Key) -> str:
    """A value as a post writes it: after the cue its kind needs, if any."""
    return CUES.get(key[0], "") + key[1]


def test_clusters_are_exactly_the_sellers_handles_seen_together(
    store_url: str, demo_world: World
) -> None:
    store = open_store(store_url)
    found = clusters_of(store)
    owners = owner_of(demo_world)
    assert found, "the demo world has sellers with several handles"
    for cluster in found:
        assert {owners.get(key) for key in cluster} != {None}
        assert len({owners.get(key) for key in cluster}) == 1, cluster
    assert found == co_occurring(post.handles for post in demo_world.posts())
    store.close()


def test_hubs_link_nothing_so_sellers_stay_apart(store_url: str, demo_world: World) -> None:
    store = open_store(store_url)
    before = clusters_of(store)
    sellers = seller_values(demo_world, HUB_AUTHORS + 2)
    posts = [
        ad(
            f"http://elsewhere.test/t/{n}",
            f"buyer{n}",
            f"出U，走担保 {ESCROW} ，USDT-TRC20 合约 {TETHER} ，{written(key)}",
            site="other",
        )
        for n, (_, key) in enumerate(sellers)
    ]
    save_posts(store, posts)
    after = clusters_of(store)
    owners = owner_of(demo_world)
    for cluster in after:
        assert len({owners.get(key) for key in cluster if key in owners}) == 1, cluster
        assert ("domain", ESCROW) not in cluster and ("tron", TETHER) not in cluster
    assert ("domain", ESCROW) in {(e.kind, e.value) for e, _ in list_hubs(store)}
    assert {c for c in after if not c & {key for _, key in sellers}} == {
        c for c in before if not c & {key for _, key in sellers}
    }
    store.close()


def test_a_value_turning_into_a_hub_splits_the_cluster_it_glued(
    store_url: str, demo_world: World
) -> None:
    store = open_store(store_url)
    sellers = seller_values(demo_world, HUB_AUTHORS + 1)
    glue = ("domain", ESCROW)
    for n, (_, key) in enumerate(sellers[:3]):  # one save per crawl: maintained incrementally
        save_posts(store, [ad(f"http://elsewhere.test/t/{n}", f"u{n}", f"{ESCROW} {written(key)}")])
    glued = entry_cluster(store, _id(store, glue))
    assert glued is not None
    assert {key for _, key in sellers[:3]} <= {
        (e.kind, e.value) for e in cluster_entries(store, glued)
    }
    for n, (_, key) in enumerate(sellers[3:], start=3):
        save_posts(store, [ad(f"http://elsewhere.test/t/{n}", f"u{n}", f"{ESCROW} {written(key)}")])
    assert entry_cluster(store, _id(store, glue)) is None
    owners = owner_of(demo_world)
    for cluster in clusters_of(store):
        assert len({owners.get(key) for key in cluster}) == 1, cluster
    assert clusters_of(store) == co_occurring(post.handles for post in demo_world.posts())
    store.close()


def _id(store: Store, key: Key) -> int:
    from watchlist.store import EntryFilter, list_entries

    (entry,) = [e for e in list_entries(store, EntryFilter(kind=key[0])) if e.value == key[1]]
    assert entry.id is not None
    return entry.id


def test_a_post_listing_many_values_is_a_list_and_links_nothing(
    store_url: str, demo_world: World
) -> None:
    store = open_store(store_url)
    before = clusters_of(store)
    sellers = seller_values(demo_world, POST_LINK_LIMIT + 1)
    blacklist = "骗子曝光名单：\n" + "\n".join(written(key) for _, key in sellers)
    save_posts(store, [ad("http://elsewhere.test/blacklist", "mod", blacklist)])
    assert clusters_of(store) == before
    store.close()


def test_merging_keeps_the_larger_clusters_id_and_the_old_id_still_resolves(
    sqlite_url: str,
) -> None:
    store = open_store(sqlite_url)
    save_posts(store, [ad("http://f.test/1", "a", "TG: @alpha_one 电话 13800138000 QQ：123456")])
    save_posts(store, [ad("http://f.test/2", "b", "TG: @beta_two 微信：betatwo_77")])
    big = entry_cluster(store, _id(store, ("telegram", "alpha_one")))
    small = entry_cluster(store, _id(store, ("telegram", "beta_two")))
    assert big is not None and small is not None and big != small
    save_posts(store, [ad("http://f.test/3", "a", "TG: @alpha_one 或 TG: @beta_two")])
    assert entry_cluster(store, _id(store, ("telegram", "beta_two"))) == big
    merged = {(e.kind, e.value) for e in cluster_entries(store, small)}
    assert merged == {(e.kind, e.value) for e in cluster_entries(store, big)}
    assert len(merged) == 5
    save_posts(store, [ad("http://f.test/3", "a", "TG: @alpha_one 或 TG: @beta_two")])
    assert [s.id for s in list_clusters(store)] == [big]  # saving again changes nothing
    store.close()


def test_incremental_clusters_equal_a_rebuild_from_scratch(store_url: str) -> None:
    store = open_store(store_url)
    incremental = clusters_of(store)
    assert rebuild_clusters(store) == len(incremental)
    assert clusters_of(store) == incremental
    store.close()


def test_posts_stored_before_clusters_existed_are_linked_by_later_saves(
    store_url: str, demo_world: World
) -> None:
    store = open_store(store_url)
    with store.engine.begin() as connection:
        command.downgrade(_alembic_config(connection), "0004")
    store.close()
    store = open_store(store_url)  # upgraded again: every post waits in the backlog
    assert backlog_size(store) > 0 and list_clusters(store) == []
    save_posts(store, [ad("http://f.test/new", "z", "TG: @late_comer 电话 13900139000")])
    assert backlog_size(store) == 0
    expected = co_occurring(post.handles for post in demo_world.posts())
    late = frozenset({("telegram", "late_comer"), ("phone", "+8613900139000")})
    assert clusters_of(store) == expected | {late}
    store.close()


def test_clusters_command_lists_size_kinds_sites_and_top_values(store_url: str) -> None:
    store = open_store(store_url)
    (biggest, *_) = list_clusters(store)
    members = cluster_entries(store, biggest.id)
    store.close()
    listed = run_cli("clusters", "--json", db=store_url)
    assert listed.code == 0, listed.stderr
    first = json.loads(listed.stdout.splitlines()[0])
    assert first["id"] == biggest.id and first["size"] == len(members)
    assert first["sites"] == ["demo"] and sum(first["kinds"].values()) == len(members)
    assert [t["value"] for t in first["top"]] == [m.value for m in members[:3]]
    text = run_cli("clusters", "--limit", "1", db=store_url, env={"COLUMNS": "80"})
    assert f"cluster #{biggest.id} · {len(members)} entries" in text.stdout
    assert members[0].value in text.stdout and "1 cluster\n" in text.stdout


def test_clusters_command_fits_80_columns_counting_what_does_not_fit_and_wide_lists_all(
    sqlite_url: str,
) -> None:
    store = open_store(sqlite_url)
    text = "TG: @alpha_one 电话 13800138000 QQ：123456 微信：wx_alpha1 邮箱 alpha@example.com"
    boards = [f"board-{n:02d}" for n in range(12)]
    save_posts(store, [ad(f"http://{b}.test/1", "a", text, site=b) for b in boards])
    store.close()
    narrow = run_cli("clusters", db=sqlite_url, env={"COLUMNS": "80"})
    assert narrow.code == 0, narrow.stderr
    lines = narrow.stdout.splitlines()
    assert lines and all(len(line) <= 80 for line in lines), narrow.stdout
    assert lines[1] == "  email 1, phone 1, qq 1, telegram 1, wechat 1"
    on = lines[2]  # the sites on a line of their own, as many as fit, then how many more
    assert on.startswith("  on board-00, board-01")
    listed = on.removeprefix("  on ").split(", ")[:-1]
    assert listed == boards[: len(listed)] and on.endswith(f"… {12 - len(listed)} more sites")
    wide = run_cli("clusters", "--wide", db=sqlite_url, env={"COLUMNS": "80"})
    assert f" · on {', '.join(boards)}" in wide.stdout.splitlines()[1]


def test_entries_export_and_show_name_a_clusters_members(store_url: str) -> None:
    store = open_store(store_url)
    (biggest, *_) = list_clusters(store)
    members = cluster_entries(store, biggest.id)
    store.close()
    listed = run_cli("entries", "--cluster", str(biggest.id), "--json", db=store_url)
    assert listed.code == 0, listed.stderr
    assert {json.loads(line)["id"] for line in listed.stdout.splitlines()} == {
        m.id for m in members
    }
    exported = run_cli(
        "export", "--format", "json", "--status", "all", "--cluster", str(biggest.id), db=store_url
    )
    assert {row["id"] for row in json.loads(exported.stdout)} == {m.id for m in members}
    shown = run_cli("show", str(members[0].id), db=store_url)
    assert f"cluster     #{biggest.id} · {len(members)} entries" in shown.stdout
    for other in members[1:]:
        assert f"#{other.id} {other.kind} {other.value}" in shown.stdout
    unknown = run_cli("entries", "--cluster", "999999", db=store_url)
    assert unknown.code == 1 and unknown.stderr.strip() == "error: no cluster with id 999999"


@pytest.mark.postgres
def test_concurrent_saves_on_postgresql_see_each_others_links(postgres_url: str) -> None:
    store = open_store(postgres_url)
    first = [
        ad(f"http://p.test/a{n}", "a", f"TG: @chain_{n:02d}x 电话 1380013{n:04d}")
        for n in range(40)
    ]
    second = [
        ad(f"http://p.test/b{n}", "b", f"电话 1380013{n:04d} TG: @chain_{n + 1:02d}x")
        for n in range(39)
    ]
    errors: list[BaseException] = []

    def save(posts: list[PostRecord]) -> None:
        try:
            for post in posts:
                save_posts(store, [post])
        except BaseException as exc:  # reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=save, args=(posts,)) for posts in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    (only,) = list_clusters(store)  # a chain phone-name-phone-… through both writers' posts
    assert only.size == 80
    store.close()


def test_a_save_that_makes_a_hub_links_its_other_posts_to_the_clusters_after_the_split(
    sqlite_url: str,
) -> None:
    store = open_store(sqlite_url)
    save_posts(store, [ad("http://g.test/1", "a", f"{ESCROW} TG: @alpha_one")])
    save_posts(store, [ad("http://g.test/2", "b", f"{ESCROW} TG: @beta_two")])
    save_posts(store, [ad("http://g.test/3", "a", "TG: @alpha_one TG: @alpha_two")])
    glued = {("domain", ESCROW), ("telegram", "alpha_one"), ("telegram", "beta_two")}
    assert glued | {("telegram", "alpha_two")} in clusters_of(store)
    quoting = [
        ad(f"http://g.test/q{n}", f"user{n}", f"{ESCROW} 电话 1390013{n:04d}")
        for n in range(HUB_AUTHORS)
    ]  # the escrow site turns into a hub in the same save that links beta_two to beta_three
    save_posts(store, [*quoting, ad("http://g.test/4", "b", "TG: @beta_two TG: @beta_three")])
    assert clusters_of(store) == {
        frozenset({("telegram", "alpha_one"), ("telegram", "alpha_two")}),
        frozenset({("telegram", "beta_two"), ("telegram", "beta_three")}),
    }
    assert [e.value for e, _ in list_hubs(store)] == [ESCROW]
    store.close()
