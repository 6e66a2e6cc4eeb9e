"""Downloader middlewares: private-address refusal, conditional requests, retries with backoff.

- :class:`PrivateAddressMiddleware` refuses a request whose host is, or resolves to, a
  loopback, private, link-local or reserved address — for every request, so also after a
  redirect (Scrapy re-schedules redirects through the middlewares) — unless the site sets
  ``allow_private``. Off-domain links and redirects are Scrapy's ``OffsiteMiddleware``'s job
  (``allowed_domains``); both run before anything is sent.
- :class:`ConditionalRequestMiddleware` sends ``If-None-Match`` / ``If-Modified-Since`` on
  requests marked ``meta["conditional"]`` with the validators the store remembers, and keeps
  the validators of the answers for the spider to save when the crawl finishes.
- :class:`BackoffRetryMiddleware` is Scrapy's retry middleware waiting before each retry:
  ``WATCHLIST_RETRY_BACKOFF`` × 2^(attempt − 1) seconds, at most ``WATCHLIST_RETRY_BACKOFF_MAX``.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from typing import Any, Self, TypeVar
from urllib.parse import urlsplit

from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response

from watchlist.sites import is_private_host


class PrivateAddressRefused(IgnoreRequest):
    """A request to a private, loopback or link-local address, refused."""


def _is_private_address(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return (
        ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_reserved or ip.is_unspecified
    )


class PrivateAddressMiddleware:
    """Refuses requests to private addresses (by name, literal or DNS answer) — SSRF guard."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.verdicts: dict[str, str | None] = {}  # host -> the private address it names

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    async def process_request(self, request: Request) -> None:
        spider = self.crawler.spider
        config = getattr(spider, "config", None)
        if config is None or config.allow_private:
            return
        host = urlsplit(request.url).hostname or ""
        if host not in self.verdicts:
            self.verdicts[host] = await self._private_address(host)
        address = self.verdicts[host]
        if address is not None:
            assert self.crawler.stats is not None
            self.crawler.stats.inc_value("watchlist/private_address_refused")
            raise PrivateAddressRefused(
                f"refused {request.url}: {host} is a private address ({address}); "
                "set allow_private: true for a site on a private network"
            )

    async def _private_address(self, host: str) -> str | None:
        if is_private_host(host):
            return host
        try:
            ipaddress.ip_address(host.strip("[]"))
            return None  # a public literal
        except ValueError:
            pass
        loop = asyncio.get_running_loop()
        try:
            answers = await loop.getaddrinfo(host, None, type=socket.SOCK_STREAM)
        except OSError:
            return None  # unresolvable: the download fails with its own DNS error
        for *_, sockaddr in answers:
            address = str(sockaddr[0])
            if _is_private_address(address):
                return address
        return None


class ConditionalRequestMiddleware:
    """Conditional requests from remembered validators; fresh validators kept on the spider."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        if not request.meta.get("conditional"):
            return
        memory = getattr(self.crawler.spider, "memory", {}).get(request.url)
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
            validators = getattr(self.crawler.spider, "validators", None)
            if (etag or modified) and isinstance(validators, dict):
                validators[request.url] = (etag, modified)
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
