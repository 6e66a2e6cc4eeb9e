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


@pytest.mark.parametrize(
    "text",
    [
        "1 3 8 1 2 3 4 5 6 7 8",
        "138 12345678",
        "1381 2345 678",
        "138 123 456 78",
    ],
)
def test_chinese_mobile_groupings_led_by_the_network_prefix_or_all_single(text: str) -> None:
    assert found(text) == ["+8613812345678"]


@pytest.mark.parametrize(
    "text",
    [
        "1-650-333-6000",  # North American trunk 1, then 3-3-4
        "1 650 333 6000",
        "13 8123 45678",
        "卡号：6217 0055 3896 6684 795",  # "0055" inside a run is no international prefix
        "6217-0055-3896-6684-795",
        "2026-11-20 08:00 1 415 555 2671",
        "0011-650-333-6000",  # a dialled 00 form carries no trunk prefix
        "订单号 0044 7911 123456",
    ],
)
def test_number_shapes_that_are_not_chinese_mobiles_or_international(text: str) -> None:
    assert found(text) == []


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("0064 3 331 6005", "+6433316005"),
        ("call 0044 7911 123456", "+447911123456"),
        ("Tel:0086 138 1234 5678", "+8613812345678"),
        ("++44 7911 123456", "+447911123456"),
        ("+44 7911 123456x12", "+447911123456"),
        ("+44 7911 123456 ext.12", "+447911123456"),
        ("US 1-650-333-6000", "+16503336000"),
    ],
)
def test_international_prefixes_and_extensions(text: str, value: str) -> None:
    assert found(text) == [value]


def test_chinese_mobile_check_agrees_with_libphonenumber() -> None:
    import random

    from watchlist.extract.phones import cn_mobile, e164

    rnd = random.Random(11)
    for head in range(1300, 2000):
        for _ in range(3):
            number = f"{head}{rnd.randrange(10**7):07d}"
            assert cn_mobile(number) == e164(number, "CN"), number


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("雅加达面交，联系 0812-2299-6514 (+62)", "+6281222996514"),
        ("曼谷收U，电话 081 229 9651 (TH)，微信另问", "+66812299651"),
        ("Call or text: 0802 187 0741 (Nigeria line)", "+2348021870741"),
        ("Ada yang kenal 012-358 1539 (Malaysia)?", "+60123581539"),
        ("Viber/Call PH 0905 139 4604", "+639051394604"),
        ("Kenya line: 0712 063834 (calls & SMS)", "+254712063834"),
        ("Türkiye hattı 0501 218 33 06", "+905012183306"),
        ("越南電話 0912 750 806", "+84912750806"),
        ("台灣門號 0912-728-365", "+886912728365"),
        ("US number 201–581–2435", "+12015812435"),
        ("美国电话 (201) 599-9620，微信 meiguo", "+12015999620"),
        ("Россия, тел./WhatsApp 8 (912) 374-96-04", "+79123749604"),
    ],
)
def test_a_national_number_is_a_phone_where_the_post_states_its_country(
    text: str, value: str
) -> None:
    assert [(h.kind, h.value) for h in extract(text).handles] == [("phone", value)]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Mpesa: + 2 5 4 7 2 2 4 1 8 3 0 6", "+254722418306"),
        ("Call  + 1   2 0 1   5 9 1   0 5 0 2", "+12015910502"),
        ("wh@tsapp +234 – 813 – 402 – 7759 now", "+2348134027759"),
    ],
)
def test_a_plus_number_spaced_widely_or_with_dashes_is_one_phone(text: str, value: str) -> None:
    assert [h.value for h in extract(text).handles if h.kind == "phone"] == [value]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("연락처: 010-2070-1629", "+821020701629"),
        ("USDT 원화 환전, 카톡 010-2079-5991 (번호로 친구추가)", "+821020795991"),
    ],
)
def test_a_korean_mobile_after_a_korean_cue_is_a_phone_not_a_kakaotalk_id(
    text: str, value: str
) -> None:
    assert [(h.kind, h.value) for h in extract(text).handles] == [("phone", value)]


@pytest.mark.parametrize(
    "text",
    ["contact us 0905 139 4604", "call 0802 187 0741 now", "(201) 599-9620", "0812 3456 (note)"],
)
def test_a_national_number_without_a_stated_country_is_not_a_phone(text: str) -> None:
    assert [h for h in extract(text).handles if h.kind == "phone"] == []
