"""The pages of a :class:`World` rendered as a phpBB 3.3 board (prosilver style).

Routes, as phpBB's own: ``/index.php`` (board index), ``/viewforum.php?f=<fid>[&start=<n>]``
(a forum's topic list), ``/viewtopic.php?t=<tid>[&start=<n>]`` (a topic page) and
``/viewtopic.php?p=<pid>`` (the page holding a post), ``/download/file.php?id=<n>`` (attachments),
``/robots.txt``. Markup follows prosilver: topic rows ``ul.topiclist.topics > li.row`` with
``a.topictitle``, ``dd.posts``, ``dd.views``, ``dd.lastpost``; posts ``div.post#p<pid>`` with the
author in ``dl.postprofile``, ``<time datetime>`` in ``p.author``, the text in ``div.content``,
images in ``dl.attachbox``; pagination ``li.arrow.next a[rel=next]``. Text is HTML-escaped.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from urllib.parse import parse_qs, urlsplit

from watchlist.demo.configs import shipped_config
from watchlist.demo.images import attachment, attachment_id, attachment_path
from watchlist.demo.page import ALLOW_ALL_ROBOTS, PNG_TYPE, TEXT_TYPE, Page, esc, html_page
from watchlist.demo.world import DemoPost, World
from watchlist.sites import SiteConfig

DEMO_SITE = "demo-phpbb"
SEED = 21
_SITE = "OTC Board"


class PhpbbSite:
    """A :class:`World` served as a phpBB 3.3 board (a ``DemoSite`` for the demo server)."""

    def __init__(self, world: World | None = None) -> None:
        self.world = world or World(seed=SEED)

    def render(self, target: str) -> Page:
        """The page at ``target`` (path and query string)."""
        parts = urlsplit(target)
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        world = self.world
        if parts.path in ("/", "/index.php"):
            return html_page(200, _layout("Index page", _index(world)))
        if parts.path == "/robots.txt":
            return Page(200, TEXT_TYPE, ALLOW_ALL_ROBOTS.encode())
        if parts.path == "/download/file.php" and (image := _download(world, query)) is not None:
            return Page(200, PNG_TYPE, image)
        start = _int(query.get("start", "0"))
        if parts.path == "/viewforum.php":
            fid = _int(query.get("f", ""))
            page = _page(start, world.threads_per_page)
            if fid in world.board_ids() and page and page <= world.board_page_count(fid):
                return html_page(200, _board(world, fid, page))
        if parts.path == "/viewtopic.php":
            tid, page = _int(query.get("t", "")), _page(start, world.posts_per_page)
            if "p" in query:
                tid, page = _topic_of(world, _int(query["p"]))
            if world.has_thread(tid) and page and page <= world.thread_page_count(tid):
                return html_page(200, _topic(world, tid, page))
        body = '<div class="panel"><div class="inner"><h2 class="message-title">Information</h2>'
        body += "<p>The requested topic does not exist.</p></div></div>"
        return html_page(404, _layout("Information", body))

    def board_paths(self) -> list[str]:
        """The crawl's start paths: the first page of every forum."""
        return [self.board_path(fid, 1) for fid in self.world.board_ids()]

    def board_path(self, fid: int, page: int) -> str:
        """The path of page ``page`` of forum ``fid``."""
        start = (page - 1) * self.world.threads_per_page
        return f"/viewforum.php?f={fid}" + (f"&start={start}" if start else "")

    def thread_path(self, tid: int, page: int) -> str:
        """The path of page ``page`` of topic ``tid``."""
        start = (page - 1) * self.world.posts_per_page
        return f"/viewtopic.php?t={tid}" + (f"&start={start}" if start else "")

    def post_path(self, post: DemoPost) -> str:
        """A post's permalink as phpBB prints it (and the crawl stores it)."""
        return f"/viewtopic.php?p={post.post_id}#p{post.post_id}"

    def expected_sightings(self) -> set[tuple[str, str, str]]:
        """(post URL path, kind, value) for every handle every post publishes."""
        return {
            (self.post_path(post), kind, value)
            for post in self.world.posts()
            for kind, value in post.handles
        }


def site_config(base_url: str, name: str = DEMO_SITE, world: World | None = None) -> SiteConfig:
    """The shipped demo-phpbb config, crawling a :class:`PhpbbSite` served at ``base_url``."""
    paths = PhpbbSite(world).board_paths()
    return shipped_config("demo-phpbb", base_url, name=name, start_paths=paths, max_pages=100_000)


def _download(world: World, query: dict[str, str]) -> bytes | None:
    number = _int(query.get("id", ""))
    return attachment(world.seed, attachment_path(number)) if number >= 0 else None


def _int(text: str) -> int:
    return int(text) if text.isdigit() else -1


def _page(start: int, per_page: int) -> int:
    """The page number a ``start`` offset names, or 0 when it names none."""
    return start // per_page + 1 if start >= 0 and start % per_page == 0 else 0


def _topic_of(world: World, pid: int) -> tuple[int, int]:
    tid, index = (pid - 1) // world.posts_per_thread + 1, (pid - 1) % world.posts_per_thread
    if pid < 1 or not world.has_thread(tid) or index >= world.thread(tid).post_count:
        return -1, 0
    return tid, index // world.posts_per_page + 1


def _date(stamp: str) -> tuple[str, str]:
    """(RFC 3339, phpBB's default "D M d, Y g:i a") of an ISO time."""
    moment = datetime.fromisoformat(stamp)
    hour = moment.hour % 12 or 12
    shown = moment.strftime(f"%a %b %d, %Y {hour}:%M ") + ("pm" if moment.hour >= 12 else "am")
    return moment.isoformat(), shown


def _time(stamp: str) -> str:
    rfc3339, shown = _date(stamp)
    return f'<time datetime="{rfc3339}">{shown}</time>'


def _user(uid: int, name: str) -> str:
    return (
        f'<a href="./memberlist.php?mode=viewprofile&amp;u={uid}" class="username">{esc(name)}</a>'
    )


def _layout(title: str, content: str, crumbs: str = "") -> str:
    return (
        '<!DOCTYPE html>\n<html dir="ltr" lang="en-gb">\n<head>\n<meta charset="utf-8" />\n'
        f"<title>{esc(title)} - {_SITE}</title>\n"
        '<link href="./styles/prosilver/theme/stylesheet.css?assets_version=7" rel="stylesheet">'
        '\n</head>\n<body id="phpbb" class="nojs notouch section-viewforum ltr ">\n'
        '<div id="wrap" class="wrap">\n<a id="top" class="top-anchor" accesskey="t"></a>\n'
        '<div id="page-header"><div class="headerbar" role="banner"><div class="inner">'
        f'<div id="site-description"><h1>{_SITE}</h1></div></div></div>\n'
        '<div class="navbar" role="navigation"><ul id="nav-breadcrumbs" class="nav-breadcrumbs '
        'linklist navlinks" role="menubar"><li class="breadcrumbs"><span class="crumb">'
        f'<a href="./index.php" data-navbar-reference="index"><span>Board index</span></a></span>'
        f"{crumbs}</li></ul></div></div>\n"
        f'<div id="page-body" class="page-body" role="main">\n{content}\n</div>\n'
        '<div id="page-footer" class="page-footer" role="contentinfo"><div class="copyright">'
        'Powered by <a href="https://www.phpbb.com/">phpBB</a>&reg; Forum Software &copy; phpBB '
        "Limited</div></div>\n</div>\n</body>\n</html>\n"
    )


def _pagination(page: int, pages: int, url: Callable[[int], str], total: str) -> str:
    """prosilver's ``div.pagination``: previous, a window of pages, next."""
    if pages <= 1:
        only = "Page <strong>1</strong> of <strong>1</strong>"
        return f'<div class="pagination">{total} &bull; {only}</div>'
    items = []
    if page > 1:
        items.append(
            f'<li class="arrow previous"><a class="button button-icon-only" href="{url(page - 1)}" '
            'rel="prev" role="button"><i class="icon fa-chevron-left fa-fw" aria-hidden="true">'
            '</i><span class="sr-only">Previous</span></a></li>'
        )
    for number in range(1, pages + 1):
        if number == page:
            items.append(f'<li class="active"><span>{number}</span></li>')
        else:
            items.append(
                f'<li><a class="button" href="{url(number)}" role="button">{number}</a></li>'
            )
    if page < pages:
        items.append(
            f'<li class="arrow next"><a class="button button-icon-only" href="{url(page + 1)}" '
            'rel="next" role="button"><i class="icon fa-chevron-right fa-fw" aria-hidden="true">'
            '</i><span class="sr-only">Next</span></a></li>'
        )
    return f'<div class="pagination">{total} &bull; <ul>{"".join(items)}</ul></div>'


def _index(world: World) -> str:
    rows = "".join(
        f'<li class="row"><dl class="row-item forum_read"><dt><div class="list-inner">'
        f'<a href="./viewforum.php?f={fid}" class="forumtitle">{esc(world.board_name(fid))}</a>'
        f'</div></dt><dd class="topics">{world.threads_per_board} <dfn>Topics</dfn></dd></dl></li>'
        for fid in world.board_ids()
    )
    return (
        '<div class="forabg"><div class="inner"><ul class="topiclist"><li class="header"><dl '
        'class="row-item"><dt><div class="list-inner">Forum</div></dt></dl></li></ul>'
        f'<ul class="topiclist forums">{rows}</ul></div></div>'
    )


def _board(world: World, fid: int, page: int) -> str:
    per_page = world.threads_per_page

    def url(number: int) -> str:
        start = (number - 1) * per_page
        return f"./viewforum.php?f={fid}" + (f"&amp;start={start}" if start else "")

    total = f"{world.threads_per_board} topics"
    pagination = _pagination(page, world.board_page_count(fid), url, total)
    rows = [_topic_row(world, tid, n) for n, tid in enumerate(world.board_thread_ids(fid, page))]
    name = esc(world.board_name(fid))
    content = (
        f'<h2 class="forum-title"><a href="./viewforum.php?f={fid}">{name}</a></h2>\n'
        '<div class="action-bar bar-top"><a href="./posting.php?mode=post&amp;f='
        f'{fid}" class="button" title="Post a new topic"><span>New Topic</span> <i class="icon '
        f'fa-pencil fa-fw" aria-hidden="true"></i></a>{pagination}</div>\n'
        '<div class="forumbg"><div class="inner"><ul class="topiclist"><li class="header"><dl '
        'class="row-item"><dt><div class="list-inner">Topics</div></dt><dd class="posts">Replies'
        '</dd><dd class="views">Views</dd><dd class="lastpost"><span>Last post</span></dd></dl>'
        '</li></ul>\n<ul class="topiclist topics">\n' + "\n".join(rows) + "\n</ul></div></div>\n"
        f'<div class="action-bar bar-bottom">{pagination}</div>'
    )
    crumb = (
        '<span class="crumb"><a href="./viewforum.php?f='
        f'{fid}" data-forum-id="{fid}"><span>{name}</span></a></span>'
    )
    return _layout(world.board_name(fid), content, crumb)


def _topic_row(world: World, tid: int, n: int) -> str:
    thread = world.thread(tid)
    first, last = world.post(tid, 0, thread), world.post(tid, thread.post_count - 1, thread)
    pages = world.thread_page_count(tid)
    jumps = "".join(
        f'<li><a class="button" href="./viewtopic.php?t={tid}'
        f'{f"&amp;start={(p - 1) * world.posts_per_page}" if p > 1 else ""}">{p}</a></li>'
        for p in range(1, pages + 1)
    )
    mini = (
        '<div class="pagination"><span><i class="icon fa-clone fa-fw" aria-hidden="true"></i>'
        f"</span><ul>{jumps}</ul></div>"
        if pages > 1
        else ""
    )
    return (
        f'<li class="row bg{2 - n % 2}"><dl class="row-item topic_read"><dt title="No unread '
        f'posts"><div class="list-inner"><a href="./viewtopic.php?t={tid}" class="topictitle">'
        f"{esc(thread.title)}</a><br />"
        '<div class="topic-poster responsive-hide left-box">'
        f"by {_user(first.author_uid, first.author)} &raquo; {_time(first.posted_at)}</div>"
        f"{mini}</div></dt>"
        f'<dd class="posts">{thread.post_count - 1} <dfn>Replies</dfn></dd>'
        f'<dd class="views">{thread.views} <dfn>Views</dfn></dd>'
        f'<dd class="lastpost"><span><dfn>Last post </dfn>by {_user(last.author_uid, last.author)}'
        f' <a href="./viewtopic.php?p={last.post_id}#p{last.post_id}" title="Go to last post">'
        '<i class="icon fa-external-link-square fa-fw icon-lightgray icon-md" aria-hidden="true">'
        f'</i><span class="sr-only">View the latest post</span></a><br />{_time(last.posted_at)}'
        "</span></dd></dl></li>"
    )


def _attachbox(post: DemoPost) -> str:
    if not post.images:
        return ""
    files = "".join(
        f'<dd><dl class="file"><dt class="attach-image"><img class="postimage" src="./download/'
        f'file.php?id={attachment_id(path)}" alt="{esc(path.rsplit("/", 1)[-1])}" onclick="'
        'viewableArea(this);" /></dt><dd>'
        f"{esc(path.rsplit('/', 1)[-1])} Viewed 12 times</dd></dl></dd>"
        for path in post.images
    )
    return f'<dl class="attachbox"><dt>Attachments</dt>{files}</dl>'


def _post(post: DemoPost, n: int, first: bool) -> str:
    pid = post.post_id
    subject = esc(post.title if first else f"Re: {post.title}")
    body = "<br>\n".join(esc(line) for line in post.text.split("\n"))
    permalink = f"./viewtopic.php?p={pid}#p{pid}"
    h3 = '<h3 class="first">' if first else "<h3>"
    return (
        f'<div id="p{pid}" class="post has-profile bg{2 - n % 2}"><div class="inner">'
        f'<dl class="postprofile" id="profile{pid}"><dt class="no-profile-rank no-avatar">'
        f'<div class="avatar-container"></div>{_user(post.author_uid, post.author)}</dt>'
        '<dd class="profile-posts"><strong>Posts:</strong> <a href="./search.php?author_id='
        f'{post.author_uid}&amp;sr=posts">{post.author_uid * 7 % 300 + 1}</a></dd></dl>\n'
        f'<div class="postbody"><div id="post_content{pid}">'
        f'{h3}<a href="{permalink}">{subject}</a></h3>'
        '<ul class="post-buttons"><li><a href="./posting.php?mode=quote&amp;p='
        f'{pid}" title="Reply with quote" class="button button-icon-only"><i class="icon '
        'fa-quote-left fa-fw" aria-hidden="true"></i><span class="sr-only">Quote</span></a></li>'
        f'</ul><p class="author"><a class="unread" href="{permalink}" title="Post"><i class="icon '
        'fa-file fa-fw icon-lightgray icon-md" aria-hidden="true"></i><span class="sr-only">Post'
        '</span></a><span class="responsive-hide">by <strong>'
        f"{_user(post.author_uid, post.author)}</strong> &raquo; </span>{_time(post.posted_at)}"
        f'</p>\n<div class="content">{body}</div>\n{_attachbox(post)}</div></div>\n'
        '<div class="back2top"><a href="#top" class="top" title="Top"><i class="icon '
        'fa-chevron-circle-up fa-fw icon-gray" aria-hidden="true"></i><span class="sr-only">Top'
        '</span></a></div></div></div>\n<hr class="divider" />'
    )


def _topic(world: World, tid: int, page: int) -> str:
    thread = world.thread(tid)
    per_page = world.posts_per_page

    def url(number: int) -> str:
        start = (number - 1) * per_page
        return f"./viewtopic.php?t={tid}" + (f"&amp;start={start}" if start else "")

    total = f"{thread.post_count} posts"
    pagination = _pagination(page, world.thread_page_count(tid), url, total)
    posts = world.thread_posts(tid, page)
    first = (page - 1) * per_page
    title = esc(thread.title)
    content = (
        f'<h2 class="topic-title"><a href="./viewtopic.php?t={tid}">{title}</a></h2>\n'
        '<div class="action-bar bar-top"><a href="./posting.php?mode=reply&amp;t='
        f'{tid}" class="button" title="Post a reply"><span>Post Reply</span></a>{pagination}'
        "</div>\n"
        + "\n".join(_post(post, n, first + n == 0) for n, post in enumerate(posts))
        + f'\n<div class="action-bar bar-bottom">{pagination}</div>'
    )
    fid = thread.board_id
    crumb = (
        '<span class="crumb"><a href="./viewforum.php?f='
        f'{fid}" data-forum-id="{fid}"><span>{esc(world.board_name(fid))}</span></a></span>'
    )
    return _layout(thread.title, content, crumb)
