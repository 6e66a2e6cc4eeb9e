"""Digit windows: the candidate numbers of a text, shared by phones, bank cards and Alipay ids.

A *blob* is a run of digit groups joined by short separators (``138 1234 5678``,
``138.1234.5678``, ``6222-0212-3456-7890-123``, ``1 3 8 1 2 …``, groups across a line break).
Its candidate *windows* are: the whole blob, each single group, and each run of groups joined
by the same separator with or without its first and last group (``2026-11-20 138 1234 5678`` →
``138 1234 5678``). That is linear in the blob, unlike every sub-sequence. A window that only
continues a number across a bare ``.`` or ``,`` (``13812345678.5``) is not a candidate, and a
blob of more than ``MAX_GROUPS`` groups (a wall of numbers) offers only its single groups.

The windows of a text are computed once (``all_windows`` keeps the last few texts) and shared by
every finder. One regex finds the blobs of at least ``SHORTEST`` digits and steps over the text
and the shorter blobs (prices, times, counts) without returning to Python for them.

``blocked`` says whether a window is glued to letters (other than a cue such as ``Q``/``VX``),
masked (``138****``) or labelled as an order, tracking, transaction or one-time code number.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

MAX_GROUPS = 24
SHORTEST = 6
LONGEST = 19
_SEP = r"[ \t\r\n\-.,]"
_LONG_AHEAD = rf"(?=[0-9](?:{_SEP}{{0,3}}+[0-9]){{10}})"  # at least LONG (11) digits
_BLOB_RAW = rf"[0-9]++(?:{_SEP}{{1,3}}+[0-9]++){{0,40}}+"
# One match per blob of at least SHORTEST digits, as (skipped text, blob of at least 11 digits,
# blob of 6–10 digits); the matches tile the text, so the lengths give the offsets. The skipped
# text is non-digits and every blob of fewer than SHORTEST digits (one to five digits, each pair
# joined by at most three separators, with no digit within reach after it). A blob is digit
# groups joined by one to three separators, at most 41 groups (a longer run goes on as the next
# blob). ASCII ``\D`` is the same as ``[^0-9]`` and much faster to scan.
_BLOB = re.compile(
    rf"(\D*+(?:[0-9](?:{_SEP}{{0,3}}+[0-9]){{0,{SHORTEST - 2}}}+(?!{_SEP}{{0,3}}+[0-9])\D*+)*+)"
    rf"(?:{_LONG_AHEAD}({_BLOB_RAW})|({_BLOB_RAW})|\Z)",
    re.ASCII,
)
_SPLIT = re.compile(r"([^0-9]+)")
_ESCAPES = re.compile(r"(?:%[89A-Fa-f][0-9A-Fa-f]){2}")
_SEPARATORS = re.compile(r"[^0-9]+")
_SHAPE = str.maketrans("0123456789", "9999999999")
_DECIMAL = frozenset({".", ","})
_LETTERS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
_DIGITS = frozenset("0123456789")
# ASCII cue words that may touch a number: "Q632144", "VX13812345678", "tel13812345678".
GLUE_CUES = frozenset(
    {"q", "qq", "v", "vx", "wx", "wechat", "weixin", "zfb", "alipay", "tel", "tg", "no", "id"}
    | {"phone", "mobile", "uid"}
)
_BEFORE_BLOCK = frozenset("_*+/=&?%#$¥￥@") | _DIGITS
_AFTER_BLOCK = frozenset("_*@%") | _LETTERS | _DIGITS
_NOT_HANDLE_LABEL = re.compile(
    r"(?:订单|单号|交易号|流水号|快递|运单|物流|验证码|校验码|动态码|取件码|编号|工号|学号|身份证"
    r"|(?<![a-z])(?:order|txid|tx id|tx hash|hash|tracking|invoice|ticket|ref|code|otp|pin|serial"
    r"|sn|isbn))"
    r"[^\n0-9]{0,6}$"
)
# The last character of every label of _NOT_HANDLE_LABEL.
_LABEL_ENDS = frozenset("单号递流码证") | frozenset("rdhgetfpnl")


class Window(NamedTuple):
    """A candidate number: its digits and span; ``whole`` when it is its entire blob."""

    start: int
    end: int
    digits: str
    groups: int
    whole: bool


class Blob(NamedTuple):
    """A blob of at least ``SHORTEST`` digits: its span and text; ``long`` when it has at least
    ``LONG`` digits; ``lead``: the end of the text before it less its trailing ``LEAD_SKIP``
    characters, or -1 when that is not within the text skipped since the previous blob."""

    start: int
    end: int
    raw: str
    long: bool
    lead: int


LEAD_SKIP = " \t:：-()（）/,，.+"  # separators and punctuation between a label and its number
LONG = 11  # the fewest digits of a Chinese mobile; bank cards and Alipay ids have more


def windows(text: str, shortest: int = SHORTEST, longest: int = LONGEST) -> list[Window]:
    """The candidate windows of ``shortest``–``longest`` digits in ``text`` (a digits view)."""
    pool = long_windows(text) if shortest >= LONG else all_windows(text)
    return [w for w in pool if shortest <= len(w.digits) <= longest]


def blobs(text: str) -> tuple[Blob, ...]:
    """The blobs of at least ``SHORTEST`` digits in ``text``, in order; computed once per text."""
    return _scan(text)[0]


def long_windows(text: str) -> tuple[Window, ...]:
    """The candidate windows of at least ``LONG`` digits (from the blobs that have as many)."""
    return _scan(text)[1]


@lru_cache(maxsize=8)
def all_windows(text: str) -> tuple[Window, ...]:
    """Every candidate window of 6–19 digits in ``text``, in order; computed once per text."""
    return tuple(w for blob in blobs(text) for w in blob_windows(text, blob))


@lru_cache(maxsize=8)
def _scan(text: str) -> tuple[tuple[Blob, ...], tuple[Window, ...]]:
    """The blobs of ``text`` and their windows of at least ``LONG`` digits: one pass, shared by
    every finder of the text."""
    found: list[Blob] = []
    long_found: list[Window] = []
    new = tuple.__new__  # a NamedTuple without its Python-level __new__: faster
    pos = 0
    for skipped, long, other in _BLOB.findall(text):
        lead = len(skipped.rstrip(LEAD_SKIP))
        lead = pos + lead if lead else -1
        pos += len(skipped)
        if other:
            end = pos + len(other)
            found.append(new(Blob, (pos, end, other, False, lead)))
            pos = end
        elif long:
            end = pos + len(long)
            blob = new(Blob, (pos, end, long, True, lead))
            found.append(blob)
            if not long.isdigit():
                long_found.extend(w for w in blob_windows(text, blob) if len(w.digits) >= LONG)
            elif len(long) <= LONGEST and not _continues(text, pos, end):
                long_found.append(new(Window, (pos, end, long, 1, True)))
            pos = end
    return tuple(found), tuple(long_found)


def blob_windows(text: str, blob: Blob) -> list[Window]:
    """The candidate windows of one blob of ``text``."""
    raw, start = blob.raw, blob.start
    new = tuple.__new__
    if raw.isdigit():
        if len(raw) <= LONGEST and not _continues(text, start, blob.end):
            return [new(Window, (start, blob.end, raw, 1, True))]
        return []
    found: list[Window] = []
    for begin, end, sep, groups, whole in _shape_windows(raw.translate(_SHAPE)):
        if whole and _continues(text, start + begin, start + end):
            continue
        piece = raw[begin:end]
        if sep is None:
            piece = _SEPARATORS.sub("", piece)
        elif sep:
            piece = piece.replace(sep, "")
        found.append(new(Window, (start + begin, start + end, piece, groups, whole)))
    return found


@lru_cache(maxsize=2048)
def _shape_windows(shape: str) -> tuple[tuple[int, int, str | None, int, bool], ...]:
    """The windows of a blob of several groups, from its shape (every digit written as 9):
    their span in the blob, the one separator inside them ("" for a single group, None when
    mixed), their number of groups and whether they are the whole blob. Which windows a blob
    has depends only on its shape, except ``_continues`` of the whole blob."""
    parts = _SPLIT.split(shape)
    groups = parts[0::2]
    seps = parts[1::2]
    last = len(groups) - 1
    starts: list[int] = []
    cum = [0]  # digits before each group
    pos = total = 0
    for i, group in enumerate(groups):
        starts.append(pos)
        total += len(group)
        cum.append(total)
        pos += len(group) + (len(seps[i]) if i < last else 0)
    if last >= MAX_GROUPS:
        return tuple(
            (starts[i], starts[i] + len(group), "", 1, False)
            for i, group in enumerate(groups)
            if SHORTEST <= len(group) <= LONGEST
        )
    pairs = {(0, last)}
    pairs.update((i, i) for i in range(last + 1) if len(groups[i]) >= SHORTEST)
    run_start = 0
    for i in range(1, last + 1):
        if i == last or seps[i] != seps[run_start]:
            a, b = run_start, i
            pairs.update(p for p in ((a, b), (a + 1, b), (a, b - 1), (a + 1, b - 1)) if p[0] < p[1])
            run_start = i
    found: list[tuple[int, int, str | None, int, bool]] = []
    for a, b in sorted(pairs):
        if not SHORTEST <= cum[b + 1] - cum[a] <= LONGEST:
            continue
        if (a > 0 and seps[a - 1] in _DECIMAL) or (b < last and seps[b] in _DECIMAL):
            continue
        inner = set(seps[a:b])
        sep = "" if a == b else seps[a] if len(inner) == 1 else None
        found.append((starts[a], starts[b] + len(groups[b]), sep, b - a + 1, a == 0 and b == last))
    return tuple(found)


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
        if after in _AFTER_BLOCK or after.isdigit():
            # A percent-escape of a multi-byte character is no percent sign: "…057%E3%80%91".
            return not (after == "%" and escape_at(text, end))
    return False


def escape_at(text: str, at: int) -> bool:
    """Whether a percent-escaped multi-byte character starts at ``at`` (``%E3%80%91``): no
    percent sign after a number."""
    return _ESCAPES.match(text, at) is not None


def labelled(lowered: str, start: int) -> bool:
    """Whether the number at ``start`` is labelled as an order, tracking, code … number."""
    if _LABEL_ENDS.isdisjoint(lowered[max(0, start - 7) : start]):
        return False  # fast: no label ends in the six characters the pattern allows after it
    return _NOT_HANDLE_LABEL.search(lowered, max(0, start - 20), start) is not None


def blocked(text: str, lowered: str, start: int, end: int) -> bool:
    """Whether the number at [start, end) is glued, masked or labelled as a non-handle."""
    return glued(text, start, end) or labelled(lowered, start)
