"""Payment links: Alipay collection codes and WeChat Pay codes.

Canonical values: ``https://qr.alipay.com/<code>`` with the code lower-cased and any query dropped
— from ``https://``, ``http://``, scheme-less and upper-case forms (``HTTPS://QR.ALIPAY.COM/FKX…``
comes from QR alphanumeric mode); an ``alipays://…`` or ``alipayqr://…`` deep link carrying
``qrcode=<url-encoded link>`` is reduced to that inner link. WeChat Pay ``wxp://…`` is kept
exactly: its code is case-sensitive. The span covers the whole link as written.
"""

from __future__ import annotations

import re
from collections import deque
from urllib.parse import unquote

from watchlist.extract.model import Handle

_ALIPAY_QR = re.compile(
    r"(?<![A-Za-z0-9.\-])(?:https?://)?qr\.alipay\.com/([A-Za-z0-9_\-]{4,64})(?![A-Za-z0-9_\-])"
    r"(?:\?[!-~]{0,300})?",
    re.ASCII | re.IGNORECASE,
)
# The scans run over the lower-case view (same length, so the spans hold), each from a literal.
_QR_LOWER = re.compile(
    r"qr\.alipay\.com/([a-z0-9_\-]{4,64})(?![a-z0-9_\-])(?:\?[!-~]{0,300})?", re.ASCII
)
_DEEP_LINK_LOWER = re.compile(
    r"alipay(?<![a-z0-9]alipay)(?:s|qr)://[!-~]{0,600}?qrcode=([a-z0-9%._\-:/+]{8,600})"
    r"[!-~]{0,300}",
    re.ASCII,
)
_WXP = re.compile(r"wxp://(?<![A-Za-z0-9]wxp://)([A-Za-z0-9_\-]{6,64})(?![A-Za-z0-9_\-])", re.ASCII)
_NOT_BEFORE = frozenset("abcdefghijklmnopqrstuvwxyz0123456789.-")
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
        deep_spans: deque[tuple[int, int]] = deque()  # in order, not overlapping
        if "qrcode=" in lowered:
            for match in _DEEP_LINK_LOWER.finditer(lowered):
                value = _inner_link(match.group(1))
                if value is not None:
                    found.append(Handle("payment_link", value, match.start(), match.end()))
                    deep_spans.append((match.start(), match.end()))
        for match in _QR_LOWER.finditer(lowered):
            start = _link_start(lowered, match.start())
            while deep_spans and deep_spans[0][1] <= start:
                deep_spans.popleft()
            if start < 0 or (deep_spans and deep_spans[0][0] <= start):
                continue
            value = CANONICAL_PREFIX + match.group(1)
            found.append(Handle("payment_link", value, start, match.end()))
    if "wxp://" in text:
        for match in _WXP.finditer(text):
            found.append(Handle("payment_link", match.group(), match.start(), match.end()))
    return found


def _link_start(lowered: str, host: int) -> int:
    """Where the link whose host starts at ``host`` begins (its scheme, when one is written and
    not glued to a word), or -1 when the host is glued to what stands before it."""
    for scheme in ("https://", "http://"):
        start = host - len(scheme)
        if start >= 0 and lowered.startswith(scheme, start):
            if start == 0 or lowered[start - 1] not in _NOT_BEFORE:
                return start
            break
    return host if host == 0 or lowered[host - 1] not in _NOT_BEFORE else -1
