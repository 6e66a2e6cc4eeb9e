"""``watchlist runs``: the latest crawl runs per site from ``crawl_runs``; ``--health``."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.text import Text

from watchlist import settings
from watchlist.cli.options import DbOption, WideOption, store_for
from watchlist.cli.render import console, inert
from watchlist.cli.tables import Cell, Column, print_fitted
from watchlist.errors import UsageError, WatchlistError

if TYPE_CHECKING:
    from watchlist.schedule.health import SiteRuns
    from watchlist.store.tables import CrawlRun


class Unhealthy(WatchlistError):
    """``--health`` found sites overdue or degraded (exit 1)."""


def register(app: typer.Typer) -> None:
    """Add the commands of this module to ``app``."""
    app.command("runs")(runs_command)


def runs_command(
    site: Annotated[
        str | None,
        typer.Option("--site", help="Only this site (one with runs or a config in the seeds)."),
    ] = None,
    health: Annotated[
        bool,
        typer.Option("--health", help="Exit 1 naming each site overdue or degraded."),
    ] = False,
    seeds: Annotated[
        Path | None,
        typer.Option("--seeds", help="A folder laid out like seeds/ (configs in DIR/sites/)."),
    ] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, help="Runs shown per site.")] = 5,
    default_schedule: Annotated[
        str, typer.Option("--default-schedule", help="The cron of sites without a schedule.")
    ] = "0 */6 * * *",
    seconds_resolution: Annotated[
        bool,
        typer.Option("--seconds-resolution", hidden=True, help="Tests only: as for schedule."),
    ] = False,
    wide: WideOption = False,
    db: DbOption = None,
) -> None:
    """The latest crawl runs of each site: when, how long, pages, posts, new entries, failures.

    --health checks each configured site: overdue (no successful run for twice its cron's
    interval, or never crawled) or degraded (its last run read under a quarter of its usual
    posts per page: a site whose markup changed yields nothing). It names each such site and
    exits 1; monitoring can run it.

    Example:

        watchlist runs --site otc-forum-example

        watchlist runs --health
    """
    from watchlist.schedule.health import site_runs
    from watchlist.sites import all_sites, sites_dir

    seeds_dir = seeds or settings.load().seeds_dir
    site = site.strip().lower() if site is not None else None
    store = store_for(db)
    sites = {s.name: s for s in all_sites(seeds_dir)} if sites_dir(seeds_dir).is_dir() else {}
    found = site_runs(
        store,
        sites,
        datetime.now(UTC),
        only=site,
        limit=limit,
        default_schedule=default_schedule,
        seconds=seconds_resolution,
    )
    store.close()
    if site is not None and not (site in sites or found[0].runs):
        known = ", ".join(sorted(sites)) or "none"
        raise UsageError(f"--site: no site {site!r} has runs or a config (configured: {known})")
    _print_runs(found, wide)
    if not health:
        return
    unhealthy = [entry for entry in found if entry.problems]
    for entry in unhealthy:
        for problem in entry.problems:
            line = inert(f"{entry.site}: {problem}", keep_newlines=False, style="red")
            console.print(line, soft_wrap=True)
    checked = sum(1 for entry in found if entry.configured)
    if unhealthy:
        names = ", ".join(entry.site for entry in unhealthy)
        raise Unhealthy(f"{len(unhealthy)} of {checked} sites unhealthy: {names}")
    console.print(f"health: all {checked} configured sites ok", markup=False)


def _print_runs(found: list[SiteRuns], wide: bool) -> None:
    columns = [
        Column("site", keep=True),
        Column("started (UTC)", keep=True),
        Column("result", keep=True),
        Column("time", rank=2, justify="right"),
        Column("pages", rank=2, justify="right"),
        Column("posts", rank=2, justify="right"),
        Column("new\nentries", rank=3, justify="right"),
        Column("failed", rank=3, justify="right"),
    ]
    rows: list[list[Cell]] = []
    for entry in found:
        if not entry.runs:
            rows.append([inert(entry.site, keep_newlines=False), "-", "never run", *"-----"])
        for run in entry.runs:
            rows.append(_row(entry.site, run))
    if not rows:
        console.print("no crawl runs yet", markup=False)
        return
    print_fitted(console, columns, rows, wide=wide, title="crawl runs")


def _row(site: str, run: CrawlRun) -> list[Cell]:
    seconds = (run.finished_at - run.started_at).total_seconds()
    if run.finish_reason in ("running", "interrupted"):
        result = Text(run.finish_reason, style="yellow")
    else:
        result = Text("ok", style="green") if run.ok else Text("FAILED", style="red")
    return [
        inert(site, keep_newlines=False),
        f"{run.started_at:%Y-%m-%d %H:%M}",
        result,
        _duration(seconds),
        str(run.pages),
        str(run.posts),
        str(run.new_entries),
        str(run.failed_requests),
    ]


def _duration(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.1f}s"
    minutes, secs = divmod(int(seconds), 60)
    if minutes < 60:
        return f"{minutes}m{secs:02d}s"
    return f"{minutes // 60}h{minutes % 60:02d}m"
