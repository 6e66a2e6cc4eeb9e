"""The image pipeline: download a post's images within caps and decode their QR codes.

Each image is fetched through the crawl's own downloader, so the private-address guard,
retries, the request deadline and politeness apply, and only from the hosts the site allows:
``allowed_domains`` plus ``image_domains`` (its CDNs), under each image host's own robots.txt
(:class:`crawlers.middlewares.SiteOffsiteMiddleware`; refusals are counted as
``watchlist/images_off_site`` and ``watchlist/images_robots_forbidden``). Each is capped at
``WATCHLIST_IMAGE_MAX_BYTES``; its pixel count is checked against ``WATCHLIST_IMAGE_MAX_PIXELS``
before decoding.

Memory is bounded for the whole process, whatever the number of sites crawling in it: at most
``WATCHLIST_IMAGES_IN_FLIGHT`` images are being fetched or decoded at once (so at most that
many bodies are held), and at most ``WATCHLIST_IMAGE_DECODERS`` are decoded at once, in
threads of their own (never the reactor's pool, which resolves host names). An image shown in
many posts (a seller's collection code) is fetched and decoded once per crawl. Failures are
counted in stats, never raised: a broken image loses nothing else of its post.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Self

from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Request
from scrapy.settings import BaseSettings

from crawlers.items import PostItem
from crawlers.middlewares import IMAGE_META, ImageOffSite, PrivateAddressRefused
from watchlist.qrcodes import ImageError, decode_qr

_CACHE_SIZE = 4096


class ImageSlots:
    """How many images this process fetches and decodes at once, shared by every crawler.

    ``in_flight``: images being fetched or waiting to be decoded (their bodies are held);
    ``decoders``: threads decoding. A thread decoding a 16-megapixel image holds about 120 MB,
    and the C allocator keeps one arena of that size per thread that ever decoded one: the
    reactor's pool of 10 threads took a crawl of such images to 1.1 GB, one thread to 0.28 GB.
    """

    def __init__(self, in_flight: int, decoders: int) -> None:
        self.in_flight = asyncio.Semaphore(max(in_flight, 1))
        self.decoders = ThreadPoolExecutor(max(decoders, 1), thread_name_prefix="qr-decode")

    async def decode(self, data: bytes, max_pixels: int) -> list[str]:
        """The QR payloads of ``data``, decoded in a decoder thread."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.decoders, decode_qr, data, max_pixels)


_SLOTS: ImageSlots | None = None


def image_slots(settings: BaseSettings) -> ImageSlots:
    """The process's image slots, sized by the settings of the first crawler that asks."""
    global _SLOTS
    if _SLOTS is None:
        _SLOTS = ImageSlots(
            settings.getint("WATCHLIST_IMAGES_IN_FLIGHT", 8),
            settings.getint("WATCHLIST_IMAGE_DECODERS", 1),
        )
    return _SLOTS


class ImagePipeline:
    """Adds ``(image URL, QR payload)`` pairs to each post that shows images."""

    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        if not settings.getbool("WATCHLIST_IMAGES_ENABLED", True):
            raise NotConfigured("WATCHLIST_IMAGES_ENABLED is off")
        self.crawler = crawler
        self.max_bytes = settings.getint("WATCHLIST_IMAGE_MAX_BYTES", 5 * 1024 * 1024)
        self.max_pixels = settings.getint("WATCHLIST_IMAGE_MAX_PIXELS", 16_000_000)
        self.per_post = settings.getint("WATCHLIST_IMAGES_PER_POST", 8)
        self.slots = image_slots(settings)
        # URL → the task fetching and decoding it: posts on one page that show the same image
        # share one download, even while it is in flight.
        self.decoded: OrderedDict[str, asyncio.Task[list[str]]] = OrderedDict()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    async def process_item(self, item: Any) -> Any:
        if isinstance(item, PostItem):
            for url in dict.fromkeys(item.image_urls[: self.per_post]):
                for payload in await self._payloads(url):
                    item.image_payloads.append((url, payload))
        return item

    async def _payloads(self, url: str) -> list[str]:
        task = self.decoded.get(url)
        if task is None:
            task = asyncio.ensure_future(self._fetch_and_decode(url))
            self.decoded[url] = task
            if len(self.decoded) > _CACHE_SIZE:
                self.decoded.popitem(last=False)
        else:
            self.decoded.move_to_end(url)
        return await asyncio.shield(task)

    async def _fetch_and_decode(self, url: str) -> list[str]:
        async with self.slots.in_flight:  # the body is held until it is decoded
            body = await self._fetch(url)
            if body is None:
                return []
            return await self._decode(url, body)

    async def _fetch(self, url: str) -> bytes | None:
        """The image's bytes, or None (counted) when it is refused or cannot be fetched."""
        stats = self.crawler.stats
        assert stats is not None and self.crawler.engine is not None
        # No dont_filter: it would let the request leave the site's hosts (PITFALLS.md).
        request = Request(url, meta={"download_maxsize": self.max_bytes, IMAGE_META: True})
        try:
            response = await self.crawler.engine.download_async(request)
        except (ImageOffSite, PrivateAddressRefused):  # counted where refused
            return None
        except IgnoreRequest as exc:
            forbidden = str(exc).startswith("Forbidden by robots.txt")  # RobotsTxtMiddleware
            stats.inc_value(f"watchlist/images_{'robots_forbidden' if forbidden else 'failed'}")
            stats.set_value("watchlist/last_image_error", f"{url}: {exc}"[:300])
            return None
        except Exception as exc:  # any download failure: count it, keep the post
            stats.inc_value("watchlist/images_failed")
            stats.set_value("watchlist/last_image_error", f"{url}: {exc!r}"[:300])
            return None
        if response.status != 200:
            stats.inc_value("watchlist/images_failed")
            return None
        stats.inc_value("watchlist/images_fetched")
        return response.body

    async def _decode(self, url: str, body: bytes) -> list[str]:
        stats = self.crawler.stats
        assert stats is not None
        try:
            payloads = await self.slots.decode(body, self.max_pixels)
        except ImageError as exc:
            stats.inc_value("watchlist/images_unreadable")
            stats.set_value("watchlist/last_image_error", f"{url}: {exc}"[:300])
            return []
        stats.inc_value("watchlist/qr_codes_decoded", len(payloads))
        return payloads
