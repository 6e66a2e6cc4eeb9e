"""Email addresses, plain or defanged.

Canonical value: the whole address lower-cased, plus-tags kept. Accepted defangings: bracketed
tokens (``[at]``, ``(at)``, ``{at}``, ``[@]``, ``[dot]``, ``(dot)``, ``[.]``, ``(.)``; up to two
spaces around them), ``。`` as a dot, full-width ``＠．`` (normalized before), ``#`` for ``@``
when the post says so (``#换成@``), and spaces around a bare ``@`` and dots — the spaced form only
when the right side is a well-known mail domain (``NAME@ GMAIL. COM``) or is itself spaced around
a dot (``Support @ name .com``), so ``Selling USDT @ 1.02`` and ``USDT @ abc.com`` are not
emails. The domain must have a public suffix.
"""

from __future__ import annotations

import re

from watchlist.extract.domains import registered_domain
from watchlist.extract.model import Handle

_AT = r"(?P<at>@|[ ]{0,2}(?:\[(?:at|@)\]|\((?:at|@)\)|\{(?:at|@)\})[ ]{0,2})"
_DOT = r"(?:\.|。|｡|[ ]{0,2}(?:\[(?:dot|\.)\]|\((?:dot|\.)\)|\{(?:dot|\.)\})[ ]{0,2})"
_EMAIL = re.compile(
    r"(?<![A-Za-z0-9._%+\-])"
    r"(?P<local>(?:[A-Za-z0-9._%+\-]{1,64}+(?:\[dot\]|\(dot\)|\[\.\]|\(\.\))){0,4}+"
    r"[A-Za-z0-9._%+\-]{1,64}+)" + _AT + r"(?P<domain>(?:[A-Za-z0-9\-]{1,63}+"
    r"" + _DOT + r"){1,8}[A-Za-z]{2,24})"
    r"(?![A-Za-z0-9\-])",
    re.ASCII | re.IGNORECASE,
)
_DEFANGED_DOT = re.compile(r"[ ]*(?:[\[({](?:dot|\.)[\])}])[ ]*|。|｡", re.IGNORECASE)
_SPACED = re.compile(
    r"(?<![A-Za-z0-9._%+\-])(?P<local>[A-Za-z0-9._%+\-]{1,64}+)(?P<pre>[ ]{0,2})@(?P<post>[ ]{0,2})"
    r"(?P<domain>(?:[A-Za-z0-9\-]{1,63}+[ ]{0,2}\.[ ]{0,2}){1,4}[A-Za-z]{2,24})(?![A-Za-z0-9\-])",
    re.ASCII,
)
_COMMON_TLDS = frozenset(
    {"com", "net", "org", "io", "co", "me", "info", "biz", "cn", "top", "xyz", "vip", "cc", "uk"}
)
_SPACED_HINT = re.compile(r" @|@ ")
_HASH_MEANS_AT = re.compile(r"#\s{0,2}(?:换成|改成|替换成|换为|改为|=|->|→)\s{0,2}@")
WELL_KNOWN_MAIL = frozenset(
    {
        "gmail.com",
        "googlemail.com",
        "yahoo.com",
        "hotmail.com",
        "outlook.com",
        "live.com",
        "msn.com",
        "aol.com",
        "icloud.com",
        "me.com",
        "protonmail.com",
        "proton.me",
        "gmx.com",
        "gmx.de",
        "mail.com",
        "mail.ru",
        "yandex.ru",
        "yandex.com",
        "qq.com",
        "foxmail.com",
        "163.com",
        "126.com",
        "yeah.net",
        "sina.com",
        "sina.cn",
        "sohu.com",
        "139.com",
        "aliyun.com",
        "tutanota.com",
        "zoho.com",
    }
)
# Where an address can be: an "@" or a bracketed at-token. Literal-first, so the scan is fast.
_AT_HINT = re.compile(r"@(?<=[A-Za-z0-9._%+\-]@)|[\[({](?:at|AT|At|@)[\])}]")
_LOCAL_DOT_BEFORE = re.compile(r"(?:\[dot\]|\(dot\)|\[\.\]|\(\.\))$", re.IGNORECASE)
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
    for _ in range(4 if text[start - 1 : start] in ("]", ")") else 0):
        # defanged dots inside the local part: "yunrui[dot]184[at]…"
        token = _LOCAL_DOT_BEFORE.search(text, max(0, start - 5), start)
        if token is None or start == end or token.start() == 0:
            break
        if text[token.start() - 1] not in _LOCAL_CHARS:
            break
        start = token.start()
        while start > low and text[start - 1] in _LOCAL_CHARS:
            start -= 1
    return start if start < end else at


def find_emails(text: str) -> list[Handle]:
    """Every email address in ``text`` (normalized)."""
    found = _find(text)
    if "@" in text and _SPACED_HINT.search(text) is not None:
        found.extend(_find_spaced(text))
    if "#" in text and _HASH_MEANS_AT.search(text) is not None:
        # Same length, so the spans hold; only addresses written with "#" are new.
        found.extend(h for h in _find(text.replace("#", "@")) if "#" in text[h.start : h.end])
    return found


def _find(text: str) -> list[Handle]:
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
        value = _address(match.group("local"), match.group("domain"))
        if value is not None:
            found.append(Handle("email", value, match.start(), match.end()))
    return found


def _find_spaced(text: str) -> list[Handle]:
    found: list[Handle] = []
    for hint in _SPACED_HINT.finditer(text):
        at = hint.start() + 1 if hint.group()[0] == " " else hint.start()
        start = _local_start(text, at, True)
        match = _SPACED.match(text, start) if start < at else None
        if match is None or not (match.group("pre") or match.group("post")):
            continue
        domain = match.group("domain").replace(" ", "")
        value = _address(match.group("local"), domain)
        if value is None:
            continue
        spaced_dot = domain != match.group("domain") and domain.rpartition(".")[2] in _COMMON_TLDS
        if spaced_dot or value.rpartition("@")[2] in WELL_KNOWN_MAIL:
            found.append(Handle("email", value, match.start(), match.end()))
    return found


def _address(local: str, domain: str) -> str | None:
    local = _DEFANGED_DOT.sub(".", local.lower())
    if local[0] == "." or local[-1] == "." or ".." in local:
        return None
    domain = _DEFANGED_DOT.sub(".", domain.lower())
    labels = domain.split(".")
    if any(not label or label[0] == "-" or label[-1] == "-" for label in labels):
        return None
    if registered_domain(domain) is None:
        return None
    return f"{local}@{domain}"
