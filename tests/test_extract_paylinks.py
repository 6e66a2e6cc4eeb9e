"""Payment links: Alipay collection codes (any case, scheme or deep link) and WeChat Pay codes."""

from __future__ import annotations

import pytest

from watchlist.extract import extract

CANONICAL = "https://qr.alipay.com/fkx12345abcde"


def kinds_values(text: str) -> list[tuple[str, str]]:
    return [(h.kind, h.value) for h in extract(text).handles]


@pytest.mark.parametrize(
    "text",
    [
        "https://qr.alipay.com/fkx12345abcde",
        "https://qr.alipay.com/FKX12345ABCDE?t=1700000000000",
        "HTTPS://QR.ALIPAY.COM/FKX12345ABCDE",
        "http://qr.alipay.com/fkx12345abcde",
        "qr.alipay.com/fkx12345abcde",
        "扫码付款：qr.alipay.com/fkx12345abcde。",
        "alipays://platformapi/startapp?saId=10000007&qrcode=https%3A%2F%2Fqr.alipay.com%2Ffkx12345abcde",
        "alipays://platformapi/startapp?saId=10000007&qrcode=https%253A%252F%252Fqr.alipay.com%252FFKX12345ABCDE",
        "alipayqr://platformapi/scan?qrcode=https%3A%2F%2Fqr.alipay.com%2Ffkx12345abcde",
    ],
)
def test_alipay_collection_links_reduce_to_one_canonical_link(text: str) -> None:
    assert kinds_values(text) == [("payment_link", CANONICAL)]


def test_wechat_pay_codes_are_kept_exactly() -> None:
    assert kinds_values("微信收款 wxp://f2f0AbCdEf123456-XyZ") == [
        ("payment_link", "wxp://f2f0AbCdEf123456-XyZ")
    ]


def test_deep_link_span_covers_the_whole_link() -> None:
    text = (
        "点 alipays://platformapi/startapp?saId=10000007"
        "&qrcode=https%3A%2F%2Fqr.alipay.com%2Ffkx12345abcde 付"
    )
    (handle,) = extract(text).handles
    assert text[handle.start : handle.end].startswith("alipays://")
    assert text[handle.end :] == " 付"


@pytest.mark.parametrize("text", ["https://www.alipay.com/", "qr.alipay.com/", "wxp://ab"])
def test_alipay_home_page_and_empty_codes_are_no_payment_links(text: str) -> None:
    assert kinds_values(text) == []
