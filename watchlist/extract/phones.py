"""Phone numbers: Chinese mobiles, ``+``/``0086`` international forms, national numbers whose
country the post states, and wa.me / WhatsApp links.

Canonical value: E.164 (``+8613800138000``), only when libphonenumber says the number is valid.
A national number is Chinese when it is a mobile (``1[3-9]`` + 9 digits, in any grouping the
digit windows of ``numbers`` allow: ``138 1234 5678``, ``138.1234.5678``, ``1 3 8 1 2 …``, spoken
or Chinese numerals); another country's national number counts only when the post states that
country: its name (or a Korean label, or its capital ISO letters) just before it (``UK 07911
123456``, ``英国 07911 123456``, ``PH 0905…``, ``연락처 010-…``), or in brackets right after it
(``0812 3456 7890 (+62)``, ``081 229 9651 (TH)``, ``0802 187 0741 (Nigeria line)``). An area code
in brackets (``美国电话 (201) 599-9620``, ``Россия 8 (912) 374-96-04``) joins the rest. Glued,
masked, decimal and labelled numbers (order, tracking, one-time codes) are not phones.

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
    Blob,
    Window,
    blob_windows,
    blobs,
    glued,
    labelled,
    long_windows,
)

# "+" (or "++"), or "00" (with an optional "(" before it), then digit groups joined by short
# separators. "00" after a decimal point or a time ("0.00", "08:00") is no international prefix.
_GROUPS = r"[ ]{0,3}[0-9]++[)）]?(?:[ \-.,]{0,3}[(（]?[0-9]++[)）]?){0,15}"
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
    "uk|united kingdom|britain|英国|英國": "GB",
    "usa|united states|美国|美國|canada|加拿大": "US",
    "hong kong|hk|香港": "HK",
    "macau|macao|澳门|澳門": "MO",
    "taiwan|台湾|台灣|臺灣": "TW",
    "singapore|新加坡": "SG",
    "malaysia|马来西亚|馬來西亞|大马|大馬": "MY",
    "thailand|泰国|泰國": "TH",
    "vietnam|viet nam|việt nam|越南": "VN",
    "philippines|菲律宾|菲律賓": "PH",
    "cambodia|柬埔寨": "KH",
    "myanmar|缅甸|緬甸": "MM",
    "indonesia|印尼|印度尼西亚": "ID",
    "japan|日本": "JP",
    # A Korean label states a Korean number as plainly as the country's name does.
    "korea|south korea|韩国|韓國|한국|카톡|카카오톡|연락처|전화|휴대폰|핸드폰|번호|문자": "KR",
    "dubai|uae|迪拜|阿联酋|阿聯酋": "AE",
    "russia|россия|рф|俄罗斯|俄羅斯": "RU",
    "india|印度": "IN",
    "australia|澳大利亚|澳洲": "AU",
    "nigeria|尼日利亚|尼日利亞": "NG",
    "kenya|肯尼亚|肯尼亞": "KE",
    "turkey|türkiye|turkiye|土耳其": "TR",
}
# Country letters (ISO 3166) before or after a number, in capitals only ("PH 0905…", "(TH)").
_ISO_CODES = frozenset(
    {"GB", "UK", "US", "HK", "MO", "TW", "SG", "MY", "TH", "VN", "PH"}
    | {"KH", "MM", "JP", "KR", "AE", "RU", "IN", "AU", "NG", "KE", "TR"}
)
_REGION_OF = {word: region for words, region in _COUNTRIES.items() for word in words.split("|")}
_COUNTRY_WORDS = tuple(sorted(_REGION_OF, key=len, reverse=True))
# Words that may sit between the country and the number: "英国手机号：07911 …", "UK mobile 07911".
_LABELS = (
    "手机号码",
    "手機號碼",
    "手機號",
    "手機",
    "電話號碼",
    "電話",
    "號碼",
    "門號",
    "门号",
    "號",
    "hattı",
    "numarası",
    "numara",
    "тел",
    "телефон",
    "номер",
    "sđt",
    "số",
    "line",
    "no",
    "nambari",
    "mpesa",
    "m-pesa",
    "call",
    "text",
    "sms",
    "viber",
    "zalo",
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
    c
    for end in (*_LABELS_BY_END, *_COUNTRY_WORDS_BY_END, *(code[-1] for code in _ISO_CODES))
    for c in (end, end.upper())
) | {"\u212a"}  # and the only other character lowering to one of them: the Kelvin sign "K"
# What a lower-cased text must end with for _country_region to find a country: a label, a
# country word or "us", by last character.
_ENDINGS = {
    c: tuple(w for w in (*_LABELS, *_COUNTRY_WORDS, "us") if w[-1] == c)
    for c in {w[-1] for w in (*_LABELS, *_COUNTRY_WORDS, "us")}
}


def _country_region(text: str, start: int) -> str | None:
    """The region a country name just before ``start`` states, if any (fast: no regex)."""
    before = text[max(0, start - 32) : start]
    tail = before.rstrip(_STRIP)
    if tail[-1:] not in _TAIL_ENDS:  # fast: no label or country word can end here
        return None
    written = tail
    tail = tail.lower()
    for _ in range(4):
        labels = _LABELS_BY_END.get(tail[-1:], ())
        if not tail.endswith(labels):
            break
        cut = next(len(w) for w in labels if tail.endswith(w))
        if (
            tail[-cut:].isascii()
            and tail[-cut - 1 : -cut].isascii()
            and tail[-cut - 1 : -cut].isalpha()
        ):
            break  # a label word must stand alone: "Neon 0…" is no "on"
        tail = tail[:-cut].rstrip(_STRIP)
        written = written[: len(tail)]
    code = written[-2:]
    if code in _ISO_CODES and not written[-3:-2].isalpha():
        return "GB" if code == "UK" else code
    words = _COUNTRY_WORDS_BY_END.get(tail[-1:], ())
    if tail.endswith(words):
        word = next(w for w in words if tail.endswith(w))
    else:
        return None
    if word == "hk" and written[-2:] != "HK":
        return None
    edge = tail[-len(word) - 1 : -len(word)]
    if word.isascii() and edge.isascii() and edge.isalpha():
        return None
    return _REGION_OF.get(word, "US")


# What may follow a national number to state its country: "(+62)", "(TH)", "(Malaysia)",
# "(PH number)", "（香港）".
_COUNTRY_AFTER = re.compile(
    r"[ ]{0,2}[(（][ ]{0,2}(?:\+[ ]?([0-9]{1,3})|([A-Z]{2})(?![A-Za-z])|([^()（）\n0-9]{2,16}?))"
    r"[ ]{0,2}(?:number|no\.?|line|mobile|phone|号码|號碼|手机|手機|号|號)?[ ]{0,2}[)）]"
)
# An area code in brackets before the rest of a number, with an optional trunk or country
# prefix: "(201) 599-9620", "8 (912) 374-96-04", "1 (201) 599 9620".
_AREA_BEFORE = re.compile(r"(?:(?<![0-9])([0-9]{1,2})[ ]?)?[(]([0-9]{2,4})[)][ ]?$", re.ASCII)


def _country_after(text: str, end: int) -> tuple[str, int] | None:
    """The region stated in brackets right after a number ending at ``end``, and the code's
    country calling code (0 for a name or letters)."""
    match = _COUNTRY_AFTER.match(text, end, end + 24)
    if match is None:
        return None
    calling, letters, word = match.groups()
    if calling is not None:
        region = phonenumbers.region_code_for_country_code(int(calling))
        return (region, int(calling)) if region != "ZZ" else None
    if letters is not None:
        return ("GB" if letters == "UK" else letters, 0) if letters in _ISO_CODES else None
    named = _REGION_OF.get(word.strip().lower())
    return (named, 0) if named is not None else None


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
        if digits[blob.end : blob.end + 3].lstrip(" ")[:1] in ("(", "（"):
            after = _country_after(digits, blob.end)
            if after is not None:
                found.extend(_stated_after(digits, lowered, blob, *after))
                continue
        if (
            blob.start > 3
            and digits[blob.start - 1] in ") "
            and "(" in digits[blob.start - 6 : blob.start]
        ):
            area = _AREA_BEFORE.search(digits, max(0, blob.start - 12), blob.start)
            if area is not None:
                found.extend(_area_coded(digits, lowered, blob, area))
        # Fast: a label or a country word must end just before (what _country_region checks).
        lead = blob.lead
        if lead > 0:
            endings = _ENDINGS.get(lowered[lead - 1])
            if (
                endings is None or not lowered.endswith(endings, max(0, blob.start - 24), lead)
            ) and digits[lead - 2 : lead] not in _ISO_CODES:  # capitals only: "PH 0905…"
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


def _stated_after(text: str, lowered: str, blob: Blob, region: str, calling: int) -> list[Handle]:
    """The national number of ``blob`` whose country is stated after it, when valid there."""
    found = []
    for handle in _national(text, lowered, blob_windows(text, blob), blob.start, region):
        if not calling or handle.value.startswith(f"+{calling}"):
            found.append(handle)
    return found


def _area_coded(text: str, lowered: str, blob: Blob, area: re.Match[str]) -> list[Handle]:
    """A number written with its area code in brackets before ``blob``, in a stated country
    (or after ``+1``/``1``, North America's trunk)."""
    prefix, code = area.groups()
    region = _country_region(text, area.start())
    if region is None and prefix == "1":
        region = "US"
    if region is None or glued(text, blob.start, blob.end):
        return []
    rest = _NOT_DIGIT.sub("", blob.raw)
    value = e164((prefix or "") + code + rest, region)
    if value is None or labelled(lowered, area.start()):
        return []
    return [Handle("phone", value, area.start(), blob.end)]


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
