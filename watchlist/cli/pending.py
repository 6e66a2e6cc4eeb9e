"""Commands of the contract whose capability has not landed yet: they say so and exit 2."""

from __future__ import annotations

import typer

from watchlist.errors import NotAvailable


def register(app: typer.Typer) -> None:
    """Add the commands of this module to ``app``."""
    app.command("schedule")(schedule_command)


def schedule_command() -> None:
    """Run crawls on each site's cron schedule, then sync (not available yet).

    Example:

        watchlist schedule
    """
    raise NotAvailable("watchlist schedule is not available yet")
