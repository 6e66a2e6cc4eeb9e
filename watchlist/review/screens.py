"""The queue's secondary screens: each shows what it is handed and returns the reviewer's answer.

None of them reads the store: the queue screen (``app.py``) asks the session, hands the result
to one of these, and acts on what it returns (``dismiss(value)``).
"""

from __future__ import annotations

from typing import ClassVar

from rich.console import RenderableType
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Footer, Input, Static

from watchlist.review.panels import reasons_text, shown
from watchlist.store.queue_sql import REASONS

HELP = """Keys of the review queue

c        confirm: the entry joins the list for the enforcement side
         (four-eyes mode: a second, different reviewer must confirm too)
d        dismiss, with a reason code (1-5)
s        skip: leave it new, go to the next entry
n        note: write a note on the entry (kept in the audit log)
e        every sighting of the entry, in full
o        the operator cluster: entries seen in the same posts
C / D    batch: confirm / dismiss every new entry of a site or of the cluster
         (shows how many and which kinds, then asks y/n)
z        undo your last decision (a batch as a whole)
j / ↓    next entry          k / ↑    previous entry
PgUp/PgDn  scroll a long entry
?        this help           q        quit (start again to resume here)

Every decision is written at once to the audit log, with your name and the reason.
"""


class TextScreen(Screen[str | None]):
    """A full screen of scrollable text; ``esc`` or ``q`` goes back."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "close", "back"),
        Binding("pageup", "page(-1)", "page up", show=False),
        Binding("pagedown", "page(1)", "page down", show=False),
    ]
    DEFAULT_CSS = """
    TextScreen VerticalScroll { padding: 0 1; }
    """

    def __init__(self, body: RenderableType) -> None:
        super().__init__()
        self.body = body

    def compose(self) -> ComposeResult:
        with VerticalScroll(can_focus=False):
            yield Static(self.body, markup=False, id="text")
        yield Footer(compact=True, show_command_palette=False)

    def action_close(self) -> None:
        """Go back to the queue."""
        self.dismiss(None)

    def action_page(self, direction: int) -> None:
        """Scroll a page."""
        scroll = self.query_one(VerticalScroll)
        (scroll.scroll_page_down if direction > 0 else scroll.scroll_page_up)()


class ClusterScreen(TextScreen):
    """An operator cluster's members; ``C`` / ``D`` decide every new one (after a prompt)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("C", "batch('confirmed')", "confirm all new"),
        Binding("D", "batch('dismissed')", "dismiss all new"),
    ]

    def action_batch(self, status: str) -> None:
        """Return the batch decision asked for."""
        self.dismiss(status)


class ReasonScreen(ModalScreen[str | None]):
    """Pick a dismissal reason by its number; ``esc`` cancels."""

    BINDINGS: ClassVar[list[BindingType]] = [
        *(Binding(str(n), f"pick({n})", code, show=False) for n, code in enumerate(REASONS, 1)),
        Binding("escape", "pick(0)", "cancel"),
    ]
    DEFAULT_CSS = """
    ReasonScreen { align: center middle; }
    ReasonScreen > Vertical { width: 70; height: auto; border: round $accent; padding: 0 1; }
    """

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(reasons_text(), markup=False)

    def action_pick(self, number: int) -> None:
        """Return the reason with this number (0: none)."""
        self.dismiss(REASONS[number - 1] if 0 < number <= len(REASONS) else None)


class PromptScreen(ModalScreen[bool]):
    """A yes/no question: ``y`` answers yes, ``n`` or ``esc`` no."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "yes"),
        Binding("n,escape", "answer(False)", "no"),
    ]
    DEFAULT_CSS = """
    PromptScreen { align: center middle; }
    PromptScreen > Vertical { width: 74; height: auto; border: round $warning; padding: 0 1; }
    """

    def __init__(self, question: Text) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(self.question, markup=False)

    def action_answer(self, yes: bool) -> None:
        """Return the answer."""
        self.dismiss(yes)


class ScopeScreen(ModalScreen[str | None]):
    """Pick what a batch is over: one of the entry's sites (by number) or its cluster (``o``).

    Returns ``"site:NAME"`` or ``"cluster:ID"``, or None when cancelled.
    """

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "pick('')", "cancel")]
    DEFAULT_CSS = """
    ScopeScreen { align: center middle; }
    ScopeScreen > Vertical { width: 70; height: auto; border: round $accent; padding: 0 1; }
    """

    def __init__(self, verb: str, sites: list[str], cluster: int | None) -> None:
        super().__init__()
        self.verb, self.sites, self.cluster = verb, sites[:9], cluster

    def compose(self) -> ComposeResult:
        text = Text(f"{self.verb} every new entry of…\n\n", style="bold")
        for number, site in enumerate(self.sites, 1):
            text.append(f"{number} ", style="bold")
            text.append(f"site {shown(site)}\n")
        if self.cluster is not None:
            text.append("o ", style="bold")
            text.append(f"operator cluster {self.cluster}\n")
        text.append("\nesc: cancel")
        with Vertical():
            yield Static(text, markup=False)

    def on_key(self, event: events.Key) -> None:
        """Numbers pick a site, ``o`` the cluster."""
        key = event.key
        if key.isdigit() and 0 < int(key) <= len(self.sites):
            self.dismiss(f"site:{self.sites[int(key) - 1]}")
        elif key == "o" and self.cluster is not None:
            self.dismiss(f"cluster:{self.cluster}")

    def action_pick(self, scope: str) -> None:
        """Cancel (an empty scope)."""
        self.dismiss(scope or None)


class NoteScreen(ModalScreen[str | None]):
    """Type a note; ``enter`` saves it, ``esc`` cancels."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "cancel")]
    DEFAULT_CSS = """
    NoteScreen { align: center middle; }
    NoteScreen > Vertical { width: 74; height: auto; border: round $accent; padding: 0 1; }
    """

    def __init__(self, current: str | None) -> None:
        super().__init__()
        self.current = current

    def compose(self) -> ComposeResult:
        text = Text("Note on this entry (enter: save, esc: cancel)\n", style="bold")
        if self.current:
            text.append(f"now: {shown(self.current)}\n", style="italic")
        with Vertical():
            yield Static(text, markup=False)
            yield Input(placeholder="the new note replaces the old one", id="note")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Save the note."""
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        """Leave the note as it was."""
        self.dismiss(None)


def help_text() -> Text:
    """The help screen's text."""
    return Text(HELP)
