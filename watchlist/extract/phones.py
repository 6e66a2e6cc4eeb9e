"""Phone numbers: Chinese mobiles written nationally, ``+``/``0086`` international forms, wa.me.

Canonical value: E.164 (``+8613812345678``), only when libphonenumber says the number is valid.
A bare national number is taken as Chinese only (``1[3-9]`` + 9 digits); a foreign number needs
its ``+`` country code. Numbers glued to other digits or letters (order numbers, timestamps, ids),
masked numbers (``138****5678``) and decimals are not phones.
"""

from __future__ import annotations

import re
from functools import lru_cache

import phonenumbers

from watchlist.extract.model import Handle

# 138 1234 5678 / 138-1234-5678 / 13812345678, not glued to letters, digits or a leading "+".
# Patterns start with a literal and look behind after it: the regex engine then jumps from one
# possible first character to the next instead of trying every position.
_CN_NATIONAL = re.compile(
    r"1[3-9](?<![0-9A-Za-z_+]1[3-9])[0-9](?:[ -]?[0-9]{4}){2}(?![0-9A-Za-z_])", re.ASCII
)
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


def _decimal_or_longer_run(text: str, start: int, end: int, spaced: bool) -> bool:
    """True when the digits at [start, end) continue a number across a '.', ',' or separator."""
    before = text[max(0, start - 2) : start]
    after = text[end : end + 2]
    joints = ".,- " if spaced else ".,"
    if len(before) == 2 and before[1] in joints and before[0].isdigit():
        return True
    return len(after) == 2 and after[0] in joints and after[1].isdigit()


def find_phones(text: str) -> list[Handle]:
    """Every valid phone number in ``text`` (already folded)."""
    found: list[Handle] = []
    for match in _CN_NATIONAL.finditer(text):
        raw = match.group()
        digits = raw.replace(" ", "").replace("-", "")
        if _decimal_or_longer_run(text, match.start(), match.end(), len(digits) != len(raw)):
            continue
        value = e164(digits, "CN")
        if value is not None:
            found.append(Handle("phone", value, match.start(), match.end()))
    international: list[re.Match[str]] = []
    if "+" in text:
        international.extend(_PLUS.finditer(text))
    if "0086" in text or "00 86" in text:
        international.extend(_ZERO_ZERO.finditer(text))
    for match in international:
        handle = _international(text, match)
        if handle is not None:
            found.append(handle)
    if "wa.me" in text or "hatsapp" in text:
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
