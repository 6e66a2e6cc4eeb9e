"""``watchlist review`` (the queue), ``watchlist confirm`` and ``watchlist dismiss``."""

from __future__ import annotations

import getpass
import sys
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated

import typer

from watchlist import settings
from watchlist.cli.options import (
    KINDS,
    DbOption,
    SiteOption,
    check_site,
    checked_ids,
    choice,
    store_for,
    take_site,
)
from watchlist.cli.render import console, inert
from watchlist.errors import UsageError
from watchlist.store.queue_sql import REASONS

if TYPE_CHECKING:
    from watchlist.review.session import ReviewSession, StoreOpening
    from watchlist.store.engine import Store
    from watchlist.store.plain_sql import Reader
    from watchlist.store.review import Decision

IdsArgument = Annotated[list[int], typer.Argument(metavar="ID...", help="Entry ids.")]
ReviewerOption = Annotated[
    str | None, typer.Option("--reviewer", help="Who decided (default: your user name).")
]
NoteOption = Annotated[
    str | None, typer.Option("--note", help="Why; kept with the entry and the audit log.")
]


def _kinds(values: list[str] | None) -> list[str]:
    return list(dict.fromkeys(choice(v, KINDS, "--kind") for v in values or ()))


KindsOption = Annotated[
    list[str] | None,
    typer.Option(
        "--kind", help=f"Only this kind (repeatable): {', '.join(KINDS)}.", callback=_kinds
    ),
]
ReasonOption = Annotated[
    str | None,
    typer.Option(
        "--reason",
        help=f"Why, as a code: for dismiss one of {', '.join(REASONS)}; for confirm any word.",
    ),
]


def register(app: typer.Typer) -> None:
    """Add the commands of this module to ``app``."""
    app.command("confirm")(confirm_command)
    app.command("dismiss")(dismiss_command)
    app.command("review")(review_command)


def reviewer_name(given: str | None) -> str:
    """``--reviewer``, else the OS user; a :class:`UsageError` when neither is known."""
    name = (given or "").strip()
    if name:
        return name
    try:
        return getpass.getuser()
    except (OSError, KeyError) as exc:
        raise UsageError("cannot tell who you are: pass --reviewer NAME") from exc


def _said(d: Decision) -> str:
    if d.refused:
        return d.refused
    if d.awaiting and not d.changed:
        return f"confirmed once by {d.first_confirmed_by}: awaiting a second, different reviewer"
    if d.changed:
        second = f" (second review; first: {d.first_confirmed_by})" if d.first_confirmed_by else ""
        return f"{d.from_status} → {d.to_status}{second}"
    return f"already {d.to_status}"


def _decide(
    ids: list[int],
    status: str,
    reviewer: str | None,
    note: str | None,
    reason: str | None,
    db: str | None,
) -> None:
    from watchlist.store.review import set_status

    ids = checked_ids(ids)
    decisions = set_status(store_for(db), ids, status, reviewer_name(reviewer), note, reason=reason)
    for d in decisions:
        console.print(inert(f"#{d.entry_id} {d.kind} {d.value}: {_said(d)}", keep_newlines=False))


def confirm_command(
    ids: IdsArgument,
    reviewer: ReviewerOption = None,
    note: NoteOption = None,
    reason: ReasonOption = None,
    db: DbOption = None,
) -> None:
    """Confirm entries: they join the list handed to the enforcement side.

    In four-eyes mode (WATCHLIST_FOUR_EYES=1) an entry is confirmed only when a second,
    different reviewer confirms it too; until then it awaits a second review.

    Example:

        watchlist confirm 12 15 --reviewer alice --note "seller ad, 3 sites"
    """
    _decide(ids, "confirmed", reviewer, note, reason, db)


def dismiss_command(
    ids: IdsArgument,
    reviewer: ReviewerOption = None,
    note: NoteOption = None,
    reason: ReasonOption = None,
    db: DbOption = None,
) -> None:
    """Dismiss entries (false positives, or no longer relevant).

    Example:

        watchlist dismiss 7 --reason victim-or-warning --note "victim's number in a warning"
    """
    _decide(ids, "dismissed", reviewer, note, reason, db)


def review_command(
    kind: KindsOption = None,
    site: SiteOption = None,
    min_score: Annotated[
        float | None,
        typer.Option("--min-score", min=0.0, max=1.0, help="Only entries scoring at least this."),
    ] = None,
    cluster: Annotated[
        int | None, typer.Option("--cluster", help="Only the members of this operator cluster.")
    ] = None,
    rereview: Annotated[
        bool,
        typer.Option(
            "--rereview", help="Dismissed entries flagged for re-review, instead of new ones."
        ),
    ] = False,
    from_top: Annotated[
        bool, typer.Option("--from-top", help="Start at the top, not where you left off.")
    ] = False,
    reviewer: ReviewerOption = None,
    db: DbOption = None,
) -> None:
    """The interactive review queue: new entries, best first, one key per decision.

    Keys: c confirm, d dismiss (with a reason), s skip, n note, e every sighting, o operator
    cluster, C/D batch over a site or cluster, z undo, j/k move, ? help, q quit. Quitting and
    starting again resumes where you left off (per reviewer and filters). See docs/review.md.

    Example:

        watchlist review --kind alipay --kind wechat --min-score 0.6 --reviewer alice
    """
    from watchlist.review.session import StoreOpening, reader_for
    from watchlist.store import queue_sql
    from watchlist.store.plain_sql import sqlite_reader

    url = db or settings.load().database_url
    reads: Reader | None = sqlite_reader(url)  # the first screen read without the ORM
    if reads is None:  # another database, or a store to create or migrate: the usual way
        store = store_for(db)  # checks --site too
        opening = StoreOpening.ready(store)
        reads = reader_for(store)
    else:
        site_given, light = take_site(), reads
        if site_given is not None:
            check_site(lambda name: queue_sql.post_sites(light, name), site_given)
        opening = StoreOpening(lambda: _opened(db))
    try:
        _review(opening, reads, kind, site, min_score, cluster, rereview, from_top, reviewer)
    finally:
        close = getattr(reads, "close", None)
        if close is not None:
            close()
        if opening.is_open:
            opening.get().close()  # SQLite folds its write-ahead log into the file


def _opened(db: str | None) -> Store:
    from watchlist.store import open_store

    return open_store(db or settings.load().database_url, create=False)


def _review(
    opening: StoreOpening,
    reads: Reader,
    kind: list[str] | None,
    site: str | None,
    min_score: float | None,
    cluster: int | None,
    rereview: bool,
    from_top: bool,
    reviewer: str | None,
) -> None:
    from watchlist.review.session import ReviewSession
    from watchlist.store.queue_sql import QueueFilter

    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise UsageError("watchlist review needs a terminal; in scripts use confirm / dismiss")
    where = QueueFilter(tuple(kind or ()), site, min_score, cluster, rereview)
    four_eyes = settings.load().four_eyes
    session = ReviewSession(opening, reviewer_name(reviewer), where, four_eyes, reads=reads)
    opened = _opening(session, resume=not from_top)
    from watchlist.review.app import ReviewApp  # Textual loads while the store is read

    opened()
    if not session.total:
        what = "" if where.key() == "all" else f" ({where.key()})"
        console.print(inert(f"nothing to review{what}", keep_newlines=False))
        return
    ReviewApp(session).run()
    tally = session.tally
    kinds = ("confirmed", "awaiting", "dismissed", "skipped", "undone")
    done = ", ".join(f"{tally[k]} {k}" for k in kinds if tally[k]) or "no decision"
    console.print(f"{done} · watchlist review goes on from here next time", markup=False)


def _opening(session: ReviewSession, *, resume: bool) -> Callable[[], None]:
    """Open the queue and read its first entry in a thread; the call returned waits for it.

    SQLite runs its queries without holding the interpreter lock, so on a second core they
    overlap the import of Textual that follows (start-up is mostly imports: docs/benchmarks.md).
    An error in the thread is raised by the call.
    """
    failed: list[BaseException] = []

    def read() -> None:
        try:
            session.open(resume=resume)
            session.view()  # kept: the first draw does not query
        except BaseException as exc:  # raised again in the caller's thread
            failed.append(exc)

    thread = threading.Thread(target=read, name="open the queue", daemon=True)
    thread.start()

    def wait() -> None:
        thread.join()
        if failed:
            raise failed[0]

    return wait
