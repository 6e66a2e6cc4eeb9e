"""Each engine preset crawls its demo forum end to end: real spider, subprocess, SQLite.

A site config names nothing but the engine; the stored sightings must equal the demo world's
ground truth exactly, and a re-crawl after one thread got a reply fetches that thread alone.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from conftest import run_cli, write_site
from sqlmodel import select

from watchlist.demo import mybb, phpbb, smf, vbulletin, wordpress, xenforo
from watchlist.demo.server import RunningServer, serve
from watchlist.demo.world import World
from watchlist.sites import SiteConfig
from watchlist.store import get_entry, list_entries, open_store
from watchlist.store.storable import storable_text
from watchlist.store.tables import Post

pytestmark = pytest.mark.slow

# SMF prints "January 05, 2026, 10:00:00 AM": stored once crawlers.text reads English dates.


DemoForum = (
    phpbb.PhpbbSite
    | smf.SmfSite
    | xenforo.XenforoSite
    | wordpress.WordpressSite
    | mybb.MybbSite
    | vbulletin.VbulletinSite
)


@dataclass(frozen=True)
class Demo:
    """How to serve one engine's demo forum and configure a crawl of it."""

    make: Callable[[World, str], DemoForum]
    config: Callable[[str, str], SiteConfig]
    seed: int
    minutes: bool = False  # the engine shows times to the minute, without seconds


DEMOS = {
    "phpbb": Demo(lambda w, _: phpbb.PhpbbSite(w), phpbb.site_config, phpbb.SEED),
    "smf": Demo(lambda w, url: smf.SmfSite(w, 2, url), smf.site_config, smf.SEED),
    "smf1": Demo(
        lambda w, url: smf.SmfSite(w, 1, url),
        lambda url, name: smf.site_config(url, name, version=1),
        smf.SEED_1,
    ),
    "xenforo": Demo(lambda w, _: xenforo.XenforoSite(w), xenforo.site_config, xenforo.SEED),
    "wordpress": Demo(
        lambda w, _: wordpress.WordpressSite(w), wordpress.site_config, wordpress.SEED
    ),
    "mybb": Demo(lambda w, _: mybb.MybbSite(w), mybb.site_config, mybb.SEED, minutes=True),
    "vbulletin4": Demo(
        lambda w, _: vbulletin.VbulletinSite(w, 4), vbulletin.site_config, vbulletin.SEED, True
    ),
    "vbulletin5": Demo(
        lambda w, _: vbulletin.VbulletinSite(w, 5),
        lambda url, name: vbulletin.site_config(url, name, version=5),
        vbulletin.SEED_5,
    ),
}


@dataclass
class Crawled:
    """A demo forum crawled once into a fresh SQLite database."""

    name: str
    site: DemoForum
    server: RunningServer
    seeds: Path
    db: str
    stdout: str


@pytest.fixture(scope="module", params=list(DEMOS))
def crawled(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Crawled]:
    name: str = request.param
    demo, world = DEMOS[name], World(seed=DEMOS[name].seed)
    folder = tmp_path_factory.mktemp(name)
    with serve(demo.make(world, "")) as server:
        site = demo.make(world, server.base_url)  # SMF writes absolute links: it knows its URL
        server.replace(site)
        write_site(folder / "seeds", demo.config(server.base_url, "demo").model_dump())
        db = f"sqlite:///{folder / 'watchlist.db'}"
        result = run_cli("crawl", "demo", "--seeds", str(folder / "seeds"), db=db)
        assert result.code == 0, result.stderr[-3000:] + result.stdout[-3000:]
        yield Crawled(name, site, server, folder / "seeds", db, result.stdout)


def path_of(url: str) -> str:
    """A stored URL without scheme and host: path, query and fragment."""
    return urlsplit(url)._replace(scheme="", netloc="").geturl()


def stored_sightings(db: str) -> set[tuple[str, str, str]]:
    store = open_store(db)
    try:
        return {
            (path_of(ev.post.url), entry.kind, entry.value)
            for entry in list_entries(store)
            if entry.id is not None
            for ev in get_entry(store, entry.id).evidence
        }
    finally:
        store.close()


def stored_posts(db: str) -> dict[str, tuple[str | None, datetime | None]]:
    """{post path: (author, posted_at in UTC)} of every stored post."""
    store = open_store(db)
    try:
        with store.read() as session:
            posts = session.exec(select(Post)).all()
    finally:
        store.close()

    def utc(moment: datetime | None) -> datetime | None:
        if moment is None:
            return None
        return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)

    return {path_of(post.url): (post.author, utc(post.posted_at)) for post in posts}


def test_crawl_by_the_preset_stores_exactly_the_demo_sightings(crawled: Crawled) -> None:
    expected = crawled.site.expected_sightings()
    assert expected and {kind for _, kind, _ in expected} >= {"payment_link", "phone", "telegram"}
    assert stored_sightings(crawled.db) == expected
    assert "0 failed requests" in crawled.stdout


def test_crawl_stores_every_post_under_its_permalink_with_its_author(crawled: Crawled) -> None:
    world = crawled.site.world
    stored = stored_posts(crawled.db)
    assert {path: author for path, (author, _) in stored.items()} == {
        crawled.site.post_path(post): storable_text(post.author) for post in world.posts()
    }  # the store keeps a name's escape sequence inert: ESC as ␛


def test_crawl_stores_every_post_with_its_time(
    crawled: Crawled, request: pytest.FixtureRequest
) -> None:
    stored = stored_posts(crawled.db)
    shown = "%Y-%m-%d %H:%M" if DEMOS[crawled.name].minutes else "%Y-%m-%d %H:%M:%S"
    assert {path: f"{at:{shown}}" for path, (_, at) in stored.items()} == {
        crawled.site.post_path(post): f"{datetime.fromisoformat(post.posted_at):{shown}}"
        for post in crawled.site.world.posts()
    }


def test_recrawl_after_a_reply_fetches_that_thread_alone(crawled: Crawled) -> None:
    demo, world = DEMOS[crawled.name], crawled.site.world
    fid = world.board_ids()[0]
    tid = next(t for t in world.board_thread_ids(fid, 1) if world.thread(t).post_count < 20)
    grown = demo.make(World(seed=world.seed, grown=((tid, 1),)), crawled.server.base_url)
    db = copy_database(crawled.db, "recrawl")  # the other tests keep the first crawl's store
    crawled.server.replace(grown)  # also clears the server's hit counts
    try:
        result = run_cli("crawl", "demo", "--seeds", str(crawled.seeds), db=db)
        fetched = set(crawled.server.hits)
    finally:
        crawled.server.replace(crawled.site)
    assert result.code == 0, result.stderr[-3000:]
    pages = getattr(crawled.site, "thread_page_count", world.thread_page_count)  # WordPress
    grown_pages = {grown.thread_path(tid, n) for n in range(1, pages(tid) + 1)}
    others = {
        grown.thread_path(t, n)
        for t in range(1, world.boards * world.threads_per_board + 1)
        if t != tid
        for n in range(1, pages(t) + 1)
    }
    assert grown_pages <= fetched and not others & fetched
    new_post = grown.world.post(tid, world.thread(tid).post_count)
    assert set(stored_posts(db)) == set(stored_posts(crawled.db)) | {grown.post_path(new_post)}


def copy_database(db: str, name: str) -> str:
    """A copy of a SQLite store (no process has it open) under another file name."""
    source = Path(db.removeprefix("sqlite:///"))
    target = source.with_name(f"{name}.db")
    for suffix in ("", "-wal"):
        if Path(f"{source}{suffix}").exists():
            shutil.copyfile(f"{source}{suffix}", f"{target}{suffix}")
    return f"sqlite:///{target}"
