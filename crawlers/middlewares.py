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
"""

from __future__ import annotations

import asyncio
from typing import Any, Self, TypeVar
from urllib.parse import urlsplit

from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import CannotResolveHostError, IgnoreRequest, NotConfigured
from scrapy.http import Request, Response
from twisted.internet.error import DNSLookupError

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
