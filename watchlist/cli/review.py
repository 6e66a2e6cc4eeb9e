"""``watchlist confirm``, ``watchlist dismiss`` and the (not yet available) review queue."""

from __future__ import annotations

import getpass
from typing import Annotated

import typer

from watchlist.cli.options import DbOption, store_for
from watchlist.cli.render import console, inert
from watchlist.errors import NotAvailable
from watchlist.store import set_status

IdsArgument = Annotated[list[int], typer.Argument(metavar="ID...", help="Entry ids.")]
ReviewerOption = Annotated[
    str | None, typer.Option("--reviewer", help="Who decided (default: your user name).")
]
NoteOption = Annotated[
    str | None, typer.Option("--note", help="Why; kept with the entry and the audit log.")
]


def register(app: typer.Typer) -> None:
    """Add the commands of this module to ``app``."""
    app.command("confirm")(confirm_command)
    app.command("dismiss")(dismiss_command)
    app.command("review")(review_command)


def _decide(
    ids: list[int], status: str, reviewer: str | None, note: str | None, db: str | None
) -> None:
    decisions = set_status(store_for(db), ids, status, reviewer or getpass.getuser(), note)
    for d in decisions:
        verb = f"{d.from_status} → {d.to_status}" if d.changed else f"already {d.to_status}"
        console.print(inert(f"#{d.entry_id} {d.kind} {d.value}: {verb}", keep_newlines=False))


def confirm_command(
    ids: IdsArgument, reviewer: ReviewerOption = None, note: NoteOption = None, db: DbOption = None
) -> None:
    """Confirm entries: they join the list handed to the enforcement side.

    Example:

        watchlist confirm 12 15 --reviewer alice --note "seller ad, 3 sites"
    """
    _decide(ids, "confirmed", reviewer, note, db)


def dismiss_command(
    ids: IdsArgument, reviewer: ReviewerOption = None, note: NoteOption = None, db: DbOption = None
) -> None:
    """Dismiss entries (false positives, or no longer relevant).

    Example:

        watchlist dismiss 7 --note "victim's number quoted in a warning"
    """
    _decide(ids, "dismissed", reviewer, note, db)


def review_command() -> None:
    """The interactive review queue of new entries, highest score first (not available yet).

    Example:

        watchlist review
    """
    raise NotAvailable("watchlist review is not available yet; use confirm/dismiss")
