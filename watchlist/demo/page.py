"""What a demo site answers to one request, and the helpers every engine's renderer shares."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

HTML_TYPE = "text/html; charset=utf-8"
JSON_TYPE = "application/json; charset=utf-8"
TEXT_TYPE = "text/plain; charset=utf-8"
PNG_TYPE = "image/png"
ALLOW_ALL_ROBOTS = "User-agent: *\nDisallow:\n"
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass(frozen=True, slots=True)
class Page:
    """An HTTP answer: status, content type, body bytes and any extra headers."""

    status: int
    content_type: str
    body: bytes
    headers: tuple[tuple[str, str], ...] = ()


def esc(text: str) -> str:
    """HTML-escape ``text``, writing control characters (ANSI escapes) as numeric references."""
    return _CONTROL.sub(lambda m: f"&#{ord(m.group())};", html.escape(text, quote=True))


def html_page(status: int, text: str) -> Page:
    """An HTML answer."""
    return Page(status, HTML_TYPE, text.encode("utf-8"))
