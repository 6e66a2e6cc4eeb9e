"""The read-only API feed as a FastAPI app: ``create_app(store)``.

Routers per resource (``routes/``): entries, changes, health. Every route but ``/healthz``
needs a bearer token (``auth``); errors are JSON ``{"error": …}`` (``errors``); JSON bodies
carry an ETag and answer ``If-None-Match`` with 304 (``rendering``), and are kept until the
store changes (``cache``); large bodies are gzipped.
No write endpoint, no CORS (browsers on other origins cannot read it), no interactive docs
page (it would load scripts from a CDN): the OpenAPI document is at ``/openapi.json``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from starlette.middleware.gzip import GZipMiddleware

from watchlist import __version__
from watchlist.api import errors
from watchlist.api.auth import Touches
from watchlist.api.cache import RevisionCache
from watchlist.api.limits import QueryLimit
from watchlist.api.rendering import Rendered
from watchlist.api.routes import changes, entries, health
from watchlist.store.engine import Store
from watchlist.store.feed import StoreRevision
from watchlist.store.tokens import TokenScope

GZIP_MINIMUM = 1024  # bytes: smaller bodies are sent as they are


def create_app(store: Store, *, cache: bool = True) -> FastAPI:
    """The API feed serving ``store``; ``cache``: keep rendered bodies until the store changes
    (``cache``), else render every request."""
    revision = StoreRevision(store) if cache else None

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        if revision is not None:
            revision.close()

    app = FastAPI(
        lifespan=lifespan,
        title="OTC Watchlist feed",
        version=__version__,
        description=(
            "The read-only feed of the watchlist: entries (key websites and accounts) with "
            "their evidence, and the delta feed of the confirmed list. Every route but "
            "`/healthz` needs `Authorization: Bearer <token>` (`watchlist token create NAME`)."
        ),
        docs_url=None,
        redoc_url=None,
    )
    app.state.store = store
    app.state.token_touches = Touches()
    app.state.revision = revision
    app.state.pages = RevisionCache[Rendered]() if cache else None
    app.state.tokens = RevisionCache[TokenScope]()
    errors.install(app)
    app.include_router(entries.router)
    app.include_router(changes.router)
    app.include_router(health.router)
    app.add_middleware(GZipMiddleware, minimum_size=GZIP_MINIMUM, compresslevel=6)
    app.add_middleware(QueryLimit)
    return app
