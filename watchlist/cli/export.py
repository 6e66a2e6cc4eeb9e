"""``watchlist export``."""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, TextIO, cast

import typer

from watchlist import export as exporter
from watchlist.cli.options import (
    ClusterOption,
    DbOption,
    KindOption,
    SiteOption,
    StatusOption,
    store_for,
)
from watchlist.cli.render import err_console
from watchlist.errors import WatchlistError
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
    cluster: ClusterOption = None,
    db: DbOption = None,
) -> None:
    """Export the watchlist, filtered like `entries`.

    To a terminal every cell is neutralized (escape sequences shown, never run); files keep the
    data exact, with URLs percent-encoded and JSON strings \\u-escaped where they hold controls.

    Example:

        watchlist export --format csv --status confirmed -o watchlist.csv
    """
    store = store_for(db)
    where = EntryFilter(status=status, kind=kind, site=site, cluster=cluster)
    if output is None:
        exporter.export(store, fmt, where, sys.stdout, terminal=sys.stdout.isatty())
        return
    count = write_file(output, lambda out: exporter.export(store, fmt, where, out))
    err_console.print(f"{count} entries written to {output}", markup=False, highlight=False)


def write_file(output: Path, write: Callable[[TextIO], int]) -> int:
    """Run ``write`` into a temporary file beside ``output``, then put it in place.

    ``output`` is complete or untouched: on any failure the temporary file is removed, and a
    file system error is one line (:class:`WatchlistError`).
    """
    if output.is_dir():
        raise WatchlistError(f"cannot write {output}: it is a directory; name a file")
    tmp: Path | None = None
    try:
        with tempfile.NamedTemporaryFile(
            "w",
            encoding="utf-8",
            newline="",
            dir=output.parent,
            prefix=f".{output.name}.",
            suffix=".part",
            delete=False,
        ) as out:
            tmp = Path(out.name)
            count = write(cast(TextIO, out))
        tmp.replace(output)
        return count
    except OSError as exc:
        raise WatchlistError(f"cannot write {output}: {exc.strerror or exc}") from exc
    finally:
        if tmp is not None and tmp.exists():
            tmp.unlink()
