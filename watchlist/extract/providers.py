"""Provider cues — the words that name the service a value belongs to — and the provider rule.

Cues (lower-cased, normalized text, so ``微\u200b信``, ``支.付.宝`` and ``ＷｅＣｈａｔ`` are found):
Alipay 支付宝 / zfb / alipay; WeChat 微信 / v信 / vx / wx / 薇 / 威信 / wechat /
``w e c h a t`` / a bare ``v``; QQ qq / 扣扣 / 扣 / 企鹅 / a bare ``q``; Telegram 飞机 / 纸飞机 /
电报 / ✈ / tg / tele / telegram (and 飛機 / 電報); KakaoTalk 카톡 / 카카오톡 / kakao / kakaotalk;
WhatsApp, Signal; and LINE / Zalo / Viber, which only exist so that their IDs are never taken
for WeChat IDs. An ASCII cue may touch digits (``Q632144``, ``VX138…``) but not letters
(``vxworks``, ``vs``).

Rule for ``Handle.provider``: a kind that belongs to one service carries it itself (Telegram
handles, WeChat, QQ, Alipay, payment links). A phone or email takes the closest fitting cue that
ends at most ``WINDOW`` characters before it, or a ``微信同号`` / ``v同号`` just after a phone.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator

from watchlist.extract import cues
from watchlist.extract.model import Handle, Kind

WINDOW = 16

CUE_WORDS: dict[str, str] = {
    "alipay": "支付宝|支付寶|阿里支付|zfb|alipay",
    "wechat": "微信|威信|薇信|徽信|维信|薇|v信|vx|wx|wechat|weixin|w e c h a t|we chat|v"
    # A single dot inside a two-character cue (a longer chain is removed by ``normalize``).
    "|微.信|微·信|微-信",
    "qq": "qq|扣扣|扣|企鹅|q",
    "telegram": "telegram|tele|tg|飞机|纸飞机|小飞机|电报|✈|телеграм|телега"
    "|飛機|紙飛機|小飛機|電報|飞.机|电.报|텔레|텔레그램",
    "whatsapp": "whatsapp|whats app|wh@tsapp|wa|瓦次",
    "signal": "signal",
    "kakaotalk": "kakao|kakaotalk|kakao talk|카톡|카카오톡|카카오",
    "line": "line|zalo|viber|skype",
}
_PROVIDER_OF = {word: name for name, words in CUE_WORDS.items() for word in words.split("|")}


GROUP = "provider"
# An ASCII cue may touch digits after it (``Q632144``, ``VX138…``) but not letters (``vxworks``).
cues.register(
    GROUP,
    _PROVIDER_OF,
    left="abcdefghijklmnopqrstuvwxyz0123456789_",
    right="abcdefghijklmnopqrstuvwxyz_",
)
_WECHAT_SAME_NUMBER = re.compile(r"[ (（]{0,2}(?:微信|v信|vx|wx|v)同号")

PROVIDERS_BY_KIND: dict[Kind, frozenset[str]] = {
    "phone": frozenset(
        {"whatsapp", "wechat", "alipay", "telegram", "signal", "qq", "line", "kakaotalk"}
    ),
    "email": frozenset({"alipay"}),
}
OWN_PROVIDER: dict[Kind, str] = {
    "alipay": "alipay",
    "wechat": "wechat",
    "qq": "qq",
    "kakaotalk": "kakaotalk",
}


class ProviderCues:
    """The provider cues of one text, to annotate its handles."""

    def __init__(self, lowered: str, hits: list[tuple[int, int, str]]) -> None:
        self._text = lowered
        self._ends = [end for _start, end, _name in hits]
        self._hits = hits

    def _before(self, position: int) -> Iterator[tuple[int, str]]:
        """Cues ending in (position - WINDOW, position], closest first."""
        index = bisect_right(self._ends, position) - 1
        while index >= 0 and self._ends[index] >= position - WINDOW:
            yield self._hits[index][1], self._hits[index][2]
            index -= 1

    def provider_for(self, handle: Handle) -> str | None:
        """The provider of ``handle``: its own, or the closest fitting cue before it."""
        if handle.provider is not None:
            return handle.provider
        own = OWN_PROVIDER.get(handle.kind)
        if own is not None:
            return own
        allowed = PROVIDERS_BY_KIND.get(handle.kind)
        if not allowed:
            return None
        if handle.kind == "phone" and _WECHAT_SAME_NUMBER.match(self._text, handle.end):
            return "wechat"
        for _end, name in self._before(handle.start):
            if name in allowed:
                return name
        return None
