"""The public extract() contract: hard negatives, order, dedup, offsets, and never raising."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from watchlist.extract import KINDS, ROLES, Extraction, Handle, extract
from watchlist.extract.checksums import b58check_encode, eip55, segwit_encode
from watchlist.extract.normalize import normalize

HARD_NEGATIVES = [
    "价格6.95",
    "2026-11-20 12:30",
    "订单号 202611201234567890",
    "1700000000000",
    "138****5678",
    "readme.md",
    "setup.py",
    "v1.2.3",
    "Selling USDT @ 1.02",
    "@everyone",
    "@admin",
    "v我50",
    "vxworks",
    "6222****1234",
    "尾号1234",
    "验证码 123456",
    "code: 483920",
    "交易号 4111111111111111",
    "0x" + "ab" * 32,
    "",
    "今天天气不错，大家好",
]


@pytest.mark.parametrize("text", HARD_NEGATIVES)
def test_hard_negatives_give_no_handle(text: str) -> None:
    assert extract(text).handles == []


def test_api_re_exports_the_model() -> None:
    result = extract("@usdt_king")
    assert isinstance(result, Extraction)
    assert isinstance(result.handles[0], Handle)
    assert "telegram" in KINDS
    assert ROLES == ("offered", "reported", "mentioned")


def test_handles_are_sorted_by_start_and_each_occurrence_is_kept_once() -> None:
    text = "b@example.com 13812345678 @usdt_king 13812345678 @usdt_king"
    handles = extract(text).handles
    assert [h.start for h in handles] == sorted(h.start for h in handles)
    assert [(h.kind, h.value) for h in handles] == [
        ("email", "b@example.com"),
        ("phone", "+8613812345678"),
        ("telegram", "usdt_king"),
        ("phone", "+8613812345678"),
        ("telegram", "usdt_king"),
    ]
    assert len({(h.kind, h.value, h.start) for h in handles}) == len(handles)


def test_offsets_index_the_original_text_with_full_width_characters() -> None:
    text = "联系ＴＧ：＠ｕｓｄｔ＿ｋｉｎｇ 或 １３８１２３４５６７８"
    spans = [text[h.start : h.end] for h in extract(text).handles]
    assert spans == ["＠ｕｓｄｔ＿ｋｉｎｇ", "１３８１２３４５６７８"]


def test_a_mixed_post_yields_every_kind_with_roles() -> None:
    eth = eip55(hashlib.sha256(b"x").hexdigest()[:40])
    text = (
        "出U 承兑 秒放，联系 TG @usdt_king 或 微信 138 1234 5678。"
        f"官网 www.usdt-otc.top ，USDT ERC20 {eth}\n"
        "曝光骗子：seller@evil.com"
    )
    got = {(h.kind, h.value, h.provider, h.role) for h in extract(text).handles}
    assert got == {
        ("telegram", "usdt_king", "telegram", "offered"),
        ("phone", "+8613812345678", "wechat", "offered"),
        ("wechat", "+8613812345678", "wechat", "offered"),
        ("domain", "usdt-otc.top", None, "offered"),
        ("eth", eth, None, "offered"),  # "USDT ERC20 0x…" labels the seller's payee address
        ("email", "seller@evil.com", None, "reported"),
    }


FRAGMENTS = [
    "13812345678",
    "+86 138 1234 5678",
    "+1 415 555 2671",
    "seller@example.com",
    "name[at]example[dot]com",
    "@usdt_king",
    "TG @ usdt_king",
    "t.me/usdt_king",
    "https://pay.fastu.com.cn/x",
    "example[.]top",
    "readme.md",
    "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa",
    b58check_encode(bytes([0x41]) + bytes(20)),
    segwit_encode("bc", 0, bytes(range(20))),
    eip55("ab" * 20),
    "微信：abc_12345",
    "QQ：591353643",
    "支付宝 ",
    "（微信同号）",
    "6228480012345671",
    "2088123456789012",
    "HTTPS://QR.ALIPAY.COM/FKX12345",
    "wxp://f2f0AbCdEf123",
    "幺三八",
    "一二三四",
    "\u200b",
    "\u00ad",
    "1\ufe0f\u20e3",
    "𝟏",
    "ＷｅＣｈａｔ",
    "а",
    "[dot]",
    "#换成@",
    "骗子",
    "联系",
    "出U",
    "＠",
    "．",
    "。",
    "[.]",
    "(at)",
    " ",
    "\n",
]


def standalone(handle: Handle) -> str:
    """The canonical value written naturally, so that it is a handle on its own."""
    cue = {"wechat": "微信：", "qq": "QQ：", "alipay": "支付宝 "}.get(handle.kind, "")
    if handle.kind == "telegram":
        return "@" + handle.value
    if handle.kind == "domain":
        return "https://" + handle.value
    return cue + handle.value


def _in_order(value: str, written: str) -> bool:
    """Whether the letters and digits of ``value`` appear in ``written`` in the same order."""
    rest = iter(written)
    return all(c in rest for c in value)


def written_holds_value(handle: Handle, written: str) -> bool:
    """Whether ``written`` (the slice of the text a handle's span covers) holds its value, read
    through the normalization map: a number's digits, an account's or an address's letters and
    digits in order (refanging and decoding only remove characters between them)."""
    norm = normalize(written)
    digits = "".join(c for c in norm.digits if c.isdigit())
    value = handle.value
    if handle.kind == "phone" or value.startswith("+"):
        return digits.endswith(value[-7:])  # the subscriber digits, whatever the prefix
    if handle.kind in ("qq", "bank_card") or (handle.kind == "alipay" and value.isdigit()):
        return digits == value
    if handle.kind == "domain" and "xn--" in value:
        return True  # punycode: the written host is Unicode
    if handle.kind == "payment_link":
        value = value.rsplit("/", 1)[-1]  # the code: the scheme may be left out, as written
    alnum = "".join(c for c in value.lower() if c.isalnum() and c.isascii())
    return _in_order(alnum, norm.digits.lower())


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.text(max_size=12), st.sampled_from(FRAGMENTS)), max_size=12))
def test_each_span_covers_its_written_value_and_canonical_values_round_trip(
    parts: list[str],
) -> None:
    text = "".join(parts)
    result = extract(text)
    assert 0.0 <= result.otc_score <= 1.0
    for handle in result.handles:
        assert 0 <= handle.start < handle.end <= len(text)
        written = text[handle.start : handle.end]
        assert written_holds_value(handle, written), (handle, written)
        assert handle.kind in KINDS and handle.role in ROLES
        again = {(h.kind, h.value) for h in extract(standalone(handle)).handles}
        assert (handle.kind, handle.value) in again


def test_the_span_check_fails_for_a_span_that_misses_its_value() -> None:
    phone = Handle("phone", "+8613812345678", 0, 5)
    assert written_holds_value(phone, "13812345678")
    assert not written_holds_value(phone, "13812")


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=400))
def test_extract_on_arbitrary_unicode_gives_sorted_valid_deterministic_handles(
    text: str,
) -> None:
    result = extract(text)
    assert result == extract(text)  # deterministic
    assert 0.0 <= result.otc_score <= 1.0
    keys = [(h.start, h.end, h.kind, h.value) for h in result.handles]
    assert keys == sorted(keys)
    assert len({(h.kind, h.value, h.start) for h in result.handles}) == len(result.handles)
    for handle in result.handles:
        assert 0 <= handle.start < handle.end <= len(text)
        assert handle.kind in KINDS and handle.role in ROLES
        assert handle.value.isascii() and handle.value.isprintable() and handle.value
        assert written_holds_value(handle, text[handle.start : handle.end]), handle
