"""Canonical page URLs: the same page under one address, whatever session it was linked from.

Forum engines put a session id into their links until a cookie is set: phpBB ``sid=…``, SMF
``PHPSESSID=…`` (also after ``;``), vBulletin ``s=<32 hex>``, Java servers ``;jsessionid=…``.
Kept, each visit would store every post again under a new permalink.
"""

from __future__ import annotations

import re

_SESSION = re.compile(
    r"(?P<sep>[?&;])(?:(?:sid|phpsessid|oscsid)=[0-9a-z]{8,}|s=[0-9a-f]{32})(?=$|[&;#])",
    re.IGNORECASE,
)
_JSESSIONID = re.compile(r";jsessionid=[^?#]*", re.IGNORECASE)


def canonical(url: str) -> str:
    """``url`` without session ids in its query (or path parameters)."""
    if "=" not in url:
        return url
    cleaned = _JSESSIONID.sub("", url)
    while True:
        match = _SESSION.search(cleaned)
        if match is None:
            break
        start, end = match.span()
        rest = cleaned[end:]
        if match.group("sep") == "?":
            # Keep the "?" and drop the separator that followed the session id, if any.
            rest = rest[1:] if rest[:1] in ("&", ";") else rest
            cleaned = cleaned[: start + 1] + rest
        else:
            cleaned = cleaned[:start] + rest
    return cleaned[:-1] if cleaned.endswith("?") else cleaned.replace("?#", "#")
