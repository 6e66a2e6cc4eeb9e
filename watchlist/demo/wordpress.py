"""The pages of a :class:`World` rendered as a WordPress blog with a classic theme.

A board is a category, a thread an article, its replies the article's comments. Routes, as
WordPress's with the "numeric" permalink structure: ``/category/<slug>/[page/<n>/]`` (a
category archive, newest first), ``/archives/<id>`` (an article with its first comment page)
and ``/archives/<id>/comment-page-<n>`` (comments paged oldest first, 10 a page),
``/wp-content/uploads/2026/01/<file>`` (images in a post), ``/robots.txt``. Markup follows the
classic default themes (Twenty Sixteen's template tags) and core's ``Walker_Comment`` (HTML5):
``article#post-<id>.hentry`` with ``h2/h1.entry-title``, ``.byline a.url.fn``, ``.posted-on
time.entry-date.published``, ``.comments-link``, ``.entry-content``; comments
``li#comment-<id>.comment > article.comment-body`` with ``.comment-author b.fn``,
``.comment-metadata > a > time`` (the comment's link) and ``.comment-content``; archive
paging ``nav.pagination a.page-numbers``, comment paging ``nav.comment-navigation``, and the
previous/next *article* links (``nav.post-navigation``) that a crawl must not take for pages.
"""

from __future__ import annotations

import math
import re
from datetime import datetime

from watchlist.demo.configs import shipped_config
from watchlist.demo.images import ATTACHMENTS, attachment
from watchlist.demo.page import ALLOW_ALL_ROBOTS, PNG_TYPE, TEXT_TYPE, Page, esc, html_page
from watchlist.demo.world import DemoPost, World
from watchlist.sites import SiteConfig

DEMO_SITE = "demo-wordpress"
DEMO_PORT = 8772
SEED = 31
COMMENTS_PER_PAGE = 10
UPLOADS = "/wp-content/uploads/2026/01/"
_BLOG = "OTC 观察"
_CATEGORY = re.compile(r"/category/otc-(\d+)/(?:page/(\d+)/)?")
_ARTICLE = re.compile(r"/archives/(\d+)(?:/comment-page-(\d+))?")


class WordpressSite:
    """A :class:`World` served as a WordPress blog (a ``DemoSite`` for the demo server)."""

    def __init__(self, world: World | None = None) -> None:
        self.world = world or World(seed=SEED)

    def render(self, target: str) -> Page:
        """The page at ``target`` (path and query string)."""
        path, world = target.split("?")[0], self.world
        if path == "/robots.txt":
            return Page(200, TEXT_TYPE, ALLOW_ALL_ROBOTS.encode())
        if path.startswith(UPLOADS):
            image = attachment(world.seed, ATTACHMENTS + path.removeprefix(UPLOADS))
            if image is not None:
                return Page(200, PNG_TYPE, image)
        if path == "/":
            return html_page(200, _layout("home blog", _BLOG, _home(world)))
        if match := _CATEGORY.fullmatch(path):
            fid, page = int(match[1]), int(match[2] or 1)
            # WordPress redirects /page/1/ to the archive itself: no page of its own
            real = fid in world.board_ids() and 1 <= page <= world.board_page_count(fid)
            if real and match[2] != "1":
                return html_page(200, self._category(fid, page))
        if match := _ARTICLE.fullmatch(path):
            tid, page = int(match[1]), int(match[2] or 1)
            real = world.has_thread(tid) and 1 <= page <= self.thread_page_count(tid)
            if real and match[2] != "1":  # comment page 1 is the article's own URL
                return html_page(200, self._article(tid, page))
        content = '<section class="error-404 not-found"><header class="page-header"><h1 '
        content += (
            'class="page-title">Oops! That page can&rsquo;t be found.</h1></header></section>'
        )
        return html_page(404, _layout("error404", "Page not found", content))

    def board_paths(self) -> list[str]:
        """The crawl's start paths: every category archive."""
        return [f"/category/otc-{fid}/" for fid in self.world.board_ids()]

    def thread_page_count(self, tid: int) -> int:
        """How many comment pages article ``tid`` spans (one when it has no comment)."""
        comments = self.world.thread(tid).post_count - 1
        return max(1, math.ceil(comments / COMMENTS_PER_PAGE))

    def thread_path(self, tid: int, page: int) -> str:
        """The path of comment page ``page`` of article ``tid``."""
        return f"/archives/{tid}" + (f"/comment-page-{page}" if page > 1 else "")

    def post_path(self, post: DemoPost) -> str:
        """The permalink the crawl stores: the article's own anchor, a comment's link."""
        index = (post.post_id - 1) % self.world.posts_per_thread
        if index == 0:
            return f"/archives/{post.thread_id}#post-{post.thread_id}"
        page = (index - 1) // COMMENTS_PER_PAGE + 1
        return f"{self.thread_path(post.thread_id, page)}#comment-{post.post_id}"

    def expected_sightings(self) -> set[tuple[str, str, str]]:
        """(post URL path, kind, value) for every handle every post publishes."""
        return {
            (self.post_path(post), kind, value)
            for post in self.world.posts()
            for kind, value in post.handles
        }

    def _category(self, fid: int, page: int) -> str:
        world = self.world
        articles = "\n".join(self._summary(tid) for tid in world.board_thread_ids(fid, page))
        pages = world.board_page_count(fid)
        links = []
        for number in range(1, pages + 1):
            url = f"/category/otc-{fid}/" + (f"page/{number}/" if number > 1 else "")
            if number == page:
                links.append(
                    f'<span aria-current="page" class="page-numbers current">{number}</span>'
                )
            else:
                links.append(f'<a class="page-numbers" href="{url}">{number}</a>')
        if page < pages:
            links.append(
                f'<a class="next page-numbers" href="/category/otc-{fid}/page/{page + 1}/">Next</a>'
            )
        nav = (
            '<nav class="navigation pagination" aria-label="Posts"><h2 class="screen-reader-text">'
            f'Posts navigation</h2><div class="nav-links">{"".join(links)}</div></nav>'
            if pages > 1
            else ""
        )
        name = esc(world.board_name(fid))
        header = (
            f'<header class="page-header"><h1 class="page-title">Category: <span>{name}</span></h1>'
            "</header>"
        )
        return _layout(f"archive category category-otc-{fid}", name, header + articles + nav)

    def _summary(self, tid: int) -> str:
        world = self.world
        thread = world.thread(tid)
        first = world.post(tid, 0, thread)
        comments = thread.post_count - 1
        count = {0: "Leave a comment", 1: "1 Comment"}.get(comments, f"{comments} Comments")
        return (
            f'<article id="post-{tid}" class="post-{tid} post type-post status-publish '
            f'format-standard hentry category-otc-{thread.board_id}">\n'
            '<header class="entry-header">'
            f'<h2 class="entry-title"><a href="/archives/{tid}" rel="bookmark">{esc(thread.title)}'
            '</a></h2></header>\n<div class="entry-summary"><p>'
            f"{esc(first.text.split(chr(10))[0][:40])} &hellip;</p></div>\n"
            f'<footer class="entry-footer">{_byline(first)}{_posted_on(first)}'
            f'<span class="comments-link"><a href="/archives/{tid}#comments">{count}</a></span>'
            "</footer>\n</article>"
        )

    def _article(self, tid: int, page: int) -> str:
        world = self.world
        thread = world.thread(tid)
        first = world.post(tid, 0, thread)
        start = 1 + (page - 1) * COMMENTS_PER_PAGE
        stop = min(start + COMMENTS_PER_PAGE, thread.post_count)
        comments = "\n".join(
            self._comment(world.post(tid, i, thread), n) for n, i in enumerate(range(start, stop))
        )
        article = (
            f'<article id="post-{tid}" class="post-{tid} post type-post status-publish '
            f'format-standard hentry category-otc-{thread.board_id}">\n'
            '<header class="entry-header">'
            f'<h1 class="entry-title">{esc(thread.title)}</h1></header>\n'
            f'<div class="entry-content">{_content(first)}</div>\n'
            f'<footer class="entry-footer">{_byline(first)}{_posted_on(first)}</footer>\n'
            "</article>"
        )
        pages = self.thread_page_count(tid)
        links = []
        if page > 1:
            links.append(
                f'<div class="nav-previous"><a href="{self.thread_path(tid, page - 1)}#comments">'
                "Older Comments</a></div>"
            )
        if page < pages:
            links.append(
                f'<div class="nav-next"><a href="{self.thread_path(tid, page + 1)}#comments">'
                "Newer Comments</a></div>"
            )
        paging = (
            '<nav class="navigation comment-navigation" aria-label="Comments"><h2 class="screen-'
            f'reader-text">Comments navigation</h2><div class="nav-links">{"".join(links)}</div>'
            "</nav>"
            if links
            else ""
        )
        count = thread.post_count - 1
        listing = (
            f'<div id="comments" class="comments-area"><h2 class="comments-title">{count} thoughts'
            f" on &ldquo;{esc(thread.title)}&rdquo;</h2>{paging}\n"
            f'<ol class="comment-list">\n{comments}\n</ol>{paging}</div>'
            if count
            else '<div id="comments" class="comments-area"></div>'
        )
        around = []
        if world.has_thread(tid - 1):
            around.append(
                f'<div class="nav-previous"><a href="/archives/{tid - 1}" rel="prev">Previous</a>'
                "</div>"
            )
        if world.has_thread(tid + 1):
            around.append(
                f'<div class="nav-next"><a href="/archives/{tid + 1}" rel="next">Next</a></div>'
            )
        post_nav = (
            '<nav class="navigation post-navigation" aria-label="Posts"><h2 class="screen-reader-'
            f'text">Post navigation</h2><div class="nav-links">{"".join(around)}</div></nav>'
        )
        return _layout(
            f"post-template-default single single-post postid-{tid}",
            thread.title,
            article + "\n" + listing + "\n" + post_nav,
        )

    def _comment(self, post: DemoPost, n: int) -> str:
        cid = post.post_id
        link = self.post_path(post)
        moment, shown = _date(post.posted_at)
        parity = "even" if n % 2 == 0 else "odd alt"
        return (
            f'<li id="comment-{cid}" class="comment {parity} thread-{parity} depth-1">\n'
            f'<article id="div-comment-{cid}" class="comment-body">\n<footer class="comment-meta">'
            '<div class="comment-author vcard"><img alt="" src="/wp-content/avatar.png" '
            'class="avatar avatar-42 photo" height="42" width="42">'
            f'<b class="fn">{esc(post.author)}</b> <span class="says">says:</span></div>\n'
            '<div class="comment-metadata">'
            f'<a href="{link}"><time datetime="{moment}">{shown}</time></a></div></footer>\n'
            f'<div class="comment-content">{_content(post)}</div>\n<div class="reply"><a rel="'
            f'nofollow" class="comment-reply-link" href="?replytocom={cid}#respond">Reply</a>'
            "</div>\n</article>\n</li>"
        )


def site_config(base_url: str, name: str = DEMO_SITE, world: World | None = None) -> SiteConfig:
    """The shipped demo-wordpress config, crawling a :class:`WordpressSite` at ``base_url``."""
    paths = WordpressSite(world).board_paths()
    return shipped_config(DEMO_SITE, base_url, name=name, start_paths=paths, max_pages=100_000)


def _date(stamp: str) -> tuple[str, str]:
    """(``c`` format, the default "F j, Y \\a\\t g:i a") of an ISO time."""
    moment = datetime.fromisoformat(stamp)
    hour = moment.hour % 12 or 12
    suffix = "pm" if moment.hour >= 12 else "am"
    return (
        moment.isoformat(),
        f"{moment:%B} {moment.day}, {moment.year} at {hour}:{moment:%M} {suffix}",
    )


def _content(post: DemoPost) -> str:
    paragraphs = "\n".join(f"<p>{esc(line)}</p>" for line in post.text.split("\n"))
    images = "".join(
        f'<figure class="wp-block-image size-full"><img decoding="async" src="{UPLOADS}'
        f'{esc(path.rsplit("/", 1)[-1])}" alt=""></figure>'
        for path in post.images
    )
    return paragraphs + images


def _byline(post: DemoPost) -> str:
    return (
        '<span class="byline"><span class="author vcard"><img alt="" src="/wp-content/avatar.png"'
        ' class="avatar avatar-49 photo"><span class="screen-reader-text">Author </span> '
        f'<a class="url fn n" href="/author/u{post.author_uid}/">{esc(post.author)}</a>'
        "</span></span>"
    )


def _posted_on(post: DemoPost) -> str:
    moment, shown = _date(post.posted_at)
    return (
        '<span class="posted-on"><span class="screen-reader-text">Posted on </span><a href="'
        f'/archives/{post.thread_id}" rel="bookmark"><time class="entry-date published updated" '
        f'datetime="{moment}">{shown.split(" at ")[0]}</time></a></span>'
    )


def _home(world: World) -> str:
    links = "".join(
        f'<li class="cat-item cat-item-{fid}"><a href="/category/otc-{fid}/">'
        f"{esc(world.board_name(fid))}</a></li>"
        for fid in world.board_ids()
    )
    return (
        f'<section class="widget widget_categories"><h2>Categories</h2><ul>{links}</ul></section>'
    )


def _layout(body_class: str, title: str, content: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN" class="no-js">\n<head>\n<meta charset="UTF-8">\n'
        f"<title>{esc(title)} &#8211; {_BLOG}</title>\n"
        '<link rel="https://api.w.org/" href="/wp-json/" />\n'
        "<link rel='stylesheet' id='twentysixteen-style-css' href='/wp-content/themes/"
        "twentysixteen/style.css?ver=20251202' media='all' />\n"
        '<meta name="generator" content="WordPress 6.9" />\n</head>\n'
        f'<body class="{body_class}">\n<div id="page" class="site"><div class="site-inner">\n'
        '<header id="masthead" class="site-header"><div class="site-branding"><p class="site-'
        f'title"><a href="/" rel="home">{_BLOG}</a></p></div></header>\n'
        '<div id="content" class="site-content"><div id="primary" class="content-area">'
        f'<main id="main" class="site-main">\n{content}\n</main></div></div>\n'
        '<footer id="colophon" class="site-footer"><div class="site-info"><a href="https://'
        'wordpress.org/" class="imprint">Proudly powered by WordPress</a></div></footer>\n'
        "</div></div>\n</body>\n</html>\n"
    )
