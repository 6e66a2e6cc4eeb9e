"""``watchlist history ID``: an entry's audit trail."""

from __future__ import annotations

from typing import Annotated

import typer

from watchlist.cli.options import DbOption, store_for
from watchlist.cli.render import console, inert, json_line
from watchlist.store.history import entry_history

INDENT = " " * 19


def register(app: typer.Typer) -> None:
    """Add the commands of this module to ``app``."""
    app.command("history")(history_command)


def history_command(
    entry_id: Annotated[int, typer.Argument(metavar="ID", help="The entry's id.")],
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per event.")] = False,
    db: DbOption = None,
) -> None:
    """Print an entry's audit trail: every review, change and allowlist decision — who, when, why.

    Example:

        watchlist history 12
    """
    history = entry_history(store_for(db), entry_id)
    if as_json:
        for event in history.events:
            row = {"at": event.at, "actor": event.actor, "what": event.what}
            row |= {"action": event.action, "why": event.why}
            console.out(json_line(row), highlight=False)
        return
    entry = history.entry
    head = f"#{entry.id} {entry.kind} {entry.value} · now {entry.status}"
    console.print(inert(head, keep_newlines=False, style="bold"))
    for event in history.events:
        when = event.at.strftime("%Y-%m-%d %H:%M")
        console.print(inert(f"{when}  {event.actor}: {event.action}", keep_newlines=False))
        if event.why:
            console.print(inert(f"{INDENT}{event.why}", keep_newlines=False))
