"""Role of a handle in its post: ``reported``, ``offered`` or ``mentioned``.

Rule (simple on purpose; a later version learns from reviews):

1. ``offered`` when a first-person contact cue of a victim (联系我, 加我, contact me, WhatsApp me,
   email me, 연락처, liên hệ, nitumie, …) lies within ``OFFER_BEFORE`` characters before the
   handle (after the closest report cue) or ``OFFER_AFTER`` after it: "if you were also
   scammed, WhatsApp me +234…" gives the poster's own number.
2. ``reported`` when a warning/report cue (骗子, 诈骗, 曝光, 举报, 黑名单, 避雷, 小心, 别信, 被呃,
   scam, fraud, beware, do not trade, 사기, мошенник, dolandırıcı, lừa đảo, tapeli, …) lies
   within ``REPORT_BEFORE`` characters before the handle or ``REPORT_AFTER`` after it on the
   same line. A cue does not count when it is guarded (谨防诈骗, 防止被骗), dismissive (骗子勿扰,
   骗子绕道) or inside a question (``is 138… a scam?``, 是骗子吗).
3. ``mentioned`` for a public contract address (``known``: every USDT post may name Tether's),
   and for a handle asked about: its sentence ends in a question mark or asks (吗, 是不是, 请问,
   有人知道, anyone, legit, güvenilir, 있나요 …), or a question stands just before it.
4. ``offered`` when a contact/payee cue (联系, 加我/加微/请加, 官网, 咨询, 客服, 收款, 出U, 收U,
   contact, add me, DM, pay to, call, text, …) lies within ``OFFER_BEFORE`` characters before or
   ``OFFER_AFTER`` after the handle.
5. Otherwise ``reported`` in a post that reports someone (a handle of a warning that no cue
   makes the poster's is the warned-of one); in a post that reports nobody, ``offered`` when the
   post reads as OTC trade (OTC lexicon score above 0), a cue names the handle's service
   (``支付宝 139…``) or a colon introduces it (``BTC: 1…``): a handle a seller writes down is
   theirs. ``mentioned`` otherwise (``I saw example.com yesterday``).
"""

from __future__ import annotations

import re
from bisect import bisect_left

import ahocorasick_rs

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
        "|騙子|詐騙|被騙|騙了|騙局|舉報|黑名單|別信|被呃|呃錢|呃人|封咗|封鎖"
        "|scam|scams|scammer|scammers|scammed|fraud|frauds|fraudster|fraudsters|beware|warning"
        "|report|reported|blacklist|blacklisted|avoid|do not trade|don't trade|dont trade"
        "|stay away|fake admin|impostor|impersonator"
        # Korean, Russian, Turkish, Vietnamese, Tagalog, Swahili, Malay report words.
        "|사기|사기꾼|먹튀|조심하세요|피해|мошенник|мошенники|мошенничество|кидала|кидалово"
        "|осторожно|не ведитесь|обман|dolandırıcı|dolandırıcılar|dolandırıcılık|uyarı|uyarisi"
        "|lừa đảo|kẻ lừa|cảnh báo|tránh xa|manloloko|budol|ingat kayo|tapeli|matapeli"
        "|penipu|penipuan|awas",
        "offered": "联系|加我|加微|加v|加q|加好友|加飞机|加tg|请加|可加|添加|咨询|客服|收款|出u|收u"
        "|私聊|私信|找我|认准|商务|合作|电话|手机|官网|网址|contact|add me|dm|message me|text me"
        "|reach me|pay to|send to|whatsapp me|telegram me|inbox"
        "|地址|钱包|账号|账户|打u到|转到|打到|充值|address|wallet|deposit|my"
        "|比特币|以太坊|波场|btc|eth|trc20|erc20|trc-20|erc-20"
        "|call|text|sms|ara|звоните|пишите|тел|sđt|liên hệ|hubungi|연락|문의|wasiliana|piga"
        "|whatsapp|viber|zalo|mpesa|m-pesa|gcash|电话|手機|電話|聯絡|聯系",
        # The poster's own contact in a warning: victims asking others to reach them.
        "self": "contact me|whatsapp me|email me|text me|message me|dm me|call me|reach me"
        "|联系我|找我|私信我|加我|聯絡我|搵我|whatsapp 我|연락처|문자 주세요|연락 주세요"
        "|liên hệ|hubungi saya|nitumie|напишите мне|пишите мне|bana yazın|bana ulaşın|ulaşın",
    }
)
cues.register(GROUP, ROLE_WORDS, left=_ALNUM, right=_ALNUM)
_GUARD_BEFORE = re.compile(r"(?:谨防|防止|严防|以防|提防|预防)\s{0,2}$")
_DISMISS_AFTER = re.compile(r"\s{0,2}(?:勿扰|勿进|勿加|绕道|免谈|走开|别来)")
_SENTENCE_END = re.compile(r"[。！？!?\n]")
LABEL_BEFORE = 12
QUESTION_BEFORE = 40
QUESTION_AFTER = 40
# Question words (吗, 请问, anyone, legit, güvenilir, 있나요, …), found by one Aho-Corasick
# automaton: a regex alternation of them cost a fifth of the OTC score's time. Each word is
# literal; a word whose side is in ``_ASK_EDGES`` may not touch a letter or digit there
# (``legit`` is no part of ``legitimate``, ``mi?`` no end of ``kimi?``).
ASK_WORDS = tuple(
    cues.words_of(
        {
            "ask": "吗|是不是|请问|有人知道|有没有人|靠谱不|真的假的|anyone|does anyone|has anyone"
            "|is this a |is this legit|is this real|is it a |is it legit|is it real"
            "|is that a |is that legit|is that real|legit|嗎|有冇人|係咪|güvenilir|mi?"
            "|있나요|인가요|궁금"
            "|кто-нибудь|кто знает|có ai|có phải|ada yang|ada sesiapa|may nakapag|totoo ba|kuna mtu"
        }
    )
)
_ASK_EDGES = {"legit": (False, True), "mi?": (True, False)}  # word: (left edge, right edge)
_ASK_PATTERNS = sorted(set(ASK_WORDS))
_ASK_AUTOMATON = ahocorasick_rs.AhoCorasick(
    _ASK_PATTERNS, implementation=ahocorasick_rs.Implementation.DFA
)
_ASK_CHECKS = [_ASK_EDGES.get(word, (False, False)) for word in _ASK_PATTERNS]


LONGEST_ASK = max(map(len, _ASK_PATTERNS))


def ask_spans(lowered: str) -> list[tuple[int, int]]:
    """Where question words stand in ``lowered`` (every occurrence, overlaps too), by start."""
    spans: list[tuple[int, int]] = []
    size = len(lowered)
    for index, start, end in _ASK_AUTOMATON.find_matches_as_indexes(lowered, overlapping=True):
        left, right = _ASK_CHECKS[index]
        if left and start and lowered[start - 1].isalnum():
            continue
        if right and end < size and lowered[end].isalnum():
            continue
        spans.append((start, end))
    spans.sort()
    return spans


def asks(lowered: str, within: int | None = None) -> bool:
    """Whether ``lowered`` holds a question word (one ending in its first ``within`` characters).

    A word is checked against the text around it, not against the window's edge: ``legit`` cut
    from ``legitimate`` by the window is no question word.
    """
    if within is None:
        return bool(ask_spans(lowered))
    return any(end <= within for _start, end in ask_spans(lowered[: within + LONGEST_ASK]))


# A question just before a handle asks about it: "有人扫过这个码吗？wxp://…".
ASKED_BEFORE = 3


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
        self._asks: list[tuple[int, int]] | None = None  # question words, found on first need
        self._ask_starts: list[int] = []
        self._may_ask = False

    def asks_within(self, within: int) -> bool | None:
        """``asks(text, within)`` when this text's question words were looked for (a handle
        needed them), else None: the caller looks for them in the window alone."""
        if self._asks is None:
            return None
        return any(end <= within for _start, end in self._asks)

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
        offered = own = False
        report_before = -1  # where the closest counting report cue before the handle ends
        report_after = False
        hits = self._hits
        for index in range(bisect_left(self._starts, report_low - LONGEST_WORD), len(hits)):
            start, end, label = hits[index]  # by index: no copy of the list's tail per handle
            if start >= report_high and start >= offer_high:
                break
            if start < report_low:
                continue
            if label == "reported":
                if start < report_high and _counts(text, start, end):
                    if end <= handle.start:
                        report_before = end
                        own = False  # a self cue counts only after the last report cue
                    else:
                        report_after = True
            elif offer_low <= start < offer_high:
                offered = True
                if label == "self" and start >= report_before:
                    own = True
        if own:
            return "offered"  # a victim's own contact, even in a warning
        if report_before >= 0 or report_after:
            return "reported"
        if is_public_contract(handle.kind, handle.value) or self._asked(handle):
            return "mentioned"
        if offered:
            return "offered"
        if self.reports:
            return "reported"  # in a warning, a handle no cue makes the poster's is the warned-of
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
        if self._asks is None:  # most posts ask nothing: one look at the whole text
            self._asks = ask_spans(text)
            self._ask_starts = [start for start, _end in self._asks]
            self._may_ask = "?" in text or "？" in text or bool(self._asks)
        if not self._may_ask:
            return False
        stop = _SENTENCE_END.search(text, handle.end, handle.end + QUESTION_AFTER)
        if stop is not None and stop.group() in "?？":
            return True
        if not self._asks:  # no question word: only a question mark ending the sentence asks
            return False
        lead = text[max(0, handle.start - ASKED_BEFORE) : handle.start].rstrip()
        if lead[-1:] in ("?", "？"):
            asked = text.rfind("\n", 0, handle.start - ASKED_BEFORE) + 1
            for match in _SENTENCE_END.finditer(text, asked, len(lead) + handle.start - 4):
                asked = match.end()
            if self._asks_within(max(asked, handle.start - QUESTION_BEFORE), handle.start):
                return True
        begin = max(0, handle.start - QUESTION_BEFORE)
        for match in _SENTENCE_END.finditer(text, begin, handle.start):
            begin = match.end()
        end = stop.start() if stop is not None else handle.end + QUESTION_AFTER
        return self._asks_within(begin, end)

    def _asks_within(self, begin: int, end: int) -> bool:
        """Whether a question word lies wholly inside ``[begin, end)``."""
        spans = self._asks or []
        for index in range(bisect_left(self._ask_starts, begin), len(spans)):
            start, stop = spans[index]
            if start >= end:
                return False
            if stop <= end:
                return True
        return False
