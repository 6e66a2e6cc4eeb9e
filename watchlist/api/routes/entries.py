"""``/v1/entries`` (JSON pages), ``/v1/entries.csv`` (streamed CSV), ``/v1/entries/{id}``."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, Response
from fastapi.responses import StreamingResponse

from watchlist.api.auth import RevisionDep, ScopeDep, StoreDep
from watchlist.api.cursor import CURSOR_MAX, MAX_ID, decode_cursor, encode_cursor, filters_digest
from watchlist.api.errors import (
    REJECTED,
    UNAUTHORIZED,
    UNAVAILABLE,
    Responses,
    documented,
    responses,
)
from watchlist.api.listing import Filters, all_entries, check_site, entries_page, entry_by_id
from watchlist.api.models import EntriesPage, EntryPublic, KindName, StatusName
from watchlist.api.rendering import cached_json
from watchlist.export.objects import entry_object
from watchlist.export.spreadsheet import csv_lines

router = APIRouter(tags=["entries"])
EVIDENCE_OF_ONE = 20  # sightings shown with /v1/entries/{id}
FORBIDDEN = documented(403, "A filter asks for a status or kind this token may not read.")
NO_CLUSTER = documented(404, "No such site (with posts in the store) or operator cluster.")
ETAG = {
    "ETag": {
        "description": "A digest of the body, for If-None-Match.",
        "schema": {"type": "string"},
    }
}
JSON_OK: Responses = {
    200: {"headers": ETAG},
    304: {"description": "Not modified: the body would be the one If-None-Match names."},
}

StatusQuery = Annotated[StatusName | None, Query(description="Only entries with this status.")]
KindQuery = Annotated[KindName | None, Query(description="Only entries of this kind.")]
SiteQuery = Annotated[
    str | None,
    Query(min_length=1, max_length=128, description="Only entries seen on this site."),
]
ClusterQuery = Annotated[
    int | None, Query(ge=1, le=MAX_ID, description="Only the members of this operator cluster.")
]


def _filters(
    status: str | None, kind: str | None, site: str | None, cluster: int | None
) -> Filters:
    return Filters(status, kind, site.strip().lower() if site else None, cluster)


@router.get(
    "/v1/entries",
    response_model=EntriesPage,
    summary="List entries, a page at a time",
    responses=responses(JSON_OK, UNAUTHORIZED, FORBIDDEN, NO_CLUSTER, REJECTED, UNAVAILABLE),
)
def list_entries(
    request: Request,
    scope: ScopeDep,
    store: StoreDep,
    revision: RevisionDep,
    status: StatusQuery = None,
    kind: KindQuery = None,
    site: SiteQuery = None,
    cluster: ClusterQuery = None,
    limit: Annotated[int, Query(ge=1, le=1000, description="Entries per page.")] = 100,
    cursor: Annotated[
        str | None,
        Query(max_length=CURSOR_MAX, description="The `next_cursor` of the previous page."),
    ] = None,
) -> Response:
    """Entries in ascending id (a stable order: new entries come last), with their best
    evidence. Follow `next_cursor` until it is null; an entry added meanwhile is neither
    skipped nor repeated."""
    filters = _filters(status, kind, site, cluster)
    digest = filters_digest(filters.key())
    after = decode_cursor(cursor, digest) if cursor is not None else None

    def build() -> dict[str, Any]:
        check_site(store, filters.site)
        rows, more = entries_page(store, filters, scope, after, limit)
        return {
            "entries": [entry_object(row) for row in rows],
            "next_cursor": encode_cursor(rows[-1].id, digest) if more and rows else None,
        }

    key = ("entries", filters.key(), after, limit, scope.statuses, scope.kinds)
    return cached_json(request, key, revision, build)


@router.get(
    "/v1/entries.csv",
    summary="Every entry of a listing as CSV (streamed, spreadsheet-safe)",
    response_class=StreamingResponse,
    responses=responses(
        {200: {"content": {"text/csv": {"schema": {"type": "string"}}}}},
        UNAUTHORIZED,
        FORBIDDEN,
        NO_CLUSTER,
        REJECTED,
        UNAVAILABLE,
    ),
)
def entries_csv(
    scope: ScopeDep,
    store: StoreDep,
    status: StatusQuery = None,
    kind: KindQuery = None,
    site: SiteQuery = None,
    cluster: ClusterQuery = None,
) -> StreamingResponse:
    """The whole listing as one CSV file, header first. A cell a spreadsheet would run as a
    formula starts with `'` (an E.164 phone reads `'+8613800138000`)."""
    filters = _filters(status, kind, site, cluster)
    check_site(store, filters.site)
    lines = csv_lines(all_entries(store, filters, scope))
    first = next(lines)  # the query runs here: an unknown cluster is a 404, not a cut stream
    headers = {"Content-Disposition": 'attachment; filename="watchlist.csv"'}
    return StreamingResponse(
        _chained(first, lines), media_type="text/csv; charset=utf-8", headers=headers
    )


def _chained(first: str, rest: Iterator[str]) -> Iterator[bytes]:
    yield first.encode("utf-8")
    for chunk in rest:
        yield chunk.encode("utf-8")


@router.get(
    "/v1/entries/{entry_id}",
    response_model=EntryPublic,
    summary="One entry with its evidence",
    responses=responses(
        JSON_OK,
        UNAUTHORIZED,
        documented(404, "No such entry (or not one this token may read)."),
        REJECTED,
        UNAVAILABLE,
    ),
)
def get_entry(
    request: Request,
    scope: ScopeDep,
    store: StoreDep,
    revision: RevisionDep,
    entry_id: Annotated[int, Path(ge=1, le=MAX_ID, description="The entry's id.")],
) -> Response:
    """The entry with up to twenty sightings as evidence, best first (offered before
    reported before mentioned)."""
    key = ("entry", entry_id, scope.statuses, scope.kinds)
    return cached_json(
        request,
        key,
        revision,
        lambda: entry_object(entry_by_id(store, entry_id, scope, EVIDENCE_OF_ONE)),
    )
