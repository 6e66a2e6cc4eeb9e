"""Scraped text made harmless to whoever reads it: a terminal, a JSON reader, a URL field.

Crawled pages are written by the people we list. Their text may carry ANSI escape sequences
(which rewrite a terminal), other C0/C1 controls, and invisible format characters that reorder
or hide text (bidi overrides such as U+202E, zero-width characters). Three treatments:

- :func:`neutralize` for a terminal: each such character written out as ``\\xNN`` / ``\\uNNNN``
  (visible, never in effect). Lossy, for display only.
- :func:`json_text` for JSON: the same characters (and lone surrogates) as JSON ``\\u`` escapes,
  so the document decodes to exactly the data, yet holds none of them raw.
- :func:`inert_url` for URL fields: every control, format, surrogate and space character
  percent-encoded (a URL never needs one raw; a browser reads the encoded form as the same
  address), as the store encodes the URLs it keeps.
"""

from __future__ import annotations

import json
import re
import unicodedata
from typing import Any
from urllib.parse import quote

import orjson

# C0 and C1 controls (but newline and tab), DEL, and the invisible format characters that
# reorder or hide text (bidi overrides and isolates, zero-width characters, soft hyphen).
UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u00ad\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]"
)
UNSAFE_IN_JSON = re.compile(UNSAFE.pattern[:-1] + "\ud800-\udfff]")
# In a URL: every control, format, surrogate and space character (Unicode Cc, Cf, Cs, Z*).
_URL_UNSAFE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zs", "Zl", "Zp"})


def _visible(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def neutralize(text: str, *, keep_newlines: bool = True) -> str:
    """``text`` with every control or invisible format character written out as ``\\xNN``."""
    text = UNSAFE.sub(_visible, text)
    if not keep_newlines:
        text = text.replace("\n", "⏎ ").replace("\t", " ")
    return text


# orjson writes datetimes, dataclasses and subclasses of str/int its own way: hand them to
# ``default=str`` as the standard library does, so that both give the same text.
_AS_JSON_DOES = (
    orjson.OPT_PASSTHROUGH_DATETIME
    | orjson.OPT_PASSTHROUGH_DATACLASS
    | orjson.OPT_PASSTHROUGH_SUBCLASS
)


def json_text(obj: Any, *, indent: int | None = None) -> str:
    """``obj`` as JSON whose strings hold no raw control, format or surrogate character.

    Compact (``indent=None``) output is made by orjson (an order of magnitude faster than the
    standard library, the same data: no spaces, non-ASCII kept; a float may be written in another
    equal form, ``0.0001`` for ``1e-04``); what orjson refuses — a lone
    surrogate, an integer beyond 64 bits, a non-string key — and indented output go through
    :mod:`json`.
    """
    if indent is None:
        try:
            raw = orjson.dumps(obj, default=str, option=_AS_JSON_DOES).decode()
        except TypeError:
            raw = json.dumps(obj, ensure_ascii=False, separators=(",", ":"), default=str)
    else:
        raw = json.dumps(
            obj, ensure_ascii=False, indent=indent, separators=(",", ": "), default=str
        )
    # Outside strings JSON is ASCII: every match is inside a string, where \\uNNNN is exact.
    return UNSAFE_IN_JSON.sub(lambda m: f"\\u{ord(m.group()):04x}", raw)


def inert_json(raw: str) -> str:
    """JSON text another writer made (SQLite's ``json_object``) with every raw control,
    format or surrogate character inside its strings escaped, as :func:`json_text` has it."""
    if raw.isascii() and raw.isprintable():
        return raw
    return UNSAFE_IN_JSON.sub(lambda m: f"\\u{ord(m.group()):04x}", raw)


def inert_url(url: str) -> str:
    """``url`` with controls, format characters and whitespace percent-encoded (UTF-8)."""
    if url.isascii() and url.isprintable() and " " not in url:
        return url
    return "".join(
        quote(char.encode("utf-8", "surrogatepass"), safe="")
        if unicodedata.category(char) in _URL_UNSAFE_CATEGORIES
        else char
        for char in url
    )
