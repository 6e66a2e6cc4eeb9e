"""A value someone types (an allowlist row, a search) in the canonical form the extractor gives.

``canonical_value("phone", "138 0013 8000") == "+8613800138000"``: the value is run through
:func:`~watchlist.extract.extract` itself — written bare, or after the cue a post would put
before it (``微信：``, ``QQ：``, ``支付宝：``, ``TG:``) — and accepted only when the extractor
reads one handle of that kind covering the whole of it. So a typed value and a crawled one can
never be canonicalized differently, and whatever the extractor would reject (a bad checksum, a
masked card, a short QQ number) is rejected here too.
"""

from __future__ import annotations

from watchlist.extract.model import KINDS

# How a post writes a value of each kind so that the extractor takes it: tried in order.
_WRITTEN: dict[str, tuple[str, ...]] = {
    "alipay": ("支付宝：{}",),
    "wechat": ("{}", "微信：{}"),
    "qq": ("QQ：{}",),
    "telegram": ("{}", "TG: {}"),
    "kakaotalk": ("카톡ID: {}",),
}
MAX_LENGTH = 512  # entries.value


class NotAValue(ValueError):
    """A value that is not valid for its kind; the message names both."""


def canonical_value(kind: str, written: str) -> str:
    """``written`` as the extractor canonicalizes a ``kind`` value; :class:`NotAValue` if invalid.

    Surrounding spaces are ignored; anything else around the value (a second value, a word)
    makes it invalid: the extractor must read the whole of it as one handle.
    """
    from watchlist.extract import pipeline  # loaded on first use: see the package docstring

    if kind not in KINDS:
        raise NotAValue(f"unknown kind {kind!r}: use one of {', '.join(KINDS)}")
    value = written.strip()
    if value and len(value) <= MAX_LENGTH:
        for template in _WRITTEN.get(kind, ("{}",)):
            text = template.format(value)
            start, end = template.index("{}"), len(text)
            for handle in pipeline.extract(text).handles:
                if handle.kind == kind and handle.start <= start and handle.end >= end:
                    return handle.value
    raise NotAValue(f"{written!r} is not a valid {kind} value")
