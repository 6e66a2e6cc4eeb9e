"""The queue's entry panel: lines rendered once per entry, only the visible ones drawn.

A keypress must not re-lay-out the screen: the panel's own size never changes (it fills what
the status lines and the footer leave), so a new entry only swaps the panel's lines and sets
its scrollable height without Textual's layout pass (a ``virtual_size`` change would trigger
one), and the vertical scrollbar is always shown so that it never appears or goes (which
would too). The lines are Rich segments wrapped at the panel's width by :func:`render_strips`
— in the read-ahead worker for the next entry, so that a move only draws.
"""

from __future__ import annotations

from rich.console import Console, RenderableType
from rich.style import Style
from textual.events import Resize
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widget import Widget


def render_strips(renderable: RenderableType, width: int, console: Console) -> list[Strip]:
    """``renderable`` wrapped at ``width`` cells, one :class:`Strip` per line.

    Pure: safe in a worker thread (it only reads ``console``'s options and styles).
    """
    options = console.options.update_width(width)
    return [Strip(line, width) for line in console.render_lines(renderable, options, pad=True)]


class EntryPanel(ScrollView, can_focus=False):
    """Scrollable pre-rendered lines; :meth:`show` swaps them without a layout."""

    DEFAULT_CSS = "EntryPanel { overflow-y: scroll; overflow-x: hidden; }"

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.lines: list[Strip] = []
        self._renderable: RenderableType | None = None
        self._style: Style | None = None

    @property
    def text_width(self) -> int:
        """The cells a line has (0 before the panel is first laid out)."""
        return max(0, self.scrollable_content_region.width)

    def show(self, renderable: RenderableType, lines: list[Strip] | None = None) -> None:
        """Show ``renderable`` from its top; ``lines``: it rendered already (at any width)."""
        self._renderable = renderable
        width = self.text_width
        if not width:
            return  # drawn on the first resize, once the width is known
        if lines is None or (lines and lines[0].cell_length != width):
            lines = render_strips(renderable, width, self.app.console)
        self._set_lines(lines)

    def _set_lines(self, lines: list[Strip]) -> None:
        self.lines = lines
        size = Size(self.text_width, len(lines))
        # set without the reactive's layout=True: the panel's size is fixed by the screen
        self.set_reactive(Widget.virtual_size, size)
        self._scroll_update(size)
        if self.scroll_y:
            self.scroll_to(0, 0, animate=False, immediate=True)
        self.refresh()

    def on_resize(self, event: Resize) -> None:
        """Wrap the lines again at the new width."""
        if self._renderable is not None and self.text_width:
            self._set_lines(render_strips(self._renderable, self.text_width, self.app.console))

    def notify_style_update(self) -> None:
        """The widget's colours changed: apply the new ones."""
        super().notify_style_update()
        self._style = None

    def render_line(self, y: int) -> Strip:
        """Line ``y`` of the panel's window onto the entry."""
        if self._style is None:
            self._style = self.rich_style
        width = self.text_width
        index = round(self.scroll_y) + y
        if index >= len(self.lines):
            return Strip.blank(width, self._style)
        return self.lines[index].crop_extend(0, width, self._style).apply_style(self._style)
