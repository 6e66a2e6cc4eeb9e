"""Options shared by several commands, and the store they open."""

from __future__ import annotations

from typing import Annotated

import typer

from watchlist import settings
from watchlist.store import Store, open_store

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db", help="SQLAlchemy URL of the store (default: $WATCHLIST_DB or watchlist.db)."
    ),
]
StatusOption = Annotated[
    str | None,
    typer.Option("--status", help="Only entries with this status: new, confirmed, dismissed."),
]
KindOption = Annotated[
    str | None, typer.Option("--kind", help="Only entries of this kind (phone, email, ...).")
]
SiteOption = Annotated[str | None, typer.Option("--site", help="Only entries seen on this site.")]


def store_for(db: str | None) -> Store:
    """Open the store named by ``--db``, or by the settings."""
    return open_store(db or settings.load().database_url)
