"""Turn a post's HTML into the plain text the extractor reads."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, tzinfo
from datetime import timezone as dt_timezone
from typing import Any
from zoneinfo import ZoneInfo

from parsel import Selector, SelectorList

_BLOCK_TAGS = {"p", "div", "li", "tr", "blockquote", "h1", "h2", "h3", "h4", "pre"}
_SKIPPED_TAGS = {"script", "style", "template", "noscript"}
# Where a block element starts or ends; consecutive ones make a single line break.
_BLOCK_BREAK = "\x1d"
_BLOCK_BREAKS = re.compile("[ \x1d]*\x1d[ \x1d]*")
_SPACES = re.compile(r"[ \t\r\f\v\u00a0]+")
_BLANK_LINES = re.compile(r"\n\s*\n+")
_DATETIME = re.compile(
    r"(\d{4})[-/年.](\d{1,2})[-/月.](\d{1,2})日?"
    r"(?:(?:\s*|T)(\d{1,2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?(Z|[+-]\d{2}:?\d{2})?)?"
)


def element_text(selector: Selector | Any) -> str:
    """The visible text of an element (a parsel ``Selector`` or an lxml element).

    Line breaks where the HTML breaks lines: ``<br>`` and block elements break lines; line
    breaks in the source are spaces; runs of spaces fold to one; scripts and styles are skipped.
    """
    root = selector.root if isinstance(selector, Selector) else selector
    if isinstance(root, str):
        return root.strip()
    parts: list[str] = []
    _walk(root, parts)
    text = _SPACES.sub(" ", "".join(parts))
    text = _BLOCK_BREAKS.sub("\n", text)
    text = "\n".join(line.strip() for line in text.split("\n"))
    return _BLANK_LINES.sub("\n\n", text).strip()


def _walk(node: Any, parts: list[str]) -> None:
    tag = node.tag if isinstance(node.tag, str) else ""  # comments have a function as tag
    if tag == "br":
        parts.append("\n")
        return
    if tag in _BLOCK_TAGS:
        parts.append(_BLOCK_BREAK)
    if tag and tag not in _SKIPPED_TAGS:
        if node.text:
            parts.append(_source_text(node.text))
        for child in node:
            _walk(child, parts)
            if child.tail:
                parts.append(_source_text(child.tail))
    if tag in _BLOCK_TAGS:
        parts.append(_BLOCK_BREAK)


def _source_text(text: str) -> str:
    """Line breaks in the HTML source are spaces, as a browser shows them."""
    return text.replace("\r", " ").replace("\n", " ")


def parse_datetime(text: str, timezone: str) -> datetime | None:
    """The first ``YYYY-MM-DD[ HH:MM[:SS]]`` (or 年月日) date in ``text``.

    An ISO 8601 offset (``2026-01-05T10:00:00+08:00``, ``…Z``) is honoured; without one the
    time is read in the site's ``timezone``.
    """
    match = _DATETIME.search(text)
    if not match:
        return parse_english_datetime(text, timezone)
    year, month, day, hour, minute, second = (int(g) if g else 0 for g in match.groups()[:6])
    offset = match.group(7)
    zone: tzinfo = ZoneInfo(timezone)
    if offset:
        if offset == "Z":
            zone = UTC
        else:
            sign = -1 if offset[0] == "-" else 1
            digits = offset[1:].replace(":", "")
            zone = dt_timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))
    try:
        return datetime(year, month, day, hour, minute, second, tzinfo=zone)
    except ValueError:
        return None


# Where forums keep an image's real address: lazy-loading attributes first, src last.
_IMAGE_ATTRIBUTES = ("zoomfile", "file", "data-original", "data-src", "src")
_PLACEHOLDERS = re.compile(r"(?:^data:|/(?:none|blank|spacer|loading)\.(?:gif|png)$)", re.I)


def image_sources(selector: Selector | SelectorList[Selector] | Any) -> list[str]:
    """The addresses of the images inside an element, placeholders skipped, in order, once.

    ``selector``: parsel selectors, or an lxml element (read directly: no selector objects).
    """
    images: Any
    if isinstance(selector, Selector | SelectorList):
        images = [image.attrib for image in selector.css("img")]
    else:
        images = [image.attrib for image in selector.iter("img")]
    sources: list[str] = []
    for attributes in images:
        for attribute in _IMAGE_ATTRIBUTES:
            value = (attributes.get(attribute) or "").strip()
            if value and not _PLACEHOLDERS.search(value):
                sources.append(value)
                break
    return list(dict.fromkeys(sources))


# English month names, never the locale's (calendar.month_name follows LC_TIME).
_MONTH_NAMES = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
]
_MONTHS = {
    **{name: n for n, name in enumerate(_MONTH_NAMES, 1)},
    **{name[:3]: n for n, name in enumerate(_MONTH_NAMES, 1)},
    "sept": 9,
}
_MONTH = "|".join(sorted(_MONTHS, key=len, reverse=True))
_CLOCK = (
    r"(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2}))?(?:\s*(?P<ampm>[ap])\.?m\b\.?)?"
)
_ENGLISH = re.compile(
    rf"\b(?:(?P<month>{_MONTH})\.?\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?"
    rf"|(?P<day2>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<month2>{_MONTH})\.?),?\s+(?P<year>\d{{4}})\b"
    rf"(?:,?\s*(?:at\s+|-\s+)?{_CLOCK})?"
    rf"|\b(?P<relative>today|yesterday)\b,?\s*(?:at\s+)?{_CLOCK.replace('(?P<', '(?P<r')}",
    re.IGNORECASE,
)


def parse_english_datetime(
    text: str, timezone: str, now: datetime | None = None
) -> datetime | None:
    """The first English date in ``text``, read in the site's ``timezone``.

    SMF's "January 05, 2026, 10:00:00 AM", phpBB's "Mon Jan 05, 2026 10:00 am", XenForo's
    "Jan 5, 2026 at 10:00 AM", "5 January 2026, 22:00"; "Today at 10:00:00 AM" and
    "Yesterday at …" (SMF, XenForo) count back from ``now`` (default: the current time).
    """
    zone: tzinfo = ZoneInfo(timezone)
    for match in _ENGLISH.finditer(text):
        groups = match.groupdict()
        prefix = "r" if groups["relative"] else ""
        hour, minute, second = (int(groups[prefix + k] or 0) for k in ("hour", "minute", "second"))
        ampm = (groups[prefix + "ampm"] or "").lower()
        if ampm and not 1 <= hour <= 12:
            continue
        if ampm:
            hour = hour % 12 + (12 if ampm == "p" else 0)
        if groups["relative"]:
            today = (now or datetime.now(zone)).astimezone(zone).date()
            day = today - timedelta(days=1 if groups["relative"].lower() == "yesterday" else 0)
            year, month, date = day.year, day.month, day.day
        else:
            month = _MONTHS[(groups["month"] or groups["month2"]).lower()]
            year, date = int(groups["year"]), int(groups["day"] or groups["day2"])
        try:
            return datetime(year, month, date, hour, minute, second, tzinfo=zone)
        except ValueError:
            continue
    return None
