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
from urllib.parse import urlsplit

from scrapy.crawler import Crawler, CrawlerProcess
from scrapy.settings import Settings

from crawlers.memory import CrawlMemory
from crawlers.spiders.base import SiteSpider
from crawlers.spiders.forum import ForumSpider
from watchlist.errors import ConfigError, NotAvailable
from watchlist.sites import Expectations, SiteConfig
from watchlist.store import RunRecord, Store, open_store, record_run


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
    notes: list[str] = field(default_factory=list)  # how the site is crawled, said once
    skipped: str | None = None  # why the site could not be crawled at all (mark_skipped)

    def count(self, name: str) -> int:
        """The crawl's ``watchlist/<name>`` counter."""
        return int(self.stats.get(f"watchlist/{name}", 0) or 0)

    @property
    def result(self) -> str:
        """``ok``, ``warning`` (see :attr:`warnings`) or ``FAILED`` (see :attr:`problem`).

        ``skipped`` when the site could not be crawled at all (see :attr:`skipped`).
        """
        if self.skipped:
            return "skipped"
        if not self.ok:
            return "FAILED"
        return "warning" if self.warnings else "ok"

    @property
    def warnings(self) -> list[str]:
        """What the crawl could not read well: shown in the summary, kept in ``crawl_runs``.

        A warning does not fail the crawl (its exit code stays 0) but the result reads
        "warning", never "ok": pages left unread, posts that had to be told apart by a
        made-up anchor on most of a page, most posts without a date or an author.
        """
        found: list[str] = []
        unread = self.count("pagination_not_followed")
        if unread:
            why = (
                "the page budget (max_pages) ran out"
                if self.count("max_pages_reached")
                else "set selectors.next_page to the site's pagination links"
            )
            found.append(f"{unread} pages link to further pages that were not read ({why})")
        colliding = self.count("pages_mostly_colliding")
        if colliding:
            found.append(
                f"{colliding} pages where most posts share a permalink (set selectors.permalink)"
            )
        for name, what in (("posts_without_date", "a date"), ("posts_without_author", "an author")):
            missing = self.count(name)
            if self.posts and missing * 2 > self.posts:
                found.append(f"{missing} of {self.posts} posts without {what}")
        return found

    @property
    def problem(self) -> str | None:
        """Why this crawl counts as failed, or None when it went well."""
        if self.skipped:
            return self.skipped
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
            stats={
                **self.stats,
                "watchlist/warnings": self.warnings,
                "watchlist/notes": self.notes,
            },
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
    """Crawl ``sites`` at once into the store at ``database_url``; one report per site.

    One store for the whole crawl; each site's spider is handed its own :class:`CrawlMemory`.
    """
    spiders = [(site, spider_for(site)) for site in sites]
    not_run: dict[str, CrawlReport] = {}
    for site, spidercls in spiders:
        try:
            spidercls.preflight(site)
        except NotAvailable as exc:  # this site cannot run here; the others still do
            not_run[site.name] = _not_run(site, str(exc))
    spiders = [(site, spidercls) for site, spidercls in spiders if site.name not in not_run]
    process = CrawlerProcess(project_settings(database_url, log_level))
    crawlers: list[tuple[SiteConfig, Crawler]] = []
    store = open_store(database_url)
    try:
        for site, spidercls in spiders:
            crawler = process.create_crawler(spidercls)
            crawlers.append((site, crawler))
            process.crawl(crawler, config=site, memory=CrawlMemory(store, site.name))
        return _run(process, sites, crawlers, not_run, store, on_progress, log_level)
    finally:
        store.close()


def _run(
    process: CrawlerProcess,
    sites: list[SiteConfig],
    crawlers: list[tuple[SiteConfig, Crawler]],
    not_run: dict[str, CrawlReport],
    store: Store,
    on_progress: Callable[[Progress], None] | None,
    log_level: str,
) -> list[CrawlReport]:
    progress = Progress({site.name: SiteProgress() for site in sites})
    started = time.monotonic()
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
    crawled = {
        site.name: mark_skipped(site, _report(site, crawler, elapsed, started_at))
        for site, crawler in crawlers
    }
    reports = [not_run.get(site.name) or crawled[site.name] for site in sites]
    for report in reports:
        record_run(store, report.run_record())
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


def _not_run(site: SiteConfig, reason: str) -> CrawlReport:
    """The report of a site that was not crawled: ``reason`` says why."""
    report = _report(site, None, 0.0, datetime.now(UTC))
    report.skipped = reason
    return report


_DNS_FAILURES = ("CannotResolveHostError", "DNSLookupError")


def mark_skipped(site: SiteConfig, report: CrawlReport) -> CrawlReport:
    """``report``, marked skipped when its stats show the site could not be crawled at all.

    Only a crawl that fetched nothing is judged: every request refused for a private address,
    a host that does not resolve, or a robots.txt that forbids every page asked for.
    """
    if report.pages or report.unchanged or report.skipped:
        return report
    stats = report.stats
    dns_failures = sum(
        int(count)
        for key, count in stats.items()
        if key.startswith("downloader/exception_type_count/") and key.endswith(_DNS_FAILURES)
    )
    if stats.get("watchlist/private_address_refused"):
        why = stats.get("watchlist/private_address_last") or "a private address"
        report.skipped = f"refused: {why}; set allow_private: true for a site on a private network"
    elif dns_failures:
        hosts = ", ".join(sorted({urlsplit(url).hostname or url for url in site.start_urls}))
        report.skipped = f"{hosts} does not resolve (no DNS answer)"
    elif stats.get("robotstxt/forbidden"):
        report.skipped = (
            f"robots.txt forbids every page asked for ({stats['robotstxt/forbidden']} requests); "
            "obey_robots: false only with the site's permission"
        )
    return report


def _report(
    site: SiteConfig, crawler: Crawler | None, elapsed: float, started_at: datetime
) -> CrawlReport:
    stats: dict[str, Any] = crawler.stats.get_stats() if crawler and crawler.stats else {}
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
        notes=crawl_notes(site),
    )


def crawl_notes(site: SiteConfig) -> list[str]:
    """What a user should know about how the site is crawled (shown once per crawl)."""
    notes: list[str] = []
    forum = site.type == "forum" and site.engine != "discourse"
    if forum and site.resolved_selectors().thread_mark is None:
        notes.append("every thread re-read: no thread_mark")
    return notes
