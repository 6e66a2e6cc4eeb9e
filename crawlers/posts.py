"""Read the posts of a forum or blog page: one post per element matched by ``post``.

A post holding other posts (a comment with its nested replies) is read with its own text,
author, time, images and anchors only: the replies are posts of their own. Each post gets its
permalink from :mod:`crawlers.permalinks`. When a post has no author or time of its own, the
``page_author`` / ``page_posted_at`` selectors (matched anywhere on the page) fill it; without
them the page's machine-readable metadata does, for the page's first post only (the article:
a comment's time is never the article's).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from lxml import etree
from parsel import Selector
from parsel.csstranslator import css2xpath
from scrapy.http import TextResponse
from scrapy.statscollectors import StatsCollector

from crawlers.dates import PostTime, post_time
from crawlers.items import PostItem
from crawlers.permalinks import PostParts, assign, candidates, nested_posts, on_site, own
from crawlers.text import document, element_text, image_sources
from crawlers.urls import canonical
from watchlist.sites import SiteConfig

_TIME_ATTRIBUTES = "@*[name()='datetime' or name()='data-time' or name()='title']"
# A time element's own attributes and text, in document order (smart strings: each result
# says whether it is an attribute).
_TIMES_OF_NODE = etree.XPath(f"descendant-or-self::*/{_TIME_ATTRIBUTES} | .//text()")


def _time_candidates(results: list[Any]) -> list[str]:
    """The time attributes one by one, then the element's whole text as one candidate."""
    attributes = [str(r) for r in results if getattr(r, "is_attribute", False)]
    text = " ".join(str(r) for r in results if not getattr(r, "is_attribute", False))
    return [*attributes, text]


log = logging.getLogger(__name__)
_PROBLEM_STAT = {"unreadable": "unreadable", "no_clock": "without_clock"}


@dataclass(slots=True)
class ReadPost:
    """A post read from a page; ``key``: what makes it this post (author, text and anchor)."""

    item: PostItem
    key: str


def _compiled(expression: str | None) -> Any:
    return etree.XPath(expression, smart_strings=False) if expression else None


def _css(css: str | None) -> str | None:
    return f"({css2xpath(css)})" if css else None


@dataclass(frozen=True, slots=True)
class PostQueries:
    """The post selectors as compiled XPath, built once: one query per field of each post.

    ``post`` is an XPath string (for the page's parsel selector); the others are compiled
    ``lxml.etree.XPath`` run on a post's lxml element — about twice as fast as parsel queries,
    which wrap every result in a selector. ``(A | B)/@href`` also works for comma-separated CSS
    (``a.x, a.y``), where appending ``::attr(href)`` to the CSS binds to the last alternative.
    The ``*_nodes`` queries return elements, for posts that hold other posts.
    """

    post: str
    body: Any
    author: Any
    author_nodes: Any
    posted_at: Any
    posted_at_nodes: Any
    permalink: Any
    permalink_nodes: Any
    page_author: Any
    page_posted_at: Any
    title: Any

    @classmethod
    def of(cls, config: SiteConfig) -> PostQueries:
        selectors = config.resolved_selectors()
        author, stamp = _css(selectors.author), _css(selectors.posted_at)
        permalink = _css(selectors.permalink)
        page_author, page_stamp = _css(selectors.page_author), _css(selectors.page_posted_at)
        # In document order: the datetime/data-time/title attributes, then the text.
        times = "{0}/descendant-or-self::*/" + _TIME_ATTRIBUTES + " | {0}//text()"
        return cls(
            post=css2xpath(selectors.post or "*"),
            body=_compiled(css2xpath(selectors.post_body or "*")),
            author=_compiled(f"{author}//text()" if author else None),
            author_nodes=_compiled(author),
            posted_at=etree.XPath(times.format(stamp)) if stamp else None,
            posted_at_nodes=_compiled(stamp),
            permalink=_compiled(f"{permalink}/@href" if permalink else None),
            permalink_nodes=_compiled(permalink),
            page_author=_compiled(f"({page_author})[1]//text()" if page_author else None),
            page_posted_at=etree.XPath(times.format(f"({page_stamp})[1]")) if page_stamp else None,
            title=_compiled(f"{_css(selectors.title)}/text()" if selectors.title else None),
        )


class PostReader:
    """Reads the posts of a page for one site (its selectors, time zone and domains)."""

    def __init__(self, config: SiteConfig) -> None:
        self.config = config
        self.queries = PostQueries.of(config)
        self.allowed_domains = list(config.allowed_domains)

    def posts(
        self,
        response: TextResponse,
        page_url: str,
        stats: StatsCollector,
        first_page: bool = True,
        page: Selector | None = None,
    ) -> list[ReadPost]:
        """Every post of the page, in document order, each with its own permalink.

        ``first_page``: the page opens its thread, so its first post is the thread's (or the
        article's), whose author and time the page's metadata describes. ``page``: the page as
        :func:`crawlers.text.document` reads it, when the caller has it already.
        """
        q = self.queries
        page = page if page is not None else document(response)
        matched = [p.root for p in page.xpath(q.post)]
        # An element without a body is not a post (Discuz's post_rate_div_… matches post_…):
        # counted, and never taken for a reply whose text its container must leave out.
        bodies_of = {element: q.body(element) for element in matched}
        elements = [element for element in matched if bodies_of[element]]
        if len(elements) < len(matched):
            stats.inc_value("watchlist/post_elements_without_body", len(matched) - len(elements))
        inside = nested_posts(elements) if len(elements) > 1 else {}
        title = " ".join(q.title(page.root)).strip() or None if q.title else None
        parts: list[PostParts] = []
        items: list[PostItem] = []
        for element in elements:
            nested = inside.get(element, set())
            bodies = own(bodies_of[element], element, nested)
            if not bodies:  # its only bodies are its replies'
                stats.inc_value("watchlist/post_elements_without_body")
                continue
            try:
                item, part = self._read(response, element, bodies, nested, title, stats)
            except Exception as exc:  # one post that cannot be read never costs the page
                stats.inc_value("watchlist/posts_unreadable")
                log.warning("a post of %s could not be read: %r", response.url, exc)
                continue
            items.append(item)
            parts.append(part)
        if not parts:
            return []
        if not all(p.explicit for p in parts) or len({p.explicit for p in parts}) < len(parts):
            base = response.url
            members = [p.element for p in parts]
            for p in parts:
                p.candidates = candidates(
                    p.element, members, inside.get(p.element, set()), page_url, base
                )
        links = assign(page_url, parts)
        if links.collisions:
            stats.inc_value("watchlist/permalink_collisions", links.collisions)
            if links.collisions * 2 > len(parts):
                stats.inc_value("watchlist/pages_mostly_colliding")
        self._fall_back_on_the_page(response, page, items, first_page, stats)
        read = []
        for item, p, url in zip(items, parts, links.urls, strict=True):
            item.url = url
            if item.posted_at is None:
                stats.inc_value("watchlist/posts_without_date")
            if item.author is None:
                stats.inc_value("watchlist/posts_without_author")
            # The same post shown on several pages of a thread keeps its anchor and its text;
            # a seller's bump (same words, a new post) has an anchor of its own.
            anchor = url[len(page_url) :] if url.startswith(page_url + "#") else url
            read.append(ReadPost(item, f"{p.key}\0{anchor}"))
        return read

    def _read(
        self,
        response: TextResponse,
        element: Any,
        bodies: list[Any],
        nested: set[Any],
        title: str | None,
        stats: StatsCollector,
    ) -> tuple[PostItem, PostParts]:
        """One post element as an item (its URL still to assign) and what identifies it."""
        text = element_text(bodies[0], skip=nested)
        author = self._author(element, nested)
        posted = self._posted_at(element, nested)
        if posted.problem in ("unreadable", "no_clock"):
            stats.inc_value(f"watchlist/post_times_{_PROBLEM_STAT[posted.problem]}")
        images = [response.urljoin(src) for body in bodies for src in image_sources(body, nested)]
        item = PostItem(
            url="",
            site=self.config.name,
            text=text,
            title=title,
            author=author,
            posted_at=posted.at,
            image_urls=images,
        )
        part = PostParts(element, self._explicit(response, element, nested, stats))
        part.key = "\0".join([author or "", text, *images])
        return item, part

    def _explicit(
        self, response: TextResponse, element: Any, nested: set[Any], stats: StatsCollector
    ) -> str | None:
        """The permalink selector's link, when it gives one on the site's own domains."""
        if self.queries.permalink is None:
            return None
        hrefs = self.queries.permalink(element)
        if nested:
            nodes = own(self.queries.permalink_nodes(element), element, nested)
            hrefs = [n.get("href") or "" for n in nodes]
        href = next((str(h).strip() for h in hrefs if str(h).strip()), None)
        if href is None:
            return None
        url = canonical(response.urljoin(href))
        if not on_site(url, self.allowed_domains):
            stats.inc_value("watchlist/permalinks_off_site")
            return None
        return url

    def _author(self, element: Any, nested: set[Any]) -> str | None:
        q = self.queries
        if q.author is None:
            return None
        if nested:
            nodes = own(q.author_nodes(element), element, nested)
            texts = [element_text(nodes[0], skip=nested)] if nodes else []
        else:
            texts = [str(t) for t in q.author(element)]
        author = " ".join(" ".join(texts).split())
        return author or None

    def _posted_at(self, element: Any, nested: set[Any]) -> PostTime:
        q = self.queries
        if q.posted_at is None:
            return PostTime(None, "missing")
        if nested:
            nodes = own(q.posted_at_nodes(element), element, nested)
            raw = _TIMES_OF_NODE(nodes[0]) if nodes else []
        else:
            raw = q.posted_at(element)
        return self._time(_time_candidates(raw))

    def _time(self, candidates: list[str]) -> PostTime:
        """The post time in attribute and text candidates (``crawlers.dates``)."""
        config = self.config
        return post_time(candidates, config.timezone, language=config.language)

    def _fall_back_on_the_page(
        self,
        response: TextResponse,
        page: Selector,
        items: list[PostItem],
        first_page: bool,
        stats: StatsCollector,
    ) -> None:
        """Fill missing authors and times from page-level selectors or the page's metadata."""
        q = self.queries
        root = page.root
        if q.page_author is not None or q.page_posted_at is not None:
            author = " ".join(" ".join(q.page_author(root)).split()) if q.page_author else ""
            stamp = q.page_posted_at(root) if q.page_posted_at else []
            posted_at = self._time(_time_candidates(stamp)).at
            for item in items:
                item.author = item.author or author or None
                item.posted_at = item.posted_at or posted_at
        first = items[0] if items and first_page else None
        if first is None or (first.author and first.posted_at):
            return
        from crawlers.page_meta import page_meta  # only for pages that need it

        meta = page_meta(response.text, response.url, self.config.timezone)
        if meta.unreadable:
            stats.inc_value("watchlist/page_meta_unreadable")
        first.author = first.author or meta.author
        first.posted_at = first.posted_at or meta.published
