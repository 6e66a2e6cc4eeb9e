"""Is each site being crawled, and is it still yielding? (``watchlist runs --health``)

Two rules, per configured site (a site with runs in the store but no config has runs, no rule):

- **overdue**: it has not succeeded (a run with ``ok``) for more than twice its interval — the
  longest gap between its cron's fire times (``timing.interval_of``). A site never crawled is
  named too, and so is one whose runs all failed since its first run more than twice its
  interval ago.
- **degraded**: its last successful run that fetched pages read under a quarter of the posts per
  fetched page that its previous successful runs read (their median; up to ten of them). Posts
  *per page* because crawls are incremental: a re-crawl reads only the pages that changed, so
  its posts alone say little; a run whose every page was unchanged (all ``304``) fetched nothing
  and is left out. A site that changed its markup silently still fetches its pages but reads
  nothing from them: that is said in so many words.

Known limit: a run whose only changed pages were board pages (view counts) reads no posts and is
named degraded once; the next run that reads a thread clears it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from statistics import median

from watchlist.schedule.timing import cron_trigger, interval_of, schedule_of
from watchlist.sites import SiteConfig
from watchlist.store.engine import Store
from watchlist.store.run_history import (
    UNFINISHED,
    first_started,
    last_succeeded,
    runs_by_site,
)
from watchlist.store.tables import CrawlRun

BASELINE_RUNS = 10  # previous successful runs whose median is the baseline
SHARP_FALL = 4  # "sharply": below a quarter of the baseline


@dataclass(slots=True)
class SiteRuns:
    """One site's latest runs (newest first) and what is wrong with it, if anything."""

    site: str
    runs: list[CrawlRun]
    configured: bool
    interval: timedelta | None = None
    last_success: datetime | None = None
    problems: list[str] = field(default_factory=list)


def site_runs(
    store: Store,
    sites: dict[str, SiteConfig],
    now: datetime,
    *,
    only: str | None = None,
    limit: int = 5,
    default_schedule: str | None = None,
    seconds: bool = False,
) -> list[SiteRuns]:
    """Every site's (or ``only``'s) latest ``limit`` runs and its health, by site name."""
    history = runs_by_site(store, only, per_site=max(limit, BASELINE_RUNS * 3))
    succeeded = last_succeeded(store)
    first = first_started(store)
    names = sorted((set(sites) | set(history)) if only is None else {only})
    found = []
    for name in names:
        runs = history.get(name, [])
        entry = SiteRuns(name, runs[:limit], name in sites, last_success=succeeded.get(name))
        site = sites.get(name)
        if site is not None:
            cron = schedule_of(site, default_schedule) if default_schedule else schedule_of(site)
            entry.interval = interval_of(cron_trigger(cron, seconds=seconds, site=name), now)
            entry.problems = _overdue(entry, first.get(name), now) + _degraded(name, runs)
        found.append(entry)
    return found


def _overdue(entry: SiteRuns, first: datetime | None, now: datetime) -> list[str]:
    assert entry.interval is not None
    allowed = 2 * entry.interval
    if first is None:
        return ["never crawled"]
    if entry.last_success is None:
        if now - first > allowed:
            return [f"has never succeeded (first run {first:%Y-%m-%d %H:%M} UTC)"]
        return []
    if now - entry.last_success > allowed:
        return [
            f"overdue: no successful run since {entry.last_success:%Y-%m-%d %H:%M} UTC "
            f"(more than twice its interval of {_span(entry.interval)})"
        ]
    return []


def _degraded(name: str, runs: list[CrawlRun]) -> list[str]:
    fetched = [r for r in runs if r.ok and r.pages > 0 and r.finish_reason not in UNFINISHED]
    if len(fetched) < 2:
        return []
    last, previous = fetched[0], fetched[1 : 1 + BASELINE_RUNS]
    usual = median(r.posts / r.pages for r in previous)
    if usual <= 0 or last.posts / last.pages >= usual / SHARP_FALL:
        return []
    if last.posts == 0:
        what = f"its last run fetched {last.pages} pages and read no posts from them"
    else:
        what = f"its last run read {last.posts} posts from {last.pages} pages"
    return [
        f"degraded: {what}, under a quarter of its usual {usual:.1f} per page: has the site "
        f"changed its markup? (try `watchlist sites check {name}`)"
    ]


def _span(delta: timedelta) -> str:
    seconds = int(delta.total_seconds())
    for unit, size in (("d", 86_400), ("h", 3_600), ("m", 60)):
        if seconds >= size and seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"
