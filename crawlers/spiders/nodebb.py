"""NodeBB forums, read through their public JSON API (``/api/…``): no HTML, no selectors.

Every NodeBB page has its JSON twin under ``/api``: a start URL is a category
(``/category/<cid>/<slug>``), the recent list (the forum's root or ``/recent``) or one topic
(``/topic/<tid>/<slug>``); the forum may live in a subfolder.

- ``/api/category/<cid>/<slug>?page=N`` (and ``/api/recent``) list ``topics[]`` (``tid``,
  ``slug`` ``"<tid>/<slug>"``, ``title``, ``postcount``, ``lastposttimeISO``);
  ``pagination.next`` (``{"page", "qs", "active"}``) is the next page.
- ``/api/topic/<tid>/<slug>?page=N`` holds a page of the topic's ``posts[]`` (``pid``,
  ``content`` HTML, ``timestampISO``, ``user.username``) and ``pagination.pageCount``: the first
  page asks for all the others at once.
- Each post becomes a :class:`PostItem` at NodeBB's permalink ``<base>/post/<pid>``; deleted
  posts (shown to guests without their text) are not posts.

A topic whose mark (``postcount|lastposttimeISO``) equals the one remembered for
``<base>/topic/<slug>`` is skipped; one is remembered once every page of it was read.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator, Mapping
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from parsel import Selector
from scrapy.http import Request, Response

from crawlers.items import PostItem, ThreadDone
from crawlers.spiders.base import THREAD_PRIORITY
from crawlers.spiders.discourse import DiscourseSpider, _timestamp, _Topic, cooked_images
from crawlers.text import element_text, without_surrogates

_ROUTE = re.compile(r"/(?:category|topic|recent|popular|unread|tags?|user|post|api)(?=[/?]|$)")
_TOPIC = re.compile(r"/topic/(\d+(?:/[^/?#]*)?)/?(?:\d+/?)?")
_CATEGORY = re.compile(r"/category/(\d+(?:/[^/?#]*)?)/?")


def base_url(url: str) -> str:
    """The forum's root (scheme, host and any subfolder) of a NodeBB page URL."""
    parts = urlsplit(url)
    route = _ROUTE.search(parts.path)
    path = parts.path[: route.start()] if route else parts.path.rstrip("/")
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))


def api_url(url: str) -> tuple[str, bool]:
    """(the JSON twin of a NodeBB page URL, whether it is a topic)."""
    base, parts = base_url(url), urlsplit(url)
    route = parts.path[len(urlsplit(base).path) :]
    query = f"?{parts.query}" if parts.query else ""
    if topic := _TOPIC.fullmatch(route):
        return f"{base}/api/topic/{topic[1]}{query}", True
    if category := _CATEGORY.fullmatch(route):
        return f"{base}/api/category/{category[1]}{query}", False
    return f"{base}/api/recent{query}", False


class NodebbSpider(DiscourseSpider):
    """Crawls a NodeBB forum through its JSON API."""

    name = "nodebb"

    async def start(self) -> AsyncIterator[Request]:
        """The site's start URLs: topic lists, or single topics."""
        for url in self.config.start_urls:
            api, is_topic = api_url(url)
            callback = self.parse_topic_page if is_topic else self.parse_category
            request = self.request(api, callback)
            if request is not None:
                yield request

    @staticmethod
    def _mark(topic: Mapping[str, Any]) -> str:
        """``postcount|lastposttimeISO`` of a listed topic ("" when not shown)."""
        count, last = topic.get("postcount"), topic.get("lastposttimeISO")
        if not isinstance(count, int) or not isinstance(last, str):
            return ""
        return f"{count}|{last}"

    def parse_category(self, response: Response) -> Iterator[Request]:
        """A page of topics: request each that moved, then the next page."""
        data = self._json(response)
        topics = data.get("topics") if data else None
        if not isinstance(topics, list):
            if data is not None:
                self.crawler.stats.inc_value("watchlist/unexpected_json")
            return
        if not topics:
            self.crawler.stats.inc_value("watchlist/board_pages_without_threads")
        base = base_url(response.url)
        for topic in topics:
            slug = topic.get("slug") if isinstance(topic, dict) else None
            if not isinstance(slug, str) or not re.fullmatch(r"\d+(?:/[^/?#]*)?", slug):
                self.crawler.stats.inc_value("watchlist/unexpected_json")
                continue
            url = f"{base}/topic/{slug}"
            api = f"{base}/api/topic/{slug}"
            request = self.thread_request(url, api, self.parse_topic_page, self._mark(topic))
            if request is not None:
                yield request
        following = _path(data, "pagination", "next")
        if isinstance(following, dict) and following.get("active") and following.get("qs"):
            page = urlsplit(response.url)._replace(query=str(following["qs"]), fragment="")
            request = self.request(urlunsplit(page), self.parse_category)
            if request is not None:
                yield request

    def parse_topic_page(self, response: Response) -> Iterator[PostItem | ThreadDone | Request]:
        """A page of a topic; the first one asks for every other page of it."""
        data = self._json(response)
        posts = data.get("posts") if data else None
        if not data or not isinstance(posts, list) or not isinstance(data.get("slug"), str):
            if data is not None:
                self.crawler.stats.inc_value("watchlist/unexpected_json")
            if response.meta.get("page"):
                topic = self._open.get(response.meta.get("topic_url", ""))
                if topic is not None:
                    topic.complete = False
                    yield from self._chunk_done(topic)
            return
        base = base_url(response.url)
        url = response.meta.get("topic_url") or f"{base}/topic/{data['slug']}"
        if response.meta.get("page"):  # a later page of a topic already open
            topic = self._open.get(url) or _Topic(url, None, "", pending=1)
            yield from self._posts(topic, posts, base, response.url)
            yield from self._chunk_done(topic)
            return
        self._queued.add(url)
        title = data.get("title")
        topic = _Topic(
            url,
            title if isinstance(title, str) else None,
            response.meta.get("mark") or self._mark(data),
        )
        count = _path(data, "pagination", "pageCount")
        requests: list[Request] = []
        for page in range(2, count + 1 if isinstance(count, int) else 2):
            request = self.request(
                f"{base}/api/topic/{data['slug']}?page={page}",
                self.parse_topic_page,
                meta={"topic_url": url, "page": page},
                priority=THREAD_PRIORITY,
            )
            if request is None:
                topic.complete = False
            else:
                requests.append(request.replace(errback=self.on_chunk_error))
        topic.pending = len(requests)
        if requests:
            self._open[url] = topic
        yield from self._posts(topic, posts, base, response.url)
        yield from requests
        if not requests:
            yield from self._done(topic)

    def _posts(
        self, topic: _Topic, posts: list[Any], base: str, page_url: str
    ) -> Iterator[PostItem]:
        for post in posts:
            if not isinstance(post, dict) or not isinstance(post.get("pid"), int):
                continue
            if post.get("deleted"):
                self.crawler.stats.inc_value("watchlist/deleted_posts_skipped")
                continue
            content = Selector(text=without_surrogates(str(post.get("content") or "<p></p>")))
            posted_at = _timestamp(post.get("timestampISO"))
            if posted_at is None:
                self.crawler.stats.inc_value("watchlist/posts_without_date")
            author = _path(post, "user", "username")
            topic.posts += 1
            yield PostItem(
                url=f"{base}/post/{post['pid']}",
                site=self.config.name,
                text=element_text(content),
                title=topic.title,
                author=author if isinstance(author, str) and author else None,
                posted_at=posted_at,
                image_urls=cooked_images(content, page_url),
                thread_url=topic.url,
            )


def _path(data: object, *keys: str) -> Any:
    for key in keys:
        data = data.get(key) if isinstance(data, dict) else None
    return data
