"""The bundled demo world: a deterministic OTC forum, its Discuz! pages and a local server."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from watchlist.demo.discuz import DiscuzSite, render
from watchlist.demo.page import Page
from watchlist.demo.world import DemoPost, DemoThread, World

if TYPE_CHECKING:
    from watchlist.demo.server import DemoHTTPServer, RunningServer, serve

__all__ = [
    "DemoHTTPServer",
    "DemoPost",
    "DemoThread",
    "DiscuzSite",
    "Page",
    "RunningServer",
    "World",
    "render",
    "serve",
]


def __getattr__(name: str) -> Any:
    # The server module is imported lazily so `python -m watchlist.demo.server` runs it only once.
    if name in ("DemoHTTPServer", "RunningServer", "serve"):
        from watchlist.demo import server

        return getattr(server, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
