"""``watchlist schedule``: each site's crawls on its cron, then the sync (docs/deploy.md)."""

from __future__ import annotations

import logging
import sys
import time
from pathlib import Path
from typing import Annotated

import typer

from watchlist import settings
from watchlist.cli.options import DbOption, store_for
from watchlist.cli.render import console
from watchlist.errors import ConfigError, WatchlistError
from watchlist.sites import all_sites


def register(app: typer.Typer) -> None:
    """Add the commands of this module to ``app``."""
    app.command("schedule")(schedule_command)


def schedule_command(
    once: Annotated[
        bool, typer.Option("--once", help="Run whatever is due now, then exit (cron, timers).")
    ] = False,
    seeds: Annotated[
        Path | None,
        typer.Option("--seeds", help="A folder laid out like seeds/ (configs in DIR/sites/)."),
    ] = None,
    parallel: Annotated[
        int, typer.Option("--parallel", min=1, max=64, help="Crawls at once, at most.")
    ] = 2,
    timeout: Annotated[
        float,
        typer.Option("--timeout", min=1, help="Seconds a crawl may run before it is stopped."),
    ] = 7200.0,
    jitter: Annotated[
        float, typer.Option("--jitter", min=0, help="At most this many seconds added to each run.")
    ] = 120.0,
    default_schedule: Annotated[
        str, typer.Option("--default-schedule", help="The cron of sites without a schedule.")
    ] = "0 */6 * * *",
    grace: Annotated[
        float,
        typer.Option("--grace", min=0, help="Seconds a stopped crawl has before it is killed."),
    ] = 60.0,
    config: Annotated[
        Path | None,
        typer.Option("--config", help="The sync targets (default: watchlist.toml here, if any)."),
    ] = None,
    sync_timeout: Annotated[
        float, typer.Option("--sync-timeout", min=1, help="Seconds a sync may run.")
    ] = 1800.0,
    seconds_resolution: Annotated[
        bool,
        typer.Option(
            "--seconds-resolution",
            hidden=True,
            help="Tests only: a cron's minute field counts seconds, its hour field minutes.",
        ),
    ] = False,
    db: DbOption = None,
) -> None:
    """Crawl each site on its cron (UTC), each crawl in its own process, then sync.

    A site without a schedule runs on --default-schedule (every 6 hours). One run per site at a
    time, --parallel at once, up to --jitter seconds late at random; runs missed while the
    scheduler was down run once at start. After a crawl that found changes, `watchlist sync` to
    every target of watchlist.toml. SIGTERM drains: no new runs, running crawls stop cleanly and
    resume next time; exit 0 with a summary. --once exits 1 when a crawl or a sync failed.

    Example:

        watchlist schedule --seeds seeds --parallel 4

        watchlist schedule --once
    """
    from watchlist.schedule.runner import ScheduleOptions, Scheduler
    from watchlist.schedule.timing import cron_trigger, schedule_of

    seeds_dir = seeds or settings.load().seeds_dir
    sites = all_sites(seeds_dir)
    if not sites:
        raise ConfigError(f"no site configs in {seeds_dir / 'sites'}: nothing to schedule")
    cron_trigger(default_schedule, site="--default-schedule")  # a bad cron fails now
    for site in sites:
        cron_trigger(
            schedule_of(site, default_schedule), seconds=seconds_resolution, site=site.name
        )
    database_url = db or settings.load().database_url
    store_for(database_url, create=True).close()
    targets = _targets_file(config)
    options = ScheduleOptions(
        database_url=database_url,
        seeds_dir=seeds_dir,
        parallel=parallel,
        timeout=timeout,
        grace=grace,
        jitter=0.0 if once else jitter,
        default_schedule=default_schedule,
        sync_config=targets,
        sync_timeout=sync_timeout,
        seconds=seconds_resolution,
    )
    _log_to_stderr()
    log = logging.getLogger("watchlist.schedule")
    if targets is None:
        log.info("no watchlist.toml: crawls are not followed by a sync (nothing to sync)")
    scheduler = Scheduler(sites, options)
    tally = scheduler.once() if once else scheduler.serve()
    console.print(f"schedule: {tally.line()}", markup=False, soft_wrap=True)
    if once and tally.failures:
        raise WatchlistError(f"{tally.failures} crawls or syncs failed or timed out (see the log)")


def _targets_file(config: Path | None) -> Path | None:
    """The targets file the sync will use, checked now (None when there is none)."""
    from watchlist.sync.config import DEFAULT_CONFIG, load_targets

    if config is None and not DEFAULT_CONFIG.exists():
        return None
    path = config or DEFAULT_CONFIG
    load_targets(path)  # a file that cannot be used is one line now, not a failed sync later
    return path.absolute()


def _log_to_stderr() -> None:
    """The scheduler's log: one timestamped (UTC) line per event, on stderr."""
    handler = logging.StreamHandler(sys.stderr)
    formatter = logging.Formatter("%(asctime)s %(levelname)s %(message)s", "%Y-%m-%dT%H:%M:%SZ")
    formatter.converter = time.gmtime
    handler.setFormatter(formatter)
    ours = logging.getLogger("watchlist.schedule")
    ours.addHandler(handler)
    ours.setLevel(logging.INFO)
    ours.propagate = False
    logging.getLogger("apscheduler").setLevel(logging.ERROR)  # we log its events our way
