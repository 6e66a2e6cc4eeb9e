"""Obfuscated writing: numerals, width forms, invisible characters, look-alikes, spacing and
defanging all normalize to the same handle, with spans over what was written."""

from __future__ import annotations

import pytest

from watchlist.extract import extract

PHONE = ("phone", "+8613812345678")


def kinds_values(text: str) -> set[tuple[str, str]]:
    return {(h.kind, h.value) for h in extract(text).handles}


@pytest.mark.parametrize(
    "text",
    [
        "一三八一二三四五六七八",
        "幺三八 幺二三四 五六七八",
        "壹叁捌壹贰叁肆伍陆柒捌",
        "1 3 8 1 2 3 4 5 6 7 8",
        "138.1234.5678",
        "138\n1234\n5678",
        "138　1234　5678",
        "①③⑧①②③④⑤⑥⑦⑧",
        "❶❸❽❶❷❸❹❺❻❼❽",
        "1️⃣3️⃣8️⃣1️⃣2️⃣3️⃣4️⃣5️⃣6️⃣7️⃣8️⃣",
        "𝟏𝟑𝟖𝟏𝟐𝟑𝟒𝟓𝟔𝟕𝟖",
        "𝟙𝟛𝟠𝟙𝟚𝟛𝟜𝟝𝟞𝟟𝟠",
        "𝟣𝟥𝟪𝟣𝟤𝟥𝟦𝟧𝟨𝟩𝟪",
        "１３８１２３４５６７８",
        "138\u200b1234\u200d5678",
        "1\u00ad3812345678",
        "138－1234－5678",
    ],
)
def test_written_out_and_disguised_digits_give_the_phone(text: str) -> None:
    assert kinds_values(text) == {PHONE}


@pytest.mark.parametrize(
    "text",
    ["1 3 8 1 2 3 4 5 6 7 8", "幺三八 幺二三四 五六七八", "138\u200b1234\u200d5678", "1️⃣3️⃣8️⃣1️⃣2️⃣3️⃣4️⃣5️⃣6️⃣7️⃣8️⃣"],
)
def test_span_of_a_disguised_number_covers_it_in_the_original(text: str) -> None:
    (handle,) = extract("电话 " + text + " 谢谢").handles
    assert ("电话 " + text + " 谢谢")[handle.start : handle.end] == text


def test_chinese_numerals_in_words_do_not_break_cue_words() -> None:
    assert extract("三方支付 四方支付 一个人").otc_score > 0.5


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("eric＠example．com", {("email", "eric@example.com")}),
        ("NAME@ GMAIL. COM", {("email", "name@gmail.com")}),
        ("LEESMITH@ AOL. COM", {("email", "leesmith@aol.com")}),
        ("Support @ name .com", {("email", "support@name.com")}),
        ("abc123#qq.com（#换成@）", {("email", "abc123@qq.com")}),
        ("abc@gmail。com", {("email", "abc@gmail.com")}),
        ("yunrui[dot]184[at]hotmail[dot]com", {("email", "yunrui.184@hotmail.com")}),
        ("hxxps://evil-otc[.]top/pay", {("domain", "evil-otc.top")}),
        ("hxxp[:]//evil-otc.top", {("domain", "evil-otc.top")}),
        ("联系 @usdt_kіng", {("telegram", "usdt_king")}),
        ("@usdt\u200b_king", {("telegram", "usdt_king")}),
    ],
)
def test_defanged_spaced_and_look_alike_forms_are_refanged(
    text: str, expected: set[tuple[str, str]]
) -> None:
    assert kinds_values(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Selling USDT @ 1.02",
        "USDT @ abc.com",
        "meet me @ noon",
        "8866123#qq.com",
        "Привет, это сообщение",
    ],
)
def test_spaced_at_signs_and_plain_words_stay_words(text: str) -> None:
    assert "email" not in {kind for kind, _value in kinds_values(text)}


def test_dots_between_cue_characters_are_removed() -> None:
    (handle,) = [
        h for h in extract("无.需.打.开，支.付.宝 13812345678").handles if h.kind == "alipay"
    ]
    assert handle.value == "+8613812345678"


def test_a_qq_number_between_percent_escapes_is_found_and_a_percentage_is_not() -> None:
    text = "热门搜索：%E6%94%B6U%E3%80%90Q3918264057%E3%80%91q%E3%80%81v%E5%90%8C%E5%8F%B7"
    assert [(h.kind, h.value) for h in extract(text).handles] == [("qq", "3918264057")]
    assert extract("扣 50% 手续费").handles == []


@pytest.mark.parametrize(
    "text", ["联系13812345678一起去", "电话13812345678一下", "13812345678一个人"]
)
def test_a_numeral_starting_a_word_after_a_number_is_no_digit_of_it(text: str) -> None:
    assert [h.value for h in extract(text).handles] == ["+8613812345678"]


def test_chinese_numerals_in_an_email_local_part_are_its_digits() -> None:
    handles = extract("邮箱：wang一二三四五@163.com").handles
    assert [(h.kind, h.value) for h in handles] == [("email", "wang12345@163.com")]
