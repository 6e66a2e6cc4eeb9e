"""scrapy-redis's scheduler with leases, a thread's pages kept local, and seeding once.

:class:`SharedScheduler` is ``scrapy_redis.scheduler.Scheduler`` (its priority queue and its
fingerprint set, persistent: ``SCHEDULER_PERSIST``) on the keys of one crawl
(:class:`crawlers.shared_frontier.Frontier`), with what scrapy-redis lacks:

- a request is popped from the shared queue together with its lease (one Lua step);
- the further pages of a thread (requests a thread page yields for the same ``meta["thread"]``),
  and the retries and redirects of a leased request, stay in this worker under the lease of
  the thread's first page: the spider's in-memory thread state (``ForumSpider.threads``, which
  decides when a thread's mark is written) then stays in one process. They are checked against
  the shared fingerprints but remembered only in the lease, so a requeued lease reads its
  thread again in full;
- :meth:`SharedScheduler.settle` names the leases none of whose requests is queued here or in
  the engine (downloading, or being scraped: the engine holds a request until its items have
  been through the pipelines); the worker releases them once the store pipeline has written
  their posts.

:class:`FrontierMiddleware` lets only the seeding worker's start requests through (and says
when they are all queued), and puts a thread's further pages under their page's lease.
"""

from __future__ import annotations

from collections import deque
from collections.abc import AsyncIterator, Collection
from dataclasses import dataclass, field
from typing import Any, Self

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from scrapy_redis.dupefilter import RFPDupeFilter
from scrapy_redis.scheduler import Scheduler

from crawlers.shared_frontier import Frontier, RequestJSON

LEASE = "watchlist_lease"  # meta: the lease a request is worked under (never in the queue)


@dataclass(slots=True)
class _Held:
    """A lease this worker holds: its requests still alive, and the fingerprints it queued."""

    requests: set[Request]
    seen: set[str] = field(default_factory=set)


class SharedScheduler(Scheduler):  # type: ignore[misc]
    """See the module docstring; built for a spider with a ``frontier`` attribute."""

    frontier: Frontier

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        frontier = getattr(crawler.spider, "frontier", None)
        if not isinstance(frontier, Frontier):
            raise NotConfigured("the shared scheduler needs the spider's frontier")
        scheduler = cls(
            server=frontier.server,
            persist=True,  # never let one worker clear what the others share
            queue_key=frontier.key("queue"),
            queue_cls="scrapy_redis.queue.PriorityQueue",
            dupefilter=RFPDupeFilter(frontier.server, frontier.key("seen")),
            serializer=RequestJSON,
        )
        scheduler.stats = crawler.stats
        scheduler.frontier = frontier
        scheduler.local = deque()
        scheduler.held = {}
        return scheduler

    local: deque[Request]
    held: dict[str, _Held]

    def enqueue_request(self, request: Request) -> bool:
        lease = request.meta.get(LEASE)
        held = self.held.get(lease) if lease is not None else None
        if held is None:  # scrapy-redis's own enqueue, without its deprecated stats call
            request.meta.pop(LEASE, None)
            if not request.dont_filter and self.df.request_seen(request):
                return False
            self.stats.inc_value("scheduler/enqueued/redis")
            self.queue.push(request)
            return True
        if not request.dont_filter:
            fp = self.df.request_fingerprint(request)
            if fp in held.seen or self.server.sismember(self.df.key, fp):
                self.stats.inc_value("dupefilter/filtered")
                return False
            held.seen.add(fp)
        held.requests.add(request)
        self.local.append(request)
        self.stats.inc_value("scheduler/enqueued/local")
        return True

    def next_request(self) -> Request | None:
        if self.local:
            return self.local.popleft()
        popped = self.frontier.pop()
        if popped is None:
            return None
        lease, data = popped
        request: Request = self.queue._decode_request(data)
        request.meta[LEASE] = lease
        self.held[lease] = _Held({request}, {self.df.request_fingerprint(request)})
        self.stats.inc_value("scheduler/dequeued/redis")
        return request

    def has_pending_requests(self) -> bool:
        return bool(self.local)

    def __len__(self) -> int:
        return len(self.local)

    def settle(self, in_progress: Collection[Request]) -> list[str]:
        """The leases whose requests are all done (forgotten here: release them once stored)."""
        queued = {id(r) for r in self.local}
        done = []
        for lease, held in self.held.items():
            held.requests = {r for r in held.requests if r in in_progress or id(r) in queued}
            if not held.requests:
                done.append(lease)
        for lease in done:
            del self.held[lease]
        return done

    def seen(self, urls: Collection[str]) -> set[str]:
        """Which of ``urls`` some worker of this crawl has queued (GET requests)."""
        listed = list(urls)
        if not listed:
            return set()
        fps = [self.df.request_fingerprint(Request(url)) for url in listed]
        found = self.server.smismember(self.df.key, fps)
        return {url for url, hit in zip(listed, found, strict=True) if hit}

    def holds(self) -> int:
        """How many leases this worker holds."""
        return len(self.held)


class FrontierMiddleware:
    """Start requests only from the seeding worker; a thread's pages under their lease."""

    def __init__(self, frontier: Frontier) -> None:
        self.frontier = frontier
        self.start_done = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        frontier = getattr(crawler.spider, "frontier", None)
        if not isinstance(frontier, Frontier):
            raise NotConfigured("no shared frontier")
        return cls(frontier)

    async def process_start(self, start: AsyncIterator[Any]) -> AsyncIterator[Any]:
        if self.frontier.seeder:
            async for item_or_request in start:
                yield item_or_request
            # The engine queues each start request before it asks for the next one.
            self.frontier.seeded()
        self.start_done = True

    async def process_spider_output(
        self, response: Response, result: AsyncIterator[Any]
    ) -> AsyncIterator[Any]:
        lease = response.meta.get(LEASE)
        thread = response.meta.get("thread")
        async for item_or_request in result:
            if (
                lease is not None
                and thread is not None
                and isinstance(item_or_request, Request)
                and item_or_request.meta.get("thread") == thread
            ):
                item_or_request.meta[LEASE] = lease
            yield item_or_request
