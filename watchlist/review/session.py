"""One reviewer's pass over the queue: where they are, and what each key does to the store.

The Textual app (``app.py``) draws what this holds and calls its methods; everything here is
plain Python over the store's named functions, so it can be driven and tested without a
terminal. Reads go through a :class:`~watchlist.store.plain_sql.Reader` — the queue's plain SQL
(``store.queue_sql``, ``store.entry_sql``) run by ``sqlite3`` on a SQLite file, by SQLAlchemy
otherwise; decisions through ``store.review``, which needs the ORM. :class:`StoreOpening` opens
the ORM store on first use, or ahead of it in a thread: ``watchlist review`` draws its first
entry before SQLAlchemy, SQLModel and pydantic are imported.

The queue is read band by band (``store.queue_sql``): the best band at start, the next one when
the reviewer reaches the end of what is loaded. Entries decided during the pass stay in the
list with their new status, so ``k`` goes back to them; the cursor is saved at every move.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from watchlist.store.entry_sql import EntryView, read_entry_view
from watchlist.store.plain_sql import Reader, sqlite_reader
from watchlist.store.queue_sql import (
    BatchPreview,
    QueueFilter,
    band_counts,
    band_ids,
    position,
    saved_cursor,
)

if TYPE_CHECKING:
    from watchlist.store.engine import Store
    from watchlist.store.review import Decision
    from watchlist.store.tables import Entry

READ_AHEAD_EVIDENCE = 3  # the queue's evidence per entry (``e`` shows all, never cached)
READ_AHEAD_KEPT = 64


class StoreOpening:
    """The ORM store, opened once: on first use, or ahead of it in a thread (:meth:`start`).

    Opening it imports SQLAlchemy, SQLModel, pydantic and the tables (half a second): the
    queue's first screen is drawn without them, and they are imported while the reviewer reads.
    An error while opening is raised by :meth:`get`.
    """

    def __init__(self, opener: Callable[[], Store]) -> None:
        self._opener = opener
        self._store: Store | None = None
        self._failed: BaseException | None = None
        self._lock = threading.Lock()

    @classmethod
    def ready(cls, store: Store) -> StoreOpening:
        """An opening of a store already open."""
        opening = cls(lambda: store)
        opening._store = store
        return opening

    @property
    def is_open(self) -> bool:
        """Whether the store is open (``get`` returns at once)."""
        return self._store is not None

    def start(self, then: Callable[[], None] | None = None) -> None:
        """Open the store in a thread, then call ``then`` there (at once when it is open)."""
        if self._store is not None:
            if then is not None:
                then()
            return
        threading.Thread(
            target=self._open_quietly, args=(then,), name="open the store", daemon=True
        ).start()

    def _open_quietly(self, then: Callable[[], None] | None) -> None:
        try:
            self.get()
        except BaseException:  # kept: get() raises it where the store is needed
            return
        if then is not None:
            then()

    def get(self) -> Store:
        """The store, opened now if it is not yet (waiting for a thread opening it)."""
        with self._lock:
            if self._store is None and self._failed is None:
                try:
                    self._store = self._opener()
                except BaseException as exc:
                    self._failed = exc
            if self._failed is not None:
                raise self._failed
            assert self._store is not None
            return self._store


def reader_for(store: Store) -> Reader:
    """The queue's reads on ``store``: ``sqlite3`` on a SQLite file at the newest schema (what
    ``watchlist review`` uses), else the store's SQLAlchemy engine."""
    if store.dialect == "sqlite":
        reader = sqlite_reader(store.location)
        if reader is not None:
            return reader
    from watchlist.store.queue import store_reader

    return store_reader(store)


@dataclass(slots=True)
class ReviewSession:
    """The queue as one reviewer walks it.

    ``source``: the store, or a :class:`StoreOpening` of it; ``reads``: how the queue is read
    (default: :func:`reader_for` the store).
    """

    source: Store | StoreOpening
    reviewer: str
    where: QueueFilter = field(default_factory=QueueFilter)
    four_eyes: bool = False
    reads: Reader | None = field(default=None, repr=False)
    ids: list[int] = field(default_factory=list, repr=False)
    pos: int = 0  # len(ids): past the last entry
    total: int = 0
    tally: Counter[str] = field(default_factory=Counter)
    message: str = ""
    _bands: list[int] = field(default_factory=list, repr=False)  # bands not loaded yet, best first
    _starts: dict[int, int] = field(
        default_factory=dict, repr=False
    )  # band -> its first index in ids
    # Views read ahead (``prefetch``, in a worker thread) so that a move draws at once; any
    # decision clears them (``_generation`` tells a read that began before it to drop its view).
    _views: dict[int, EntryView] = field(default_factory=dict, repr=False)
    _generation: int = 0
    _saved: int | None = None  # the entry id last saved as the position
    _opening: StoreOpening | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        source = self.source
        self._opening = source if isinstance(source, StoreOpening) else StoreOpening.ready(source)
        if self.reads is None:
            self.reads = reader_for(self._opening.get())

    @property
    def store(self) -> Store:
        """The ORM store (opened now if it is not yet): decisions, notes, the cursor."""
        assert self._opening is not None
        return self._opening.get()

    @property
    def reader(self) -> Reader:
        """How the queue is read."""
        assert self.reads is not None
        return self.reads

    @property
    def store_is_open(self) -> bool:
        """Whether the ORM store is open (a decision or a save would not wait for it)."""
        assert self._opening is not None
        return self._opening.is_open

    def open_store_ahead(self) -> None:
        """Open the ORM store in a thread (the reviewer reads meanwhile), then save the
        position there: call it once the first entry is drawn."""
        assert self._opening is not None
        self._opening.start(then=self.save_position)

    def close(self) -> None:
        """Close the queue's own connections (a ``sqlite3`` reader's); the store stays open."""
        close = getattr(self.reads, "close", None)
        if close is not None:
            close()

    def open(self, *, resume: bool = True) -> None:
        """Count the queue and go to where the reviewer left it (or to its start)."""
        counts = band_counts(self.reader, self.where, self.reviewer)
        self.total = sum(counts.values())
        self._bands = list(counts)
        self.ids, self.pos, self._starts = [], 0, {}
        cursor = saved_cursor(self.reader, self.reviewer, self.where) if resume else None
        if cursor is not None:
            band, before = position(self.reader, self.where, self.reviewer, cursor)
            while self._bands and self._bands[0] >= band:
                self._load_next()
            self.pos = self._starts[band] + before if band in self._starts else len(self.ids)
            self.message = "resumed where you left off"
        self._fill()

    def _load_next(self) -> None:
        band = self._bands.pop(0)
        self._starts[band] = len(self.ids)
        self.ids.extend(band_ids(self.reader, self.where, self.reviewer, band))

    def _fill(self) -> None:
        """Load bands until the position holds an entry, or the queue is exhausted."""
        while self.pos >= len(self.ids) - 1 and self._bands:
            self._load_next()

    @property
    def current(self) -> int | None:
        """The id of the entry in front of the reviewer; None past the end."""
        return self.ids[self.pos] if self.pos < len(self.ids) else None

    def view(self, evidence: int | None = 3) -> EntryView | None:
        """What the queue shows of the current entry (read ahead, when it was)."""
        current = self.current
        if current is None:
            return None
        if evidence == READ_AHEAD_EVIDENCE and (cached := self._views.get(current)) is not None:
            return cached
        view = read_entry_view(self.reader, current, evidence)
        if evidence == READ_AHEAD_EVIDENCE:
            self._keep(self._generation, view)
        return view

    def prefetch(self) -> EntryView | None:
        """Read the view of the next entry, for the next keypress, and return it (``k`` finds
        the previous one still kept); None past the end.

        Safe in a worker thread: it only reads the store and adds finished views to the cache,
        unless a decision cleared it meanwhile.
        """
        generation, at, ids = self._generation, self.pos + 1, self.ids
        if not 0 <= at < len(ids):
            return None
        if (view := self._views.get(ids[at])) is None:
            view = read_entry_view(self.reader, ids[at], READ_AHEAD_EVIDENCE)
            self._keep(generation, view)
        return view

    def _keep(self, generation: int, view: EntryView) -> None:
        if generation != self._generation:
            return
        if len(self._views) >= READ_AHEAD_KEPT:
            self._views.clear()
        self._views[view.entry.id or 0] = view

    def forget_views(self) -> None:
        """Drop the views read ahead: the store changed (a decision, a note, an undo)."""
        self._generation += 1
        self._views = {}

    def move(self, step: int, *, save: bool = True) -> None:
        """Go ``step`` entries on (or back); the end of the queue is one step past the last.

        The position is saved at once, unless ``save`` is False: then :meth:`save_position`
        (the app saves it in its read-ahead worker, and when it quits).
        """
        self.pos = max(0, min(len(self.ids), self.pos + step))
        self._fill()
        self.pos = min(self.pos, len(self.ids))
        if save:
            self.save_position()

    def save_position(self) -> None:
        """Save the reviewer's position in this queue (nothing to do when it is saved)."""
        current = self.current
        if current is not None and current != self._saved:
            from watchlist.store.queue import save_cursor

            save_cursor(self.store, self.reviewer, self.where, current)
            self._saved = current

    def decide(self, status: str, reason: str | None = None) -> list[Decision]:
        """Confirm or dismiss the current entry, then go to the next one."""
        current = self.current
        if current is None:
            return []
        from watchlist.store.review import set_status

        decisions = set_status(
            self.store, [current], status, self.reviewer, reason=reason, four_eyes=self.four_eyes
        )
        self.forget_views()
        self._count(decisions, status)
        if not any(d.refused for d in decisions):
            self.move(1)
        return decisions

    def _count(self, decisions: list[Decision], status: str) -> None:
        for d in decisions:
            if d.refused:
                self.message = d.refused
            elif d.changed:
                self.tally["confirmed" if status == "confirmed" else "dismissed"] += 1
            elif d.awaiting:
                self.tally["awaiting"] += 1
        done = [d for d in decisions if d.changed or (d.awaiting and not d.refused)]
        if len(decisions) == 1 and done:
            d = done[0]
            self.message = (
                f"#{d.entry_id} confirmed once: awaiting a second reviewer"
                if d.awaiting and not d.changed
                else f"#{d.entry_id} {d.from_status} → {d.to_status}"
            )
        elif len(decisions) == 1 and not decisions[0].refused:
            self.message = f"#{decisions[0].entry_id} already {decisions[0].to_status}"
        elif len(decisions) > 1:
            self.message = f"{len(done)} of {len(decisions)} entries decided"

    def skip(self) -> None:
        """Leave the current entry for later and go to the next one."""
        if self.current is not None:
            self.tally["skipped"] += 1
            self.message = f"#{self.current} skipped"
        self.move(1)

    def note(self, text: str) -> None:
        """Set the current entry's note (audited; the status stays)."""
        current = self.current
        if current is not None and text.strip():
            from watchlist.store.review import add_note

            add_note(self.store, current, self.reviewer, text.strip())
            self.forget_views()
            self.message = f"#{current}: note saved"

    def undo(self) -> list[Decision]:
        """Reverse the reviewer's last decision not undone yet, and go back to its entry."""
        from watchlist.store.review import last_decision, undo

        batch = last_decision(self.store, self.reviewer)
        if batch is None:
            self.message = "nothing to undo"
            return []
        decisions = undo(self.store, batch, self.reviewer)
        self.forget_views()
        back = [d for d in decisions if not d.refused]
        refused = [d.refused for d in decisions if d.refused]
        self.tally["undone"] += len(back)
        if len(decisions) == 1 and back:
            d = back[0]
            self.message = f"undone: #{d.entry_id} {d.from_status} → {d.to_status}"
        else:
            self.message = f"undone: {len(back)} of {len(decisions)} entries"
        if refused:
            self.message += f" ({refused[0]})"
        if back and back[-1].entry_id in self.ids:
            self.pos = self.ids.index(back[-1].entry_id)
            self.save_position()
        return decisions

    def cluster_members(self, cluster: int) -> list[Entry]:
        """The members of an operator cluster, best first."""
        from watchlist.store.clusters import cluster_entries

        return cluster_entries(self.store, cluster)

    def preview(self, *, site: str | None = None, cluster: int | None = None) -> BatchPreview:
        """What a batch over ``site`` or ``cluster`` would decide."""
        from watchlist.store.queue import batch_preview

        return batch_preview(self.reader, self.reviewer, site=site, cluster=cluster)

    def batch(
        self, preview: BatchPreview, status: str, reason: str | None = None
    ) -> list[Decision]:
        """Decide every entry of ``preview`` that is still new: one audited row per entry."""
        from watchlist.store.review import set_status

        decisions = set_status(
            self.store,
            list(preview.entry_ids),
            status,
            self.reviewer,
            reason=reason,
            four_eyes=self.four_eyes,
            only_status="new",
        )
        self.forget_views()
        self._count(decisions, status)
        self.message = f"{preview.scope}: " + self.message
        return decisions
