"""Session ids never reach a stored URL, and a board row's relative time does not fake a reply."""

from __future__ import annotations

import pytest
from scrapy.http import HtmlResponse, Request
from scrapy.utils.test import get_crawler

from crawlers.items import PostItem
from crawlers.spiders.forum import ForumSpider
from crawlers.urls import canonical
from watchlist.sites import SiteConfig

SID = "0123456789abcdef0123456789abcdef"


@pytest.mark.parametrize(
    ("linked", "stored"),
    [
        (f"http://f.example/viewtopic.php?t=5&sid={SID}", "http://f.example/viewtopic.php?t=5"),
        (
            f"http://f.example/viewtopic.php?sid={SID}&p=9#p9",
            "http://f.example/viewtopic.php?p=9#p9",
        ),
        (
            "http://f.example/index.php?PHPSESSID=abcdef0123456789abcdef&topic=1.0",
            "http://f.example/index.php?topic=1.0",
        ),
        (
            "http://f.example/index.php?topic=1.0;PHPSESSID=abcdef0123456789abcdef",
            "http://f.example/index.php?topic=1.0",
        ),
        (f"http://f.example/showthread.php?s={SID}&t=77", "http://f.example/showthread.php?t=77"),
        ("http://f.example/a.jsp;jsessionid=ABC123?x=1", "http://f.example/a.jsp?x=1"),
        (f"http://f.example/viewtopic.php?sid={SID}", "http://f.example/viewtopic.php"),
    ],
)
def test_session_ids_are_dropped_from_links(linked: str, stored: str) -> None:
    assert canonical(linked) == stored


@pytest.mark.parametrize(
    "url",
    [
        "http://f.example/x.php?usid=0123456789abcdef&t=1",  # not a session parameter
        "http://f.example/x.php?s=hello&t=1",  # vBulletin's s= is 32 hex digits
        "http://f.example/forum-2-1.html",
    ],
)
def test_other_parameters_are_kept(url: str) -> None:
    assert canonical(url) == url


def spider() -> ForumSpider:
    config = SiteConfig(
        name="f",
        type="forum",
        start_urls=["http://f.example/viewforum.php?f=1"],
        selectors={
            "thread_row": "li.row",
            "thread_links": "a.topictitle",
            "thread_mark": "dd.posts, dd.lastpost time",
            "post": "div.post",
            "post_body": "div.content",
            "permalink": "a.permalink",
        },
    )
    forum = ForumSpider(config=config)
    forum._set_crawler(get_crawler(ForumSpider))
    return forum


def response(url: str, body: str) -> HtmlResponse:
    return HtmlResponse(url, body=body.encode(), encoding="utf-8", request=Request(url))


def board(last_post_text: str) -> HtmlResponse:
    return response(
        f"http://f.example/viewforum.php?f=1&sid={SID}",
        f'<ul><li class="row"><a class="topictitle" href="./viewtopic.php?t=5&amp;sid={SID}">'
        f'OTC</a><dd class="posts">3</dd><dd class="lastpost"><time datetime="2026-01-02T10:00:00'
        f'+00:00">{last_post_text}</time></dd></li></ul>',
    )


def test_board_and_thread_links_are_followed_and_stored_without_session_ids() -> None:
    forum = spider()
    requests = list(forum.parse_board(board("Today at 10:00")))
    thread = response(
        requests[0].url + f"&sid={SID}",
        f'<div class="post" id="p9"><a class="permalink" href="./viewtopic.php?p=9&amp;sid={SID}'
        '#p9">#</a><div class="content">QQ 632144500</div></div>',
    )
    posts = [o for o in forum.parse_thread(thread) if isinstance(o, PostItem)]

    assert [r.url for r in requests] == ["http://f.example/viewtopic.php?t=5"]
    assert [p.url for p in posts] == ["http://f.example/viewtopic.php?p=9#p9"]


def test_a_rows_relative_time_changing_by_itself_keeps_its_mark() -> None:
    forum = spider()
    today = forum._mark(board("Today at 10:00").css("li.row")[0])
    tomorrow = forum._mark(board("Yesterday at 10:00").css("li.row")[0])

    assert today == tomorrow == "3 | 2026-01-02T10:00:00+00:00"
