"""Provider, role and OTC score: what the words around a handle say about it."""

from __future__ import annotations

import pytest

from watchlist.extract import extract
from watchlist.extract.score import otc_score


def first(text: str) -> tuple[str | None, str]:
    handle = extract(text).handles[0]
    return handle.provider, handle.role


@pytest.mark.parametrize(
    ("text", "provider"),
    [
        ("WhatsApp: +1 415 555 2671", "whatsapp"),
        ("支付宝 13812345678", "alipay"),
        ("Alipay: seller@example.com", "alipay"),
        ("微信：13812345678", "wechat"),
        ("VX 13812345678", "wechat"),
        ("13812345678（微信同号）", "wechat"),
        ("电话/微信 13812345678", "wechat"),
        ("TG +44 7911 123456", "telegram"),
        ("13812345678", None),
        ("微信群很多人。" + "x" * 20 + " 13812345678", None),
        ("QQ邮箱 seller@example.com", None),
        ("@usdt_king", "telegram"),
    ],
)
def test_provider_comes_from_the_closest_cue_before_the_handle(
    text: str, provider: str | None
) -> None:
    assert first(text)[0] == provider


@pytest.mark.parametrize(
    ("text", "role"),
    [
        ("曝光骗子 微信 13812345678 大家小心", "reported"),
        ("这个人是骗子 @liar_seller 别信", "reported"),
        ("Beware: scammer at +1 415 555 2671", "reported"),
        ("黑名单：TFdmunXgDcvwVo9pkfktDc2m4DHqTYmsE1", "reported"),
        ("联系 @usdt_king", "offered"),
        ("客服微信 13812345678", "offered"),
        ("contact me at seller@example.com", "offered"),
        ("出U 秒放 承兑 大额可谈\n\n\n" + " " * 40 + "@usdt_king", "offered"),
        ("出U 秒放 承兑 @usdt_king 骗子勿扰", "offered"),
        ("谨防诈骗，认准唯一 @usdt_king", "offered"),
        ("@someone_x 是骗子吗？", "mentioned"),
        ("is +1 415 555 2671 a scam?", "mentioned"),
        ("I saw example.com yesterday", "mentioned"),
    ],
)
def test_role_follows_report_then_contact_cues_then_ad_posts(text: str, role: str) -> None:
    assert first(text)[1] == role


@pytest.mark.parametrize(
    ("offer", "ordinary"),
    [
        ("出U 秒放 承兑商 跑分", "今天天气不错"),
        ("出U秒放，联系TG @usdt_king", "曝光骗子：微信 chenxiaoda-004 收钱不放币"),
        ("테더 판매합니다 카톡 usdt_kim77", "def rate(self): return 7.2"),
        ("三方支付 四方支付 一个人", "支付宝客服提醒：请勿向陌生人转账"),
    ],
)
def test_otc_score_ranks_an_offer_above_an_ordinary_post_or_a_warning(
    offer: str, ordinary: str
) -> None:
    assert extract(offer).otc_score > 0.5 > extract(ordinary).otc_score


@pytest.mark.parametrize(
    ("text", "low", "high"),
    [
        ("今天天气不错", 0.0, 0.0),
        ("USDT", 0.3, 0.4),
        ("出U 秒放 承兑商 跑分", 0.95, 1.0),
        ("Selling USDT @ 1.02", 0.5, 0.6),
    ],
)
def test_lexicon_score_grows_with_distinct_lexicon_terms(
    text: str, low: float, high: float
) -> None:
    assert low <= otc_score(text.lower()) <= high


def test_otc_score_counts_each_term_once() -> None:
    assert otc_score("跑分 " * 50) == otc_score("跑分")


def test_otc_score_ignores_terms_glued_inside_words() -> None:
    assert otc_score("hotcake usdtx") == 0.0


@pytest.mark.parametrize(
    ("text", "value", "role"),
    [
        ("请问 13812779921 这个号靠谱吗？", "+8613812779921", "mentioned"),
        ("Anyone traded with @xinking535? legit?", "xinking535", "mentioned"),
        (
            "USDT合约地址 TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t，认准官方",
            "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t",
            "mentioned",
        ),
        ("支付宝 139 0180 4938", "+8613901804938", "offered"),
        (
            "My ETH wallet 0xa305d245D7bFACb27C1d05e51854CE1df8c790D4",
            "0xa305d245D7bFACb27C1d05e51854CE1df8c790D4",
            "offered",
        ),
        (
            "BTC: 1CBcnWAmLnuXaBhwB2GY2yk3qahxYKSHKj",
            "1CBcnWAmLnuXaBhwB2GY2yk3qahxYKSHKj",
            "offered",
        ),
        ("I saw example.com yesterday", "example.com", "mentioned"),
    ],
)
def test_questions_and_public_contracts_are_mentioned_and_labelled_accounts_offered(
    text: str, value: str, role: str
) -> None:
    roles = {h.value: h.role for h in extract(text).handles}
    assert roles[value] == role


@pytest.mark.parametrize(
    ("text", "roles"),
    [
        (
            "Scam report: recovery.masters247@gmail.com took $400 and vanished. "
            "If you were also scammed, WhatsApp me +234 802 174 4391",
            {"recovery.masters247@gmail.com": "reported", "+2348021744391": "offered"},
        ),
        (
            "텔레그램 @kr_fast_tether 사기입니다. "
            "같은 피해 보신 분들 연락처 010-2086-0939 로 문자 주세요",
            {"kr_fast_tether": "reported", "+821020860939": "offered"},
        ),
        (
            "ОСТОРОЖНО МОШЕННИК! Телеграм @usdt_obmen_fast взял предоплату 200к и пропал.",
            {"usdt_obmen_fast": "reported"},
        ),
        ("DOLANDIRICI UYARISI: +90 501 274 89 70 numaralı kişi", {"+905012748970": "reported"}),
    ],
)
def test_a_warning_reports_the_scammer_and_offers_the_victims_own_contact(
    text: str, roles: dict[str, str]
) -> None:
    got = {h.value: h.role for h in extract(text).handles}
    assert got == roles


def test_a_question_just_before_a_handle_makes_it_mentioned() -> None:
    text = "Bu adres güvenilir mi? 0xE057C9C585cc5a9AfB9AEbD5409b6fed3cF80edC birisi istiyor"
    assert [h.role for h in extract(text).handles] == ["mentioned"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("is this legit", [(0, 13), (8, 13)]),
        ("a legitimate shop", []),  # legit must end a word
        ("güvenilir mi? tg @x", [(0, 9), (10, 13)]),
        ("kimi? tg @x", []),  # mi? must start a word
        ("有人知道这个吗", [(0, 4), (6, 7)]),
        ("does anyone know", [(0, 11), (5, 11)]),  # overlapping words are all found
    ],
)
def test_ask_spans_find_question_words_whole_where_an_edge_is_asked(
    text: str, expected: list[tuple[int, int]]
) -> None:
    from watchlist.extract.roles import ask_spans

    assert ask_spans(text) == expected
