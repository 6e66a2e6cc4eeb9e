"""What spiders yield, and what the pipelines add to it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from watchlist.store.records import Found


@dataclass(slots=True)
class PostItem:
    """One post as a spider read it.

    ``thread_url``: the thread (topic, channel page) the post was read from, when the spider
    remembers threads between crawls (see :class:`ThreadDone`). The image pipeline fills
    ``image_payloads`` ((image URL, QR payload) pairs); the extract pipeline fills ``found``
    and ``otc_score``.
    """

    url: str
    site: str
    text: str
    title: str | None = None
    author: str | None = None
    posted_at: datetime | None = None
    image_urls: list[str] = field(default_factory=list)
    thread_url: str | None = None
    image_payloads: list[tuple[str, str]] = field(default_factory=list)
    found: list[Found] = field(default_factory=list)
    otc_score: float = 0.0


@dataclass(slots=True)
class ThreadDone:
    """Every post of a thread has been yielded: ``posts`` PostItems with this ``thread_url``.

    The store pipeline saves ``mark`` (what the board showed of the thread) in the same
    transaction as the last of those posts, so the next crawl skips the thread only if none of
    its posts was lost — even when the crawl is killed.
    """

    site: str
    thread_url: str
    mark: str
    posts: int
