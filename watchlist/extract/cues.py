"""Every cue word of the context rules, found by Aho-Corasick automata over a lower-cased text.

The context rules (the OTC score, roles, providers) each register a *group*: a table of
lower-case words with a label each, and how an ASCII word must stand apart from its neighbours.
Each group is one compiled automaton (``ahocorasick_rs``) that finds its words leftmost-longest
(承兑商 hides 承兑), as a regex alternation would, in one pass at C speed; a text is scanned once
per group, and the rules then only look at the hits near each handle. An ASCII word that is a
segment of a URL or an encoded blob (``/V/`` or ``/Tg/`` inside base64, ``youtube.com/v/…``)
is no word (``TokenCheck``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import ahocorasick_rs

LONGEST_WORD = 16
Hit = tuple[int, int, str]
_ASCII_ALNUM = frozenset("abcdefghijklmnopqrstuvwxyz0123456789")
_LEFT, _RIGHT = 1, 2  # which edges of a word need checking


class _Group:
    """One group's words, and its automaton (leftmost-longest, like a regex alternation)."""

    def __init__(
        self, words: Mapping[str, str], left: str, right: str, distinct: bool = False
    ) -> None:
        self.words = dict(words)
        self.distinct = distinct  # keep each label's first hit only
        self.left = frozenset(left)  # may not touch an ASCII word's first letter
        self.right = frozenset(right)  # may not touch an ASCII word's last letter
        patterns = sorted(self.words)
        self.labels = [self.words[word] for word in patterns]
        self.checks = [
            (_LEFT if w[0] in _ASCII_ALNUM else 0) | (_RIGHT if w[-1] in _ASCII_ALNUM else 0)
            for w in patterns
        ]
        self.automaton = ahocorasick_rs.AhoCorasick(
            patterns,
            matchkind=ahocorasick_rs.MatchKind.LeftmostLongest,
            implementation=ahocorasick_rs.Implementation.DFA,  # the fastest scan; small tables
        )

    def find(self, lowered: str) -> list[Hit]:
        """This group's hits in ``lowered``, in order."""
        hits: list[Hit] = []
        append = hits.append
        labels, checks, left, right, frame = self.labels, self.checks, self.left, self.right, _FRAME
        segment: TokenCheck | None = None  # made for the first word that needs one
        size = len(lowered)
        seen: set[str] | None = set() if self.distinct else None
        for index, start, end in self.automaton.find_matches_as_indexes(lowered):
            if seen is not None and labels[index] in seen:
                continue  # a distinct group: this label is found already
            check = checks[index]
            if check:
                before = lowered[start - 1] if start else " "
                after = lowered[end] if end < size else " "
                if before in _HEX and start >= 3 and _escape_before(lowered, start):
                    before = " "  # "%E3%80%90Q…": a percent-escape ends before the word
                if (check & _LEFT and before in left) or (check & _RIGHT and after in right):
                    # A word glued to its neighbour does not count, but may hide a shorter word
                    # inside it (出u in 出usdt hides usdt): look again from its next character.
                    if end - start > 1:
                        segment = segment or TokenCheck(lowered)
                        hits.extend(self._inside(lowered, start + 1, end, segment))
                    continue
                if before in frame or after in frame:
                    segment = segment or TokenCheck(lowered)
                    if segment(start, end):
                        continue
            if seen is not None:
                seen.add(labels[index])
            append((start, end, labels[index]))
        return hits

    def _glued(self, lowered: str, start: int, end: int, check: int) -> bool:
        if check & _LEFT and start and lowered[start - 1] in self.left:
            return True
        return bool(check & _RIGHT and end < len(lowered) and lowered[end] in self.right)

    def _inside(self, lowered: str, offset: int, stop: int, segment: TokenCheck) -> list[Hit]:
        """The hits that start in ``lowered[offset:stop]``."""
        window = lowered[offset : stop + LONGEST_WORD]
        hits: list[Hit] = []
        for index, start, end in self.automaton.find_matches_as_indexes(window):
            start, end = start + offset, end + offset
            if start >= stop:
                break
            check = self.checks[index]
            if not (check and (self._glued(lowered, start, end, check) or segment(start, end))):
                hits.append((start, end, self.labels[index]))
        return hits


_FRAME = frozenset("/+=\\")
_HEX = frozenset("0123456789abcdef")


def _escape_before(lowered: str, start: int) -> bool:
    """Whether a percent-escape of a multi-byte character (``%e3%80%90``) ends at ``start``."""
    return (
        lowered[start - 3] == "%"
        and lowered[start - 2] in _HEX
        and start >= 6
        and lowered[start - 6] == "%"
    )


_TOKEN_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789+/=\\_-.%~"
_TOKEN_RUN = re.compile(r"[a-z0-9+/=\\_.%~\-]*")
_DIGITS = frozenset("0123456789")
_OPEN = frozenset(" \t\r\n\"'(<[")
ENCODED_LENGTH = 24
LONG_TOKEN = 40


class TokenCheck:
    """Whether ASCII words of one text are segments of a URL or of an encoded blob, not words.

    A word is such a segment when it touches ``/``, ``+``, ``=`` or ``\\`` and the run of URL and
    base64 characters holding it follows a ``//`` (``https://youtube.com/v/…``), is an absolute
    path (`` /v/AbC123``), has a host before its first ``/`` (``example.com/tg/…``), is at least
    ``LONG_TOKEN`` long, or ``ENCODED_LENGTH`` with a digit (base64 and the like:
    ``…GhpcyBh/V/c2VjcmV0…``). ``电话/v/qq同号`` and ``Phone/WeChat:`` stay words. The verdict of
    the last run is kept, so a run full of such words is looked at once (linear time).
    """

    def __init__(self, lowered: str) -> None:
        self.lowered = lowered
        self.low, self.high, self.verdict = -1, -1, False

    def __call__(self, start: int, end: int) -> bool:
        lowered = self.lowered
        if not (
            (start and lowered[start - 1] in _FRAME)
            or (end < len(lowered) and lowered[end] in _FRAME)
        ):
            return False
        if not self.low <= start < end <= self.high:
            low = _run_start(lowered, start)
            match = _TOKEN_RUN.match(lowered, end)
            high = match.end() if match is not None else end
            self.low, self.high = low, high
            self.verdict = _segmented(lowered, low, high)
        return self.verdict


def _run_start(lowered: str, start: int) -> int:
    """Where the run of URL and base64 characters ending at ``start`` begins."""
    reach = 256
    while True:
        low = max(0, start - reach)
        kept = lowered[low:start].rstrip(_TOKEN_CHARS)
        if kept or low == 0:
            return low + len(kept)
        reach *= 4


def _segmented(lowered: str, low: int, high: int) -> bool:
    """Whether the run ``lowered[low:high]`` is a URL, a path or an encoded blob."""
    token = lowered[low:high]
    if token.startswith("//"):
        return True  # after a scheme
    slash = token.find("/")
    if slash < 0:
        return high - low >= LONG_TOKEN or (
            high - low >= ENCODED_LENGTH and not _DIGITS.isdisjoint(token)
        )
    if slash == 0 and token.count("/") > 1 and (low == 0 or lowered[low - 1] in _OPEN):
        return True  # an absolute path: "GET /v/AbC123 404"
    if "." in token[:slash]:
        return True  # a path after a host
    return high - low >= LONG_TOKEN or (
        high - low >= ENCODED_LENGTH and not _DIGITS.isdisjoint(token)
    )


_GROUPS: dict[str, _Group] = {}
_ON_DEMAND: dict[str, _Group] = {}


def register(
    group: str,
    words: Mapping[str, str],
    *,
    left: str,
    right: str,
    on_demand: bool = False,
    distinct: bool = False,
) -> None:
    """Add a group of ``{word: label}`` cue words.

    ``left``/``right``: the characters that may not stand right before/after a word whose
    first/last character is an ASCII letter or digit (so ``tg`` counts in ``tg:`` but not in
    ``stg``). Words of other scripts stand anywhere. An ``on_demand`` group is left out of
    ``scan`` and found only by ``find`` (a rule that few texts need). A ``distinct`` group keeps
    only the first hit of each label (a rule that reads which words a text holds, not where).
    """
    too_long = [word for word in words if len(word) > LONGEST_WORD]
    if too_long:
        raise ValueError(f"cue words are at most {LONGEST_WORD} characters: {too_long}")
    (_ON_DEMAND if on_demand else _GROUPS)[group] = _Group(words, left, right, distinct)


def find(group: str, lowered: str) -> list[Hit]:
    """The hits of one registered group (on demand or not) in ``lowered``, in order."""
    return (_ON_DEMAND.get(group) or _GROUPS[group]).find(lowered)


def words_of(groups: Mapping[str, str]) -> dict[str, str]:
    """``{word: label}`` from ``{label: "word|word|…"}``."""
    return {word: label for label, words in groups.items() for word in words.split("|")}


def scan(lowered: str) -> dict[str, list[Hit]]:
    """``{group: [(start, end, label), …]}`` for every registered group, each list in order."""
    return {name: group.find(lowered) for name, group in _GROUPS.items()}
