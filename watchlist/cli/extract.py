"""``watchlist extract``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from watchlist.cli.render import json_line
from watchlist.errors import WatchlistError
from watchlist.extract.lines import extract_lines


def register(app: typer.Typer) -> None:
    """Add the commands of this module to ``app``."""
    app.command("extract")(extract_command)


def extract_command(
    file: Annotated[
        str, typer.Argument(metavar="[FILE]", help='JSON lines {"id", "text"}; - for stdin.')
    ] = "-",
) -> None:
    """Extract handles from JSON lines; one JSON line out per line in, in order.

    Out: {"id", "handles": [{"kind", "value", "start", "end", "provider", "role"}], "otc_score"}.
    A bad input line gives {"id", "line", "error"} in its place and the exit code 1.

    Example:

        echo '{"id": 1, "text": "出U 飞机 @usdt_king 13800138000"}' | watchlist extract
    """
    if file == "-":
        lines = sys.stdin
    else:
        try:
            lines = Path(file).open(encoding="utf-8")  # noqa: SIM115 (closed at exit)
        except OSError as exc:
            raise WatchlistError(f"{file}: cannot read: {exc.strerror}") from exc
    failed = 0
    for result in extract_lines(lines):
        failed += "error" in result
        sys.stdout.write(json_line(result) + "\n")
    sys.stdout.flush()
    if failed:
        raise typer.Exit(1)
