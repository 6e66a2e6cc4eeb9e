"""The ``watchlist`` command line: a thin edge over the library.

Each command parses its options, calls one library function and renders the result. Library
errors (:mod:`watchlist.errors`) become one line on stderr and a non-zero exit.
"""

from __future__ import annotations

import sys

import typer

from watchlist.cli import crawl, demo, entries, export, extract, pending, review, sites
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
for module in (crawl, demo, extract, entries, review, export, pending, sites):
    module.register(app)


def main() -> None:
    """Run the CLI; library errors become one clear line and an exit code."""
    try:
        app()
    except WatchlistError as exc:
        message = " ".join(str(exc).split())
        sys.stderr.write(f"error: {neutralize(message, keep_newlines=False)}\n")
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        sys.exit(130)
