"""The review queue in the terminal (Textual): one entry at a time, keyboard only.

:class:`ReviewApp` shows :class:`QueueScreen`, whose keys are in its footer and on ``?``. The
screen asks the :class:`~watchlist.review.session.ReviewSession` for data and decisions and
hands what it gets to widgets and screens that only draw it.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.strip import Strip
from textual.widgets import Footer, Static

from watchlist.review.entry_panel import EntryPanel, render_strips
from watchlist.review.panels import (
    entry_text,
    members_text,
    preview_text,
    shown,
    sightings_text,
)
from watchlist.review.screens import (
    ClusterScreen,
    NoteScreen,
    PromptScreen,
    ReasonScreen,
    ScopeScreen,
    TextScreen,
    help_text,
)
from watchlist.review.session import ReviewSession
from watchlist.store.entry_sql import EntryView
from watchlist.store.queue_sql import BatchPreview

READ_AHEAD_DRAWN = 64  # entries whose lines are kept (the session keeps as many views)
HINT = "j/k or ↓/↑: next/previous entry · PgDn/PgUp: scroll"
END = Text(
    "End of the queue: nothing left here for you.\n\n"
    "k goes back to the entries of this pass; q quits.",
    style="bold",
)


class QueueScreen(Screen[None]):
    """The queue: the current entry, a status line and the keys."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("c", "decide('confirmed')", "confirm"),
        Binding("d", "dismiss_entry", "dismiss"),
        Binding("s", "skip", "skip"),
        Binding("n", "note", "note"),
        Binding("e", "every", "all"),
        Binding("o", "cluster", "cluster"),
        Binding("C", "batch('confirmed')", "batch", key_display="C/D"),
        Binding("D", "batch('dismissed')", "batch dismiss", show=False),
        Binding("z", "undo", "undo"),
        Binding("j,down", "move(1)", "next", show=False),
        Binding("k,up", "move(-1)", "previous", show=False),
        Binding("pageup", "page(-1)", "page up", show=False),
        Binding("pagedown", "page(1)", "page down", show=False),
        Binding("question_mark", "help", "help", key_display="?"),
        Binding("q", "quit", "quit"),
    ]
    DEFAULT_CSS = """
    #top { height: 1; background: $primary-background; color: $text; padding: 0 1; }
    #entry {
        height: 1fr; padding: 0 0 0 1; background: $surface; scrollbar-size-vertical: 1;
    }
    #message { height: 1; padding: 0 1; color: $warning; }
    """

    def __init__(self, session: ReviewSession) -> None:
        super().__init__()
        self.session = session
        self.view: EntryView | None = None
        # entry id -> (its view, that view's lines): rendered by the read-ahead worker
        self._drawn: dict[int, tuple[EntryView, list[Strip]]] = {}

    def compose(self) -> ComposeResult:
        yield Static(id="top", markup=False)
        yield EntryPanel(id="entry")
        yield Static(id="message", markup=False)
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self.redraw()
        # the ORM (decisions, the saved position) is imported once the first entry is drawn
        self.call_after_refresh(self.session.open_store_ahead)

    def redraw(self) -> None:
        """Draw the current entry, the position and the last message."""
        s = self.session
        self.view = s.view()
        panel = self.query_one(EntryPanel)
        if self.view is None:
            panel.show(END)
        else:
            drawn = self._drawn.get(self.view.entry.id or 0)
            lines = drawn[1] if drawn is not None and drawn[0] is self.view else None
            panel.show(entry_text(self.view), lines)
        at = f"{s.pos + 1:,}/{s.total:,}" if s.current is not None else f"end/{s.total:,}"
        tally = " ".join(
            f"{label} {s.tally[key]}"
            for key, label in (
                ("confirmed", "✓"),
                ("awaiting", "awaiting"),
                ("dismissed", "✗"),
                ("skipped", "skip"),
                ("undone", "undo"),
            )
            if s.tally[key]
        )
        filters = s.where.key()
        top = f"review · {shown(s.reviewer)} · {at}"
        top += f" · {shown(filters)}" if filters != "all" else ""
        top += " · four-eyes" if s.four_eyes else ""
        top += f" · {tally}" if tally else ""
        self.query_one("#top", Static).update(Text(top), layout=False)
        message = Text(shown(s.message)) if s.message else Text(HINT, style="dim")
        self.query_one("#message", Static).update(message, layout=False)
        s.message = ""
        # the position is saved and the next entry read and rendered while the reviewer reads
        # this one: from once this frame is drawn, so that the worker's Python does not hold
        # the interpreter lock while the key's frame is rendered
        self.call_after_refresh(self._start_read_ahead, panel.text_width)

    def _start_read_ahead(self, width: int) -> None:
        # a description of its own: Textual would repr() the session, all its ids
        self.run_worker(
            lambda: self._read_ahead(width),
            name="read-ahead",
            description="read the next entry ahead",
            thread=True,
            exclusive=True,
            group="read-ahead",
        )

    def _read_ahead(self, width: int) -> None:
        """Read the next entry's view, wrap its lines at ``width`` and save the position.

        In a worker thread: a write that waits on a busy disk never delays a keypress. Until
        the store is open (``open_store_ahead``) the position is saved once it opens instead.
        """
        try:
            self._prefetch(width)
        finally:
            if self.session.store_is_open:
                self.session.save_position()

    def _prefetch(self, width: int) -> None:
        view = self.session.prefetch()
        if view is None or not width or view.entry.id is None:
            return
        drawn = self._drawn.get(view.entry.id)
        if drawn is not None and drawn[0] is view:
            return
        lines = render_strips(entry_text(view), width, self.app.console)
        if len(self._drawn) >= READ_AHEAD_DRAWN:
            self._drawn = {}
        self._drawn[view.entry.id] = (view, lines)

    def action_move(self, step: int) -> None:
        """Next or previous entry."""
        self.session.move(step, save=False)  # saved by the read-ahead worker
        self.redraw()

    def action_page(self, direction: int) -> None:
        """Scroll a long entry."""
        body = self.query_one(EntryPanel)
        (body.scroll_page_down if direction > 0 else body.scroll_page_up)(animate=False)

    def action_decide(self, status: str, reason: str | None = None) -> None:
        """Confirm (or dismiss, with a reason) the current entry."""
        if self.session.current is None:
            return
        self.session.decide(status, reason)
        self.redraw()

    def action_dismiss_entry(self) -> None:
        """Ask for a reason, then dismiss."""
        if self.session.current is None:
            return

        def done(reason: str | None) -> None:
            if reason is not None:
                self.action_decide("dismissed", reason)

        self.app.push_screen(ReasonScreen(), done)

    def action_skip(self) -> None:
        """Leave the entry new and go on."""
        self.session.skip()
        self.redraw()

    def action_note(self) -> None:
        """Write a note on the entry."""
        if self.view is None:
            return

        def done(note: str | None) -> None:
            if note:
                self.session.note(note)
            self.redraw()

        self.app.push_screen(NoteScreen(self.view.entry.note), done)

    def action_every(self) -> None:
        """Show every sighting of the entry."""
        full = self.session.view(evidence=None)
        if full is not None:
            self.app.push_screen(TextScreen(sightings_text(full)))

    def action_cluster(self) -> None:
        """Show the entry's operator cluster; C / D there decide all its new entries."""
        if self.view is None or self.view.cluster is None:
            self.session.message = "no operator cluster: this entry was seen with no other"
            self.redraw()
            return
        cluster = self.view.cluster.id
        members = self.session.cluster_members(cluster)

        def done(status: str | None) -> None:
            if status is not None:
                self._ask_batch(status, self.session.preview(cluster=cluster))

        self.app.push_screen(ClusterScreen(members_text(cluster, members)), done)

    def action_batch(self, status: str) -> None:
        """Decide every new entry of one of the entry's sites, or of its cluster."""
        if self.view is None:
            return
        sites = [site for site in self.view.entry.sites.split(",") if site]
        cluster = self.view.cluster.id if self.view.cluster is not None else None
        verb = "Confirm" if status == "confirmed" else "Dismiss"

        def scoped(scope: str | None) -> None:
            if scope is None:
                return
            kind, _, name = scope.partition(":")
            preview = (
                self.session.preview(site=name)
                if kind == "site"
                else self.session.preview(cluster=int(name))
            )
            self._ask_batch(status, preview)

        self.app.push_screen(ScopeScreen(verb, sites, cluster), scoped)

    def _ask_batch(self, status: str, preview: BatchPreview) -> None:
        if not preview.size:
            self.session.message = f"{preview.scope}: no new entry left to decide"
            self.redraw()
            return

        def ask(reason: str | None) -> None:
            def answered(yes: bool | None) -> None:
                if yes:
                    self.session.batch(preview, status, reason)
                self.redraw()

            self.app.push_screen(PromptScreen(preview_text(preview, status, reason)), answered)

        if status == "dismissed":
            self.app.push_screen(ReasonScreen(), lambda r: ask(r) if r is not None else None)
        else:
            ask(None)

    def action_undo(self) -> None:
        """Undo your last decision."""
        self.session.undo()
        self.redraw()

    def action_help(self) -> None:
        """Show the keys."""
        self.app.push_screen(TextScreen(help_text()))

    def action_quit(self) -> None:
        """Quit; the position is already saved (or is now)."""
        self.session.save_position()
        self.app.exit()


class ReviewApp(App[None]):
    """``watchlist review``: the queue screen over a :class:`ReviewSession`."""

    TITLE = "watchlist review"
    ENABLE_COMMAND_PALETTE = False

    def __init__(self, session: ReviewSession) -> None:
        super().__init__()
        self.session = session

    def on_mount(self) -> None:
        self.push_screen(QueueScreen(self.session))
