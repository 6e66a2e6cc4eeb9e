"""Telegram channel previews: parse tests on pages in HtmlResponse, crawls of the demo channel.

The crawls run the real CLI in a subprocess against the demo channel served on a loopback port,
and compare what the store holds with the channel's ground truth.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from conftest import run_cli, stored_sightings, wait_for_posts, write_site
from scrapy.http import HtmlResponse, Request
from scrapy.utils.test import get_crawler

from crawlers.items import PostItem, ThreadDone
from crawlers.spiders.telegram import TelegramSpider, preview_url
from watchlist.demo import World, serve
from watchlist.demo.server import RunningServer
from watchlist.demo.telegram import CHANNEL, PAGE_SIZE, TITLE, TelegramChannel, site_config
from watchlist.sites import SiteConfig
from watchlist.store import PageMemory, open_store
from watchlist.store.queries import summary

BASE = "http://127.0.0.1:8771"
PAGES = Path(__file__).parent / "pages" / "telegram"


@pytest.fixture(scope="module")
def world() -> World:
    return World(seed=11)


@pytest.fixture(scope="module")
def channel(world: World) -> TelegramChannel:
    return TelegramChannel(world)


def make_spider(config: SiteConfig) -> TelegramSpider:
    """A spider bound to a test crawler (for its stats), outside any engine and store."""
    spider = TelegramSpider(config=config)
    spider._set_crawler(get_crawler(TelegramSpider))
    return spider


def demo_response(channel: TelegramChannel, target: str) -> HtmlResponse:
    page = channel.render(target)
    assert page.status == 200
    url = BASE + target
    return HtmlResponse(url, body=page.body, encoding="utf-8", request=Request(url))


def parsed(spider: TelegramSpider, response: HtmlResponse) -> list[object]:
    return list(spider.parse(response))


def test_newest_page_yields_one_item_per_message_and_asks_for_the_older_page(
    channel: TelegramChannel,
) -> None:
    spider = make_spider(site_config(BASE))
    out = parsed(spider, demo_response(channel, f"/s/{CHANNEL}"))
    items = [o for o in out if isinstance(o, PostItem)]
    requests = [o for o in out if isinstance(o, Request)]
    shown = channel.messages[-PAGE_SIZE:]
    wanted = [m for m in shown if m.service is None]
    assert [i.url for i in items] == [f"{BASE}/{CHANNEL}/{m.id}" for m in wanted]
    assert [i.text for i in items] == [m.text for m in wanted]
    assert [i.posted_at for i in items] == [m.posted_at for m in wanted]
    assert all(i.posted_at is not None and i.posted_at.tzinfo for i in items)
    assert [i.image_urls for i in items] == [[f"{BASE}/file/{p}" for p in m.photos] for m in wanted]
    assert {i.title for i in items} == {TITLE}
    assert [i.author for i in items] == [m.signature or TITLE for m in wanted]
    assert {i.site for i in items} == {"demo-telegram"}
    assert [r.url for r in requests] == [f"{BASE}/s/{CHANNEL}?before={shown[0].id}"]
    assert spider.crawler.stats.get_value("watchlist/telegram_messages_skipped") == sum(
        1 for m in shown if m.service is not None
    )


def test_service_messages_are_skipped_and_photo_only_messages_kept_with_empty_text(
    channel: TelegramChannel,
) -> None:
    spider = make_spider(site_config(BASE))
    out = parsed(spider, demo_response(channel, f"/s/{CHANNEL}?before=21"))
    items = {urlsplit(o.url).path: o for o in out if isinstance(o, PostItem)}
    assert f"/{CHANNEL}/1" not in items and f"/{CHANNEL}/17" not in items  # service messages
    photo_only = items[f"/{CHANNEL}/11"]
    assert photo_only.text == ""
    assert [urlsplit(u).path for u in photo_only.image_urls] == [
        "/file/" + channel.messages[10].photos[0]
    ]
    # The first page of the channel has nothing older.
    assert not [o for o in out if isinstance(o, Request)]
    assert [o for o in out if isinstance(o, ThreadDone)] == [
        ThreadDone("demo-telegram", f"{BASE}/s/{CHANNEL}", "20", len(items))
    ]


def test_a_reply_is_read_without_the_quote_of_the_message_it_answers(
    channel: TelegramChannel,
) -> None:
    spider = make_spider(site_config(BASE))
    out = parsed(spider, demo_response(channel, f"/s/{CHANNEL}?before=21"))
    reply = next(o for o in out if isinstance(o, PostItem) and o.url.endswith(f"/{CHANNEL}/13"))
    reply_to = channel.messages[12].reply_to
    assert reply_to is not None
    quoted = channel.messages[reply_to - 1]
    assert reply.text == channel.messages[12].text
    assert quoted.handles and not set(quoted.text.split("\n")) & set(reply.text.split("\n"))
    assert reply.image_urls == []  # the emoji drawn as an image is not a photo


def test_paging_stops_at_a_page_holding_a_message_of_the_last_complete_walk(
    channel: TelegramChannel,
) -> None:
    spider = make_spider(site_config(BASE))
    channel_url = f"{BASE}/s/{CHANNEL}"
    spider.memory.pages = {channel_url: PageMemory("45", None, None)}
    newest = parsed(spider, demo_response(channel, f"/s/{CHANNEL}"))  # 41..60 holds 45
    assert not [o for o in newest if isinstance(o, Request)]
    assert [o for o in newest if isinstance(o, ThreadDone)] == [
        ThreadDone("demo-telegram", channel_url, "60", sum(isinstance(o, PostItem) for o in newest))
    ]
    assert spider.crawler.stats.get_value("watchlist/stopped_at_seen") == 1

    spider.memory.pages = {channel_url: PageMemory("30", None, None)}
    walked = parsed(spider, demo_response(channel, f"/s/{CHANNEL}"))  # 30 is further back
    assert [r.url for r in walked if isinstance(r, Request)] == [f"{channel_url}?before=41"]
    assert not [o for o in walked if isinstance(o, ThreadDone)]


def test_the_end_of_the_allowed_history_counts_as_old_ground(channel: TelegramChannel) -> None:
    spider = make_spider(site_config(BASE).model_copy(update={"max_pages": 1}))
    spider.requested = 1  # the newest page spent the budget
    out = parsed(spider, demo_response(channel, f"/s/{CHANNEL}"))
    assert not [o for o in out if isinstance(o, Request)]
    assert [o for o in out if isinstance(o, ThreadDone)] == [
        ThreadDone(
            "demo-telegram", f"{BASE}/s/{CHANNEL}", "60", sum(isinstance(o, PostItem) for o in out)
        )
    ]
    assert spider.crawler.stats.get_value("watchlist/telegram_history_cut") == 1


def test_a_saved_t_me_page_gives_permalinks_offsets_albums_and_the_older_page() -> None:
    config = SiteConfig(
        name="otc-example", type="telegram", start_urls=["https://t.me/otc_example"]
    )
    spider = make_spider(config)
    assert preview_url(config.start_urls[0]) == "https://t.me/s/otc_example"
    assert {"t.me", "telesco.pe", "cdn-telegram.org"} <= set(spider.allowed_domains)
    url = "https://t.me/s/otc_example"
    body = (PAGES / "otc_example.html").read_bytes()
    out = parsed(spider, HtmlResponse(url, body=body, encoding="utf-8", request=Request(url)))
    items = [o for o in out if isinstance(o, PostItem)]
    assert [i.url for i in items] == [
        "https://t.me/otc_example/4102",
        "https://t.me/otc_example/4103",
        "https://t.me/otc_example/4105",
    ]
    offer, album, reply = items
    assert offer.text == "🔥 出U 汇率 7.21\n大额可谈，联系 @example_seller_88\nTRC20 only"
    assert offer.posted_at == datetime(2026, 3, 1, 1, 30, tzinfo=UTC)
    assert offer.posted_at.utcoffset() == timedelta(hours=8)
    assert offer.author == "OTC Example Desk" and offer.title == "OTC Example Desk"
    assert offer.image_urls == []
    assert album.text == "" and album.author == "Desk Admin"
    assert album.image_urls == [
        "https://cdn4.telesco.pe/file/qr-example-a.jpg",
        "https://cdn1.cdn-telegram.org/file/qr-example-b.jpg",
    ]
    assert reply.text == "已交易，放币很快。" and reply.image_urls == []
    assert [r.url for r in out if isinstance(r, Request)] == [
        "https://t.me/s/otc_example?before=4101"
    ]


# --- crawls of the demo channel, through the CLI, into a real database -----------------------


@pytest.fixture
def served(channel: TelegramChannel) -> Iterator[RunningServer]:
    with serve(channel) as server:
        yield server


def crawl(seeds: Path, db: str) -> None:
    result = run_cli("crawl", "demo-telegram", "--seeds", str(seeds), db=db)
    assert result.code == 0, result.stderr[-3000:] + result.stdout


def stored_posts(db: str) -> int:
    store = open_store(db)
    try:
        return summary(store).posts
    finally:
        store.close()


def posts_of(channel: TelegramChannel) -> int:
    return sum(1 for m in channel.messages if m.service is None)


def test_crawl_stores_exactly_the_channels_sightings_reading_every_page_once(
    tmp_path: Path, sqlite_url: str, served: RunningServer, channel: TelegramChannel
) -> None:
    seeds = tmp_path / "seeds"
    write_site(seeds, site_config(served.base_url).model_dump())
    crawl(seeds, sqlite_url)
    assert stored_sightings(sqlite_url) == channel.expected_sightings()
    assert stored_posts(sqlite_url) == posts_of(channel)
    assert set(served.hits) == {*channel.pages(), *channel.photos(), "/robots.txt"}
    assert all(count == 1 for count in served.hits.values())


def test_recrawl_of_a_grown_channel_reads_only_the_new_pages_and_stores_only_new_messages(
    tmp_path: Path, sqlite_url: str, served: RunningServer, world: World
) -> None:
    seeds = tmp_path / "seeds"
    write_site(seeds, site_config(served.base_url).model_dump())
    crawl(seeds, sqlite_url)
    first = stored_posts(sqlite_url)
    assert {t for t in served.hits if t.startswith("/s/")} == set(TelegramChannel(world).pages())

    grown = TelegramChannel(world, extra=PAGE_SIZE + 5)  # a page and a bit of new messages
    served.replace(grown)
    crawl(seeds, sqlite_url)
    newest = len(grown.messages) - PAGE_SIZE + 1
    assert {t for t in served.hits if t.startswith("/s/")} == {
        f"/s/{CHANNEL}",
        f"/s/{CHANNEL}?before={newest}",  # holds the 5 oldest new messages and seen ones
    }
    new = [m for m in grown.messages[-(PAGE_SIZE + 5) :] if m.service is None]
    assert stored_posts(sqlite_url) == first + len(new)
    assert stored_sightings(sqlite_url) == grown.expected_sightings()

    served.replace(grown)  # nothing new: one page, nothing stored
    crawl(seeds, sqlite_url)
    assert {t for t in served.hits if t.startswith("/s/")} == {f"/s/{CHANNEL}"}
    assert stored_posts(sqlite_url) == first + len(new)


def test_a_crawl_killed_midway_resumes_past_the_messages_it_stored(
    tmp_path: Path, sqlite_url: str
) -> None:
    deep = TelegramChannel(World(seed=11, boards=4), messages=300)  # 15 preview pages
    total = posts_of(deep)
    with serve(deep, delay=0.1) as running:
        seeds = tmp_path / "seeds"
        write_site(seeds, site_config(running.base_url).model_dump())
        env = {k: v for k, v in os.environ.items() if not k.startswith("WATCHLIST_")}
        env["WATCHLIST_DB"] = sqlite_url
        command = [sys.executable, "-m", "watchlist", "crawl", "demo-telegram", "--seeds"]
        process = subprocess.Popen(
            [*command, str(seeds)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        try:
            stored = wait_for_posts(sqlite_url, at_least=50, process=process)
        finally:
            process.send_signal(signal.SIGKILL)
            process.wait(timeout=30)
        assert 50 <= stored < total, "the crawl was killed midway"
        running.replace(deep)
        crawl(seeds, sqlite_url)
        # The resumed walk reads the stored newest pages again and goes on to the first one.
        assert {t for t in running.hits if t.startswith("/s/")} == set(deep.pages())
    assert stored_posts(sqlite_url) == total
    assert stored_sightings(sqlite_url) == deep.expected_sightings()
