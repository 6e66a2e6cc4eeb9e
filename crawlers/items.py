"""What spiders yield, and what the pipelines add to it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from watchlist.store.records import Found


@dataclass(slots=True)
class PostItem:
    """One post as a spider read it.

    The image pipeline fills ``image_payloads`` ((image URL, QR payload) pairs); the extract
    pipeline fills ``found`` and ``otc_score``.
    """

    url: str
    site: str
    text: str
    title: str | None = None
    author: str | None = None
    posted_at: datetime | None = None
    image_urls: list[str] = field(default_factory=list)
    image_payloads: list[tuple[str, str]] = field(default_factory=list)
    found: list[Found] = field(default_factory=list)
    otc_score: float = 0.0
