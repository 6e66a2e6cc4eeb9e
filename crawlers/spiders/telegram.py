"""Public Telegram channels through their web preview (``https://t.me/s/<channel>``).

``start_urls`` name the channels (``https://t.me/s/<channel>``; ``https://t.me/<channel>`` is
read as its preview). A preview page shows about 20 messages, oldest first:
``div.tgme_widget_message[data-post="<channel>/<id>"]`` with the text in
``.tgme_widget_message_text``, the time and permalink in ``a.tgme_widget_message_date``, photos
as ``a.tgme_widget_message_photo_wrap`` backgrounds, and the link to older messages in
``link[rel=prev]`` / ``a.tme_messages_more[data-before]``. Each message becomes one
:class:`PostItem` under its permalink; its photos go to the image pipeline (QR codes).

Paging back stops where earlier crawls already read everything: the channel's *mark* is the
newest message id of the last walk that went down to old ground — the channel's first message,
a page holding a message at or below the previous mark, or the end of the history the site
config allows (``max_pages``, ``max_depth``). It is saved through :class:`ThreadDone`, in the
same transaction as the walk's last post, so a crawl killed midway leaves the old mark and the
next crawl walks on past the messages it stored. Messages already stored (``known_post_urls``)
are not yielded again.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from parsel import Selector
from scrapy.http import Request, Response

from crawlers.dates import parse_datetime
from crawlers.items import PostItem, ThreadDone
from crawlers.spiders.base import SiteSpider
from crawlers.text import element_text

TELEGRAM_HOSTS = ("t.me", "telegram.me")
# Where t.me's previews keep their photos; allowed when a channel is crawled on t.me itself.
TELEGRAM_CDN = ("telesco.pe", "cdn-telegram.org")
_BACKGROUND = re.compile(r"background-image\s*:\s*url\(\s*['\"]?([^'\")]+)")


def _has_class(name: str) -> str:
    return f"contains(concat(' ', normalize-space(@class), ' '), ' {name} ')"


# The message's own text, not the quote of the message it replies to.
_OWN_TEXT = (
    f".//*[{_has_class('tgme_widget_message_text')}]"
    f"[not(ancestor::*[{_has_class('tgme_widget_message_reply')}])]"
)


class TelegramSpider(SiteSpider):
    """Reads the web preview of each channel in ``start_urls``, newest page first."""

    name = "telegram"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        hosts = {urlsplit(url).hostname for url in self.config.start_urls}
        if hosts & set(TELEGRAM_HOSTS):
            extra = [d for d in TELEGRAM_CDN if d not in self.allowed_domains]
            self.allowed_domains = [*self.allowed_domains, *extra]

    async def start(self) -> AsyncIterator[Request]:
        """The newest page of every channel."""
        for url in self.config.start_urls:
            channel = preview_url(url)
            request = self.request(channel, self.parse, meta={"telegram_channel": channel})
            if request is not None:
                yield request

    def parse(self, response: Response, **_: Any) -> Iterator[PostItem | ThreadDone | Request]:
        """A preview page: its new messages, then the older page unless old ground is reached."""
        stats = self.crawler.stats
        stats.inc_value("watchlist/telegram_pages")
        channel = str(response.meta.get("telegram_channel") or response.url.split("?")[0])
        messages = self.read_messages(response)
        if not messages:
            stats.inc_value("watchlist/telegram_pages_without_messages")
        ids = [number for number, _ in messages]
        top = response.meta.get("telegram_top") or max(ids, default=0)
        posts = int(response.meta.get("telegram_posts", 0))
        items = [item for _, item in messages if item is not None]
        known = self.memory.known_posts([i.url for i in items])
        for item in items:
            if item.url not in known:
                item.thread_url = channel
                posts += 1
                yield item
        floor = self.remembered_top(channel)
        if floor is not None and any(number <= floor for number in ids):
            stats.inc_value("watchlist/stopped_at_seen")
            yield ThreadDone(self.config.name, channel, str(top), posts)
            return
        older = older_page(response)
        if older is None:
            if top:  # down to the channel's first message
                yield ThreadDone(self.config.name, channel, str(top), posts)
            return
        meta = {"telegram_channel": channel, "telegram_top": top, "telegram_posts": posts}
        depth = int(response.meta.get("depth", 0))
        too_deep = bool(self.config.max_depth) and depth >= self.config.max_depth
        request = None if too_deep else self.request(older, self.parse, meta=meta)
        if request is not None:
            yield request
        else:  # max_pages or max_depth: the history the site config allows ends here
            stats.inc_value("watchlist/telegram_history_cut")
            yield ThreadDone(self.config.name, channel, str(top), posts)

    def remembered_top(self, channel: str) -> int | None:
        """The newest message id of the last complete walk of ``channel``, if any."""
        memory = self.memory.get(channel)
        if memory is None or not memory.mark or not memory.mark.isdigit():
            return None
        return int(memory.mark)

    def read_messages(self, response: Response) -> list[tuple[int, PostItem | None]]:
        """``(message id, item)`` for each message on the page; skipped messages have no item."""
        stats = self.crawler.stats
        title = (
            response.css('meta[property="og:title"]::attr(content)').get()
            or " ".join(response.css(".tgme_channel_info_header_title ::text").getall())
        ).strip() or None
        found: list[tuple[int, PostItem | None]] = []
        for message in response.css("div.tgme_widget_message[data-post]"):
            number = (message.attrib.get("data-post") or "").rpartition("/")[2]
            if not number.isdigit():
                stats.inc_value("watchlist/telegram_messages_without_id")
                continue
            item = self.read_message(response, message, title)
            if item is None:
                stats.inc_value("watchlist/telegram_messages_skipped")
            found.append((int(number), item))
        return found

    def read_message(
        self, response: Response, message: Selector, title: str | None
    ) -> PostItem | None:
        """One message as an item; None for a service message or one with no text and no photo."""
        if "service_message" in (message.attrib.get("class") or "").split():
            return None
        text = "\n".join(element_text(part) for part in message.xpath(_OWN_TEXT)).strip()
        photos = [
            response.urljoin(match[1])
            for style in message.css("a.tgme_widget_message_photo_wrap::attr(style)").getall()
            if (match := _BACKGROUND.search(style))
        ]
        if not text and not photos:
            return None
        date = message.css("a.tgme_widget_message_date")
        href = date.attrib.get("href") or "/" + (message.attrib.get("data-post") or "")
        author = " ".join(
            message.css(".tgme_widget_message_from_author ::text").getall()
            or message.css(".tgme_widget_message_owner_name ::text").getall()
        ).strip()
        posted_at = self.posted_at(date.css("time::attr(datetime)").get() or "")
        if posted_at is None:
            self.crawler.stats.inc_value("watchlist/posts_without_date")
        return PostItem(
            url=response.urljoin(href).split("#")[0],
            site=self.config.name,
            text=text,
            title=title,
            author=author or title,
            posted_at=posted_at,
            image_urls=list(dict.fromkeys(photos)),
        )

    def posted_at(self, stamp: str) -> datetime | None:
        """The ``datetime`` attribute (ISO 8601 with offset) as an aware datetime."""
        try:
            moment = datetime.fromisoformat(stamp.strip())
        except ValueError:
            return parse_datetime(stamp, self.config.timezone)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=ZoneInfo(self.config.timezone))
        return moment


def preview_url(url: str) -> str:
    """The preview address of a channel: ``t.me/<channel>`` becomes ``t.me/s/<channel>``."""
    parts = urlsplit(url)
    if parts.hostname in TELEGRAM_HOSTS and not parts.path.startswith("/s/"):
        parts = parts._replace(path="/s" + parts.path)
    return parts._replace(fragment="").geturl()


def older_page(response: Response) -> str | None:
    """The page of older messages: ``link[rel=prev]``, else ``a.tme_messages_more[data-before]``."""
    href = response.css('link[rel="prev"]::attr(href)').get()
    if href:
        return response.urljoin(href)
    more = response.css("a.tme_messages_more[data-before]")
    if not more:
        return None
    before = more.attrib.get("data-before", "")
    href = more.attrib.get("href") or (f"?before={before}" if before.isdigit() else "")
    return response.urljoin(href) if href else None
