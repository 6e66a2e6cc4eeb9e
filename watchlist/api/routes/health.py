"""``/healthz``: the one route without a token, for load balancers and monitors."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy.exc import SQLAlchemyError

from watchlist.api.auth import StoreDep
from watchlist.api.models import HealthPublic
from watchlist.errors import StoreError
from watchlist.store.feed import last_seq

router = APIRouter(tags=["health"])


@router.get(
    "/healthz",
    response_model=HealthPublic,
    summary="Whether the server answers and can read its store",
    responses={503: {"model": HealthPublic, "description": "The store cannot be read."}},
)
def healthz(store: StoreDep) -> JSONResponse:
    """`{"ok": true}` when the store answers a query; 503 `{"ok": false, "error": …}` if not."""
    try:
        last_seq(store)  # one cheap query: the store is reachable and holds a watchlist
    except (SQLAlchemyError, StoreError):
        return JSONResponse({"ok": False, "error": "the store cannot be read"}, status_code=503)
    return JSONResponse({"ok": True})
