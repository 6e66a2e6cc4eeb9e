"""Errors as the API says them: a status and ``{"error": "…"}``, never a traceback.

:class:`ApiError` is what the routes raise. The library's errors map to statuses
(:class:`~watchlist.errors.NotFound` 404, :class:`~watchlist.errors.UsageError` 400, a store that
cannot be read 503); FastAPI's validation errors become one line naming the parameter (422);
Starlette's own (404 for an unknown path, 405 with ``Allow``) keep their status and headers.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import SQLAlchemyError
from starlette.exceptions import HTTPException

from watchlist.api.models import ErrorPublic
from watchlist.errors import NotFound, StoreError, UsageError

log = logging.getLogger(__name__)
BEARER = {"WWW-Authenticate": "Bearer"}
_STATUSES = {s.value for s in HTTPStatus}


class ApiError(Exception):
    """An answer other than 2xx: ``status``, a one-line ``message`` and extra headers."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


def error_response(
    status: int, message: str, headers: Mapping[str, str] | None = None
) -> JSONResponse:
    """``{"error": message}`` with ``status``."""
    return JSONResponse({"error": message}, status_code=status, headers=headers)


Responses = dict[int | str, dict[str, Any]]  # FastAPI's ``responses=`` of a route


def documented(status: int, description: str) -> Responses:
    """An error status of a route for the OpenAPI document, with its ``{"error"}`` body."""
    return {status: {"model": ErrorPublic, "description": description}}


def responses(*groups: Responses) -> Responses:
    """The ``responses=`` of a route: ``groups`` merged."""
    merged: Responses = {}
    for group in groups:
        merged.update(group)
    return merged


UNAUTHORIZED = documented(401, "No valid bearer token (`Authorization: Bearer …`).")
REJECTED = responses(
    documented(400, "A value that cannot be used (a cursor of another listing, say)."),
    documented(414, "The query string is longer than the server takes."),
    documented(422, "A parameter out of its range or not one of its values."),
)
UNAVAILABLE = documented(503, "The store cannot be read right now.")


def install(app: FastAPI) -> None:
    """Answer every error of ``app`` as JSON ``{"error": …}``."""
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(RequestValidationError, _invalid)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(NotFound, _not_found)
    app.add_exception_handler(UsageError, _usage)
    app.add_exception_handler(StoreError, _unavailable)
    app.add_exception_handler(SQLAlchemyError, _unavailable)
    app.add_exception_handler(Exception, _internal)


async def _api_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    return error_response(exc.status, exc.message, exc.headers)


async def _invalid(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    return error_response(422, validation_line(exc.errors()))


def validation_line(errors: Any) -> str:
    """FastAPI's validation errors as one line: ``limit: input should be …``."""
    parts = []
    for error in list(errors)[:3]:
        loc = [str(p) for p in error.get("loc", ()) if p not in ("query", "path", "header")]
        message = str(error.get("msg", "invalid")).rstrip(".")
        message = message[:1].lower() + message[1:]
        parts.append(f"{'.'.join(loc) or 'request'}: {message}")
    return "; ".join(parts) or "invalid request"


async def _http_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    phrase = HTTPStatus(exc.status_code).phrase if exc.status_code in _STATUSES else ""
    message = exc.detail if isinstance(exc.detail, str) and exc.detail else "request refused"
    if message == phrase:  # Starlette's own: "Not Found", "Method Not Allowed"
        message = phrase.lower()
    return error_response(exc.status_code, message, exc.headers)


async def _not_found(_request: Request, exc: Exception) -> JSONResponse:
    return error_response(404, str(exc))


async def _usage(_request: Request, exc: Exception) -> JSONResponse:
    return error_response(400, str(exc))


async def _unavailable(_request: Request, exc: Exception) -> JSONResponse:
    log.warning("the store cannot be read: %s", exc)
    return error_response(503, "the store cannot be read right now")


async def _internal(_request: Request, exc: Exception) -> JSONResponse:
    log.exception("unexpected error", exc_info=exc)
    return error_response(500, "internal error")
