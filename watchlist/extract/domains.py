"""Websites: the registered domain (public suffix list) of URLs, ``www.`` hosts and bare hosts.

Canonical value: lower-case ASCII registered domain (``https://pay.fastu.com.cn/x`` →
``fastu.com.cn``). Defanged separators (``[.]``, ``(.)``, ``[dot]``, ``。``) are accepted.
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
    r"(?P<scheme>(?:https?|ftp)://)?"
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
_SCHEMES = ("https://", "http://", "ftp://")

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
    if text[start - 3 : start] == "://" and start >= 6:
        before = text[max(0, start - 8) : start].lower()
        for scheme in _SCHEMES:
            if before.endswith(scheme):
                return start - len(scheme)
    return start


def find_domains(text: str) -> list[Handle]:
    """Every website's registered domain in ``text`` (already folded)."""
    found: list[Handle] = []
    resume = 0
    for separator in _SEPARATOR.finditer(text):
        at = separator.start()
        if at < resume or at == 0 or text[at - 1] not in _LABEL_CHARS:
            continue
        match = _HOST.match(text, _host_start(text, at))
        if match is None:
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
    return found
