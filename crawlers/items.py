"""What spiders yield."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from watchlist.extract.model import Extraction


@dataclass(slots=True)
class PostItem:
    """One post as a spider read it; ``extraction`` is filled by the extract pipeline."""

    url: str
    site: str
    text: str
    title: str | None = None
    author: str | None = None
    posted_at: datetime | None = None
    image_urls: list[str] = field(default_factory=list)
    extraction: Extraction | None = None
