"""``watchlist export``."""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, TextIO, cast

import typer

from watchlist.cli.options import (
    STATUSES,
    ClusterOption,
    DbOption,
    KindOption,
    SiteOption,
    choice,
    store_for,
)
from watchlist.cli.render import err_console
from watchlist.errors import UsageError, WatchlistError

EXPORT_STATUSES = (*STATUSES, "all")


def register(app: typer.Typer) -> None:
    """Add the commands of this module to ``app``."""
    app.command("export")(export_command)


def export_command(
    fmt: Annotated[
        str,
        typer.Option(
            "--format",
            "-f",
            help="csv, json, ndjson, stix (a STIX 2.1 bundle) or misp (a MISP feed folder).",
        ),
    ] = "csv",
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", help="Write here instead of stdout (misp: the feed's folder)."
        ),
    ] = None,
    status: Annotated[
        str,
        typer.Option(
            "--status",
            help="Entries with this status: new, confirmed, dismissed or all "
            "(default: confirmed — what the enforcement side acts on).",
        ),
    ] = "confirmed",
    kind: KindOption = None,
    site: SiteOption = None,
    cluster: ClusterOption = None,
    raw: Annotated[
        bool,
        typer.Option("--raw", help="CSV for machines: values exactly as stored, no formula guard."),
    ] = False,
    excel: Annotated[
        bool, typer.Option("--excel", help="Start with a UTF-8 byte-order mark (for Excel).")
    ] = False,
    hashed: Annotated[
        bool,
        typer.Option(
            "--hashed",
            help="Values as salted SHA-256 ($WATCHLIST_HASH_SALT), no snippets or notes.",
        ),
    ] = False,
    db: DbOption = None,
) -> None:
    """Export the watchlist, filtered like `entries`: confirmed entries unless --status says.

    Allowlisted values never appear. CSV is safe to open in a spreadsheet (cells that would
    run as a formula start with ') unless --raw; to a terminal every cell is neutralized
    (escape sequences shown, never run). Files are written whole or not at all.

    Example:

        watchlist export --format csv -o watchlist.csv
        watchlist export --format stix --status all -o bundle.json
        watchlist export --format misp -o feed/
    """
    from watchlist import export as exporter
    from watchlist.export.hashing import require_salt
    from watchlist.store import EntryFilter

    fmt = choice(fmt, exporter.FORMATS, "--format")
    wanted = choice(status, EXPORT_STATUSES, "--status")
    options = exporter.ExportOptions(
        raw=raw,
        excel=excel,
        salt=require_salt() if hashed else None,
        terminal=output is None and sys.stdout.isatty(),
    )
    if fmt in exporter.DIRECTORY_FORMATS and output is None:
        raise UsageError(f"--format {fmt} writes a folder of files: name it with -o DIR")
    store = store_for(db)
    where = EntryFilter(
        status=None if wanted == "all" else wanted, kind=kind, site=site, cluster=cluster
    )
    if output is None:
        exporter.export(store, fmt, where, sys.stdout, options)
        return
    if fmt in exporter.DIRECTORY_FORMATS:
        # the feed's writer updates the folder in place, staging its files beside it: it must
        # see the previous feed to mark what left it as deleted
        count = exporter.export_directory(store, fmt, where, output, options)
    else:
        count = write_file(output, lambda out: exporter.export(store, fmt, where, out, options))
    noun = "entry" if count == 1 else "entries"
    err_console.print(f"{count} {noun} written to {output}", markup=False, highlight=False)


def write_file(output: Path, write: Callable[[TextIO], int]) -> int:
    """Run ``write`` into a temporary file beside ``output``, then put it in place.

    ``output`` is complete or untouched: on any failure the temporary file is removed, and a
    file system error is one line (:class:`WatchlistError`).
    """
    if output.is_dir():
        raise WatchlistError(f"cannot write {output}: it is a directory; name a file")
    if not output.parent.is_dir():
        raise WatchlistError(f"cannot write {output}: no folder {output.parent}")
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
