"""One reviewer's pass over the queue: where they are, and what each key does to the store.

The Textual app (``app.py``) draws what this holds and calls its methods; everything here is
plain Python over the store's named functions (``store.queue`` reads, ``store.review``
writes), so it can be driven and tested without a terminal.

The queue is read band by band (``store.queue``): the best band at start, the next one when
the reviewer reaches the end of what is loaded. Entries decided during the pass stay in the
list with their new status, so ``k`` goes back to them; the cursor is saved at every move.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from watchlist.store import Store
from watchlist.store.clusters import cluster_entries
from watchlist.store.entry_view import EntryView, entry_view
from watchlist.store.queue import (
    BatchPreview,
    QueueFilter,
    band_counts,
    band_ids,
    batch_preview,
    position,
    save_cursor,
    saved_cursor,
)
from watchlist.store.review import Decision, add_note, last_decision, set_status, undo
from watchlist.store.tables import Entry

READ_AHEAD_EVIDENCE = 3  # the queue's evidence per entry (``e`` shows all, never cached)
READ_AHEAD_KEPT = 64


@dataclass(slots=True)
class ReviewSession:
    """The queue as one reviewer walks it."""

    store: Store
    reviewer: str
    where: QueueFilter = field(default_factory=QueueFilter)
    four_eyes: bool = False
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

    def open(self, *, resume: bool = True) -> None:
        """Count the queue and go to where the reviewer left it (or to its start)."""
        counts = band_counts(self.store, self.where, self.reviewer)
        self.total = sum(counts.values())
        self._bands = list(counts)
        self.ids, self.pos, self._starts = [], 0, {}
        cursor = saved_cursor(self.store, self.reviewer, self.where) if resume else None
        if cursor is not None:
            band, before = position(self.store, self.where, self.reviewer, cursor)
            while self._bands and self._bands[0] >= band:
                self._load_next()
            self.pos = self._starts[band] + before if band in self._starts else len(self.ids)
            self.message = "resumed where you left off"
        self._fill()

    def _load_next(self) -> None:
        band = self._bands.pop(0)
        self._starts[band] = len(self.ids)
        self.ids.extend(band_ids(self.store, self.where, self.reviewer, band))

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
        view = entry_view(self.store, current, evidence)
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
            view = entry_view(self.store, ids[at], READ_AHEAD_EVIDENCE)
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
            save_cursor(self.store, self.reviewer, self.where, current)
            self._saved = current

    def decide(self, status: str, reason: str | None = None) -> list[Decision]:
        """Confirm or dismiss the current entry, then go to the next one."""
        current = self.current
        if current is None:
            return []
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
            add_note(self.store, current, self.reviewer, text.strip())
            self.forget_views()
            self.message = f"#{current}: note saved"

    def undo(self) -> list[Decision]:
        """Reverse the reviewer's last decision not undone yet, and go back to its entry."""
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
        return cluster_entries(self.store, cluster)

    def preview(self, *, site: str | None = None, cluster: int | None = None) -> BatchPreview:
        """What a batch over ``site`` or ``cluster`` would decide."""
        return batch_preview(self.store, self.reviewer, site=site, cluster=cluster)

    def batch(
        self, preview: BatchPreview, status: str, reason: str | None = None
    ) -> list[Decision]:
        """Decide every entry of ``preview`` that is still new: one audited row per entry."""
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
