"""The pages of a :class:`World` rendered as a XenForo 2.2 forum.

Routes, as XenForo's own: ``/`` and ``/forums/`` (forum list), ``/forums/<slug>.<id>/[page-<n>]``,
``/threads/<slug>.<id>/[page-<n>]``, ``/threads/<slug>.<id>/post-<id>`` and ``/posts/<id>/``
(301 to the page holding the post), ``/attachments/<name>.<id>/`` (an attachment) and its
thumbnail ``/data/attachments/0/<id>-<hash>.jpg``, ``/robots.txt``. A title without URL-safe
letters gives no slug (``/threads/5/``); a wrong slug is redirected, as XenForo does. Markup:
thread rows ``div.structItem--thread`` (prefix label links before the title link),
``.structItem-cell--meta`` replies and views, ``time.structItem-latestDate``; posts
``article.message--post[data-author]`` with ``h4.message-name .username``, ``<time class="u-dt"
datetime>`` inside a ``/post-<id>`` link, ``.message-body .bbWrapper`` and
``section.message-attachments``; paging ``a.pageNav-jump--next``. Text is HTML-escaped.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from datetime import datetime

from watchlist.demo.configs import shipped_config
from watchlist.demo.images import attachment, attachment_id, attachment_path
from watchlist.demo.page import ALLOW_ALL_ROBOTS, PNG_TYPE, TEXT_TYPE, Page, esc, html_page
from watchlist.demo.world import DemoPost, World
from watchlist.sites import SiteConfig

DEMO_SITE = "demo-xenforo"
SEED = 24
_SITE = "OTC Traders"
_ROUTE = re.compile(r"/(forums|threads)/(?:([a-z0-9-]+)\.)?(\d+)/(?:page-(\d+)|post-(\d+))?")
_ATTACHMENT = re.compile(r"/(?:attachments/[a-z0-9-]+\.(\d+)/|data/attachments/0/(\d+)-\w+\.jpg)")
_PREFIXES = {"sell": ("WTS", "green"), "buy": ("WTB", "blue"), "exchange": ("Swap", "orange")}


def slug(title: str) -> str:
    """XenForo's URL slug of a title: lower-case ASCII letters and digits joined by ``-``."""
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:60].strip("-")


def _route(kind: str, title: str, item: int) -> str:
    name = slug(title)
    return f"/{kind}/{name}.{item}/" if name else f"/{kind}/{item}/"


class XenforoSite:
    """A :class:`World` served as a XenForo 2.2 forum (a ``DemoSite`` for the demo server)."""

    def __init__(self, world: World | None = None) -> None:
        self.world = world or World(seed=SEED)

    def render(self, target: str) -> Page:
        """The page at ``target`` (path and query string)."""
        path, world = target.split("?")[0], self.world
        if path in ("/", "/forums/"):
            return html_page(200, _layout("Forums", self._index()))
        if path == "/robots.txt":
            return Page(200, TEXT_TYPE, ALLOW_ALL_ROBOTS.encode())
        if match := _ATTACHMENT.fullmatch(path):
            image = attachment(world.seed, attachment_path(int(match[1] or match[2])))
            if image is not None:
                return Page(200, PNG_TYPE, image)
        if match := re.fullmatch(r"/posts/(\d+)/", path):
            return self._to_post(int(match[1]))
        if match := _ROUTE.fullmatch(path):
            kind, item, page = match[1], int(match[3]), int(match[4] or 1)
            if kind == "threads" and match[5]:
                return self._to_post(int(match[5]))
            if kind == "forums" and item in world.board_ids():
                base = _route("forums", world.board_name(item), item)
                if not path.startswith(base) or match[4] == "1":
                    return _redirect(_paged(base, page))
                if 1 <= page <= world.board_page_count(item):
                    return html_page(200, self._board(item, page))
            if kind == "threads" and world.has_thread(item):
                base = _route("threads", world.thread(item).title, item)
                if not path.startswith(base) or match[4] == "1":
                    return _redirect(_paged(base, page))
                if 1 <= page <= world.thread_page_count(item):
                    return html_page(200, self._thread(item, page))
        notice = '<div class="blockMessage">The requested page could not be found.</div>'
        return html_page(404, _layout("Oops! We ran into some problems.", notice))

    def board_paths(self) -> list[str]:
        """The crawl's start paths: the first page of every forum."""
        return [self.board_path(fid, 1) for fid in self.world.board_ids()]

    def board_path(self, fid: int, page: int) -> str:
        """The path of page ``page`` of forum ``fid``."""
        return _paged(_route("forums", self.world.board_name(fid), fid), page)

    def thread_path(self, tid: int, page: int) -> str:
        """The path of page ``page`` of thread ``tid``."""
        return _paged(_route("threads", self.world.thread(tid).title, tid), page)

    def post_path(self, post: DemoPost) -> str:
        """A post's permalink as XenForo prints it (and the crawl stores it)."""
        return f"{_route('threads', post.title, post.thread_id)}post-{post.post_id}"

    def expected_sightings(self) -> set[tuple[str, str, str]]:
        """(post URL path, kind, value) for every handle every post publishes."""
        return {
            (self.post_path(post), kind, value)
            for post in self.world.posts()
            for kind, value in post.handles
        }

    def _to_post(self, pid: int) -> Page:
        world = self.world
        tid, index = (pid - 1) // world.posts_per_thread + 1, (pid - 1) % world.posts_per_thread
        if pid < 1 or not world.has_thread(tid) or index >= world.thread(tid).post_count:
            return html_page(404, _layout("Oops!", "<p>The requested post could not be found.</p>"))
        page = index // world.posts_per_page + 1
        base = _route("threads", world.thread(tid).title, tid)
        return _redirect(f"{base}{f'page-{page}' if page > 1 else ''}#post-{pid}")

    def _index(self) -> str:
        nodes = "".join(
            f'<div class="node node--forum"><div class="node-body"><div class="node-main">'
            f'<h3 class="node-title"><a href="{_route("forums", self.world.board_name(fid), fid)}"'
            f' data-xf-init="element-tooltip">{esc(self.world.board_name(fid))}</a></h3></div>'
            "</div></div>"
            for fid in self.world.board_ids()
        )
        return f'<div class="block-body">{nodes}</div>'

    def _board(self, fid: int, page: int) -> str:
        world = self.world
        base = _route("forums", world.board_name(fid), fid)
        nav = _page_nav(page, world.board_page_count(fid), lambda n: _paged(base, n))
        rows = "\n".join(self._row(tid) for tid in world.board_thread_ids(fid, page))
        content = (
            f'<div class="block block--thread-list"><div class="block-outer">{nav}</div>'
            '<div class="block-container"><div class="block-body"><div class="structItemContainer">'
            f'<div class="structItemContainer-group js-threadList">\n{rows}\n</div></div></div>'
            f'</div><div class="block-outer block-outer--after">{nav}</div></div>'
        )
        return _layout(world.board_name(fid), content)

    def _row(self, tid: int) -> str:
        world, thread = self.world, self.world.thread(tid)
        first, last = world.post(tid, 0, thread), world.post(tid, thread.post_count - 1, thread)
        base = _route("threads", thread.title, tid)
        forum = _route("forums", world.board_name(thread.board_id), thread.board_id)
        jumps = "".join(
            f'<a href="{base}page-{n}">{n}</a>' for n in range(2, world.thread_page_count(tid) + 1)
        )
        return (
            f'<div class="structItem structItem--thread js-inlineModContainer js-threadListItem-'
            f'{tid}" data-author="{esc(first.author)}"><div class="structItem-cell structItem-'
            f'cell--icon"><div class="structItem-iconContainer">{_avatar(first, "s")}</div></div>'
            '<div class="structItem-cell structItem-cell--main" data-xf-init="touch-proxy"><div '
            f'class="structItem-title">{_prefix(thread.type, forum)}<a href="{base}" class="" '
            f'data-tp-primary="on" data-xf-init="preview-tooltip" data-preview-url="{base}preview">'
            f'{esc(thread.title)}</a></div><div class="structItem-minor"><ul class="structItem-'
            f'parts"><li>{_user(first)}</li><li class="structItem-startDate"><a href="{base}" rel'
            f'="nofollow">{_time(first.posted_at, "u-dt")}</a></li></ul>'
            + (f'<span class="structItem-pageJump">{jumps}</span>' if jumps else "")
            + '</div></div><div class="structItem-cell structItem-cell--meta" title="First '
            'message reaction score: 0"><dl class="pairs pairs--justified"><dt>Replies</dt><dd>'
            f'{thread.post_count - 1}</dd></dl><dl class="pairs pairs--justified structItem-minor">'
            f'<dt>Views</dt><dd>{thread.views}</dd></dl></div><div class="structItem-cell '
            f'structItem-cell--latest"><a href="{base}latest" rel="nofollow">'
            f'{_time(last.posted_at, "structItem-latestDate u-dt")}</a><div class="structItem-'
            f'minor">{_user(last)}</div></div></div>'
        )

    def _thread(self, tid: int, page: int) -> str:
        world, thread = self.world, self.world.thread(tid)
        base = _route("threads", thread.title, tid)
        forum = _route("forums", world.board_name(thread.board_id), thread.board_id)
        nav = _page_nav(page, world.thread_page_count(tid), lambda n: _paged(base, n))
        first = (page - 1) * world.posts_per_page
        posts = "\n".join(
            self._post(post, base, first + n + 1)
            for n, post in enumerate(world.thread_posts(tid, page))
        )
        prefix = _prefix(thread.type, forum)
        if prefix:
            prefix += '<span class="label-append">&nbsp;</span>'
        content = (
            f'<div class="p-body-header"><div class="p-title "><h1 class="p-title-value">{prefix}'
            f"{esc(thread.title)}</h1></div></div>\n"
            f'<div class="block block--messages" data-type="post"><div class="block-outer">{nav}'
            f'</div><div class="block-container lbContainer" data-lb-id="thread-{tid}"><div class'
            f'="block-body js-replyNewMessageContainer">\n{posts}\n</div></div><div class="block-'
            f'outer block-outer--after">{nav}</div></div>'
        )
        return _layout(thread.title, content)

    def _post(self, post: DemoPost, base: str, number: int) -> str:
        pid = post.post_id
        body = "<br />\n".join(esc(line) for line in post.text.split("\n"))
        files = "".join(_attachment(path) for path in post.images)
        attachments = (
            '<section class="message-attachments"><h4 class="block-textHeader">Attachments</h4>'
            f'<ul class="attachmentList">{files}</ul></section>'
            if files
            else ""
        )
        link = f"{base}post-{pid}"
        return (
            f'<article class="message message--post js-post js-inlineModContainer" data-author='
            f'"{esc(post.author)}" data-content="post-{pid}" id="js-post-{pid}"><span class="u-'
            f'anchorTarget" id="post-{pid}"></span><div class="message-inner"><div class="message-'
            f'cell message-cell--user"><section class="message-user"><div class="message-avatar">'
            f'{_avatar(post, "m")}</div><div class="message-userDetails"><h4 class="message-name">'
            f'{_user(post)}</h4><h5 class="userTitle message-userTitle" dir="auto">Member</h5>'
            '</div></section></div><div class="message-cell message-cell--main"><div class="'
            'message-main js-quickEditTarget"><header class="message-attribution message-'
            'attribution--split"><ul class="message-attribution-main listInline "><li class="u-'
            f'concealed"><a href="{link}" rel="nofollow">{_time(post.posted_at, "u-dt")}</a></li>'
            '</ul><ul class="message-attribution-opposite message-attribution-opposite--list ">'
            f'<li><a href="{link}" class="message-attribution-gadget" data-xf-init="share-tooltip"'
            f' data-href="/posts/{pid}/share" aria-label="Share" rel="nofollow"><i class="fa--xf '
            f'far fa-share-alt" aria-hidden="true"></i></a></li><li><a href="{link}" rel="nofollow'
            f'">#{number}</a></li></ul></header><div class="message-content js-messageContent">'
            f'<div class="message-userContent lbContainer js-lbContainer" data-lb-id="post-{pid}">'
            '<article class="message-body js-selectToQuote"><div itemprop="text"><div class="'
            f'bbWrapper">{body}</div></div><div class="js-selectToQuoteEnd">&nbsp;</div></article>'
            f"</div>{attachments}</div></div></div></div></article>"
        )


def site_config(base_url: str, name: str = DEMO_SITE, world: World | None = None) -> SiteConfig:
    """The shipped demo-xenforo config, crawling a :class:`XenforoSite` at ``base_url``."""
    paths = XenforoSite(world).board_paths()
    return shipped_config("demo-xenforo", base_url, name=name, start_paths=paths, max_pages=100_000)


def _redirect(location: str) -> Page:
    return Page(301, TEXT_TYPE, b"", (("Location", location),))


def _paged(base: str, page: int) -> str:
    return base if page == 1 else f"{base}page-{page}"


def _time(stamp: str, classes: str) -> str:
    """XenForo's ``<time>``: ISO 8601 and Unix time in attributes, the date as text."""
    moment = datetime.fromisoformat(stamp)
    day = f"{moment:%b} {moment.day}, {moment.year}"
    clock = f"{moment.hour % 12 or 12}:{moment:%M} {'PM' if moment.hour >= 12 else 'AM'}"
    return (
        f'<time class="{classes}" dir="auto" datetime="{moment:%Y-%m-%dT%H:%M:%S%z}" data-time='
        f'"{int(moment.timestamp())}" data-date-string="{day}" data-time-string="{clock}" title='
        f'"{day} at {clock}">{day}</time>'
    )


def _user(post: DemoPost) -> str:
    member = _route("members", post.author, post.author_uid)
    return (
        f'<a href="{member}" class="username " dir="auto" data-user-id="{post.author_uid}" '
        f'data-xf-init="member-tooltip">{esc(post.author)}</a>'
    )


def _avatar(post: DemoPost, size: str) -> str:
    member, name = _route("members", post.author, post.author_uid), esc(post.author)
    return (
        f'<a href="{member}" class="avatar avatar--{size} avatar--default avatar--default--dynamic"'
        f' data-user-id="{post.author_uid}" data-xf-init="member-tooltip"><span class="avatar-u'
        f'{post.author_uid}-{size}" role="img" aria-label="{name}">{name[:1]}</span></a>'
    )


def _prefix(kind: str, forum: str) -> str:
    if kind not in _PREFIXES:
        return ""
    label, colour = _PREFIXES[kind]
    number = list(_PREFIXES).index(kind) + 1
    return (
        f'<a href="{forum}?prefix_id={number}" class="labelLink" rel="nofollow"><span class='
        f'"label label--{colour}" dir="auto">{label}</span></a>'
    )


def _attachment(path: str) -> str:
    number, name = attachment_id(path), path.rsplit("/", 1)[-1]
    digest = hashlib.md5(name.encode(), usedforsecurity=False).hexdigest()
    return (
        f'<li class="file file--linked"><a class="u-anchorTarget" id="attachment-{number}"></a>'
        f'<a class="file-preview js-lbImage" href="/attachments/{slug(name)}.{number}/" target='
        f'"_blank"><img src="/data/attachments/0/{number}-{digest}.jpg" alt="{esc(name)}" width='
        f'"250" height="250" loading="lazy" /></a><div class="file-content"><div class="file-info"'
        f'><span class="file-name" title="{esc(name)}">{esc(name)}</span><div class="file-meta">'
        "1.2 KB &middot; Views: 12</div></div></div></li>"
    )


def _page_nav(page: int, pages: int, url: Callable[[int], str]) -> str:
    """XenForo's ``pageNav``: prev, the page list, next (only when there is more than a page)."""
    if pages <= 1:
        return ""
    items = "".join(
        f'<li class="pageNav-page{" pageNav-page--current" if n == page else ""} ">'
        f'<a href="{url(n)}">{n}</a></li>'
        for n in range(1, pages + 1)
    )
    prev = (
        f'<a href="{url(page - 1)}" class="pageNav-jump pageNav-jump--prev">Prev</a>'
        if page > 1
        else ""
    )
    after = (
        f'<a href="{url(page + 1)}" class="pageNav-jump pageNav-jump--next">Next</a>'
        if page < pages
        else ""
    )
    return (
        f'<nav class="pageNavWrapper pageNavWrapper--mixed "><div class="pageNav  ">{prev}'
        f'<ul class="pageNav-main">{items}</ul>{after}</div></nav>'
    )


def _layout(title: str, content: str) -> str:
    return (
        '<!DOCTYPE html>\n<html id="XF" lang="en-US" dir="LTR" data-app="public" data-template='
        '"thread_view" class="has-no-js template-thread_view">\n<head>\n<meta charset="utf-8" />'
        f'\n<title>{esc(title)} | {_SITE}</title>\n</head>\n<body data-template="thread_view">'
        '\n<div class="p-pageWrapper" id="top"><header class="p-header" id="header"><div class='
        f'"p-header-logo"><a href="/">{_SITE}</a></div></header>\n<div class="p-body"><div class='
        f'"p-body-inner"><div class="p-body-main"><div class="p-body-content"><div class="p-body-'
        f'pageContent">\n{content}\n</div></div></div></div></div>\n<footer class="p-footer" id='
        '"footer"><div class="p-footer-copyright"><a href="https://xenforo.com" class="u-'
        'concealed" dir="ltr" target="_blank" rel="sponsored noopener">Community platform by '
        'XenForo<sup>&reg;</sup> <span class="copyright">&copy; 2010-2024 XenForo Ltd.</span>'
        "</a></div></footer>\n</div>\n</body>\n</html>\n"
    )
