"""Run this process as one worker of distributed crawls, one per site (docs/workers.md).

Each site's crawl runs in its own crawler, as in :func:`crawlers.runner.crawl_sites`, but on
the shared frontier (:mod:`crawlers.shared_frontier`, :mod:`crawlers.shared_scheduler`):
requests come from and go to Redis. Every :data:`TICK` seconds a worker settles the leases
whose requests are done, flushes the store pipeline (their posts and thread marks are then
committed) and only then releases them; every :data:`BEAT` seconds it heartbeats with its
counters. A worker goes idle without closing until the crawl is complete (queue empty, no
lease held anywhere). The seeder opens the crawl's one ``crawl_runs`` row; the worker that
finds the crawl complete waits for the others to leave, closes the row with everyone's
counters added up and deletes the crawl's keys.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import redis
from scrapy import Request, signals
from scrapy.crawler import Crawler, CrawlerProcess
from scrapy.exceptions import DontCloseSpider
from scrapy.utils.defer import deferred_from_coro

from crawlers.digests import UrlSet
from crawlers.health import OwnErrors, count_pages, requests_failed
from crawlers.memory import CrawlMemory
from crawlers.pagination import UnreadPagination
from crawlers.pipelines import StorePipeline
from crawlers.report import CrawlReport, mark_skipped, report_of
from crawlers.run_log import HEARTBEAT_SECONDS
from crawlers.runner import (
    CrawlInterrupted,
    _close_dead_runs,
    _crawl_logging,
    _quiet_per_item_logs,
    _signalled,
    project_settings,
    spider_for,
)
from crawlers.shared_frontier import Frontier, worker_name
from crawlers.shared_scheduler import SharedScheduler
from watchlist.errors import NotAvailable
from watchlist.sites import SiteConfig
from watchlist.store import RunRecord, Store, open_store
from watchlist.store.runs import PROCESS, close_run, open_run, touch_runs

logger = logging.getLogger(__name__)
TICK = 0.25  # seconds between settling leases
BEAT = 1.0  # seconds between heartbeats
COUNTERS = (
    "pages",
    "unchanged",
    "posts",
    "new_posts",
    "new_entries",
    "new_sightings",
    "failed_requests",
)
# A worker's crawl that stopped short of something; any of them anywhere, and no worker saves
# its validators (see SiteSpider._save_validators).
CUT_SHORT = (
    "watchlist/max_pages_reached",
    "depth/request_ignored_count",
    "watchlist/posts_set_aside",
    "watchlist/posts_not_stored",
)
ELSEWHERE = "watchlist/crawl_cut_short_elsewhere"


@dataclass(slots=True)
class WorkerReport:
    """This worker's share of one site's crawl, and the crawl's row if this worker closed it."""

    report: CrawlReport
    workers: int = 1
    run_id: int | None = None  # set when this worker recorded the whole crawl
    total: RunRecord | None = None


@dataclass(slots=True)
class _Work:
    site: SiteConfig
    crawler: Crawler
    errors: OwnErrors
    frontier: Frontier
    started_at: datetime
    last_beat: float = 0.0
    last_touch: float = field(default_factory=time.monotonic)
    complete: int = 0  # Frontier.complete(): 2 when this worker found the crawl complete
    settled: list[str] = field(default_factory=list)  # leases done, not released yet


def work_sites(
    sites: list[SiteConfig],
    database_url: str,
    redis_url: str,
    prefix: str = "watchlist",
    log_level: str = "WARNING",
    stale: float = 10.0,
) -> list[WorkerReport]:
    """Work on the shared crawl of each of ``sites`` until it is complete; this worker's reports.

    Raises :class:`NotAvailable` when Redis cannot be reached, :class:`CrawlInterrupted` on
    SIGINT/SIGTERM (this worker's leases are handed back to the others first).
    """
    server = redis.Redis.from_url(redis_url, socket_timeout=30, socket_connect_timeout=10)
    try:
        server.ping()
    except redis.RedisError as exc:
        raise NotAvailable(f"Redis at {redis_url} cannot be reached: {exc}") from None
    for site in sites:
        spider_for(site).preflight(site)
    quiet = logging.getLevelNamesMapping().get(log_level.upper(), logging.WARNING) >= 30
    settings = project_settings(database_url, log_level)
    settings.set("SCHEDULER", "crawlers.shared_scheduler.SharedScheduler", priority="cmdline")
    middlewares = dict(settings.getdict("SPIDER_MIDDLEWARES"))
    middlewares["crawlers.shared_scheduler.FrontierMiddleware"] = 10  # sees the final output
    settings.set("SPIDER_MIDDLEWARES", middlewares, priority="cmdline")
    if quiet:
        settings.set("LOG_INSTALL_ROOT_HANDLER", False, priority="cmdline")
    process = CrawlerProcess(settings)
    store = open_store(database_url)
    works: list[_Work] = []
    errors: dict[str, OwnErrors] = {}
    try:
        with _crawl_logging(errors, quiet, settings):
            now = datetime.now(UTC)
            _close_dead_runs(store, now)
            worker = worker_name()
            for site in sites:
                frontier = Frontier(server, prefix, site.name, worker, stale=stale)
                if frontier.join():
                    marker = {"host": f"workers@{redis_url}", "crawl": frontier.key("crawl")}
                    frontier.set_run(open_run(store, site.name, now, marker), now)
                crawler = process.create_crawler(spider_for(site))
                errors[site.name] = OwnErrors()
                errors[site.name].watch(crawler)
                count_pages(crawler)
                work = _Work(site, crawler, errors[site.name], frontier, now)
                works.append(work)
                _watch(work, store)
                memory = CrawlMemory(store, site.name)
                process.crawl(crawler, config=site, memory=memory, frontier=frontier)
            _run(process, works, log_level)
        return [_finish(work, store) for work in works]
    except BaseException:
        for work in works:  # hand this worker's leases back at once
            counts = _counts(work)
            # Its unfinished share goes back to the queue: the others finish it.
            counts["problem"] = None
            try:
                work.frontier.heartbeat(counts, leaving=True)
            except redis.RedisError:
                logger.warning("%s: leases left to expire", work.site.name)
        raise
    finally:
        store.close()


def _run(process: CrawlerProcess, works: list[_Work], log_level: str) -> None:
    from twisted.internet import task

    loops = [task.LoopingCall(_tick, work) for work in works]
    for loop in loops:
        loop.start(TICK, now=False)
    _quiet_per_item_logs(log_level)
    process.start()
    for loop in loops:
        if loop.running:
            loop.stop()
    signalled = _signalled(process, [])
    if signalled is None and any(
        (w.crawler.stats.get_value("finish_reason") if w.crawler.stats else None) == "shutdown"
        for w in works
    ):
        signalled = "a shutdown signal"
    if signalled is not None:
        raise CrawlInterrupted(signalled)


def _watch(work: _Work, store: Store) -> None:
    """Keep the spider open until the whole crawl is complete."""

    def idle(**_: Any) -> None:
        if work.complete:
            return
        engine = work.crawler.engine
        scheduler = engine._slot.scheduler if engine and engine._slot else None
        if work.settled or (isinstance(scheduler, SharedScheduler) and scheduler.holds()):
            raise DontCloseSpider
        try:
            work.complete = work.frontier.complete()
        except redis.RedisError as exc:  # never close on a Redis hiccup: ask again later
            logger.warning("%s: Redis: %s (retrying)", work.site.name, exc)
            raise DontCloseSpider from None
        if not work.complete:
            raise DontCloseSpider
        if isinstance(scheduler, SharedScheduler):
            _pagination_followed_elsewhere(work, scheduler)
        others = {w: s for w, s in work.frontier.totals().items() if w != work.frontier.worker}
        if any(s.get("cut") for s in others.values()) and work.crawler.stats:
            work.crawler.stats.set_value(ELSEWHERE, 1)

    work.crawler.signals.connect(idle, signal=signals.spider_idle, weak=False)


def _pagination_followed_elsewhere(work: _Work, scheduler: SharedScheduler) -> None:
    """Count as requested the pagination links another worker followed (ForumSpider.closed)."""
    spider = work.crawler.spider
    unread = getattr(spider, "pagination_unread", None)
    requested = getattr(spider, "requested_urls", None)
    if not isinstance(unread, UnreadPagination) or not isinstance(requested, UrlSet):
        return
    for url in scheduler.seen(unread.links()):  # links no page of this worker's asked for
        requested.add(url)
        unread.requested(url)


def _tick(work: _Work) -> None:
    """Settle and release leases, heartbeat, and wake the engine (the queue may have refilled)."""
    engine = work.crawler.engine
    slot = engine._slot if engine is not None else None
    if slot is None or not isinstance(slot.scheduler, SharedScheduler):
        return
    done = slot.scheduler.settle(slot.inprogress)
    work.settled.extend(done)
    now = time.monotonic()
    try:
        if done:
            _flush_store(work.crawler)
        if done or now - work.last_beat >= BEAT:
            work.last_beat = now
            beat = work.frontier.heartbeat(_counts(work))
            if beat.requeued:
                logger.warning(
                    "%s: %d leases of %d lost workers requeued",
                    work.site.name,
                    beat.requeued,
                    beat.dead,
                )
                work.crawler.stats.inc_value("watchlist/leases_requeued", beat.requeued)
            if beat.reseed:
                deferred_from_coro(_reseed(work, slot.scheduler))
        work.frontier.release(work.settled)
        work.settled.clear()
        if now - work.last_touch >= HEARTBEAT_SECONDS:
            work.last_touch = now
            _touch_row(work)
    except redis.RedisError as exc:  # released at a later tick
        logger.warning("%s: Redis: %s (retrying)", work.site.name, exc)
    slot.nextcall.schedule()


def _flush_store(crawler: Crawler) -> None:
    """Commit what the store pipeline holds: the posts and marks of the leases just settled."""
    assert crawler.engine is not None
    for pipeline in crawler.engine.scraper.itemproc.middlewares:
        if isinstance(pipeline, StorePipeline):
            pipeline.flush()


async def _reseed(work: _Work, scheduler: SharedScheduler) -> None:
    """The seeder died before its start requests were all queued: queue them from here."""
    logger.warning("%s: the seeding worker was lost; seeding from this one", work.site.name)
    spider = work.crawler.spider
    assert spider is not None
    async for request in spider.start():
        if isinstance(request, Request):
            scheduler.enqueue_request(request)
    work.frontier.seeded()


def _counts(work: _Work) -> dict[str, Any]:
    """This worker's counters as the others read them (``cut``: it stopped short somewhere)."""
    report = report_of(work.site, work.crawler, 0.0, work.started_at, work.errors)
    counts: dict[str, Any] = {name: getattr(report, name) for name in COUNTERS}
    stats = report.stats
    counts["cut"] = requests_failed(stats) + sum(int(stats.get(k, 0) or 0) for k in CUT_SHORT)
    counts["problem"] = None if report.finish_reason == "not started" else report.problem
    return counts


def _touch_row(work: _Work) -> None:
    """Refresh the crawl's row with everyone's counters so far (any worker may)."""
    run_id = work.frontier.run_id()
    if run_id is None:
        return
    from twisted.internet.threads import deferToThread

    totals = _sum(work.frontier.totals().values())
    spider = work.crawler.spider
    store = getattr(getattr(spider, "memory", None), "store", None)
    if store is None:
        return
    done = deferToThread(touch_runs, store, {run_id: totals}, datetime.now(UTC))
    done.addErrback(lambda failure: logger.warning("crawl_runs not refreshed: %s", failure.value))


def _sum(counts: Any) -> dict[str, int]:
    return {name: sum(int(c.get(name, 0) or 0) for c in counts) for name in COUNTERS}


def _finish(work: _Work, store: Store) -> WorkerReport:
    """This worker's report; the crawl's row closed by the worker that found it complete."""
    elapsed = float(work.crawler.stats.get_value("elapsed_time_seconds") or 0.0)
    report = mark_skipped(
        work.site, report_of(work.site, work.crawler, elapsed, work.started_at, work.errors)
    )
    frontier = work.frontier
    frontier.heartbeat(_counts(work), leaving=True)
    if work.complete != 2:
        return WorkerReport(report)
    deadline = time.monotonic() + frontier.stale + 5
    while frontier.workers() and time.monotonic() < deadline:
        time.sleep(0.2)  # the others push their last counters as they leave
    totals = frontier.totals()
    run_id = frontier.run_id()
    started = frontier.started_at() or work.started_at
    problems = [f"{w}: {c['problem']}" for w, c in sorted(totals.items()) if c.get("problem")]
    record = RunRecord(
        site=work.site.name,
        started_at=started,
        finished_at=datetime.now(UTC),
        ok=not problems,
        finish_reason="finished",
        problem="; ".join(problems)[:500] or None,
        stats={"watchlist/workers": totals, PROCESS: {"crawl": frontier.key("crawl")}},
        **_sum(totals.values()),
    )
    if run_id is not None:
        close_run(store, run_id, record)
    frontier.finish()
    return WorkerReport(report, len(totals), run_id, record)
