"""Websites: the registered domain (public suffix list) of URLs, ``www.`` hosts and bare hosts.

Canonical value: lower-case ASCII registered domain (``https://pay.fastu.com.cn/x`` →
``fastu.com.cn``). Defanged separators (``[.]``, ``(.)``, ``[dot]``, ``。``) and schemes
(``hxxp://``, ``hxxps[:]//``) are accepted. A Unicode host written after a scheme or ``www.``
(``http://例子.中国``) becomes lower-case punycode (``xn--fsqu00a.xn--fiqs8s``); without one, a
Unicode host cannot be told from the words around it and is skipped.
Not domains: the domain part of an email (the email span swallows it), hosts of links that are
another kind (Telegram, WhatsApp, Alipay), bare file names (``readme.md``, ``setup.py``: a bare
token whose last label is a common file extension needs a scheme or ``www.``), version numbers
and dotted words with no known public suffix.
"""

from __future__ import annotations

import re
from functools import lru_cache

from tldextract import TLDExtract

from watchlist.extract.model import Handle

# The bundled suffix-list snapshot only: no download, no cache directory.
_SUFFIXES = TLDExtract(suffix_list_urls=(), cache_dir=None)

_DOT = r"(?:\.|。|｡|\[\.\]|\(\.\)|\[dot\]|\(dot\))"
_HOST = re.compile(
    r"(?<![A-Za-z0-9@._%+\-#/\\\]\)])"
    r"(?P<scheme>(?:h[tx]{2}ps?|ftp)(?:://|\[:\]//))?"
    r"(?P<host>(?:[a-z0-9\-]{1,63}+" + _DOT + r"){1,8}(?:[a-z]{2,24}|xn--[a-z0-9\-]{1,59}))"
    r"(?![a-z0-9\-_@]|\[\.\]|\(\.\)|\.[a-z0-9])",
    re.ASCII | re.IGNORECASE,
)
_DEFANGED_DOT = re.compile(r"。|｡|\[\.\]|\(\.\)|\[dot\]|\(dot\)", re.ASCII | re.IGNORECASE)
# Every host has a separator after its first label; the scan jumps from separator to separator.
# A host's first separator sits between two label characters.
_SEPARATOR = re.compile(
    r"(?:\.|。|｡|\[\.\]|\(\.\)|\[dot\]|\(dot\)|\[DOT\]|\(DOT\))(?=[A-Za-z0-9])", re.ASCII
)
_LABEL_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-")
_SCHEME_BEFORE = re.compile(r"(?:h[tx]{2}ps?|ftp)(?:://|\[:\]//)$", re.ASCII | re.IGNORECASE)
_UNICODE_HOST = re.compile(
    r"(?<![A-Za-z0-9])(?:(?:h[tx]{2}ps?|ftp)(?:://|\[:\]//)(?:www\.)?|www\.)"
    r"(?P<host>[^\s/?#:@，。：；、！？（）()<>\"'\[\]{}|\\]{1,200}+)",
    re.IGNORECASE,
)

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


def _host_start(text: str, separator: int) -> int:
    """Where the host whose first separator is at ``separator`` begins, scheme included."""
    start, low = separator, max(0, separator - 64)
    while start > low and text[start - 1] in _LABEL_CHARS:
        start -= 1
    if text[start - 1 : start] == "/":
        scheme = _SCHEME_BEFORE.search(text, max(0, start - 10), start)
        if scheme is not None:
            return scheme.start()
    return start


def find_domains(text: str) -> list[Handle]:
    """Every website's registered domain in ``text`` (already folded)."""
    found: list[Handle] = []
    resume = 0
    for separator in _SEPARATOR.finditer(text):
        at = separator.start()
        if at < resume or at == 0:
            continue
        if text[at - 1] not in _LABEL_CHARS:
            if "\u3400" <= text[at - 1] <= "\u9fff":
                handle = _cjk_host(text, at)
                if handle is not None:
                    found.append(handle)
            continue
        if text[at - 1].isdigit() and text[separator.end()].isdigit():
            continue  # a decimal or version number; a host's last label is never digits
        start = _host_start(text, at)
        match = _HOST.match(text, start)
        if match is None or (start and _foreign_letter(text[start - 1])):
            continue
        resume = match.end()
        host = match.group("host").lower()
        if not host.isascii() or "[" in host or "(" in host:
            host = _DEFANGED_DOT.sub(".", host)
        labels = host.split(".")
        if any(not label or label[0] == "-" or label[-1] == "-" for label in labels):
            continue
        if match.group("scheme") is None and labels[0] != "www" and labels[-1] in FILE_EXTENSIONS:
            continue
        value = registered_domain(host)
        if value is None or value in EXCLUDED_DOMAINS:
            continue
        found.append(Handle("domain", value, match.start(), match.end()))
    if ("//" in text or "www." in text or "WWW." in text) and not text.isascii():
        found.extend(_unicode_hosts(text))
    return found


_TLD_AFTER = re.compile(r"\.([A-Za-z]{2,24})(?![A-Za-z0-9\-]|\.[A-Za-z0-9])", re.ASCII)
_HOST_BOUNDARY = frozenset(" \t\r\n:：,，;；(（【[「<\"'“")


def _cjk_host(text: str, at: int) -> Handle | None:
    """A Chinese-label host written bare (``跑分联盟.com``), set off by a space or punctuation."""
    tld = _TLD_AFTER.match(text, at)
    if tld is None:
        return None
    start, low = at, max(0, at - 12)
    while start > low and (
        "\u3400" <= text[start - 1] <= "\u9fff" or text[start - 1] in _LABEL_CHARS
    ):
        start -= 1
    if start > 0 and text[start - 1] not in _HOST_BOUNDARY:
        return None
    try:
        host = (text[start:at] + "." + tld.group(1)).lower().encode("idna").decode("ascii")
    except UnicodeError:
        return None
    value = registered_domain(host)
    if value is None or value in EXCLUDED_DOMAINS or tld.group(1).lower() in FILE_EXTENSIONS:
        return None
    return Handle("domain", value, start, tld.end())


def _foreign_letter(char: str) -> bool:
    """A non-ASCII, non-CJK letter: the ASCII host after it is the tail of a Unicode word."""
    return not char.isascii() and ord(char) < 0x2E80 and char.isalpha()


def _unicode_hosts(text: str) -> list[Handle]:
    found: list[Handle] = []
    for match in _UNICODE_HOST.finditer(text):
        host = match.group("host").rstrip(".-")
        if host.isascii():
            continue
        try:
            ascii_host = host.lower().encode("idna").decode("ascii")
        except UnicodeError:
            continue
        value = registered_domain(ascii_host)
        if value is not None and value not in EXCLUDED_DOMAINS:
            end = match.start("host") + len(host)
            found.append(Handle("domain", value, match.start(), end))
    return found
