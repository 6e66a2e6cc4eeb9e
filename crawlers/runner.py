"""Run crawls of several sites in this process and report on each (:mod:`crawlers.report`).

The Twisted reactor cannot start twice in one process: call :func:`crawl_sites` once per
process (the CLI does; tests run the CLI in a subprocess).
"""

from __future__ import annotations

import logging
import signal
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from scrapy.crawler import Crawler, CrawlerProcess
from scrapy.settings import Settings

from crawlers.health import ErrorLog, OwnErrors, QuietLog, count_pages
from crawlers.memory import CrawlMemory
from crawlers.report import CrawlReport, crawl_notes, mark_skipped, not_run, report_of
from crawlers.run_log import HEARTBEAT_SECONDS, close_dead_runs, this_process
from crawlers.spiders.base import SiteSpider
from crawlers.spiders.forum import ForumSpider
from watchlist.errors import ConfigError, Interrupted, NotAvailable
from watchlist.sites import SiteConfig
from watchlist.store import Store, open_store, record_run
from watchlist.store.runs import close_run, interrupt_run, open_run, touch_runs

__all__ = ["CrawlReport", "Progress", "SiteProgress", "crawl_notes", "crawl_sites", "mark_skipped"]
logger = logging.getLogger(__name__)


@dataclass(slots=True)
class SiteProgress:
    """Running totals of one site's crawl, for its progress bar.

    ``pages``, ``unchanged``, ``posts`` and ``failed`` are the crawl summary's own quantities
    (:class:`CrawlReport`: read the same way), so the last progress line and the summary agree.
    ``requested`` is the page requests scheduled, ``settled`` those answered or failed.
    """

    requested: int = 0
    settled: int = 0
    pages: int = 0
    unchanged: int = 0
    posts: int = 0
    failed: int = 0


@dataclass(slots=True)
class Progress:
    """Running totals of every site of one crawl."""

    sites: dict[str, SiteProgress] = field(default_factory=dict)
    elapsed: float = 0.0


def project_settings(database_url: str, log_level: str) -> Settings:
    """The project's Scrapy settings, pointed at ``database_url``."""
    settings = Settings()
    settings.setmodule("crawlers.settings", priority="project")
    settings.set("WATCHLIST_DB", database_url, priority="cmdline")
    settings.set("LOG_LEVEL", log_level, priority="cmdline")
    settings.set("LOG_INSTALL_ROOT_HANDLER", True, priority="cmdline")
    # A request that failed after its retries is counted and summarized by class
    # (crawlers.health), not an error: Scrapy's default would log it at ERROR.
    settings.set("RETRY_GIVE_UP_LOG_LEVEL", "WARNING", priority="project")
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
    if site.engine == "flarum":
        from crawlers.spiders.flarum import FlarumSpider

        return FlarumSpider
    if site.engine == "nodebb":
        from crawlers.spiders.nodebb import NodebbSpider

        return NodebbSpider
    if site.render != "http":
        raise ConfigError(f"site {site.name!r}: a forum is crawled with render: http")
    return ForumSpider


@dataclass(slots=True)
class _Crawl:
    """One site's crawl in this process: its crawler, its errors, its ``crawl_runs`` row."""

    site: SiteConfig
    crawler: Crawler
    errors: OwnErrors
    run_id: int


def crawl_sites(
    sites: list[SiteConfig],
    database_url: str,
    on_progress: Callable[[Progress], None] | None = None,
    log_level: str = "WARNING",
) -> list[CrawlReport]:
    """Crawl ``sites`` at once into the store at ``database_url``; one report per site.

    One store for the whole crawl; each site's spider is handed its own :class:`CrawlMemory`.
    Each site's ``crawl_runs`` row is opened before the crawl starts and closed with its
    report; rows that a crawl killed earlier left open are marked interrupted first
    (:mod:`crawlers.run_log`). At ``WARNING`` (no ``-v``) the live log leaves out request
    failures, errors and tracebacks: the reports carry them (:mod:`crawlers.health`).
    """
    spiders = [(site, spider_for(site)) for site in sites]
    skipped: dict[str, CrawlReport] = {}
    for site, spidercls in spiders:
        try:
            spidercls.preflight(site)
        except NotAvailable as exc:  # this site cannot run here; the others still do
            skipped[site.name] = not_run(site, str(exc))
    spiders = [(site, spidercls) for site, spidercls in spiders if site.name not in skipped]
    quiet = (
        logging.getLevelNamesMapping().get(log_level.upper(), logging.WARNING) >= logging.WARNING
    )
    settings = project_settings(database_url, log_level)
    if quiet:
        settings.set("LOG_INSTALL_ROOT_HANDLER", False, priority="cmdline")
    process = _Process(settings)
    crawls: list[_Crawl] = []
    errors: dict[str, OwnErrors] = {}
    store = open_store(database_url)
    try:
        with _crawl_logging(errors, quiet, settings):
            started_at = datetime.now(UTC)
            earlier = _close_dead_runs(store, started_at)
            owner = this_process()
            for site, spidercls in spiders:
                crawler = process.create_crawler(spidercls)
                errors[site.name] = OwnErrors()
                errors[site.name].watch(crawler)
                count_pages(crawler)
                run_id = open_run(store, site.name, started_at, owner)
                crawls.append(_Crawl(site, crawler, errors[site.name], run_id))
                process.crawl(crawler, config=site, memory=CrawlMemory(store, site.name))
            reports = _run(process, sites, crawls, skipped, store, on_progress, log_level)
        for report in reports:
            report.notes.extend(earlier.get(report.site, []))
        _close_runs(store, reports, crawls)
        return reports
    except BaseException as exc:
        why = f"interrupted: the crawl stopped: {type(exc).__name__}: {exc}"[:500]
        if isinstance(exc, KeyboardInterrupt):  # Ctrl-C before Scrapy took the signal over
            exc = CrawlInterrupted("SIGINT")
        if isinstance(exc, CrawlInterrupted):
            why = f"interrupted: {exc.signal_name} before the crawl finished"
        for crawl in crawls:
            try:
                interrupt_run(store, crawl.run_id, why)
            except Exception:  # the store itself may be what failed: the next start marks it
                logger.warning("could not mark the run of %s interrupted", crawl.site.name)
        if isinstance(exc, CrawlInterrupted):
            raise exc from None
        raise
    finally:
        store.close()


def _close_dead_runs(store: Store, now: datetime) -> dict[str, list[str]]:
    """Mark the rows of earlier crawls that were killed, saying so; a note for each, by site."""
    notes: dict[str, list[str]] = {}
    for run in close_dead_runs(store, now):
        note = f"the crawl started {run.started_at:%Y-%m-%d %H:%M:%S} was interrupted"
        logger.warning("%s: %s (marked so in crawl_runs)", run.site, note)
        notes.setdefault(run.site, []).append(note)
    return notes


def _close_runs(store: Store, reports: list[CrawlReport], crawls: list[_Crawl]) -> None:
    run_ids = {crawl.site.name: crawl.run_id for crawl in crawls}
    for report in reports:
        run_id = run_ids.get(report.site)
        if run_id is None:  # not crawled at all: its row is written whole
            record_run(store, report.run_record())
        else:
            close_run(store, run_id, report.run_record())


@contextmanager
def _crawl_logging(errors: dict[str, OwnErrors], quiet: bool, settings: Settings) -> Iterator[None]:
    """Errors filed by site (into ``errors``) while the crawl runs; without ``-v``, a short log."""
    handlers: list[logging.Handler] = [ErrorLog(errors)]
    if quiet:
        live = logging.StreamHandler()
        live.setLevel(logging.WARNING)
        live.setFormatter(logging.Formatter(settings["LOG_FORMAT"], settings["LOG_DATEFORMAT"]))
        live.addFilter(QuietLog())
        handlers.append(live)
    for handler in handlers:
        logging.root.addHandler(handler)
    try:
        yield
    finally:
        for handler in handlers:
            logging.root.removeHandler(handler)


def _run(
    process: CrawlerProcess,
    sites: list[SiteConfig],
    crawls: list[_Crawl],
    skipped: dict[str, CrawlReport],
    store: Store,
    on_progress: Callable[[Progress], None] | None,
    log_level: str,
) -> list[CrawlReport]:
    from twisted.internet import task

    progress = Progress({site.name: SiteProgress() for site in sites})
    started = time.monotonic()
    started_at = datetime.now(UTC)
    loops = [task.LoopingCall(_heartbeat, store, crawls, started_at)]

    def tick() -> None:
        progress.elapsed = time.monotonic() - started
        for crawl in crawls:
            _read_progress(crawl, started_at, progress.sites[crawl.site.name])
        if on_progress is not None:
            on_progress(progress)

    if on_progress is not None:
        loops.append(task.LoopingCall(tick))
        loops[-1].start(0.25, now=False)
    loops[0].start(HEARTBEAT_SECONDS, now=False)
    _quiet_per_item_logs(log_level)
    process.start()
    for loop in loops:
        if loop.running:
            loop.stop()
    tick()  # the last progress line shows the final counts, as the summary does
    signalled = _signalled(process, crawls)
    if signalled is not None:
        raise CrawlInterrupted(signalled)
    elapsed = time.monotonic() - started
    crawled = {
        c.site.name: mark_skipped(
            c.site, report_of(c.site, c.crawler, elapsed, started_at, c.errors)
        )
        for c in crawls
    }
    return [skipped.get(site.name) or crawled[site.name] for site in sites]


class CrawlInterrupted(Interrupted):
    """Ctrl-C (SIGINT) or SIGTERM stopped the crawl; the next crawl goes on from its work."""

    def __init__(self, signal_name: str) -> None:
        super().__init__("interrupted — run again to resume")
        self.signal_name = signal_name


class _Process(CrawlerProcess):
    """Scrapy's process, remembering which signal stopped it first: Scrapy's handler swaps
    itself out for both SIGINT and SIGTERM at the first of either, so the handlers left
    cannot tell which one came."""

    first_signal: str | None = None

    def _signal_shutdown(self, signum: int, frame: Any) -> None:
        self.first_signal = self.first_signal or signal.Signals(signum).name
        super()._signal_shutdown(signum, frame)


def _signalled(process: CrawlerProcess, crawls: list[_Crawl]) -> str | None:
    """``SIGINT`` or ``SIGTERM`` when one stopped the crawl, else None; default handlers back.

    Scrapy's first-signal handler replaces itself with its kill handler (then with
    ``SIG_IGN``); a crawler it stopped gracefully ends with the reason ``shutdown``.
    """
    found = getattr(process, "first_signal", None)
    for signum in (signal.SIGINT, signal.SIGTERM):
        handler = signal.getsignal(signum)
        if handler == process._signal_kill or handler == signal.SIG_IGN:
            found = found or signal.Signals(signum).name
    if found is None and any(
        (c.crawler.stats.get_value("finish_reason") if c.crawler.stats else None) == "shutdown"
        for c in crawls
    ):
        found = "a shutdown signal"
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    return found


def _heartbeat(store: Store, crawls: list[_Crawl], started_at: datetime) -> None:
    """Refresh the open rows with the counts so far, off the reactor thread."""
    from twisted.internet.threads import deferToThread

    counts: dict[int, dict[str, int]] = {}
    for crawl in crawls:
        report = report_of(crawl.site, crawl.crawler, 0.0, started_at, crawl.errors)
        counts[crawl.run_id] = {
            "pages": report.pages,
            "unchanged": report.unchanged,
            "posts": report.posts,
            "new_posts": report.new_posts,
            "new_entries": report.new_entries,
            "new_sightings": report.new_sightings,
            "failed_requests": report.failed_requests,
        }
    done = deferToThread(touch_runs, store, counts, datetime.now(UTC))
    done.addErrback(lambda failure: logger.warning("crawl_runs not refreshed: %s", failure.value))


def _quiet_per_item_logs(log_level: str) -> None:
    """Set the engine's and scraper's loggers to the crawl's level.

    They log every response and every item at DEBUG; with only the root handler filtering,
    each of those still builds a log record (~25,000 per 3,000 pages).
    """
    for name in ("scrapy.core.engine", "scrapy.core.scraper"):
        logging.getLogger(name).setLevel(log_level)


def _read_progress(crawl: _Crawl, started_at: datetime, progress: SiteProgress) -> None:
    """Update ``progress`` from the crawler's stats, as the report reads them."""
    report = report_of(crawl.site, crawl.crawler, 0.0, started_at, crawl.errors)
    stats = report.stats
    progress.pages = report.pages
    progress.unchanged = report.unchanged
    progress.posts = report.posts
    progress.failed = report.failed_requests
    progress.settled = report.requests_sent
    progress.requested = max(int(stats.get("scheduler/enqueued", 0)), progress.settled)
