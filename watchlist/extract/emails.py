"""Email addresses, plain or defanged with bracketed tokens.

Canonical value: the whole address lower-cased, plus-tags kept. Accepted defangings are the
bracketed ones only (``[at]``, ``(at)``, ``{at}``, ``[@]``, ``[dot]``, ``(dot)``, ``[.]``,
``(.)``; up to two spaces around a bracketed token) — a bare ``@`` never joins words across a
space, so ``Selling USDT @ 1.02`` is not an email. The domain must have a public suffix.
"""

from __future__ import annotations

import re

from watchlist.extract.domains import registered_domain
from watchlist.extract.model import Handle

_AT = r"(?P<at>@|[ ]{0,2}(?:\[(?:at|@)\]|\((?:at|@)\)|\{(?:at|@)\})[ ]{0,2})"
_DOT = r"(?:\.|[ ]{0,2}(?:\[(?:dot|\.)\]|\((?:dot|\.)\)|\{(?:dot|\.)\})[ ]{0,2})"
_EMAIL = re.compile(
    r"(?<![A-Za-z0-9._%+\-])"
    r"(?P<local>[A-Za-z0-9._%+\-]{1,64}+)" + _AT + r"(?P<domain>(?:[A-Za-z0-9\-]{1,63}+"
    r"" + _DOT + r"){1,8}[A-Za-z]{2,24})"
    r"(?![A-Za-z0-9\-])",
    re.ASCII | re.IGNORECASE,
)
_DEFANGED_DOT = re.compile(r"[ ]*(?:[\[({](?:dot|\.)[\])}])[ ]*", re.ASCII | re.IGNORECASE)
# Where an address can be: an "@" or a bracketed at-token. Literal-first, so the scan is fast.
_AT_HINT = re.compile(r"@|[\[({](?:at|AT|At|@)[\])}]")
_LOCAL_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._%+-")


def _local_start(text: str, at: int, defanged: bool) -> int:
    """Where the local part before the at-token at ``at`` begins (``at`` when there is none)."""
    end = at
    if defanged:
        while end > at - 2 and end > 0 and text[end - 1] == " ":
            end -= 1
    start, low = end, max(0, end - 65)
    while start > low and text[start - 1] in _LOCAL_CHARS:
        start -= 1
    return start if start < end else at


def find_emails(text: str) -> list[Handle]:
    """Every email address in ``text`` (already folded)."""
    found: list[Handle] = []
    resume = 0
    for hint in _AT_HINT.finditer(text):
        if hint.start() < resume:
            continue
        start = _local_start(text, hint.start(), hint.group() != "@")
        match = _EMAIL.match(text, start) if start < hint.start() else None
        if match is None:
            continue
        resume = match.end()
        local = match.group("local").lower()
        if local[0] == "." or local[-1] == "." or ".." in local:
            continue
        domain = _DEFANGED_DOT.sub(".", match.group("domain").lower())
        labels = domain.split(".")
        if any(not label or label[0] == "-" or label[-1] == "-" for label in labels):
            continue
        if registered_domain(domain) is None:
            continue
        found.append(Handle("email", f"{local}@{domain}", match.start(), match.end()))
    return found
