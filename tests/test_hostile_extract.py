"""Extraction holds against hostile and ordinary text that used to break it or fool it.

- ``watchlist extract`` (the real CLI, in a subprocess): a line with a lone surrogate, bytes that
  are not UTF-8 (on stdin and in a file) or JSON nested too deeply gives an error object for that
  line, and every later line is still extracted, in order.
- ``extract()`` takes any string (NUL, lone surrogates, controls) and never emits a value that
  holds NUL, a surrogate or a control character.
- False positives seen on hostile and ordinary text, one class a test: cue-like segments of
  base64 blobs and paths, ``@name`` on Twitter/X and GitHub, logins written like e-mails,
  names in code that end in a TLD, a label word eaten from an ID, a network name taken for an ID.
- A crawl of a real local forum whose posts hold every false-positive class stores exactly the
  real handles beside them.
"""

from __future__ import annotations

import html
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import run_cli, write_site
from hypothesis import given, settings
from hypothesis import strategies as st

from watchlist.demo import serve
from watchlist.demo.page import ALLOW_ALL_ROBOTS, TEXT_TYPE, Page, html_page
from watchlist.extract import extract
from watchlist.store import list_entries, open_store

PHONE = "13800138000"


def extract_bytes(data: bytes, *args: str) -> tuple[int, list[dict[str, Any]]]:
    """Run ``watchlist extract ARGS`` with ``data`` as its stdin bytes: exit code, output lines."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("WATCHLIST_")}
    environment["PYTHONUTF8"] = "1"
    proc = subprocess.run(
        [sys.executable, "-m", "watchlist", "extract", *args],
        input=data,
        capture_output=True,
        env=environment,
        timeout=240,
        check=False,
    )
    assert proc.stderr == b"", proc.stderr.decode("utf-8", "replace")
    return proc.returncode, [json.loads(line) for line in proc.stdout.decode("utf-8").splitlines()]


def good_line(record_id: int, text: str = PHONE) -> bytes:
    return json.dumps({"id": record_id, "text": text}).encode() + b"\n"


def assert_extracted(result: dict[str, Any], record_id: int) -> None:
    assert result["id"] == record_id
    assert [(h["kind"], h["value"]) for h in result["handles"]] == [("phone", "+86" + PHONE)]


# --- watchlist extract: one bad line gives one error object, the rest goes on ---------------------


def test_a_lone_surrogate_in_a_line_gives_an_error_object_and_later_lines_are_extracted() -> None:
    lines = [{"id": 1, "text": "微信 abc\ud800def 13800138000"}, {"id": 2, "text": PHONE}]
    stdin = "".join(json.dumps(line) + "\n" for line in lines)  # "\ud800" escaped, as JSON has it
    assert "\\ud800" in stdin

    result = run_cli("extract", "-", stdin=stdin)

    assert result.code == 1
    assert "Traceback" not in result.stderr
    first, second = (json.loads(line) for line in result.stdout.splitlines())
    assert first["id"] == 1 and first["line"] == 1 and "surrogate" in first["error"]
    assert_extracted(second, 2)


def test_a_lone_surrogate_in_an_id_gives_an_error_object_without_that_id() -> None:
    code, out = extract_bytes(b'{"id": "a\\udc80", "text": "x"}\n' + good_line(2))

    assert code == 1
    assert out[0] == {"id": None, "line": 1, "error": "id holds a lone surrogate: not Unicode"}
    assert_extracted(out[1], 2)


def test_bytes_that_are_not_utf8_on_stdin_give_an_error_object_for_that_line_only() -> None:
    bad = b'{"id": 7, "text": "caf\xe9 \xff\xfe 13800138000"}\n'
    code, out = extract_bytes(good_line(1) + bad + good_line(3))

    assert code == 1
    assert_extracted(out[0], 1)
    assert out[1]["line"] == 2 and out[1]["id"] == 7 and "not UTF-8" in out[1]["error"]
    assert_extracted(out[2], 3)
    assert len(out) == 3


def test_bytes_that_are_not_utf8_in_a_file_give_an_error_object_for_that_line_only(
    tmp_path: Path,
) -> None:
    source = tmp_path / "posts.jsonl"
    source.write_bytes(b"\xef\xbb\xbf" + good_line(1) + b"\x80\x81 not even json\n" + good_line(3))

    result = run_cli("extract", str(source))

    assert result.code == 1
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert_extracted(out[0], 1)  # the byte-order mark before it is skipped
    assert out[1] == {"id": None, "line": 2, "error": "not UTF-8: byte 0x80 at 0"}
    assert_extracted(out[2], 3)


@pytest.mark.parametrize(
    ("line", "error"),
    [
        (b"[" * 100_000, "not JSON: nested too deeply"),
        (b'{"a": ' * 100_000, "not JSON: nested too deeply"),
        (b'{"id": ' + b"[" * 900 + b"]" * 900 + b', "text": "x"}', "id must be"),
        (b'{"id": NaN, "text": "x"}', "id must be"),
        (b'{"id": ' + b"7" * 5000 + b', "text": "x"}', "not JSON: a number too long"),
    ],
    ids=["deep-array", "deep-object", "deep-id", "nan-id", "huge-number-id"],
)
def test_a_line_too_deep_or_odd_to_read_gives_an_error_object_and_later_lines_are_extracted(
    line: bytes, error: str
) -> None:
    code, out = extract_bytes(line + b"\n" + good_line(2))

    assert code == 1
    assert out[0]["line"] == 1 and out[0]["id"] is None and out[0]["error"].startswith(error)
    assert_extracted(out[1], 2)


# --- extract(): any string in, only clean values out --------------------------------------------

FRAGMENTS = [
    "微信",
    "加V ",
    "飞机 @",
    "usdt_king",
    "QQ:",
    "632144500",
    PHONE,
    "yunqw520",
    "https://例子",
    ".中国",
    "pay.example.com",
    "@gmail.com",
    "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t",
    "\x00",
    "\ud800",
    "\udfff",
    "\x1b[31m",
    "\u202e",
]
ANY_CHARACTER = st.characters(exclude_categories=())  # surrogates and controls included


@settings(max_examples=400, deadline=None, database=None)
@given(st.lists(st.one_of(st.text(ANY_CHARACTER, max_size=6), st.sampled_from(FRAGMENTS))))
def test_extract_never_emits_nul_surrogates_or_controls_whatever_the_input(
    parts: list[str],
) -> None:
    text = "".join(parts)
    result = extract(text)
    for handle in result.handles:
        assert handle.value.isascii() and handle.value.isprintable(), handle
        assert handle.provider is None or handle.provider.isascii()
        assert 0 <= handle.start < handle.end <= len(text)


def test_nul_inside_a_handle_is_read_as_browsers_show_it_and_a_surrogate_splits() -> None:
    text = "微信 yunqw\x00520 电话 138\ud80012345678"
    handles = extract(text).handles
    assert [(h.kind, h.value) for h in handles] == [("wechat", "yunqw520")]
    assert text[handles[0].start : handles[0].end] == "yunqw\x00520"


def test_a_unicode_host_with_nul_or_a_control_gives_no_value_holding_it() -> None:
    assert [h.value for h in extract("http://例子\x00.中国").handles] == ["xn--fsqu00a.xn--fiqs8s"]
    assert extract("https://a\x1bb.例子.中国/").handles == []


# --- false positives, one class a test ----------------------------------------------------------


def found(text: str) -> set[tuple[str, str]]:
    return {(h.kind, h.value) for h in extract(text).handles}


@pytest.mark.parametrize(
    "text",
    [
        "头像 data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAAB/V/c2VjcmV0MTIz/ABCDEFabcdef",
        "token: eyJhbGciOiJIUzI1NiJ9aGVsbG8gd29ybG/Tg/usdtking99/x1UcOGSsJbgE6",
        "Authorization: Basic dXNlcjpwYXNzd29yZDEyMzQ1Njc4+Q632144500/ZXhhbXBsZQ==",
        "GET /v/AbC123xyz 404",
        "see https://www.youtube.com/v/dQw4w9WgXcQ tonight",
    ],
)
def test_cue_like_segments_of_encoded_blobs_and_paths_are_no_cues(text: str) -> None:
    assert {kind for kind, _ in found(text)} <= {"domain"}


def test_a_slash_between_cues_still_joins_them() -> None:
    assert ("wechat", "+86" + PHONE) in found(f"电话/v/qq同号 {PHONE}")
    assert found("Phone/WeChat: abc12345") == {("wechat", "abc12345")}


@pytest.mark.parametrize(
    "text",
    [
        "Thanks @elonmusk for the retweet! RT @jack: great thread",
        "Great PR @octocat, merged into main. cc @torvalds",
        "推特上 @usdt_king 又在喊单了",
        "via @otc_desk on Twitter: volumes up",
    ],
)
def test_a_bare_at_mention_on_twitter_or_github_text_is_no_telegram_handle(text: str) -> None:
    assert found(text) == set()


def test_a_telegram_cue_or_an_otc_post_keeps_at_names_telegram_handles() -> None:
    assert found("Tweet from @gold7089: for USDT contact TG @luckyhu88") == {
        ("telegram", "luckyhu88")
    }
    assert found("Follow @otc_news on Telegram, we tweet daily") == {("telegram", "otc_news")}
    assert found("出U 加飞机 @usdt_king") == {("telegram", "usdt_king")}


@pytest.mark.parametrize(
    "text",
    [
        "git clone git@github.com:user/repo.git",
        "ssh -p 2222 -i ~/.ssh/id_ed25519 root@example.com",
        "scp backup.tar.gz deploy@example.com:/srv/backup/",
        "follow @alice@mastodon.social or @bob-1@fosstodon.org",
    ],
)
def test_logins_and_fediverse_handles_written_like_addresses_are_no_emails(text: str) -> None:
    assert found(text) == set()


def test_a_url_with_userinfo_gives_its_host_and_a_mailbox_stays_an_email() -> None:
    assert found("https://admin:hunter2@example.com/x") == {("domain", "example.com")}
    assert found("mailto:bob@example.com, reply soon") == {("email", "bob@example.com")}


@pytest.mark.parametrize(
    "text",
    [
        "\tat com.example.Foo.bar(Foo.java:42)",
        "\tat org.springframework.boot.SpringApplication.run(SpringApplication.java:315)",
        "微信包名 com.tencent.mm，币安 com.binance.dev",
        "app.run(debug=True) and model.fit(X, y)",
    ],
)
def test_names_in_code_that_end_in_a_tld_are_no_domains(text: str) -> None:
    assert found(text) == set()


def test_a_host_beside_code_or_after_a_scheme_stays_a_domain() -> None:
    assert found("at com.example.Foo.bar(Foo.java:42)，官网 https://fastu.com.cn/") == {
        ("domain", "fastu.com.cn")
    }
    assert found("访问 example.com(备用)") == {("domain", "example.com")}


def test_a_label_word_glued_to_an_id_is_part_of_the_id() -> None:
    assert found("加V iduijin351") == {("wechat", "iduijin351")}
    assert found("微信号 number9527x") == {("wechat", "number9527x")}
    assert found("微信 ID: abc123") == {("wechat", "abc123")}


def test_a_network_name_after_a_same_number_clause_or_a_method_list_is_no_wechat_id() -> None:
    tron = "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t"
    text = f"手机：13852116127（微信同号），USDT-TRC20 收款地址：{tron}"
    assert found(text) == {
        ("phone", "+8613852116127"),
        ("wechat", "+8613852116127"),
        ("tron", tron),
    }
    assert found("支付方式：支付宝、微信、USDT-TRC20") == set()
    assert found("Payment: WeChat, Alipay, USDT-ERC20 accepted") == set()


# --- a real crawl: the traps are not stored, the handles beside them are ------------------------

POSTS = [
    "头像 data:image/png;base64,iVBORw0KGgoAAAAB/V/c2VjcmV0MTIz/ABCDEF 出U 微信 yunqw520",
    "Thanks @elonmusk for the retweet! PR merged, cc @torvalds. TG @usdt_king88 for USDT",
    "git clone git@github.com:user/repo.git 有问题发邮件 otc.help@gmail.com",
    "\tat com.example.Foo.bar(Foo.java:42) 官网 https://fastu.com.cn/",
    "加V iduijin351",
    "手机：13852116127（微信同号），USDT-TRC20 收款地址：TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t",
]
STORED = {
    ("wechat", "yunqw520"),
    ("telegram", "usdt_king88"),
    ("email", "otc.help@gmail.com"),
    ("domain", "fastu.com.cn"),
    ("wechat", "iduijin351"),
    ("phone", "+8613852116127"),
    ("wechat", "+8613852116127"),
    ("tron", "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t"),
}


class HostileForum:
    """One board, one thread whose posts hold the false-positive traps."""

    def render(self, target: str) -> Page:
        if target == "/robots.txt":
            return Page(200, TEXT_TYPE, ALLOW_ALL_ROBOTS.encode())
        if target == "/board":
            return html_page(200, '<a class="xst" href="/thread">t</a>')
        if target == "/thread":
            posts = "".join(
                f'<div id="post_{n}"><td class="t_f">{html.escape(text)}</td></div>'
                for n, text in enumerate(POSTS, start=1)
            )
            return html_page(200, f"<html><body>{posts}</body></html>")
        return html_page(404, "<html><body>not found</body></html>")


def test_a_crawl_of_posts_full_of_traps_stores_only_the_real_handles(
    tmp_path: Path, sqlite_url: str
) -> None:
    with serve(HostileForum()) as running:
        config = {
            "name": "traps",
            "type": "forum",
            "engine": "discuz",
            "start_urls": [running.base_url + "/board"],
            "allow_private": True,
            "delay": 0,
            "retries": 0,
            "selectors": {"post": "div[id^=post_]", "post_body": "td.t_f"},
        }
        write_site(tmp_path / "seeds", config)
        result = run_cli("crawl", "traps", "--seeds", str(tmp_path / "seeds"), db=sqlite_url)

    assert result.code == 0, result.stdout + result.stderr
    store = open_store(sqlite_url)
    try:
        stored = {(entry.kind, entry.value) for entry in list_entries(store)}
    finally:
        store.close()
    assert stored == STORED
