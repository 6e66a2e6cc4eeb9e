"""``watchlist worker``: one worker of crawls that share their frontier through Redis."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from watchlist import settings
from watchlist.cli.crawl import INTERRUPTED, print_reports
from watchlist.cli.options import DbOption, store_for
from watchlist.cli.render import console, inert, plural
from watchlist.errors import ConfigError, CrawlError, Interrupted
from watchlist.sites import all_sites, find_site


def register(app: typer.Typer) -> None:
    """Add the commands of this module to ``app``."""
    app.command("worker")(worker_command)


def worker_command(
    site: Annotated[
        list[str] | None,
        typer.Option("--site", help="A site in seeds/sites/ (repeat it); default: every site."),
    ] = None,
    seeds: Annotated[
        Path | None,
        typer.Option("--seeds", help="A folder laid out like seeds/ (configs in DIR/sites/)."),
    ] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Show Scrapy's log.")] = False,
    db: DbOption = None,
) -> None:
    """Work on the crawls of sites together with other workers, through WATCHLIST_REDIS_URL.

    Start as many as you like, on any machines that reach the same Redis and the same
    database (WATCHLIST_DB, PostgreSQL for more than one machine). The first worker seeds
    each site's crawl; every worker exits by itself once the crawl is complete, and the crawl
    is recorded once in crawl_runs. A worker that dies has its requests taken over by the
    others. Exits 2 without WATCHLIST_REDIS_URL, 1 when this worker's share failed.

    Example:

        WATCHLIST_REDIS_URL=redis://10.0.0.5:6379/0 watchlist worker --site otc-forum-example
    """
    env = settings.load()
    if not env.redis_url:
        raise ConfigError("set WATCHLIST_REDIS_URL (redis://HOST:6379/0) to run workers")
    seeds_dir = seeds or env.seeds_dir
    sites = [find_site(name, seeds_dir) for name in site] if site else all_sites(seeds_dir)
    if not sites:
        raise ConfigError(f"no site configs in {seeds_dir / 'sites'}")
    database_url = db or env.database_url
    store_for(database_url, create=True).close()
    try:
        from crawlers.workers import work_sites  # Scrapy is imported only when crawling

        done = work_sites(
            sites,
            database_url,
            env.redis_url,
            prefix=env.redis_prefix,
            log_level="INFO" if verbose else "WARNING",
        )
    except KeyboardInterrupt as exc:
        raise Interrupted(INTERRUPTED) from exc
    print_reports([d.report for d in done])
    for d in done:
        if d.total is None:
            continue
        t = d.total
        line = (
            f"{t.site}: crawl complete across {plural(d.workers, 'worker')} · "
            f"{plural(t.pages, 'page')}, {plural(t.posts, 'post')} ({t.new_posts} new), "
            f"{plural(t.new_entries, 'new entry', 'new entries')}, "
            f"{plural(t.failed_requests, 'failed request')} (crawl_runs #{d.run_id})"
        )
        console.print(inert(line, keep_newlines=False), soft_wrap=False)
    failed = [d.report.site for d in done if not d.report.ok and not d.report.skipped]
    if failed:
        raise CrawlError(f"this worker's share failed for {', '.join(failed)}")
