"""The config-driven forum spider: board pages → thread pages → posts.

``scrapy crawl forum -a site=NAME [-a seeds=DIR]`` or, from code, ``config=SiteConfig``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any, Self

import scrapy
from scrapy.crawler import Crawler
from scrapy.http import Request, Response
from twisted.python.failure import Failure

from crawlers.items import PostItem
from crawlers.text import element_text, image_sources, parse_datetime
from watchlist import settings
from watchlist.sites import SiteConfig, find_site


class ForumSpider(scrapy.Spider):
    """Crawls one forum site as its config says."""

    name = "forum"

    def __init__(
        self,
        site: str | None = None,
        seeds: str | None = None,
        config: SiteConfig | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if config is None:
            if not site:
                raise ValueError("pass -a site=NAME (a config in seeds/sites/)")
            config = find_site(site, Path(seeds) if seeds else settings.load().seeds_dir)
        self.config = config
        self.selectors = config.resolved_selectors()
        self.allowed_domains = list(config.allowed_domains)
        self.requested = 0

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> Self:
        """The spider, with its site's politeness applied to the crawler's settings."""
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.settings.set("DOWNLOAD_DELAY", spider.config.delay, priority="spider")
        return spider

    async def start(self) -> AsyncIterator[Request]:
        """The site's start URLs, read as board pages."""
        for url in self.config.start_urls:
            request = self._request(url, self.parse_board)
            if request is not None:
                yield request

    def _request(self, url: str, callback: Any) -> Request | None:
        if self.requested >= self.config.max_pages:
            self.crawler.stats.inc_value("watchlist/max_pages_reached")
            return None
        self.requested += 1
        return Request(url, callback=callback, errback=self.on_error)

    def _follow(self, response: Response, hrefs: list[str], callback: Any) -> Iterator[Request]:
        for href in hrefs:
            request = self._request(response.urljoin(href), callback)
            if request is not None:
                yield request

    def parse_board(self, response: Response) -> Iterator[Request]:
        """A board page: follow its threads and its next page."""
        sel = self.selectors
        threads = response.css(f"{sel.thread_links}::attr(href)").getall()
        if not threads:
            self.crawler.stats.inc_value("watchlist/board_pages_without_threads")
        yield from self._follow(response, threads, self.parse_thread)
        if sel.next_page:
            yield from self._follow(
                response,
                response.css(f"{sel.next_page}::attr(href)").getall()[:1],
                self.parse_board,
            )

    def parse_thread(self, response: Response) -> Iterator[PostItem | Request]:
        """A thread page: one item per post, then the thread's next page."""
        sel = self.selectors
        title = None
        if sel.title:
            title = " ".join(response.css(sel.title).css("::text").getall()).strip() or None
        found = 0
        for post in response.css(sel.post or ""):
            body = post.css(sel.post_body or "")
            if not body:
                continue
            found += 1
            text = element_text(body[0])
            anchor = post.attrib.get("id", "").removeprefix("post_")
            posted_at = None
            if sel.posted_at:
                stamp = post.css(sel.posted_at)
                raw = " ".join(
                    [*stamp.css("::attr(title)").getall(), *stamp.css("::text").getall()]
                )
                posted_at = parse_datetime(raw, self.config.timezone)
                if posted_at is None:
                    self.crawler.stats.inc_value("watchlist/posts_without_date")
            author = post.css(f"{sel.author}::text").get() if sel.author else None
            yield PostItem(
                url=f"{response.url.split('#')[0]}#pid{anchor}" if anchor else response.url,
                site=self.config.name,
                text=text,
                title=title,
                author=author.strip() if author else None,
                posted_at=posted_at,
                image_urls=[response.urljoin(src) for src in image_sources(body)],
            )
        if not found:
            self.crawler.stats.inc_value("watchlist/thread_pages_without_posts")
        if sel.next_page:
            yield from self._follow(
                response,
                response.css(f"{sel.next_page}::attr(href)").getall()[:1],
                self.parse_thread,
            )

    def on_error(self, failure: Failure) -> None:
        """Count a failed request and keep its reason for the crawl summary."""
        stats = self.crawler.stats
        stats.inc_value("watchlist/failed_requests")
        request = getattr(failure, "request", None)
        url = request.url if request is not None else "?"
        stats.set_value("watchlist/last_error", f"{url}: {failure.getErrorMessage()}")
        self.logger.warning("request failed: %s: %s", url, failure.getErrorMessage())
