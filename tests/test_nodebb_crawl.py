"""The NodeBB preset crawls its demo forum end to end through its JSON API: real spider,
subprocess, SQLite. The config names nothing but the engine and the category pages; the stored
posts must equal the demo world's exactly, and a re-crawl after one reply fetches that
topic alone."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest
from conftest import run_cli, write_site
from test_presets_crawl import copy_database, stored_posts, stored_sightings

from watchlist.demo import nodebb
from watchlist.demo.server import RunningServer, serve
from watchlist.demo.world import World
from watchlist.store.storable import storable_text

pytestmark = pytest.mark.slow


@dataclass
class Crawled:
    site: nodebb.NodebbSite
    server: RunningServer
    seeds: Path
    db: str
    stdout: str


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Crawled]:
    folder = tmp_path_factory.mktemp("nodebb")
    site = nodebb.NodebbSite()
    with serve(site) as server:
        config = nodebb.site_config(server.base_url, "demo").model_dump(exclude_unset=True)
        write_site(folder / "seeds", {k: v for k, v in config.items() if k != "selectors"})
        db = f"sqlite:///{folder / 'watchlist.db'}"
        result = run_cli("crawl", "demo", "--seeds", str(folder / "seeds"), db=db)
        assert result.code == 0, result.stderr[-3000:] + result.stdout[-3000:]
        yield Crawled(site, server, folder / "seeds", db, result.stdout)


def test_the_nodebb_preset_stores_exactly_the_demo_sightings(crawled: Crawled) -> None:
    expected = crawled.site.expected_sightings()
    assert expected and {kind for _, kind, _ in expected} >= {"payment_link", "phone"}
    assert stored_sightings(crawled.db) == expected
    assert "0 failed requests" in crawled.stdout


def test_every_nodebb_post_is_stored_at_its_permalink_with_author_and_time(
    crawled: Crawled,
) -> None:
    site = crawled.site
    assert stored_posts(crawled.db) == {
        site.post_path(post): (storable_text(post.author), datetime.fromisoformat(post.posted_at))
        for post in site.world.posts()
    }  # the deleted posts guests see without their text are not posts: none is stored


def test_a_recrawl_after_one_reply_fetches_that_nodebb_topic_alone(crawled: Crawled) -> None:
    world = crawled.site.world
    tid = next(t for t in world.board_thread_ids(2, 1) if world.thread(t).post_count < 20)
    grown = nodebb.NodebbSite(World(seed=world.seed, grown=((tid, 1),)))
    db = copy_database(crawled.db, "recrawl")
    crawled.server.replace(grown)
    try:
        result = run_cli("crawl", "demo", "--seeds", str(crawled.seeds), db=db)
        fetched = {t.split("?")[0] for t in crawled.server.hits if t.startswith("/api/topic/")}
    finally:
        crawled.server.replace(crawled.site)
    assert result.code == 0, result.stderr[-3000:]
    assert fetched == {f"/api/topic/{grown.topic_slug(tid)}"}
    new_post = grown.world.post(tid, world.thread(tid).post_count)
    assert set(stored_posts(db)) == set(stored_posts(crawled.db)) | {grown.post_path(new_post)}
