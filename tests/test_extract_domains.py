"""Websites: registered domains by the public suffix list, defanged forms, and non-websites."""

from __future__ import annotations

import pytest

from watchlist.extract import extract


def domains(text: str) -> list[str]:
    return [h.value for h in extract(text).handles if h.kind == "domain"]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("https://pay.fastu.com.cn/x", "fastu.com.cn"),
        ("www.example.top", "example.top"),
        ("example.com", "example.com"),
        ("访问Example.COM获取", "example.com"),
        ("example[.]top", "example.top"),
        ("example(.)top", "example.top"),
        ("example[dot]top", "example.top"),
        ("example。com", "example.com"),
        ("Visit shop.example.co.uk.", "example.co.uk"),
        ("http://xn--fiqs8s.xn--fiqs8s/pay", "xn--fiqs8s.xn--fiqs8s"),
        ("https://readme.md", "readme.md"),
        ("www.setup.py", "setup.py"),
        ("(see usdt-otc.net)", "usdt-otc.net"),
    ],
)
def test_hosts_give_their_registered_domain(text: str, value: str) -> None:
    assert domains(text) == [value]


@pytest.mark.parametrize(
    "text",
    [
        "readme.md",
        "setup.py",
        "install.sh",
        "photo.JPG",
        "report.pdf",
        "v1.2.3",
        "1.2.3",
        "价格6.95",
        "e.g. this",
        "hello.invalidtld",
        "foo.local",
        "seller@example.com",
        "8866123@qq.com",
        "https://t.me/usdtking",
        "telegram.me/usdtking",
        "wa.me/14155552671",
        "https://qr.alipay.com/fkx12345abc",
        "alipays://platformapi/startapp?saId=10000007",
        "path/to/example.com",
        "-example.com",
    ],
)
def test_file_names_versions_emails_and_other_kinds_are_not_domains(text: str) -> None:
    assert domains(text) == []


def test_url_span_covers_scheme_and_host() -> None:
    text = "去 https://pay.fastu.com.cn/x 付款"
    (handle,) = extract(text).handles
    assert text[handle.start : handle.end] == "https://pay.fastu.com.cn"


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("http://例子.中国/pay", "xn--fsqu00a.xn--fiqs8s"),
        ("www.例子.中国", "xn--fsqu00a.xn--fiqs8s"),
        ("新地址 跑分联盟.com", "xn--kbr311grpgu4n.com"),
        ("hxxps://pay.fastu.com.cn/x", "fastu.com.cn"),
        ("hxxp[:]//evil.top", "evil.top"),
        ("bücher.de", "xn--bcher-kva.de"),
        ("go to пример.com now", "xn--e1afmkfd.com"),
        ("warrıors.com", "xn--warrors-ufb.com"),
        ("tcp://example[.]com:80/", "example.com"),
        ("example [ . ] com", "example.com"),
        ("a [.] b [.] example [.] com", "example.com"),
        ("url=http%3A%2F%2Fexample.com%2Fx", "example.com"),
        ("--~Chttp://a.example.org/x", "example.org"),
    ],
)
def test_unicode_and_defanged_hosts_give_punycode_registered_domains(text: str, value: str) -> None:
    assert domains(text) == [value]


@pytest.mark.parametrize(
    "text", ["qr.alipay.com/fkx12345abc", "wxp://f2f0abc123", "8866123#qq.com", "föö.com.invalid"]
)
def test_payment_links_hash_mails_and_unicode_word_tails_are_not_domains(text: str) -> None:
    assert domains(text) == []
