"""Item pipelines: extract the handles of each post (and of its QR codes), then store posts.

The image pipeline (``crawlers.images``) runs first and leaves QR payloads on the item.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from datetime import UTC, datetime
from typing import Any, Self

from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from crawlers.items import PostItem, ThreadDone
from crawlers.memory import CrawlMemory
from crawlers.spiders.base import SiteSpider
from watchlist.extract import Extraction, Role, extract
from watchlist.store import Found, PostRecord
from watchlist.store.ingest import error_line
from watchlist.store.storable import stored_url

logger = logging.getLogger(__name__)
# Counters every crawl that stored anything shows, even at 0; the others appear when they happen.
ALWAYS_COUNTED = ("posts", "new_posts", "new_entries", "new_sightings", "threads_remembered")


class ExtractPipeline:
    """Runs the extractor over each post's text."""

    def __init__(self, crawler: Crawler) -> None:
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        if isinstance(item, PostItem):
            extraction = extract(item.text)
            item.otc_score = extraction.otc_score
            item.found = [Found(h) for h in extraction.handles]
            role = image_role(extraction)
            for url, payload in item.image_payloads:
                for handle in extract(payload).handles:
                    item.found.append(Found(handle._replace(role=role), url, payload))
            self.stats.inc_value("watchlist/handles_found", len(item.found))
        return item


def image_role(text: Extraction) -> Role:
    """The role of a handle decoded from a post's image, judged from the post's text.

    A QR code has no words around it. A payment code shown in a post is the poster's own payee
    account (``offered``) unless the post warns about or reports someone (``reported``).
    """
    if text.reports or any(handle.role == "reported" for handle in text.handles):
        return "reported"
    return "offered"


class StorePipeline:
    """Writes posts to the store, ``WATCHLIST_STORE_BATCH`` at a time or once a second.

    A :class:`ThreadDone` mark is written in the same transaction as the last post of its
    thread to reach this pipeline (posts overtake each other in the image pipeline), so a
    killed crawl never remembers a thread as done while one of its posts is lost. A post the
    store sets aside (``IngestResult.set_aside``) is counted and logged once, with its URL, and
    its thread is not remembered by this crawl: the next one reads it again. A batch is written
    once: a batch that could not be written at all (the database cannot be used) is logged as
    an error and dropped, never retried with the next one.
    """

    def __init__(
        self, crawler: Crawler, memory: CrawlMemory, batch: int, interval: float = 1.0
    ) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.memory = memory
        self.batch = batch
        self.interval = interval  # seconds: a slow crawl still commits what it has
        self.last_flush = time.monotonic()
        self.pending: list[PostRecord] = []
        self.marks: dict[str, dict[str, str]] = {}
        self.arrived: Counter[str] = Counter()  # posts seen per thread URL
        self.waiting: dict[str, ThreadDone] = {}  # threads done whose posts are still coming
        self.lost: set[tuple[str, str]] = set()  # (site, thread URL) with a post not stored

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        spider = crawler.spider
        if not isinstance(spider, SiteSpider):
            raise NotConfigured("the store pipeline needs a site spider's crawl memory")
        return cls(
            crawler,
            spider.memory,
            crawler.settings.getint("WATCHLIST_STORE_BATCH", 500),
            crawler.settings.getfloat("WATCHLIST_STORE_INTERVAL", 1.0),
        )

    def process_item(self, item: Any) -> Any:
        if isinstance(item, PostItem):
            self.stats.inc_value("watchlist/posts_read")
            self.pending.append(to_record(item))
            if item.thread_url is not None:
                self.arrived[item.thread_url] += 1
                self._settle(item.thread_url)
            if (
                len(self.pending) >= self.batch
                or time.monotonic() - self.last_flush >= self.interval
            ):
                self.flush()
        elif isinstance(item, ThreadDone):
            self.waiting[item.thread_url] = item
            self._settle(item.thread_url)
        return item

    def _settle(self, thread_url: str) -> None:
        """Queue the thread's mark with the pending posts once all its posts have arrived."""
        done = self.waiting.get(thread_url)
        if done is not None and self.arrived[thread_url] >= done.posts:
            del self.waiting[thread_url]
            self.arrived.pop(thread_url, None)
            if (done.site, stored_url(thread_url)) in self.lost:
                self.stats.inc_value("watchlist/threads_not_remembered")
            else:
                self.marks.setdefault(done.site, {})[thread_url] = done.mark

    def close_spider(self) -> None:
        self.flush()

    def flush(self) -> None:
        """Write the pending posts in one transaction (or, if the store refuses some, more)."""
        self.last_flush = time.monotonic()
        if not self.pending and not self.marks:
            return
        posts, marks = self.pending, self.marks
        self.pending, self.marks = [], {}
        try:
            result = self.memory.save(posts, marks)
        except Exception as exc:  # the database cannot be used: this batch is lost, said once
            self.lost.update((p.site, stored_url(p.thread_url)) for p in posts if p.thread_url)
            self.stats.inc_value("watchlist/posts_not_stored", len(posts))
            self.stats.inc_value("watchlist/threads_not_remembered", sum(map(len, marks.values())))
            logger.error(
                "%d posts could not be stored: %s",
                len(posts),
                error_line(exc),
                extra={"spider": self.crawler.spider},
            )
            logger.debug("the store failed", exc_info=True)
            return
        for aside in result.set_aside:
            if aside.thread_url is not None:
                self.lost.add((aside.site, aside.thread_url))
            logger.warning(
                "post set aside, the database refused it: %s (%s)", aside.url, aside.reason
            )
        counters = {
            "posts": result.posts,
            "new_posts": result.new_posts,
            "new_entries": result.new_entries,
            "new_sightings": result.new_sightings,
            "posts_set_aside": len(result.set_aside),
            "posts_of_another_site": result.posts_of_another_site,
            "truncated_fields": result.truncated_fields,
            "handles_set_aside": result.handles_set_aside,
            "threads_remembered": result.threads_remembered,
            "threads_not_remembered": sum(map(len, marks.values())) - result.threads_remembered,
        }
        for name, value in counters.items():
            if value or name in ALWAYS_COUNTED:
                self.stats.inc_value(f"watchlist/{name}", value)


def to_record(item: PostItem) -> PostRecord:
    """The store's record of a crawled, extracted post."""
    return PostRecord(
        url=item.url,
        site=item.site,
        text=item.text,
        fetched_at=datetime.now(UTC),
        title=item.title,
        author=item.author,
        posted_at=item.posted_at,
        otc_score=item.otc_score,
        found=tuple(item.found),
        thread_url=item.thread_url,
    )
