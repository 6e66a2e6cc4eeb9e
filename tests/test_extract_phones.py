"""Phone numbers: Chinese national forms, international forms, wa.me links and look-alikes."""

from __future__ import annotations

import pytest

from watchlist.extract import extract


def found(text: str, kind: str = "phone") -> list[str]:
    return [h.value for h in extract(text).handles if h.kind == kind]


@pytest.mark.parametrize(
    "text",
    [
        "13812345678",
        "电话13812345678",
        "手机：138 1234 5678。",
        "call 138-1234-5678 now",
        "+86 138 1234 5678",
        "+8613812345678",
        "+86-138-1234-5678",
        "0086 13812345678",
        "(+86)13812345678",
        "(+86) 138 1234 5678",
        "＋８６ １３８１２３４５６７８",
        "１３８１２３４５６７８",
        "138–1234–5678",
    ],
)
def test_chinese_mobile_forms_give_one_e164_number(text: str) -> None:
    assert found(text) == ["+8613812345678"]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("+1 415 555 2671", "+14155552671"),
        ("tel: +1 (415) 555-2671", "+14155552671"),
        ("+44 7911 123456", "+447911123456"),
        ("+44 ,737 ,674 ,05 69", "+447376740569"),
        ("wa.me/14155552671", "+14155552671"),
        ("https://api.whatsapp.com/send?phone=8613812345678", "+8613812345678"),
    ],
)
def test_international_numbers_with_a_country_code_are_phones(text: str, value: str) -> None:
    assert found(text) == [value]


@pytest.mark.parametrize(
    "text",
    [
        "138****5678",
        "1700000000000",
        "订单号 202611201234567890",
        "id 123456789012345678",
        "order 2138123456789",
        "13812345678901",
        "abc13812345678",
        "13812345678xyz",
        "价格6.95",
        "2026-11-20 12:30",
        "13812345678.5 USDT",
        "12345678901",
        "+8613812345678abc",
        "+13812345678",
        "6222 0213 8123 4567",
        "0013812345678",
    ],
)
def test_masked_glued_or_invalid_digit_runs_are_not_phones(text: str) -> None:
    assert found(text) == []


def test_trailing_number_after_a_phone_is_not_absorbed() -> None:
    handles = extract("+86 138 1234 5678 20 USDT").handles
    assert [(h.value, h.end) for h in handles] == [("+8613812345678", 17)]


def test_phone_span_covers_what_was_written_in_the_original_text() -> None:
    text = "联系 ＋８６ １３８１２３４５６７８ 谢谢"
    (handle,) = extract(text).handles
    assert text[handle.start : handle.end] == "＋８６ １３８１２３４５６７８"


def test_national_digits_inside_an_international_number_are_one_handle() -> None:
    assert len(extract("+86 13812345678").handles) == 1


def test_digits_of_an_email_local_part_are_not_a_phone() -> None:
    assert [h.kind for h in extract("13812345678@163.com").handles] == ["email"]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("UK 07911 123456", "+447911123456"),
        ("英国 07911 123456", "+447911123456"),
        ("英国手机号：07911 123456", "+447911123456"),
        ("wh@tsapp +1 (715) 555-0123", "+17155550123"),
        ("V13812345678", "+8613812345678"),
        ("电话:13812345678", "+8613812345678"),
        ("2026-11-20 138 1234 5678", "+8613812345678"),
    ],
)
def test_stated_countries_cue_glue_and_mixed_groups_give_the_number(text: str, value: str) -> None:
    assert found(text) == [value]


@pytest.mark.parametrize(
    "text",
    [
        "07911 123456",
        "contact us 07911 123456",
        "验证码 138123",
        "code: 483920",
        "tracking 13812345678",
        "快递单号 13812345678",
        "单号:13812345678",
        "txid 13812345678",
        "https://example.com/item/13812345678",
    ],
)
def test_numbers_without_a_country_or_labelled_as_codes_are_not_phones(text: str) -> None:
    assert found(text) == []
