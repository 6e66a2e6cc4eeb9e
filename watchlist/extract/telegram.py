"""Telegram usernames: ``@name``, ``@ name`` (after a Telegram cue, or holding a digit or ``_``),
t.me / telegram.me links and ``tg://resolve?domain=name``. Cue + bare name is in ``accounts``.

Canonical value: the username lower-cased, without ``@``. A username is 5–32 characters of
``[A-Za-z0-9_]`` starting with a letter and not ending with ``_``. Invite links (``t.me/+…``,
``t.me/joinchat/…``), Telegram's own paths (``addstickers``, ``share``, ``proxy`` …) and chat
mentions (``@everyone``, ``@here``) are not handles; ``t.me/s/name`` (channel preview) is ``name``.
"""

from __future__ import annotations

import re

from watchlist.extract.model import Handle

_NAME = r"([A-Za-z][A-Za-z0-9_]{3,30}[A-Za-z0-9])(?![A-Za-z0-9_])"
# Not after a word character (an email's local part) nor a dot/dash/plus of one; not followed by
# ".label" (that is a domain or email, e.g. "@example.com") nor by a second "@" in the same token
# (a fediverse handle, "@user@mastodon.social", "@user-1@fosstodon.org").
# One scan from each "@": "@name" (group 1) or "@ name" (group 2).
_AT = re.compile(
    r"@(?:(?<![A-Za-z0-9_.%+\-@]@)" + _NAME + r"|[ ]{1,2}" + _NAME + r")"
    r"(?!\.[A-Za-z0-9]|[\w.\-]*+@)",
    re.ASCII,
)
# Links are found from the "/" after their host: "t.me/", "telegram.me/", "telegram.dog/".
_LINK_SLASH = re.compile(r"/(?:(?<=[mM][eE]/)|(?<=[dD][oO][gG]/))")
_LINK_HOSTS = ("telegram.me", "telegram.dog", "t.me")
_LINK_PATH = re.compile(
    r"(?:s/)?" + _NAME + r"(?:/[0-9]{1,12})?(?:\?start=[A-Za-z0-9_\-]{0,64})?", re.ASCII
)
_LINK_PREFIXES = ("https://www.", "http://www.", "https://", "http://", "www.")
_HOST_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789.-")
_TG_SCHEME = re.compile(r"://(?<=[tT][gG]://)")
_RESOLVE = re.compile(r"tg://resolve\?domain=" + _NAME, re.ASCII | re.IGNORECASE)
# A Telegram cue shortly before "@ name" makes the spaced form a handle.
_CUE = re.compile(r"(?<![a-z])tg(?![a-z])|telegram|飞机|电报|✈", re.ASCII | re.IGNORECASE)
CUE_WINDOW = 12
# Without a cue, "@ name" is a username only when the name has a digit or "_" ("@ otc03"),
# so "meet me @ noon" and "USDT @ price" stay words.
_NAME_MARK = re.compile(r"[0-9_]")


def _glued_before(text: str, at: int) -> bool:
    return at > 0 and (text[at - 1].isalnum() or text[at - 1] in "._%+-")


NOT_USERNAMES = frozenset(
    {
        "everyone",
        "admin",
        "admins",
        "moderators",
        "here",
        "channel",
        "someone",
        "online",
        "joinchat",
        "addstickers",
        "addemoji",
        "addtheme",
        "addlist",
        "setlanguage",
        "share",
        "proxy",
        "socks",
        "login",
        "boost",
        "confirmphone",
        "contact",
        "invoice",
        "giftcode",
    }
)


def _handle(name: str, start: int, end: int) -> Handle | None:
    value = name.lower()
    if value in NOT_USERNAMES:
        return None
    return Handle("telegram", value, start, end, "telegram")


def find_telegram(text: str) -> list[Handle]:
    """Every Telegram username in ``text`` (already folded)."""
    found: list[Handle] = []
    if "@" in text:
        for match in _AT.finditer(text):
            name = match.group(1)
            if name is None:
                name = match.group(2)
                if not (
                    _CUE.search(text, max(0, match.start() - CUE_WINDOW), match.start())
                    or (_NAME_MARK.search(name) and not _glued_before(text, match.start()))
                ):
                    continue
            handle = _handle(name, match.start(), match.end())
            if handle is not None:
                found.append(handle)
    if "/" in text:
        for slash in _LINK_SLASH.finditer(text):
            handle = _link(text, slash.start())
            if handle is not None:
                found.append(handle)
        if _TG_SCHEME.search(text) is not None:
            for match in _RESOLVE.finditer(text):
                handle = _handle(match.group(1), match.start(), match.end())
                if handle is not None:
                    found.append(handle)
    return found


def _link(text: str, slash: int) -> Handle | None:
    """The username of a t.me-style link whose host ends just before ``slash``."""
    for host in _LINK_HOSTS:
        start = slash - len(host)
        if start >= 0 and text[start:slash].lower() == host:
            break
    else:
        return None
    for prefix in _LINK_PREFIXES:
        if text[max(0, start - len(prefix)) : start].lower() == prefix:
            start -= len(prefix)
            break
    if start > 0 and text[start - 1] in _HOST_CHARS:
        return None
    path = _LINK_PATH.match(text, slash + 1)
    return _handle(path.group(1), start, path.end()) if path is not None else None
