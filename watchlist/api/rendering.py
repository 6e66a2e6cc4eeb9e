"""JSON bodies with an ``ETag``, and 304 when the client holds the same body already.

The ETag is a digest of the body (weak: gzip may change the bytes, not the content), so two
requests that would get the same JSON get the same ETag, whatever changed in the store between
them. JSON holds no raw control or invisible format character (:func:`watchlist.inert.json_text`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from fastapi import Request, Response

from watchlist.api.cache import MAX_BODY, RevisionCache
from watchlist.inert import json_text

Rendered = tuple[bytes, str]  # a body and its ETag

CACHE_CONTROL = "private, no-cache"  # a client may keep it, but asks again (If-None-Match)


def etag_of(body: bytes) -> str:
    """The weak ETag of ``body``."""
    return f'W/"{hashlib.blake2b(body, digest_size=16).hexdigest()}"'


def matches(if_none_match: str | None, etag: str) -> bool:
    """Whether an ``If-None-Match`` header names ``etag`` (weak comparison) or is ``*``."""
    if not if_none_match:
        return False
    wanted = etag.removeprefix("W/")
    for tag in if_none_match.split(","):
        tag = tag.strip()
        if tag == "*" or tag.removeprefix("W/") == wanted:
            return True
    return False


def json_response(request: Request, obj: Any) -> Response:
    """``obj`` as JSON with its ETag, or an empty 304 when ``If-None-Match`` names it."""
    return body_response(request, render(obj))


def cached_json(
    request: Request, key: object, revision: str | None, build: Callable[[], Any]
) -> Response:
    """The JSON of ``build()``, kept under ``key`` while the store's ``revision`` lasts."""
    pages: RevisionCache[Rendered] | None = request.app.state.pages
    rendered = pages.get(key, revision) if pages is not None else None
    if rendered is None:
        rendered = render(build())
        if pages is not None and len(rendered[0]) <= MAX_BODY:
            pages.put(key, revision, rendered, len(rendered[0]))
    return body_response(request, rendered)


def render(obj: Any) -> Rendered:
    """``obj`` as JSON bytes (no raw control or format character) and its ETag."""
    body = json_text(obj).encode("utf-8", "surrogatepass")
    return body, etag_of(body)


def body_response(request: Request, rendered: Rendered) -> Response:
    """A rendered JSON body with its ETag, or 304."""
    body, etag = rendered
    headers = {"ETag": etag, "Cache-Control": CACHE_CONTROL, "Vary": "Authorization"}
    if matches(request.headers.get("if-none-match"), etag):
        return Response(status_code=304, headers=headers)
    return Response(body, media_type="application/json", headers=headers)
