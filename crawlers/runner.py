"""Run crawls of several sites in this process and report on each.

The Twisted reactor cannot start twice in one process: call :func:`crawl_sites` once per
process (the CLI does; tests run the CLI in a subprocess).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from scrapy.crawler import Crawler, CrawlerProcess
from scrapy.settings import Settings

from crawlers.spiders.base import SiteSpider
from crawlers.spiders.forum import ForumSpider
from watchlist.errors import ConfigError
from watchlist.sites import Expectations, SiteConfig
from watchlist.store import RunRecord, open_store, record_run


@dataclass(slots=True)
class SiteProgress:
    """Running totals of one site's crawl, for its progress bar."""

    requested: int = 0
    pages: int = 0
    posts: int = 0
    failed: int = 0


@dataclass(slots=True)
class Progress:
    """Running totals of every site of one crawl."""

    sites: dict[str, SiteProgress] = field(default_factory=dict)
    elapsed: float = 0.0


@dataclass(slots=True)
class CrawlReport:
    """How the crawl of one site went."""

    site: str
    pages: int
    unchanged: int
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
    started_at: datetime
    expect: Expectations = field(default_factory=Expectations)
    stats: dict[str, Any] = field(default_factory=dict)

    @property
    def problem(self) -> str | None:
        """Why this crawl counts as failed, or None when it went well."""
        if self.finish_reason not in ("finished", "closespider_pagecount"):
            return f"the crawl ended with {self.finish_reason!r}"
        sent = self.pages + self.failed_requests
        if self.pages == 0 and self.unchanged == 0:
            return "no page could be fetched"
        if sent and self.failed_requests / sent > self.expect.max_failed_share:
            return f"{self.failed_requests} of {sent} requests failed"
        if self.errors:
            return f"{self.errors} errors were logged"
        if self.posts < self.expect.min_posts:
            return f"{self.posts} posts read, the site expects at least {self.expect.min_posts}"
        return None

    @property
    def ok(self) -> bool:
        """Whether the crawl met its site's expectations (see :attr:`problem`)."""
        return self.problem is None

    def run_record(self) -> RunRecord:
        """This report as a row of the ``crawl_runs`` log."""
        return RunRecord(
            site=self.site,
            started_at=self.started_at,
            finished_at=self.started_at + timedelta(seconds=self.elapsed),
            ok=self.ok,
            finish_reason=self.finish_reason,
            pages=self.pages,
            unchanged=self.unchanged,
            posts=self.posts,
            new_posts=self.new_posts,
            new_entries=self.new_entries,
            new_sightings=self.new_sightings,
            failed_requests=self.failed_requests,
            problem=self.problem or (self.last_error if self.failed_requests else None),
            stats=self.stats,
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
    for site, spidercls in spiders:
        spidercls.preflight(site)
    process = CrawlerProcess(project_settings(database_url, log_level))
    progress = Progress({site.name: SiteProgress() for site in sites})
    started = time.monotonic()
    crawlers: list[tuple[SiteConfig, Crawler]] = []
    for site, spidercls in spiders:
        crawler = process.create_crawler(spidercls)
        crawlers.append((site, crawler))
        process.crawl(crawler, config=site)
    ticker = None
    if on_progress is not None:
        from twisted.internet import task

        def tick() -> None:
            progress.elapsed = time.monotonic() - started
            for site, crawler in crawlers:
                _read_progress(crawler, progress.sites[site.name])
            on_progress(progress)

        ticker = task.LoopingCall(tick)
        ticker.start(0.25, now=False)
    started_at = datetime.now(UTC)
    _quiet_per_item_logs(log_level)
    process.start()
    if ticker is not None and ticker.running:
        ticker.stop()
    elapsed = time.monotonic() - started
    reports = [_report(site, crawler, elapsed, started_at) for site, crawler in crawlers]
    store = open_store(database_url)
    try:
        for report in reports:
            record_run(store, report.run_record())
    finally:
        store.close()
    return reports


def _quiet_per_item_logs(log_level: str) -> None:
    """Set the engine's and scraper's loggers to the crawl's level.

    They log every response and every item at DEBUG; with only the root handler filtering,
    each of those still builds a log record (~25,000 per 3,000 pages).
    """
    for name in ("scrapy.core.engine", "scrapy.core.scraper"):
        logging.getLogger(name).setLevel(log_level)


def _read_progress(crawler: Crawler, progress: SiteProgress) -> None:
    """Update ``progress`` from the crawler's stats (no signal handlers on the hot path)."""
    stats = crawler.stats.get_stats() if crawler.stats else {}
    progress.requested = int(stats.get("scheduler/enqueued", 0))
    progress.pages = int(stats.get("response_received_count", 0))
    progress.posts = int(stats.get("watchlist/posts_read", 0))
    progress.failed = int(stats.get("watchlist/failed_requests", 0))


def _report(
    site: SiteConfig, crawler: Crawler, elapsed: float, started_at: datetime
) -> CrawlReport:
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
        pages=int(stats.get("response_received_count", 0))
        - images
        - int(stats.get("robotstxt/response_count", 0))
        - int(stats.get("watchlist/pages_unchanged", 0)),
        unchanged=int(stats.get("watchlist/pages_unchanged", 0))
        + int(stats.get("watchlist/threads_unchanged", 0)),
        posts=int(stats.get("watchlist/posts_read", 0)),
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
        started_at=stats.get("start_time") or started_at,
        expect=site.expect,
        stats=stats,
    )
