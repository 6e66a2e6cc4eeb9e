"""Selector proposals from a page's repeated structure: pure functions over saved pages.

The demo forums are read as if their engine were unknown: the proposed selectors must find,
through the forum spider's own parsing, the threads and posts its preset finds. Pages of real
software (a stock WordPress, the Django forum app Spirit) and small snippets cover the rest.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from scrapy.http import HtmlResponse, Request
from scrapy.utils.test import get_crawler

from crawlers.items import PostItem
from crawlers.spiders.forum import ForumSpider
from watchlist.demo.catalog import spec
from watchlist.proposal import looks_like_date, propose_index, propose_thread
from watchlist.selectors import Selectors
from watchlist.sites import SiteConfig

PAGES = Path(__file__).parent / "pages"
FORUMS = ("demo-discuz", "demo-phpbb", "demo-smf", "demo-xenforo")


def _target(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _response(name: str, url: str) -> HtmlResponse:
    demo = spec(name)
    page = demo.site(f"http://127.0.0.1:{demo.port}").render(_target(url))
    assert page.status == 200, url
    return HtmlResponse(url, body=page.body, encoding="utf-8", request=Request(url))


def _spider(config: SiteConfig) -> ForumSpider:
    spider = ForumSpider(config=config)
    spider._set_crawler(get_crawler(ForumSpider))
    return spider


def _proposed(preset: SiteConfig, selectors: dict[str, str]) -> SiteConfig:
    raw = preset.model_dump(exclude={"engine", "selectors"})
    return SiteConfig.model_validate({**raw, "selectors": Selectors(**selectors)})


def _posts(
    spider: ForumSpider, response: HtmlResponse
) -> list[tuple[str, str | None, datetime | None]]:
    items = [i for i in spider.parse_thread(response) if isinstance(i, PostItem)]
    return [(i.text, i.author, i.posted_at) for i in items]


@pytest.mark.parametrize("name", FORUMS)
def test_a_demo_forum_read_as_unknown_gets_selectors_that_find_what_its_preset_finds(
    name: str,
) -> None:
    demo = spec(name)
    preset = demo.config(f"http://127.0.0.1:{demo.port}")
    board = _response(name, preset.start_urls[0])
    index = propose_index(board.text, board.url)
    assert index.thread_links and index.next_page
    preset_spider = _spider(preset)
    threads = [
        r.url for r in preset_spider.parse_board(board) if r.callback.__name__ == "parse_thread"
    ]
    assert set(index.links) == set(threads)
    compared = 0
    for url in index.links:
        response = _response(name, url)
        thread = propose_thread(response.text, url)
        if thread.posts < 2:
            continue  # one post alone shows no repetition; `sites add` tries the next thread
        mine = _spider(
            _proposed(preset, {"thread_links": index.thread_links, **thread.selectors()})
        )
        expected = _posts(preset_spider, response)
        assert _posts(mine, response) == expected, url
        assert all(author and posted_at for _, author, posted_at in expected)
        compared += 1
    assert compared >= 3


def test_the_proposed_board_selectors_follow_threads_and_the_next_board_page() -> None:
    demo = spec("demo-phpbb")
    preset = demo.config(f"http://127.0.0.1:{demo.port}")
    board = _response("demo-phpbb", preset.start_urls[0])
    index = propose_index(board.text, board.url)
    spider = _spider(
        _proposed(
            preset,
            {
                "thread_links": index.thread_links,
                "next_page": index.next_page or "",
                "post": "div",
                "post_body": "div",
            },
        )
    )
    requests = list(spider.parse_board(board))
    followed = {r.url for r in requests if r.callback.__name__ == "parse_thread"}
    boards = {r.url for r in requests if r.callback.__name__ == "parse_board"}
    assert followed == set(index.links)
    assert any("start=" in url for url in boards)


def test_stock_wordpress_comments_are_posts_with_their_authors_dates_and_bodies() -> None:
    html = (PAGES / "wordpress" / "post-comments-page-1.html").read_text(encoding="utf-8")
    proposal = propose_thread(html, "http://127.0.0.1:52905/2025/07/04/changqi-shou-u/")
    assert proposal.post and proposal.post_body and proposal.author and proposal.posted_at
    assert proposal.posts == html.count('class="comment ')
    config = SiteConfig(
        name="wp",
        type="forum",
        start_urls=["http://127.0.0.1:52905/"],
        allow_private=True,
        selectors=Selectors(thread_links="h2 a", **proposal.selectors()),
    )
    response = HtmlResponse(
        "http://127.0.0.1:52905/2025/07/04/changqi-shou-u/",
        body=html.encode(),
        encoding="utf-8",
        request=Request("http://127.0.0.1:52905/2025/07/04/changqi-shou-u/"),
    )
    posts = _posts(_spider(config), response)
    assert len(posts) == proposal.posts
    assert all(text and "Reply" not in text for text, _, _ in posts)
    assert all(author and posted_at for _, author, posted_at in posts)
    assert posts[0][0] == "秒放不墨迹，飞机 @usdt_seller14"


def test_the_django_forum_spirit_gets_topic_links_and_comment_selectors() -> None:
    category = (PAGES / "spirit" / "category-2.html").read_text(encoding="utf-8")
    index = propose_index(category, "http://127.0.0.1:8000/category/2/otc/")
    assert index.links and all("/topic/" in url for url in index.links)
    topic = (PAGES / "spirit" / "topic-1.html").read_text(encoding="utf-8")
    thread = propose_thread(topic, "http://127.0.0.1:8000/topic/1/x/")
    assert thread.posts == topic.count('class="comments_list__comment js-comment"')
    config = SiteConfig(
        name="spirit",
        type="forum",
        start_urls=["http://127.0.0.1:8000/"],
        allow_private=True,
        selectors=Selectors(thread_links=index.thread_links, **thread.selectors()),
    )
    url = "http://127.0.0.1:8000/topic/1/x/"
    response = HtmlResponse(url, body=topic.encode(), encoding="utf-8", request=Request(url))
    posts = _posts(_spider(config), response)
    assert [author for _, author, _ in posts][:3] == ["币商老王", "承兑小李", "Amy OTC"]
    assert posts[0][0].startswith("本人长期出U，先款后币")
    assert all(posted_at is not None for _, _, posted_at in posts)


def test_smf_1_tables_get_rows_as_posts_and_the_link_after_the_current_page() -> None:
    board = (PAGES / "smf1" / "board-1.html").read_text(encoding="latin-1")
    index = propose_index(board, "http://127.0.0.1:8767/index.php?board=2.0")
    assert len(index.links) == 10 and index.next_page == "b + a"
    topic = (PAGES / "smf1" / "thread-1.html").read_text(encoding="latin-1")
    thread = propose_thread(topic, "http://127.0.0.1:8767/index.php?topic=1.0")
    assert thread.posts == 10 and thread.post_body == "div.post"


BLOG_INDEX = """<html><body>
<nav class="menu"><a href="/about/">About this blog</a><a href="/contact/">Contact the author</a>
<a href="/archive/">The archive of posts</a></nav>
<main>{articles}</main>
<div class="pages"><span class="current">1</span> <a href="/page/2/">2</a>
<a href="/page/3/">3</a></div>
<footer><a href="/privacy/">Privacy policy of this site</a></footer>
</body></html>"""
ARTICLE = """<article class="entry"><h2 class="entry-title"><a href="/2026/01/{n:02d}/post-{n}/">
Post number {n}: selling USDT on the quiet</a></h2><a class="cat" href="/category/otc/">OTC</a>
<p>First lines of post {n}…</p><a class="more" href="/2026/01/{n:02d}/post-{n}/#more">Read more</a>
</article>"""


def test_a_blog_index_proposes_its_article_links_not_menus_categories_or_read_more() -> None:
    html = BLOG_INDEX.format(articles="".join(ARTICLE.format(n=n) for n in range(1, 7)))
    index = propose_index(html, "https://blog.example.com/")
    assert index.links == tuple(
        f"https://blog.example.com/2026/01/{n:02d}/post-{n}/" for n in range(1, 7)
    )
    assert index.thread_links is not None and "more" not in index.thread_links
    assert index.next_page == "span.current + a"


@pytest.mark.parametrize(
    ("paginator", "expected"),
    [
        ('<link rel="next" href="/b?page=2">', "link[rel~=next]"),
        ('<a rel="next" href="/b?page=2">»</a>', "a[rel~=next]"),
        ('<div class="pg"><a href="/b?page=2" class="nxt">下一页</a></div>', "a.nxt"),
        ('<ul><li class="on"><span>4</span></li><li><a href="/b?page=5">5</a></li></ul>', None),
        ("<p>no pages at all</p>", None),
    ],
)
def test_next_page_is_a_rel_next_a_next_link_or_the_link_after_the_current_page(
    paginator: str, expected: str | None
) -> None:
    rows = "".join(
        f'<li><a class="t" href="/t/{n}">A thread title number {n}</a></li>' for n in range(5)
    )
    index = propose_index(
        f"<html><body><ul>{rows}</ul>{paginator}</body></html>", "https://f.example/b"
    )
    if expected is None and "<li" in paginator:
        assert index.next_page == "li.on + li > a"
    else:
        assert index.next_page == expected


NESTED = """<html><body><ol class="comments">
<li id="comment-1" class="comment"><span class="comment-author">ann</span>
<time datetime="2026-01-01T10:00:00Z">Jan 1</time>
<div class="text">First comment, a long one here</div>
  <ol><li id="comment-2" class="comment"><span class="comment-author">bob</span>
  <time datetime="2026-01-01T11:00:00Z">Jan 1</time>
  <div class="text">A reply nested inside the first</div></li></ol>
</li>
<li id="comment-3" class="comment"><span class="comment-author">cat</span>
<time datetime="2026-01-02T09:00:00Z">Jan 2</time>
<div class="text">Third comment, not a reply at all</div></li>
</ol></body></html>"""


def test_replies_nested_in_posts_with_numbered_ids_are_posts_too() -> None:
    thread = propose_thread(NESTED, "https://blog.example.com/p/")
    assert thread.posts == 3
    assert thread.post == "li.comment" and thread.post_body == "div.text"
    assert thread.author == "span.comment-author" and thread.posted_at == "time"


def test_a_page_without_repeated_dated_posts_proposes_no_post_selector() -> None:
    html = "<html><body><h1>About</h1><p>" + "We are a small team. " * 20 + "</p></body></html>"
    thread = propose_thread(html, "https://x.example/about")
    assert thread.post is None and thread.posts == 0
    assert thread.notes == ("post: no repeated blocks of substantial text were found",)


@pytest.mark.parametrize(
    ("text", "dated"),
    [
        ("2026-01-05 10:00", True),
        ("2026年1月5日", True),
        ("January 05, 2026, 10:00:00 AM", True),
        ("5 Jan 2026", True),
        ("3 小时前", True),
        ("Yesterday at 10:00", True),
        ("Posts: 1,204", False),
        ("Re: selling USDT 7.25", False),
        ("trader88", False),
    ],
)
def test_date_looking_text(text: str, dated: bool) -> None:
    assert looks_like_date(text) is dated
