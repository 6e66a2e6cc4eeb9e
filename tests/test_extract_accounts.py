"""WeChat, QQ and Alipay accounts: cue + value, bound phones and emails, and slang negatives."""

from __future__ import annotations

import pytest

from watchlist.extract import extract


def found(text: str) -> set[tuple[str, str]]:
    return {(h.kind, h.value) for h in extract(text).handles}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("请加微信yunqw520", {("wechat", "yunqw520")}),
        ("V yi0749888", {("wechat", "yi0749888")}),
        ("加个微信吗: wytwyt01", {("wechat", "wytwyt01")}),
        ("VX：Abc_12345", {("wechat", "abc_12345")}),
        ("➕V abc123456", {("wechat", "abc123456")}),
        ("薇：seller888", {("wechat", "seller888")}),
        ("WeChat ID: TradeKing", {("wechat", "tradeking")}),
        ("微\u200b信：abc_12345", {("wechat", "abc_12345")}),
        ("ＷｅＣｈａｔ：ａｂｃ１２３４５", {("wechat", "abc12345")}),
        ("微信：usdt_kіng01", {("wechat", "usdt_king01")}),
        ("wxid_Abcd1234efgh", {("wechat", "wxid_abcd1234efgh")}),
        (
            "冒充我的骗子微信 lezhang92，我本人微信只有 haolin-96443",
            {
                ("wechat", "lezhang92"),
                ("wechat", "haolin-96443"),
            },
        ),
    ],
)
def test_wechat_ids_need_a_cue_and_are_lower_cased(
    text: str, expected: set[tuple[str, str]]
) -> None:
    assert found(text) == expected


@pytest.mark.parametrize(
    "text",
    ["v我50", "vxworks is an RTOS", "LINE: abc123456", "Zalo: abc123456", "abc123456", "v hello"],
)
def test_slang_other_messengers_and_uncued_tokens_are_not_wechat(text: str) -> None:
    assert [k for k, _v in found(text) if k == "wechat"] == []


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("扣：277497091", "277497091"),
        ("可以加我qq 591353643", "591353643"),
        ("QQ号：12345678", "12345678"),
        ("企鹅 88886666", "88886666"),
        ("扣扣 591353643", "591353643"),
        ("QQ：1 1 6 2 8 5 7 3 1 1", "1162857311"),
        ("扣 272-120-525", "272120525"),
        ("𝐐𝐐：𝟚𝟠𝟡𝟛𝟝𝟟𝟛𝟠𝟚𝟞", "2893573826"),
    ],
)
def test_qq_numbers_follow_a_qq_cue(text: str, value: str) -> None:
    assert found(text) == {("qq", value)}


@pytest.mark.parametrize(
    "text",
    ["8866123@qq.com", "QQ：0123456", "QQ：1234", "扣 50000 U", "扣款 591353643", "591353643"],
)
def test_qq_mail_leading_zeros_amounts_and_uncued_digits_are_not_qq(text: str) -> None:
    assert [k for k, _v in found(text) if k == "qq"] == []


def test_q_and_v_same_number_with_digits_gives_qq_only() -> None:
    # A WeChat ID starts with a letter, so the digits cannot be the WeChat account too.
    assert found("开户【Q632144】q、v同号") == {("qq", "632144")}


@pytest.mark.parametrize(
    "text",
    [
        "手机号（微信同号）13812345678",
        "13812345678（微信同号）",
        "电话/微信 13812345678",
        "微信/电话：+86 138 1234 5678",
        "联系电话：13812345678（同微信）",
        "Phone & WeChat (same number): +86 13812345678",
        "𝐖𝐞𝐂𝐡𝐚𝐭 同号 𝟏𝟑𝟖𝟏𝟐𝟑𝟒𝟓𝟔𝟕𝟖",
    ],
)
def test_wechat_bound_to_a_phone_gives_wechat_and_phone(text: str) -> None:
    assert found(text) == {("phone", "+8613812345678"), ("wechat", "+8613812345678")}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("支付宝 13812345678", {("alipay", "+8613812345678"), ("phone", "+8613812345678")}),
        ("支.付.宝：13812345678", {("alipay", "+8613812345678"), ("phone", "+8613812345678")}),
        ("ZFB 138 1234 5678", {("alipay", "+8613812345678"), ("phone", "+8613812345678")}),
        ("Alipay: +86 13812345678", {("alipay", "+8613812345678"), ("phone", "+8613812345678")}),
        ("支付宝手机号：13812345678", {("alipay", "+8613812345678"), ("phone", "+8613812345678")}),
        (
            "zfb: Seller@Example.com",
            {("alipay", "seller@example.com"), ("email", "seller@example.com")},
        ),
        (
            "支付宝邮箱账户 a.b@outlook.com",
            {("alipay", "a.b@outlook.com"), ("email", "a.b@outlook.com")},
        ),
        ("收款账户 2088123456789012", {("alipay", "2088123456789012")}),
        ("uid=2088123456789012 抢单", {("alipay", "2088123456789012")}),
        (
            "微信支付宝同号 13812345678",
            {
                ("alipay", "+8613812345678"),
                ("wechat", "+8613812345678"),
                ("phone", "+8613812345678"),
            },
        ),
    ],
)
def test_alipay_accounts_are_phones_emails_or_2088_ids(
    text: str, expected: set[tuple[str, str]]
) -> None:
    assert found(text) == expected


def test_a_2088_number_that_is_an_order_number_is_not_alipay() -> None:
    assert found("订单号 2088123456789012") == set()


def test_account_spans_cover_the_value_only() -> None:
    text = "请加微信yunqw520"
    (handle,) = extract(text).handles
    assert text[handle.start : handle.end] == "yunqw520"
    assert handle.provider == "wechat"


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("테더 매입합니다. 카톡 usdt_kim77 로 연락주세요", "usdt_kim77"),
        ("코인 현금화\n카톡ID：CoinCash_Seoul\n24시간", "coincash_seoul"),
        ("Selling USDT for KRW, kakao: busan-coin88, meet", "busan-coin88"),
        ("USDT OTC Korea — KakaoTalk: han_river_otc", "han_river_otc"),
        ("💰테더 삽니다💰 카톡 👉 gangnam.usdt 👈 바로 답장", "gangnam.usdt"),
        ("tether.park 이 제 카카오톡 아이디예요", "tether.park"),
    ],
)
def test_a_kakaotalk_cue_and_an_id_give_a_lower_cased_kakaotalk_handle(
    text: str, value: str
) -> None:
    assert [(h.kind, h.value) for h in extract(text).handles] == [("kakaotalk", value)]


@pytest.mark.parametrize("text", ["kakao pay 로 송금", "카톡 아이디 알려주세요", "kakao bank"])
def test_a_kakaotalk_cue_without_an_id_gives_nothing(text: str) -> None:
    assert extract(text).handles == []


@pytest.mark.parametrize(
    "text",
    [
        "联系电话：18620457731\n微信：同上",
        "手机：18620457731\n上面号码微信同号，加的时候备注U",
        "Phone: 18620457731\nWeChat: same as above",
    ],
)
def test_wechat_bound_by_reference_to_a_phone_above_is_that_phone(text: str) -> None:
    kinds = {(h.kind, h.value) for h in extract(text).handles}
    assert kinds == {("phone", "+8618620457731"), ("wechat", "+8618620457731")}


def test_a_q_cue_glued_to_a_qq_number_is_no_wechat_id_in_q_v_same() -> None:
    handles = extract("联系Q3051228841（q、v同号）").handles
    assert [(h.kind, h.value) for h in handles] == [("qq", "3051228841")]
