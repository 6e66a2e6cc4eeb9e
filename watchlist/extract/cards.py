"""Bank cards: 13–19 digits, Luhn-valid, with a real issuer prefix for their length.

Canonical value: the digits only. Groups may be separated by spaces or dashes
(``6222 0212 3456 7890 123``), or by slashes between groups of four (``5345/0876/4342/1704``).
Luhn alone accepts one random string in ten (13-digit millisecond
timestamps pass it), so the issuer table decides first: UnionPay 62 (16–19), Visa 4 (13/16/19),
Mastercard 51–55 and 2221–2720 (16), Amex 34/37 (15), JCB 3528–3589 (16–19), Discover 6011 / 644–
649 / 65 (16–19), Diners 300–305 / 36 / 38–39 (14–19), Maestro-style UnionPay debit 60/62… is not
guessed. Masked numbers (``6222****1234``), tails (尾号1234), glued runs and labelled numbers
(order, transaction, tracking) are never cards.
"""

from __future__ import annotations

import re

from watchlist.extract.model import Handle
from watchlist.extract.numbers import blocked, long_windows

# (lowest prefix, highest prefix, allowed lengths); prefixes compared on equal-length heads.
_ISSUERS: tuple[tuple[str, str, frozenset[int]], ...] = (
    ("62", "62", frozenset(range(16, 20))),  # UnionPay
    ("4", "4", frozenset({13, 16, 19})),  # Visa
    ("51", "55", frozenset({16})),  # Mastercard
    ("2221", "2720", frozenset({16})),  # Mastercard 2-series
    ("34", "34", frozenset({15})),  # Amex
    ("37", "37", frozenset({15})),
    ("3528", "3589", frozenset(range(16, 20))),  # JCB
    ("6011", "6011", frozenset(range(16, 20))),  # Discover
    ("644", "649", frozenset(range(16, 20))),
    ("65", "65", frozenset(range(16, 20))),
    ("300", "305", frozenset(range(14, 20))),  # Diners Club
    ("36", "36", frozenset(range(14, 20))),
    ("38", "39", frozenset(range(16, 20))),
)


# Every issuer prefix widened to four digits -> the lengths it allows (a dict lookup instead of
# a scan of the table per candidate).
_LENGTHS_BY_HEAD: dict[str, frozenset[int]] = {}
for _head in (f"{n:04d}" for n in range(10000)):
    _allowed = frozenset(
        length
        for low, high, lengths in _ISSUERS
        if low <= _head[: len(low)] <= high
        for length in lengths
    )
    if _allowed:
        _LENGTHS_BY_HEAD[_head] = _allowed
_DOUBLED = str.maketrans("0123456789", "0246813579")  # each digit doubled, less 9 above 9


def issuer_matches(digits: str) -> bool:
    """Whether ``digits`` start with a known issuer prefix that allows their length."""
    return len(digits) in _LENGTHS_BY_HEAD.get(digits[:4], ())


def _luhn(digits: str) -> bool:
    """``checksums.luhn_valid`` without a Python loop: digit sums of the two interleaved halves."""
    kept = digits[-1::-2].encode()
    doubled = digits[-2::-2].translate(_DOUBLED).encode()
    return (sum(kept) + sum(doubled) - 48 * len(digits)) % 10 == 0


def card_number(digits: str) -> str | None:
    """``digits`` when they form a plausible bank card number, else None."""
    if 13 <= len(digits) <= 19 and issuer_matches(digits) and _luhn(digits):
        return digits
    return None


# Four-digit groups joined by slashes, as card numbers are printed on some receipts and posts.
_SLASHED_HINT = re.compile(r"/[0-9]{4}/[0-9]{4}/", re.ASCII)  # literal first: a fast scan
_SLASHED = re.compile(r"(?<![0-9/])[0-9]{4}(?:/[0-9]{4}){2,3}(?:/[0-9]{1,3})?(?![0-9/])", re.ASCII)


def find_cards(digits: str, lowered: str) -> list[Handle]:
    """Every bank card number in ``digits`` (the digits view of a normalized text)."""
    found: list[Handle] = []
    for window in long_windows(digits):
        number = window.digits
        if len(number) < 13 or number[0] not in "23456" or card_number(number) is None:
            continue
        if blocked(digits, lowered, window.start, window.end):
            continue
        found.append(Handle("bank_card", number, window.start, window.end))
    if "/" in digits and _SLASHED_HINT.search(digits) is not None:
        for match in _SLASHED.finditer(digits):
            number = match.group().replace("/", "")
            if card_number(number) is not None and not blocked(
                digits, lowered, match.start(), match.end()
            ):
                found.append(Handle("bank_card", number, match.start(), match.end()))
    return found
