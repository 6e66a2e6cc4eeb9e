"""The config-driven forum spider: board pages → thread pages → posts, incrementally.

``scrapy crawl forum -a site=NAME [-a seeds=DIR]`` or, from code, ``config=SiteConfig``.

A board row's *mark* (``selectors.thread_mark``: reply count, last-post time) is remembered once
all the thread's posts are stored; a re-crawl skips a thread whose row still shows its mark.
Board pages are fetched conditionally (``ETag``/``Last-Modified``, see ``middlewares``): a
``304`` means the board lists nothing new, and the crawl stops paging that board.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

from parsel import Selector
from scrapy.http import Request, Response

from crawlers.items import PostItem, ThreadDone
from crawlers.spiders.base import SiteSpider
from crawlers.text import element_text, image_sources, parse_datetime

NOT_MODIFIED = 304


class ForumSpider(SiteSpider):
    """Crawls one forum site as its config and its engine preset say."""

    name = "forum"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.selectors = self.config.resolved_selectors()

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
        """A board page: follow its threads that moved, then its next page."""
        stats = self.crawler.stats
        if response.status == NOT_MODIFIED:
            stats.inc_value("watchlist/pages_unchanged")
            return
        sel = self.selectors
        threads = list(self._threads(response))
        if not threads:
            stats.inc_value("watchlist/board_pages_without_threads")
        for url, mark in threads:
            known = self.memory.get(url)
            if mark is not None and known is not None and known.mark == mark:
                stats.inc_value("watchlist/threads_unchanged")
                continue
            request = self.request(
                url, self.parse_thread, meta={"thread": url, "mark": mark, "thread_posts": 0}
            )
            if request is not None:
                yield request
        if sel.next_page:
            for href in response.css(sel.next_page).css("::attr(href)").getall()[:1]:
                request = self._board_request(response.urljoin(href))
                if request is not None:
                    yield request

    def _threads(self, response: Response) -> Iterator[tuple[str, str | None]]:
        """(thread URL, mark or None) for each thread a board page lists, once each."""
        sel = self.selectors
        seen: set[str] = set()
        rows: list[Selector] = list(response.css(sel.thread_row)) if sel.thread_row else []
        if not rows:  # no row selector (or no rows): the links alone, without marks
            for link in response.css(sel.thread_links or "a").css("::attr(href)").getall():
                url = str(response.urljoin(link))
                if url not in seen:
                    seen.add(url)
                    yield url, None
            return
        for row in rows:
            href: str | None = row.css(sel.thread_links or "a").css("::attr(href)").get()
            if not href:
                continue
            url = str(response.urljoin(href))
            if url in seen:
                continue
            seen.add(url)
            mark = None
            if sel.thread_mark:
                parts = [
                    " ".join(t.split()) for t in row.css(sel.thread_mark).css("::text").getall()
                ]
                mark = " | ".join(p for p in parts if p) or None
            yield url, mark

    def parse_thread(self, response: Response) -> Iterator[PostItem | ThreadDone | Request]:
        """A thread page: one item per post, then the thread's next page (or its end)."""
        sel = self.selectors
        stats = self.crawler.stats
        thread = response.meta.get("thread")
        title = None
        if sel.title:
            title = " ".join(response.css(sel.title).css("::text").getall()).strip() or None
        found = 0
        for post in response.css(sel.post or ""):
            body = post.css(sel.post_body or "")
            if not body:
                continue
            found += 1
            yield PostItem(
                url=self._permalink(response, post),
                site=self.config.name,
                text=element_text(body[0]),
                title=title,
                author=self._author(post),
                posted_at=self._posted_at(post),
                image_urls=[response.urljoin(src) for src in image_sources(body)],
                thread_url=thread,
            )
        if not found:
            stats.inc_value("watchlist/thread_pages_without_posts")
        posts = int(response.meta.get("thread_posts", 0)) + found
        next_href = response.css(sel.next_page).css("::attr(href)").get() if sel.next_page else None
        if next_href:
            meta = {"thread": thread, "mark": response.meta.get("mark"), "thread_posts": posts}
            request = self.request(response.urljoin(next_href), self.parse_thread, meta=meta)
            if request is not None:
                yield request
                return
        mark = response.meta.get("mark")
        if thread and mark and not next_href:
            yield ThreadDone(self.config.name, thread, mark, posts)

    def _permalink(self, response: Response, post: Selector) -> str:
        """The post's own link: the preset's ``permalink``, else ``#pid`` + the post's id."""
        page_url = response.url.split("#")[0]
        if self.selectors.permalink:
            href = post.css(self.selectors.permalink).css("::attr(href)").get()
            if href:
                return response.urljoin(href.strip())
        element_id = post.attrib.get("id", "")
        anchor = "".join(ch for ch in element_id if ch.isdigit())
        return f"{page_url}#pid{anchor}" if anchor else page_url

    def _author(self, post: Selector) -> str | None:
        if not self.selectors.author:
            return None
        author = " ".join(post.css(self.selectors.author).css("::text").getall()).strip()
        return author or None

    def _posted_at(self, post: Selector) -> Any:
        if not self.selectors.posted_at:
            return None
        stamp = post.css(self.selectors.posted_at)
        # One query, in document order: an element's datetime/title attributes, then its text.
        raw = " ".join(stamp.xpath(".//@datetime | .//@data-time | .//@title | .//text()").getall())
        posted_at = parse_datetime(raw, self.config.timezone)
        if posted_at is None:
            self.crawler.stats.inc_value("watchlist/posts_without_date")
        return posted_at
