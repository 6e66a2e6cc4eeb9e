"""Re-crawls fetch only what changed, and a crawl killed midway resumes without loss.

Real crawls in subprocesses (``python -m watchlist crawl``) against the demo forum served on a
loopback port, into real SQLite files.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from conftest import run_cli, wait_for_posts, write_site

from watchlist.demo import World, serve
from watchlist.demo.discuz import DiscuzSite
from watchlist.demo.server import RunningServer
from watchlist.demo.site import demo_site
from watchlist.store import get_entry, list_entries, open_store, recent_runs
from watchlist.store.queries import summary

WORLD = World(seed=31, boards=2, threads_per_board=12)


@pytest.fixture
def forum() -> Iterator[RunningServer]:
    """A demo forum of its own (tests here change what it serves)."""
    with serve(DiscuzSite(WORLD)) as running:
        yield running


def seeds_for(tmp_path: Path, running: RunningServer, **changes: object) -> Path:
    config = demo_site(WORLD, running.base_url, name="forum").model_dump()
    config.update(changes)
    folder = tmp_path / "seeds"
    write_site(folder, config)
    return folder


def stored_sightings(db: str) -> list[tuple[str, str, str]]:
    """Every sighting as (post URL path and fragment, kind, value); a list, so duplicates show."""
    store = open_store(db)
    try:
        out = []
        for entry in list_entries(store):
            assert entry.id is not None
            for evidence in get_entry(store, entry.id).evidence:
                parts = urlsplit(evidence.post.url)
                out.append((f"{parts.path}#{parts.fragment}", entry.kind, entry.value))
        return sorted(out)
    finally:
        store.close()


def true_sightings(world: World) -> list[tuple[str, str, str]]:
    return sorted((p.url_path, kind, value) for p in world.posts() for kind, value in p.handles)


def thread_page_hits(running: RunningServer) -> dict[str, int]:
    return {t: n for t, n in running.hits.items() if t.startswith("/thread-")}


def test_unchanged_recrawl_fetches_only_the_board_pages(
    tmp_path: Path, sqlite_url: str, forum: RunningServer
) -> None:
    seeds = seeds_for(tmp_path, forum)
    assert run_cli("crawl", "forum", "--seeds", str(seeds), db=sqlite_url).code == 0
    first_threads = thread_page_hits(forum)
    assert len(first_threads) == sum(WORLD.thread_page_count(t) for t in range(1, 25))
    forum.replace(DiscuzSite(WORLD))  # same world; forget the hits

    again = run_cli("crawl", "forum", "--seeds", str(seeds), db=sqlite_url)

    assert again.code == 0, again.stdout + again.stderr
    assert thread_page_hits(forum) == {}
    board_hits = {t for t in forum.hits if t.startswith("/forum-")}
    assert board_hits == {"/forum-2-1.html", "/forum-3-1.html"}
    assert "If-None-Match" in forum.headers_of("/forum-2-1.html")
    assert "0 posts (0 new)" in again.stdout and "2 unchanged" in again.stdout
    store = open_store(sqlite_url)
    runs = recent_runs(store, "forum")
    store.close()
    total = sum(1 for _ in WORLD.posts())
    assert [(r.ok, r.unchanged, r.new_posts) for r in runs] == [(True, 2, 0), (True, 0, total)]


def test_recrawl_after_a_reply_fetches_only_that_thread_and_stores_the_reply(
    tmp_path: Path, sqlite_url: str, forum: RunningServer
) -> None:
    seeds = seeds_for(tmp_path, forum)
    assert run_cli("crawl", "forum", "--seeds", str(seeds), db=sqlite_url).code == 0
    store = open_store(sqlite_url)
    before = summary(store)
    store.close()
    grown, tid = next(
        (world, t)
        for t in WORLD.board_thread_ids(2, 1)
        if WORLD.thread(t).post_count < 25
        and (world := replace(WORLD, grown=((t, 1),))).post(t, WORLD.thread(t).post_count).handles
        & WORLD.ground_truth()
    )
    reply = grown.post(tid, WORLD.thread(tid).post_count)
    forum.replace(DiscuzSite(grown))
    second_crawl = datetime.now(UTC)

    again = run_cli("crawl", "forum", "--seeds", str(seeds), db=sqlite_url)

    assert again.code == 0, again.stdout + again.stderr
    fetched = {t.split("-")[1] for t in thread_page_hits(forum)}
    assert fetched == {str(tid)}
    store = open_store(sqlite_url)
    after = summary(store)
    store.close()
    assert after.posts == before.posts + 1
    assert stored_sightings(sqlite_url) == true_sightings(grown)
    store = open_store(sqlite_url)
    seen = {(e.kind, e.value): (e.first_seen, e.last_seen) for e in list_entries(store)}
    store.close()
    again_seen = reply.handles & WORLD.ground_truth()  # known before the reply: re-sightings
    assert again_seen
    assert all(seen[key][0] < second_crawl <= seen[key][1] for key in again_seen)


def test_crawl_killed_midway_resumes_without_losing_or_duplicating_anything(
    tmp_path: Path, sqlite_url: str
) -> None:
    world = World(seed=32, boards=2, threads_per_board=30)
    with serve(DiscuzSite(world), delay=0.02) as running:
        config = demo_site(world, running.base_url, name="forum").model_dump()
        config["concurrency"] = 2
        write_site(tmp_path / "seeds", config)
        env = {k: v for k, v in os.environ.items() if not k.startswith("WATCHLIST_")}
        env["WATCHLIST_DB"] = sqlite_url
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "watchlist",
                "crawl",
                "forum",
                "--seeds",
                str(tmp_path / "seeds"),
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            stored = wait_for_posts(sqlite_url, at_least=100, process=process)
        finally:
            process.send_signal(signal.SIGKILL)
            process.wait(timeout=30)
        assert process.returncode == -signal.SIGKILL
        total = sum(1 for _ in world.posts())
        assert 100 <= stored < total, "the crawl was killed midway"

        resumed = run_cli("crawl", "forum", "--seeds", str(tmp_path / "seeds"), db=sqlite_url)

    assert resumed.code == 0, resumed.stdout + resumed.stderr
    store = open_store(sqlite_url)
    totals = summary(store)
    store.close()
    assert totals.posts == total
    assert stored_sightings(sqlite_url) == true_sightings(world)


def test_crawl_cut_short_by_its_page_budget_is_completed_by_the_next_one(
    tmp_path: Path, sqlite_url: str, forum: RunningServer
) -> None:
    short = run_cli(
        "crawl", "forum", "--seeds", str(seeds_for(tmp_path, forum, max_pages=6)), db=sqlite_url
    )
    store = open_store(sqlite_url)
    partial = summary(store).posts
    store.close()

    full = run_cli("crawl", "forum", "--seeds", str(seeds_for(tmp_path, forum)), db=sqlite_url)

    assert short.code == 0 and full.code == 0, short.stdout + full.stdout
    assert 0 < partial < sum(1 for _ in WORLD.posts())
    assert stored_sightings(sqlite_url) == true_sightings(WORLD)
