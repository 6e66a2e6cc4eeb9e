"""Discourse forums, read through their public JSON endpoints: no HTML, no selectors.

A start URL is a topic list — a category (``/c/<slug>/<id>``, ``/c/<parent>/<slug>/<id>``),
``/latest``, or the forum's root (read as ``/latest``) — or one topic (``/t/<slug>/<id>``).
Its JSON form is the same path with ``.json`` (``/c/otc/5.json``, ``/latest.json``).

- A topic list's ``topic_list.topics[]`` name the topics (``id``, ``slug``, ``posts_count``,
  ``last_posted_at``); ``topic_list.more_topics_url`` (``/c/otc/5/l/latest?page=1``) is the
  next page, read in its ``.json`` form.
- ``/t/<slug>/<id>.json`` holds the topic's title, its first posts (``post_stream.posts``) and
  the ids of all of them (``post_stream.stream``, with gaps where posts were deleted); the rest
  come from ``/t/<id>/posts.json?post_ids[]=…`` in chunks of :data:`CHUNK`.
- Each post becomes a :class:`PostItem` at its permalink ``<base>/t/<slug>/<id>/<post_number>``:
  ``username``, ``created_at``, and the text and images of its ``cooked`` HTML.

A topic whose mark (``posts_count|last_posted_at``, see :meth:`DiscourseSpider._mark`) equals the
one an earlier crawl remembered for ``<base>/t/<slug>/<id>`` is skipped
(``watchlist/threads_unchanged``). A topic is *complete* once every one of its chunks has been
read: then a :class:`ThreadDone` carries its mark to the store, saved with its last post.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin, urlsplit, urlunsplit

from parsel import Selector
from scrapy.http import Request, Response
from twisted.python.failure import Failure

from crawlers.items import PostItem, ThreadDone
from crawlers.spiders.base import THREAD_PRIORITY, SiteSpider
from crawlers.text import element_text, without_surrogates

CHUNK = 20  # post ids per posts.json request: a topic's chunk_size, as Discourse's client asks
# The first path segment of Discourse's routes: what precedes it is the forum's base path.
_ROUTE = re.compile(r"/(?:c|t|tag|tags|latest|top|new|hot|unread|categories)(?=[/.?]|$)")
_TOPIC = re.compile(r"/t/(?:[^/]+/)?(\d+)(?:/\d+)?/?(?:\.json)?")
_SMALL_ACTION = 3  # post_type of "closed this topic" and the like: no text of its own
_NOT_CONTENT = {"emoji", "avatar", "site-icon"}  # img classes that are never attachments


def base_url(url: str) -> str:
    """The forum's root (scheme, host and any subfolder) of a Discourse page URL."""
    parts = urlsplit(url)
    route = _ROUTE.search(parts.path)
    path = parts.path[: route.start()] if route else parts.path.rstrip("/")
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))


def topic_id(url: str) -> int | None:
    """The topic id of a topic URL (``/t/<slug>/<id>[/<post_number>]``), else None."""
    path = urlsplit(url).path
    route = _ROUTE.search(path)
    match = _TOPIC.fullmatch(path[route.start() :]) if route else None
    return int(match[1]) if match else None


def list_json_url(url: str) -> str:
    """The JSON form of a topic list URL: ``.json`` after its path, its query kept.

    The forum's root is its ``/latest`` list.
    """
    parts = urlsplit(url)
    path = parts.path.rstrip("/")
    if not path.endswith(".json"):
        path += ".json" if _ROUTE.search(path) else "/latest.json"
    return urlunsplit((parts.scheme, parts.netloc, path, parts.query, ""))


def posts_url(base: str, topic_id: int, post_ids: tuple[int, ...]) -> str:
    """The ``posts.json`` URL that fetches ``post_ids`` of topic ``topic_id``."""
    query = "&".join(f"post_ids[]={post_id}" for post_id in post_ids)
    return f"{base}/t/{topic_id}/posts.json?{query}"


def cooked_images(cooked: Selector, page_url: str) -> list[str]:
    """The absolute URLs of the images a post shows, in order, once; emoji and avatars skipped.

    An image Discourse shrank links to its original in a ``lightbox`` anchor: that one is read.
    """
    sources: list[str] = []
    for image in cooked.css("img"):
        if _NOT_CONTENT & set(image.attrib.get("class", "").split()):
            continue
        lightbox = image.xpath(
            "ancestor::a[contains(concat(' ', normalize-space(@class), ' '), ' lightbox ')][1]"
            "/@href"
        ).get()
        source = (lightbox or image.attrib.get("src") or "").strip()
        if source and not source.startswith("data:"):
            absolute = urljoin(page_url, source)
            if absolute.startswith(("http://", "https://")):
                sources.append(absolute)
    return list(dict.fromkeys(sources))


@dataclass(slots=True)
class _Topic:
    """A topic whose chunks are still being fetched."""

    url: str
    title: str | None
    mark: str
    pending: int = 0  # chunk requests not answered yet
    posts: int = 0  # PostItems yielded so far
    complete: bool = True  # False once a chunk failed or was never requested


class DiscourseSpider(SiteSpider):
    """Crawls a Discourse forum through its JSON endpoints."""

    name = "discourse"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._queued: set[str] = set()  # topic URLs requested (lists overlap while they move)
        self._open: dict[str, _Topic] = {}  # topic URL → topic with chunks outstanding

    async def start(self) -> AsyncIterator[Request]:
        """The site's start URLs: topic lists, or single topics."""
        for url in self.config.start_urls:
            topic = topic_id(url)
            if topic is not None:
                request = self.request(f"{base_url(url)}/t/{topic}.json", self.parse_topic)
            else:
                request = self.request(list_json_url(url), self.parse_topic_list)
            if request is not None:
                yield request

    @staticmethod
    def _mark(topic: Mapping[str, Any]) -> str:
        """What moves when someone posts in a topic: ``posts_count|last_posted_at``.

        ``""`` when the topic list does not say (such a topic is never taken as unchanged).
        """
        count, last = topic.get("posts_count"), topic.get("last_posted_at")
        if not isinstance(count, int) or not isinstance(last, str):
            return ""
        return f"{count}|{last}"

    def parse_topic_list(self, response: Response) -> Iterator[Request]:
        """A topic list: request each changed topic, then the list's next page."""
        data = self._json(response)
        topic_list = data.get("topic_list") if data else None
        topics = topic_list.get("topics") if isinstance(topic_list, dict) else None
        if not isinstance(topic_list, dict) or not isinstance(topics, list):
            self.crawler.stats.inc_value("watchlist/unexpected_json")
            return
        if not topics:
            self.crawler.stats.inc_value("watchlist/board_pages_without_threads")
        base = base_url(response.url)
        for topic in topics:
            if not isinstance(topic, dict) or not isinstance(topic.get("id"), int):
                self.crawler.stats.inc_value("watchlist/unexpected_json")
                continue
            url = f"{base}/t/{topic.get('slug') or 'topic'}/{topic['id']}"
            request = self.thread_request(url, url + ".json", self.parse_topic, self._mark(topic))
            if request is not None:
                yield request
        more = topic_list.get("more_topics_url")
        if isinstance(more, str) and more:
            request = self.request(
                list_json_url(_site_url(base, more, response.url)), self.parse_topic_list
            )
            if request is not None:
                yield request

    def thread_request(
        self, url: str, api: str, callback: Callable[[Response], Any], mark: str
    ) -> Request | None:
        """The request of a listed thread's ``api`` URL; None when the thread is queued already
        or its ``mark`` shows it unchanged since the last crawl (counted)."""
        if url in self._queued:
            return None
        self._queued.add(url)
        remembered = self.memory.get(url)
        if mark and remembered is not None and remembered.mark == mark:
            self.crawler.stats.inc_value("watchlist/threads_unchanged")
            return None
        meta = {"topic_url": url, "mark": mark}
        return self.request(api, callback, meta=meta, priority=THREAD_PRIORITY)

    def parse_topic(self, response: Response) -> Iterator[PostItem | ThreadDone | Request]:
        """A topic: its first posts, then requests for the rest of its post stream."""
        data = self._json(response)
        stream = data.get("post_stream") if data else None
        if not data or not isinstance(stream, dict) or not isinstance(data.get("id"), int):
            if data is not None:
                self.crawler.stats.inc_value("watchlist/unexpected_json")
            return
        base = base_url(response.url)
        topic_id: int = data["id"]
        url = response.meta.get("topic_url") or f"{base}/t/{data.get('slug') or 'topic'}/{topic_id}"
        self._queued.add(url)
        title = data.get("title")
        topic = _Topic(
            url,
            title if isinstance(title, str) else None,
            response.meta.get("mark") or self._mark(data),
        )
        posts = [p for p in stream.get("posts") or [] if isinstance(p, dict)]
        shown = {post.get("id") for post in posts}
        rest = [i for i in stream.get("stream") or [] if isinstance(i, int) and i not in shown]
        requests: list[Request] = []
        for start in range(0, len(rest), CHUNK):
            chunk = tuple(rest[start : start + CHUNK])
            meta = {"topic_url": url}
            request = self.request(
                posts_url(base, topic_id, chunk),
                self.parse_posts,
                meta=meta,
                priority=THREAD_PRIORITY,
            )
            if request is None:
                topic.complete = False
            else:
                requests.append(request.replace(errback=self.on_chunk_error))
        topic.pending = len(requests)
        if requests:  # registered before any chunk can come back
            self._open[url] = topic
        yield from self._items(topic, posts, response.url)
        yield from requests
        if not requests:
            yield from self._done(topic)

    def parse_posts(self, response: Response) -> Iterator[PostItem | ThreadDone]:
        """A chunk of a topic's posts (``posts.json?post_ids[]=…``)."""
        url = response.meta["topic_url"]
        topic = self._open.get(url) or _Topic(url, None, "", pending=1)
        data = self._json(response)
        stream = data.get("post_stream") if data else None
        posts = stream.get("posts") if isinstance(stream, dict) else None
        if isinstance(posts, list):
            yield from self._items(topic, [p for p in posts if isinstance(p, dict)], response.url)
        else:
            if data is not None:
                self.crawler.stats.inc_value("watchlist/unexpected_json")
            topic.complete = False
        yield from self._chunk_done(topic)

    def on_chunk_error(self, failure: Failure) -> Iterator[ThreadDone]:
        """A chunk that failed leaves its topic incomplete: its mark is not remembered."""
        self.on_error(failure)
        request = getattr(failure, "request", None)
        topic = self._open.get(request.meta.get("topic_url", "")) if request else None
        if topic is not None:
            topic.complete = False
            yield from self._chunk_done(topic)

    def _chunk_done(self, topic: _Topic) -> Iterator[ThreadDone]:
        topic.pending -= 1
        if topic.pending <= 0:
            self._open.pop(topic.url, None)
            yield from self._done(topic)

    def _done(self, topic: _Topic) -> Iterator[ThreadDone]:
        """Once every post of a topic has been read: its mark, to be remembered with them."""
        if topic.complete and topic.mark:
            yield ThreadDone(self.config.name, topic.url, topic.mark, topic.posts)
        else:
            self.crawler.stats.inc_value("watchlist/threads_incomplete")

    def _items(
        self, topic: _Topic, posts: list[dict[str, Any]], page_url: str
    ) -> Iterator[PostItem]:
        for post in posts:
            number = post.get("post_number")
            if not isinstance(number, int) or post.get("post_type") == _SMALL_ACTION:
                continue
            cooked = Selector(text=without_surrogates(str(post.get("cooked") or "<p></p>")))
            for chrome in cooked.css("a.lightbox .meta"):  # the file name and size under an image
                chrome.drop()
            posted_at = _timestamp(post.get("created_at"))
            if posted_at is None:
                self.crawler.stats.inc_value("watchlist/posts_without_date")
            author = post.get("username")
            topic.posts += 1
            yield PostItem(
                url=f"{topic.url}/{number}",
                site=self.config.name,
                text=element_text(cooked),
                title=topic.title,
                author=author if isinstance(author, str) and author else None,
                posted_at=posted_at,
                image_urls=cooked_images(cooked, page_url),
                thread_url=topic.url,
            )

    def _json(self, response: Response) -> dict[str, Any] | None:
        """The JSON object of a response, or None (counted) when it is not one."""
        try:
            data = json.loads(response.body)
        except ValueError:
            data = None
        if not isinstance(data, dict):
            self.crawler.stats.inc_value("watchlist/unreadable_json")
            return None
        return data


def _site_url(base: str, href: str, page_url: str) -> str:
    """An address Discourse gives (``/c/otc/5/l/latest?page=1``) made absolute on the forum."""
    if not href.startswith("/") or href.startswith("//"):
        return urljoin(page_url, href)
    root = urlsplit(base)
    if root.path and not href.startswith(root.path + "/"):
        href = root.path + href  # a forum in a subfolder: its paths are relative to it
    return urlunsplit((root.scheme, root.netloc, "", "", "")) + href


def _timestamp(value: object) -> datetime | None:
    """An ISO 8601 time as Discourse writes it (``2026-01-01T00:37:00.000Z``), aware."""
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
