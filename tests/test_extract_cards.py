"""Bank cards: issuer prefix, length and Luhn decide; masked, tailed, glued and labelled are not."""

from __future__ import annotations

import pytest

from watchlist.extract import extract


def cards(text: str) -> list[str]:
    return [h.value for h in extract(text).handles if h.kind == "bank_card"]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("6222 0212 3456 7890 128", "6222021234567890128"),
        ("银行卡：6228480012345671", "6228480012345671"),
        ("卡号 6228-4800-1234-5671", "6228480012345671"),
        ("4111 1111 1111 1111", "4111111111111111"),
        ("5555555555554444", "5555555555554444"),
        ("Amex 378282246310005", "378282246310005"),
        ("JCB 3530111333300000", "3530111333300000"),
        ("Discover 6011111111111117", "6011111111111117"),
        ("Diners 30569309025904", "30569309025904"),
        ("６２２８４８００１２３４５６７１", "6228480012345671"),
    ],
)
def test_luhn_valid_numbers_with_a_real_issuer_prefix_are_cards(text: str, value: str) -> None:
    assert cards(text) == [value]


@pytest.mark.parametrize(
    "text",
    [
        "6222021234567890123",  # Luhn fails
        "1700000000000",  # a millisecond timestamp
        "1700000000009",  # Luhn passes, no issuer
        "6222****1234",
        "6222 **** **** 1234",
        "尾号1234",
        "订单号 6228480012345671",
        "交易号：4111111111111111",
        "tracking 4111111111111111",
        "x4111111111111111",
        "41111111111111112",  # part of a longer run
        "4111111111111111.5",
    ],
)
def test_masked_tailed_labelled_glued_or_invalid_numbers_are_not_cards(text: str) -> None:
    assert cards(text) == []


def test_card_span_covers_the_spaced_groups() -> None:
    text = "卡号：6222 0212 3456 7890 128 户名张三"
    (handle,) = [h for h in extract(text).handles if h.kind == "bank_card"]
    assert text[handle.start : handle.end] == "6222 0212 3456 7890 128"


def test_a_card_grouped_by_slashes_in_fours_is_a_card_but_not_inside_a_url_path() -> None:
    assert [h.value for h in extract("Top up: 5345/0876/4342/1704 now").handles] == [
        "5345087643421704"
    ]
    assert [h.kind for h in extract("https://x.com/5345/0876/4342/1704").handles] == ["domain"]
