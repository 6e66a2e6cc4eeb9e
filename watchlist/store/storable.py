"""Make crawled strings storable, identically on SQLite and PostgreSQL.

Every byte of a crawled page is the site's: a title may hold a lone surrogate (a JSON
``"\\ud800"``: SQLite's driver cannot encode it), a name a NUL (PostgreSQL rejects it in text),
a permalink an escape sequence that would reach a reviewer's terminal. At the store boundary:

- text (post text, title, author, snippets and providers) keeps tab and newline; a carriage
  return, form feed, vertical tab and U+0085 (NEL) become a newline; every other C0 control and
  DEL becomes its Unicode control picture (NUL ``␀``, ESC ``␛``: a reviewer still sees what the
  page held, and no terminal acts on it); C1 controls and lone surrogates become U+FFFD. One
  character for one, so the spans the extractor found still index the text;
- a URL keeps no control, space, format character (U+202E and friends) or surrogate: each is
  percent-encoded as its UTF-8 bytes (a surrogate as the bytes it would have), as browsers and
  Scrapy encode URLs; a URL already so encoded is left as it is;
- a post's title, author and text are capped (docs/sites.md, "What the store keeps"), and a
  value too long for its column is cut (a URL: shortened to a stable form ending in a digest,
  so that it stays unique).
"""

from __future__ import annotations

import hashlib
import re

TITLE_MAX = 1_000
AUTHOR_MAX = 200
TEXT_MAX = 200_000
URL_MAX = 2_048  # posts.url, sightings.source
VALUE_MAX = 512  # entries.value: a longer handle is no handle
ELLIPSIS = "…"

_BAD_TEXT = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
_NEWLINES = {"\r": "\n", "\x0b": "\n", "\x0c": "\n", "\x85": "\n"}
# Unicode categories Cc, Cf, Cs, Zs, Zl and Zp (a test checks this class covers all of them).
_BAD_URL = re.compile(
    "[\x00-\x20\x7f-\xa0\xad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u1680\u180e"
    "\u2000-\u200f\u2028-\u202f\u205f-\u2064\u2066-\u206f\u3000\ud800-\udfff\ufeff\ufff9-\ufffb"
    "\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a"
    "\U000e0001\U000e0020-\U000e007f]"
)


def storable_text(value: str) -> str:
    """``value`` with controls and lone surrogates replaced, one character for one."""
    if _BAD_TEXT.search(value) is None:
        return value
    return _BAD_TEXT.sub(_replacement, value)


def _replacement(match: re.Match[str]) -> str:
    char = match.group()
    if char in _NEWLINES:
        return _NEWLINES[char]
    code = ord(char)
    if code < 0x20:
        return chr(0x2400 + code)  # the control pictures block: U+2400 NUL ... U+241F US
    return "\u2421" if code == 0x7F else "\ufffd"


def storable_url(url: str) -> str:
    """``url`` with controls, spaces, format characters and surrogates percent-encoded."""
    if _BAD_URL.search(url) is None:
        return url
    return _BAD_URL.sub(_percent, url)


def stored_url(url: str) -> str:
    """``url`` as the store keeps it: :func:`storable_url`, then :func:`fitted_url`.

    Ordinary URLs come back unchanged; applying it twice changes nothing more.
    """
    return fitted_url(storable_url(url))


def _percent(match: re.Match[str]) -> str:
    return "".join(f"%{byte:02X}" for byte in match.group().encode("utf-8", "surrogatepass"))


def capped(value: str, limit: int) -> str:
    """``value`` cut to ``limit`` characters, the last one an ellipsis when it was cut."""
    return value if len(value) <= limit else value[: limit - 1] + ELLIPSIS


def fitted_url(url: str, limit: int = URL_MAX) -> str:
    """``url`` if it fits in ``limit`` characters, else a stable shorter URL that still differs.

    The cut URL ends in ``#cut-<digest>`` (``-cut-<digest>`` when the kept part already has a
    fragment): the same long URL always gives the same short one, two long URLs two short ones.
    """
    if len(url) <= limit:
        return url
    digest = hashlib.sha256(url.encode("utf-8", "surrogatepass")).hexdigest()[:24]
    tail = "cut-" + digest
    head = url[: limit - len(tail) - 1]
    return head + ("-" if "#" in head else "#") + tail


def digest(text: str) -> str:
    """The SHA-256 of ``text``, hex: how a title is found again."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
