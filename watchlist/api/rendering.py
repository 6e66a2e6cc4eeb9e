"""JSON bodies with an ``ETag``, and 304 when the client holds the same body already.

The ETag is a digest of the body (weak: gzip may change the bytes, not the content), so two
requests that would get the same JSON get the same ETag, whatever changed in the store between
them. JSON holds no raw control or invisible format character (:func:`watchlist.inert.json_text`).
"""

from __future__ import annotations

import hashlib
from typing import Any

from fastapi import Request, Response

from watchlist.inert import json_text

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
    body = json_text(obj).encode("utf-8", "surrogatepass")
    return body_response(request, body)


def body_response(request: Request, body: bytes) -> Response:
    """A rendered JSON ``body`` with its ETag, or 304."""
    etag = etag_of(body)
    headers = {"ETag": etag, "Cache-Control": CACHE_CONTROL, "Vary": "Authorization"}
    if matches(request.headers.get("if-none-match"), etag):
        return Response(status_code=304, headers=headers)
    return Response(body, media_type="application/json", headers=headers)
