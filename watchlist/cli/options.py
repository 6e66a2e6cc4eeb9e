"""Options shared by several commands, and the store they open."""

from __future__ import annotations

from typing import Annotated

import typer

from watchlist import settings
from watchlist.errors import NotFound
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
ClusterOption = Annotated[
    int | None, typer.Option("--cluster", help="Only the members of this operator cluster.")
]


MAX_ID = 2**63 - 1  # the largest id a database can hold (SQLite's and PostgreSQL's bigint)


def checked_ids(ids: list[int]) -> list[int]:
    """``ids``, unless one is outside what any database could hold: :class:`NotFound` then."""
    for entry_id in ids:
        if not 0 < entry_id <= MAX_ID:
            raise NotFound(f"no entry with id {entry_id}")
    return ids


def store_for(db: str | None) -> Store:
    """Open the store named by ``--db``, or by the settings."""
    return open_store(db or settings.load().database_url)
