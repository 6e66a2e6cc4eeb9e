"""The ``crawl_runs`` rows of crawls in progress: opened at the start, closed at the end.

A crawl opens its row before the first request (``finish_reason`` ``running``), refreshes it
while it runs (``finished_at`` is then the last time it was heard of, with its pages and posts
so far) and closes it with its report. A crawl killed midway leaves its row ``running``; the
next crawl to start finds it and, once it knows the crawl's process is gone, marks it
``interrupted`` (``crawlers.run_log`` decides; this module only reads and writes the rows).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Table
from sqlmodel import SQLModel

from watchlist.store.crawl_state import RunRecord
from watchlist.store.engine import Store
from watchlist.store.tables import CrawlRun

RUNS: Table = SQLModel.metadata.tables[CrawlRun.__tablename__]
RUNNING = "running"
INTERRUPTED = "interrupted"
PROCESS = "watchlist/process"  # the stats key naming the process that runs the crawl


@dataclass(frozen=True, slots=True)
class OpenRun:
    """A row still marked running: whose it is and when it was last heard of."""

    id: int
    site: str
    started_at: datetime
    heard_at: datetime
    process: Mapping[str, Any]


def open_run(store: Store, site: str, started_at: datetime, process: Mapping[str, Any]) -> int:
    """Open the row of a crawl of ``site`` run by ``process``; its id."""
    values = {
        "site": site,
        "started_at": started_at,
        "finished_at": started_at,
        "ok": False,
        "finish_reason": RUNNING,
        "problem": "still running",
        "stats": json.dumps({PROCESS: dict(process)}, default=str, sort_keys=True),
    }
    with store.write() as session:
        result = session.execute(RUNS.insert().values(**values).returning(RUNS.c.id))
        return int(result.scalar_one())


def touch_runs(store: Store, progress: Mapping[int, Mapping[str, int]], at: datetime) -> None:
    """Note that the crawls of these rows are alive at ``at``, with their counts so far.

    ``progress``: ``{row id: {"pages": …, "posts": …, …}}`` (columns of ``crawl_runs``).
    """
    with store.write() as session:
        for run_id, counts in progress.items():
            session.execute(
                RUNS.update()
                .where(RUNS.c.id == run_id, RUNS.c.finish_reason == RUNNING)
                .values(finished_at=at, **counts)
            )


def close_run(store: Store, run_id: int, run: RunRecord) -> None:
    """Close an open row with the crawl's report."""
    values = {name: getattr(run, name) for name in RunRecord.__dataclass_fields__}
    values["stats"] = json.dumps(dict(run.stats), default=str, sort_keys=True)
    with store.write() as session:
        session.execute(RUNS.update().where(RUNS.c.id == run_id).values(**values))


def open_runs(store: Store) -> list[OpenRun]:
    """Every row still marked running, oldest first."""
    query = (
        RUNS.select()
        .with_only_columns(
            RUNS.c.id, RUNS.c.site, RUNS.c.started_at, RUNS.c.finished_at, RUNS.c.stats
        )
        .where(RUNS.c.finish_reason == RUNNING)
        .order_by(RUNS.c.id)
    )
    with store.read() as session:
        rows = session.execute(query).all()
    found = []
    for run_id, site, started_at, heard_at, stats in rows:
        try:
            process = json.loads(stats).get(PROCESS) or {}
        except (ValueError, AttributeError):
            process = {}
        found.append(OpenRun(run_id, site, started_at, heard_at, process))
    return found


def interrupt_run(store: Store, run_id: int, problem: str) -> bool:
    """Mark an open row interrupted with ``problem``; False when it was no longer open."""
    with store.write() as session:
        result = session.execute(
            RUNS.update()
            .where(RUNS.c.id == run_id, RUNS.c.finish_reason == RUNNING)
            .values(finish_reason=INTERRUPTED, ok=False, problem=problem)
            .returning(RUNS.c.id)
        )
        return result.first() is not None
