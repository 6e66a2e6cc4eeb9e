"""Tables that fit the terminal: columns are dropped, values are never split.

A table is a list of :class:`Column` in display order, each with a rank (1 is the most
important). When the rows do not fit the console's width the least important columns go first;
a column marked ``keep`` never goes. A kept value that cannot fit even alone (a long domain on a
narrow terminal) is the only thing ever folded. ``wide=True`` keeps every column and lets the
table be as wide as it needs (a terminal then wraps it; a pipe or file does not).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from rich.cells import cell_len
from rich.console import Console
from rich.table import Table
from rich.text import Text

GAP = 2  # cells between two columns
Cell = str | Text


@dataclass(frozen=True, slots=True)
class Column:
    """One column: its header (may hold a newline), importance and alignment."""

    header: str
    rank: int = 1
    justify: Literal["left", "right"] = "left"
    keep: bool = False  # never dropped (the row's identity: id, kind, value)


def _width(cell: Cell) -> int:
    text = cell.plain if isinstance(cell, Text) else cell
    return max((cell_len(line) for line in text.split("\n")), default=0)


def fitted(
    columns: Sequence[Column],
    rows: Sequence[Sequence[Cell]],
    width: int,
    *,
    wide: bool = False,
    title: str | None = None,
) -> tuple[Table, int]:
    """A table of ``rows`` that fits ``width`` cells, and the width it needs to print whole."""
    natural = [
        max([_width(c.header), *(_width(row[i]) for row in rows)]) for i, c in enumerate(columns)
    ]
    shown = list(range(len(columns)))

    def total() -> int:
        return sum(natural[i] for i in shown) + GAP * (len(shown) - 1)

    if not wide:
        for i in sorted(shown, key=lambda i: (-columns[i].rank, -i)):
            if total() <= width:
                break
            if not columns[i].keep:
                shown.remove(i)
    needed = total()
    table = Table(
        box=None,
        padding=(0, GAP // 2),  # half the gap each side; none at the table's edges
        show_edge=False,
        pad_edge=False,
        header_style="bold underline",
        title=title,
        title_justify="left",
        title_style="bold",
    )
    # Only when the kept columns alone are too wide does one fold: the widest (the values).
    squeeze = not wide and needed > width
    folding = max(shown, key=lambda i: natural[i]) if squeeze else None
    for i in shown:
        table.add_column(
            columns[i].header,
            justify=columns[i].justify,
            no_wrap=i != folding,
            overflow="fold" if i == folding else "ellipsis",
            min_width=None if i == folding else natural[i],
        )
    for row in rows:
        table.add_row(*(row[i] for i in shown))
    return table, needed


def print_fitted(
    console: Console,
    columns: Sequence[Column],
    rows: Sequence[Sequence[Cell]],
    *,
    wide: bool = False,
    title: str | None = None,
) -> None:
    """Print ``rows`` as a table that fits ``console`` (every column with ``wide``)."""
    table, needed = fitted(columns, rows, console.width, wide=wide, title=title)
    console.print(table, width=max(needed, console.width) if wide else console.width)
