"""What a save of sightings sets off, in the same transaction: re-review flags, cluster links.

Both are derived from the posts and sightings, which matter more: if working them out fails
(a bug), the failure is logged with its traceback, rolled back to a savepoint, and the posts are
queued in ``cluster_backlog`` for a later save to link — the posts and sightings are still
stored. A database that cannot be used at all still fails the save.
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from datetime import datetime

from sqlalchemy.exc import InterfaceError, InternalError, OperationalError
from sqlmodel import Session

from watchlist.store import clustering, rereview

log = logging.getLogger(__name__)


def on_sightings_saved(session: Session, post_ids: Collection[int], now: datetime) -> None:
    """After the posts ``post_ids`` were written with their sightings (``seen_at`` = ``now``)."""
    clustering.lock(session)
    try:
        with session.begin_nested():
            rereview.flag_seen_again(session, post_ids, now)
            clustering.link_saved(session, post_ids, now)
    except (OperationalError, InterfaceError, InternalError):
        raise  # the database, not our derived data: the save fails as it would without us
    except Exception:
        log.exception("cluster links and re-review flags of %d posts failed", len(post_ids))
        clustering.defer(session, post_ids)
