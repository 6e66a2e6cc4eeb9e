"""Role of a handle in its post: ``reported``, ``offered`` or ``mentioned``.

Rule (simple on purpose; a later version learns from reviews):

1. ``reported`` when a warning/report cue (骗子, 诈骗, 曝光, 举报, 黑名单, 避雷, 小心, 别信,
   scam, fraud, beware, warning, report, …) lies within ``REPORT_BEFORE`` characters before
   the handle or ``REPORT_AFTER`` after it on the same line. A cue does not count when it is
   guarded (谨防诈骗, 防止被骗), dismissive (骗子勿扰, 骗子绕道) or inside a question
   (``is 138… a scam?``, 是骗子吗).
2. ``mentioned`` for a public contract address (``known``: every USDT post may name Tether's),
   and for a handle asked about: its sentence ends in a question mark or asks (吗, 是不是, 请问,
   有人知道, anyone, legit …) — "is 138… a scam?".
3. ``offered`` when a contact/payee cue (联系, 加我/加微/请加, 官网, 咨询, 客服, 收款, 出U, 收U,
   contact, add me, DM, pay to, …) lies within ``OFFER_BEFORE`` characters before or
   ``OFFER_AFTER`` after the handle.
4. Otherwise, in a post that reports nobody, ``offered`` when the post reads as OTC trade (OTC
   score above 0), a cue names the handle's service (``支付宝 139…``, the handle's provider) or
   a colon introduces it (``BTC: 1…``): a handle a seller writes down is theirs. ``mentioned``
   otherwise (``I saw example.com yesterday``).
"""

from __future__ import annotations

import re
from bisect import bisect_left

from watchlist.extract import cues
from watchlist.extract.cues import LONGEST_WORD
from watchlist.extract.known import is_public_contract
from watchlist.extract.model import Handle, Role

REPORT_BEFORE = 60
REPORT_AFTER = 30
OFFER_BEFORE = 30
OFFER_AFTER = 10

GROUP = "role"
_ALNUM = "abcdefghijklmnopqrstuvwxyz0123456789"
ROLE_WORDS = cues.words_of(
    {
        "reported": "骗子|诈骗|被骗|骗了|骗局|曝光|举报|黑名单|避雷|小心|别信|跑路|拉黑|投诉|揭露"
        "|scam|scams|scammer|scammers|scammed|fraud|frauds|fraudster|fraudsters|beware|warning"
        "|report|reported|blacklist|blacklisted|avoid",
        "offered": "联系|加我|加微|加v|加q|加好友|加飞机|加tg|请加|可加|添加|咨询|客服|收款|出u|收u"
        "|私聊|私信|找我|认准|商务|合作|电话|手机|官网|网址|contact|add me|dm|message me|text me"
        "|reach me|pay to|send to|whatsapp me|telegram me|inbox"
        "|地址|钱包|账号|账户|打u到|转到|打到|充值|address|wallet|deposit|my"
        "|比特币|以太坊|波场|btc|eth|trc20|erc20|trc-20|erc-20",
    }
)
cues.register(GROUP, ROLE_WORDS, left=_ALNUM, right=_ALNUM)
_GUARD_BEFORE = re.compile(r"(?:谨防|防止|严防|以防|提防|预防)\s{0,2}$")
_DISMISS_AFTER = re.compile(r"\s{0,2}(?:勿扰|勿进|勿加|绕道|免谈|走开|别来)")
_SENTENCE_END = re.compile(r"[。！？!?\n]")
LABEL_BEFORE = 12
QUESTION_BEFORE = 40
QUESTION_AFTER = 40
_ASKS = re.compile(
    r"吗|是不是|请问|有人知道|有没有人|靠谱不|真的假的|anyone|is (?:this|it|that) (?:a |legit|real)"
    r"|legit\b|does anyone|has anyone"
)


def _counts(lowered: str, start: int, end: int) -> bool:
    """Whether a report cue at [start, end) is a real warning, not guarded, dismissive or asked."""
    if _GUARD_BEFORE.search(lowered, max(0, start - 4), start):
        return False
    if _DISMISS_AFTER.match(lowered, end):
        return False
    stop = _SENTENCE_END.search(lowered, end, end + 80)
    if stop is not None and stop.group() in "?？":
        return False
    return "吗" not in lowered[end : stop.start() if stop else end + 20]


class RoleCues:
    """Role cues of one text, found in one pass; each handle looks at those around it."""

    def __init__(self, lowered: str, otc_score: float, hits: list[cues.Hit]) -> None:
        self._text = lowered
        self._otc_score = otc_score
        self._hits = hits
        self._starts = [start for start, _end, _label in self._hits]
        self._reports: bool | None = None
        self._may_ask: bool | None = None

    @property
    def reports(self) -> bool:
        """Whether the text warns about or reports someone anywhere (found once, then kept)."""
        if self._reports is None:
            self._reports = any(
                label == "reported" and _counts(self._text, start, end)
                for start, end, label in self._hits
            )
        return self._reports

    def role_for(self, handle: Handle, provider: str | None = None) -> Role:
        """The role of ``handle`` by the rule in this module's docstring."""
        text = self._text
        line_end = text.find("\n", handle.end, handle.end + REPORT_AFTER)
        report_high = line_end if line_end >= 0 else handle.end + REPORT_AFTER
        report_low = max(0, handle.start - REPORT_BEFORE)
        offer_low, offer_high = handle.start - OFFER_BEFORE, handle.end + OFFER_AFTER
        offered = False
        hits = self._hits
        for index in range(bisect_left(self._starts, report_low - LONGEST_WORD), len(hits)):
            start, end, label = hits[index]  # by index: no copy of the list's tail per handle
            if start >= report_high and start >= offer_high:
                break
            if start < report_low:
                continue
            if label == "reported":
                if start < report_high and _counts(text, start, end):
                    return "reported"
            elif offer_low <= start < offer_high:
                offered = True
        if is_public_contract(handle.kind, handle.value) or self._asked(handle):
            return "mentioned"
        if offered:
            return "offered"
        if self.reports:
            return "mentioned"
        named = provider is not None  # a cue names the handle's service: 支付宝 139…
        if self._otc_score > 0 or named or self._labelled(handle):
            return "offered"
        return "mentioned"

    def _labelled(self, handle: Handle) -> bool:
        """Whether a colon introduces ``handle`` (``TG：…``, ``BTC: 1…``)."""
        before = self._text[max(0, handle.start - LABEL_BEFORE) : handle.start]
        return ":" in before or "：" in before

    def _asked(self, handle: Handle) -> bool:
        """Whether the sentence holding ``handle`` asks about it."""
        text = self._text
        if self._may_ask is None:  # most posts ask nothing: one look at the whole text
            self._may_ask = "?" in text or "？" in text or _ASKS.search(text) is not None
        if not self._may_ask:
            return False
        begin = max(0, handle.start - QUESTION_BEFORE)
        for match in _SENTENCE_END.finditer(text, begin, handle.start):
            begin = match.end()
        stop = _SENTENCE_END.search(text, handle.end, handle.end + QUESTION_AFTER)
        if stop is not None and stop.group() in "?？":
            return True
        end = stop.start() if stop is not None else handle.end + QUESTION_AFTER
        return _ASKS.search(text, begin, end) is not None
