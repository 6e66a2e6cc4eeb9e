"""Turn a post's HTML into the plain text the extractor reads."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from parsel import Selector

_BLOCK_TAGS = {"p", "div", "li", "tr", "blockquote", "h1", "h2", "h3", "h4", "pre"}
_SKIPPED_TAGS = {"script", "style", "template", "noscript"}
_SPACES = re.compile(r"[ \t\r\f\v\u00a0]+")
_BLANK_LINES = re.compile(r"\n\s*\n+")
_DATETIME = re.compile(
    r"(\d{4})[-/年.](\d{1,2})[-/月.](\d{1,2})日?(?:\s*(\d{1,2}):(\d{2})(?::(\d{2}))?)?"
)


def element_text(selector: Selector) -> str:
    """The visible text of an element, with line breaks where the HTML breaks lines."""
    root = selector.root
    if isinstance(root, str):
        return root.strip()
    parts: list[str] = []
    _walk(root, parts)
    text = _SPACES.sub(" ", "".join(parts))
    text = "\n".join(line.strip() for line in text.split("\n"))
    return _BLANK_LINES.sub("\n\n", text).strip()


def _walk(node: Any, parts: list[str]) -> None:
    tag = node.tag if isinstance(node.tag, str) else ""  # comments have a function as tag
    if tag == "br":
        parts.append("\n")
        return
    if tag in _BLOCK_TAGS:
        parts.append("\n")
    if tag and tag not in _SKIPPED_TAGS:
        if node.text:
            parts.append(node.text)
        for child in node:
            _walk(child, parts)
            if child.tail:
                parts.append(child.tail)
    if tag in _BLOCK_TAGS:
        parts.append("\n")


def parse_datetime(text: str, timezone: str) -> datetime | None:
    """The first ``YYYY-MM-DD[ HH:MM[:SS]]`` (or 年月日) date in ``text``, in the site's zone."""
    match = _DATETIME.search(text)
    if not match:
        return None
    year, month, day, hour, minute, second = (int(g) if g else 0 for g in match.groups())
    try:
        return datetime(year, month, day, hour, minute, second, tzinfo=ZoneInfo(timezone))
    except ValueError:
        return None
