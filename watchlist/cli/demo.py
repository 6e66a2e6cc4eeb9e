"""``watchlist demo``: serve the bundled demo sites on loopback, crawl them, show the watchlist."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from typing import Annotated

import typer

from watchlist import settings
from watchlist.cli.crawl import run_crawl
from watchlist.cli.options import MAX_ID, DbOption, store_for
from watchlist.cli.render import console, inert, plural
from watchlist.cli.tables import Column, print_fitted
from watchlist.demo.launch import demo_sites
from watchlist.store import EntryFilter, list_entries
from watchlist.store.queries import evidence_urls, summary


def register(app: typer.Typer) -> None:
    """Add the commands of this module to ``app``."""
    app.command("demo")(demo_command)


def demo_command(
    only: Annotated[
        list[str] | None,
        typer.Option("--site", help="Crawl only this demo site (repeatable), e.g. demo-discuz."),
    ] = None,
    top: Annotated[int, typer.Option(help="How many top entries to list.", min=0, max=MAX_ID)] = 10,
    db: DbOption = None,
) -> None:
    """Start the bundled demo sites on 127.0.0.1, crawl them, and print the watchlist.

    One site of each kind: Discuz!, phpBB, SMF, XenForo and Discourse forums, a JavaScript ad
    site (skipped, with the reason, when no Chromium is found) and a Telegram channel preview,
    each on its own fixed port. Running it again fetches only what changed: nothing.

    Example:

        watchlist demo
    """
    with demo_sites(only, settings.load().chromium_path) as sites:
        for name, why in sites.skipped:
            console.print(f"{name}: skipped: {why}", markup=False)
        for name, base_url in sites.served:
            console.print(f"{name} at {base_url}", markup=False)
        reports = run_crawl(sites.configs, db)
    store = store_for(db)
    totals = summary(store)
    pages = sum(r.pages for r in reports)
    console.print(
        f"\n{plural(pages, 'page')} fetched, {plural(totals.posts, 'post')} stored, "
        f"{plural(totals.entries, 'entry', 'entries')}, {plural(totals.sightings, 'sighting')}",
        markup=False,
    )
    kinds = [[kind, str(count)] for kind, count in totals.entries_by_kind.items()]
    print_fitted(console, [Column("kind"), Column("entries", justify="right")], kinds)
    entries = list_entries(store, EntryFilter(limit=top))
    urls = evidence_urls(store, [e.id for e in entries if e.id is not None])
    console.print(
        f"\ntop {plural(len(entries), 'entry', 'entries')} (score, sightings, one evidence URL):",
        markup=False,
    )
    for entry in entries:
        evidence = urls.get(entry.id or 0, [])
        console.print(inert(f"#{entry.id} {entry.kind} {entry.value}", keep_newlines=False))
        seen = f"    score {entry.score:.2f} · seen {entry.sightings}× · "
        console.print(inert(seen + (evidence[0] if evidence else "-"), keep_newlines=False))
    store.close()
    command = watchlist_command()
    console.print(
        f"\nnext: {command} entries · {command} show ID · {command} confirm ID", markup=False
    )
    if command != "watchlist":
        console.print(
            f"(`watchlist` is not on your PATH: run it as {command}, "
            f"or `source {Path(command).parent}/activate` first)",
            markup=False,
        )


def watchlist_command() -> str:
    """How to run this program from here: ``watchlist`` when it is on PATH, else its path."""
    ours = Path(sys.executable).parent / "watchlist"
    found = shutil.which("watchlist")
    if found is not None and (not ours.exists() or Path(found).resolve() == ours.resolve()):
        return "watchlist"
    if not ours.exists():
        return "watchlist"  # not installed as a script at all: say the name the docs use
    try:
        return str(ours.absolute().relative_to(Path.cwd()))
    except ValueError:
        return str(ours.absolute())
