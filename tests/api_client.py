"""A synchronous client for the real API app over httpx's ASGI transport (no server, no mock).

Each request runs the app in a fresh event loop (``anyio.run``), exactly as uvicorn would call
it: middleware, dependencies, the thread pool of sync routes, background tasks.
"""

from __future__ import annotations

from typing import Any

import anyio
import httpx
from fastapi import FastAPI


class ApiClient:
    """``get(path, token=…, **httpx options)`` against ``app``."""

    def __init__(self, app: FastAPI, token: str | None = None) -> None:
        self.app = app
        self.token = token

    def get(self, path: str, *, token: str | None = None, **options: Any) -> httpx.Response:
        """GET ``path``; with the client's token unless ``token`` names another ("" for none)."""
        headers = dict(options.pop("headers", {}) or {})
        bearer = self.token if token is None else token
        if bearer:
            headers.setdefault("Authorization", f"Bearer {bearer}")
        return self.request("GET", path, headers=headers, **options)

    def request(self, method: str, path: str, **options: Any) -> httpx.Response:
        """Any request, as given."""

        async def call() -> httpx.Response:
            transport = httpx.ASGITransport(app=self.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://api.test") as c:
                return await c.request(method, path, **options)

        return anyio.run(call)
