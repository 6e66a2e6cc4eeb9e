"""Flarum forums, read through their public JSON:API (``/api``): no HTML, no selectors.

A start URL is the forum's root (every discussion), a tag (``/t/<slug>``) or one discussion
(``/d/<id>[-<slug>]``); the forum may live in a subfolder.

- ``/api/discussions?filter[tag]=<slug>&sort=-lastPostedAt`` lists discussions (``id``,
  ``slug``, ``title``, ``commentCount``, ``lastPostedAt``); ``links.next`` is the next page.
- ``/api/discussions/<id>`` holds the discussion, the ids of all its posts
  (``relationships.posts.data``) and the first of them in ``included``, with their users; the
  rest come from ``/api/posts?filter[id]=…&include=user`` in chunks of :data:`CHUNK`.
- Each comment becomes a :class:`PostItem` at Flarum's permalink ``<base>/d/<id>-<slug>/<number>``:
  the user's ``username``, ``createdAt``, and the text and images of ``contentHtml``. Event posts
  ("renamed the discussion", "added a tag") are not posts.

A discussion whose mark (``commentCount|lastPostedAt``) equals the one remembered for
``<base>/d/<id>-<slug>`` is skipped; one is remembered once every chunk of it was read
(:class:`crawlers.spiders.discourse.DiscourseSpider`'s bookkeeping, shared).
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator, Mapping
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

from parsel import Selector
from scrapy.http import Request, Response

from crawlers.items import PostItem, ThreadDone
from crawlers.spiders.base import THREAD_PRIORITY
from crawlers.spiders.discourse import DiscourseSpider, _timestamp, _Topic, cooked_images
from crawlers.text import element_text, without_surrogates

CHUNK = 20  # post ids per /api/posts request (Flarum's client loads 20 at a time)
_ROUTE = re.compile(r"/(?:t|d|tags|u|all|following|api)(?=[/?]|$)")
_DISCUSSION = re.compile(r"/d/(\d+)(?:-[^/]*)?(?:/\d+)?/?")
_TAG = re.compile(r"/t/([^/?#]+)/?")


def base_url(url: str) -> str:
    """The forum's root (scheme, host and any subfolder) of a Flarum page URL."""
    parts = urlsplit(url)
    route = _ROUTE.search(parts.path)
    path = parts.path[: route.start()] if route else parts.path.rstrip("/")
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))


def list_url(url: str) -> str | None:
    """The API listing behind a forum page: a tag's discussions, or all; None for a discussion."""
    base, path = base_url(url), urlsplit(url).path
    route = path[len(urlsplit(base).path) :]
    if _DISCUSSION.fullmatch(route):
        return None
    tag = _TAG.fullmatch(route)
    query = f"filter%5Btag%5D={quote(tag[1])}&" if tag else ""
    return f"{base}/api/discussions?{query}sort=-lastPostedAt"


def discussion_id(url: str) -> int | None:
    """The discussion id of a ``/d/<id>-<slug>`` URL, else None."""
    base, path = base_url(url), urlsplit(url).path
    match = _DISCUSSION.fullmatch(path[len(urlsplit(base).path) :])
    return int(match[1]) if match else None


class FlarumSpider(DiscourseSpider):
    """Crawls a Flarum forum through its JSON:API."""

    name = "flarum"

    async def start(self) -> AsyncIterator[Request]:
        """The site's start URLs: discussion lists, or single discussions."""
        for url in self.config.start_urls:
            found = discussion_id(url)
            if found is not None:
                request = self.request(
                    f"{base_url(url)}/api/discussions/{found}", self.parse_discussion
                )
            else:
                request = self.request(list_url(url) or url, self.parse_list)
            if request is not None:
                yield request

    @staticmethod
    def _mark(topic: Mapping[str, Any]) -> str:
        """``commentCount|lastPostedAt`` of a discussion's attributes ("" when not shown)."""
        count, last = topic.get("commentCount"), topic.get("lastPostedAt")
        if not isinstance(count, int) or not isinstance(last, str):
            return ""
        return f"{count}|{last}"

    def parse_list(self, response: Response) -> Iterator[Request]:
        """A page of discussions: request each that moved, then the next page."""
        data = self._json(response)
        items = data.get("data") if data else None
        if not isinstance(items, list):
            if data is not None:
                self.crawler.stats.inc_value("watchlist/unexpected_json")
            return
        if not items:
            self.crawler.stats.inc_value("watchlist/board_pages_without_threads")
        base = base_url(response.url)
        for item in items:
            attributes = item.get("attributes") if isinstance(item, dict) else None
            if not isinstance(attributes, dict) or not str(item.get("id", "")).isdigit():
                self.crawler.stats.inc_value("watchlist/unexpected_json")
                continue
            url = _permalink(base, int(item["id"]), attributes.get("slug"))
            api = f"{base}/api/discussions/{item['id']}"
            request = self.thread_request(url, api, self.parse_discussion, self._mark(attributes))
            if request is not None:
                yield request
        links = data.get("links") if data else None
        following = links.get("next") if isinstance(links, dict) else None
        if isinstance(following, str) and following:
            request = self.request(response.urljoin(following), self.parse_list)
            if request is not None:
                yield request

    def parse_discussion(self, response: Response) -> Iterator[PostItem | ThreadDone | Request]:
        """A discussion: the posts it includes, then requests for the rest of them."""
        data = self._json(response)
        item = data.get("data") if data else None
        attributes = item.get("attributes") if isinstance(item, dict) else None
        if not isinstance(item, dict) or not isinstance(attributes, dict):
            if data is not None:
                self.crawler.stats.inc_value("watchlist/unexpected_json")
            return
        base = base_url(response.url)
        url = response.meta.get("topic_url") or _permalink(
            base, int(item.get("id") or 0), attributes.get("slug")
        )
        self._queued.add(url)
        title = attributes.get("title")
        topic = _Topic(
            url,
            title if isinstance(title, str) else None,
            response.meta.get("mark") or self._mark(attributes),
        )
        relations = item.get("relationships")
        linked = _path(relations, "posts", "data")
        ids = [str(p.get("id")) for p in linked or [] if isinstance(p, dict)]
        included = [i for i in (data or {}).get("included") or [] if isinstance(i, dict)]
        shown = {str(i.get("id")) for i in included if i.get("type") == "posts"}
        rest = [i for i in ids if i not in shown and i.isdigit()]
        requests: list[Request] = []
        for start in range(0, len(rest), CHUNK):
            chunk = ",".join(rest[start : start + CHUNK])
            request = self.request(
                f"{base}/api/posts?filter%5Bid%5D={chunk}&include=user",
                self.parse_post_chunk,
                meta={"topic_url": url},
                priority=THREAD_PRIORITY,
            )
            if request is None:
                topic.complete = False
            else:
                requests.append(request.replace(errback=self.on_chunk_error))
        topic.pending = len(requests)
        if requests:
            self._open[url] = topic
        yield from self._comments(topic, included, response.url)
        yield from requests
        if not requests:
            yield from self._done(topic)

    def parse_post_chunk(self, response: Response) -> Iterator[PostItem | ThreadDone]:
        """A chunk of a discussion's posts (``/api/posts?filter[id]=…``)."""
        url = response.meta["topic_url"]
        topic = self._open.get(url) or _Topic(url, None, "", pending=1)
        data = self._json(response)
        posts = data.get("data") if data else None
        if isinstance(posts, list):
            included = (
                [i for i in data.get("included") or [] if isinstance(i, dict)] if data else []
            )
            resources = [p for p in posts if isinstance(p, dict)] + included
            yield from self._comments(topic, resources, response.url)
        else:
            if data is not None:
                self.crawler.stats.inc_value("watchlist/unexpected_json")
            topic.complete = False
        yield from self._chunk_done(topic)

    def _comments(
        self, topic: _Topic, resources: list[dict[str, Any]], page_url: str
    ) -> Iterator[PostItem]:
        """The comment posts among ``resources``, each with its user's name."""
        users = {
            str(r.get("id")): r.get("attributes") or {}
            for r in resources
            if r.get("type") == "users"
        }
        for resource in resources:
            attributes = resource.get("attributes")
            if resource.get("type") != "posts" or not isinstance(attributes, dict):
                continue
            number = attributes.get("number")
            if attributes.get("contentType") != "comment" or not isinstance(number, int):
                continue
            html = str(attributes.get("contentHtml") or "<p></p>")
            content = Selector(text=without_surrogates(html))
            posted_at = _timestamp(attributes.get("createdAt"))
            if posted_at is None:
                self.crawler.stats.inc_value("watchlist/posts_without_date")
            user = _path(resource.get("relationships"), "user", "data")
            name = users.get(str(user.get("id")) if isinstance(user, dict) else "", {})
            author = name.get("username") if isinstance(name, dict) else None
            topic.posts += 1
            yield PostItem(
                url=f"{topic.url}/{number}",
                site=self.config.name,
                text=element_text(content),
                title=topic.title,
                author=author if isinstance(author, str) and author else None,
                posted_at=posted_at,
                image_urls=cooked_images(content, page_url),
                thread_url=topic.url,
            )


def _permalink(base: str, number: int, slug: object) -> str:
    """Flarum's discussion URL ``<base>/d/<id>-<slug>`` (``/d/<id>`` without a slug)."""
    return f"{base}/d/{number}" + (f"-{slug}" if isinstance(slug, str) and slug else "")


def _path(data: object, *keys: str) -> Any:
    for key in keys:
        data = data.get(key) if isinstance(data, dict) else None
    return data
