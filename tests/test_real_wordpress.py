"""A stock WordPress nobody here wrote, crawled as a new user configures it: nothing lost.

WordPress is Debian's ``wordpress`` package with its default block theme (Twenty Twenty-Three),
served by ``php -S`` on a loopback port over a fresh MariaDB database (``realsoft.wordpress``)
and filled through WordPress's own PHP API with the blog of ``realsoft.wordpress_blog``: seven
articles on three index pages, 51 threaded comments (replies three deep) on paginated comment
pages.

The site config is what a new user writes after looking at the pages: the index's article
links, the article and each comment as posts, their bodies, authors and dates — and no
``permalink`` and no ``next_page``. Skipped when php, the package or MariaDB is missing; fails
instead with ``WATCHLIST_REQUIRE_SERVICES=1``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import NoReturn
from urllib.parse import urlsplit

import pytest
from conftest import run_cli, write_site
from parsel import Selector
from realsoft.wordpress import RunningWordPress, Unavailable, missing, serve_wordpress
from realsoft.wordpress_blog import ZONE, Article, Comment, Handle, build_blog
from sqlmodel import col, select

from watchlist import settings
from watchlist.store import open_store
from watchlist.store.tables import Entry, Post, Sighting

pytestmark = pytest.mark.slow

SITE = "wordpress"
Config = Callable[[str], dict[str, object]]


def _unavailable(reason: str) -> NoReturn:
    if settings.load().require_services:
        pytest.fail(f"WordPress is required but cannot run: {reason}")
    pytest.skip(f"WordPress cannot run here: {reason}")


@pytest.fixture(scope="session")
def wordpress() -> Iterator[RunningWordPress]:
    """The filled blog, served for the session; PHP stopped and the database dropped after."""
    reason = missing()
    if reason:
        _unavailable(reason)
    with ExitStack() as stack:
        try:
            running = stack.enter_context(serve_wordpress(build_blog()))
        except Unavailable as exc:
            _unavailable(str(exc))
        yield running


@pytest.fixture
def newest_first(wordpress: RunningWordPress) -> Iterator[RunningWordPress]:
    """The blog with WordPress's stock "newest comment page first" default, for one test."""
    wordpress.set_options(default_comments_page="newest")
    try:
        yield wordpress
    finally:
        wordpress.set_options(default_comments_page="oldest")


def new_user_config(url: str) -> dict[str, object]:
    """The config a user writes from the theme's markup: no permalink, no next_page."""
    return {
        "name": SITE,
        "type": "forum",
        "start_urls": [f"{url}/"],
        "allow_private": True,
        "delay": 0,
        "selectors": {
            "thread_links": "h2.wp-block-post-title a",
            "title": "h1.wp-block-post-title",
            "post": "main, li.comment",
            "post_body": ".wp-block-post-content, .wp-block-comment-content",
            "author": ".wp-block-post-author__name, .wp-block-comment-author-name",
            "posted_at": ".wp-block-post-date time, .wp-block-comment-date time",
        },
    }


@dataclass(frozen=True)
class Stored:
    """A stored post and the (kind, value) of its sightings."""

    url: str
    title: str | None
    author: str | None
    posted_at: datetime | None
    text: str
    handles: frozenset[Handle]


def stored_posts(db: str) -> list[Stored]:
    """The site's stored posts, each with what was sighted in it."""
    store = open_store(db)
    try:
        with store.read() as session:
            posts = session.exec(select(Post).where(Post.site == SITE)).all()
            rows = session.exec(
                select(Sighting.post_id, Entry.kind, Entry.value).join(
                    Entry, col(Entry.id) == col(Sighting.entry_id)
                )
            ).all()
    finally:
        store.close()
    seen: dict[int | None, set[Handle]] = {}
    for post_id, kind, value in rows:
        seen.setdefault(post_id, set()).add((kind, value))
    return [
        Stored(p.url, p.title, p.author, p.posted_at, p.text, frozenset(seen.get(p.id, ())))
        for p in posts
    ]


def _words(text: str) -> str:
    return " ".join(text.split())


def problems(wordpress: RunningWordPress, stored: list[Stored]) -> list[str]:
    """Every way the stored posts differ from the blog (empty: they match exactly)."""
    blog = wordpress.blog
    items: list[Article | Comment] = [*blog.articles, *blog.comments]
    by_text = {_words(item.text): item for item in items}
    matches: dict[str, list[Stored]] = {item.key: [] for item in items}
    found: list[str] = []
    for post in stored:
        item = by_text.get(_words(post.text))
        if item is None:
            found.append(f"stored post matches nothing inserted: {post.url} {post.text[:200]!r}")
        else:
            matches[item.key].append(post)
    titles = {a.key: a.title for a in blog.articles}
    everything = {h for item in items for h in item.handles}
    for item in items:
        copies = matches[item.key]
        if len(copies) != 1:
            urls = [p.url for p in copies]
            found.append(f"{item.key} stored {len(copies)} times (want once): {urls}")
            if not copies:
                continue
        post = copies[0]
        title = titles[item.key if isinstance(item, Article) else item.article]
        if post.author != item.author:
            found.append(f"{item.key}: author {post.author!r}, want {item.author!r}")
        if _minute(post.posted_at) != _minute(item.posted_at):
            found.append(f"{item.key}: posted_at {post.posted_at}, want {item.posted_at}")
        if post.title != title:
            found.append(f"{item.key}: title {post.title!r}, want {title!r}")
        if post.handles & everything != item.handles:
            found.append(
                f"{item.key}: sighted {sorted(post.handles & everything)}, "
                f"want {sorted(item.handles)}"
            )
        if isinstance(item, Article):
            if post.url.split("#")[0] != wordpress.article_url(item.key):
                found.append(f"{item.key}: url {post.url}, want {wordpress.article_url(item.key)}")
        elif not re.search(rf"\D{wordpress.comment_id(item.key)}$", urlsplit(post.url).fragment):
            found.append(f"{item.key}: url {post.url} does not point at its comment")
    return found


def _minute(moment: datetime | None) -> str | None:
    return moment.astimezone(ZONE).strftime("%Y-%m-%d %H:%M") if moment else None


def preset_config(url: str) -> dict[str, object]:
    """The config naming the engine preset: nothing but the start URL (and, for a test on
    loopback, loopback allowed and no politeness delay: selectors are what it leaves out)."""
    return {
        "name": SITE,
        "engine": "wordpress",
        "start_urls": [f"{url}/"],
        "allow_private": True,
        "delay": 0,
    }


def crawl(
    tmp_path: Path, wordpress: RunningWordPress, db: str, config: Config | None = None
) -> str:
    seeds = tmp_path / "seeds"
    write_site(seeds, (config or new_user_config)(wordpress.url))
    result = run_cli("crawl", SITE, "--seeds", str(seeds), db=db)
    assert result.code == 0, result.stdout + result.stderr
    return result.stdout


def assert_nothing_lost(
    tmp_path: Path, wordpress: RunningWordPress, db: str, config: Config | None = None
) -> None:
    crawl(tmp_path, wordpress, db, config)
    stored = stored_posts(db)
    want = len(wordpress.blog.articles) + len(wordpress.blog.comments)
    found = problems(wordpress, stored)
    assert not found, f"{want} posts inserted, {len(stored)} stored:\n" + "\n".join(found)

    crawl(tmp_path, wordpress, db, config)
    again = stored_posts(db)
    assert sorted(p.url for p in again) == sorted(p.url for p in stored)
    assert sum(len(p.handles) for p in again) == sum(len(p.handles) for p in stored)


def test_wordpress_serves_every_inserted_article_and_comment_on_its_pages(
    wordpress: RunningWordPress,
) -> None:
    """The fixture itself: what the crawl must find is there, spread over the pages."""
    articles, index_pages = _walk(
        wordpress, "/", "a.page-numbers, a.wp-block-query-pagination-next"
    )
    assert index_pages >= 3
    links = set(articles.css("h2.wp-block-post-title a::attr(href)").getall())
    assert links == {wordpress.article_url(a.key) for a in wordpress.blog.articles}
    for article in wordpress.blog.articles:
        start = wordpress.article_url(article.key).removeprefix(wordpress.url)
        comments, _ = _walk(wordpress, start, "a.page-numbers, a[class*=comments-pagination]")
        ids = {
            int(i.removeprefix("comment-")) for i in comments.css("li.comment::attr(id)").getall()
        }
        want = {
            wordpress.comment_id(c.key) for c in wordpress.blog.comments if c.article == article.key
        }
        assert ids == want, article.key


def _walk(wordpress: RunningWordPress, start: str, links: str) -> tuple[Selector, int]:
    """Every page reachable from ``start`` through ``links``, as one selector; and how many."""
    todo, seen, html = [start], set[str](), []
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        seen.add(path)
        page = Selector(text=wordpress.get(path))
        html.append(page.css("main").get() or "")
        for href in page.css(links).css("::attr(href)").getall():
            todo.append(urlsplit(href).path)
    return Selector(text="".join(html)), len(seen)


def test_crawl_stores_every_wordpress_article_and_comment_once_with_author_date_and_handles(
    tmp_path: Path, wordpress: RunningWordPress, sqlite_url: str
) -> None:
    assert_nothing_lost(tmp_path, wordpress, sqlite_url)


def test_crawl_loses_no_comment_page_when_wordpress_opens_on_the_newest(
    tmp_path: Path, newest_first: RunningWordPress, sqlite_url: str
) -> None:
    assert_nothing_lost(tmp_path, newest_first, sqlite_url)


def test_crawl_summary_counts_each_wordpress_post_once_and_new_on_a_fresh_store(
    tmp_path: Path, wordpress: RunningWordPress, sqlite_url: str
) -> None:
    """No two posts collide on one permalink: as many posts read as new posts stored."""
    out = crawl(tmp_path, wordpress, sqlite_url)
    counts = re.search(rf"{SITE}: ok · .*?(\d+) posts \((\d+) new\)", out)
    assert counts, out
    want = len(wordpress.blog.articles) + len(wordpress.blog.comments)
    assert (int(counts.group(1)), int(counts.group(2))) == (want, want), out


def test_the_wordpress_preset_alone_stores_every_article_and_comment_with_author_and_date(
    tmp_path: Path, wordpress: RunningWordPress, sqlite_url: str
) -> None:
    """``engine: wordpress`` and a start URL: the block theme read with no selector written."""
    assert_nothing_lost(tmp_path, wordpress, sqlite_url, preset_config)


def test_the_wordpress_preset_loses_no_comment_page_when_the_newest_page_comes_first(
    tmp_path: Path, newest_first: RunningWordPress, sqlite_url: str
) -> None:
    assert_nothing_lost(tmp_path, newest_first, sqlite_url, preset_config)
