"""Which entries a request may see: its filters within its token's scope, a page at a time.

The filters go to the store's query (:func:`watchlist.store.export_view.iter_export_rows`, in
ascending id); a scope of several statuses or kinds that the filters do not narrow to one is
applied to the streamed rows. Pages are keyset pages: the entries with an id above the
cursor's, so an entry added between two pages (a larger id) is never skipped nor repeated.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import islice

from watchlist.api.errors import ApiError
from watchlist.store.engine import Store
from watchlist.store.export_view import ExportRow, iter_export_rows
from watchlist.store.queries import EntryFilter, post_sites
from watchlist.store.tokens import TokenScope


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
    rows = iter_export_rows(store, where, evidence=1, order="id", after_id=after)
    with _closing(rows):
        page = list(islice(_within(rows, scope), limit + 1))
    return page[:limit], len(page) > limit


def entry_by_id(store: Store, entry_id: int, scope: TokenScope, evidence: int) -> ExportRow:
    """The entry ``entry_id`` with up to ``evidence`` sightings; 404 if none, out of the
    token's scope, or allowlisted (the feed never shows those)."""
    where = EntryFilter(limit=1)
    rows = iter_export_rows(store, where, evidence=evidence, order="id", after_id=entry_id - 1)
    with _closing(rows):
        row = next(rows, None)
    if row is None or row.id != entry_id or not scope.allows(row.kind, row.status):
        raise ApiError(404, f"no entry with id {entry_id}")
    return row


def all_entries(store: Store, filters: Filters, scope: TokenScope) -> Iterator[ExportRow]:
    """Every entry of the listing in id order (streamed: one read transaction)."""
    where = scoped_filter(filters, scope, None)
    rows = iter_export_rows(store, where, evidence=1, order="id")
    with _closing(rows):
        yield from _within(rows, scope)


def _within(rows: Iterator[ExportRow], scope: TokenScope) -> Iterator[ExportRow]:
    if not scope.statuses and not scope.kinds:
        return rows
    return (row for row in rows if scope.allows(row.kind, row.status))


@contextmanager
def _closing(rows: Iterator[ExportRow]) -> Iterator[None]:
    """End the stream's read transaction when the block ends, read to the end or not."""
    try:
        yield
    finally:
        close = getattr(rows, "close", None)
        if close is not None:
            close()
