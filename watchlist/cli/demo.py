"""``watchlist demo``: serve the bundled demo forum on loopback, crawl it, show the watchlist."""

from __future__ import annotations

from contextlib import ExitStack
from typing import Annotated

import typer
from rich.table import Table

from watchlist.cli.crawl import run_crawl
from watchlist.cli.options import DbOption, store_for
from watchlist.cli.render import console, inert
from watchlist.demo import World, serve
from watchlist.demo.site import demo_site
from watchlist.errors import WatchlistError
from watchlist.store import EntryFilter, list_entries
from watchlist.store.queries import evidence_urls, summary

DEMO_PORT = 8765


def demo_command(
    port: Annotated[
        int, typer.Option(help="Loopback port of the demo forum (fixed, so re-runs match).")
    ] = DEMO_PORT,
    seed: Annotated[int, typer.Option(help="Seed of the generated demo world.")] = 7,
    top: Annotated[int, typer.Option(help="How many top entries to list.")] = 10,
    db: DbOption = None,
) -> None:
    """Start the bundled demo forum on 127.0.0.1, crawl it, and print the watchlist.

    Running it again re-crawls the same pages and adds no duplicate sighting.

    Example:

        watchlist demo
    """
    world = World(seed=seed)
    with ExitStack() as stack:
        try:
            running = stack.enter_context(serve(world, host="127.0.0.1", port=port))
        except OSError as exc:
            raise WatchlistError(
                f"cannot serve the demo forum on 127.0.0.1:{port}: {exc.strerror} (try --port)"
            ) from exc
        console.print(f"demo forum at {running.base_url}/forum.php", markup=False)
        reports = run_crawl([demo_site(world, running.base_url)], db)
    store = store_for(db)
    totals = summary(store)
    pages = sum(r.pages for r in reports)
    console.print(
        f"\n{pages} pages fetched, {totals.posts} posts stored, {totals.entries} entries, "
        f"{totals.sightings} sightings",
        markup=False,
    )
    kinds = Table("kind", "entries")
    for kind, count in totals.entries_by_kind.items():
        kinds.add_row(kind, str(count))
    console.print(kinds)
    entries = list_entries(store, EntryFilter(limit=top))
    urls = evidence_urls(store, [e.id for e in entries if e.id is not None])
    console.print(
        f"\ntop {len(entries)} entries (score, sightings, one evidence URL):", markup=False
    )
    for entry in entries:
        evidence = urls.get(entry.id or 0, [])
        line = f"#{entry.id} {entry.kind} {entry.value}"
        line += f"  score {entry.score:.2f}, seen {entry.sightings}x"
        console.print(inert(line, keep_newlines=False))
        console.print(inert(f"    {evidence[0] if evidence else '-'}", keep_newlines=False))
    store.close()
    console.print(
        "\nnext: watchlist entries · watchlist show ID · watchlist confirm ID", markup=False
    )
