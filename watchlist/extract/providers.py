"""Provider: the service the context attributes a handle to.

Rule (simple on purpose): the closest provider cue that ends at most ``WINDOW`` characters before
the handle names its provider, when that provider makes sense for the handle's kind (a phone can
be a WhatsApp, WeChat, Alipay, Telegram or Signal account; an email an Alipay account). A
``微信同号`` / ``v同号`` just after a phone says WeChat. Kinds that belong to one service carry it
themselves (Telegram handles: ``telegram``; wa.me links: ``whatsapp``). Otherwise None.
"""

from __future__ import annotations

import re

from watchlist.extract.cues import LONGEST_WORD, table
from watchlist.extract.model import Handle, Kind

WINDOW = 16

_CUES = table(
    {
        "whatsapp": "whatsapp|whats app|wh@tsapp|wa|瓦次",
        "alipay": "支付宝|alipay|zfb",
        "wechat": "微信|薇信|威信|v信|wechat|weixin|vx|wx",
        "qq": "qq|扣扣|企鹅",
        "telegram": "telegram|tg|飞机|电报|✈",
        "signal": "signal",
    }
)
_WECHAT_SAME_NUMBER = re.compile(r"[ (（]{0,2}(?:微信|v信|vx|wx|v)同号")

PROVIDERS_BY_KIND: dict[Kind, frozenset[str]] = {
    "phone": frozenset({"whatsapp", "wechat", "alipay", "telegram", "signal"}),
    "email": frozenset({"alipay"}),
}


class ProviderCues:
    """Provider cues of one text, looked for only just before each handle."""

    def __init__(self, lowered: str) -> None:
        self._text = lowered

    def provider_for(self, handle: Handle) -> str | None:
        """The provider of ``handle``: its own, or the closest fitting cue before it."""
        if handle.provider is not None:
            return handle.provider
        allowed = PROVIDERS_BY_KIND.get(handle.kind)
        if not allowed:
            return None
        if handle.kind == "phone" and _WECHAT_SAME_NUMBER.match(self._text, handle.end):
            return "wechat"
        low = max(0, handle.start - WINDOW - LONGEST_WORD)
        provider = None
        for _start, end, name in _CUES.finditer(self._text, low, handle.start):
            if end >= handle.start - WINDOW and name in allowed:
                provider = name
        return provider
