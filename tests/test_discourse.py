"""Discourse through its JSON endpoints: parse tests on JSON bodies, then real crawls."""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from conftest import run_cli, stored_sightings, write_site
from parsel import Selector
from scrapy.http import Request, TextResponse
from scrapy.utils.test import get_crawler
from twisted.python.failure import Failure

from crawlers.items import PostItem, ThreadDone
from crawlers.spiders.discourse import (
    DiscourseSpider,
    _site_url,
    base_url,
    cooked_images,
    list_json_url,
)
from watchlist.demo import World, serve
from watchlist.demo.discourse import (
    CHUNK_SIZE,
    DiscourseSite,
    category_slug,
    default_world,
    site_config,
)
from watchlist.demo.server import RunningServer
from watchlist.sites import SiteConfig, find_site
from watchlist.store import PageMemory, open_store
from watchlist.store.queries import summary

BASE = "http://127.0.0.1:8769"
PAGES = Path(__file__).parent / "pages" / "discourse"
SEEDS = Path(__file__).resolve().parent.parent / "seeds"
FORUM = "https://forum.example.org/community"  # the saved pages' forum, in a subfolder


def make_spider(config: SiteConfig) -> DiscourseSpider:
    """A spider bound to a test crawler (for its stats), outside any engine."""
    spider = DiscourseSpider(config=config)
    spider._set_crawler(get_crawler(DiscourseSpider))
    return spider


def answer(site: DiscourseSite, request: Request) -> TextResponse:
    """What the demo forum answers to ``request``, as Scrapy hands it to the callback."""
    parts = urlsplit(request.url)
    page = site.render(parts.path + (f"?{parts.query}" if parts.query else ""))
    assert page.status == 200, request.url
    return TextResponse(request.url, body=page.body, encoding="utf-8", request=request)


def saved(name: str, url: str, meta: dict[str, object] | None = None) -> TextResponse:
    body = (PAGES / name).read_bytes()
    return TextResponse(url, body=body, encoding="utf-8", request=Request(url, meta=meta or {}))


def requests_of(output: Iterable[object]) -> list[Request]:
    return [o for o in output if isinstance(o, Request)]


def items_of(output: Iterable[object]) -> list[PostItem]:
    return [o for o in output if isinstance(o, PostItem)]


def start_requests(spider: DiscourseSpider) -> list[Request]:
    async def collect() -> list[Request]:
        return [request async for request in spider.start()]

    return asyncio.run(collect())


def stat(spider: DiscourseSpider, name: str) -> int:
    return int(spider.crawler.stats.get_value(f"watchlist/{name}", 0))


@pytest.fixture(scope="module")
def world() -> World:
    return default_world()


@pytest.fixture(scope="module")
def site(world: World) -> DiscourseSite:
    return DiscourseSite(world)


@pytest.fixture
def spider(world: World) -> DiscourseSpider:
    return make_spider(site_config(BASE, world=world))


# --- URLs -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "json_url", "base"),
    [
        ("https://f.example/c/otc/5", "https://f.example/c/otc/5.json", "https://f.example"),
        ("https://f.example/c/otc/5/", "https://f.example/c/otc/5.json", "https://f.example"),
        ("https://f.example/latest", "https://f.example/latest.json", "https://f.example"),
        ("https://f.example/", "https://f.example/latest.json", "https://f.example"),
        ("https://f.example", "https://f.example/latest.json", "https://f.example"),
        ("https://f.example/forum/", "https://f.example/forum/latest.json", "https://f.example/forum"),
        (
            "https://f.example/forum/c/otc/usdt/7/l/latest?page=2",
            "https://f.example/forum/c/otc/usdt/7/l/latest.json?page=2",
            "https://f.example/forum",
        ),
        ("https://f.example/latest.json?page=1", "https://f.example/latest.json?page=1", "https://f.example"),
    ],
)  # fmt: skip
def test_a_topic_list_url_is_read_in_its_json_form_on_the_forums_base(
    url: str, json_url: str, base: str
) -> None:
    assert list_json_url(url) == json_url
    assert base_url(url) == base


def test_more_topics_url_is_made_absolute_whether_or_not_it_names_the_subfolder() -> None:
    page = FORUM + "/latest.json"
    with_folder = _site_url(FORUM, "/community/latest?page=1", page)
    without = _site_url(FORUM, "/latest?page=1", page)
    assert with_folder == without == "https://forum.example.org/community/latest?page=1"
    category = "https://f.example/c/otc/5"
    assert _site_url("https://f.example", "/c/otc/5/l/latest?page=1", category + ".json") == (
        category + "/l/latest?page=1"
    )


def test_start_urls_request_category_and_latest_lists_and_single_topics() -> None:
    starts = ["https://f.example/c/otc/5", "https://f.example/latest", FORUM + "/t/x/4242/3"]
    starts.append("https://f.example/c/t/9")  # a category whose slug is "t"
    config = SiteConfig(name="f", type="forum", engine="discourse", start_urls=starts)
    spider = make_spider(config)
    requests = start_requests(spider)
    assert [(r.url, r.callback) for r in requests] == [
        ("https://f.example/c/otc/5.json", spider.parse_topic_list),
        ("https://f.example/latest.json", spider.parse_topic_list),
        (FORUM + "/t/4242.json", spider.parse_topic),
        ("https://f.example/c/t/9.json", spider.parse_topic_list),
    ]


# --- topic lists ------------------------------------------------------------------------------


def test_category_page_requests_each_topic_then_the_next_page(
    spider: DiscourseSpider, site: DiscourseSite, world: World
) -> None:
    fid = world.board_ids()[0]
    listing = Request(f"{BASE}/c/{category_slug(world, fid)}/{fid}.json")
    out = list(spider.parse_topic_list(answer(site, listing)))
    topics = [r for r in out if r.callback == spider.parse_topic]
    pages = [r.url for r in out if r.callback == spider.parse_topic_list]
    listed = [t["id"] for t in _json(site, listing.url)["topic_list"]["topics"]]
    assert [r.url for r in topics] == [f"{BASE}/t/{site.slug(t)}/{t}.json" for t in listed]
    assert len(listed) == world.threads_per_page
    assert pages == [f"{BASE}/c/{category_slug(world, fid)}/{fid}/l/latest.json?page=1"]
    # The last page names no next page.
    last = list(spider.parse_topic_list(answer(site, Request(pages[0]))))
    assert [r.url for r in last if r.callback == spider.parse_topic_list] == []
    assert len(last) == world.threads_per_board - world.threads_per_page


def test_saved_latest_list_carries_each_topics_mark_and_pages_on(spider: DiscourseSpider) -> None:
    out = requests_of(spider.parse_topic_list(saved("latest.json", FORUM + "/latest.json")))
    assert [(r.url, r.meta.get("mark")) for r in out] == [
        (FORUM + "/t/selling-usdt-trc20/4242.json", "5|2025-11-04T12:30:05.511Z"),
        (FORUM + "/t/topic/4240.json", "1|2025-11-02T22:01:09.000Z"),
        (FORUM + "/latest.json?no_definitions=true&page=1", None),
    ]


def test_unchanged_topic_is_skipped_and_a_moved_one_is_fetched(spider: DiscourseSpider) -> None:
    spider.memory.pages = {
        FORUM + "/t/selling-usdt-trc20/4242": PageMemory("5|2025-11-04T12:30:05.511Z", None, None),
        FORUM + "/t/topic/4240": PageMemory("1|2025-11-01T00:00:00.000Z", None, None),  # moved
    }
    out = requests_of(spider.parse_topic_list(saved("latest.json", FORUM + "/latest.json")))
    assert [r.url for r in out if r.callback == spider.parse_topic] == [
        FORUM + "/t/topic/4240.json"
    ]
    assert stat(spider, "threads_unchanged") == 1


def test_a_topic_listed_twice_is_requested_once(spider: DiscourseSpider) -> None:
    first = requests_of(spider.parse_topic_list(saved("latest.json", FORUM + "/latest.json")))
    again = requests_of(
        spider.parse_topic_list(saved("latest.json", FORUM + "/latest.json?page=1"))
    )
    assert len([r for r in first if r.callback == spider.parse_topic]) == 2
    assert [r for r in again if r.callback == spider.parse_topic] == []


def test_a_list_that_is_not_json_is_counted_not_raised(spider: DiscourseSpider) -> None:
    url = BASE + "/latest.json"
    html = TextResponse(url, body=b"<html>login</html>", encoding="utf-8", request=Request(url))
    assert list(spider.parse_topic_list(html)) == []
    assert stat(spider, "unreadable_json") == 1


# --- topics and their post stream -------------------------------------------------------------


def test_saved_topic_gives_text_author_time_permalink_and_original_images(
    spider: DiscourseSpider,
) -> None:
    topic = FORUM + "/t/selling-usdt-trc20/4242"
    meta = {"topic_url": topic, "mark": "5|2025-11-04T12:30:05.511Z"}
    out = list(spider.parse_topic(saved("topic-4242.json", topic + ".json", meta)))
    items = items_of(out)
    assert [i.url for i in items] == [topic + "/1", topic + "/2"]  # the small action is no post
    first, second = items
    # The lightbox's file name and size are not the author's words.
    assert (
        first.text
        == "Selling USDT TRC20, any size.\nWeChat: jinotc888\nSee https://t.me/jin_otc_desk"
    )
    assert first.title == "Selling USDT TRC20 <any size>"  # the plain title, not fancy_title
    assert first.author == "jin_trader"
    assert first.posted_at == datetime(2025, 11, 3, 8, 15, 42, 318000, tzinfo=UTC)
    assert first.image_urls == [
        "https://forum.example.org/community/uploads/default/original/2X/4/4f0c1e9d2b.png"
    ]  # the lightbox's original, not the shrunk copy; no emoji
    assert second.text.endswith("Paid him, never got the coins. Avoid.")
    assert second.image_urls == ["https://cdn.example.net/community/original/2X/9/9ab7.jpeg"]
    assert {i.thread_url for i in items} == {topic}
    chunks = requests_of(out)
    assert [r.url for r in chunks] == [
        FORUM + "/t/4242/posts.json?post_ids%5B%5D=90115&post_ids%5B%5D=90121"
    ]
    assert not [o for o in out if isinstance(o, ThreadDone)]  # two posts are still to come


def test_cooked_images_skip_emoji_avatars_and_inline_data() -> None:
    cooked = Selector(
        text='<p><img class="emoji" src="/images/emoji/a.png"><img src="data:image/png;base64,AA">'
        '<img class="avatar" src="/u/1.png"><img src="/uploads/x.png"><img src="/uploads/x.png">'
    )
    assert cooked_images(cooked, "https://f.example/t/a/1.json") == [
        "https://f.example/uploads/x.png"
    ]


def test_a_long_topic_is_read_in_chunks_of_twenty_and_ends_with_its_mark() -> None:
    world = World(seed=9, posts_per_thread=45)  # each board's first thread holds 45 posts
    site = DiscourseSite(world)
    spider = make_spider(site_config(BASE, world=world))
    tid = 1 + world.threads_per_board  # a sale thread (thread 1 is the rules, with a small action)
    thread = world.thread(tid)
    assert thread.post_count == 45 and thread.type != "notice"
    url = f"{BASE}/t/{site.slug(tid)}/{tid}"
    topic_out = list(
        spider.parse_topic(
            answer(site, Request(url + ".json", meta={"topic_url": url, "mark": "m"}))
        )
    )
    chunks = requests_of(topic_out)
    stream = [post.post_id for post in (world.post(tid, i) for i in range(45))]
    assert [r.url for r in chunks] == [
        f"{BASE}/t/{tid}/posts.json?" + "&".join(f"post_ids%5B%5D={i}" for i in ids)
        for ids in (stream[20:40], stream[40:])
    ]
    assert all(r.callback == spider.parse_posts for r in chunks)
    first_chunk = list(spider.parse_posts(answer(site, chunks[0])))
    assert not [o for o in first_chunk if isinstance(o, ThreadDone)]
    last_chunk = list(spider.parse_posts(answer(site, chunks[1])))
    items = items_of(topic_out) + items_of(first_chunk) + items_of(last_chunk)
    assert len(items_of(topic_out)) == CHUNK_SIZE
    expected = [world.post(tid, i) for i in range(45)]
    assert [i.url for i in items] == [f"{url}/{n}" for n in range(1, 46)]
    assert [i.text for i in items] == [p.text for p in expected]
    assert [i.posted_at for i in items] == [datetime.fromisoformat(p.posted_at) for p in expected]
    assert all(i.title == thread.title for i in items)
    assert [o for o in last_chunk if isinstance(o, ThreadDone)] == [
        ThreadDone("demo-discourse", url, "m", 45)
    ]


def test_a_failed_chunk_leaves_the_topic_unremembered(site: DiscourseSite, world: World) -> None:
    spider = make_spider(site_config(BASE, world=world))
    tid = next(t for t in range(1, 25) if world.thread(t).post_count > CHUNK_SIZE)
    url = f"{BASE}/t/{site.slug(tid)}/{tid}"
    request = Request(url + ".json", meta={"topic_url": url, "mark": "m"})
    (chunk,) = requests_of(spider.parse_topic(answer(site, request)))
    failure = Failure(ConnectionRefusedError("refused"))
    failure.request = chunk  # as Scrapy sets it on the failures it hands to errbacks
    assert list(chunk.errback(failure)) == []
    assert stat(spider, "failed_requests") == 1 and stat(spider, "threads_incomplete") == 1


def test_a_topic_without_more_posts_ends_at_once_with_its_mark(
    spider: DiscourseSpider, site: DiscourseSite, world: World
) -> None:
    tid = next(t for t in range(1, 25) if world.thread(t).post_count <= CHUNK_SIZE)
    url = f"{BASE}/t/{site.slug(tid)}/{tid}"
    out = list(spider.parse_topic(answer(site, Request(url + ".json", meta={"topic_url": url}))))
    summary_ = _json(site, url + ".json")
    mark = f"{summary_['posts_count']}|{summary_['last_posted_at']}"  # read from the topic itself
    assert out[-1] == ThreadDone("demo-discourse", url, mark, world.thread(tid).post_count)
    assert not requests_of(out)


def _json(site: DiscourseSite, url: str) -> dict[str, Any]:
    parts = urlsplit(url)
    body = json.loads(site.render(parts.path + (f"?{parts.query}" if parts.query else "")).body)
    assert isinstance(body, dict)
    return body


# --- crawls -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def forum(site: DiscourseSite) -> Iterator[RunningServer]:
    with serve(site) as running:
        yield running


def crawl(seeds: Path, db: str) -> None:
    result = run_cli("crawl", "demo-discourse", "--seeds", str(seeds), db=db)
    assert result.code == 0, result.stderr + result.stdout


def test_crawl_stores_exactly_the_demo_forums_sightings(
    tmp_path: Path, sqlite_url: str, world: World, site: DiscourseSite, forum: RunningServer
) -> None:
    write_site(tmp_path / "seeds", site_config(forum.base_url, world=world).model_dump())
    forum.replace(site)
    crawl(tmp_path / "seeds", sqlite_url)
    assert stored_sightings(sqlite_url) == site.expected_sightings()
    store = open_store(sqlite_url)
    assert summary(store).posts == site.post_count()
    store.close()
    hits = forum.hits
    assert not [t for t in hits if t.startswith(("/images/emoji/", "/uploads/default/optimized/"))]
    assert {t for t in hits if t.startswith("/uploads/")} == {
        "/uploads/default/original/1X/" + path.rsplit("/", 1)[1] for path in world.attachments()
    }
    assert all(count == 1 for count in hits.values())


def test_recrawl_fetches_only_the_lists_and_then_only_the_topic_that_moved(
    tmp_path: Path, sqlite_url: str, world: World, site: DiscourseSite, forum: RunningServer
) -> None:
    seeds = tmp_path / "seeds"
    write_site(seeds, site_config(forum.base_url, world=world).model_dump())
    forum.replace(site)
    crawl(seeds, sqlite_url)
    lists = {t for t in forum.hits if t.startswith("/c/")}
    assert len(lists) == 2 * world.boards

    forum.replace(site)
    crawl(seeds, sqlite_url)
    assert set(forum.hits) == lists | {"/robots.txt"}

    tid = next(t for t in range(1, 25) if world.thread(t).post_count + 3 <= CHUNK_SIZE)
    grown = World(seed=world.seed, grown=((tid, 3),))
    forum.replace(DiscourseSite(grown))
    crawl(seeds, sqlite_url)
    topics = Counter(t for t in forum.hits if t.startswith("/t/"))
    assert topics == Counter({f"/t/{site.slug(tid)}/{tid}.json": 1})
    assert stored_sightings(sqlite_url) == DiscourseSite(grown).expected_sightings()


def test_shipped_demo_config_starts_at_the_demo_forums_categories() -> None:
    shipped = find_site("demo-discourse", SEEDS)
    assert shipped.start_urls == site_config(BASE).start_urls
    assert shipped.engine == "discourse" and shipped.allow_private
