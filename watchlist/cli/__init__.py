"""The ``watchlist`` command line: a thin edge over the library.

Each command parses its options, calls one library function and renders the result. Library
errors (:mod:`watchlist.errors`) become one line on stderr and a non-zero exit.
"""

from __future__ import annotations

import os
import sys
from importlib import import_module
from typing import Any

import typer

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


@app.callback()
def _group() -> None:
    """Find, review and hand over the payment handles that OTC sellers publish."""
    # (a callback keeps `app` a group of commands when only one is registered: see below)


# The modules of the commands, in the order `watchlist --help` lists them, and the commands each
# one registers: a run imports only the module of its own command (start-up stays fast: the
# review queue never loads the crawler or the extractor). tests/test_cli.py checks the map.
MODULES = (
    "crawl",
    "worker",
    "demo",
    "extract",
    "entries",
    "review",
    "export",
    "sync",
    "schedule",
    "runs",
    "sites",
    "allow",
    "clusters",
    "history",
    "serve",
    "token",
)
COMMANDS = {
    "crawl": "crawl",
    "worker": "worker",
    "demo": "demo",
    "extract": "extract",
    "entries": "entries",
    "show": "entries",
    "review": "review",
    "confirm": "review",
    "dismiss": "review",
    "export": "export",
    "sync": "sync",
    "reconcile": "sync",
    "receiver": "sync",
    "schedule": "schedule",
    "runs": "runs",
    "sites": "sites",
    "allow": "allow",
    "clusters": "clusters",
    "history": "history",
    "serve": "serve",
    "token": "token",
}


def register(argv: list[str] | None = None) -> typer.Typer:
    """Add to :data:`app` the command named in ``argv`` (all of them for help, or when unknown)."""
    args = sys.argv[1:] if argv is None else argv
    name = next((arg for arg in args if not arg.startswith("-")), None)
    wanted = (COMMANDS[name],) if name in COMMANDS else MODULES
    for module in wanted:
        if module not in _registered:
            import_module(f"watchlist.cli.{module}").register(app)
            _registered.add(module)
    return app


def full_app() -> typer.Typer:
    """:data:`app` with every command (for tests and documentation checks)."""
    return register([])


_registered: set[str] = set()


def main() -> None:
    """Run the CLI; library errors become one clear line and an exit code.

    So do, as a last resort, errors of the database, of the file system and of numbers too
    large for either: one line, never a traceback.
    """
    from sqlalchemy.exc import SQLAlchemyError
    from typer._click import exceptions as click  # Typer's own copy of Click raises these

    from watchlist.errors import Interrupted
    from watchlist.store.sqlite_memory import stop_memory_statistics

    stop_memory_statistics()  # before any connection: threads reading a store then run apart
    try:
        register()
        code = app(standalone_mode=False)  # Click's errors come here, to be said our way
    except Interrupted as exc:
        sys.stderr.write(f"{exc}\n")
        sys.stdout.flush()
        sys.stderr.flush()
        # Everything is closed by now; skipping the interpreter's teardown keeps a crawl's
        # leftovers (threads still holding native objects) from printing leak reports.
        os._exit(exc.exit_code)
    except WatchlistError as exc:
        _fail(str(exc), exc.exit_code)
    except click.UsageError as exc:
        if type(exc).__name__ == "NoArgsIsHelpError":  # `watchlist sites`: the group's help
            exc.show()
            sys.exit(exc.exit_code)
        _fail(_usage_line(exc), 2)
    except click.ClickException as exc:
        _fail(exc.format_message(), exc.exit_code)
    except (KeyboardInterrupt, typer.Abort):
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
    if code == 130:  # Typer turns Ctrl-C outside a crawl into exit code 130, silently
        sys.stderr.write("interrupted\n")
    sys.exit(code if isinstance(code, int) else 0)


def _usage_line(exc: Any) -> str:
    """A Click usage error as our one line: ``--limit: input should be … (see … --help)``."""
    message = _lower_first(exc.format_message().rstrip("."))
    param = getattr(exc, "param", None)
    if param is not None and type(exc).__name__ == "BadParameter":
        option = param.param_type_name == "option"
        name = param.opts[0] if option else (param.metavar or str(param.name).upper())
        message = f"{name}: {_lower_first(exc.message.rstrip('.'))}"
    hint = f" (see {exc.ctx.command_path} --help)" if exc.ctx is not None else ""
    return message + hint


def _lower_first(text: str) -> str:
    return text[0].lower() + text[1:] if text[:1].isupper() and text[1:2].islower() else text


def _fail(message: str, code: int) -> None:
    message = " ".join(message.split())
    sys.stderr.write(f"error: {neutralize(message, keep_newlines=False)}\n")
    sys.exit(code)
