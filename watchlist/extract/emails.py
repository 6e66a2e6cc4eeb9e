"""Email addresses, plain or defanged.

Canonical value: the whole address lower-cased, plus-tags kept. Accepted defangings: bracketed
tokens (``[at]``, ``(at)``, ``{at}``, ``[@]``, ``[dot]``, ``(dot)``, ``[.]``, ``(.)``; up to two
spaces around an at-token, up to three around a dot token and two inside its brackets:
``example  [ . ]  com``), ``。`` as a dot, full-width ``＠．`` (normalized before), ``#`` for ``@``
when the post says so (``#换成@``), and spaces around a bare ``@`` and dots — the spaced form only
when the right side is a well-known mail domain (``NAME@ GMAIL. COM``), is itself spaced around
a dot (``Support @ name .com``, ``name@example . com``) or holds a bracketed dot
(``myuser @ example[.]com``), so ``Selling USDT @ 1.02`` and ``USDT @ abc.com`` are not
emails. A run of dashes before the local part is a rule line, not part of it. The domain must
have a public suffix. Logins written like addresses are not e-mails: an scp or git remote
(``git@github.com:user/repo.git``), the target of ``ssh``, the userinfo of a URL and a
fediverse handle (``@user@mastodon.social``).
"""

from __future__ import annotations

import re
from functools import lru_cache

from watchlist.extract.domains import registered_domain
from watchlist.extract.model import Handle

_AT = r"(?P<at>@|[ ]{0,2}(?:\[(?:at|@)\]|\((?:at|@)\)|\{(?:at|@)\})[ ]{0,2})"
_BRACKET_DOT = r"(?:\[[ ]{0,2}(?:dot|\.)[ ]{0,2}\]|\([ ]{0,2}(?:dot|\.)[ ]{0,2}\)|\{(?:dot|\.)\})"
_DOT = r"(?:\.|。|｡|[ ]{0,3}" + _BRACKET_DOT + r"[ ]{0,3})"
# From where _local_start says the local part begins (what stands before is checked there).
_EMAIL = re.compile(
    r"(?P<local>(?:[A-Za-z0-9._%+\-]{1,64}+(?:\[dot\]|\(dot\)|\[\.\]|\(\.\))){0,4}+"
    r"[A-Za-z0-9._%+\-]{1,64}+)" + _AT + r"(?P<domain>(?:[A-Za-z0-9\-]{1,63}+"
    r"" + _DOT + r"){1,8}[A-Za-z]{2,24})"
    r"(?![A-Za-z0-9\-])",
    re.ASCII | re.IGNORECASE,
)
_DEFANGED_DOT = re.compile(r"[ ]*[\[({][ ]*(?:dot|\.)[ ]*[\])}][ ]*|。|｡", re.IGNORECASE)
_SPACED = re.compile(
    r"(?P<local>[A-Za-z0-9._%+\-]{1,64}+)(?P<pre>[ ]{0,2})@(?P<post>[ ]{0,2})"
    r"(?P<domain>(?:[A-Za-z0-9\-]{1,63}+[ ]{0,3}(?:\.|" + _BRACKET_DOT + r")[ ]{0,3}){1,4}"
    r"[A-Za-z]{2,24})(?![A-Za-z0-9\-])",
    re.ASCII | re.IGNORECASE,
)
_COMMON_TLDS = frozenset(
    {"com", "net", "org", "io", "co", "me", "info", "biz", "cn", "top", "xyz", "vip", "cc", "uk"}
)
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
# Where an address can be: an "@" after a local-part character, or a bracketed at-token. Each
# pattern starts with a literal or a narrow class, so the scan skips ahead in C.
_AT_SIGN = re.compile(r"@(?<=[A-Za-z0-9._%+\-]@)")
# A bracketed at-token, found from its closing bracket (rare in Chinese text): the match is that
# bracket.
_AT_TOKEN_ENDS = tuple(
    re.compile(
        re.escape(close)
        + "(?:"
        + "|".join(f"(?<=[\\[({{]{token}{re.escape(close)})" for token in ("at", "AT", "At", "@"))
        + ")"
    )
    for close in "])}"
)
_LOCAL_DOT_BEFORE = re.compile(r"(?:\[dot\]|\(dot\)|\[\.\]|\(\.\))$", re.IGNORECASE)
_LOCAL_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._%+-")


def _local_start(text: str, at: int, defanged: bool) -> int:
    """Where the local part before the at-token at ``at`` begins (``at`` when there is none).

    Leading dashes are not part of it (``-----foo@bar.com``: a rule line).
    """
    end = at
    if defanged:
        while end > at - 2 and end > 0 and text[end - 1] == " ":
            end -= 1
    start, low = end, max(0, end - 65)
    while start > low and text[start - 1] in _LOCAL_CHARS:
        start -= 1
    if start == low and start > 0 and text[start - 1] in _LOCAL_CHARS:
        return at  # longer than any local part
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
    while start < end and text[start] == "-":
        start += 1
    return start if start < end else at


def find_emails(text: str) -> list[Handle]:
    """Every email address in ``text`` (normalized)."""
    at_sign = "@" in text
    tokens = [
        m.start() - (2 if text[m.start() - 1] == "@" else 3)
        for pattern in _AT_TOKEN_ENDS
        for m in pattern.finditer(text)
    ]
    if not at_sign and not tokens:
        return []
    found = _find(text, at_sign, tokens)
    if at_sign:
        found.extend(_find_spaced(text, found))
        if "#" in text and _HASH_MEANS_AT.search(text) is not None:
            # Same length, so the spans hold; only addresses written with "#" are new.
            replaced = text.replace("#", "@")
            found.extend(h for h in _find(replaced, True, tokens) if "#" in text[h.start : h.end])
    return [h for h in found if not _login(text, h.start, h.end)]


# Logins and handles written like addresses: ``git@github.com:user/repo.git`` and
# ``root@host.com:/srv`` (an scp / git remote: a path or port after a colon), ``ssh -p 22
# root@host.com`` (after ssh or mosh and their options), ``https://user:pass@host/``
# (userinfo of a URL) and ``@user@mastodon.social`` (a fediverse handle).
_REMOTE_PATH = re.compile(r":[A-Za-z0-9~/._\-]")
_SHELL_LOGIN = re.compile(
    r"(?<![A-Za-z0-9_\-])(?:ssh|mosh)(?:[ \t]+-[^\s]+(?:[ \t]+[^\s\-][^\s]*)?)*[ \t]+$",
    re.ASCII | re.IGNORECASE,
)
_USERINFO = re.compile(r"//(?:[^\s/@]{0,64}:)?$")


def _login(text: str, start: int, end: int) -> bool:
    """Whether the address at [start, end) is a login or a fediverse handle, not a mailbox."""
    if _REMOTE_PATH.match(text, end) is not None:
        return True
    if start and text[start - 1] in "@/:":
        if text[start - 1] == "@":
            return True
        low = max(0, start - 70)
        return text.find("//", low, start) >= 0 and _USERINFO.search(text, low, start) is not None
    # Fast: most addresses have no "sh" (ssh, mosh) before them on their line.
    low = max(0, start - 80)
    if text.find("sh", low, start) < 0:
        return False
    return _SHELL_LOGIN.search(text, low, start) is not None


def _hints(text: str, at_sign: bool, tokens: list[int]) -> list[tuple[int, bool]]:
    """(position, defanged) of every at-token, in order."""
    hints = [(m.start(), False) for m in _AT_SIGN.finditer(text)] if at_sign else []
    if tokens:
        hints.extend((start, True) for start in tokens)
        hints.sort()
    return hints


def _find(text: str, at_sign: bool, tokens: list[int]) -> list[Handle]:
    found: list[Handle] = []
    resume = 0
    for at, defanged in _hints(text, at_sign, tokens):
        if at < resume:
            continue
        start = _local_start(text, at, defanged)
        match = _EMAIL.match(text, start) if start < at else None
        if match is None:
            continue
        resume = match.end()
        value = _address(match.group("local"), match.group("domain"))
        if value is not None:
            found.append(Handle("email", value, match.start(), match.end()))
    return found


def _find_spaced(text: str, found: list[Handle]) -> list[Handle]:
    """Addresses written with spaces around a bare "@" or a dot: only when the domain is a
    well-known mail domain, is defanged with a bracketed dot, or is spaced around a dot before a
    common suffix (``Support @ name .com``)."""
    spaced: list[Handle] = []
    covered = 0  # ``found`` is in order and its spans do not overlap
    for hint in _AT_DOMAIN.finditer(text):
        at = hint.start()
        while covered < len(found) and found[covered].end <= at:
            covered += 1
        if covered < len(found) and found[covered].start <= at:
            continue
        start = _local_start(text, at, True)
        match = _SPACED.match(text, start) if start < at else None
        if match is None:
            continue
        written = match.group("domain")
        defanged = "[" in written or "(" in written or "{" in written
        if not (match.group("pre") or match.group("post") or " " in written or defanged):
            continue
        domain = _DEFANGED_DOT.sub(".", written).replace(" ", "")
        value = _address(match.group("local"), domain)
        if value is None:
            continue
        spaced_dot = " " in written and domain.rpartition(".")[2].lower() in _COMMON_TLDS
        if defanged or spaced_dot or value.rpartition("@")[2] in WELL_KNOWN_MAIL:
            spaced.append(Handle("email", value, match.start(), match.end()))
    return spaced


# An "@" with a domain after it (maybe spaced or defanged): the local part is looked for only then.
_AT_DOMAIN = re.compile(
    r"@[ ]{0,2}(?:[A-Za-z0-9\-]{1,63}+[ ]{0,3}(?:\.|" + _BRACKET_DOT + r")[ ]{0,3}){1,4}"
    r"[A-Za-z]{2,24}(?![A-Za-z0-9\-])",
    re.ASCII | re.IGNORECASE,
)


@lru_cache(maxsize=4096)
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
