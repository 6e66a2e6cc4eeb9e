"""Phone numbers: Chinese mobiles, ``+``/``0086`` international forms, national numbers whose
country the post states, and wa.me / WhatsApp links.

Canonical value: E.164 (``+8613800138000``), only when libphonenumber says the number is valid.
A national number is Chinese when it is a mobile (``1[3-9]`` + 9 digits, in any grouping the
digit windows of ``numbers`` allow: ``138 1234 5678``, ``138.1234.5678``, ``1 3 8 1 2 …``, spoken
or Chinese numerals); another country's national number counts only when the post names that
country just before it (``UK 07911 123456``, ``英国 07911 123456``). Glued, masked, decimal and
labelled numbers (order, tracking, one-time codes) are not phones.

A Chinese mobile's first group holds at least its three-digit network prefix (``138 1234 5678``,
``1381 2345 678``), unless every digit stands alone (``1 3 8 1 …``): ``1-650-333-6000`` is a North
American number with its trunk ``1``, not ``+86 165…``. ``+``, ``++`` and ``00`` followed by a
country code are international forms (``0064 3 331 6005`` → ``+6433316005``); an extension
(``x456``, ``ext. 456``) is dropped. Chinese mobiles are checked against libphonenumber's own
metadata patterns, compiled once; every other number goes through libphonenumber itself.
"""

from __future__ import annotations

import re
from functools import lru_cache

import phonenumbers

from watchlist.extract.model import Handle
from watchlist.extract.numbers import (
    LEAD_SKIP,
    Window,
    blob_windows,
    blobs,
    glued,
    labelled,
    long_windows,
)

# "+" (or "++"), or "00" (with an optional "(" before it), then digit groups joined by short
# separators. "00" after a decimal point or a time ("0.00", "08:00") is no international prefix.
_GROUPS = r"[ ]?[0-9]++[)）]?(?:[ \-.,]{0,2}[(（]?[0-9]++[)）]?){0,8}"
_PLUS = re.compile(r"\+(?<![0-9A-Za-z_+]\+)\+?" + _GROUPS, re.ASCII)
# 0086 as before; another 00 + country code must start a number: not after a decimal point or a
# dash, nor go on from digits ("6217 0055 3896 …", "08:00 1…").
_ZERO_ZERO = re.compile(
    r"00(?<![0-9A-Za-z_+]00)"
    r"(?:(?=[ ]?86)|(?<![.,\-]00)(?<![0-9][ \t:]00)(?<![0-9][ \t]{2}00)(?=[ ]?[1-9]))" + _GROUPS,
    re.ASCII,
)
_NOT_BEFORE_00 = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_+")
# An extension glued to a number: "x456", "ext456", "ext.456".
_EXTENSION = re.compile(r"(?:x|ext\.?)[0-9]{1,7}(?![0-9A-Za-z_])", re.ASCII | re.IGNORECASE)
_FIRST_GROUP = re.compile(r"[0-9]+")
_WHATSAPP_LINK = re.compile(
    r"(?<![A-Za-z0-9.\-])(?:https?://)?"
    r"(?:wa\.me/\+?|api\.whatsapp\.com/send/?\?phone=\+?)([0-9]{7,15})(?![0-9])",
    re.ASCII | re.IGNORECASE,
)
_DIGIT_RUN = re.compile(r"[0-9]+")
_NOT_DIGIT = re.compile(r"[^0-9]+")
_GLUE = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_")


@lru_cache(maxsize=4096)
def e164(digits: str, region: str | None) -> str | None:
    """The E.164 form of ``digits`` (with a leading ``+`` when ``region`` is None), or None."""
    try:
        number = phonenumbers.parse(digits, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))


def _cn_pattern() -> re.Pattern[str]:
    """libphonenumber's test of a Chinese national number of 11 digits, as one regex.

    ``is_valid_number`` takes a number whose national digits match the general pattern and one
    of the type patterns allowing its length; ``1[3-9]…`` loses no national or carrier prefix.
    """
    meta = phonenumbers.PhoneMetadata.metadata_for_region("CN")
    assert meta is not None and meta.general_desc is not None
    descs = (
        meta.premium_rate,
        meta.toll_free,
        meta.shared_cost,
        meta.voip,
        meta.personal_number,
        meta.pager,
        meta.uan,
        meta.voicemail,
        meta.fixed_line,
        meta.mobile,
    )
    types = [
        d.national_number_pattern
        for d in descs
        if d is not None
        and d.national_number_pattern
        and (not d.possible_length or 11 in d.possible_length)
    ]
    general = meta.general_desc.national_number_pattern
    return re.compile(rf"(?=(?:{general})$)(?:{'|'.join(f'(?:{t})' for t in types)})$")


_CN_VALID = _cn_pattern()


def cn_mobile(number: str) -> str | None:
    """The E.164 form of an 11-digit Chinese national number ``1[3-9]…``, when valid."""
    return "+86" + number if _CN_VALID.match(number) else None


# Countries named before a national number: (words, region). "US" only in capitals ("contact us").
_COUNTRIES: dict[str, str] = {
    "uk|united kingdom|britain|英国": "GB",
    "usa|united states|美国|canada|加拿大": "US",
    "hong kong|香港": "HK",
    "macau|macao|澳门": "MO",
    "taiwan|台湾": "TW",
    "singapore|新加坡": "SG",
    "malaysia|马来西亚|大马": "MY",
    "thailand|泰国": "TH",
    "vietnam|viet nam|越南": "VN",
    "philippines|菲律宾": "PH",
    "cambodia|柬埔寨": "KH",
    "myanmar|缅甸": "MM",
    "indonesia|印尼|印度尼西亚": "ID",
    "japan|日本": "JP",
    "korea|韩国": "KR",
    "dubai|uae|迪拜|阿联酋": "AE",
    "russia|俄罗斯": "RU",
    "india|印度": "IN",
    "australia|澳大利亚|澳洲": "AU",
    "nigeria|尼日利亚": "NG",
}
_REGION_OF = {word: region for words, region in _COUNTRIES.items() for word in words.split("|")}
_COUNTRY_WORDS = tuple(sorted(_REGION_OF, key=len, reverse=True))
# Words that may sit between the country and the number: "英国手机号：07911 …", "UK mobile 07911".
_LABELS = (
    "手机号码",
    "手机号",
    "手机",
    "电话号码",
    "电话",
    "号码",
    "号",
    "mobile",
    "phone",
    "tel",
    "number",
    "no.",
    "whatsapp",
    "wa",
    "line",
    "telegram",
    "tg",
    "微信",
    "的",
)
_STRIP = LEAD_SKIP
# The labels and country words by their last character (each in its tuple's order), and every
# such last character ("us" included).
_LABELS_BY_END = {c: tuple(w for w in _LABELS if w[-1] == c) for c in {w[-1] for w in _LABELS}}
_COUNTRY_WORDS_BY_END = {
    c: tuple(w for w in _COUNTRY_WORDS if w[-1] == c) for c in {w[-1] for w in _COUNTRY_WORDS}
}
_TAIL_ENDS = frozenset(
    c for end in (*_LABELS_BY_END, *_COUNTRY_WORDS_BY_END, "s") for c in (end, end.upper())
) | {"\u212a"}  # and the only other character lowering to one of them: the Kelvin sign "K"
# What a lower-cased text must end with for _country_region to find a country: a label, a
# country word or "us", by last character.
_ENDINGS = {
    c: tuple(w for w in (*_LABELS, *_COUNTRY_WORDS, "us") if w[-1] == c)
    for c in {w[-1] for w in (*_LABELS, *_COUNTRY_WORDS, "us")}
}


def _country_region(text: str, start: int) -> str | None:
    """The region a country name just before ``start`` states, if any (fast: no regex)."""
    before = text[max(0, start - 24) : start]
    tail = before.rstrip(_STRIP)
    if tail[-1:] not in _TAIL_ENDS:  # fast: no label or country word can end here
        return None
    tail = tail.lower()
    for _ in range(3):
        labels = _LABELS_BY_END.get(tail[-1:], ())
        if not tail.endswith(labels):
            break
        tail = next(tail[: -len(w)] for w in labels if tail.endswith(w)).rstrip(_STRIP)
    words = _COUNTRY_WORDS_BY_END.get(tail[-1:], ())
    if before.rstrip(_STRIP).endswith("US") and tail.endswith("us"):
        word = "us"
    elif tail.endswith(words):
        word = next(w for w in words if tail.endswith(w))
    else:
        return None
    edge = tail[-len(word) - 1 : -len(word)]
    if word.isascii() and edge.isascii() and edge.isalpha():
        return None
    return _REGION_OF.get(word, "US")


def find_phones(digits: str, lowered: str) -> list[Handle]:
    """Every valid phone number in ``digits`` (the digits view of a normalized text)."""
    found: list[Handle] = []
    for window in long_windows(digits):
        number = window.digits
        if len(number) != 11 or number[0] != "1" or number[1] not in "3456789":
            continue
        if _chinese_shape(digits, window) and not glued(digits, window.start, window.end):
            value = cn_mobile(number)
            if value is not None and not labelled(lowered, window.start):
                found.append(Handle("phone", value, window.start, window.end))
    # A national number of another country: only a window starting a blob can follow a country.
    for blob in blobs(digits):
        if blob.start and digits[blob.start - 1] in "/=+":
            link = _whatsapp(digits, blob.start, blob.end)
            if link is not None:
                found.append(link)
        # Fast: a label or a country word must end just before (what _country_region checks).
        lead = blob.lead
        if lead > 0:
            endings = _ENDINGS.get(lowered[lead - 1])
            if endings is None or not lowered.endswith(endings, max(0, blob.start - 24), lead):
                continue
        if blob.long and len(blob.raw) > 12 and blob.raw.isdigit():
            continue  # no window of 6–12 digits starts it
        region = _country_region(digits, blob.start)
        if region is not None:
            found.extend(_national(digits, lowered, blob_windows(digits, blob), blob.start, region))
    text = digits
    international: list[re.Match[str]] = []
    if "+" in text:
        international.extend(_PLUS.finditer(text))
    at = text.find("00")
    while at >= 0:  # str.find is much faster than the regex engine's scan for "00"
        if at == 0 or text[at - 1] not in _NOT_BEFORE_00:
            match = _ZERO_ZERO.match(text, at)
            if match is not None:
                international.append(match)
        at = text.find("00", at + 2)
    for match in international:
        handle = _international(text, lowered, match)
        if handle is not None:
            found.append(handle)
    return found


def _whatsapp(text: str, start: int, end: int) -> Handle | None:
    """The wa.me / WhatsApp link whose number starts the blob at [start, end), if any.

    Its digits follow "/", "=" or "+", so they start a blob; its prefix is at most 38 long.
    """
    at = max(0, start - 40)
    while (match := _WHATSAPP_LINK.search(text, at, end)) is not None:
        if match.start(1) == start:
            value = e164("+" + match.group(1), None)
            if value is None:
                return None
            return Handle("phone", value, match.start(), match.end(), "whatsapp")
        at = match.end()
    return None


def _chinese_shape(text: str, window: Window) -> bool:
    """Whether ``window`` is written as a Chinese mobile: 11 digits ``1[3-9]…``, its first group
    holding at least the network prefix (``138 1234 5678``) or every digit alone."""
    number = window.digits
    if len(number) != 11 or number[0] != "1" or number[1] not in "3456789":
        return False
    if window.groups == 1 or window.groups == 11:
        return True
    first = _FIRST_GROUP.match(text, window.start)
    return first is not None and first.end() - window.start >= 3


def _national(
    text: str, lowered: str, candidates: list[Window], start: int, region: str
) -> list[Handle]:
    """The valid national numbers of ``region`` among the windows starting at ``start``."""
    found: list[Handle] = []
    for window in candidates:
        if window.start != start or not 6 <= len(window.digits) <= 12:
            continue
        if _chinese_shape(text, window) or glued(text, window.start, window.end):
            continue
        value = e164(window.digits, region)
        if value is not None and not labelled(lowered, window.start):
            found.append(Handle("phone", value, window.start, window.end))
    return found


def _international(text: str, lowered: str, match: re.Match[str]) -> Handle | None:
    """The longest valid number made of whole digit groups from the start of ``match``."""
    runs = list(_DIGIT_RUN.finditer(match.group()))
    prefix_00 = not match.group().startswith("+")
    if (
        prefix_00
        and not _NOT_DIGIT.sub("", match.group()[:5]).startswith("0086")
        and labelled(lowered, match.start())
    ):
        return None  # "订单号 0012…": only 0086 is trusted after an order or code label
    base = match.start()
    closed = ")" in match.group() or "）" in match.group()
    lead = base - 1 if base and text[base - 1] in "(（" and closed else base
    for count in range(len(runs), 0, -1):
        digits = "".join(run.group() for run in runs[:count])
        if prefix_00:
            digits = digits[2:]
        if len(digits) > 15:
            continue
        if len(digits) < 8:
            return None
        end = base + runs[count - 1].end()
        if end < len(text) and text[end] in _GLUE and not _EXTENSION.match(text, end):
            return None
        if end < len(text) and text[end] in ")）":
            end += 1
        value = e164("+" + digits, None)
        # A dialled 00 form carries no trunk prefix: "0011-650-333-6000" is no +1 (1)650….
        if value is not None and not (prefix_00 and value != "+" + digits):
            return Handle("phone", value, lead, end)
    return None
