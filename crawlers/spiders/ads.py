"""The ad-site spider: listing pages → ad pages → one item per ad.

``render: browser`` sites are rendered in Chromium (``crawlers.playwright_pages``): the listing is
scrolled (``scrolls``) and its "load more" button clicked (``selectors.load_more``) until no new
ad appears; on each ad page the ``reveal`` buttons are clicked and the contact they fetch
(``selectors.contact``) is added to the ad's text. ``render: http`` sites (server-rendered ads)
are read like any page, with no browser. The ad's images (QR codes) go to the image pipeline.
An ad already in the store is not fetched again (one ad is one post: stored means read whole);
it counts as unchanged. What a hostile ad page cannot do in the browser (leave the site, open
popups, navigate away, hang the crawl) is ``crawlers.browser_guard``'s: an ad it had to kill or
that navigated away while loading reaches :meth:`AdsSpider.on_error` as a failed request.

``scrapy crawl ads -a site=NAME [-a seeds=DIR] [-s WATCHLIST_CHROMIUM_PATH=…]``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import datetime
from typing import Any, Self

from parsel import Selector
from scrapy.crawler import Crawler
from scrapy.http import Request, Response, TextResponse
from scrapy_playwright.page import PageMethod
from twisted.python.failure import Failure

from crawlers.dates import parse_datetime
from crawlers.health import count_failed_request
from crawlers.items import PostItem
from crawlers.playwright_pages import (
    browser_settings,
    configured_chromium,
    expand_listing,
    page_meta,
    require_chromium,
    reveal_contacts,
    wait_for,
)
from crawlers.spiders.base import SiteSpider
from crawlers.text import element_text, image_sources
from watchlist.sites import SiteConfig


class AdsSpider(SiteSpider):
    """Crawls one ad site as its config says, in Chromium when it sets ``render: browser``."""

    name = "ads"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.selectors = self.config.resolved_selectors()
        self.browser = self.config.render == "browser"
        self.wait_ms = 3000
        self.chromium: str | None = None
        self.seen: set[str] = set()

    @classmethod
    def preflight(cls, config: SiteConfig) -> None:
        """A browser site needs a Chromium: :class:`NotAvailable` with the reason when none."""
        if config.render == "browser":
            require_chromium(config, configured_chromium())

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> Self:
        """The spider; a browser site also gets Chromium's settings (or NotAvailable)."""
        spider = super().from_crawler(crawler, *args, **kwargs)
        if spider.browser:
            chromium = require_chromium(spider.config, configured_chromium(crawler.settings))
            crawler.settings.setdict(
                browser_settings(spider.config, chromium, crawler), priority="spider"
            )
            spider.chromium = chromium
            spider.wait_ms = crawler.settings.getint("WATCHLIST_BROWSER_WAIT_MS", 3000)
        return spider

    async def start(self) -> AsyncIterator[Request]:
        """The site's start URLs, read as listing pages."""
        for url in self.config.start_urls:
            request = self.request(url, self.parse_listing, meta=self.listing_meta())
            if request is not None:
                yield request

    def listing_meta(self) -> dict[str, Any]:
        """Request meta of a listing page: in the browser, scrolled and "load more"-d."""
        if not self.browser:
            return {}
        sel = self.selectors
        expand = PageMethod(
            expand_listing, sel.thread_links, self.config.scrolls, sel.load_more, self.wait_ms
        )
        return page_meta(self.config, [expand])

    def ad_meta(self) -> dict[str, Any]:
        """Request meta of an ad page: in the browser, its content waited for and revealed."""
        if not self.browser:
            return {}
        sel = self.selectors
        methods = [PageMethod(wait_for, sel.post or sel.post_body, self.wait_ms)]
        if self.config.reveal:
            methods.append(
                PageMethod(reveal_contacts, list(self.config.reveal), sel.contact, self.wait_ms)
            )
        return page_meta(self.config, methods)

    def parse_listing(self, response: Response) -> Iterator[Request]:
        """A listing page: follow its ads (each once) and its next page."""
        self._count_page_actions(response)
        sel = self.selectors
        links = response.css(f"{sel.thread_links}::attr(href)").getall()
        if not links:
            self.crawler.stats.inc_value("watchlist/listing_pages_without_ads")
        ads = self._new_urls(response, links)
        # An ad already stored was read whole (one ad, one post): it is not rendered again.
        known = self.memory.known_posts(ads)
        if known:
            self.crawler.stats.inc_value("watchlist/threads_unchanged", len(known))
        yield from self._requests(
            [url for url in ads if url not in known], self.parse_ad, self.ad_meta
        )
        if sel.next_page:
            pages = self._new_urls(
                response, response.css(f"{sel.next_page}::attr(href)").getall()[:1]
            )
            yield from self._requests(pages, self.parse_listing, self.listing_meta)

    def _new_urls(self, response: Response, hrefs: list[str]) -> list[str]:
        """The absolute URLs of ``hrefs`` not seen before in this crawl, in order, once each."""
        urls = []
        for href in hrefs:
            url = response.urljoin(href).split("#")[0]
            if url not in self.seen:
                self.seen.add(url)
                urls.append(url)
        return urls

    def _requests(self, urls: list[str], callback: Any, meta: Any) -> Iterator[Request]:
        for url in urls:
            request = self.request(url, callback, meta=meta())
            if request is not None:
                yield request

    def parse_ad(self, response: Response) -> Iterator[PostItem]:
        """An ad page: one item with the ad's text, its revealed contact and its images."""
        self._count_page_actions(response)
        if not isinstance(response, TextResponse):
            self.crawler.stats.inc_value("watchlist/ads_not_html")
            return
        sel = self.selectors
        containers = response.css(sel.post) if sel.post else []
        scope: Selector = containers[0] if containers else response.selector
        body = scope.css(sel.post_body or "")
        if not body:
            self.crawler.stats.inc_value("watchlist/ads_without_body")
            return
        text = element_text(body[0])
        if sel.contact and not body[0].css(sel.contact):
            contacts = [element_text(node) for node in scope.css(sel.contact)]
            text = "\n".join([text, *(c for c in contacts if c)])
        yield PostItem(
            url=response.url.split("#")[0],
            site=self.config.name,
            text=text,
            title=self._first_text(scope, response, sel.title),
            author=self._first_text(scope, response, sel.author),
            posted_at=self._posted_at(scope),
            image_urls=[response.urljoin(src) for src in image_sources(scope)],
        )

    def _first_text(
        self, scope: Selector | Response, response: Response, css: str | None
    ) -> str | None:
        if not css:
            return None
        nodes = scope.css(css) or response.css(css)
        text = element_text(nodes[0]) if nodes else ""
        return " ".join(text.split()) or None

    def _posted_at(self, scope: Selector) -> datetime | None:
        if not self.selectors.posted_at:
            return None
        stamp = scope.css(self.selectors.posted_at)
        raw = " ".join(
            [
                *stamp.css("::text").getall(),
                *stamp.css("::attr(datetime)").getall(),
                *stamp.css("::attr(title)").getall(),
            ]
        )
        posted_at = parse_datetime(raw, self.config.timezone)
        if posted_at is None:
            self.crawler.stats.inc_value("watchlist/posts_without_date")
        return posted_at

    def on_error(self, failure: Failure) -> None:
        """Count a failed request; a browser's error is cut to its first line."""
        request = getattr(failure, "request", None)
        url = request.url if request is not None else "?"
        message = (failure.getErrorMessage().strip().splitlines() or ["?"])[0]
        if "BrowserType.launch" in message:
            message = f"Chromium did not start ({self.chromium}): {message}"
        stats = self.crawler.stats
        stats.inc_value("watchlist/failed_requests")
        count_failed_request(stats, failure)
        stats.set_value("watchlist/last_error", f"{url}: {message}")
        self.logger.warning("request failed: %s: %s", url, message)

    def _count_page_actions(self, response: Response) -> None:
        """Add what the browser's page actions did (scrolls, reveals, time-outs) to stats."""
        for method in response.meta.get("playwright_page_methods") or ():
            if isinstance(method, PageMethod) and isinstance(method.result, dict):
                for key, value in method.result.items():
                    if value:
                        self.crawler.stats.inc_value(f"watchlist/browser/{key}", value)
