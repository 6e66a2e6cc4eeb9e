"""Parse tests: saved Discuz! pages wrapped in HtmlResponse, no engine, no network."""

from __future__ import annotations

from datetime import datetime

import pytest
from scrapy.http import HtmlResponse, Request
from scrapy.utils.test import get_crawler

from crawlers.items import PostItem
from crawlers.spiders.forum import ForumSpider
from watchlist.demo import World
from watchlist.demo.discuz import render
from watchlist.demo.site import demo_site
from watchlist.sites import SiteConfig

BASE = "http://127.0.0.1:8765"


@pytest.fixture
def spider(demo_world: World) -> ForumSpider:
    return make_spider(demo_site(demo_world, BASE))


def make_spider(config: SiteConfig) -> ForumSpider:
    """A spider bound to a test crawler (for its stats), outside any engine."""
    spider = ForumSpider(config=config)
    spider._set_crawler(get_crawler(ForumSpider))
    return spider


def response(world: World, path: str) -> HtmlResponse:
    page = render(world, path)
    assert page.status == 200
    return HtmlResponse(BASE + path, body=page.body, encoding="utf-8", request=Request(BASE + path))


def test_board_page_yields_its_threads_then_the_next_board_page(
    spider: ForumSpider, demo_world: World
) -> None:
    fid = demo_world.board_ids()[0]
    requests = list(spider.parse_board(response(demo_world, f"/forum-{fid}-1.html")))
    threads = [r.url for r in requests if r.callback == spider.parse_thread]
    boards = [r.url for r in requests if r.callback == spider.parse_board]
    assert threads == [f"{BASE}/thread-{t}-1-1.html" for t in demo_world.board_thread_ids(fid, 1)]
    assert boards == [f"{BASE}/forum-{fid}-2.html"]


def test_thread_page_yields_every_post_with_author_time_and_permalink(
    spider: ForumSpider, demo_world: World
) -> None:
    tid = next(
        t
        for fid in demo_world.board_ids()
        for t in demo_world.board_thread_ids(fid, 1)
        if demo_world.thread_page_count(t) > 1
    )
    out = list(spider.parse_thread(response(demo_world, f"/thread-{tid}-1-1.html")))
    items = [o for o in out if isinstance(o, PostItem)]
    expected = demo_world.thread_posts(tid, 1)
    assert [i.url for i in items] == [BASE + p.url_path for p in expected]
    assert [i.text for i in items] == [p.text for p in expected]
    assert [i.author for i in items] == [p.author for p in expected]
    assert [i.posted_at for i in items] == [datetime.fromisoformat(p.posted_at) for p in expected]
    assert all(i.title == expected[0].title and i.site == "demo-discuz" for i in items)
    nexts = [o.url for o in out if isinstance(o, Request)]
    assert nexts == [f"{BASE}/thread-{tid}-2-1.html"]


def test_max_pages_stops_following_links(demo_world: World) -> None:
    spider = make_spider(demo_site(demo_world, BASE).model_copy(update={"max_pages": 3}))
    spider.requested = 1  # the start URL
    fid = demo_world.board_ids()[0]
    requests = list(spider.parse_board(response(demo_world, f"/forum-{fid}-1.html")))
    assert len(requests) == 2
    assert spider.crawler.stats.get_value("watchlist/max_pages_reached") > 0
