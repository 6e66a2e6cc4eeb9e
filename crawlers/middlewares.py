"""Downloader middlewares: private-address refusal, conditional requests, retries with backoff.

- :class:`PrivateAddressMiddleware` refuses a request whose host is a private IP literal (in
  any spelling) or a ``localhost`` name — for every request, so also after a redirect (Scrapy
  re-schedules redirects through the middlewares) — unless the site sets ``allow_private``.
  Names are judged by their DNS answers at connect time, by :mod:`crawlers.resolver`, with
  which this middleware registers its site; :class:`PrivateAnswerMiddleware` turns a
  connection the resolver refused into a counted refusal, never retried. Off-domain links and
  redirects are Scrapy's ``OffsiteMiddleware``'s job (``allowed_domains``); both run before
  anything is sent.
- :class:`ConditionalRequestMiddleware` sends ``If-None-Match`` / ``If-Modified-Since`` on
  requests marked ``meta["conditional"]`` with the validators the store remembers, and keeps
  the validators of the answers for the spider to save when the crawl finishes.
- :class:`BackoffRetryMiddleware` is Scrapy's retry middleware waiting before each retry:
  ``WATCHLIST_RETRY_BACKOFF`` × 2^(attempt − 1) seconds, at most ``WATCHLIST_RETRY_BACKOFF_MAX``.
- :class:`SiteOffsiteMiddleware` is Scrapy's off-site filter that also keeps a post's images
  (and their hosts' robots.txt) on the hosts the site allows: ``allowed_domains`` plus
  ``image_domains``, http(s) only, also after a redirect.
- :class:`RequestDeadlineMiddleware` bounds the time one request may spend being downloaded over
  all its tries: the site's ``request_deadline``.
"""

from __future__ import annotations

import asyncio
import re
from time import monotonic
from typing import Any, Self, TypeVar
from urllib.parse import urlsplit

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.offsite import OffsiteMiddleware
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadTimeoutError,
    IgnoreRequest,
    NotConfigured,
)
from scrapy.http import Request, Response
from scrapy.utils.httpobj import urlparse_cached
from scrapy.utils.misc import load_object
from twisted.internet.error import DNSLookupError
from twisted.internet.error import TimeoutError as TwistedTimeoutError

from crawlers.memory import CrawlMemory
from crawlers.resolver import PRIVATE_NAMES
from crawlers.spiders.base import SiteSpider
from watchlist.addresses import is_private_host, parse_ip
from watchlist.sites import SiteConfig


class PrivateAddressRefused(IgnoreRequest):
    """A request to a private, loopback or link-local address, refused."""


class PrivateAddressMiddleware:
    """Refuses requests to private IP literals and ``localhost`` names — SSRF guard, no DNS."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        config = getattr(crawler.spider, "config", None)
        if isinstance(config, SiteConfig):
            PRIVATE_NAMES.allow_site(config)  # before the site's first request
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        config = getattr(self.crawler.spider, "config", None)
        if config is None or config.allow_private:
            return
        host = urlsplit(request.url).hostname or ""
        if is_private_host(host):
            address = parse_ip(host)
            spelled = f" ({address})" if address is not None and str(address) != host else ""
            refuse(self.crawler, request, f"{host} is a private address{spelled}")


class PrivateAnswerMiddleware:
    """Turns a connection the resolver refused (every answer private) into a counted refusal.

    It sits above the retry middleware, so a name refused at connect time is not retried.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def process_exception(self, request: Request, exception: Exception) -> None:
        if not isinstance(exception, (CannotResolveHostError, DNSLookupError)):
            return
        host = urlsplit(request.url).hostname or ""
        address = PRIVATE_NAMES.refusal(host)
        if address is not None:
            refuse(self.crawler, request, f"{host} resolves to a private address ({address})")


def refuse(crawler: Crawler, request: Request, why: str) -> None:
    """Count a refused request and raise :class:`PrivateAddressRefused` with its reason."""
    assert crawler.stats is not None
    crawler.stats.inc_value("watchlist/private_address_refused")
    crawler.stats.set_value("watchlist/private_address_last", why)
    raise PrivateAddressRefused(
        f"refused {request.url}: {why}; set allow_private: true for a site on a private network"
    )


class ConditionalRequestMiddleware:
    """Conditional requests from the crawl memory's validators; fresh ones handed back to it."""

    def __init__(self, memory: CrawlMemory) -> None:
        self.memory = memory

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        spider = crawler.spider
        if not isinstance(spider, SiteSpider):
            raise NotConfigured("conditional requests need a site spider's crawl memory")
        return cls(spider.memory)

    def process_request(self, request: Request) -> None:
        if not request.meta.get("conditional"):
            return
        memory = self.memory.get(request.url)
        if memory is None:
            return
        if memory.etag:
            request.headers.setdefault("If-None-Match", memory.etag)
        if memory.last_modified:
            request.headers.setdefault("If-Modified-Since", memory.last_modified)

    def process_response(self, request: Request, response: Response) -> Response:
        if request.meta.get("conditional") and response.status == 200:
            etag = (response.headers.get("ETag") or b"").decode("latin-1")
            modified = (response.headers.get("Last-Modified") or b"").decode("latin-1")
            if etag or modified:
                self.memory.saw_validators(request.url, etag, modified)
        return response


_Result = TypeVar("_Result", Request, Response, Request | Response, Request | Response | None)


class BackoffRetryMiddleware(RetryMiddleware):
    """Scrapy's retries, each after an exponentially growing pause."""

    backoff: float
    backoff_max: float

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        middleware = super().from_crawler(crawler)
        middleware.backoff = crawler.settings.getfloat("WATCHLIST_RETRY_BACKOFF", 0.5)
        middleware.backoff_max = crawler.settings.getfloat("WATCHLIST_RETRY_BACKOFF_MAX", 30.0)
        return middleware

    async def process_response(  # type: ignore[override]
        self, request: Request, response: Response, spider: Any = None
    ) -> Request | Response:
        return await self._pause(super().process_response(request, response))

    async def process_exception(  # type: ignore[override]
        self, request: Request, exception: Exception, spider: Any = None
    ) -> Request | Response | None:
        return await self._pause(super().process_exception(request, exception))

    async def _pause(self, result: _Result) -> _Result:
        if isinstance(result, Request):
            attempt = int(result.meta.get("retry_times", 1))
            delay = min(self.backoff_max, self.backoff * 2 ** (attempt - 1))
            if delay > 0:
                assert self.crawler.stats is not None
                self.crawler.stats.inc_value("watchlist/retry_backoff_seconds", delay)
                await asyncio.sleep(delay)
        return result


IMAGE_META = "watchlist_image"  # set by the image pipeline on the requests of a post's images


class ImageOffSite(IgnoreRequest):
    """An image on a host the site does not allow, refused before anything is sent."""


class SiteOffsiteMiddleware(OffsiteMiddleware):
    """Scrapy's off-site filter, which keeps a post's images on the hosts the site allows.

    Pages follow Scrapy's rule (the spider's ``allowed_domains``). An image request
    (``meta[IMAGE_META]``) is sent only to an http(s) host under ``allowed_domains`` or the
    site's ``image_domains`` — whatever ``dont_filter`` or ``allow_offsite`` say, and again
    after each redirect — else it is refused and counted (``watchlist/images_off_site``). The
    robots.txt request of an image host passes too, so the image host's robots.txt is obeyed.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._image_domains: list[str] | None = None
        self._image_regex = re.compile("")

    def process_request(self, request: Request, spider: Spider | None = None) -> None:
        if request.meta.get(IMAGE_META):
            self._check_image(request)
        elif not (is_robots_request(request) and self._on_image_host(request)):
            super().process_request(request)

    def _check_image(self, request: Request) -> None:
        parts = urlparse_cached(request)
        if parts.scheme in ("http", "https") and self._on_image_host(request):
            return
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value("watchlist/images_off_site")
        host = parts.hostname or parts.scheme
        raise ImageOffSite(f"image on {host!r} refused: not in allowed_domains or image_domains")

    def _on_image_host(self, request: Request) -> bool:
        spider = self.crawler.spider
        config = getattr(spider, "config", None)
        extra = config.image_domains if isinstance(config, SiteConfig) else []
        domains = [*(getattr(spider, "allowed_domains", None) or []), *extra]
        if domains != self._image_domains:
            self._image_domains = domains
            pattern = "|".join(re.escape(d) for d in domains if d)
            self._image_regex = re.compile(rf"^(.*\.)?({pattern})$" if pattern else "")
        return bool(self._image_regex.search(urlparse_cached(request).hostname or ""))


def is_robots_request(request: Request) -> bool:
    """Whether ``request`` is Scrapy's own request for a host's robots.txt."""
    return bool(request.meta.get("dont_obey_robotstxt")) and (
        urlparse_cached(request).path == "/robots.txt"
    )


class RequestDeadlineExceeded(IgnoreRequest):
    """A request (a redirect) with no time left of its site's ``request_deadline``."""


_SPENT = "watchlist_deadline_spent"  # seconds the earlier tries of the request took
_TRY = "watchlist_deadline_try"  # (queued for download at, timeout) of the try under way
_HEADERS = "watchlist_deadline_headers"  # when the headers of the try under way came
_BASE_TIMEOUT = "watchlist_deadline_base_timeout"  # the try timeout before the deadline
_MIN_TRY = 1.0  # a try with less time than this left is not started


class RequestDeadlineMiddleware:
    """Bounds the seconds one request may spend being downloaded, over all its tries.

    Scrapy's ``DOWNLOAD_TIMEOUT`` bounds one try; a server that answers a byte every few
    seconds (slow loris) would cost that much on every retry. Each try is given at most what
    is left of the site's ``request_deadline`` (``WATCHLIST_REQUEST_DEADLINE`` for a spider
    without a site config); a try's time is measured from the download handler's own clock
    (its latency to the headers) when headers came, else it is the try's timeout when it timed
    out. Once less than a second is left, the request is not retried again: it fails, and the
    deadline is counted (``watchlist/request_deadline_exceeded``) when it cut a try short or
    stopped a retry. Browser requests (``meta["playwright"]``) keep the browser's deadlines.
    """

    def __init__(self, crawler: Crawler, deadline: float) -> None:
        settings = crawler.settings
        self.crawler = crawler
        self.deadline = deadline
        self.try_timeout = settings.getfloat("DOWNLOAD_TIMEOUT")
        self.max_retries = settings.getint("RETRY_TIMES")
        self.retry_codes = {int(code) for code in settings.getlist("RETRY_HTTP_CODES")}
        self.retry_exceptions = tuple(
            load_object(e) if isinstance(e, str) else e
            for e in settings.getlist("RETRY_EXCEPTIONS")
        )

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        config = getattr(crawler.spider, "config", None)
        if isinstance(config, SiteConfig):
            deadline = config.request_deadline
        else:
            deadline = crawler.settings.getfloat("WATCHLIST_REQUEST_DEADLINE", 60.0)
        if deadline <= 0:
            raise NotConfigured("no request deadline")
        middleware = cls(crawler, deadline)
        crawler.signals.connect(middleware.headers_received, signal=signals.headers_received)
        return middleware

    def process_request(self, request: Request) -> None:
        meta = request.meta
        if meta.get("playwright"):
            return
        base = float(
            meta.setdefault(_BASE_TIMEOUT, meta.get("download_timeout") or self.try_timeout)
        )
        left = self.deadline - float(meta.get(_SPENT, 0.0))
        if left < _MIN_TRY:  # a redirect after slow answers: no time left for it
            assert self.crawler.stats is not None
            self.crawler.stats.inc_value("watchlist/request_deadline_exceeded")
            raise RequestDeadlineExceeded(
                f"{request.url}: its request_deadline of {self.deadline:g} s is spent"
            )
        timeout = min(base, left)
        meta["download_timeout"] = timeout
        meta[_TRY] = (monotonic(), timeout)
        meta.pop(_HEADERS, None)

    def headers_received(self, request: Request, **_: Any) -> None:
        """Note when the headers of a try came (its latency says when it was sent)."""
        if _TRY in request.meta:
            request.meta[_HEADERS] = monotonic()

    def process_response(self, request: Request, response: Response) -> Response:
        if self._spend(request, timed_out=False) and response.status in self.retry_codes:
            self._stop_retrying(request, cut_short=False)
        return response

    def process_exception(self, request: Request, exception: Exception) -> None:
        timed_out = isinstance(exception, (DownloadTimeoutError, TwistedTimeoutError))
        out_of_time = self._spend(request, timed_out)
        if out_of_time and (timed_out or isinstance(exception, self.retry_exceptions)):
            cut_short = timed_out and request.meta["download_timeout"] < request.meta[_BASE_TIMEOUT]
            self._stop_retrying(request, cut_short)

    def _spend(self, request: Request, timed_out: bool) -> bool:
        """Add the try that just ended to the request's time; whether too little is left."""
        meta = request.meta
        attempt = meta.pop(_TRY, None)
        if attempt is None:
            return False
        sent, timeout = float(attempt[0]), float(attempt[1])
        now = monotonic()
        headers = meta.pop(_HEADERS, None)
        if timed_out:
            took = timeout
        elif headers is not None and "download_latency" in meta:
            took = now - float(headers) + float(meta["download_latency"])
        else:  # failed before any headers came: at most the try's timeout
            took = min(now - sent, timeout)
        spent = float(meta.get(_SPENT, 0.0)) + took
        meta[_SPENT] = spent
        return self.deadline - spent < _MIN_TRY

    def _stop_retrying(self, request: Request, cut_short: bool) -> None:
        meta = request.meta
        retries_left = int(meta.get("retry_times", 0)) < int(
            meta.get("max_retry_times", self.max_retries)
        )
        if meta.get("dont_retry") and not cut_short:
            return
        meta["dont_retry"] = True
        if cut_short or retries_left:
            assert self.crawler.stats is not None
            self.crawler.stats.inc_value("watchlist/request_deadline_exceeded")
