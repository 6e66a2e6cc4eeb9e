"""``watchlist crawl``: with ``watchlist demo``, which calls it, the only way to start Scrapy."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.progress import BarColumn, TextColumn, TimeElapsedColumn
from rich.progress import Progress as RichProgress
from rich.text import Text

from watchlist import settings
from watchlist.cli.options import DbOption, store_for
from watchlist.cli.render import console, err_console, inert, plural
from watchlist.cli.tables import Cell, Column, print_fitted
from watchlist.errors import ConfigError, CrawlError, Interrupted
from watchlist.sites import SiteConfig, all_sites, find_site

if TYPE_CHECKING:
    from crawlers.runner import CrawlReport, Progress


def register(app: typer.Typer) -> None:
    """Add the commands of this module to ``app``."""
    app.command("crawl")(crawl_command)


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
    """Crawl ``sites`` into the store with live progress bars; print and check the summary."""
    database_url = db or settings.load().database_url
    # Create or migrate now: a bad database fails before any request, a new one is said.
    store_for(database_url, create=True).close()
    try:
        from crawlers.runner import crawl_sites  # Scrapy is imported only when crawling

        with crawl_progress(sites) as on_progress:
            reports = crawl_sites(
                sites,
                database_url,
                on_progress=on_progress,
                log_level="INFO" if verbose else "WARNING",
            )
    except KeyboardInterrupt as exc:  # Ctrl-C before the crawl took the signal over
        raise Interrupted(INTERRUPTED) from exc
    print_reports(reports)
    failed = [r.site for r in reports if not r.ok and not r.skipped]
    skipped = [r.site for r in reports if r.skipped]
    if failed or skipped:
        parts = [f"crawl failed for {', '.join(failed)}"] if failed else []
        parts += [f"skipped {', '.join(skipped)} (could not be crawled)"] if skipped else []
        raise CrawlError("; ".join(parts))
    return reports


@contextmanager
def crawl_progress(sites: list[SiteConfig]) -> Iterator[Callable[[Progress], None]]:
    """A progress bar per site on stderr while the crawl runs; yields the update callback.

    Only on a terminal: into a pipe or a file, bars would leave nothing but blank lines.
    """
    if not err_console.is_terminal:
        yield lambda _progress: None
        return
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn(
            "{task.fields[pages]} pages · {task.fields[unchanged]} unchanged · "
            "{task.fields[posts]} posts · {task.fields[failed]} failed"
        ),
        TimeElapsedColumn(),
    )
    with RichProgress(*columns, console=err_console, transient=True) as bars:
        tasks = {
            site.name: bars.add_task(
                inert(site.name, keep_newlines=False).plain,
                total=1,
                pages=0,
                unchanged=0,
                posts=0,
                failed=0,
            )
            for site in sites
        }

        def update(progress: Progress) -> None:
            for name, site in progress.sites.items():
                bars.update(
                    tasks[name],
                    completed=site.settled,
                    total=max(site.requested, 1),
                    pages=site.pages,
                    unchanged=site.unchanged,
                    posts=site.posts,
                    failed=site.failed,
                )

        yield update


INTERRUPTED = "interrupted — run again to resume"
RESULT_STYLE = {"ok": "green", "warning": "yellow", "skipped": "yellow"}


def print_failures(reports: list[CrawlReport]) -> None:
    """One line per class of failed or refused requests of each site, on stderr."""
    for r in reports:
        for line in r.failure_lines():
            err_console.print(inert(f"{r.site}: {line}", keep_newlines=False, style="yellow"))


def print_reports(reports: list[CrawlReport]) -> None:
    """The crawl summary: a table with a row per site, then the reason of each failure.

    Before it, on stderr, one line per class of failed requests (Scrapy's own per-request
    lines show only with ``-v``); under each failed site, one line per error of our own code.
    """
    print_failures(reports)
    columns = [
        Column("site", keep=True),
        Column("result", keep=True),
        Column("pages", rank=2, justify="right"),
        Column("unchanged", rank=4, justify="right"),
        Column("posts", rank=2, justify="right"),
        Column("new\nposts", rank=3, justify="right"),
        Column("new\nentries", rank=3, justify="right"),
        Column("failed", rank=3, justify="right"),
        Column("time", rank=5, justify="right"),
    ]
    rows: list[list[Cell]] = [
        [
            inert(r.site, keep_newlines=False),
            Text(r.result, style=RESULT_STYLE.get(r.result, "red")),
            str(r.pages),
            str(r.unchanged),
            str(r.posts),
            str(r.new_posts),
            str(r.new_entries),
            str(r.failed_requests),
            f"{r.elapsed:.1f}s",
        ]
        for r in reports
    ]
    print_fitted(console, columns, rows, title="crawl summary")
    for r in reports:
        if r.skipped:
            skipped = f"{r.site}: skipped · {r.skipped}"
            console.print(inert(skipped, keep_newlines=False, style="yellow"))
            continue
        line = (
            f"{r.site}: {r.result} · {plural(r.pages, 'page')}, {r.unchanged} unchanged, "
            f"{plural(r.posts, 'post')} ({r.new_posts} new), "
            f"{plural(r.new_entries, 'new entry', 'new entries')}, "
            f"{plural(r.new_sightings, 'new sighting')}, "
            f"{plural(r.failed_requests, 'failed request')}"
        )
        quality = [
            plural(n, one, many)
            for n, one, many in (
                (r.count("posts_without_date"), "post without a date", "posts without a date"),
                (
                    r.count("posts_without_author"),
                    "post without an author",
                    "posts without an author",
                ),
                (r.count("permalink_collisions"), "permalink collision", None),
                (r.count("repeated_posts"), "repeated post skipped", "repeated posts skipped"),
                (
                    r.count("posts_unreadable"),
                    "post that could not be read",
                    "posts that could not be read",
                ),
                (
                    r.count("posts_set_aside"),
                    "post refused by the store",
                    "posts refused by the store",
                ),
                (
                    r.count("pagination_not_followed"),
                    "page with pagination not followed",
                    "pages with pagination not followed",
                ),
                (
                    r.count("private_address_refused"),
                    "request refused (private address)",
                    "requests refused (private address)",
                ),
            )
            if n
        ]
        if quality:
            line += "; " + ", ".join(quality)
        if r.images:
            line += (
                f"; {plural(r.images, 'image')}: {plural(r.qr_codes, 'QR code')} decoded, "
                f"{r.images_unreadable} unreadable or over the pixel cap"
            )
        console.print(
            inert(line, keep_newlines=False, style="" if r.ok else "red"), soft_wrap=False
        )
        if not r.ok:
            reason = r.problem or "unknown"
            if r.last_error and not r.errors:
                reason += f"; last error: {r.last_error}"
            console.print(inert(f"  error: {reason}", keep_newlines=False, style="red"))
        for error in r.error_lines:
            console.print(inert(f"  error: {error}", keep_newlines=False, style="red"))
        if r.error_lines:
            console.print("  (crawl again with -v for the tracebacks)", markup=False)
        for warning in r.warnings:
            console.print(inert(f"  warning: {warning}", keep_newlines=False, style="yellow"))
        for note in r.notes:
            console.print(inert(f"  note: {note}", keep_newlines=False))
