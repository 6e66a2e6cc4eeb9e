"""Literal cue words found fast in lower-cased text.

All context rules (providers, roles, the OTC score) look for fixed words. Each table compiles to
two flat alternations, one for words that start with an ASCII character and one for the rest:
when every branch starts with a literal the regex engine jumps from one possible first
character to the next, and keeping the ASCII letters out of the CJK scan keeps those jumps
long. ASCII words only count when not glued to other ASCII letters or digits (``tg`` in ``tg:``
but not in ``stg``); that check sits after the first character so it does not spoil the jump.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping

_ALNUM = "a-z0-9"
LONGEST_WORD = 16


def _literal(word: str) -> str:
    """``word`` as a regex that starts with its first character (so the engine can skip ahead)."""
    pattern = re.escape(word)
    if word[0].isascii() and word[0].isalnum():
        first = re.escape(word[0])
        pattern = f"{first}(?<![{_ALNUM}]{first}){re.escape(word[1:])}"
    if word[-1].isascii() and word[-1].isalnum():
        pattern += f"(?![{_ALNUM}])"
    return pattern


def _alternation(words: list[str]) -> re.Pattern[str] | None:
    if not words:
        return None
    return re.compile("|".join(_literal(word) for word in sorted(words, key=len, reverse=True)))


class CueTable:
    """A table of lower-case cue words, each with a label."""

    def __init__(self, labels: Mapping[str, str]) -> None:
        self.labels = dict(labels)
        if any(len(word) > LONGEST_WORD for word in self.labels):
            raise ValueError(f"cue words are at most {LONGEST_WORD} characters")
        ascii_first = [word for word in self.labels if word[0].isascii()]
        others = [word for word in self.labels if not word[0].isascii()]
        self._patterns = [p for p in (_alternation(ascii_first), _alternation(others)) if p]

    def finditer(
        self, lowered: str, pos: int = 0, endpos: int | None = None
    ) -> Iterator[tuple[int, int, str]]:
        """``(start, end, label)`` of each cue word in ``lowered[pos:endpos]``, in order.

        ``lowered`` is a lower-cased text. Of overlapping words (承兑 in 承兑商) the longest
        counts.
        """
        end_limit = len(lowered) if endpos is None else endpos
        hits = [
            (match.start(), match.end(), match.group())
            for pattern in self._patterns
            for match in pattern.finditer(lowered, pos, end_limit)
        ]
        if len(self._patterns) > 1:
            hits.sort()
        for start, end, word in hits:
            yield start, end, self.labels[word]


def table(groups: Mapping[str, str]) -> CueTable:
    """A ``CueTable`` from ``{label: "word|word|…"}``."""
    return CueTable({word: label for label, words in groups.items() for word in words.split("|")})
