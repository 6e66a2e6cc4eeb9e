"""The base of every spider: one site config, its politeness, its page budget and its memory.

A spider takes ``-a site=NAME [-a seeds=DIR]`` on the command line or ``config=SiteConfig``
from code. ``from_crawler`` applies the site's politeness to the crawler's own settings (each
site runs in its own crawler, so one site's settings never leak into another's): delay,
concurrency, AutoThrottle, robots.txt, retries, depth limit, response size cap, User-Agent.
``request()`` adds the site's proxy and cookies and spends one page of ``max_pages``.
A thread's pages are requested at :data:`THREAD_PRIORITY`, above the list pages that lead to
them: the scheduler hands out the threads a list page named (and their further pages) before
the next list page, so the queue holds about one list page of threads however long the crawl
(a list-first order queues every thread of the site before reading the first one).
``memory`` (:class:`crawlers.memory.CrawlMemory`) is the crawl's one seam to the store: what
earlier crawls of the site left, read once at the start, and where this crawl's posts, marks
and validators are written. The runner hands it over (``memory=``); a spider started by
``scrapy crawl`` makes its own from ``WATCHLIST_DB``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Self

import scrapy
from scrapy.crawler import Crawler
from scrapy.http import Request
from twisted.python.failure import Failure

from crawlers.digests import UrlSet
from crawlers.health import count_failed_request, requests_failed
from crawlers.memory import CrawlMemory
from watchlist import settings
from watchlist.sites import SiteConfig, find_site
from watchlist.store import open_store

THREAD_PRIORITY = 1  # a thread's pages before the next list page (list pages keep 0)


class SiteSpider(scrapy.Spider):
    """Crawls one site as its config says; subclasses parse its pages."""

    def __init__(
        self,
        site: str | None = None,
        seeds: str | None = None,
        config: SiteConfig | None = None,
        memory: CrawlMemory | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if config is None:
            if not site:
                raise ValueError("pass -a site=NAME (a config in seeds/sites/)")
            config = find_site(site, Path(seeds) if seeds else settings.load().seeds_dir)
        self.config = config
        self.allowed_domains = list(config.allowed_domains)
        self.requested = 0
        self.requested_urls = UrlSet()  # every URL this crawl asked for, as 8-byte digests
        self.memory = memory or CrawlMemory(None, config.name)  # a real one from from_crawler
        self.owns_store = False  # the store was opened here, not handed over
        if config.user_agent:
            self.user_agent = config.user_agent

    @classmethod
    def preflight(cls, config: SiteConfig) -> None:
        """Check, before any crawl starts, that this site can be crawled here.

        Raises :class:`watchlist.errors.NotAvailable` with a one-line reason when it cannot
        (a browser site without a browser); the base has nothing to check.
        """

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> Self:
        """The spider, with its site's politeness applied to the crawler's settings."""
        spider = super().from_crawler(crawler, *args, **kwargs)
        config = spider.config
        site_settings: dict[str, Any] = {
            "DOWNLOAD_DELAY": config.delay,
            "CONCURRENT_REQUESTS_PER_DOMAIN": config.concurrency,
            "CONCURRENT_REQUESTS": max(config.concurrency, 1),
            "AUTOTHROTTLE_ENABLED": config.autothrottle,
            "AUTOTHROTTLE_START_DELAY": max(config.delay, 0.1),
            "AUTOTHROTTLE_MAX_DELAY": max(60.0, config.delay),
            "AUTOTHROTTLE_TARGET_CONCURRENCY": float(config.concurrency),
            "ROBOTSTXT_OBEY": config.obey_robots,
            "RETRY_TIMES": config.retries,
            "DEPTH_LIMIT": config.max_depth,
            "DOWNLOAD_MAXSIZE": config.max_page_bytes,
            "DOWNLOAD_WARNSIZE": config.max_page_bytes // 2,
        }
        if config.user_agent:
            site_settings["USER_AGENT"] = config.user_agent
        crawler.settings.setdict(site_settings, priority="spider")
        if spider.memory.store is None:  # started by `scrapy crawl`, not by the runner
            url = crawler.settings.get("WATCHLIST_DB") or settings.load().database_url
            spider.memory = CrawlMemory(open_store(url), config.name)
            spider.owns_store = True
        return spider

    def closed(self, reason: str) -> None:
        """Remember the pages' validators (see :meth:`_save_validators`)."""
        store = self.memory.store
        if store is None:
            return
        try:
            self._save_validators(reason)
        finally:
            if self.owns_store:
                store.close()

    def _save_validators(self, reason: str) -> None:
        """Save the validators, but only after a crawl that read all it was shown.

        A board answered ``304`` next time is skipped with everything it lists, so a crawl
        that stopped early — killed, out of its page budget or depth, or with failed requests —
        must not vouch for its boards.
        """
        if reason != "finished" or not self.memory.validators:
            return
        stats = self.crawler.stats.get_stats() if self.crawler.stats else {}
        cut_short = (
            "watchlist/max_pages_reached",
            "depth/request_ignored_count",
            "watchlist/posts_set_aside",  # read but not stored (crawlers.pipelines)
            "watchlist/posts_not_stored",
            "watchlist/crawl_cut_short_elsewhere",  # another worker's share (crawlers.workers)
        )
        if requests_failed(stats) or any(stats.get(key) for key in cut_short):
            self.crawler.stats.inc_value("watchlist/validators_not_saved")
            return
        self.memory.save_validators()

    def request(
        self, url: str, callback: Any, *, meta: dict[str, Any] | None = None, **kwargs: Any
    ) -> Request | None:
        """A request for ``url`` within the site's page budget, or None once it is spent."""
        if self.requested >= self.config.max_pages:
            self.crawler.stats.inc_value("watchlist/max_pages_reached")
            return None
        self.requested += 1
        self.requested_urls.add(url)
        meta = dict(meta or {})
        if self.config.proxy:
            meta.setdefault("proxy", self.config.proxy)
        if self.config.cookies:
            kwargs.setdefault("cookies", dict(self.config.cookies))
        return Request(url, callback=callback, errback=self.on_error, meta=meta, **kwargs)

    def on_error(self, failure: Failure) -> None:
        """Count a failed request (and its class: crawlers.health) and keep its reason."""
        stats = self.crawler.stats
        stats.inc_value("watchlist/failed_requests")
        count_failed_request(stats, failure)
        request = getattr(failure, "request", None)
        url = request.url if request is not None else "?"
        stats.set_value("watchlist/last_error", f"{url}: {failure.getErrorMessage()}")
        self.logger.warning("request failed: %s: %s", url, failure.getErrorMessage())
