"""``watchlist extract``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, BinaryIO

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
    A bad input line (not UTF-8, not JSON, too deeply nested, a lone surrogate in its text)
    gives {"id", "line", "error"} in its place, the next lines are still read, and the exit
    code is 1.

    Example:

        echo '{"id": 1, "text": "出U 飞机 @usdt_king 13800138000"}' | watchlist extract
    """
    # Bytes, decoded line by line: one line that is not UTF-8 gives an error object, no more.
    lines: BinaryIO
    if file == "-":
        lines = sys.stdin.buffer
    else:
        try:
            lines = Path(file).open("rb")  # noqa: SIM115 (closed at exit)
        except OSError as exc:
            raise WatchlistError(f"{file}: cannot read: {exc.strerror}") from exc
    failed = 0
    for result in extract_lines(lines):
        failed += "error" in result
        sys.stdout.write(json_line(result) + "\n")
    sys.stdout.flush()
    if failed:
        raise typer.Exit(1)
