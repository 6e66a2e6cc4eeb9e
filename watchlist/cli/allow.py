"""``watchlist allow add | list | remove``: values that never enter the queue or any output."""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import Annotated

import typer

from watchlist.cli.options import DbOption, WideOption, announce_created, store_for
from watchlist.cli.render import console, inert, json_line, plural
from watchlist.cli.tables import Cell, Column, print_fitted
from watchlist.errors import UsageError
from watchlist.extract import KINDS
from watchlist.store.allowlist import AllowItem, AllowResult, allow, allowlist, disallow, read_csv

allow_app = typer.Typer(
    name="allow",
    help=(
        "The allowlist: the platform's own accounts, known exchange wallets, its own domains."
        " An allowlisted value never enters the queue, an export, the feed or a sync."
        "\n\nExample:\n\n    watchlist allow add domain www.example-pay.com --note 'our own domain'"
    ),
    no_args_is_help=True,
    rich_markup_mode=None,
)
KindArgument = Annotated[
    str | None, typer.Argument(metavar="KIND", help=f"One of: {', '.join(KINDS)}.")
]
ValueArgument = Annotated[
    str | None, typer.Argument(metavar="VALUE", help="As written: it is canonicalized.")
]
ByOption = Annotated[
    str | None, typer.Option("--by", help="Who decided (default: your user name).")
]
NoteOption = Annotated[str | None, typer.Option("--note", help="Why; kept in the audit log.")]


def register(app: typer.Typer) -> None:
    """Add the ``allow`` command group to ``app``."""
    app.add_typer(allow_app, name="allow")


@allow_app.command("add")
def add_command(
    kind: KindArgument = None,
    value: ValueArgument = None,
    note: NoteOption = None,
    file: Annotated[
        Path | None,
        typer.Option("--file", help="A CSV of kind,value[,note] rows (a header is optional)."),
    ] = None,
    by: ByOption = None,
    db: DbOption = None,
) -> None:
    """Allowlist a value (or every row of a CSV file): all or none, each value checked first.

    Example:

        watchlist allow add phone "138 0013 8000" --note "our support line"
    """
    if file is not None:
        if kind is not None or value is not None:
            raise UsageError("give KIND VALUE or --file, not both")
        items = read_csv(_read(file))
    elif kind is None or value is None:
        raise UsageError("give KIND VALUE, or --file CSV")
    else:
        items = [AllowItem(kind, value, note)]
    # The allowlist may come before the first crawl: this is the one other command that
    # creates a store (and says where).
    store = store_for(db, create=True, say_created=False)
    results = allow(store, items, by or getpass.getuser())
    for result in results:
        _print(result, "allowlisted" if result.changed else "already allowlisted")
    added = sum(r.changed for r in results)
    console.print(f"{added} added, {len(results) - added} already there", markup=False)
    announce_created(store)


@allow_app.command("list")
def list_command(
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per line.")] = False,
    wide: WideOption = False,
    db: DbOption = None,
) -> None:
    """List the allowlist, by kind then value (a table that fits the terminal; --wide: all).

    Example:

        watchlist allow list --json
    """
    rows = allowlist(store_for(db))
    if as_json:
        for row in rows:
            console.out(json_line(row.model_dump(mode="json", exclude={"id"})), highlight=False)
        return
    columns = [
        Column("kind", keep=True),
        Column("value", keep=True),
        Column("added by", rank=3),
        Column("added", rank=4),
        Column("note", rank=2),
    ]
    cells: list[list[Cell]] = [
        [
            row.kind,
            inert(row.value, keep_newlines=False),
            inert(row.added_by, keep_newlines=False),
            str(row.added_at)[:16],
            inert(row.note or "-", keep_newlines=False),
        ]
        for row in rows
    ]
    if rows:
        print_fitted(console, columns, cells, wide=wide)
    console.print(plural(len(rows), "value"), markup=False)


@allow_app.command("remove")
def remove_command(
    kind: Annotated[str, typer.Argument(metavar="KIND", help="The value's kind.")],
    value: Annotated[str, typer.Argument(metavar="VALUE", help="As written or canonical.")],
    note: NoteOption = None,
    by: ByOption = None,
    db: DbOption = None,
) -> None:
    """Take a value off the allowlist: its entry is listed, linked and synced again.

    Example:

        watchlist allow remove phone +8613800138000
    """
    _print(disallow(store_for(db), kind, value, by or getpass.getuser(), note), "removed")


def _print(result: AllowResult, verb: str) -> None:
    line = f"{result.kind} {result.value}: {verb}"
    if result.entry_id is not None:
        line += f" (entry #{result.entry_id}"
        if result.changed and result.confirmed:
            line += ", confirmed: the enforcement side is told"
        line += ")"
    console.print(inert(line, keep_newlines=False))


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise UsageError(f"cannot read {path}: {reason}") from exc
