"""Where a page goes on: the links a crawl follows, and the pagination it would leave unread.

- With a ``next_page`` selector, every link it matches is followed (a paginator of previous,
  page numbers and next: all of them; the crawl's own bookkeeping skips pages already read).
- Without one, ``<link rel="next">``, ``<a rel="next">`` and the links of the usual pagination
  markup of forum and blog engines are followed (:data:`USUAL_PAGINATION`: ``.pagination``,
  ``.page-numbers``, ``.paginator``, ``.pageNav``, WordPress's query and comment pagination …;
  never a blog's links to the previous or next *article*).
- Pagination that the crawl does not follow is still *seen* (a ``next_page`` selector that
  misses some of it): at the end of a crawl each page whose pagination links were never
  requested is counted (``watchlist/pagination_not_followed``): a crawl never reads 10 of 60
  posts and says nothing. :class:`UnreadPagination` holds those pages only while one of their
  links is still unrequested, so it does not grow with a crawl that does reach every page.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from lxml import etree
from parsel.csstranslator import css2xpath

# Paginators as engines and themes render them: links inside an element with one of these
# classes (or a ``nav`` labelled pagination), links with one of the classes themselves, and
# rel=next. Links to the previous/next *article* (a blog's post navigation) are not pages.
_CONTAINER_CLASSES = (
    "pagination",
    "pager",
    "paginator",
    "paging",
    "pages",
    "page-numbers",
    "pageNav",
    "pagenav",
    "pg",
    "nav-links",
    "wp-block-query-pagination",
    "wp-block-comments-pagination",
    "comment-navigation",
    "comments-pagination",
)
_LINK_CLASSES = ("page-numbers", "page-link")
USUAL_PAGINATION = ", ".join(
    [f".{c} a" for c in _CONTAINER_CLASSES]
    + [f"a.{c}" for c in _LINK_CLASSES]
    + ["nav[aria-label*='agination'] a", "a[rel~='next']"]
)  # the same rule as CSS, for the docs


def _has_class(names: tuple[str, ...]) -> str:
    return " or ".join(
        f"contains(concat(' ', normalize-space(@class), ' '), ' {n} ')" for n in names
    )


# Cheap substring tests first (most elements have no such class), the exact class test after.
_CONTAINERS = (
    "//*[contains(@class, 'pag') or contains(@class, 'Pag') or contains(@class, 'pg')"
    f" or contains(@class, 'nav')][{_has_class(_CONTAINER_CLASSES)}]//a"
)
_LINKS = f"//a[contains(@class, 'page')][{_has_class(_LINK_CLASSES)}]"
_NAV = "//nav[contains(@aria-label, 'agination')]//a"
_A_REL_NEXT = (
    "//a[contains(@rel, 'next')][contains(concat(' ', normalize-space(@rel), ' '), ' next ')]"
)
_USUAL = (
    f"({_CONTAINERS} | {_LINKS} | {_NAV} | {_A_REL_NEXT})"
    "[not(ancestor::*[contains(@class, 'post-navigation')])]/@href"
)
_REL_NEXT = "//link[contains(concat(' ', normalize-space(@rel), ' '), ' next ')]/@href"


@dataclass(frozen=True, slots=True)
class Pagination:
    """Compiled queries for one site's pagination."""

    follow: Any  # XPath: hrefs to follow
    usual: Any  # XPath: hrefs of pagination the crawl should at least see

    @classmethod
    def of(cls, next_page: str | None) -> Pagination:
        usual = f"{_USUAL} | {_REL_NEXT}"
        follow = f"({css2xpath(next_page)})/@href" if next_page else usual
        return cls(
            follow=etree.XPath(follow, smart_strings=False),
            usual=etree.XPath(usual, smart_strings=False),
        )

    def to_follow(self, root: Any) -> list[str]:
        """The hrefs to follow on a page (its lxml root), in order, once each."""
        return _hrefs(self.follow(root))

    def seen(self, root: Any) -> list[str]:
        """The hrefs of every pagination link the page shows."""
        return _hrefs(self.usual(root))


def _hrefs(values: list[Any]) -> list[str]:
    hrefs = (str(v).strip() for v in values)
    return list(dict.fromkeys(h for h in hrefs if h and not h.startswith(("#", "javascript:"))))


class UnreadPagination:
    """The pages whose pagination showed links not requested yet, each with those links.

    :meth:`saw` records a page's links that were not requested when it was read (a page read
    again replaces what it showed before, unless it now shows none); :meth:`requested` is told
    of every URL the crawl asks for and forgets a page once all its links have been asked for.
    :meth:`unread` is then, at any time, the number of pages with a link never requested —
    the same count as keeping every page's links to the end and checking them then.
    """

    __slots__ = ("_pages", "_waiting")

    def __init__(self) -> None:
        self._pages: dict[str, set[str]] = {}  # page -> its links not requested yet
        self._waiting: dict[str, set[str]] = {}  # link -> the pages showing it

    def saw(self, page: str, links: Collection[str]) -> None:
        """``page`` shows pagination ``links``, none of them requested yet."""
        if not links:
            return
        for link in self._pages.pop(page, ()):
            self._unlink(link, page)
        self._pages[page] = set(links)
        for link in links:
            self._waiting.setdefault(link, set()).add(page)

    def requested(self, url: str) -> None:
        """The crawl asked for ``url``: no page waits for it any more."""
        for page in self._waiting.pop(url, ()):
            links = self._pages[page]
            links.discard(url)
            if not links:
                del self._pages[page]

    def unread(self) -> int:
        """How many pages show a pagination link that was never requested."""
        return len(self._pages)

    def links(self) -> set[str]:
        """The links not requested yet that some page shows."""
        return set(self._waiting)

    def _unlink(self, link: str, page: str) -> None:
        pages = self._waiting.get(link)
        if pages is not None:
            pages.discard(page)
            if not pages:
                del self._waiting[link]
