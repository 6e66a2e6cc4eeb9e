"""Run crawls of several sites in this process and report on each.

The Twisted reactor cannot start twice in one process: call :func:`crawl_sites` once per
process (the CLI does; tests run the CLI in a subprocess).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler, CrawlerProcess
from scrapy.settings import Settings

from crawlers.spiders.base import SiteSpider
from crawlers.spiders.forum import ForumSpider
from watchlist.errors import ConfigError
from watchlist.sites import SiteConfig


@dataclass(slots=True)
class Progress:
    """Running totals across the sites of one crawl, for a progress line."""

    pages: int = 0
    posts: int = 0
    failed: int = 0
    elapsed: float = 0.0


@dataclass(slots=True)
class CrawlReport:
    """How the crawl of one site went."""

    site: str
    pages: int
    posts: int
    new_posts: int
    new_entries: int
    new_sightings: int
    images: int
    qr_codes: int
    images_unreadable: int
    failed_requests: int
    errors: int
    finish_reason: str
    last_error: str | None
    elapsed: float
    stats: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """A crawl fails when nothing was fetched or most requests failed."""
        return (
            self.pages > 0
            and self.errors == 0
            and self.failed_requests <= self.pages
            and self.finish_reason in ("finished", "closespider_pagecount")
        )


def project_settings(database_url: str, log_level: str) -> Settings:
    """The project's Scrapy settings, pointed at ``database_url``."""
    settings = Settings()
    settings.setmodule("crawlers.settings", priority="project")
    settings.set("WATCHLIST_DB", database_url, priority="cmdline")
    settings.set("LOG_LEVEL", log_level, priority="cmdline")
    settings.set("LOG_INSTALL_ROOT_HANDLER", True, priority="cmdline")
    return settings


def spider_for(site: SiteConfig) -> type[SiteSpider]:
    """The spider class that crawls sites of this type (imported only when needed)."""
    if site.type == "telegram":
        from crawlers.spiders.telegram import TelegramSpider

        return TelegramSpider
    if site.type == "ads":
        from crawlers.spiders.ads import AdsSpider

        return AdsSpider
    if site.engine == "discourse":
        from crawlers.spiders.discourse import DiscourseSpider

        return DiscourseSpider
    if site.render != "http":
        raise ConfigError(f"site {site.name!r}: a forum is crawled with render: http")
    return ForumSpider


def crawl_sites(
    sites: list[SiteConfig],
    database_url: str,
    on_progress: Callable[[Progress], None] | None = None,
    log_level: str = "WARNING",
) -> list[CrawlReport]:
    """Crawl ``sites`` at once into the store at ``database_url``; one report per site."""
    spiders = [(site, spider_for(site)) for site in sites]
    process = CrawlerProcess(project_settings(database_url, log_level))
    progress = Progress()
    started = time.monotonic()
    crawlers: list[tuple[SiteConfig, Crawler]] = []
    for site, spidercls in spiders:
        crawler = process.create_crawler(spidercls)
        _count_progress(crawler, progress)
        crawlers.append((site, crawler))
        process.crawl(crawler, config=site)
    ticker = None
    if on_progress is not None:
        from twisted.internet import task

        def tick() -> None:
            progress.elapsed = time.monotonic() - started
            on_progress(progress)

        ticker = task.LoopingCall(tick)
        ticker.start(0.25, now=False)
    process.start()
    if ticker is not None and ticker.running:
        ticker.stop()
    elapsed = time.monotonic() - started
    return [_report(site, crawler, elapsed) for site, crawler in crawlers]


def _count_progress(crawler: Crawler, progress: Progress) -> None:
    def on_response(**_: Any) -> None:
        progress.pages += 1

    def on_item(**_: Any) -> None:
        progress.posts += 1

    def on_error(**_: Any) -> None:
        progress.failed += 1

    # The signal manager keeps weak references: keep the handlers alive on the crawler.
    crawler.__dict__["_watchlist_progress"] = (on_response, on_item, on_error)
    crawler.signals.connect(on_response, signal=signals.response_received)
    crawler.signals.connect(on_item, signal=signals.item_scraped)
    crawler.signals.connect(on_error, signal=signals.spider_error)


def _report(site: SiteConfig, crawler: Crawler, elapsed: float) -> CrawlReport:
    stats: dict[str, Any] = crawler.stats.get_stats() if crawler.stats else {}
    exceptions = {
        key.rsplit("/", 1)[-1]: value
        for key, value in stats.items()
        if key.startswith("downloader/exception_type_count/")
    }
    last_error = stats.get("watchlist/last_error")
    if last_error is None and exceptions:
        last_error = ", ".join(f"{name} ×{n}" for name, n in exceptions.items())
    images = int(stats.get("watchlist/images_fetched", 0))
    errors = int(stats.get("log_count/ERROR", 0)) + int(stats.get("spider_exceptions", 0) or 0)
    return CrawlReport(
        site=site.name,
        pages=int(stats.get("response_received_count", 0)) - images,
        posts=int(stats.get("item_scraped_count", 0)),
        new_posts=int(stats.get("watchlist/new_posts", 0)),
        new_entries=int(stats.get("watchlist/new_entries", 0)),
        new_sightings=int(stats.get("watchlist/new_sightings", 0)),
        images=images,
        qr_codes=int(stats.get("watchlist/qr_codes_decoded", 0)),
        images_unreadable=int(stats.get("watchlist/images_unreadable", 0)),
        failed_requests=int(stats.get("watchlist/failed_requests", 0)),
        errors=errors,
        finish_reason=str(stats.get("finish_reason", "not started")),
        last_error=last_error,
        elapsed=float(stats.get("elapsed_time_seconds", elapsed)),
        stats=stats,
    )
