"""Chat and payee accounts that only a cue makes a handle: WeChat, QQ, Alipay, bare Telegram names.

A *chain* is one or more provider cues joined by short gaps (``电话/微信``, ``q、v同号``,
``微信号：``, ``加个微信吗:``; see ``_GAP``). The value right after a chain — or, when the chain
says ``同号`` ("same number"), the value right before it — belongs to every provider of the chain:

- a phone: ``wechat`` / ``alipay`` with the phone's E.164 value (the phone stays a ``phone``);
  ``qq`` with its Chinese national digits;
- an email: ``alipay`` with the address (the email stays an ``email``);
- a bare token: a WeChat ID (``[a-zA-Z][-_a-zA-Z0-9]{5,19}``, lower-cased), a QQ number (5–11
  digits, no leading zero, not an amount such as ``50000 U``), a Telegram username or a
  KakaoTalk ID (4–20 letters, digits, ``.``, ``_``, ``-``; lower-cased).

A chain whose value is a reference (``微信：同上``, ``WeChat: same as above``, ``上面号码微信同号``)
binds its providers to the closest phone or email written before it. A Telegram name or KakaoTalk
ID may also come before its cue (``usdt_king 是我的飞机``, ``name is my telegram``, ``name on
telegram``): then it must hold a digit, ``_``, ``.`` or ``-``. Emoji may stand between a cue and
its value (``카톡 👉 name``).

Rules where the contract is silent: a WeChat ID made of letters only needs an explicit label
(a ``:``, ``号`` or ``id`` between cue and value) so that ``wechat please`` is not an ID, and after
the bare ``v`` cue an ID needs a digit (``V yi0749888``, not ``v hello``). A WeChat ID cannot
start with a digit, so ``【Q632144】q、v同号`` gives ``qq`` 632144 only; and after a chain that says
同号 only a number is taken (``（微信同号），USDT-TRC20 …`` gives no ID). An English label word
glued to the token after it is part of the token (``加V iduijin351``: ``iduijin351``) unless
the rest is a number (``VX mobile13800138000``: the phone), and a token naming a token network
(``USDT-TRC20``, ``ERC20`` in a list of payment methods) is no ID. A bare Telegram name needs
a Chinese cue or ✈ (``飞机：usdt_king``) or a colon after an English one (``TG: usdt_king``).
Two more finders need no cue: ``wxid_…`` IDs and 16-digit ``2088…`` Alipay user ids.
"""

from __future__ import annotations

import re

from watchlist.extract.model import Handle
from watchlist.extract.numbers import blocked, escape_at, windows
from watchlist.extract.telegram import NOT_USERNAMES

_GAP = re.compile(
    r"(?:[ \t:：=\-—>→（）()\[\]【】「」《》<>\"'“”/、,，&|~]|手机号码|手机号|手机|电话|号码"
    # Emoji and pictographs between a cue and its value ("카톡 👉 name"), but never ✈ (a cue).
    r"|[\U0001F000-\U0001FAFF\u2190-\u21ff\u2600-\u2707\u2709-\u27bf\u2b00-\u2bff]"
    r"|아이디|계정"
    r"|号|邮箱|账号|帐号|账户|帐户|no\.|是|为|吗|呢|另加|请加|加|我|本人|个|只有|仅|唯一|一下"
    r"|同号|也是|或|和"
    # An English label word glued to what follows is the start of the value: "V iduijin351".
    r"|(?:userid|uid|id|same number|same|number|account|mobile|phone|email|is)(?![a-z0-9_]))"
    r"{0,12}+"
)
_LABELLED = re.compile(r"[:：=]|号|id|아이디")
_WECHAT_ID = re.compile(r"[A-Za-z][-_A-Za-z0-9]{5,19}(?![-_A-Za-z0-9@]|\.[A-Za-z0-9])", re.ASCII)
_WECHAT_ID_END = re.compile(r"(?<![-_A-Za-z0-9@.])[A-Za-z][-_A-Za-z0-9]{5,19}$", re.ASCII)
_WXID = re.compile(r"(?<![A-Za-z0-9_])wxid_[A-Za-z0-9_\-]{4,30}(?![A-Za-z0-9_\-])", re.I | re.A)
_QQ = re.compile(r"[1-9](?:[ \-]{0,2}[0-9]){4,10}+(?![ \-]{0,2}[0-9])")
_QQ_SEPARATORS = re.compile(r"[ \-]+")
_QQ_END = re.compile(r"(?<![0-9])[1-9][0-9]{4,10}$")
_AMOUNT_AFTER = re.compile(
    r"[ ]{0,2}(?:u(?![a-z])|usdt|元|块|万|w(?![a-z])|k(?![a-z])|rmb|cny|%|个|人|次|条|年|月|日|天)"
)
_TG_NAME = re.compile(
    r"[A-Za-z][A-Za-z0-9_]{3,30}[A-Za-z0-9](?![A-Za-z0-9_@]|\.[A-Za-z0-9])", re.ASCII
)
# A KakaoTalk ID: 4–20 letters, digits, ".", "_", "-" (ARCHITECTURE.md), not a domain's start.
_KAKAO_ID = re.compile(
    r"[A-Za-z0-9](?:[A-Za-z0-9._\-]{2,18}[A-Za-z0-9])(?![A-Za-z0-9._\-@]|\.[A-Za-z0-9])", re.ASCII
)
_LETTERS_ONLY = re.compile(r"[A-Za-z]+", re.ASCII)
# A value given earlier and referred to: "微信：同上", "WeChat: same as above", "同手机".
_SAME_AS_ABOVE = re.compile(
    r"(?:同上|同手机|同电话|同號|同手機|同电话号|same as above|same as phone)"
)
_ABOVE_BEFORE = re.compile(r"(?:上面|上述|以上|上方)[的]?(?:号码|号|手机|电话|號碼)?\s{0,2}$")
# A one-letter cue glued to digits ("Q3051228841") is a cue and a number, never an ID.
_CUE_AND_NUMBER = re.compile(r"(?:q|qq|v|vx|wx)[0-9]+", re.ASCII | re.IGNORECASE)
# A name written before its cue, joined by a possessive or "on": "usdt_king 是我的飞机",
# "name is my telegram", "name on telegram", "name là telegram của mình", "name 이 제 카카오톡".
_JOINERS = (
    "是我的",
    "就是我的",
    "是我",
    "is my",
    "is our",
    "on",
    "là",
    "이 제",
    "가 제",
    "이",
    "가",
    "는",
)
_NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")
_NOT_BEFORE_NAME = _NAME_CHARS | frozenset("@/#")
CUE_AFTER_REACH = 48
_BACK_GAP = " \t(（[【:：,，、同"
_HAS_DIGIT = re.compile(r"[0-9_\-]")
_HAS_NAME_MARK = re.compile(r"[0-9_.\-]")
_GLUED_LABEL = re.compile(r"(?:userid|uid|id|number|account|mobile|phone|email|tel)(?=[a-z0-9+])")
# A label word glued to digits alone is a label and a number, not an ID: "mobile13800138000".
_LABEL_AND_NUMBER = re.compile(
    r"(?:userid|uid|id|number|account|mobile|phone|tel|no)[0-9]+", re.ASCII | re.IGNORECASE
)
# A token naming a token network, as payment-method lists do (支付宝、微信、USDT-TRC20): no ID.
_NETWORK = re.compile(r"(?:usd[tc][-_]?)?(?:trc|erc|bep)[-_]?20", re.ASCII | re.IGNORECASE)


class _Views:
    def __init__(self, text: str, digits: str, lowered: str, base: list[Handle]) -> None:
        self.text, self.digits, self.lowered = text, digits, lowered
        self.by_start: dict[int, Handle] = {}
        self.by_end: dict[int, Handle] = {}
        for handle in base:
            if handle.kind in ("phone", "email"):
                self.by_start.setdefault(handle.start, handle)
                self.by_end.setdefault(handle.end, handle)


def find_accounts(
    text: str, digits: str, lowered: str, base: list[Handle], hits: list[tuple[int, int, str]]
) -> list[Handle]:
    """The cue-made accounts of a normalized text, given its phones/emails and provider cues."""
    views = _Views(text, digits, lowered, base)
    found: list[Handle] = []
    index = 0
    values_at: set[int] = set()
    while index < len(hits):
        chain_start, providers, labelled, same, value_at, index, single = _chain(
            lowered, hits, index
        )
        values_at.add(value_at)
        same = same or lowered[max(0, chain_start - 2) : chain_start].endswith(("同", "同("))
        cjk_cue = not lowered[hits[index - 1][0]].isascii() if index else False
        if providers <= {"whatsapp", "signal", "line"}:
            continue
        reference = _SAME_AS_ABOVE.search(lowered, hits[index - 1][1], value_at + 14)
        if (reference is not None and reference.start() <= value_at) or (
            same and _ABOVE_BEFORE.search(lowered, max(0, chain_start - 8), chain_start)
        ):
            found.extend(_above(views, chain_start, providers))
            continue
        found.extend(_after(views, value_at, providers, (labelled, cjk_cue, single, same)))
        if same:
            found.extend(_before(views, chain_start, providers))
    found.extend(_cue_after(views, hits, values_at))
    if "wxid_" in lowered:
        found.extend(
            Handle("wechat", m.group().lower(), m.start(), m.end(), "wechat")
            for m in _WXID.finditer(text)
        )
    if "2088" in digits:
        for window in windows(digits, 16, 16):
            before = digits[window.start - 1 : window.start]
            if window.digits.startswith("2088") and (
                before == "=" or not blocked(digits, lowered, window.start, window.end)
            ):
                found.append(Handle("alipay", window.digits, window.start, window.end, "alipay"))
    return found


def _chain(
    lowered: str, hits: list[tuple[int, int, str]], index: int
) -> tuple[int, set[str], bool, bool, int, int, bool]:
    """Follow cues joined by gaps from ``hits[index]``.

    Returns the chain's start, its providers, whether the last gap labels the value (``:``,
    ``号``, ``id``), whether it says 同号, where the value starts, the next unused hit, and
    whether the last cue is a bare single letter.
    """
    chain_start = hits[index][0]
    providers: set[str] = set()
    same = False
    while True:
        start, end, name = hits[index]
        providers.add(name)
        gap = _GAP.match(lowered, end)
        value_at = gap.end() if gap is not None else end
        gap_text = lowered[end:value_at]
        labelled = _LABELLED.search(gap_text) is not None
        same = same or "同号" in gap_text
        single = end - start == 1 and lowered[start].isascii()
        index += 1
        while index < len(hits) and hits[index][0] < end:
            index += 1
        if (
            index < len(hits)
            and hits[index][0] == value_at
            and not _glued_letter(lowered, hits[index])
        ):
            continue
        return chain_start, providers, labelled, same, value_at, index, single


def _glued_letter(lowered: str, hit: tuple[int, int, str]) -> bool:
    """A one-letter cue glued to what follows (``v12345678``) is the start of a value."""
    start, end, _name = hit
    return (
        end - start == 1 and lowered[end : end + 1].isalnum() and lowered[end : end + 1].isascii()
    )


def _bound(value: Handle, providers: set[str]) -> list[Handle]:
    """The accounts a phone or email is, by the providers its cues name."""
    out: list[Handle] = []
    span = (value.start, value.end)
    if value.kind == "phone":
        if "wechat" in providers:
            out.append(Handle("wechat", value.value, *span, "wechat"))
        if "alipay" in providers:
            out.append(Handle("alipay", value.value, *span, "alipay"))
        national = value.value[3:]
        if "qq" in providers and value.value.startswith("+86") and len(national) <= 11:
            out.append(Handle("qq", national, *span, "qq"))
    elif value.kind == "email" and "alipay" in providers:
        out.append(Handle("alipay", value.value, *span, "alipay"))
    return out


def _after(
    views: _Views, at: int, providers: set[str], flags: tuple[bool, bool, bool, bool]
) -> list[Handle]:
    """The accounts written right after a chain that ends at ``at``.

    ``flags``: the gap labels the value; the last cue is Chinese (or ✈); it is a bare letter;
    the chain says 同号 (the account is a number: no WeChat ID or Telegram name follows).
    """
    labelled, cjk_cue, single, same = flags
    value = views.by_start.get(at)
    if value is None:  # "VX mobile13800138000": a label word glued to a phone or an email
        glued = _GLUED_LABEL.match(views.lowered, at)
        value = views.by_start.get(glued.end()) if glued is not None else None
    if value is not None:
        return _bound(value, providers)
    out: list[Handle] = []
    if "wechat" in providers and not same:
        match = _WECHAT_ID.match(views.text, at)
        if (
            match is not None
            and ((labelled and not single) or _HAS_DIGIT.search(match.group()))
            and _NETWORK.fullmatch(match.group()) is None
            and _LABEL_AND_NUMBER.fullmatch(match.group()) is None
        ):
            out.append(Handle("wechat", match.group().lower(), at, match.end(), "wechat"))
    if "qq" in providers:
        handle = _qq(views, _QQ.match(views.digits, at))
        if handle is not None:
            out.append(handle)
    if "kakaotalk" in providers and not same:
        match = _KAKAO_ID.match(views.text, at)
        if match is not None and (labelled or not _LETTERS_ONLY.fullmatch(match.group())):
            out.append(Handle("kakaotalk", match.group().lower(), at, match.end(), "kakaotalk"))
    if "telegram" in providers and not same:
        match = _TG_NAME.match(views.text, at)
        if (
            match is not None
            and (labelled or cjk_cue or _HAS_DIGIT.search(match.group()))
            and match.group().lower() not in NOT_USERNAMES
            and _NETWORK.fullmatch(match.group()) is None
        ):
            out.append(Handle("telegram", match.group().lower(), at, match.end(), "telegram"))
    return out


def _qq(views: _Views, match: re.Match[str] | None) -> Handle | None:
    if match is None:
        return None
    if _AMOUNT_AFTER.match(views.lowered, match.end()) and not escape_at(views.text, match.end()):
        return None
    if blocked(views.digits, views.lowered, match.start(), match.end()):
        return None
    number = _QQ_SEPARATORS.sub("", match.group())
    return Handle("qq", number, match.start(), match.end(), "qq")


def _before(views: _Views, chain_start: int, providers: set[str]) -> list[Handle]:
    """The accounts written right before a ``…同号`` chain starting at ``chain_start``."""
    end = chain_start
    while end > 0 and chain_start - end < 3 and views.text[end - 1] in _BACK_GAP:
        end -= 1
    value = views.by_end.get(end)
    if value is not None:
        return _bound(value, providers)
    out: list[Handle] = []
    low = max(0, end - 21)
    if "qq" in providers:
        handle = _qq(views, _QQ_END.search(views.digits, low, end))
        if handle is not None:
            out.append(handle)
    if "wechat" in providers:
        # Only a letter-first token is a WeChat ID: "632144 q、v同号" gives qq alone.
        match = _WECHAT_ID_END.search(views.text, low, end)
        if (
            match is not None
            and _HAS_DIGIT.search(match.group())
            and not _CUE_AND_NUMBER.fullmatch(match.group())
        ):
            out.append(Handle("wechat", match.group().lower(), match.start(), end, "wechat"))
    return out


def _above(views: _Views, chain_start: int, providers: set[str]) -> list[Handle]:
    """The accounts a chain binds to the closest phone or email written before it (同上)."""
    ends = [end for end in views.by_end if end <= chain_start]
    if not ends:
        return []
    return _bound(views.by_end[max(ends)], providers)


def _cue_after(
    views: _Views, hits: list[tuple[int, int, str]], values_at: set[int]
) -> list[Handle]:
    """Telegram names and KakaoTalk IDs written just before their cue (``name 是我的飞机``).

    The name must hold a digit, ``_``, ``.`` or ``-`` so that a word ("message on telegram")
    never becomes one, and must not be the value of a cue before it (``微信：name 电报：…``)."""
    out: list[Handle] = []
    text = views.text
    for start, _end, name in hits:
        if name not in ("telegram", "kakaotalk"):
            continue
        token = _name_before(text, start)
        if token is None or token[0] in values_at:
            continue
        value = text[token[0] : token[1]]
        if not _HAS_NAME_MARK.search(value):
            continue
        if name == "telegram":
            tg = _TG_NAME.fullmatch(value)
            if tg is None or value.lower() in NOT_USERNAMES or _NETWORK.fullmatch(value):
                continue
        elif _KAKAO_ID.fullmatch(value) is None:
            continue
        out.append(Handle(name, value.lower(), token[0], token[1], name))  # type: ignore[arg-type]
    return out


def _name_before(text: str, cue: int) -> tuple[int, int] | None:
    """The span of a name ending just before ``cue`` (past blanks and one joiner), if any:
    a character loop over at most ``CUE_AFTER_REACH`` characters, no regex search."""
    low = max(0, cue - CUE_AFTER_REACH)
    end = cue
    while end > low and text[end - 1] == " ":
        end -= 1
    tail = text[max(low, end - 5) : end].lower()
    for joiner in _JOINERS:
        if tail.endswith(joiner) and (
            not joiner[0].isascii()
            or end - len(joiner) == low
            or text[end - len(joiner) - 1] == " "
        ):
            end -= len(joiner)
            while end > low and text[end - 1] == " ":
                end -= 1
            break
    if end == cue and text[cue - 1 : cue] in _NAME_CHARS:
        return None  # glued to the cue: part of a word
    start = end
    while start > low and text[start - 1] in _NAME_CHARS:
        start -= 1
    if end - start < 5 or end - start > 32 or (start > low and text[start - 1] in _NOT_BEFORE_NAME):
        return None
    if start == low and low > 0 and text[low - 1] in _NOT_BEFORE_NAME:
        return None
    if not text[start].isascii() or not text[start].isalpha():
        return None
    return start, end
