"""One normalization pass before matching, with a map back to the original offsets.

``normalize(text)`` returns a ``Normalized`` with three views of the same length (so one offset
indexes all three) and ``span()`` to map a span of them back to ``text``:

- ``text``: invisible characters removed (NUL, zero-width U+200B–U+200D, U+2060–U+2064, U+FEFF,
  soft hyphen U+00AD, keycap parts U+FE0F/U+20E3, bidi marks) and so are dots inserted between
  single CJK characters (``支.付.宝``, ``无.需.打.开``: a chain of two or more); then, one
  character for one, lone surrogates to U+FFFD (as browsers show them: no view, and so no
  value, ever holds NUL or a surrogate), full-width ASCII (``＠．＋１２３ＡＢＣ``) to ASCII, odd
  spaces to a space, odd dashes to ``-``, circled / negative circled / mathematical digits to
  ASCII digits, and Cyrillic or Greek look-alikes to Latin — the last only inside tokens that
  also hold ASCII letters or digits (``usdt_kіng``), so Russian or Greek prose is left alone.
- ``digits``: ``text`` with Chinese numerals (一二三…, spoken 幺两拐勾洞, financial 壹贰叁…) as
  ASCII digits, except 一 / 两 starting a word (一起, 一下, 一个, 两个 …). Only number finders
  read it: mapped everywhere, 三方支付 would lose its word.
- ``lowered``: ``text.lower()`` for cue words.

The common Chinese punctuation (，：；！？（）and 。) stays: most posts contain it and the finders
accept it directly. A text with nothing to normalize (one regex search) is used as is.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass, field
from itertools import accumulate

_KEEP = {0xFF01, 0xFF08, 0xFF09, 0xFF0C, 0xFF1A, 0xFF1B, 0xFF1F}
# NUL is invisible too: browsers drop it from text, and no store can keep it.
_INVISIBLE = (
    "\x00\u200b\u200c\u200d\u2060\u2061\u2062\u2063\u2064\ufeff\u00ad\ufe0f\u20e3\u200e\u200f"
)
_TABLE: dict[int, str | None] = {ord(c): None for c in _INVISIBLE}
# A lone surrogate (a JSON "\ud800", undecodable bytes read with surrogateescape) is shown as
# U+FFFD by browsers: one character for one, so it separates what stands on its sides.
_TABLE.update({cp: "\ufffd" for cp in range(0xD800, 0xE000)})
_TABLE |= {cp: chr(cp - 0xFEE0) for cp in range(0xFF01, 0xFF5F) if cp not in _KEEP}
_TABLE.update({ord(c): " " for c in "\u3000\u00a0\u202f\u205f\u1680"})
_TABLE.update({cp: " " for cp in range(0x2000, 0x200B)})
_TABLE.update({cp: "-" for cp in range(0x2010, 0x2016)})
_TABLE.update({ord("\u2212"): "-", ord("\ufe63"): "-", ord("\ufe6b"): "@", ord("\u0130"): "I"})
_TABLE.update({0x2460 + i: str(i + 1) for i in range(9)})  # ①…⑨
_TABLE.update({0x2776 + i: str(i + 1) for i in range(9)})  # ❶…❾
_TABLE.update({0x2780 + i: str(i + 1) for i in range(9)})  # ➀…➈
_TABLE.update({0x278A + i: str(i + 1) for i in range(9)})  # ➊…➒
_TABLE.update({0x24EA: "0", 0x24FF: "0", 0x1F10B: "0", 0x1F10C: "0"})  # ⓪ ⓿
_TABLE.update({0x1D7CE + i: str(i % 10) for i in range(50)})  # 𝟎𝟘𝟢𝟬𝟶 …
_TABLE.update({0x1FBF0 + i: str(i) for i in range(10)})  # segmented digits
for _cp in [*range(0x1D400, 0x1D7CE), *range(0x24B6, 0x24EA)]:  # 𝐀𝐚𝔸𝕒… Ⓐⓐ: mathematical letters
    _ascii = unicodedata.normalize("NFKC", chr(_cp))
    if len(_ascii) == 1 and _ascii.isascii() and _ascii.isalnum():
        _TABLE[_cp] = _ascii
_NUMERAL_GROUPS = (
    "零〇洞",
    "一幺壹",
    "二两兩贰貳",
    "三叁參",
    "四肆",
    "五伍",
    "六陆陸",
    "七拐柒",
    "八捌",
    "九勾玖",
)
NUMERALS = "".join(_NUMERAL_GROUPS)
_NUMERAL_TABLE = {ord(c): str(d) for d, group in enumerate(_NUMERAL_GROUPS) for c in group}

LOOKALIKES: dict[str, str] = dict(
    zip(
        "аеорсхуіјѕԁһԛԝӏкмтвнАВЕКМНОРСТУХІЈЅαοντικρχυεΑΒΕΖΗΙΚΜΝΟΡΤΧΥ",
        "aeopcxyijsdhqwlkmtbhABEKMHOPCTYXIJSaovtikpxueABEZHIKMNOPTXY",
        strict=True,
    )
)
_LOOK_TABLE = {ord(k): v for k, v in LOOKALIKES.items()}
_LOOK = "".join(LOOKALIKES)

_CJK = "\u3400-\u9fff"
_DOTS = ".．·•・*＊"
_RARE_DOTS = "．·•・＊"  # the dots other than "." and "*": rare enough to scan for with the rest
_INVISIBLE_RUN = re.compile(f"[{_INVISIBLE}]+")
# A dot of a chain of two or more between single CJK characters; dot first, so the scan jumps.
_DOT_IN_CHAIN = re.compile(
    f"[{_DOTS}](?:(?<=[{_CJK}].)(?=[{_CJK}][{_DOTS}][{_CJK}])"
    f"|(?<=[{_CJK}][{_DOTS}][{_CJK}].)(?=[{_CJK}]))"
)
# Every character the pass changes below U+10000, as ranges. ，：（）！；？ are not in it. The
# few above U+FFFF are scanned for only in texts that hold such characters (see _may_be_astral):
# a range above U+FFFF in a character class makes the engine test it on every character.
_SPECIAL_BMP = (
    "\x00\ud800-\udfff\uff02-\uff07\uff0a\uff0b\uff0d-\uff19\uff1c-\uff1e\uff20-\uff5e\u2000-\u200f"
    "\u2010-\u2015\u2060-\u2064\u2460-\u2468\u2776-\u2792\u24ea\u24ff\u3000\u00a0\u00ad"
    f"\u202f\u205f\u1680\u2212\ufe63\ufe6b\ufe0f\u20e3\ufeff\u0130{_LOOK}\u24b6-\u24e9"
)
_SPECIAL_ASTRAL = "\U0001d400-\U0001d7ff\U0001fbf0-\U0001fbf9\U0001f10b\U0001f10c"
_SPECIAL_CLASS = f"[{_SPECIAL_BMP}{_SPECIAL_ASTRAL}]"
_SPECIAL = re.compile(f"[{_SPECIAL_BMP}]")
_ASTRAL = re.compile(f"[{_SPECIAL_ASTRAL}]")
_TOKEN = "A-Za-z0-9_.@+\\-\u0370-\u03ff\u0400-\u052f"
# A whole token (tried only where one starts) that holds a look-alike: linear time. Tokens take
# in all Greek and Cyrillic letters, so a Russian word is one token, not look-alike fragments.
_MIXED_TOKEN = re.compile(f"(?<![{_TOKEN}])(?=[{_TOKEN}]*?[{_LOOK}])[{_TOKEN}]++")
_SEGMENT = re.compile("[^.@]+")
_FOREIGN_LETTER = re.compile(f"[^\\x00-\\x7f{_LOOK}]")
_HAS_LOOK = re.compile(f"[{_LOOK}]")
_ASCII_ALNUM = re.compile("[A-Za-z0-9]")
# A numeral next to a digit or numeral (maybe across one separator): spoken or written numbers.
_NUMBER_TAIL = f"(?:[ \\-.]?[{NUMERALS}0-9]|(?<=[0-9][{NUMERALS}])|(?<=[0-9][ \\-.][{NUMERALS}]))"
_NUMBER_HINT = re.compile(f"[{NUMERALS}]{_NUMBER_TAIL}")
_ASCII_DOT_CHAIN = re.compile(f"\\.(?<=[{_CJK}].)(?=[{_CJK}][{_DOTS}][{_CJK}])")
_STAR_CHAIN = re.compile(f"\\*(?<=[{_CJK}].)(?=[{_CJK}][{_DOTS}][{_CJK}])")
# One scan for the three rare cases: a character to fold, a chain starting with a rare dot, a
# numeral in a number. It starts with one character class, so the engine skips ahead in C.
_SCAN = re.compile(
    f"[{_SPECIAL_BMP}{_RARE_DOTS}{NUMERALS}]"
    f"(?:(?<=[{_SPECIAL_BMP}])"
    f"|(?<=[{_RARE_DOTS}])(?<=[{_CJK}].)(?=[{_CJK}][{_DOTS}][{_CJK}])"
    f"|(?<=[{NUMERALS}]){_NUMBER_TAIL})"
)
_KEYCAP_TAIL = frozenset("\ufe0f\u20e3")
# CPython's size of a one-character UCS-4 string less its two four-byte units (with the NUL).
_UCS4_BASE = sys.getsizeof("\U00010000") - 8


def _may_be_astral(text: str) -> bool:
    """False only when ``text`` has no character above U+FFFF (O(1): CPython stores such a
    text four bytes a character; a cached UTF-8 copy can only make this say True)."""
    return sys.getsizeof(text) >= _UCS4_BASE + 4 * (len(text) + 1)


class _Layer:
    """One deleting step: where ``pattern`` removed characters from ``source``."""

    def __init__(self, pattern: re.Pattern[str], source: str) -> None:
        # List comprehensions, not a loop of appends: a hostile text can remove a character in
        # every two (zero-width characters between all of them).
        spans = [match.span() for match in pattern.finditer(source)]
        self.shifts: list[int] = list(accumulate(end - start for start, end in spans))
        self.positions: list[int] = [
            end - removed for (_start, end), removed in zip(spans, self.shifts, strict=True)
        ]

    def back(self, index: int) -> int:
        at = bisect_right(self.positions, index) - 1
        return index + (self.shifts[at] if at >= 0 else 0)


@dataclass(slots=True)
class Normalized:
    """Three same-length views of one text and the way back to the original offsets."""

    original: str
    text: str
    digits: str
    lowered: str
    deletions: list[tuple[re.Pattern[str], str]] = field(default_factory=list)
    _layers: list[_Layer] | None = None

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original span of the normalized span ``[start, end)`` (``end > start``)."""
        if not self.deletions:
            return start, end
        if self._layers is None:
            self._layers = [_Layer(pattern, source) for pattern, source in self.deletions]
        first, last = start, end - 1
        for layer in reversed(self._layers):
            first, last = layer.back(first), layer.back(last)
        last += 1
        while last < len(self.original) and self.original[last] in _KEYCAP_TAIL:
            last += 1
        return first, last


def _fold_lookalikes(match: re.Match[str]) -> str:
    token = match.group()
    if _ASCII_ALNUM.search(token) is None:
        return token
    return _SEGMENT.sub(_fold_segment, token)


def _fold_segment(match: re.Match[str]) -> str:
    """A label or local part whose non-ASCII letters are all look-alikes, folded; one with
    other Greek or Cyrillic letters (``пример`` of ``пример.com``) is a word and kept."""
    segment = match.group()
    if _FOREIGN_LETTER.search(segment) is not None:
        return segment
    return segment.translate(_LOOK_TABLE)


# A numeral that is part of a word is no digit: 一起, 一下, 一个 (13812345678一起去 is a phone).
_WORD_NUMERAL = re.compile("[一两](?=[起下个個些样樣直定般切点點次天位套张張条條笔筆对對共人台手])")


def _keep_word_numerals(folded: str, digits: str) -> str:
    """``digits`` with the numerals of words (``_WORD_NUMERAL``) put back as written."""
    parts: list[str] = []
    last = 0
    for match in _WORD_NUMERAL.finditer(folded):
        parts.append(digits[last : match.start()])
        parts.append(match.group())
        last = match.end()
    parts.append(digits[last:])
    return "".join(parts)


def normalize(text: str) -> Normalized:
    """The normalized views of ``text`` (see the module docstring); linear in ``len(text)``.

    The common case (nothing to fold, no dot chain, no numerals in a number) costs one
    character-class scan, one literal scan for "." and ``lower()``.
    """
    if text.isascii() and "\x00" not in text:
        return Normalized(text, text, text, text.lower())
    scan = _SCAN.search(text)
    astral = _may_be_astral(text) and _ASTRAL.search(text) is not None
    chain = _ASCII_DOT_CHAIN.search(text) is not None or (
        "*" in text and _STAR_CHAIN.search(text) is not None
    )
    if scan is None and not astral and not chain:
        return Normalized(text, text, text, text.lower())
    folded = text
    deletions: list[tuple[re.Pattern[str], str]] = []
    # Nothing of the three cases lies before ``at``; after a change, everything is looked at again.
    at = scan.start() if scan is not None else len(text)
    if astral or _SPECIAL.search(text, at) is not None:
        # Every key of _TABLE is in the special class: one C-level translate of the whole text
        # does what a substitution of each special run would, without a call per run.
        folded = text.translate(_TABLE)
        if len(folded) != len(text):
            deletions.append((_INVISIBLE_RUN, text))
        if _HAS_LOOK.search(folded) is not None:
            folded = _MIXED_TOKEN.sub(_fold_lookalikes, folded)
        at = 0
    if chain or _DOT_IN_CHAIN.search(folded, at) is not None:
        chained = _DOT_IN_CHAIN.sub("", folded)
        if len(chained) != len(folded):
            deletions.append((_DOT_IN_CHAIN, folded))
            folded = chained
            at = 0
    digits = folded
    if _NUMBER_HINT.search(folded, at) is not None:
        digits = folded.translate(_NUMERAL_TABLE)
        if _WORD_NUMERAL.search(folded) is not None:
            digits = _keep_word_numerals(folded, digits)
    return Normalized(text, folded, digits, folded.lower(), deletions)
