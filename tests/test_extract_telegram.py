"""Telegram usernames: @name, cued "@ name", t.me / telegram.me / tg:// links, and non-handles."""

from __future__ import annotations

import pytest

from watchlist.extract import extract


def telegram(text: str) -> list[str]:
    return [h.value for h in extract(text).handles if h.kind == "telegram"]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("联系 @Seller_01", "seller_01"),
        ("【TG客服:@abcpay_bot】", "abcpay_bot"),
        ("联系电报TG（@ xincheng8887）", "xincheng8887"),
        ("纸飞机 @ HelloWorld", "helloworld"),
        ("✈ @ usdt_king", "usdt_king"),
        ("t.me/UsdtKing", "usdtking"),
        ("https://t.me/usdtking", "usdtking"),
        ("[点✈这里联系](https://t.me/usdtking)", "usdtking"),
        ("http://telegram.me/usdtking", "usdtking"),
        ("t.me/usdtking_bot?start=ref123", "usdtking_bot"),
        ("t.me/s/usdt_channel", "usdt_channel"),
        ("tg://resolve?domain=usdtking", "usdtking"),
        ("@abcde", "abcde"),
        ("@" + "a" * 32, "a" * 32),
    ],
)
def test_username_forms_give_the_lower_cased_name(text: str, value: str) -> None:
    assert telegram(text) == [value]


@pytest.mark.parametrize(
    "text",
    [
        "@everyone",
        "@here please read",
        "@all",
        "@channel",
        "seller@example.com",
        "@ usdtking with no cue",
        "@abcd",
        "@" + "a" * 33,
        "@1abcde",
        "@abcde_",
        "t.me/+AbCdEfGh123",
        "t.me/joinchat/AbCdEfGh123",
        "t.me/addstickers/somepack",
        "price @ 7.1",
    ],
)
def test_mentions_invites_and_emails_are_not_usernames(text: str) -> None:
    assert telegram(text) == []


def test_telegram_handles_carry_the_telegram_provider() -> None:
    (handle,) = extract("@usdt_king").handles
    assert handle.provider == "telegram"


def test_link_host_is_not_also_a_domain() -> None:
    assert [h.kind for h in extract("https://t.me/usdtking").handles] == ["telegram"]
    assert extract("t.me/+AbCdEfGh123").handles == []


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("飞机：usdt_king", "usdt_king"),
        ("纸飞机 huilv58 出U", "huilv58"),
        ("电报 fastcoin07 大额承兑", "fastcoin07"),
        ("TG: UsdtKing", "usdtking"),
        ("TG fast_hk_669 (fast reply)", "fast_hk_669"),
        ("✈️ gold_96 秒放", "gold_96"),
        ("DM me @ otc03 for bulk USDT", "otc03"),
    ],
)
def test_a_cue_before_a_bare_name_or_a_marked_spaced_name_gives_a_username(
    text: str, value: str
) -> None:
    assert telegram(text) == [value]


@pytest.mark.parametrize(
    "text",
    [
        "TG channel",
        "Telegram group is open",
        "@admin",
        "@here",
        "@ noon",
        "TG群：https://t.me/+AbCdEf",
    ],
)
def test_words_after_english_cues_and_mass_mentions_are_not_usernames(text: str) -> None:
    assert telegram(text) == []


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("超商代碼也可以換U～ taiwan_coinman 是我的飛機", "taiwan_coinman"),
        ("Instant cashout — kenya_otc_desk on telegram, text me", "kenya_otc_desk"),
        ("london_otc_mike is my telegram, ignore impostors", "london_otc_mike"),
        ("saigon_otc247 là telegram của mình nhé", "saigon_otc247"),
    ],
)
def test_a_name_written_before_its_telegram_cue_is_a_handle(text: str, value: str) -> None:
    assert [(h.kind, h.value) for h in extract(text).handles] == [("telegram", value)]


@pytest.mark.parametrize(
    "text",
    [
        "message me on telegram",
        "微信：hao843 电报见主页",
        "Python: @dataclass(frozen=True) class Rate: pass",
        "CSS: @media (max-width: 768px) { .price { color: red } }",
        "В Java аннотация @Override и @Deprecated",
        "npm install @solana/web3.js and @types/node",
        "Follow @BNMofficial and @SecComMY on X for scam alerts",
        "想換U的可以加我LINE：@coin_tw520（官方帳號）",
    ],
)
def test_code_platform_accounts_and_plain_words_are_no_telegram_handles(text: str) -> None:
    assert [h for h in extract(text).handles if h.kind == "telegram"] == []
