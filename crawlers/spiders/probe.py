"""Fetch what ``watchlist sites detect`` and ``sites add`` look at, as a crawl would fetch it.

One page, then — while its engine is not clear — the JSON endpoints of ``engines.probes_for``,
then, for a config to propose (``ProbeTarget.propose``, an engine without a preset), up to
:data:`THREADS_TRIED` of the thread links the page proposes, until one shows posts. Every
request goes through the project's settings and middlewares: the private-address guard (the
target's ``allow_private``), robots.txt, the response size cap, retries. Nothing is stored:
the spider yields no items and the crawl runs without item pipelines.

``probe(target)`` runs the spider in this process (once: the reactor does not restart) and
returns a :class:`ProbeResult`; detection and proposals are the pure functions of
``watchlist.engines`` and ``watchlist.proposal``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy.crawler import CrawlerProcess
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response, TextResponse
from twisted.python.failure import Failure

from crawlers.middlewares import PrivateAddressRefused
from watchlist.engines import Detection, Page, ProbeAnswer, detect, probes_for
from watchlist.proposal import IndexProposal, ThreadProposal, propose_index, propose_thread
from watchlist.sites import SiteConfig

THREADS_TRIED = 3  # thread links followed, at most, to find a page with several posts
# Error pages are read too (a 404 or 403 page says things); redirects are still followed,
# which "handle_httpstatus_all" would stop.
READ_ERRORS = list(range(400, 600))
PAGE_BYTES = 8_000_000  # the size cap of a site config's default max_page_bytes


@dataclass(frozen=True, slots=True)
class ProbeTarget:
    """The page to look at, and whether the site may be on a private network."""

    url: str
    allow_private: bool = False
    propose: bool = False  # follow thread links and propose selectors if there is no preset

    def site(self) -> SiteConfig:
        """The site as the private-address guard knows sites: its host and ``allow_private``.

        Built unvalidated: a private host without ``allow_private`` is for the guard to refuse,
        with the crawl's own reason, not for the config model.
        """
        host = urlsplit(self.url).hostname or ""
        return SiteConfig.model_construct(
            name="probe",
            type="forum",
            start_urls=[self.url],
            allowed_domains=[host],
            allow_private=self.allow_private,
        )


@dataclass(slots=True)
class ProbeResult:
    """What the probe saw: the page, its engine, and the proposals (when asked for)."""

    page: Page | None = None
    detection: Detection | None = None
    index: IndexProposal | None = None
    thread: ThreadProposal | None = None
    thread_url: str | None = None
    error: str | None = None  # why the page could not be fetched
    refused: bool = False  # the private-address guard refused it
    probed: list[str] = field(default_factory=list)  # the JSON endpoints asked


def page_of(response: Response, probes: dict[str, ProbeAnswer] | None = None) -> Page:
    """The :class:`Page` of a Scrapy response (cookie names from its ``Set-Cookie`` headers)."""
    headers = {
        key.decode("latin-1").lower(): b", ".join(values).decode("latin-1")
        for key, values in response.headers.items()
    }
    cookies = tuple(
        raw.decode("latin-1").split("=", 1)[0].strip()
        for raw in response.headers.getlist("Set-Cookie")
    )
    html = response.text if isinstance(response, TextResponse) else ""
    return Page(response.url, response.status, headers, cookies, html, probes or {})


class ProbeSpider(scrapy.Spider):
    """Fetches one page, its engine's JSON endpoints and, to propose a config, thread pages."""

    name = "probe"
    custom_settings = {  # noqa: RUF012 (Scrapy declares it an instance attribute)
        "ITEM_PIPELINES": {},
        "DOWNLOAD_MAXSIZE": PAGE_BYTES,
        "DOWNLOAD_WARNSIZE": PAGE_BYTES // 2,
        "RETRY_TIMES": 1,
        "CONCURRENT_REQUESTS": 1,
        "AUTOTHROTTLE_ENABLED": False,
    }

    def __init__(self, target: ProbeTarget, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.target = target
        self.config = target.site()  # what the private-address guard reads
        self.result = ProbeResult()
        self.probes: dict[str, ProbeAnswer] = {}
        self.waiting: list[tuple[str, str]] = []  # (probe name, URL) still to ask
        self.links: list[str] = []  # thread links still to try

    async def start(self) -> AsyncIterator[Request]:
        """The target page, redirects followed; error pages are read too."""
        yield Request(
            self.target.url,
            callback=self.on_page,
            errback=self.on_page_error,
            meta={"handle_httpstatus_list": READ_ERRORS},
        )

    def on_page(self, response: Response) -> Iterator[Request]:
        """Name the engine; ask its JSON endpoints while it is not clear."""
        self.result.page = page_of(response)
        self.result.detection = detect(self.result.page)
        if not self.result.detection.strong:
            probes = probes_for(response.url).items()
            self.waiting = [(name, url) for name, url in probes if url != response.url]
        yield from self._next()

    def on_probe(self, response: Response) -> Iterator[Request]:
        """Keep a JSON endpoint's answer and name the engine again."""
        name = response.meta["probe"]
        body = response.text if isinstance(response, TextResponse) else ""
        self.probes[name] = ProbeAnswer(response.url, response.status, body)
        assert self.result.page is not None
        self.result.page = replace(self.result.page, probes=dict(self.probes))
        self.result.detection = detect(self.result.page)
        if self.result.detection.strong:
            self.waiting = []
        yield from self._next()

    def on_probe_error(self, failure: Failure) -> Iterator[Request]:
        """A JSON endpoint that did not answer says nothing: go on."""
        yield from self._next()

    def on_thread(self, response: Response) -> Iterator[Request]:
        """Propose the post selectors from a thread page; try another if it shows < 2 posts."""
        html = response.text if isinstance(response, TextResponse) else ""
        proposal = propose_thread(html, response.url)
        best = self.result.thread
        if best is None or proposal.posts > best.posts:
            self.result.thread, self.result.thread_url = proposal, response.url
        if proposal.posts < 2:
            yield from self._next_thread()

    def on_thread_error(self, failure: Failure) -> Iterator[Request]:
        """A thread page that failed: try the next one."""
        yield from self._next_thread()

    def on_page_error(self, failure: Failure) -> None:
        """Why the page could not be fetched, in one line."""
        self.result.refused = isinstance(failure.value, PrivateAddressRefused)
        if not self.result.refused and isinstance(failure.value, IgnoreRequest):
            self.result.error = "the site's robots.txt forbids fetching this page"
        else:
            self.result.error = failure.getErrorMessage() or repr(failure.value)

    def _next(self) -> Iterator[Request]:
        if self.waiting:
            name, url = self.waiting.pop(0)
            self.result.probed.append(url)
            yield Request(
                url,
                callback=self.on_probe,
                errback=self.on_probe_error,
                meta={"probe": name, "handle_httpstatus_list": READ_ERRORS},
                headers={"Accept": "application/json"},
            )
            return
        if self.target.propose and _needs_proposal(self.result):
            assert self.result.page is not None
            self.result.index = propose_index(self.result.page.html, self.result.page.url)
            self.links = list(self.result.index.links[:THREADS_TRIED])
            yield from self._next_thread()

    def _next_thread(self) -> Iterator[Request]:
        if self.links:
            yield Request(self.links.pop(0), callback=self.on_thread, errback=self.on_thread_error)


def _needs_proposal(result: ProbeResult) -> bool:
    """An HTML page whose engine has no preset (and is no Telegram preview)."""
    engine = result.detection.engine if result.detection else None
    page = result.page
    if page is None or page.status != 200 or not page.html:
        return False
    return engine is None or (engine.preset is None and engine.kind != "telegram")


def probe(target: ProbeTarget, log_level: str = "CRITICAL") -> ProbeResult:
    """Run the probe spider in this process (once per process) and return what it saw.

    Scrapy logs only critical errors: failures come back in the result, said once.
    """
    from crawlers.runner import project_settings

    process = CrawlerProcess(project_settings("sqlite://", log_level))
    crawler = process.create_crawler(ProbeSpider)
    process.crawl(crawler, target=target)
    process.start()
    spider = crawler.spider
    assert isinstance(spider, ProbeSpider)
    return spider.result
