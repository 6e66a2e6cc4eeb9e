"""Every cue word of the context rules, found by Aho-Corasick automata over a lower-cased text.

The context rules (the OTC score, roles, providers) each register a *group*: a table of
lower-case words with a label each, and how an ASCII word must stand apart from its neighbours.
Each group is one compiled automaton (``ahocorasick_rs``) that finds its words leftmost-longest
(承兑商 hides 承兑), as a regex alternation would, in one pass at C speed; a text is scanned once
per group, and the rules then only look at the hits near each handle.
"""

from __future__ import annotations

from collections.abc import Mapping

import ahocorasick_rs

LONGEST_WORD = 16
Hit = tuple[int, int, str]
_ASCII_ALNUM = frozenset("abcdefghijklmnopqrstuvwxyz0123456789")
_LEFT, _RIGHT = 1, 2  # which edges of a word need checking


class _Group:
    """One group's words, and its automaton (leftmost-longest, like a regex alternation)."""

    def __init__(self, words: Mapping[str, str], left: str, right: str) -> None:
        self.words = dict(words)
        self.left = frozenset(left)  # may not touch an ASCII word's first letter
        self.right = frozenset(right)  # may not touch an ASCII word's last letter
        patterns = sorted(self.words)
        self.labels = [self.words[word] for word in patterns]
        self.checks = [
            (_LEFT if w[0] in _ASCII_ALNUM else 0) | (_RIGHT if w[-1] in _ASCII_ALNUM else 0)
            for w in patterns
        ]
        self.automaton = ahocorasick_rs.AhoCorasick(
            patterns, matchkind=ahocorasick_rs.MatchKind.LeftmostLongest
        )

    def find(self, lowered: str) -> list[Hit]:
        """This group's hits in ``lowered``, in order."""
        hits: list[Hit] = []
        append = hits.append
        labels, checks = self.labels, self.checks
        for index, start, end in self.automaton.find_matches_as_indexes(lowered):
            if checks[index] and self._glued(lowered, start, end, checks[index]):
                # A word glued to its neighbour does not count, but may hide a shorter word
                # inside it (出u in 出usdt hides usdt): look again from its next character.
                if end - start > 1:
                    hits.extend(self._inside(lowered, start + 1, end))
                continue
            append((start, end, labels[index]))
        return hits

    def _glued(self, lowered: str, start: int, end: int, check: int) -> bool:
        if check & _LEFT and start and lowered[start - 1] in self.left:
            return True
        return bool(check & _RIGHT and end < len(lowered) and lowered[end] in self.right)

    def _inside(self, lowered: str, offset: int, stop: int) -> list[Hit]:
        """The hits that start in ``lowered[offset:stop]``."""
        window = lowered[offset : stop + LONGEST_WORD]
        hits: list[Hit] = []
        for index, start, end in self.automaton.find_matches_as_indexes(window):
            start, end = start + offset, end + offset
            if start >= stop:
                break
            check = self.checks[index]
            if not (check and self._glued(lowered, start, end, check)):
                hits.append((start, end, self.labels[index]))
        return hits


_GROUPS: dict[str, _Group] = {}


def register(group: str, words: Mapping[str, str], *, left: str, right: str) -> None:
    """Add a group of ``{word: label}`` cue words.

    ``left``/``right``: the characters that may not stand right before/after a word whose
    first/last character is an ASCII letter or digit (so ``tg`` counts in ``tg:`` but not in
    ``stg``). Words of other scripts stand anywhere.
    """
    too_long = [word for word in words if len(word) > LONGEST_WORD]
    if too_long:
        raise ValueError(f"cue words are at most {LONGEST_WORD} characters: {too_long}")
    _GROUPS[group] = _Group(words, left, right)


def words_of(groups: Mapping[str, str]) -> dict[str, str]:
    """``{word: label}`` from ``{label: "word|word|…"}``."""
    return {word: label for label, words in groups.items() for word in words.split("|")}


def scan(lowered: str) -> dict[str, list[Hit]]:
    """``{group: [(start, end, label), …]}`` for every registered group, each list in order."""
    return {name: group.find(lowered) for name, group in _GROUPS.items()}
