"""The ``watchlist`` command line: a thin edge over the library.

Each command parses its options, calls one library function and renders the result. Library
errors (:mod:`watchlist.errors`) become one line on stderr and a non-zero exit.
"""

from __future__ import annotations

import os
import sys

import typer

from watchlist.cli import (
    allow,
    clusters,
    crawl,
    demo,
    entries,
    export,
    extract,
    history,
    pending,
    review,
    sites,
)
from watchlist.cli.render import neutralize
from watchlist.errors import WatchlistError

app = typer.Typer(
    name="watchlist",
    help="Find, review and hand over the payment handles that OTC sellers publish.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)
for module in (
    crawl,
    demo,
    extract,
    entries,
    review,
    export,
    pending,
    sites,
    allow,
    clusters,
    history,
):
    module.register(app)


def main() -> None:
    """Run the CLI; library errors become one clear line and an exit code.

    So do, as a last resort, errors of the database, of the file system and of numbers too
    large for either: one line, never a traceback.
    """
    from sqlalchemy.exc import SQLAlchemyError

    try:
        app()
    except WatchlistError as exc:
        _fail(str(exc), exc.exit_code)
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        sys.exit(130)
    except BrokenPipeError:  # `watchlist export | head`: the reader has had enough
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(1)
    except SQLAlchemyError as exc:
        cause = getattr(exc, "orig", None) or exc
        _fail(f"the database failed: {(str(cause).strip().splitlines() or ['?'])[0]}", 1)
    except OverflowError as exc:
        _fail(f"a number is too large: {exc}", 2)
    except OSError as exc:
        where = f"{exc.filename}: " if exc.filename else ""
        _fail(f"{where}{exc.strerror or exc}", 1)


def _fail(message: str, code: int) -> None:
    message = " ".join(message.split())
    sys.stderr.write(f"error: {neutralize(message, keep_newlines=False)}\n")
    sys.exit(code)
