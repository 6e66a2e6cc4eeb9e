"""Rendering for the terminal. Text that came from a crawled page goes through :func:`inert`.

Scraped text is hostile: Rich markup, ANSI escapes, other control characters and bidirectional
overrides in it must print as visible, harmless characters and never take effect.
"""

from __future__ import annotations

import json
import re
from typing import Any

from rich.console import Console
from rich.text import Text

console = Console(highlight=False, soft_wrap=True)
err_console = Console(stderr=True, highlight=False)

# C0 and C1 controls (but newline and tab), DEL, and the invisible format characters that
# reorder or hide text (bidi overrides and isolates, zero-width characters, soft hyphen).
_UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u00ad\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]"
)


def _visible(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def neutralize(text: str, *, keep_newlines: bool = True) -> str:
    """``text`` with every control or invisible format character written out as ``\\xNN``."""
    text = _UNSAFE.sub(_visible, text)
    if not keep_newlines:
        text = text.replace("\n", "⏎ ").replace("\t", " ")
    return text


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
    raw = json.dumps(obj, ensure_ascii=False, separators=(",", ":"), default=str)
    return _UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", raw)
