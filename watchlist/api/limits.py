"""Request limits checked before routing: a query string longer than :data:`QUERY_MAX` is 414.

Parameters have their own limits (``limit`` 1–1000, a cursor's length, a site name's) in the
routes; the HTTP server (uvicorn) caps header sizes.
"""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Receive, Scope, Send

QUERY_MAX = 2048  # bytes of query string


class QueryLimit:
    """ASGI middleware: answer 414 ``{"error": …}`` to a query string over ``limit`` bytes."""

    def __init__(self, app: ASGIApp, limit: int = QUERY_MAX) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and len(scope.get("query_string", b"")) > self.limit:
            body = json.dumps({"error": f"the query string is longer than {self.limit} bytes"})
            await send(
                {
                    "type": "http.response.start",
                    "status": 414,
                    "headers": [
                        (b"content-type", b"application/json"),
                        (b"content-length", str(len(body)).encode()),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": body.encode()})
            return
        await self.app(scope, receive, send)
