"""Length-preserving character folding applied before matching.

Every extractor matches on ``fold(text)`` and reports offsets into it; because the fold maps each
character to exactly one character, those offsets index the original text too. Folds that change
length (removing zero-width characters, Chinese numerals) need an offset map and are not done
here yet.

The common Chinese punctuation (，：；！？（）and 。) is left alone: it is in nearly every post,
and the finders that care about it (``。`` as a defanged dot in domains, ``（）`` around a
country code) accept it directly, so most texts need no folding at all.
"""

from __future__ import annotations

import re

_KEEP = {0xFF01, 0xFF08, 0xFF09, 0xFF0C, 0xFF1A, 0xFF1B, 0xFF1F}
_PAIRS: dict[str, str] = {
    chr(cp): chr(cp - 0xFEE0) for cp in range(0xFF01, 0xFF5F) if cp not in _KEEP
}  # full-width ＡＢＣ１２３＠．＋ → ABC123@.+
_PAIRS.update(
    {
        "\u3000": " ",  # ideographic space
        "\u00a0": " ",  # no-break space
        "\u202f": " ",  # narrow no-break space
        "\ufe6b": "@",  # ﹫ small commercial at
        "\u2212": "-",  # − minus sign
        "\u0130": "I",  # İ: the one character whose lower() is two characters long
    }
)
_PAIRS.update({chr(cp): " " for cp in range(0x2000, 0x200B)})  # en/em/thin/hair spaces
_PAIRS.update({chr(cp): "-" for cp in range(0x2010, 0x2016)})  # hyphens and dashes ‐ ‑ ‒ – — ―

FOLD_TABLE: dict[str, str] = _PAIRS
_NEEDS_FOLD = re.compile("[" + "".join(re.escape(char) for char in sorted(_PAIRS)) + "]")


def _replace(match: re.Match[str]) -> str:
    return FOLD_TABLE[match.group()]


def fold(text: str) -> str:
    """Map full-width ASCII, odd spaces and dashes to plain ASCII, one character for one.

    ``len(fold(text)) == len(text)`` always, so a span found in the folded text is the same
    span in ``text``; ``fold(text).lower()`` has that length too.
    """
    if _NEEDS_FOLD.search(text) is None:
        return text
    return _NEEDS_FOLD.sub(_replace, text)
