"""Digit windows: the candidate numbers of a text, shared by phones, bank cards and Alipay ids.

A *blob* is a run of digit groups joined by short separators (``138 1234 5678``,
``138.1234.5678``, ``6222-0212-3456-7890-123``, ``1 3 8 1 2 …``, groups across a line break).
Its candidate *windows* are: the whole blob, each single group, and each run of groups joined
by the same separator with or without its first and last group (``2026-11-20 138 1234 5678`` →
``138 1234 5678``). That is linear in the blob, unlike every sub-sequence. A window that only
continues a number across a bare ``.`` or ``,`` (``13812345678.5``) is not a candidate, and a
blob of more than ``MAX_GROUPS`` groups (a wall of numbers) offers only its single groups.

``blocked`` says whether a window is glued to letters (other than a cue such as ``Q``/``VX``),
masked (``138****``) or labelled as an order, tracking, transaction or one-time code number.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from typing import NamedTuple

MAX_GROUPS = 24
SHORTEST = 6
LONGEST = 19
_BLOB = re.compile(r"[0-9]++(?:[ \t\r\n\-.,]{1,3}+[0-9]++){0,40}+")
_GROUP = re.compile(r"[0-9]+")
_DECIMAL = frozenset({".", ","})
_LETTERS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
# ASCII cue words that may touch a number: "Q632144", "VX13812345678", "tel13812345678".
GLUE_CUES = frozenset(
    {"q", "qq", "v", "vx", "wx", "wechat", "weixin", "zfb", "alipay", "tel", "tg", "no", "id"}
)
_BEFORE_BLOCK = frozenset("_*+/=&?%#$¥￥@")
_AFTER_BLOCK = frozenset("_*@%")
_NOT_HANDLE_LABEL = re.compile(
    r"(?:订单|单号|交易号|流水号|快递|运单|物流|验证码|校验码|动态码|取件码|编号|工号|学号|身份证"
    r"|(?<![a-z])(?:order|txid|tx id|tx hash|hash|tracking|invoice|ticket|ref|code|otp|pin|serial"
    r"|sn|isbn))"
    r"[^\n0-9]{0,6}$"
)


class Window(NamedTuple):
    """A candidate number: its digits and span; ``whole`` when it is its entire blob."""

    start: int
    end: int
    digits: str
    groups: int
    whole: bool


def windows(text: str, shortest: int = SHORTEST, longest: int = LONGEST) -> list[Window]:
    """The candidate windows of ``shortest``–``longest`` digits in ``text`` (a digits view)."""
    return [w for w in all_windows(text) if shortest <= len(w.digits) <= longest]


@lru_cache(maxsize=4)
def all_windows(text: str) -> tuple[Window, ...]:
    """Every candidate window of 6–19 digits in ``text``; computed once per text."""
    return tuple(_windows(text))


def _windows(text: str) -> Iterator[Window]:
    for blob in _BLOB.finditer(text):
        start, end = blob.span()
        if end - start < SHORTEST:
            continue
        raw = blob.group()
        if raw.isdigit():
            if end - start <= LONGEST and not _continues(text, start, end):
                yield Window(start, end, raw, 1, True)
            continue
        matches = list(_GROUP.finditer(text, start, end))
        lengths = [m.end() - m.start() for m in matches]
        if sum(lengths) < SHORTEST:
            continue
        if len(matches) > MAX_GROUPS:
            for group, length in zip(matches, lengths, strict=True):
                if SHORTEST <= length <= LONGEST:
                    yield Window(group.start(), group.end(), group.group(), 1, False)
            continue
        yield from _blob_windows(text, matches, lengths)


def _blob_windows(text: str, matches: list[re.Match[str]], lengths: list[int]) -> Iterator[Window]:
    last = len(matches) - 1
    seps = [text[matches[i].end() : matches[i + 1].start()] for i in range(last)]
    pairs = {(0, last)}
    pairs.update((i, i) for i in range(last + 1) if lengths[i] >= SHORTEST)
    run_start = 0
    for i in range(1, last + 1):
        if i == last or seps[i] != seps[run_start]:
            a, b = run_start, i
            pairs.update(p for p in ((a, b), (a + 1, b), (a, b - 1), (a + 1, b - 1)) if p[0] < p[1])
            run_start = i
    for a, b in pairs:
        if not SHORTEST <= sum(lengths[a : b + 1]) <= LONGEST:
            continue
        if (a > 0 and seps[a - 1] in _DECIMAL) or (b < last and seps[b] in _DECIMAL):
            continue
        start, end = matches[a].start(), matches[b].end()
        if a == 0 and b == last and _continues(text, start, end):
            continue
        digits = "".join(m.group() for m in matches[a : b + 1])
        yield Window(start, end, digits, b - a + 1, a == 0 and b == last)


def _continues(text: str, start: int, end: int) -> bool:
    """Whether digits at [start, end) go on across a bare '.' or ',' (a decimal, a version)."""
    if start >= 2 and text[start - 1] in _DECIMAL and text[start - 2].isdigit():
        return True
    return end + 1 < len(text) and text[end] in _DECIMAL and text[end + 1].isdigit()


def letters_before(text: str, start: int) -> str:
    """The ASCII letters (at most 8) that end just before ``start``."""
    low = start
    while low > 0 and start - low < 8 and text[low - 1] in _LETTERS:
        low -= 1
    return text[low:start]


def glued(text: str, start: int, end: int) -> bool:
    """Whether the number at [start, end) touches letters (other than a cue), digits or a mask."""
    if start > 0:
        before = text[start - 1]
        if before in _BEFORE_BLOCK or before.isdigit():
            return True
        if before in _LETTERS and letters_before(text, start).lower() not in GLUE_CUES:
            return True
    if end < len(text):
        after = text[end]
        if after in _AFTER_BLOCK or after in _LETTERS or after.isdigit():
            return True
    return False


def labelled(lowered: str, start: int) -> bool:
    """Whether the number at ``start`` is labelled as an order, tracking, code … number."""
    return _NOT_HANDLE_LABEL.search(lowered, max(0, start - 20), start) is not None


def blocked(text: str, lowered: str, start: int, end: int) -> bool:
    """Whether the number at [start, end) is glued, masked or labelled as a non-handle."""
    return glued(text, start, end) or labelled(lowered, start)
