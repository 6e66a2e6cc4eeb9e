"""``/v1/changes``: the delta feed of the confirmed list, in commit order."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response

from watchlist.api.auth import RevisionDep, ScopeDep, StoreDep
from watchlist.api.cursor import MAX_ID
from watchlist.api.errors import REJECTED, UNAUTHORIZED, UNAVAILABLE, responses
from watchlist.api.models import ChangesPage
from watchlist.api.rendering import cached_json
from watchlist.api.routes.entries import JSON_OK
from watchlist.change_objects import change_object
from watchlist.store.feed import read_changes

router = APIRouter(tags=["changes"])


@router.get(
    "/v1/changes",
    response_model=ChangesPage,
    summary="Changes of the confirmed list after a sequence number",
    responses=responses(JSON_OK, UNAUTHORIZED, REJECTED, UNAVAILABLE),
)
def list_changes(
    request: Request,
    scope: ScopeDep,
    store: StoreDep,
    revision: RevisionDep,
    after: Annotated[
        int, Query(ge=0, le=MAX_ID, description="The last seq you have (0: from the start).")
    ] = 0,
    limit: Annotated[int, Query(ge=1, le=1000, description="Changes per page.")] = 100,
) -> Response:
    """The same change objects the sync sends, in seq order, which is commit order: asking
    again with `after=next_after` never skips a change that committed late. An upsert of a
    value allowlisted since is left out; a remove is always delivered."""

    def build() -> dict[str, Any]:
        if scope.statuses and "confirmed" not in scope.statuses:
            rows = []  # the log holds changes of the confirmed list only
        else:
            rows = read_changes(store, after, limit, kinds=scope.kinds)
        return {
            "changes": [change_object(row) for row in rows],
            "next_after": rows[-1].seq if rows else after,
        }

    key = ("changes", after, limit, scope.statuses, scope.kinds)
    return cached_json(request, key, revision, build)
