"""Which entries a request may see: its filters within its token's scope, a page at a time.

The filters go to the store's query (:func:`watchlist.store.export_view.iter_export_rows`, in
ascending id); a scope of several statuses or kinds that the filters do not narrow to one is
applied to the streamed rows. Pages are keyset pages: the entries with an id above the
cursor's, so an entry added between two pages (a larger id) is never skipped nor repeated.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace

from watchlist.api.errors import ApiError
from watchlist.store.engine import Store
from watchlist.store.export_view import ExportRow, iter_export_rows
from watchlist.store.queries import EntryFilter, post_sites
from watchlist.store.tokens import TokenScope

SCAN_CHUNK = 500  # rows per query when the token's scope is applied in Python


@dataclass(frozen=True, slots=True)
class Filters:
    """A request's filters (``None``: any)."""

    status: str | None = None
    kind: str | None = None
    site: str | None = None
    cluster: int | None = None

    def key(self) -> tuple[object, ...]:
        """What names this listing (for its cursors)."""
        return ("entries", self.status, self.kind, self.site, self.cluster)


def scoped_filter(filters: Filters, scope: TokenScope, limit: int | None) -> EntryFilter:
    """The store's filter for ``filters`` within ``scope``; :class:`ApiError` 403 when a
    filter asks for a status or kind the token may not read."""
    status, kind = filters.status, filters.kind
    if status is not None and scope.statuses and status not in scope.statuses:
        raise ApiError(403, f"status: this token may read only {', '.join(scope.statuses)}")
    if kind is not None and scope.kinds and kind not in scope.kinds:
        raise ApiError(403, f"kind: this token may read only {', '.join(scope.kinds)}")
    if status is None and len(scope.statuses) == 1:
        status = scope.statuses[0]
    if kind is None and len(scope.kinds) == 1:
        kind = scope.kinds[0]
    exact = (status is not None or not scope.statuses) and (kind is not None or not scope.kinds)
    return EntryFilter(
        status=status,
        kind=kind,
        site=filters.site,
        cluster=filters.cluster,
        limit=limit if exact else None,  # else the scope is applied to the stream
    )


def check_site(store: Store, site: str | None) -> None:
    """:class:`ApiError` 404 unless ``site`` (if given) has posts in the store."""
    if site is not None and not post_sites(store, site):
        raise ApiError(404, f"site: no site {site!r} has posts in the store")


def entries_page(
    store: Store, filters: Filters, scope: TokenScope, after: int | None, limit: int
) -> tuple[list[ExportRow], bool]:
    """Up to ``limit`` entries after id ``after``, and whether more follow."""
    where = scoped_filter(filters, scope, limit + 1)
    page = _scan(store, where, scope, after, limit + 1, evidence=1)
    return page[:limit], len(page) > limit


def entry_by_id(store: Store, entry_id: int, scope: TokenScope, evidence: int) -> ExportRow:
    """The entry ``entry_id`` with up to ``evidence`` sightings; 404 if none, out of the
    token's scope, or allowlisted (the feed never shows those)."""
    rows = list(
        iter_export_rows(
            store, EntryFilter(limit=1), evidence=evidence, order="id", after_id=entry_id - 1
        )
    )
    if not rows or rows[0].id != entry_id or not scope.allows(rows[0].kind, rows[0].status):
        raise ApiError(404, f"no entry with id {entry_id}")
    return rows[0]


def all_entries(store: Store, filters: Filters, scope: TokenScope) -> Iterator[ExportRow]:
    """Every entry of the listing in id order (streamed: one read transaction)."""
    where = scoped_filter(filters, scope, None)
    yield from _within(iter_export_rows(store, where, evidence=1, order="id"), scope)


def _within(rows: Iterator[ExportRow], scope: TokenScope) -> Iterator[ExportRow]:
    if not scope.statuses and not scope.kinds:
        return rows
    return (row for row in rows if scope.allows(row.kind, row.status))


def _scan(
    store: Store,
    where: EntryFilter,
    scope: TokenScope,
    after: int | None,
    want: int,
    *,
    evidence: int,
) -> list[ExportRow]:
    """``want`` entries within ``scope`` after id ``after``, read in bounded queries.

    Each query is read to its end (its LIMIT), never left open: with exact filters one query
    does; a scope applied in Python reads on, a chunk at a time, until it has enough.
    """
    chunk = where.limit if where.limit is not None else max(want, SCAN_CHUNK)
    found: list[ExportRow] = []
    while len(found) < want:
        batch = list(
            iter_export_rows(
                store, replace(where, limit=chunk), evidence=evidence, order="id", after_id=after
            )
        )
        found.extend(_within(iter(batch), scope))
        if len(batch) < chunk:
            break
        after = batch[-1].id
    return found[:want]
