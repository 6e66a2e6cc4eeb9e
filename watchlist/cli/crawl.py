"""``watchlist crawl`` and ``watchlist demo``: the only CLI commands that start Scrapy."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from watchlist import settings
from watchlist.cli.options import DbOption, store_for
from watchlist.cli.render import console, err_console, inert
from watchlist.errors import ConfigError, CrawlError
from watchlist.sites import SiteConfig, all_sites, find_site

if TYPE_CHECKING:
    from crawlers.runner import CrawlReport


def register(app: typer.Typer) -> None:
    """Add the commands of this module to ``app``."""
    app.command("crawl")(crawl_command)
    from watchlist.cli.demo import demo_command

    app.command("demo")(demo_command)


def crawl_command(
    names: Annotated[
        list[str] | None, typer.Argument(metavar="NAME...", help="Sites in seeds/sites/.")
    ] = None,
    all_: Annotated[bool, typer.Option("--all", help="Crawl every site in the seeds.")] = False,
    seeds: Annotated[
        Path | None,
        typer.Option("--seeds", help="A folder laid out like seeds/ (configs in DIR/sites/)."),
    ] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Show Scrapy's log.")] = False,
    db: DbOption = None,
) -> None:
    """Crawl sites, extract their handles and store them, with a progress line and a summary.

    Exits 2 on a bad site config, 1 when a crawl fails or most of its requests fail.

    Example:

        watchlist crawl otc-forum-example
    """
    seeds_dir = seeds or settings.load().seeds_dir
    if all_ and names:
        raise ConfigError("name sites or pass --all, not both")
    if all_:
        sites = all_sites(seeds_dir)
    elif names:
        sites = [find_site(name, seeds_dir) for name in names]
    else:
        raise ConfigError("name the sites to crawl, or pass --all")
    run_crawl(sites, db, verbose)


def run_crawl(sites: list[SiteConfig], db: str | None, verbose: bool = False) -> list[CrawlReport]:
    """Crawl ``sites`` into the store with a live progress line; print and check the summary."""
    database_url = db or settings.load().database_url
    store_for(database_url).close()  # migrate now: a bad database fails before any request
    from crawlers.runner import crawl_sites  # Scrapy is imported only when crawling

    with err_console.status("crawling…") as status:
        reports = crawl_sites(
            sites,
            database_url,
            on_progress=lambda p: status.update(
                f"crawling {len(sites)} site(s): {p.pages} pages, {p.posts} posts, "
                f"{p.failed} errors, {p.elapsed:.0f}s"
            ),
            log_level="INFO" if verbose else "WARNING",
        )
    print_reports(reports)
    failed = [r for r in reports if not r.ok]
    if failed:
        names = ", ".join(r.site for r in failed)
        raise CrawlError(f"crawl failed for {names}")
    return reports


def print_reports(reports: list[CrawlReport]) -> None:
    """The crawl summary: one line per site, then the reason of each failure."""
    for r in reports:
        result = "ok" if r.ok else "FAILED"
        line = (
            f"{r.site}: {result} · {r.pages} pages, {r.posts} posts ({r.new_posts} new), "
            f"{r.new_entries} new entries, {r.new_sightings} new sightings, "
            f"{r.failed_requests} failed requests, {r.elapsed:.1f}s"
        )
        if r.images:
            line += (
                f"; {r.images} images: {r.qr_codes} QR codes decoded, "
                f"{r.images_unreadable} unreadable or over the pixel cap"
            )
        console.print(inert(line, keep_newlines=False, style="" if r.ok else "red"))
        if not r.ok:
            reason = r.last_error or f"finish reason {r.finish_reason}, {r.errors} errors logged"
            console.print(inert(f"  error: {reason}", keep_newlines=False, style="red"))
