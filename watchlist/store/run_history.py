"""The ``crawl_runs`` log read per site: for ``watchlist schedule`` and ``watchlist runs``.

A run *ran to an end* when it is neither still ``running`` nor ``interrupted`` (stopped by a
signal, a timeout or a kill: the next crawl resumes its work). The scheduler counts a site's
last such run as its last run, so a crawl that a drain or a timeout stopped is due again at once.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Table, func, select
from sqlmodel import SQLModel, col

from watchlist.store.engine import Store
from watchlist.store.runs import INTERRUPTED, RUNNING
from watchlist.store.tables import CrawlRun

RUNS: Table = SQLModel.metadata.tables[CrawlRun.__tablename__]
UNFINISHED = (RUNNING, INTERRUPTED)


def last_started(store: Store) -> dict[str, datetime]:
    """``{site: start of its newest run that ran to an end}``."""
    query = (
        select(RUNS.c.site, func.max(RUNS.c.started_at))
        .where(RUNS.c.finish_reason.not_in(UNFINISHED))
        .group_by(RUNS.c.site)
    )
    with store.read() as session:
        return {site: started for site, started in session.execute(query)}


def last_succeeded(store: Store) -> dict[str, datetime]:
    """``{site: end of its newest successful run}`` (sites that never succeeded are absent)."""
    query = (
        select(RUNS.c.site, func.max(RUNS.c.finished_at))
        .where(RUNS.c.ok.is_(True))
        .group_by(RUNS.c.site)
    )
    with store.read() as session:
        return {site: finished for site, finished in session.execute(query)}


def first_started(store: Store) -> dict[str, datetime]:
    """``{site: start of its first run}``."""
    query = select(RUNS.c.site, func.min(RUNS.c.started_at)).group_by(RUNS.c.site)
    with store.read() as session:
        return {site: started for site, started in session.execute(query)}


def runs_by_site(
    store: Store, site: str | None = None, per_site: int = 10
) -> dict[str, list[CrawlRun]]:
    """The newest ``per_site`` runs of each site (or of ``site``), newest first, by site name."""
    ranked = select(
        RUNS.c.id,
        func.row_number().over(partition_by=RUNS.c.site, order_by=RUNS.c.id.desc()).label("n"),
    )
    if site is not None:
        ranked = ranked.where(RUNS.c.site == site)
    newest = ranked.subquery()
    query = (
        select(CrawlRun)
        .join(newest, newest.c.id == col(CrawlRun.id))
        .where(newest.c.n <= per_site)
        .order_by(col(CrawlRun.site), col(CrawlRun.id).desc())
    )
    found: dict[str, list[CrawlRun]] = {}
    with store.read() as session:
        for run in session.execute(query).scalars():
            found.setdefault(run.site, []).append(run)
    return found
