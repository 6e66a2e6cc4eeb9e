"""A crawl's memory of its site: the one seam between a crawl and the store.

What earlier crawls left — thread marks and page validators (``page_states``), the posts
already stored — is read once when the crawl starts; what this crawl learns is written
through it: posts and thread marks by the store pipeline (:mod:`crawlers.pipelines`), in one
transaction each batch; validators when the crawl finishes having read all it was shown.
Spiders, middlewares and pipelines are handed the crawl's :class:`CrawlMemory` (``spider.memory``)
and never open a store of their own. The runner makes one store per database URL for all the
sites of a crawl, and one memory per site.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from watchlist.store import (
    IngestResult,
    PageMemory,
    PostRecord,
    Store,
    known_post_urls,
    page_memory,
    save_posts,
    save_validators,
)
from watchlist.store.storable import stored_url


class CrawlMemory:
    """One site's crawl memory (see the module docstring); ``store`` None: nothing remembered."""

    def __init__(self, store: Store | None, site: str) -> None:
        self.store = store
        self.site = site
        self.pages: dict[str, PageMemory] = page_memory(store, site) if store else {}
        self.validators: dict[str, tuple[str, str]] = {}  # url -> (etag, last_modified) seen now

    def get(self, url: str) -> PageMemory | None:
        """What earlier crawls remember of the page at ``url``."""
        return self.pages.get(stored_url(url))

    def known_posts(self, urls: Iterable[str]) -> set[str]:
        """Which of ``urls`` are stored posts."""
        return known_post_urls(self.store, urls) if self.store is not None else set()

    def saw_validators(self, url: str, etag: str, last_modified: str) -> None:
        """Keep a page's ``ETag`` / ``Last-Modified`` until the crawl is known to be whole."""
        self.validators[url] = (etag, last_modified)

    def save(
        self, posts: Sequence[PostRecord], marks: Mapping[str, Mapping[str, str]]
    ) -> IngestResult:
        """Store ``posts`` and thread ``marks`` in one transaction."""
        if self.store is None:
            raise RuntimeError("this crawl memory has no store")
        return save_posts(self.store, posts, marks)

    def save_validators(self) -> int:
        """Remember the validators seen (the crawl read everything); how many."""
        if self.store is not None and self.validators:
            save_validators(self.store, self.site, self.validators)
        return len(self.validators)

    def __repr__(self) -> str:
        where: Any = self.store.dialect if self.store else None
        return f"CrawlMemory({self.site!r}, {where}, {len(self.pages)} pages)"
