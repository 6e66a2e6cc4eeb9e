"""Selectors with comma-separated alternatives work wherever the forum spider reads them."""

from __future__ import annotations

from scrapy.http import HtmlResponse, Request
from scrapy.utils.test import get_crawler

from crawlers.items import PostItem
from crawlers.spiders.forum import ForumSpider
from watchlist.sites import SiteConfig

BASE = "http://127.0.0.1:9/"
PAGE = """<html><body>
<ul><li class="row"><a class="old" href="t1.html">one</a></li>
<li class="row"><a class="new" href="t2.html">two</a></li></ul>
<div class="post" id="m1"><b class="nick">alice</b><a class="pl" href="t1.html#m1">#</a>
<div class="body">QQ 632144500</div></div>
<div class="post" id="m2"><i class="nick2">bob</i><a class="pl2" href="t1.html#m2">#</a>
<div class="body">hi</div></div>
<span class="nav"><a class="next2" href="t1-2.html">next</a></span>
</body></html>"""


def test_comma_separated_selectors_give_links_authors_and_permalinks() -> None:
    config = SiteConfig(
        name="commas",
        type="forum",
        start_urls=[BASE],
        allow_private=True,
        selectors={
            "thread_links": "a.old, a.new",
            "next_page": "a.next1, a.next2",
            "post": "div.post",
            "post_body": "div.body",
            "author": "b.nick, i.nick2",
            "permalink": "a.pl, a.pl2",
        },
    )
    spider = ForumSpider(config=config)
    spider._set_crawler(get_crawler(ForumSpider))
    response = HtmlResponse(BASE, body=PAGE.encode(), encoding="utf-8", request=Request(BASE))

    boards = list(spider.parse_board(response))
    posts = [o for o in spider.parse_thread(response) if isinstance(o, PostItem)]

    assert [r.url for r in boards] == [BASE + "t1.html", BASE + "t2.html", BASE + "t1-2.html"]
    assert [(p.author, p.url) for p in posts] == [
        ("alice", BASE + "t1.html#m1"),
        ("bob", BASE + "t1.html#m2"),
    ]
