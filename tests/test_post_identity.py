"""Every post on a page is its own post: permalinks, nesting, pagination and repeats.

Parse tests: literal pages wrapped in ``HtmlResponse``, read by the real forum spider outside
any engine (no network).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from scrapy.http import HtmlResponse, Request
from scrapy.utils.test import get_crawler

from crawlers.items import PostItem, ThreadDone
from crawlers.spiders.forum import ForumSpider
from watchlist.sites import SiteConfig

BASE = "http://blog.example"


def spider_for(**selectors: str) -> ForumSpider:
    config = SiteConfig.model_validate(
        {
            "name": "blog",
            "type": "forum",
            "start_urls": [f"{BASE}/"],
            "selectors": {"thread_links": "h2 a", "post_body": ".body", **selectors},
        }
    )
    spider = ForumSpider(config=config)
    spider._set_crawler(get_crawler(ForumSpider))
    return spider


def page(path: str, body: str, **meta: Any) -> HtmlResponse:
    url = BASE + path
    html = f"<html><head><title>t</title></head><body>{body}</body></html>"
    return HtmlResponse(url, body=html.encode(), encoding="utf-8", request=Request(url, meta=meta))


def items(out: Iterable[object]) -> list[PostItem]:
    return [o for o in out if isinstance(o, PostItem)]


def requests(out: Iterable[object]) -> list[str]:
    return [o.url for o in out if isinstance(o, Request)]


def stat(spider: ForumSpider, name: str) -> int:
    return int(spider.crawler.stats.get_value(f"watchlist/{name}", 0))


def comment(cid: int, text: str, author: str = "ann", replies: str = "") -> str:
    children = f"<ol class='children'>{replies}</ol>" if replies else ""
    return (
        f"<li id='comment-{cid}' class='comment'><div class='meta'><b class='who'>{author}</b>"
        f"<time datetime='2025-07-0{cid % 9 + 1}T08:{cid:02d}:00+00:00'>x</time></div>"
        f"<div class='body'><p>{text}</p><img src='/img/{cid}.png'></div>{children}</li>"
    )


COMMENTS = dict(post="li.comment", author=".who", posted_at="time")


def test_comments_without_a_permalink_selector_get_their_element_ids() -> None:
    spider = spider_for(**COMMENTS)
    html = "<ol>" + "".join(comment(i, f"微信 seller{i}") for i in (8, 9, 10)) + "</ol>"
    posts = items(spider.parse_thread(page("/a-post/", html)))
    assert [p.url for p in posts] == [f"{BASE}/a-post/#comment-{i}" for i in (8, 9, 10)]
    assert stat(spider, "permalink_collisions") == 0


def test_a_discuz_style_post_id_keeps_the_pid_form_of_stored_urls() -> None:
    spider = spider_for(post="div.p")
    html = "".join(
        f"<div class='p' id='post_{i}'><div class='body'>t{i}</div></div>" for i in (1, 2)
    )
    posts = items(spider.parse_thread(page("/thread-1-1-1.html", html)))
    assert [p.url for p in posts] == [f"{BASE}/thread-1-1-1.html#pid{i}" for i in (1, 2)]


def test_the_nearest_ancestor_id_that_holds_no_other_post_names_the_post() -> None:
    spider = spider_for(post="div.inner")
    html = (
        "<div id='all'>"
        + "".join(
            f"<section id='reply-{i}'><div class='inner'><div class='body'>t{i}</div></div>"
            "</section>"
            for i in (1, 2)
        )
        + "</div>"
    )
    posts = items(spider.parse_thread(page("/t", html)))
    assert [p.url for p in posts] == [f"{BASE}/t#reply-{i}" for i in (1, 2)]


def test_posts_without_ids_take_their_own_in_page_anchor_and_skip_shared_ones() -> None:
    spider = spider_for(post="div.p")
    html = "".join(
        f"<div class='p'><a name='m{i}'></a><a href='#respond'>reply</a>"
        f"<div class='body'>t{i}</div></div>"
        for i in (1, 2)
    )
    posts = items(spider.parse_thread(page("/t", html)))
    assert [p.url for p in posts] == [f"{BASE}/t#m1", f"{BASE}/t#m2"]


def test_a_link_to_this_page_with_a_fragment_names_the_post() -> None:
    spider = spider_for(post="div.p")
    html = "".join(
        f"<div class='p'><a href='{BASE}/t?x=1#c{i}'>#</a><div class='body'>t{i}</div></div>"
        for i in (1, 2)
    )
    posts = items(spider.parse_thread(page("/t?x=1", html)))
    assert [p.url for p in posts] == [f"{BASE}/t?x=1#c1", f"{BASE}/t?x=1#c2"]


def test_posts_with_nothing_to_name_them_get_content_fragments_stable_across_page_shifts() -> None:
    spider = spider_for(post="div.p", author=".who")

    def post(i: int) -> str:
        return f"<div class='p'><b class='who'>u{i}</b><div class='body'>t{i}</div></div>"

    before = items(spider.parse_thread(page("/t", post(1) + post(2))))
    after = items(
        spider_for(post="div.p", author=".who").parse_thread(
            page("/t", post(0) + post(1) + post(2))
        )
    )
    assert len({p.url for p in before}) == 2
    assert all(p.url.startswith(f"{BASE}/t#post-") for p in before)
    assert [p.url for p in after][1:] == [p.url for p in before]


def test_two_identical_posts_on_one_page_are_both_kept_and_counted() -> None:
    spider = spider_for(post="div.p", author=".who")
    same = "<div class='p'><b class='who'>u</b><div class='body'>飞机 @usdt_king</div></div>"
    posts = items(spider.parse_thread(page("/t", same * 2)))
    assert len(posts) == 2
    assert posts[1].url == posts[0].url + "-2"
    assert stat(spider, "permalink_collisions") == 2
    assert stat(spider, "pages_mostly_colliding") == 1
    again = items(spider_for(post="div.p", author=".who").parse_thread(page("/t", same * 2)))
    assert [p.url for p in again] == [p.url for p in posts]  # re-crawls stay idempotent


def test_a_permalink_selector_that_names_the_same_url_for_every_post_falls_back_and_counts() -> (
    None
):
    spider = spider_for(post="li.comment", permalink="a.here", author=".who")
    html = "".join(
        f"<li class='comment' id='c{i}'><a class='here' href='/t'>#</a><b class='who'>u</b>"
        f"<div class='body'>t{i}</div></li>"
        for i in (1, 2, 3)
    )
    posts = items(spider.parse_thread(page("/t", html)))
    assert [p.url for p in posts] == [f"{BASE}/t#c{i}" for i in (1, 2, 3)]
    assert stat(spider, "permalink_collisions") == 3
    assert stat(spider, "pages_mostly_colliding") == 1


def test_a_permalink_off_the_sites_domains_is_not_stored() -> None:
    spider = spider_for(post="div.p", permalink="a.here")
    html = (
        "<div class='p' id='p1'><a class='here' href='https://victim.example/t/1'>#</a>"
        "<div class='body'>t</div></div>"
        "<div class='p' id='p2'><a class='here' href='javascript:alert(1)'>#</a>"
        "<div class='body'>u</div></div>"
    )
    posts = items(spider.parse_thread(page("/t", html)))
    assert [p.url for p in posts] == [f"{BASE}/t#p1", f"{BASE}/t#p2"]
    assert stat(spider, "permalinks_off_site") == 2


def test_a_comment_with_nested_replies_yields_each_post_once_with_its_own_text() -> None:
    spider = spider_for(**COMMENTS)
    reply = comment(3, "reply 13800138000", author="bob", replies=comment(4, "deep @deep_one"))
    html = "<ol>" + comment(2, "top wxid_top123", replies=reply) + comment(5, "last") + "</ol>"
    posts = items(spider.parse_thread(page("/p/", html)))
    assert [p.url.rsplit("#", 1)[1] for p in posts] == [f"comment-{i}" for i in (2, 3, 4, 5)]
    assert [p.text for p in posts] == [
        "top wxid_top123",
        "reply 13800138000",
        "deep @deep_one",
        "last",
    ]
    assert [p.author for p in posts] == ["ann", "bob", "ann", "ann"]
    assert [p.image_urls for p in posts] == [[f"{BASE}/img/{i}.png"] for i in (2, 3, 4, 5)]
    assert [p.posted_at.minute for p in posts if p.posted_at] == [2, 3, 4, 5]


def test_a_paginator_next_page_selector_follows_every_page_and_ends_the_thread_once() -> None:
    spider = spider_for(
        post="div.p", next_page="ul.paginator a", thread_row="div.row", thread_mark=".n"
    )
    board = page("/", "<div class='row'><h2><a href='/t'>T</a></h2><span class='n'>5</span></div>")
    assert requests(spider.parse_board(board)) == [f"{BASE}/t"]

    def thread_page(n: int) -> HtmlResponse:
        links = "".join(f"<li><a href='/t?page={i}'>{i}</a></li>" for i in (1, 2, 3) if i != n)
        posts = "".join(
            f"<div class='p' id='p{n}{i}'><div class='body'>t{n}{i}</div></div>" for i in (1, 2)
        )
        path = "/t" if n == 1 else f"/t?page={n}"
        return page(path, posts + f"<ul class='paginator'>{links}</ul>", thread=f"{BASE}/t")

    first = list(spider.parse_thread(thread_page(1)))
    assert requests(first) == [f"{BASE}/t?page=2", f"{BASE}/t?page=3"]
    second = list(spider.parse_thread(thread_page(2)))
    assert requests(second) == [f"{BASE}/t?page=1"]  # the paginator's way back: read too
    third = list(spider.parse_thread(thread_page(3)))
    assert requests(third) == []  # every page is on its way already: nothing twice
    fourth = list(spider.parse_thread(page("/t?page=1", "", thread=f"{BASE}/t")))
    done = [o for o in first + second + third + fourth if isinstance(o, ThreadDone)]
    assert [(d.thread_url, d.mark, d.posts) for d in done] == [(f"{BASE}/t", "5", 6)]
    assert [o for o in fourth if isinstance(o, ThreadDone)]  # only after the last page read


def test_without_a_next_page_selector_rel_next_is_followed() -> None:
    spider = spider_for(post="div.p")
    html = "<div class='p' id='p1'><div class='body'>t</div></div><a rel='next' href='/t/2'>›</a>"
    response = HtmlResponse(
        f"{BASE}/t",
        body=f"<html><head><link rel='next' href='/t/2'></head><body>{html}</body></html>".encode(),
        encoding="utf-8",
        request=Request(f"{BASE}/t"),
    )
    assert requests(spider.parse_thread(response)) == [f"{BASE}/t/2"]


def test_without_next_page_the_usual_pagination_markup_is_followed_but_not_post_navigation() -> (
    None
):
    spider = spider_for(post="div.p")  # no next_page, and the theme shows no rel=next
    html = (
        "<div class='p' id='p1'><div class='body'>t</div></div>"
        "<div class='nav-links'><a class='page-numbers' href='/t/comment-page-2/'>2</a></div>"
        "<nav class='post-navigation'><div class='nav-links'><a href='/other/'>next post</a>"
        "</div></nav>"
    )
    assert requests(spider.parse_thread(page("/t/", html))) == [f"{BASE}/t/comment-page-2/"]


def test_pagination_a_next_page_selector_misses_is_counted_at_the_end() -> None:
    spider = spider_for(post="div.p", next_page="a.next")
    html = (
        "<div class='p' id='p1'><div class='body'>t</div></div>"
        "<div class='pagination'><a class='next' href='/t?page=2'>next</a>"
        "<a href='/t?page=2'>2</a><a href='/t?page=3'>3</a></div>"
    )
    assert requests(spider.parse_thread(page("/t", html))) == [f"{BASE}/t?page=2"]
    spider.closed("finished")
    assert stat(spider, "pagination_not_followed") == 1


def test_the_same_post_repeated_on_a_later_page_of_the_thread_is_stored_once() -> None:
    spider = spider_for(post="article, li.comment", author=".who")
    article = (
        "<article id='post-5'><b class='who'>ann</b><div class='body'>出U 飞机@otc_ann</div>"
        "</article>"
    )
    one = article + "<ol>" + comment(1, "c1") + "</ol><a rel='next' href='/p/comment-page-2/'>›</a>"
    two = article + "<ol>" + comment(2, "c2") + "</ol>"
    thread = f"{BASE}/p/"
    first = items(spider.parse_thread(page("/p/", one, thread=thread)))
    second = items(spider.parse_thread(page("/p/comment-page-2/", two, thread=thread)))
    assert [p.text for p in first] == ["出U 飞机@otc_ann", "c1"]
    assert [p.text for p in second] == ["c2"]
    assert stat(spider, "repeated_posts") == 1


def test_page_level_selectors_fill_posts_that_have_no_author_or_time_of_their_own() -> None:
    spider = spider_for(post="div.p", page_author=".byline a", page_posted_at="span.date")
    html = (
        "<p class='byline'><a>carol</a> <span class='date'>2025-07-07 20:19</span></p>"
        "<div class='p' id='p1'><div class='body'>t</div></div>"
    )
    (post,) = items(spider.parse_thread(page("/t", html)))
    assert post.author == "carol"
    assert post.posted_at is not None and (post.posted_at.hour, post.posted_at.minute) == (20, 19)
    assert stat(spider, "posts_without_date") == 0


def test_posts_without_an_author_or_date_are_counted() -> None:
    spider = spider_for(post="div.p", author=".who", posted_at=".when")
    html = "".join(f"<div class='p' id='p{i}'><div class='body'>t{i}</div></div>" for i in (1, 2))
    items(spider.parse_thread(page("/t?page=2", html, thread=f"{BASE}/t")))
    assert stat(spider, "posts_without_author") == 2
    assert stat(spider, "posts_without_date") == 2


def test_page_metadata_fills_the_opening_post_of_a_thread_but_never_a_reply() -> None:
    spider = spider_for(post="div.p", author=".who", posted_at="time")
    meta = (
        '<script type="application/ld+json">{"@context": "https://schema.org", '
        '"@type": "BlogPosting", "datePublished": "2025-07-07T20:19:00+08:00", '
        '"author": {"@type": "Person", "name": "carol"}}</script>'
    )
    posts = "".join(f"<div class='p' id='p{i}'><div class='body'>t{i}</div></div>" for i in (1, 2))
    url = f"{BASE}/t"
    response = HtmlResponse(
        url,
        body=f"<html><head>{meta}</head><body>{posts}</body></html>".encode(),
        encoding="utf-8",
        request=Request(url, meta={"thread": url}),
    )
    first, reply = items(spider.parse_thread(response))
    assert first.author == "carol"
    assert (
        first.posted_at is not None and first.posted_at.isoformat() == "2025-07-07T20:19:00+08:00"
    )
    assert (reply.author, reply.posted_at) == (None, None)
    assert stat(spider, "posts_without_date") == 1
