"""The image pipeline: download a post's images within caps and decode their QR codes.

Each image is fetched through the crawl's own downloader (so allowed domains, robots.txt, retries
and politeness apply), capped at ``WATCHLIST_IMAGE_MAX_BYTES``; its pixel count is checked against
``WATCHLIST_IMAGE_MAX_PIXELS`` before decoding, off the reactor thread. An image shown in many
posts (a seller's collection code) is fetched and decoded once per crawl. Failures are counted
in stats, never raised: a broken image loses nothing else of its post.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from typing import Any, Self

from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Request
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.threads import deferToThread

from crawlers.items import PostItem
from watchlist.qrcodes import ImageError, decode_qr

_CACHE_SIZE = 4096


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
        stats = self.crawler.stats
        assert stats is not None and self.crawler.engine is not None
        request = Request(url, meta={"download_maxsize": self.max_bytes}, dont_filter=True)
        try:
            response = await self.crawler.engine.download_async(request)
        except Exception as exc:  # any download failure: count it, keep the post
            stats.inc_value("watchlist/images_failed")
            stats.set_value("watchlist/last_image_error", f"{url}: {exc!r}"[:300])
            return []
        if response.status != 200:
            stats.inc_value("watchlist/images_failed")
            return []
        stats.inc_value("watchlist/images_fetched")
        try:
            payloads: list[str] = await maybe_deferred_to_future(
                deferToThread(decode_qr, response.body, self.max_pixels)
            )
        except ImageError as exc:
            stats.inc_value("watchlist/images_unreadable")
            stats.set_value("watchlist/last_image_error", f"{url}: {exc}"[:300])
            return []
        stats.inc_value("watchlist/qr_codes_decoded", len(payloads))
        return payloads
