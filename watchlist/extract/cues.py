"""Every cue word of every context rule, found in one Aho-Corasick pass over a lower-cased text.

The context rules (the OTC score, roles, providers) each register a *group*: a table of
lower-case words with a label each, and how an ASCII word must stand apart from its neighbours.
One automaton (``ahocorasick_rs``, a compiled library) holds the words of every group, so a text
is scanned once however many rules read it — the rules then only look at the hits near each
handle. Within a group, overlapping hits resolve leftmost-longest (承兑商 hides 承兑), as a regex
alternation would.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import ahocorasick_rs

LONGEST_WORD = 16
Hit = tuple[int, int, str]
_ASCII_ALNUM = frozenset("abcdefghijklmnopqrstuvwxyz0123456789")


@dataclass(frozen=True, slots=True)
class _Group:
    words: dict[str, str]
    left: frozenset[str]  # characters that may not touch an ASCII word's first letter
    right: frozenset[str]  # characters that may not touch an ASCII word's last letter


_GROUPS: dict[str, _Group] = {}
_Info = tuple[bool, bool, tuple[tuple[str, str], ...]]  # check left, check right, labels
_automaton: tuple[ahocorasick_rs.AhoCorasick, list[_Info]] | None = None


def register(group: str, words: Mapping[str, str], *, left: str, right: str) -> None:
    """Add a group of ``{word: label}`` cue words.

    ``left``/``right``: the characters that may not stand right before/after a word whose
    first/last character is an ASCII letter or digit (so ``tg`` counts in ``tg:`` but not in
    ``stg``). Words of other scripts stand anywhere.
    """
    global _automaton
    too_long = [word for word in words if len(word) > LONGEST_WORD]
    if too_long:
        raise ValueError(f"cue words are at most {LONGEST_WORD} characters: {too_long}")
    _GROUPS[group] = _Group(dict(words), frozenset(left), frozenset(right))
    _automaton = None  # rebuilt, with every group, at the next scan


def words_of(groups: Mapping[str, str]) -> dict[str, str]:
    """``{word: label}`` from ``{label: "word|word|…"}``."""
    return {word: label for label, words in groups.items() for word in words.split("|")}


def _build() -> tuple[ahocorasick_rs.AhoCorasick, list[_Info]]:
    labels: dict[str, list[tuple[str, str]]] = {}
    for name, group in _GROUPS.items():
        for word, label in group.words.items():
            labels.setdefault(word, []).append((name, label))
    patterns = sorted(labels)
    info = [
        (word[0] in _ASCII_ALNUM, word[-1] in _ASCII_ALNUM, tuple(labels[word]))
        for word in patterns
    ]
    return ahocorasick_rs.AhoCorasick(patterns), info


def scan(lowered: str) -> dict[str, list[Hit]]:
    """``{group: [(start, end, label), …]}`` for every registered group, each list in order."""
    global _automaton
    if _automaton is None:
        _automaton = _build()
    automaton, info = _automaton
    found: dict[str, list[Hit]] = {name: [] for name in _GROUPS}
    groups = _GROUPS
    size = len(lowered)
    for index, start, end in automaton.find_matches_as_indexes(lowered, overlapping=True):
        check_left, check_right, labels = info[index]
        if check_left or check_right:
            before = lowered[start - 1] if check_left and start else ""
            after = lowered[end] if check_right and end < size else ""
            for name, label in labels:
                group = groups[name]
                if before not in group.left and after not in group.right:
                    found[name].append((start, end, label))
        else:
            for name, label in labels:
                found[name].append((start, end, label))
    return {name: _leftmost_longest(hits) for name, hits in found.items()}


def _leftmost_longest(hits: list[Hit]) -> list[Hit]:
    """Hits in order; of overlapping ones the leftmost, and of those the longest, wins."""
    if len(hits) < 2:
        return hits
    hits.sort()
    kept: list[Hit] = [hits[0]]
    reached = hits[0][1]
    for hit in hits:
        last = kept[-1]
        if hit[0] == last[0]:
            if hit[1] > last[1]:
                kept[-1] = hit
                reached = hit[1]
        elif hit[0] >= reached:
            kept.append(hit)
            reached = hit[1]
    return kept
