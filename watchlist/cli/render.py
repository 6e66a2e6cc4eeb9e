"""Rendering for the terminal. Text that came from a crawled page goes through :func:`inert`.

Scraped text is hostile: Rich markup, ANSI escapes, other control characters and bidirectional
overrides in it must print as visible, harmless characters and never take effect
(:mod:`watchlist.inert`).
"""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.text import Text

from watchlist.inert import json_text, neutralize

console = Console(highlight=False, soft_wrap=True)
err_console = Console(stderr=True, highlight=False)
__all__ = [
    "console",
    "err_console",
    "highlighted",
    "inert",
    "json_line",
    "neutralize",
    "plural",
]


def inert(text: str | None, *, keep_newlines: bool = True, style: str = "") -> Text:
    """A Rich ``Text`` of scraped text: no markup is parsed, no control sequence survives."""
    return Text(neutralize(text or "", keep_newlines=keep_newlines), style=style)


def highlighted(text: str, start: int, end: int) -> Text:
    """Scraped ``text`` on one line with ``text[start:end]`` highlighted."""
    out = Text()
    out.append(inert(text[:start], keep_newlines=False))
    out.append(inert(text[start:end], keep_newlines=False, style="bold reverse"))
    out.append(inert(text[end:], keep_newlines=False))
    return out


def json_line(obj: Any) -> str:
    """Compact JSON on one line; control and invisible characters are \\u-escaped."""
    return json_text(obj)


def plural(count: int, noun: str, nouns: str | None = None) -> str:
    """``1 entry``, ``2 entries``: the count and the noun in the right number."""
    return f"{count} {noun if count == 1 else nouns or noun + 's'}"
