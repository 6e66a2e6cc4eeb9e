"""Email addresses: plain, plus-tagged, defanged, and the words that are not addresses."""

from __future__ import annotations

import pytest

from watchlist.extract import extract


def kinds_values(text: str) -> list[tuple[str, str]]:
    return [(h.kind, h.value) for h in extract(text).handles]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("mail me: Foo.Bar@Example.COM", "foo.bar@example.com"),
        ("seller+otc@gmail.com", "seller+otc@gmail.com"),
        ("邮箱abc_123@163.com联系", "abc_123@163.com"),
        ("name[at]example[dot]com", "name@example.com"),
        ("name(at)example.com", "name@example.com"),
        ("name [@] example [.] com", "name@example.com"),
        ("NAME{at}EXAMPLE{dot}ORG", "name@example.org"),
        ("eric＠example．com", "eric@example.com"),
        ("x@pay.fastu.com.cn.", "x@pay.fastu.com.cn"),
    ],
)
def test_addresses_are_lower_cased_and_refanged(text: str, value: str) -> None:
    assert kinds_values(text) == [("email", value)]


def test_qq_mail_address_is_an_email_only_not_a_domain_or_phone() -> None:
    assert kinds_values("8866123@qq.com") == [("email", "8866123@qq.com")]


@pytest.mark.parametrize(
    "text",
    [
        "Selling USDT @ 1.02",
        "meet me @ noon",
        "user@localhost",
        "user@host.invalidtld",
        ".user@example.com.",
        "a..b@example.com",
        "name at example dot com",
    ],
)
def test_words_around_at_signs_are_not_emails(text: str) -> None:
    assert [v for k, v in kinds_values(text) if k == "email"] == []


def test_previous_word_is_not_glued_across_a_space() -> None:
    assert [k for k, _v in kinds_values("USDT @abc.com")] == []
    assert kinds_values("USDT @ abc.com") == [("domain", "abc.com")]
