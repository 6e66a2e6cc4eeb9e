"""What a save of sightings sets off, in the same transaction: cluster links, re-review flags."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlmodel import Session

from watchlist.store import clustering, rereview


def on_sightings_saved(session: Session, post_ids: Collection[int], now: datetime) -> None:
    """After the posts ``post_ids`` were written with their sightings (``seen_at`` = ``now``)."""
    clustering.lock(session)
    rereview.flag_seen_again(session, post_ids, now)
    clustering.link_saved(session, post_ids, now)
