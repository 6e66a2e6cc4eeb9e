"""Payment links: Alipay collection codes and WeChat Pay codes.

Canonical values: ``https://qr.alipay.com/<code>`` with the code lower-cased and any query dropped
— from ``https://``, ``http://``, scheme-less and upper-case forms (``HTTPS://QR.ALIPAY.COM/FKX…``
comes from QR alphanumeric mode); an ``alipays://…`` or ``alipayqr://…`` deep link carrying
``qrcode=<url-encoded link>`` is reduced to that inner link. WeChat Pay ``wxp://…`` is kept
exactly: its code is case-sensitive. The span covers the whole link as written.
"""

from __future__ import annotations

import re
from urllib.parse import unquote

from watchlist.extract.model import Handle

_ALIPAY_QR = re.compile(
    r"(?<![A-Za-z0-9.\-])(?:https?://)?qr\.alipay\.com/([A-Za-z0-9_\-]{4,64})(?![A-Za-z0-9_\-])"
    r"(?:\?[!-~]{0,300})?",
    re.ASCII | re.IGNORECASE,
)
_DEEP_LINK = re.compile(
    r"(?<![A-Za-z0-9])alipay(?:s|qr)://[!-~]{0,600}?qrcode=([A-Za-z0-9%._\-:/+]{8,600})[!-~]{0,300}",
    re.ASCII | re.IGNORECASE,
)
_WXP = re.compile(r"(?<![A-Za-z0-9])wxp://([A-Za-z0-9_\-]{6,64})(?![A-Za-z0-9_\-])", re.ASCII)
CANONICAL_PREFIX = "https://qr.alipay.com/"


def alipay_qr_link(link: str) -> str | None:
    """The canonical form of an Alipay collection link (any case, scheme or query), else None."""
    match = _ALIPAY_QR.fullmatch(link.strip())
    return CANONICAL_PREFIX + match.group(1).lower() if match is not None else None


def _inner_link(encoded: str) -> str | None:
    link = encoded
    for _ in range(3):  # links are sometimes encoded twice
        if "%" not in link:
            break
        link = unquote(link)
    match = _ALIPAY_QR.match(link)
    return CANONICAL_PREFIX + match.group(1).lower() if match is not None else None


def find_payment_links(text: str, lowered: str) -> list[Handle]:
    """Every payment link in ``text`` (normalized); ``lowered`` is its lower-case view."""
    found: list[Handle] = []
    if "alipay" in lowered:
        deep_spans: list[tuple[int, int]] = []
        if "qrcode=" in lowered:
            for match in _DEEP_LINK.finditer(text):
                value = _inner_link(match.group(1))
                if value is not None:
                    found.append(Handle("payment_link", value, match.start(), match.end()))
                    deep_spans.append((match.start(), match.end()))
        for match in _ALIPAY_QR.finditer(text):
            if any(a <= match.start() < b for a, b in deep_spans):
                continue
            value = CANONICAL_PREFIX + match.group(1).lower()
            found.append(Handle("payment_link", value, match.start(), match.end()))
    if "wxp://" in text:
        for match in _WXP.finditer(text):
            found.append(Handle("payment_link", match.group(), match.start(), match.end()))
    return found
