"""``watchlist demo``: serve the bundled demo sites on loopback, crawl them, show the watchlist."""

from __future__ import annotations

from contextlib import ExitStack
from typing import Annotated

import typer
from rich.table import Table

from watchlist.cli.crawl import run_crawl
from watchlist.cli.options import DbOption, store_for
from watchlist.cli.render import console, inert
from watchlist.demo import serve
from watchlist.demo.catalog import CATALOG
from watchlist.errors import WatchlistError
from watchlist.sites import SiteConfig
from watchlist.store import EntryFilter, list_entries
from watchlist.store.queries import evidence_urls, summary


def demo_command(
    only: Annotated[
        list[str] | None,
        typer.Option("--site", help="Crawl only this demo site (repeatable), e.g. demo-discuz."),
    ] = None,
    top: Annotated[int, typer.Option(help="How many top entries to list.")] = 10,
    db: DbOption = None,
) -> None:
    """Start the bundled demo sites on 127.0.0.1, crawl them, and print the watchlist.

    One site of each kind: Discuz!, phpBB, SMF, XenForo and Discourse forums, a JavaScript ad
    site (skipped, with the reason, when no Chromium is found) and a Telegram channel preview,
    each on its own fixed port. Running it again fetches only what changed: nothing.

    Example:

        watchlist demo
    """
    from watchlist.browser import find_chromium
    from watchlist.settings import load as load_settings

    specs = [s for s in CATALOG if not only or s.name in only]
    unknown = set(only or ()) - {s.name for s in CATALOG}
    if unknown:
        names = ", ".join(s.name for s in CATALOG)
        raise WatchlistError(f"no demo site {', '.join(sorted(unknown))}; demo sites: {names}")
    configs: list[SiteConfig] = []
    with ExitStack() as stack:
        for spec in specs:
            if spec.needs_browser:
                found = find_chromium(load_settings().chromium_path)
                if found.path is None:
                    console.print(f"{spec.name}: skipped: {found.reason}", markup=False)
                    continue
            try:
                running = stack.enter_context(
                    serve(spec.site(f"http://127.0.0.1:{spec.port}"), port=spec.port)
                )
            except OSError as exc:
                raise WatchlistError(
                    f"cannot serve {spec.name} on 127.0.0.1:{spec.port}: {exc.strerror}"
                ) from exc
            console.print(f"{spec.name} at {running.base_url}", markup=False)
            configs.append(spec.config(running.base_url))
        reports = run_crawl(configs, db)
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
