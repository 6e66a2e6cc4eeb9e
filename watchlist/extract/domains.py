"""Websites: the registered domain (public suffix list) of URLs, ``www.`` hosts and bare hosts.

Canonical value: lower-case ASCII registered domain (``https://pay.fastu.com.cn/x`` →
``fastu.com.cn``). Defanged separators (``[.]``, ``(.)``, ``[dot]``, ``。``; spaces around a
bracketed one and inside its brackets: ``example [ . ] com``), percent-encoded slashes before a
host (``url=http%3A%2F%2Fexample.com``) and schemes (``hxxp://``, ``hxxps[:]//``, ``tcp://`` …)
are accepted. A Unicode host becomes lower-case punycode, its labels kept whole: after a scheme
or ``www.`` any host (``http://例子.中国`` → ``xn--fsqu00a.xn--fiqs8s``); written bare, one
label before an ASCII suffix, set off by a space, punctuation or the start of the text
(``exämple.com`` → ``xn--exmple-cua.com``, ``跑分联盟.com``).
Not domains: the domain part of an email (the email span swallows it), hosts of links that are
another kind (Telegram, WhatsApp, Alipay), bare file names (``readme.md``, ``setup.py``: a bare
token whose last label is a common file extension needs a scheme or ``www.``), names in code
written bare (a package path ``com.example.Foo.bar`` / ``com.tencent.mm``, a call
``app.run(debug=True)``: see ``_code_name``), version numbers and dotted words with no known
public suffix. The host of a URL with userinfo (``https://user:pass@host/``) is a domain.

Speed: the scan jumps from separator to separator with literal-first patterns (a "." between
digits is skipped by the pattern itself); only a separator next to a label costs Python work, a
dotted run that holds no host is skipped whole, and a host's value is cached.
"""

from __future__ import annotations

import re
from functools import lru_cache

from tldextract import TLDExtract

from watchlist.extract.model import Handle

# The bundled suffix-list snapshot only: no download, no cache directory.
_SUFFIXES = TLDExtract(suffix_list_urls=(), cache_dir=None)

_BRACKET_DOT = r"(?:\[[ ]{0,2}\.[ ]{0,2}\]|\([ ]{0,2}\.[ ]{0,2}\)|\[dot\]|\(dot\))"
_DOT = r"(?:\.|。|｡|[ ]{0,3}" + _BRACKET_DOT + r"[ ]{0,3})"
# A host from its first label on (the scheme and what stands before are checked in Python).
_HOST = re.compile(
    r"(?:[a-z0-9\-]{1,63}+" + _DOT + r"){1,8}(?:[a-z]{2,24}|xn--[a-z0-9\-]{1,59})"
    r"(?![a-z0-9\-_@]|\.[a-z0-9]|[ ]{0,3}" + _BRACKET_DOT + ")",
    re.ASCII | re.IGNORECASE,
)
_DEFANGED_DOT = re.compile(r"[ ]*" + _BRACKET_DOT + r"[ ]*|。|｡", re.ASCII | re.IGNORECASE)
# Every host has a separator after its first label; the scan jumps from separator to separator.
# Literal first, so the engine skips ahead in C. A "." between two digits is a number.
_DOT_SEPARATOR = re.compile(r"\.(?:(?=[A-Za-z])|(?<![0-9]\.)(?=[0-9]))")
_IDEOGRAPHIC_SEPARATORS = (re.compile(r"。(?=[A-Za-z0-9])"), re.compile(r"｡(?=[A-Za-z0-9])"))
_BRACKET_SEPARATOR = re.compile(
    r"\[(?:[ ]{0,2}\.[ ]{0,2}|dot|DOT|Dot)\](?=[ ]{0,3}[A-Za-z0-9])", re.ASCII
)
_PAREN_SEPARATOR = re.compile(
    r"\((?:[ ]{0,2}\.[ ]{0,2}|dot|DOT|Dot)\)(?=[ ]{0,3}[A-Za-z0-9])", re.ASCII
)
# A dotted run: only its first label can start a host (none starts after ".", "-" or a letter).
_RUN = re.compile(r"[A-Za-z0-9.\-]*")
# The label before a separator, matched in the reversed text (at most 64 characters back).
_LABEL_REVERSED = re.compile(r"[A-Za-z0-9\-]{1,64}", re.ASCII)
_LABEL_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-")
_HEX = frozenset("0123456789ABCDEFabcdef")
# What may not stand before a bare host: it would be a part of a longer token, a path or an
# address ("/" is fine after a scheme, "%" after a percent-encoded character).
_NOT_BEFORE = frozenset("@._%+#/\\])") | _LABEL_CHARS
_SCHEMES = r"(?:h[tx]{2}ps?|s?ftps?|tcp|udp|wss?|ssh|socks[45]?|rtmps?|smtps?|imaps?|irc)"
_SCHEME_BEFORE = re.compile(_SCHEMES + r"(?:://|\[:\]//)$", re.ASCII | re.IGNORECASE)
_USERINFO_BEFORE = re.compile(
    r"(?<![A-Za-z0-9])" + _SCHEMES + r"://[^\s/@]{1,64}@$", re.ASCII | re.IGNORECASE
)
# "//" or "www." before a host that holds a non-ASCII character (the others are found above).
_UNICODE_AHEAD = r"(?=[A-Za-z0-9.\-]*[^\x00-\x7f\s，。：；、！？（）])"
_SLASHES = re.compile(r"//(?:www\.|WWW\.)?" + _UNICODE_AHEAD)
_WWWS = (
    re.compile(r"www\.(?<![A-Za-z0-9/]www\.)" + _UNICODE_AHEAD),
    re.compile(r"WWW\.(?<![A-Za-z0-9/]WWW\.)" + _UNICODE_AHEAD),
)
_UNICODE_HOST = re.compile(
    r"[^\s\x00-\x1f\x7f-\x9f\ufffd/?#:@，。：；、！？（）()<>\"'\[\]{}|\\]{1,200}+"
)
# What IDNA must give for a host (it passes ASCII labels through unchecked).
_ASCII_HOST = re.compile(r"[a-z0-9\-]{1,63}(?:\.[a-z0-9\-]{1,63})+", re.ASCII)
# Code, not hosts: a package path (three or more labels under a generic root, as Java, Kotlin
# and Android name things: ``com.example.Foo.bar``, ``com.tencent.mm``) or a dotted name called
# like a function, the parenthesis glued to it: ``button.click()``, ``app.run(debug=True)``,
# ``model.fit(X, y)``, ``logger.info(`` ending its line, a stack frame's ``(Foo.java:42)`` —
# not ``okx.com(VPN)``. Neither holds
# after a scheme or ``www.``.
_PACKAGE_ROOTS = frozenset({"com", "org", "net", "edu", "gov", "io"})
_CALL = re.compile(r"\((?:[ \t]*+\r?\n|([ -'*-~]{0,240}+)\))")
_FRAME_ARGS = re.compile(
    r"[\w$]{1,60}\.[a-z]{1,6}:[0-9]{1,6}|Native Method|Unknown Source", re.ASCII
)
_CODE_MARKS = frozenset("=,\"'")

# Registered domains whose links are other kinds (telegram, phone, payment_link) or that are the
# payment platforms themselves: never watchlist websites.
EXCLUDED_DOMAINS = frozenset({"t.me", "telegram.me", "telegram.dog", "wa.me", "alipay.com"})

# Extensions of files people name in posts; several are also ccTLDs (.md, .py, .sh, .so, .rs).
_FILE_EXTENSION_LIST = """
    md py pyc sh bash js ts jsx tsx mjs json yml yaml toml ini cfg conf log lock txt csv tsv
    xml html htm css scss zip rar 7z tar gz tgz bz2 xz iso img bin exe dll so dylib msi apk ipa
    dmg deb rpm pdf doc docx xls xlsx ppt pptx odt rtf png jpg jpeg gif webp bmp svg ico tif tiff
    heic mp3 mp4 m4a wav flac mov avi mkv webm ttf otf woff woff2 rs go java kt c h cc cpp hpp
    rb php pl pm cs swift sql db sqlite bak tmp old out dat"""
FILE_EXTENSIONS = frozenset(_FILE_EXTENSION_LIST.split())


@lru_cache(maxsize=8192)
def registered_domain(host: str) -> str | None:
    """The registered domain of a lower-case ASCII ``host``; None without a public suffix."""
    parts = _SUFFIXES(host)
    if not parts.suffix or not parts.domain:
        return None
    return f"{parts.domain}.{parts.suffix}"


@lru_cache(maxsize=8192)
def _host_value(written: str, scheme: bool) -> str | None:
    """The domain of an ASCII host as written (maybe defanged), or None when it is none."""
    host = written.lower()
    if "[" in host or "(" in host or not host.isascii():
        host = _DEFANGED_DOT.sub(".", host)
    labels = host.split(".")
    if any(not label or label[0] == "-" or label[-1] == "-" for label in labels):
        return None
    if not scheme and labels[0] != "www" and labels[-1] in FILE_EXTENSIONS:
        return None
    value = registered_domain(host)
    return None if value is None or value in EXCLUDED_DOMAINS else value


def _code_name(written: str, text: str, end: int) -> bool:
    """Whether the bare host ``written``, ending at ``end`` of ``text``, is a name in code."""
    root, dot, rest = written.partition(".")
    if root.lower() == "www":
        return False
    if text.startswith("(", end):
        call = _CALL.match(text, end)
        if call is not None:
            args = call.group(1)
            if not args or not _CODE_MARKS.isdisjoint(args) or _FRAME_ARGS.fullmatch(args):
                return True
    return bool(dot) and "." in rest and root.lower() in _PACKAGE_ROOTS


def _separators(text: str) -> list[tuple[int, int]]:
    """(start, end) of every separator that may follow a host's first label, in order."""
    found = [m.span() for m in _DOT_SEPARATOR.finditer(text)] if "." in text else []
    extra = False
    for separator, char in zip(_IDEOGRAPHIC_SEPARATORS, "。｡", strict=True):
        if char in text:
            more = [m.span() for m in separator.finditer(text)]
            if more:
                found.extend(more)
                extra = True
    if "[" in text:
        found.extend(m.span() for m in _BRACKET_SEPARATOR.finditer(text))
        extra = True
    if "(" in text:
        found.extend(m.span() for m in _PAREN_SEPARATOR.finditer(text))
        extra = True
    if extra:
        found.sort()
    return found


def find_domains(text: str) -> list[Handle]:
    """Every website's registered domain in ``text`` (already folded)."""
    found: list[Handle] = []
    resume = 0
    reverse: str | None = None  # the text reversed: a label before a separator is one match
    for at, after in _separators(text):
        if at < resume or at == 0:
            continue
        end = at  # where the label before the separator ends
        if text[at] != "." and text[at] != "。":
            while end > at - 3 and end > 1 and text[end - 1] == " ":
                end -= 1
        previous = text[end - 1]
        if previous not in _LABEL_CHARS:
            if text[at] in ".。｡" and not previous.isascii() and previous.isalnum():
                handle = _bare_unicode_host(text, at, "\u3400" <= previous <= "\u9fff")
                if handle is not None:
                    found.append(handle)
            continue
        if previous.isdigit() and text[after : after + 1].isdigit():
            continue  # a decimal or version number; a host's last label is never digits
        if reverse is None:
            reverse = text[::-1]
        label = _LABEL_REVERSED.match(reverse, len(text) - end)
        start = end - (label.end() - label.start()) if label is not None else end - 1
        before = text[start - 1] if start else " "
        scheme = -1
        if before == "%" and start + 2 < end and text[start] in _HEX and text[start + 1] in _HEX:
            start += 2  # "%2Fexample.com": a percent-encoded "/" (or ":", "=") before the host
        elif before == "/":
            match = _SCHEME_BEFORE.search(text, max(0, start - 12), start)
            if match is None:
                continue
            scheme = match.start()
        elif before == "@":  # the host of a URL with userinfo (https://user:pass@host/)?
            low = max(0, start - 90)
            match = None
            if text.find("://", low, start) >= 0:
                match = _USERINFO_BEFORE.search(text, low, start)
            if match is None:
                continue
            scheme = match.start()
        elif before in _NOT_BEFORE:
            continue
        elif not before.isascii() and before.isalpha() and before < "\u2e80":
            handle = _bare_unicode_host(text, at, False)  # "exämple.com": one Unicode label
            if handle is not None:
                found.append(handle)
            continue
        match = _HOST.match(text, start)
        if match is None:
            run = _RUN.match(text, start)
            resume = run.end() if run is not None else start
            continue
        resume = match.end()
        value = _host_value(match.group(), scheme >= 0)
        if value is not None and (scheme >= 0 or not _code_name(match.group(), text, resume)):
            found.append(Handle("domain", value, scheme if scheme >= 0 else start, resume))
    if not text.isascii() and ("//" in text or "www." in text or "WWW." in text):
        found.extend(_unicode_hosts(text))
    return found


_TLD_AFTER = re.compile(r"[.。｡]([A-Za-z]{2,24})(?![A-Za-z0-9\-]|\.[A-Za-z0-9])", re.ASCII)
_HOST_BOUNDARY = frozenset(" \t\r\n:：,，;；(（【[「<\"'“")


def _bare_unicode_host(text: str, at: int, cjk: bool) -> Handle | None:
    """A one-label Unicode host before an ASCII suffix, written bare and set off by a space,
    punctuation or the start of the text: ``跑分联盟.com`` (``cjk``: at most 12 characters, ASCII
    ones included) or ``exämple.com`` (letters of other scripts, digits and ``-``)."""
    tld = _TLD_AFTER.match(text, at)
    if tld is None:
        return None
    start = at
    if cjk:
        low = max(0, at - 12)
        while start > low and (
            "\u3400" <= text[start - 1] <= "\u9fff" or text[start - 1] in _LABEL_CHARS
        ):
            start -= 1
    else:
        low = max(0, at - 63)
        while start > low and (
            text[start - 1] == "-"
            or (text[start - 1].isalnum() and not "\u2e80" <= text[start - 1] <= "\U0002ffff")
        ):
            start -= 1
    if start > 0 and text[start - 1] not in _HOST_BOUNDARY:
        return None
    try:
        host = (text[start:at] + "." + tld.group(1)).lower().encode("idna").decode("ascii")
    except UnicodeError:
        return None
    if _ASCII_HOST.fullmatch(host) is None:
        return None
    value = registered_domain(host)
    if value is None or value in EXCLUDED_DOMAINS or tld.group(1).lower() in FILE_EXTENSIONS:
        return None
    return Handle("domain", value, start, tld.end())


def _unicode_hosts(text: str) -> list[Handle]:
    """Hosts with a non-ASCII character after a scheme or ``www.`` (``http://例子.中国``)."""
    starts: list[tuple[int, int]] = []
    for slashes in _SLASHES.finditer(text):
        scheme = _SCHEME_BEFORE.search(text, max(0, slashes.start() - 12), slashes.start() + 2)
        if scheme is not None and not text[scheme.start() - 1 : scheme.start()].isalnum():
            starts.append((scheme.start(), slashes.end()))
    for pattern, www in zip(_WWWS, ("www.", "WWW."), strict=True):
        if www in text:
            starts.extend(match.span() for match in pattern.finditer(text))
    found: list[Handle] = []
    for start, host_start in starts:
        match = _UNICODE_HOST.match(text, host_start)
        if match is None:
            continue
        host = match.group().rstrip(".-")
        if host.isascii():
            continue
        try:
            ascii_host = host.lower().encode("idna").decode("ascii")
        except UnicodeError:
            continue
        if _ASCII_HOST.fullmatch(ascii_host) is None:
            continue
        value = registered_domain(ascii_host)
        if value is not None and value not in EXCLUDED_DOMAINS:
            found.append(Handle("domain", value, start, host_start + len(host)))
    return found
