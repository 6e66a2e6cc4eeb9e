"""Phone numbers: Chinese mobiles, ``+``/``0086`` international forms, national numbers whose
country the post states, and wa.me / WhatsApp links.

Canonical value: E.164 (``+8613800138000``), only when libphonenumber says the number is valid.
A national number is Chinese when it is a mobile (``1[3-9]`` + 9 digits, in any grouping the
digit windows of ``numbers`` allow: ``138 1234 5678``, ``138.1234.5678``, ``1 3 8 1 2 …``, spoken
or Chinese numerals); another country's national number counts only when the post names that
country just before it (``UK 07911 123456``, ``英国 07911 123456``). Glued, masked, decimal and
labelled numbers (order, tracking, one-time codes) are not phones.
"""

from __future__ import annotations

import re
from functools import lru_cache

import phonenumbers

from watchlist.extract.model import Handle
from watchlist.extract.numbers import glued, labelled, windows

# "+" or "0086" (with an optional "(" before it), then digit groups joined by short separators.
_GROUPS = r"[ ]?[0-9]++[)）]?(?:[ \-.,]{0,2}[(（]?[0-9]++[)）]?){0,8}"
_PLUS = re.compile(r"\+(?<![0-9A-Za-z_+]\+)" + _GROUPS, re.ASCII)
_ZERO_ZERO = re.compile(r"00(?<![0-9A-Za-z_+]00)(?=[ ]?86)" + _GROUPS, re.ASCII)
_WHATSAPP_LINK = re.compile(
    r"(?<![A-Za-z0-9.\-])(?:https?://)?"
    r"(?:wa\.me/\+?|api\.whatsapp\.com/send/?\?phone=\+?)([0-9]{7,15})(?![0-9])",
    re.ASCII | re.IGNORECASE,
)
_DIGIT_RUN = re.compile(r"[0-9]+")
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
_STRIP = " \t:：-()（）/,，.+"


def _country_region(text: str, start: int) -> str | None:
    """The region a country name just before ``start`` states, if any (fast: no regex)."""
    before = text[max(0, start - 24) : start]
    tail = before.lower().rstrip(_STRIP)
    for _ in range(3):
        if not tail.endswith(_LABELS):
            break
        tail = next(tail[: -len(w)] for w in _LABELS if tail.endswith(w)).rstrip(_STRIP)
    if before.rstrip(_STRIP).endswith("US") and tail.endswith("us"):
        word = "us"
    elif tail.endswith(_COUNTRY_WORDS):
        word = next(w for w in _COUNTRY_WORDS if tail.endswith(w))
    else:
        return None
    edge = tail[-len(word) - 1 : -len(word)]
    if word.isascii() and edge.isascii() and edge.isalpha():
        return None
    return _REGION_OF.get(word, "US")


def find_phones(digits: str, lowered: str) -> list[Handle]:
    """Every valid phone number in ``digits`` (the digits view of a normalized text)."""
    found: list[Handle] = []
    for window in windows(digits, 6, 12):
        number = window.digits
        if glued(digits, window.start, window.end):
            continue
        if len(number) == 11 and number[0] == "1" and number[1] in "3456789":
            value = e164(number, "CN")
        else:
            region = _country_region(digits, window.start)
            value = e164(number, region) if region is not None else None
        if value is not None and not labelled(lowered, window.start):
            found.append(Handle("phone", value, window.start, window.end))
    text = digits
    international: list[re.Match[str]] = []
    if "+" in text:
        international.extend(_PLUS.finditer(text))
    if "0086" in text or "00 86" in text:
        international.extend(_ZERO_ZERO.finditer(text))
    for match in international:
        handle = _international(text, match)
        if handle is not None:
            found.append(handle)
    if "wa.me" in lowered or "hatsapp" in lowered:
        for match in _WHATSAPP_LINK.finditer(text):
            value = e164("+" + match.group(1), None)
            if value is not None:
                found.append(Handle("phone", value, match.start(), match.end(), "whatsapp"))
    return found


def _international(text: str, match: re.Match[str]) -> Handle | None:
    """The longest valid number made of whole digit groups from the start of ``match``."""
    runs = list(_DIGIT_RUN.finditer(match.group()))
    prefix_00 = not match.group().startswith("+")
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
        if end < len(text) and text[end] in _GLUE:
            return None
        if end < len(text) and text[end] in ")）":
            end += 1
        value = e164("+" + digits, None)
        if value is not None:
            return Handle("phone", value, lead, end)
    return None
