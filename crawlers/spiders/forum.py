"""The config-driven forum spider: board pages → thread pages → posts, incrementally.

``scrapy crawl forum -a site=NAME [-a seeds=DIR]`` or, from code, ``config=SiteConfig``.

A board row's *mark* (``selectors.thread_mark``: reply count, last-post time) is remembered once
all the thread's posts are stored; a re-crawl skips a thread whose row still shows its mark.
Board pages are fetched conditionally (``ETag``/``Last-Modified``, see ``middlewares``): a
``304`` means the board lists nothing new, and the crawl stops paging that board.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import Any

from parsel import Selector
from scrapy.http import Request, Response, TextResponse

from crawlers.items import PostItem, ThreadDone
from crawlers.pagination import Pagination, UnreadPagination
from crawlers.permalinks import on_site
from crawlers.posts import PostReader
from crawlers.spiders.base import THREAD_PRIORITY, SiteSpider
from crawlers.text import document
from crawlers.urls import canonical

NOT_MODIFIED = 304


class ForumSpider(SiteSpider):
    """Crawls one forum site as its config and its engine preset say."""

    name = "forum"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.selectors = self.config.resolved_selectors()
        self.reader = PostReader(self.config)
        self.pagination = Pagination.of(self.selectors.next_page)
        self.threads: dict[str, _Thread] = {}  # threads being read, by the URL the board links to
        self.pagination_unread = UnreadPagination()  # pages whose pagination is unrequested

    async def start(self) -> AsyncIterator[Request]:
        """The site's start URLs, read as board pages."""
        for url in self.config.start_urls:
            request = self._board_request(url)
            if request is not None:
                yield request

    def _board_request(self, url: str) -> Request | None:
        return self.request(
            url,
            self.parse_board,
            meta={"conditional": True, "handle_httpstatus_list": [NOT_MODIFIED]},
        )

    def parse_board(self, response: Response) -> Iterator[Request]:
        """A board page: follow its threads that moved, then its next pages."""
        stats = self.crawler.stats
        if response.status == NOT_MODIFIED:
            stats.inc_value("watchlist/pages_unchanged")
            return
        if not isinstance(response, TextResponse):
            stats.inc_value("watchlist/pages_not_html")
            return
        page = document(response)
        threads = list(self._threads(response, page))
        if not threads:
            stats.inc_value("watchlist/board_pages_without_threads")
        for url, mark in threads:
            if url in self.threads or url in self.requested_urls:  # listed twice (a sticky thread)
                continue
            known = self.memory.get(url)
            if mark is not None and known is not None and known.mark == mark:
                stats.inc_value("watchlist/threads_unchanged")
                continue
            request = self.request(
                url, self.parse_thread, meta={"thread": url, "mark": mark}, priority=THREAD_PRIORITY
            )
            if request is not None:
                self.threads[url] = _Thread(mark=mark)
                yield request
        for url in self._pagination(response, page.root):
            request = self._board_request(url)
            if request is not None:
                yield request

    def _pagination(self, response: TextResponse, root: Any) -> list[str]:
        """The on-site pages this page's pagination leads to; the rest is remembered as seen."""
        here = canonical(response.url.split("#")[0])
        links = (
            canonical(response.urljoin(h)).split("#")[0] for h in self.pagination.to_follow(root)
        )
        follow = [
            url
            for url in dict.fromkeys(links)
            if url != here and url not in self.requested_urls and on_site(url, self.allowed_domains)
        ]
        seen = {canonical(response.urljoin(h)).split("#")[0] for h in self.pagination.seen(root)}
        unrequested = {
            url
            for url in seen.difference(follow, (here,))
            if url not in self.requested_urls and on_site(url, self.allowed_domains)
        }
        self.pagination_unread.saw(here, unrequested)
        return follow

    def _threads(self, response: TextResponse, page: Selector) -> Iterator[tuple[str, str | None]]:
        """(thread URL, mark or None) for each thread a board page lists, once each."""
        sel = self.selectors
        seen: set[str] = set()
        rows: list[Selector] = list(page.css(sel.thread_row)) if sel.thread_row else []
        if not rows:  # no row selector (or no rows): the links alone, without marks
            for link in page.css(sel.thread_links or "a").css("::attr(href)").getall():
                url = canonical(response.urljoin(link))
                if url not in seen:
                    seen.add(url)
                    yield url, None
            return
        for row in rows:
            href: str | None = row.css(sel.thread_links or "a").css("::attr(href)").get()
            if not href:
                continue
            url = canonical(response.urljoin(href))
            if url in seen:
                continue
            seen.add(url)
            yield url, self._mark(row)

    def _mark(self, row: Selector) -> str | None:
        """What a board row shows of its thread's activity, to tell whether it moved.

        An element's machine-readable time (``data-time``, ``datetime``) is read instead of its
        text: "Today at 10:00" becomes "Yesterday at 10:00" without any reply.
        """
        if not self.selectors.thread_mark:
            return None
        parts: list[str] = []
        for element in row.css(self.selectors.thread_mark):
            stamps = element.xpath(".//@data-time | .//@datetime").getall()
            texts = stamps or element.css("::text").getall()
            parts.extend(" ".join(t.split()) for t in texts)
        return " | ".join(p for p in parts if p) or None

    def parse_thread(self, response: Response) -> Iterator[PostItem | ThreadDone | Request]:
        """A thread page: one item per post, then every page of the thread it leads to.

        The thread is done — its mark handed to the store with its last post — once every page
        reached from its first one has been read; a page that could not be requested (page
        budget) or that failed leaves the thread undone, so the next crawl reads it again.
        """
        stats = self.crawler.stats
        if not isinstance(response, TextResponse):
            stats.inc_value("watchlist/pages_not_html")
            return
        page_url = canonical(response.url.split("#")[0])
        key = response.meta.get("thread") or page_url
        thread = self.threads.get(key)
        if thread is None:  # a thread page reached without its board (a start URL, a test)
            meta = response.meta
            thread = _Thread(meta.get("mark"), posts=int(meta.get("thread_posts", 0)))
            self.threads[key] = thread
        page = document(response)
        posts = self.reader.posts(response, page_url, stats, first_page=page_url == key, page=page)
        found = 0
        for post in posts:
            first_page = thread.seen.setdefault(post.key, page_url)
            if first_page != page_url:  # the same post shown again on another page
                stats.inc_value("watchlist/repeated_posts")
                continue
            found += 1
            post.item.thread_url = response.meta.get("thread")
            yield post.item
        if not posts:
            stats.inc_value("watchlist/thread_pages_without_posts")
        thread.posts += found
        for url in self._pagination(response, page.root):
            request = self.request(
                url, self.parse_thread, meta={"thread": key}, priority=THREAD_PRIORITY
            )
            if request is None:
                thread.cut = True
                continue
            thread.pending += 1
            yield request
        thread.pending -= 1
        if thread.pending == 0:  # read: forgotten (a board listing it again finds it requested)
            self.threads.pop(key, None)
            if thread.mark and not thread.cut and response.meta.get("thread"):
                yield ThreadDone(self.config.name, key, thread.mark, thread.posts)

    def request(
        self, url: str, callback: Any, *, meta: dict[str, Any] | None = None, **kwargs: Any
    ) -> Request | None:
        """:meth:`SiteSpider.request`, also telling the unread pagination that ``url`` is asked."""
        request = super().request(url, callback, meta=meta, **kwargs)
        if request is not None:
            self.pagination_unread.requested(url)
        return request

    def closed(self, reason: str) -> None:
        """Count the pages whose pagination led somewhere this crawl never went."""
        unread = self.pagination_unread.unread()
        if unread:
            self.crawler.stats.set_value("watchlist/pagination_not_followed", unread)
        super().closed(reason)


@dataclass(slots=True)
class _Thread:
    """A thread being read: its board mark, its pages still to read, and what they held."""

    mark: str | None
    pending: int = 1  # pages requested and not read yet
    posts: int = 0  # posts yielded
    cut: bool = False  # a page of it could not be requested
    seen: dict[str, str] = field(default_factory=dict)  # a post's key -> the page it was on
