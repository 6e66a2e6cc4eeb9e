"""``watchlist export``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from watchlist import export as exporter
from watchlist.cli.options import DbOption, KindOption, SiteOption, StatusOption, store_for
from watchlist.cli.render import err_console
from watchlist.store import EntryFilter


def register(app: typer.Typer) -> None:
    """Add the commands of this module to ``app``."""
    app.command("export")(export_command)


def export_command(
    fmt: Annotated[
        str, typer.Option("--format", "-f", help="csv, json, ndjson (stix and misp: not yet).")
    ] = "csv",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write here instead of stdout.")
    ] = None,
    status: StatusOption = None,
    kind: KindOption = None,
    site: SiteOption = None,
    db: DbOption = None,
) -> None:
    """Export the watchlist, filtered like `entries`.

    Example:

        watchlist export --format csv --status confirmed -o watchlist.csv
    """
    store = store_for(db)
    where = EntryFilter(status=status, kind=kind, site=site)
    if output is None:
        exporter.export(store, fmt, where, sys.stdout)
        return
    tmp = output.with_name(output.name + ".part")
    with tmp.open("w", encoding="utf-8", newline="") as out:
        count = exporter.export(store, fmt, where, out)
    tmp.replace(output)
    err_console.print(f"{count} entries written to {output}", markup=False)
