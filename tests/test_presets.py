"""Parse tests for the phpBB, SMF (2.1 and 1.x) and XenForo presets on saved pages.

The pages in ``tests/pages/<engine>/`` were rendered by the demo sites (``python
tests/test_presets.py`` writes them again) and checked by hand against each engine's templates;
they are wrapped in ``HtmlResponse`` — no engine, no network — and read by the real spider with
nothing but the engine preset.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Protocol

import pytest
from scrapy.http import HtmlResponse, Request
from scrapy.utils.test import get_crawler

from crawlers.items import PostItem, ThreadDone
from crawlers.spiders.forum import ForumSpider
from watchlist.demo import mybb, phpbb, smf, vbulletin, wordpress, xenforo
from watchlist.demo.page import Page
from watchlist.demo.world import DemoPost, World
from watchlist.presets import PRESETS
from watchlist.sites import REQUIRED, SiteConfig, find_site, load_site

PAGES = Path(__file__).resolve().parent / "pages"
SEEDS = Path(__file__).resolve().parent.parent / "seeds"


class DemoForum(Protocol):
    world: World

    def render(self, target: str) -> Page: ...
    def board_path(self, fid: int, page: int) -> str: ...
    def thread_path(self, tid: int, page: int) -> str: ...
    def post_path(self, post: DemoPost) -> str: ...


@dataclass(frozen=True)
class Engine:
    """A demo forum in one engine's markup, and the config that crawls it by its preset."""

    name: str
    base: str
    make: Callable[[World | None], DemoForum]  # the demo site of a world (None: the default)
    config: SiteConfig

    @property
    def site(self) -> DemoForum:
        return _site(self.name)

    def pages(self) -> dict[str, str]:
        """{saved file name: path}: both pages of a board, the first and last of a thread."""
        world = self.site.world
        fid, tid = world.board_ids()[0], 1
        return {
            "board-1.html": self.site.board_path(fid, 1),
            "board-last.html": self.site.board_path(fid, world.board_page_count(fid)),
            "thread-1.html": self.site.thread_path(tid, 1),
            "thread-last.html": self.site.thread_path(tid, world.thread_page_count(tid)),
        }


@cache
def _site(name: str) -> DemoForum:
    return ENGINES[name].make(None)


def _engines() -> dict[str, Engine]:
    phpbb_base, smf_base = "http://127.0.0.1:8766", "http://127.0.0.1:8767"
    xenforo_base = "http://127.0.0.1:8768"
    return {
        "phpbb": Engine("phpbb", phpbb_base, phpbb.PhpbbSite, phpbb.site_config(phpbb_base)),
        "smf": Engine(
            "smf",
            smf_base,
            lambda world: smf.SmfSite(world, version=2, base_url=smf_base),
            smf.site_config(smf_base),
        ),
        "smf1": Engine(
            "smf1",
            smf_base,
            lambda world: smf.SmfSite(world, version=1, base_url=smf_base),
            smf.site_config(smf_base, version=1),
        ),
        "xenforo": Engine(
            "xenforo", xenforo_base, xenforo.XenforoSite, xenforo.site_config(xenforo_base)
        ),
    }


ENGINES = _engines()


def spider_for(config: SiteConfig) -> ForumSpider:
    """A spider bound to a test crawler (for its stats), outside any engine."""
    spider = ForumSpider(config=config)
    spider._set_crawler(get_crawler(ForumSpider))
    return spider


def saved(engine: Engine, file_name: str, **meta: object) -> HtmlResponse:
    """A saved page as the spider receives it; the page itself declares its encoding."""
    url = engine.base + engine.pages()[file_name]
    body = (PAGES / engine.name / file_name).read_bytes()
    return HtmlResponse(url, body=body, request=Request(url, meta=meta))


def thread_meta(engine: Engine) -> dict[str, object]:
    return {"thread": engine.base + engine.site.thread_path(1, 1), "mark": "m", "thread_posts": 0}


@pytest.mark.parametrize("name", list(ENGINES))
def test_board_page_lists_its_threads_with_their_marks_then_the_next_page(
    name: str,
) -> None:
    engine = ENGINES[name]
    spider, world = spider_for(engine.config), engine.site.world
    fid = world.board_ids()[0]
    out = list(spider.parse_board(saved(engine, "board-1.html")))
    threads = [r for r in out if r.callback == spider.parse_thread]
    boards = [r.url for r in out if r.callback == spider.parse_board]
    tids = world.board_thread_ids(fid, 1)
    assert [r.url for r in threads] == [engine.base + engine.site.thread_path(t, 1) for t in tids]
    for request, tid in zip(threads, tids, strict=True):
        # Replies and the last post move on a reply; views move on every read: never in a mark.
        views = world.thread(tid).views
        assert not re.search(rf"(?<![\w:]){views}(?![\w:])", request.meta["mark"])
    assert boards == [engine.base + engine.site.board_path(fid, 2)]


@pytest.mark.parametrize("name", list(ENGINES))
def test_last_board_page_names_no_next_page(name: str) -> None:
    engine = ENGINES[name]
    spider = spider_for(engine.config)
    out = list(spider.parse_board(saved(engine, "board-last.html")))
    assert out and all(r.callback == spider.parse_thread for r in out)


@pytest.mark.parametrize("name", list(ENGINES))
def test_thread_page_yields_every_post_with_permalink_text_author_and_images(name: str) -> None:
    engine = ENGINES[name]
    spider, world = spider_for(engine.config), engine.site.world
    out = list(spider.parse_thread(saved(engine, "thread-1.html", **thread_meta(engine))))
    items = [o for o in out if isinstance(o, PostItem)]
    expected = world.thread_posts(1, 1)
    assert [i.url for i in items] == [engine.base + engine.site.post_path(p) for p in expected]
    assert [i.text for i in items] == [p.text for p in expected]
    assert [i.author for i in items] == [p.author for p in expected]  # hostile names too
    assert [len(i.image_urls) for i in items] == [len(p.images) for p in expected]
    assert sum(len(p.images) for p in expected) >= 3  # the QR codes, the broken image, the bomb
    assert all(i.title and expected[0].title in i.title for i in items)
    nexts = [o.url for o in out if isinstance(o, Request)]
    assert nexts == [engine.base + engine.site.thread_path(1, 2)]


@pytest.mark.parametrize("name", list(ENGINES))
def test_thread_page_reads_each_post_time(name: str) -> None:
    engine = ENGINES[name]
    out = spider_for(engine.config).parse_thread(saved(engine, "thread-1.html"))
    times = [o.posted_at for o in out if isinstance(o, PostItem)]
    expected = engine.site.world.thread_posts(1, 1)
    assert times == [datetime.fromisoformat(p.posted_at) for p in expected]


@pytest.mark.parametrize("name", list(ENGINES))
def test_last_thread_page_ends_the_thread_with_the_board_mark(name: str) -> None:
    engine = ENGINES[name]
    meta = {**thread_meta(engine), "thread_posts": 20}
    out = list(spider_for(engine.config).parse_thread(saved(engine, "thread-last.html", **meta)))
    done = [o for o in out if isinstance(o, ThreadDone)]
    posts = [o for o in out if isinstance(o, PostItem)]
    assert not [o for o in out if isinstance(o, Request)]
    assert [(d.thread_url, d.mark, d.posts) for d in done] == [
        (meta["thread"], "m", 20 + len(posts))
    ]
    assert len(posts) == engine.site.world.thread(1).post_count - 20


@pytest.mark.parametrize("name", list(ENGINES))
def test_a_thread_mark_moves_only_when_the_thread_gets_a_reply(name: str) -> None:
    engine = ENGINES[name]
    site, world = engine.site, engine.site.world
    fid = world.board_ids()[0]
    tid = next(t for t in world.board_thread_ids(fid, 1) if world.thread(t).post_count < 20)
    grown = engine.make(World(seed=world.seed, grown=((tid, 1),)))

    def marks(forum: DemoForum) -> dict[str, object]:
        target = forum.board_path(fid, 1)
        page = forum.render(target)
        response = HtmlResponse(engine.base + target, body=page.body)
        requests = spider_for(engine.config).parse_board(response)
        return {r.url: r.meta["mark"] for r in requests if r.meta.get("mark")}

    before, after = marks(site), marks(grown)
    assert len(before) == len(world.board_thread_ids(fid, 1))
    moved = {url for url in before if before[url] != after[url]}
    assert moved == {engine.base + site.thread_path(tid, 1)}


SMF20 = "https://forum.example.com/index.php"
SMF20_CONFIG = SiteConfig(
    name="smf20", type="forum", engine="smf", start_urls=[f"{SMF20}?board=4.0"]
)


def smf20(file_name: str, url: str) -> HtmlResponse:
    """A hand-written SMF 2.0 (Curve) page: the demo renders 2.1 and 1.x."""
    body = (PAGES / "smf20" / file_name).read_bytes()
    return HtmlResponse(url, body=body, request=Request(url))


def test_smf_20_board_page_lists_its_topics_by_last_post_then_the_next_page() -> None:
    spider = spider_for(SMF20_CONFIG)
    out = list(spider.parse_board(smf20("board.html", f"{SMF20}?board=4.0")))
    threads = {r.url: r.meta["mark"] for r in out if r.callback == spider.parse_thread}
    assert threads == {
        f"{SMF20}?topic=57.0": "January 06, 2026, 09:12:44 PM | by | cointrader",
        f"{SMF20}?topic=61.0": "January 05, 2026, 08:00:00 AM | by Guest",
    }
    assert [r.url for r in out if r.callback == spider.parse_board] == [f"{SMF20}?board=4.20"]


def test_smf_20_topic_page_yields_each_message_with_its_permalink_and_poster() -> None:
    out = list(spider_for(SMF20_CONFIG).parse_thread(smf20("topic.html", f"{SMF20}?topic=57.0")))
    items = [o for o in out if isinstance(o, PostItem)]
    assert [(i.url, i.author, i.title) for i in items] == [
        (f"{SMF20}?topic=57.msg311#msg311", "laowang", "Selling USDT, CNY bank transfer"),
        (f"{SMF20}?topic=57.msg315#msg315", "Guest", "Selling USDT, CNY bank transfer"),
    ]
    assert items[0].text == "Selling 20k USDT at 7.21.\n微信：laowang_otc"  # no signature
    assert items[0].image_urls == ["https://i.example.net/qr-laowang.png"]
    assert [o.url for o in out if isinstance(o, Request)] == [f"{SMF20}?topic=57.15"]


def test_smf_20_topic_page_reads_each_message_time() -> None:
    out = spider_for(SMF20_CONFIG).parse_thread(smf20("topic.html", f"{SMF20}?topic=57.0"))
    assert [o.posted_at for o in out if isinstance(o, PostItem)] == [
        datetime(2026, 1, 5, 10, 0, 0, tzinfo=UTC),
        datetime(2026, 1, 5, 23, 30, 5, tzinfo=UTC),
    ]


def test_a_site_config_selector_overrides_only_that_selector_of_the_preset(
    tmp_path: Path,
) -> None:
    engine = ENGINES["phpbb"]
    config = tmp_path / "a-phpbb-board.yaml"
    config.write_text(
        "type: forum\nengine: phpbb\nstart_urls: ['https://board.example.com/viewforum.php?f=2']\n"
        "selectors:\n  author: 'dd.profile-posts a'\n  next_page: 'a.no-such-link'\n",
        encoding="utf-8",
    )
    site = load_site(config)
    assert site.resolved_selectors().post == PRESETS["phpbb"].post
    out = list(spider_for(site).parse_thread(saved(engine, "thread-1.html")))
    items = [o for o in out if isinstance(o, PostItem)]
    expected = engine.site.world.thread_posts(1, 1)
    assert [i.text for i in items] == [p.text for p in expected]  # the preset still reads posts
    assert all(i.author and i.author.isdigit() for i in items)  # the site's author selector
    assert not [o for o in out if isinstance(o, Request)]  # the site's next_page: none here


@pytest.mark.parametrize("engine", ["phpbb", "smf", "xenforo", "mybb", "vbulletin"])
def test_a_site_on_a_known_engine_needs_no_selectors(engine: str) -> None:
    site = SiteConfig(type="forum", name="x", engine=engine, start_urls=["https://x.example/"])
    selectors = site.resolved_selectors()
    assert all(getattr(selectors, key) for key in REQUIRED["forum"])
    assert all(
        getattr(selectors, key)
        for key in ("thread_row", "thread_mark", "next_page", "author", "posted_at", "permalink")
    )


@pytest.mark.parametrize(
    ("name", "make"),
    [
        ("demo-phpbb", lambda: phpbb.site_config("http://127.0.0.1:8766")),
        ("demo-smf", lambda: smf.site_config("http://127.0.0.1:8767")),
        ("demo-xenforo", lambda: xenforo.site_config("http://127.0.0.1:8768")),
        ("demo-wordpress", lambda: wordpress.site_config("http://127.0.0.1:8772")),
        ("demo-mybb", lambda: mybb.site_config("http://127.0.0.1:8773")),
        ("demo-vbulletin", lambda: vbulletin.site_config("http://127.0.0.1:8774")),
    ],
)
def test_the_shipped_demo_config_starts_where_the_demo_site_does(name: str, make: object) -> None:
    shipped, generated = find_site(name, SEEDS), make()  # type: ignore[operator]
    assert shipped.start_urls == generated.start_urls
    assert shipped.engine == generated.engine and shipped.allow_private


def save_pages() -> None:
    """Render the demo pages the tests read into ``tests/pages/<engine>/``."""
    for engine in ENGINES.values():
        folder = PAGES / engine.name
        folder.mkdir(parents=True, exist_ok=True)
        for file_name, target in engine.pages().items():
            page = engine.site.render(target)
            assert page.status == 200, (engine.name, target, page.status)
            (folder / file_name).write_bytes(page.body)


if __name__ == "__main__":
    save_pages()
    sys.exit(0)
