"""A crawl never reaches a private address or another domain it was not given, caps what it
reads, obeys robots.txt and its page and depth limits, and sends the site's own identity.

Real crawls in subprocesses against small local sites (``serve()`` with a ``render``).
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import run_cli, write_site
from scrapy.http import Request
from scrapy.utils.test import get_crawler

from crawlers.middlewares import PrivateAddressMiddleware, PrivateAddressRefused
from crawlers.spiders.forum import ForumSpider
from watchlist.demo import World, serve
from watchlist.demo.discuz import DiscuzSite
from watchlist.demo.page import ALLOW_ALL_ROBOTS, TEXT_TYPE, Page, html_page
from watchlist.demo.site import demo_site
from watchlist.sites import SiteConfig
from watchlist.store import open_store, recent_runs

BOARD = '<a class="xst" href="{href}">t</a>'


class Pages:
    """A tiny site: ``{path: Page}`` plus a robots.txt; everything else is a 404."""

    def __init__(
        self, pages: dict[str, Page] | Callable[[str], Page | None], robots: str = ALLOW_ALL_ROBOTS
    ) -> None:
        self.pages = pages
        self.robots = robots

    def render(self, target: str) -> Page:
        if target == "/robots.txt":
            return Page(200, TEXT_TYPE, self.robots.encode())
        page = self.pages(target) if callable(self.pages) else self.pages.get(target)
        return page or html_page(404, "<html><body>not found</body></html>")


def forum_config(base_url: str, start: str = "/board", **changes: object) -> dict[str, object]:
    config: dict[str, object] = {
        "name": "site",
        "type": "forum",
        "engine": "discuz",
        "start_urls": [base_url + start],
        "allow_private": True,
        "delay": 0,
        "retries": 0,
    }
    config.update(changes)
    return config


def crawl(tmp_path: Path, db: str, config: dict[str, object]):  # type: ignore[no-untyped-def]
    write_site(tmp_path / "seeds", config)
    return run_cli("crawl", str(config["name"]), "--seeds", str(tmp_path / "seeds"), db=db)


def last_run_stats(db: str) -> dict[str, object]:
    store = open_store(db)
    try:
        runs = recent_runs(store)
        return dict(json.loads(runs[0].stats))
    finally:
        store.close()


def test_redirect_to_a_private_address_is_refused_before_it_is_sent() -> None:
    config = SiteConfig(
        name="public", type="forum", engine="discuz", start_urls=["http://example.com/"]
    )
    crawler = get_crawler(ForumSpider)
    crawler.spider = ForumSpider(config=config)
    middleware = PrivateAddressMiddleware.from_crawler(crawler)
    crawler.stats.open_spider()
    redirected = Request(
        "http://localhost:8080/admin", meta={"redirect_urls": ["http://example.com/"]}
    )

    with pytest.raises(PrivateAddressRefused, match="localhost is a private address"):
        middleware.process_request(redirected)
    for url in ("http://169.254.169.254/latest/meta-data/", "http://[::1]/", "http://10.0.0.7/"):
        with pytest.raises(PrivateAddressRefused):
            middleware.process_request(Request(url))


def test_redirect_off_the_allowed_domains_is_not_followed(tmp_path: Path, sqlite_url: str) -> None:
    def pages(target: str) -> Page | None:
        if target == "/board":
            return Page(
                302, "text/html", b"", (("Location", f"http://localhost:{port}/elsewhere"),)
            )
        return None

    with serve(Pages(pages)) as running:
        port = running.port
        result = crawl(tmp_path, sqlite_url, forum_config(running.base_url))
        hits = dict(running.hits)

    assert "/elsewhere" not in hits
    assert hits.get("/board") == 1
    assert result.code == 1  # nothing but the redirect could be fetched
    assert "no page could be fetched" in result.stdout
    assert last_run_stats(sqlite_url)["offsite/filtered"] == 1


def test_page_over_the_size_cap_and_a_gzip_bomb_are_dropped(
    tmp_path: Path, sqlite_url: str
) -> None:
    bomb = gzip.compress(b" " * 30_000_000, compresslevel=9)
    huge = html_page(200, "<html><body>" + "x" * 3_000_000 + "</body></html>")
    board = BOARD.format(href="/bomb") + BOARD.format(href="/huge") + BOARD.format(href="/ok")
    pages = {
        "/board": html_page(200, board),
        "/bomb": Page(200, "text/html", bomb, (("Content-Encoding", "gzip"),)),
        "/huge": huge,
        "/ok": html_page(200, '<div id="post_1"><td class="t_f">QQ 632144500</td></div>'),
    }
    with serve(Pages(pages)) as running:
        config = forum_config(running.base_url, max_page_bytes=1_000_000)
        config["selectors"] = {"post": "div[id^=post_]", "post_body": "td.t_f"}
        result = crawl(tmp_path, sqlite_url, config)

    assert len(bomb) < 1_000_000
    assert result.code == 0  # 2 of 5 requests failed: within the default share of a half
    assert "exceeded DOWNLOAD_MAXSIZE" in result.stderr
    stats = last_run_stats(sqlite_url)
    assert stats["watchlist/failed_requests"] == 2
    assert stats["watchlist/posts_read"] == 1


def test_robots_txt_is_obeyed_unless_the_site_says_otherwise(
    tmp_path: Path, sqlite_url: str
) -> None:
    world = World(seed=33, boards=2, threads_per_board=3)
    forum = DiscuzSite(world)

    class Disallowing:
        def render(self, target: str) -> Page:
            if target == "/robots.txt":
                return Page(200, TEXT_TYPE, b"User-agent: *\nDisallow: /forum-3-\n")
            return forum.render(target)

    with serve(Disallowing()) as running:
        config = demo_site(world, running.base_url, name="site").model_dump()
        first = crawl(tmp_path, sqlite_url, config)
        obeyed = set(running.hits)
        running.replace(Disallowing())
        config["obey_robots"] = False
        crawl(tmp_path, f"sqlite:///{tmp_path / 'other.db'}", config)
        ignored = set(running.hits)

    assert first.code == 0
    assert "/forum-3-1.html" not in obeyed and "/forum-2-1.html" in obeyed
    assert "/forum-3-1.html" in ignored and "/robots.txt" not in ignored


def test_endless_pagination_stops_at_max_pages_and_max_depth(
    tmp_path: Path, sqlite_url: str
) -> None:
    def endless(target: str) -> Page | None:
        if target.startswith("/cal/"):
            day = int(target.rsplit("/", 1)[1])
            return html_page(
                200, f'<div class="pg"><a class="nxt" href="/cal/{day + 1}">next</a></div>'
            )
        return None

    with serve(Pages(endless)) as running:
        crawl(tmp_path, sqlite_url, forum_config(running.base_url, start="/cal/0", max_pages=25))
        by_pages = sum(1 for t in running.hits if t.startswith("/cal/"))
        running.replace(Pages(endless))
        crawl(
            tmp_path,
            f"sqlite:///{tmp_path / 'other.db'}",
            forum_config(running.base_url, start="/cal/0", max_pages=1000, max_depth=7),
        )
        by_depth = sum(1 for t in running.hits if t.startswith("/cal/"))

    assert by_pages == 25
    assert by_depth == 8  # the start page and 7 links deep


def test_site_user_agent_cookies_and_proxy_are_used(tmp_path: Path, sqlite_url: str) -> None:
    board = html_page(200, BOARD.format(href="/t"))
    thread = html_page(200, '<div id="post_1"><td class="t_f">hello</td></div>')

    class Proxy:
        """An HTTP proxy sees absolute URLs as its request targets."""

        def render(self, target: str) -> Page:
            path = "/" + target.split("/", 3)[3] if target.startswith("http://") else target
            return Pages({"/board": board, "/t": thread}).render(path)

    with serve(Pages({"/board": board, "/t": thread})) as site, serve(Proxy()) as proxy:
        config = forum_config(
            site.base_url,
            user_agent="RiskTeamBot/2.0 (+https://example.com/bot)",
            cookies={"session": "abc123"},
        )
        config["selectors"] = {"post": "div[id^=post_]", "post_body": "td.t_f"}
        assert crawl(tmp_path, sqlite_url, config).code == 0
        headers = site.headers_of("/t")
        config["proxy"] = proxy.base_url
        config["name"] = "proxied"
        assert crawl(tmp_path, sqlite_url, config).code == 0
        proxied = set(proxy.hits)

    assert headers["User-Agent"] == "RiskTeamBot/2.0 (+https://example.com/bot)"
    assert "session=abc123" in headers["Cookie"]
    assert f"{site.base_url}/board" in proxied and f"{site.base_url}/t" in proxied


def test_crawl_short_of_its_expected_posts_fails_and_is_logged(
    tmp_path: Path, sqlite_url: str
) -> None:
    world = World(seed=34, boards=1, threads_per_board=2)
    with serve(DiscuzSite(world)) as running:
        config = demo_site(world, running.base_url, name="site").model_dump()
        config["expect"] = {"min_posts": 10_000}
        result = crawl(tmp_path, sqlite_url, config)

    assert result.code == 1
    assert "the site expects at least 10000" in result.stdout
    store = open_store(sqlite_url)
    runs = recent_runs(store, "site")
    store.close()
    assert [(r.ok, r.problem is not None and "expects" in r.problem) for r in runs] == [
        (False, True)
    ]


def test_failed_requests_are_retried_with_growing_pauses(tmp_path: Path, sqlite_url: str) -> None:
    with serve(Pages({"/board": Page(503, TEXT_TYPE, b"busy")})) as running:
        result = crawl(tmp_path, sqlite_url, forum_config(running.base_url, retries=2))
        hits = running.hits["/board"]

    assert result.code == 1
    assert hits == 3
    assert last_run_stats(sqlite_url)["watchlist/retry_backoff_seconds"] == pytest.approx(1.5)
