"""``watchlist serve``: the read-only API feed over HTTP (uvicorn)."""

from __future__ import annotations

import ipaddress
from typing import Annotated

import typer

from watchlist.cli.options import DbOption, store_for
from watchlist.cli.render import err_console
from watchlist.errors import UsageError

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000


def register(app: typer.Typer) -> None:
    """Add the commands of this module to ``app``."""
    app.command("serve")(serve_command)


def serve_command(
    host: Annotated[
        str,
        typer.Option(
            "--host", help="The address to listen on (default loopback: this machine only)."
        ),
    ] = DEFAULT_HOST,
    port: Annotated[
        int, typer.Option("--port", min=0, max=65535, help="The port (0: any free one).")
    ] = DEFAULT_PORT,
    cache: Annotated[
        bool,
        typer.Option(
            "--cache/--no-cache",
            help="Keep rendered pages in memory until the store changes.",
        ),
    ] = True,
    access_log: Annotated[
        bool, typer.Option("--access-log/--no-access-log", help="Log every request.")
    ] = True,
    db: DbOption = None,
) -> None:
    """Serve the read-only API feed: /v1/entries, /v1/entries.csv, /v1/changes, /healthz.

    Every route but /healthz needs a bearer token from `watchlist token create NAME`. It
    listens on 127.0.0.1:8000 unless --host and --port say otherwise; the OpenAPI document is
    at /openapi.json. Stop it with Ctrl-C.

    Example:

        watchlist serve --port 8000
    """
    import uvicorn

    from watchlist.api import create_app
    from watchlist.store.tokens import has_active_token

    if not host.strip():
        raise UsageError("--host: name an address (127.0.0.1, ::1, 0.0.0.0 …)")
    store = store_for(db)
    if not has_active_token(store):
        if _loopback(host):
            err_console.print(
                "note: no token exists yet, so every request but /healthz gets 401: "
                "create one with `watchlist token create NAME`",
                markup=False,
            )
        else:
            err_console.print(
                f"warning: serving on {host}, beyond this machine, and no token exists: "
                "create one with `watchlist token create NAME` (until then every request "
                "but /healthz gets 401)",
                markup=False,
            )
    where = f"http://{_url_host(host)}:{port}/" if port else f"{host}, on a free port (below)"
    err_console.print(f"serving {store.location} at {where} (Ctrl-C stops)", markup=False)
    uvicorn.run(
        create_app(store, cache=cache),
        host=host,
        port=port,
        access_log=access_log,
        server_header=False,
        log_level="info",
    )


def _loopback(host: str) -> bool:
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip().strip("[]")).is_loopback
    except ValueError:
        return False


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host and not host.startswith("[") else host
