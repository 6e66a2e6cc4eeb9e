"""Write crawled posts and their handles: idempotent, batched upserts on SQLite and PostgreSQL.

Re-saving a post never duplicates it or its sightings; two processes saving at once queue on
the database's write lock (see ``engine.py``) and both succeed.

Every string is made storable first (``storable``): one hostile title cannot make a batch
fail. A batch the database still refuses is split in halves until each refused post stands
alone; that post is set aside (``IngestResult.set_aside``, with why), every other one stored.
The thread of a set-aside post is not remembered (its mark is dropped): the next crawl reads it
again. A database that cannot be reached at all is no post's fault: that error is raised.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

from sqlalchemy.exc import (
    DBAPIError,
    InterfaceError,
    InternalError,
    OperationalError,
    SQLAlchemyError,
    StatementError,
)

from watchlist.extract.known import is_public_contract
from watchlist.store.crawl_state import write_marks
from watchlist.store.engine import Store
from watchlist.store.records import IngestResult, PostRecord, SetAside
from watchlist.store.storable import (
    AUTHOR_MAX,
    TEXT_MAX,
    TITLE_MAX,
    VALUE_MAX,
    capped,
    digest,
    fitted_url,
    storable_text,
    storable_url,
    stored_url,
)
from watchlist.store.upserts import Ready, Sight, write

SNIPPET_CONTEXT = 80
ROLE_WEIGHT = {"offered": 1.0, "reported": 0.9, "mentioned": 0.5}
PUBLIC_CONTRACT_WEIGHT = 0.1
Marks = Mapping[str, Mapping[str, str]]  # {site: {page url: mark}}


def content_hash(text: str) -> str:
    """The SHA-256 of a post's text, hex."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def entry_score(otc_score: float, role: str, kind: str = "", value: str = "") -> float:
    """How strongly one sighting points at a seller: the post's OTC score, weighed by role.

    A public contract address (Tether's, USDC's: every USDT post may name one) scores a tenth.
    """
    weight = PUBLIC_CONTRACT_WEIGHT if is_public_contract(kind, value) else 1.0
    return round(min(1.0, max(0.0, otc_score)) * ROLE_WEIGHT.get(role, 0.5) * weight, 4)


def snippet(text: str, start: int, end: int) -> str:
    """The text around a span, for evidence."""
    return text[max(0, start - SNIPPET_CONTEXT) : end + SNIPPET_CONTEXT]


def save_posts(
    store: Store, posts: Sequence[PostRecord], marks: Marks | None = None
) -> IngestResult:
    """Upsert ``posts`` with their entries and sightings, and the pages' ``marks``.

    In one transaction when the database takes them all: a page is remembered as done only
    together with its posts. Otherwise refused posts are set aside one by one (see the module
    docstring) and the marks of the others' pages saved after them.
    """
    result = IngestResult()
    ready = sorted(
        {post.url: post for post in (_ready(p, result) for p in posts)}.values(),
        key=lambda post: post.url,
    )
    clean = _storable_marks(marks or {})
    if not ready and not clean:
        return result
    now = datetime.now(UTC)
    try:
        with store.write() as session:
            written = write(session, ready, now)
            for site, site_marks in sorted(clean.items()):
                write_marks(session, site, site_marks)
        written.threads_remembered = sum(map(len, clean.values()))
        result.add(written)
        return result
    except Exception as exc:
        if not refused(exc):
            raise
    if ready:
        _isolate(store, ready, now, result)
    lost = {(aside.site, aside.thread_url) for aside in result.set_aside}
    kept = {
        site: {url: mark for url, mark in site_marks.items() if (site, url) not in lost}
        for site, site_marks in clean.items()
    }
    _save_marks(store, kept, result)
    return result


def refused(exc: BaseException) -> bool:
    """Whether the database refused what was written, rather than could not be used at all."""
    if isinstance(exc, OperationalError | InterfaceError | InternalError):
        return False  # not reachable, locked, out of space: no post's fault
    if isinstance(exc, SQLAlchemyError):
        return isinstance(exc, StatementError)  # a DBAPIError too: the database said no
    return isinstance(exc, ValueError | TypeError | OverflowError)  # UnicodeError is a ValueError


def _isolate(store: Store, posts: Sequence[Ready], now: datetime, result: IngestResult) -> None:
    """Store ``posts``, halving the batch around each post the database refuses."""
    try:
        with store.write() as session:
            result.add(write(session, posts, now))
    except Exception as exc:
        if not refused(exc):
            raise
        if len(posts) > 1:
            half = len(posts) // 2
            _isolate(store, posts[:half], now, result)
            _isolate(store, posts[half:], now, result)
        else:
            post = posts[0]
            why = error_line(exc)
            result.set_aside.append(SetAside(post.url, post.site, post.thread_url, why))


def _save_marks(store: Store, marks: Marks, result: IngestResult) -> None:
    if not any(marks.values()):
        return
    try:
        with store.write() as session:
            for site, site_marks in sorted(marks.items()):
                write_marks(session, site, site_marks)
    except Exception as exc:
        if not refused(exc):
            raise
        return  # an optimization lost: the next crawl reads those pages again
    result.threads_remembered += sum(map(len, marks.values()))


def error_line(exc: BaseException) -> str:
    """A store error as one printable line: the database's own error, without SQL or values."""
    cause: BaseException = exc.orig if isinstance(exc, DBAPIError) and exc.orig else exc
    lines = str(cause).strip().splitlines() or [""]
    return capped(storable_text(f"{type(cause).__name__}: {lines[0]}"), 200)


def _ready(post: PostRecord, result: IngestResult) -> Ready:
    """``post`` made storable (``storable``), counting what had to be cut or left out."""
    text = storable_text(post.text)
    stored_text = _cut(text, TEXT_MAX, result)
    title = _cut(storable_text(post.title), TITLE_MAX, result) if post.title else None
    author = _cut(storable_text(post.author), AUTHOR_MAX, result) if post.author else None
    url = _url(post.url, result)
    sights = []
    for found in post.found:
        handle = found.handle
        if len(handle.value) > VALUE_MAX or storable_text(handle.value) != handle.value:
            result.handles_set_aside += 1
            continue
        source = found.source if found.source == "text" else _url(found.source, result)
        seen_in = text if found.payload is None else storable_text(found.payload)
        row = {
            "snippet": snippet(seen_in, handle.start, handle.end),
            "span_start": handle.start,
            "span_end": handle.end,
            "provider": capped(storable_text(handle.provider), 32) if handle.provider else None,
            "role": handle.role[:16],
            "source": source,
        }
        score = entry_score(post.otc_score, handle.role, handle.kind, handle.value)
        sights.append(Sight(handle.kind[:32], handle.value, score, row))
    return Ready(
        url=url,
        site=post.site,
        thread_url=stored_url(post.thread_url) if post.thread_url else None,
        title=title,
        title_digest=digest(title) if title is not None else None,
        row={
            "url": url,
            "site": post.site,
            "author": author,
            "posted_at": post.posted_at,
            "fetched_at": post.fetched_at,
            "content_hash": content_hash(stored_text),
            "text": stored_text,
            "otc_score": post.otc_score,
        },
        sights=tuple(sights),
    )


def _cut(value: str, limit: int, result: IngestResult) -> str:
    if len(value) > limit:
        result.truncated_fields += 1
        return capped(value, limit)
    return value


def _url(url: str, result: IngestResult) -> str:
    encoded = storable_url(url)
    stored = fitted_url(encoded)
    result.truncated_fields += stored != encoded
    return stored


def _storable_marks(marks: Marks) -> dict[str, dict[str, str]]:
    return {
        site: {stored_url(url): storable_text(mark) for url, mark in pages.items()}
        for site, pages in marks.items()
        if pages
    }
