"""The demo world: deterministic, valid ground truth, served as a parseable Discuz! forum."""

from __future__ import annotations

import re
import time
import tracemalloc
import urllib.error
import urllib.request
import urllib.robotparser
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from urllib.parse import urljoin, urlsplit

import phonenumbers
import pytest
from parsel import Selector, SelectorList

from watchlist.demo import DemoPost, RunningServer, World, render, serve
from watchlist.extract.checksums import b58check_decode, eip55, segwit_decode

KINDS = {"phone", "email", "alipay", "wechat", "qq", "bank_card", "telegram", "btc", "eth"}
KINDS |= {"tron", "payment_link", "domain"}
PAYMENT_LINK = re.compile(r"https://qr\.alipay\.com/fkx[0-9a-z]{17}|wxp://f2f0[-_A-Za-z0-9]{22}")
SUFFIXES = ("com", "top", "cn", "com.cn", "net", "xyz")


@pytest.fixture(scope="module")
def world() -> World:
    return World()


@pytest.fixture(scope="module")
def server(world: World) -> Iterator[RunningServer]:
    with serve(world) as running:
        yield running


def fetch(url: str) -> tuple[int, str, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.headers["Content-Type"], response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers["Content-Type"], error.read()


def one(selector: Selector | SelectorList[Selector], query: str) -> str:
    value = selector.css(query).get()
    assert value is not None, query
    return value


def crawl(server: RunningServer, world: World) -> list[DemoPost]:
    """Follow a.xst and a.nxt from the board start pages; parse every post with parsel."""
    queue = [server.url(path) for path in world.board_paths()]
    seen = set(queue)
    posts: list[DemoPost] = []
    while queue:
        url = queue.pop()
        status, content_type, body = fetch(url)
        assert (status, content_type) == (200, "text/html; charset=utf-8"), url
        page = Selector(text=body.decode("utf-8"))
        for href in page.css("a.xst::attr(href), a.nxt::attr(href)").getall():
            link = urljoin(url, href)
            if link not in seen:
                seen.add(link)
                queue.append(link)
        path = urlsplit(url).path
        title = page.css("#thread_subject::text").get()
        for post in page.css("div[id^=post_]"):
            pid = int(post.attrib["id"].removeprefix("post_"))
            stamp = one(post, "em[id^=authorposton] span::attr(title)")
            assert title is not None
            posts.append(
                DemoPost(
                    url_path=f"{path}#pid{pid}",
                    thread_id=int(path.split("-")[1]),
                    post_id=pid,
                    author=one(post, ".authi a::text"),
                    posted_at=datetime.fromisoformat(stamp).replace(tzinfo=UTC).isoformat(),
                    title=title,
                    text=post.css("td.t_f").xpath("string()").get("").strip(),
                    handles=frozenset(),
                    images=tuple(
                        "/" + src for src in post.css("td.t_f img::attr(zoomfile)").getall()
                    ),
                    author_uid=int(re.findall(r"\d+", one(post, ".authi a::attr(href)"))[0]),
                )
            )
    return posts


def test_same_seed_gives_the_same_pages_posts_and_ground_truth() -> None:
    first, second = World(seed=7), World(seed=7)
    assert list(first.pages()) == list(second.pages())
    assert list(first.posts()) == list(second.posts())
    assert first.ground_truth() == second.ground_truth()
    for path in list(first.pages())[::7]:
        assert render(first, path) == render(second, path)


def test_another_seed_gives_a_different_world() -> None:
    assert list(World(seed=8).posts()) != list(World(seed=7).posts())
    assert World(seed=8).ground_truth().isdisjoint(World(seed=7).ground_truth())


def test_default_world_has_pagination_repeat_sellers_negatives_and_hostile_names(
    world: World,
) -> None:
    posts = list(world.posts())
    assert all(world.board_page_count(fid) >= 2 for fid in world.board_ids())
    assert any(world.thread_page_count(tid) >= 3 for tid in range(1, 25))
    assert {kind for kind, _ in world.ground_truth()} == KINDS
    assert max(world.sightings().values()) >= 3
    assert sum(1 for post in posts if not post.handles) > len(posts) / 2
    texts = "\n".join(post.text for post in posts if not post.handles)
    for negative in ("****", "readme.md", "v1.2.3", "今日汇率 7."):
        assert negative in texts
    assert re.search(r"(?<!\d)2026\d{16}(?!\d)", texts)
    authors = {post.author for post in posts}
    assert "[bold red]admin[/]" in authors and "\x1b[31mU商阿强\x1b[0m" in authors
    assert any("\x1b[31m" in post.title for post in posts)


def luhn_valid(digits: str) -> bool:
    total = 0
    for i, digit in enumerate(reversed(digits)):
        value = int(digit) * (2 if i % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def valid_e164(value: str) -> bool:
    number = phonenumbers.parse(value, None)
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return phonenumbers.is_valid_number(number) and value == e164


def test_every_ground_truth_value_is_valid_and_canonical(world: World) -> None:
    truth = World(seed=7, threads_per_board=60).ground_truth()
    assert {kind for kind, _ in truth} == KINDS
    for kind, value in truth:
        if kind == "alipay":
            is_email = re.fullmatch(r"[a-z0-9.]+@[a-z0-9.-]+\.[a-z]+", value)
            assert is_email or re.fullmatch(r"2088\d{12}", value) or valid_e164(value)
            assert not value.startswith("+") or ("phone", value) in truth
        elif kind == "wechat":
            assert re.fullmatch(r"[a-z][-_a-z0-9]{5,19}", value) or valid_e164(value)
        elif kind == "qq":
            assert re.fullmatch(r"[1-9]\d{4,10}", value)
        elif kind == "bank_card":
            assert re.fullmatch(r"62\d{14}(\d{3})?", value) and luhn_valid(value)
        elif kind == "phone":
            number = phonenumbers.parse(value, None)
            assert phonenumbers.is_valid_number(number)
            assert value == phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
        elif kind == "eth":
            assert value == eip55(value)
        elif kind == "tron":
            payload = b58check_decode(value)
            assert payload is not None and payload[0] == 0x41 and len(payload) == 21
        elif kind == "btc":
            payload = b58check_decode(value)
            legacy = payload is not None and payload[0] == 0 and len(payload) == 21
            segwit = segwit_decode(value)
            assert legacy or (segwit is not None and segwit[:2] == ("bc", 0))
            assert legacy or value == value.lower()
        elif kind == "telegram":
            assert re.fullmatch(r"[a-z][a-z0-9_]{4,31}", value)
        elif kind == "email":
            assert re.fullmatch(r"[a-z0-9.]+@[a-z0-9.-]+\.[a-z]+", value)
        elif kind == "payment_link":
            assert PAYMENT_LINK.fullmatch(value)
        else:
            assert kind == "domain"
            name, _, suffix = value.partition(".")
            assert re.fullmatch(r"[a-z][a-z0-9]+", name) and suffix in SUFFIXES


def test_handles_are_never_glued_to_letters_or_digits(world: World) -> None:
    for post in world.posts():
        for kind, value in post.handles:
            if kind in ("tron", "btc", "email"):
                match = re.search(re.escape(value), post.text, re.IGNORECASE)
                assert match, (value, post.text)
                before = post.text[match.start() - 1 : match.start()]
                after = post.text[match.end() : match.end() + 1]
                assert not before.isalnum() and not after.isalnum(), post.text


def test_served_pages_parse_back_to_exactly_the_world_posts(
    world: World, server: RunningServer
) -> None:
    server.hits.clear()
    parsed = crawl(server, world)
    expected = [replace(post, handles=frozenset()) for post in world.posts()]
    assert sorted(parsed, key=lambda p: p.post_id) == expected
    assert set(server.hits) == set(world.pages())
    assert sum(server.hits.values()) == world.page_count()


def test_attachments_are_served_as_png_and_seller_codes_hold_their_payment_link(
    world: World, server: RunningServer
) -> None:
    from watchlist.demo.images import seller_qr
    from watchlist.qrcodes import decode_qr

    paths = world.attachments()
    assert any("/qr-u" in p for p in paths) and any("/bomb-" in p for p in paths)
    for path in sorted(paths):
        status, content_type, body = fetch(server.url(path))
        assert (status, content_type) == (200, "image/png")
        if "/qr-u" in path:
            uid = int(path.rsplit("qr-u", 1)[1].removesuffix(".png"))
            assert decode_qr(body) == [seller_qr(world.seed, uid)[0]]
    assert fetch(server.url("/data/attachment/forum/qr-u1x.png"))[0] == 404


def test_forum_index_links_every_board(world: World, server: RunningServer) -> None:
    status, _, body = fetch(server.url("/forum.php"))
    links = Selector(text=body.decode()).css("dt a::attr(href)").getall()
    assert status == 200
    assert ["/" + link for link in links] == world.board_paths()


def test_hostile_text_is_escaped_in_html_and_parses_back_unchanged(world: World) -> None:
    for tid in (2, 3):
        body = render(world, f"/thread-{tid}-1-1.html").body
        assert b"\x1b" not in body and b"<script>" not in body
        assert (
            Selector(text=body.decode()).css("#thread_subject::text").get()
            == world.thread(tid).title
        )
    assert b"&#27;[31m" in render(world, "/thread-2-1-1.html").body
    assert b"&lt;script&gt;" in render(world, "/thread-3-1-1.html").body


def test_unknown_paths_are_404(server: RunningServer) -> None:
    for path in (
        "/nope",
        "/forum-99-1.html",
        "/forum-2-3.html",
        "/forum-02-1.html",
        "/thread-0-1-1.html",
        "/thread-1-99-1.html",
        "/thread-999-1-1.html",
        "/space-uid-3.html",
    ):
        status, content_type, _ = fetch(server.url(path))
        assert (status, content_type) == (404, "text/html; charset=utf-8"), path


def test_robots_txt_allows_everything(server: RunningServer) -> None:
    status, content_type, body = fetch(server.url("/robots.txt"))
    assert (status, content_type) == (200, "text/plain; charset=utf-8")
    robots = urllib.robotparser.RobotFileParser()
    robots.parse(body.decode().splitlines())
    assert robots.can_fetch("watchlist", server.url("/thread-1-1-1.html"))


def test_server_counts_hits_per_path_and_frees_its_port(world: World) -> None:
    with serve(world) as running:
        for _ in range(3):
            fetch(running.url("/forum-2-1.html"))
        assert running.hits == Counter({"/forum-2-1.html": 3})
        assert running.base_url == f"http://127.0.0.1:{running.port}"
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(running.url("/forum.php"), timeout=2)


def test_big_world_renders_its_last_pages_quickly_without_building_everything() -> None:
    big = World(boards=4, threads_per_board=5_000)
    last_tid = big.boards * big.threads_per_board
    fid = big.board_ids()[-1]
    started = time.perf_counter()
    board = render(big, f"/forum-{fid}-{big.board_page_count(fid)}.html")
    thread = render(big, f"/thread-{last_tid}-{big.thread_page_count(last_tid)}-1.html")
    assert time.perf_counter() - started < 0.5
    assert board.status == thread.status == 200
    assert Selector(text=board.body.decode()).css("a.nxt").getall() == []
    assert Selector(text=thread.body.decode()).css("a.nxt").getall() == []


def test_for_pages_sizes_a_world_to_at_least_the_pages_asked() -> None:
    sized = World.for_pages(5_000)
    assert 5_000 <= sized.page_count() < 5_500


def test_rendering_many_pages_of_a_huge_world_keeps_memory_flat() -> None:
    huge = World(boards=4, threads_per_board=100_000)
    tracemalloc.start()
    try:
        for tid in range(1, 400_000, 2_000):
            render(huge, f"/thread-{tid}-1-1.html")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 4_000_000
