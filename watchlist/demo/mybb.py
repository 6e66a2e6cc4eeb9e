"""The pages of a :class:`World` rendered as a MyBB 1.8 board (the default theme).

Routes, as MyBB's own without search-engine-friendly URLs: ``/index.php`` (forum index),
``/forumdisplay.php?fid=<fid>[&page=<n>]``, ``/showthread.php?tid=<tid>[&page=<n>]`` and
``/showthread.php?tid=<tid>&pid=<pid>`` (the page holding a post), ``/attachment.php?aid=<n>``,
``/robots.txt``. Markup follows the default theme's templates (``forumdisplay_thread``,
``postbit``, ``multipage``): thread rows ``tr.inline_row`` with the subject link in
``span#tid_<tid>``, replies as a ``misc.php?action=whoposted`` link, views, and
``span.lastpost``; posts ``div.post#post_<pid>`` with the author in ``.author_information
.largetext``, ``span.post_date`` in MyBB's default "m-d-Y, h:i A" (a post of the last hours
as "N hours ago" with the date in its ``title``; an edited post with its edit note inside the
date), the permalink ``showthread.php?tid=<tid>&pid=<pid>#pid<pid>`` in ``.post_head``, the
text in ``div.post_body`` and images in the attachments ``fieldset``; paging
``div.pagination a.pagination_next``. Text is HTML-escaped.
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

DEMO_SITE = "demo-mybb"
DEMO_PORT = 8773
SEED = 32
_SITE = "USDT OTC Community"


class MybbSite:
    """A :class:`World` served as a MyBB 1.8 board (a ``DemoSite`` for the demo server)."""

    def __init__(self, world: World | None = None) -> None:
        self.world = world or World(seed=SEED)

    def render(self, target: str) -> Page:
        """The page at ``target`` (path and query string)."""
        parts = urlsplit(target)
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        world = self.world
        if parts.path in ("/", "/index.php"):
            return html_page(200, _layout("index", _SITE, _index(world)))
        if parts.path == "/robots.txt":
            return Page(200, TEXT_TYPE, ALLOW_ALL_ROBOTS.encode())
        if parts.path == "/attachment.php":
            number = _int(query.get("aid", ""))
            image = attachment(world.seed, attachment_path(number)) if number >= 0 else None
            if image is not None:
                return Page(200, PNG_TYPE, image)
        page = _int(query.get("page", "1"))
        if parts.path == "/forumdisplay.php":
            fid = _int(query.get("fid", ""))
            if fid in world.board_ids() and 1 <= page <= world.board_page_count(fid):
                return html_page(200, self._forum(fid, page))
        if parts.path == "/showthread.php":
            tid = _int(query.get("tid", ""))
            if "pid" in query:
                page = self._page_of(tid, _int(query["pid"]))
            if world.has_thread(tid) and 1 <= page <= world.thread_page_count(tid):
                return html_page(200, self._thread(tid, page))
        error = '<table class="tborder"><tr><td class="thead"><strong>Error</strong></td></tr>'
        error += '<tr><td class="trow1">The specified thread does not exist.</td></tr></table>'
        return html_page(404, _layout("error", _SITE, error))

    def board_paths(self) -> list[str]:
        """The crawl's start paths: the first page of every forum."""
        return [self.board_path(fid, 1) for fid in self.world.board_ids()]

    def board_path(self, fid: int, page: int) -> str:
        """The path of page ``page`` of forum ``fid``."""
        return f"/forumdisplay.php?fid={fid}" + (f"&page={page}" if page > 1 else "")

    def thread_path(self, tid: int, page: int) -> str:
        """The path of page ``page`` of thread ``tid``."""
        return f"/showthread.php?tid={tid}" + (f"&page={page}" if page > 1 else "")

    def post_path(self, post: DemoPost) -> str:
        """A post's permalink as MyBB prints it (and the crawl stores it)."""
        return f"/showthread.php?tid={post.thread_id}&pid={post.post_id}#pid{post.post_id}"

    def expected_sightings(self) -> set[tuple[str, str, str]]:
        """(post URL path, kind, value) for every handle every post publishes."""
        return {
            (self.post_path(post), kind, value)
            for post in self.world.posts()
            for kind, value in post.handles
        }

    def _page_of(self, tid: int, pid: int) -> int:
        world = self.world
        index = pid - 1 - (tid - 1) * world.posts_per_thread
        if not world.has_thread(tid) or not 0 <= index < world.thread(tid).post_count:
            return 0
        return index // world.posts_per_page + 1

    def _forum(self, fid: int, page: int) -> str:
        world = self.world
        pagination = _pagination(
            page, world.board_page_count(fid), lambda n: self.board_path(fid, n)
        )
        rows = "\n".join(
            self._row(tid, n) for n, tid in enumerate(world.board_thread_ids(fid, page))
        )
        name = esc(world.board_name(fid))
        content = (
            f'<div class="float_left">{pagination}</div>\n<table border="0" cellspacing="0" '
            'cellpadding="5" class="tborder clear"><tr><td class="thead" colspan="6"><div>'
            f"<strong>{name}</strong></div></td></tr>\n"
            '<tr><td class="tcat" colspan="3" width="66%"><span class="smalltext"><strong>Thread'
            ' / Author</strong></span></td><td class="tcat" align="center" width="7%"><span '
            'class="smalltext"><strong>Replies</strong></span></td><td class="tcat" align="center"'
            ' width="7%"><span class="smalltext"><strong>Views</strong></span></td><td class='
            '"tcat" align="right" width="20%"><span class="smalltext"><strong>Last Post</strong>'
            f"</span></td></tr>\n{rows}\n</table>\n"
            f'<div class="float_left">{pagination}</div>'
        )
        return _layout("forumdisplay", world.board_name(fid), content)

    def _row(self, tid: int, n: int) -> str:
        world = self.world
        thread = world.thread(tid)
        first, last = world.post(tid, 0, thread), world.post(tid, thread.post_count - 1, thread)
        pages = world.thread_page_count(tid)
        jumps = " ".join(
            f'<a href="{self.thread_path(tid, p)}">{p}</a>' for p in range(1, pages + 1)
        )
        multipage = f' <span class="smalltext">(Pages: {jumps})</span>' if pages > 1 else ""
        bg = "trow1" if n % 2 == 0 else "trow2"
        return (
            f'<tr class="inline_row">\n<td align="center" class="{bg} forumdisplay_regular" '
            'width="2%"><span class="thread_status folder" title="No new posts.">&nbsp;</span>'
            f'</td>\n<td align="center" class="{bg} forumdisplay_regular" width="2%">&nbsp;</td>\n'
            f'<td class="{bg} forumdisplay_regular"><div><span> <span class=" subject_old" '
            f'id="tid_{tid}"><a href="{self.thread_path(tid, 1)}">{esc(thread.title)}</a></span>'
            f'{multipage}</span><div><span class="author smalltext">{_user(first)}, </span>'
            f'<span class="thread_start_datetime smalltext">{_shown(first)}</span></div></div>'
            f'</td>\n<td align="center" class="{bg} forumdisplay_regular"><a href="misc.php?action'
            f'=whoposted&amp;tid={tid}" onclick="MyBB.whoPosted({tid}); return false;">'
            f"{thread.post_count - 1}</a></td>\n"
            f'<td align="center" class="{bg} forumdisplay_regular">{thread.views}</td>\n'
            f'<td class="{bg} forumdisplay_regular" style="white-space: nowrap; text-align: right;'
            f'"><span class="lastpost smalltext">{_shown(last)}<br /><a href="showthread.php?tid='
            f'{tid}&amp;action=lastpost">Last Post</a>: {_user(last)}</span></td>\n</tr>'
        )

    def _thread(self, tid: int, page: int) -> str:
        world = self.world
        thread = world.thread(tid)
        pagination = _pagination(
            page, world.thread_page_count(tid), lambda n: self.thread_path(tid, n)
        )
        first = (page - 1) * world.posts_per_page
        posts = "\n".join(
            self._post(post, first + n + 1) for n, post in enumerate(world.thread_posts(tid, page))
        )
        content = (
            f'<div class="float_left">{pagination}</div>\n<table border="0" cellspacing="0" '
            'cellpadding="5" class="tborder tfixed clear"><tr><td class="thead"><div class='
            '"float_right"><span class="smalltext"><strong><a href="showthread.php?mode=threaded'
            f'&amp;tid={tid}">Threaded Mode</a></strong></span></div><div><strong>'
            f"{esc(thread.title)}</strong></div></td></tr>\n"
            f'<tr><td id="posts_container"><div id="posts">\n{posts}\n</div></td></tr></table>\n'
            f'<div class="float_left">{pagination}</div>'
        )
        return _layout("showthread", thread.title, content)

    def _post(self, post: DemoPost, number: int) -> str:
        pid = post.post_id
        body = "<br />\n".join(esc(line) for line in post.text.split("\n"))
        return (
            f'<a name="pid{pid}" id="pid{pid}"></a>\n<div class="post " style="" id="post_{pid}">\n'
            '<div class="post_author"><div class="author_information"><strong><span class='
            f'"largetext">{_user(post)}</span></strong><br /><span class="smalltext">Member<br />'
            '</span></div><div class="author_statistics">Posts: '
            f"{post.author_uid * 7 % 300 + 1}<br />Threads: 3<br />Joined: Mar 2025</div></div>\n"
            '<div class="post_content"><div class="post_head"><div class="float_right" style='
            f'"vertical-align: top"><strong><a href="showthread.php?tid={post.thread_id}&amp;pid='
            f'{pid}#pid{pid}" title="{esc(post.title)}">#{number}</a></strong></div>\n'
            f'<span class="post_date">{_post_date(post, number)}</span></div>\n'
            f'<div class="post_body scaleimages" id="pid_{pid}">\n{body}\n</div>\n'
            f"{_attachments(post)}"
            f'<div class="post_meta" id="post_meta_{pid}"></div></div>\n'
            '<div class="post_controls"><div class="postbit_buttons author_buttons float_left">'
            f'<a href="search.php?action=finduser&amp;uid={post.author_uid}" title="Find all '
            'posts by this user" class="postbit_find"><span>Find</span></a></div><div class='
            '"postbit_buttons post_management_buttons float_right"><a href="newreply.php?tid='
            f'{post.thread_id}&amp;replyto={pid}" title="Quote this message in a reply" class='
            '"postbit_quote postbit_mirage"><span>Reply</span></a></div></div>\n</div>'
        )


def site_config(base_url: str, name: str = DEMO_SITE, world: World | None = None) -> SiteConfig:
    """The shipped demo-mybb config, crawling a :class:`MybbSite` served at ``base_url``."""
    paths = MybbSite(world).board_paths()
    return shipped_config(DEMO_SITE, base_url, name=name, start_paths=paths, max_pages=100_000)


def _int(text: str) -> int:
    return int(text) if text.isdigit() else -1


def _shown(post: DemoPost) -> str:
    """MyBB's default date and time: "m-d-Y, h:i A" (no seconds)."""
    return datetime.fromisoformat(post.posted_at).strftime("%m-%d-%Y, %I:%M %p")


def _post_date(post: DemoPost, number: int) -> str:
    """A post's date as MyBB's postbit shows it: plain, relative, or with its edit note."""
    shown = _shown(post)
    if number % 7 == 3:  # a post of the last 12 hours: relative, the real date in the title
        return f'<span title="{shown}">{number % 11 + 1} hours ago</span>'
    edit = ""
    if number % 5 == 2:
        moment = datetime.fromisoformat(post.posted_at)
        edited = moment.replace(minute=(moment.minute + 7) % 60)
        edit = (
            f'<span class="edited_post">(This post was last modified: '
            f"{edited.strftime('%m-%d-%Y, %I:%M %p')} by {_user(post)}.)</span>"
        )
    return f'{shown} <span class="post_edit" id="edited_by_{post.post_id}">{edit}</span>'


def _user(post: DemoPost) -> str:
    return f'<a href="member.php?action=profile&amp;uid={post.author_uid}">{esc(post.author)}</a>'


def _attachments(post: DemoPost) -> str:
    if not post.images:
        return ""
    images = "".join(
        f'<img src="attachment.php?aid={attachment_id(path)}" class="attachment" alt="" title='
        f'"Filename: {esc(path.rsplit("/", 1)[-1])}" />&nbsp;&nbsp;&nbsp;'
        for path in post.images
    )
    return (
        "<br />\n<br />\n<fieldset>\n<legend><strong>Attached Files</strong></legend>\n"
        f'<span class="smalltext"><strong>Image(s)</strong></span><br />\n{images}\n<br />\n'
        "</fieldset>\n"
    )


def _pagination(page: int, pages: int, link: Callable[[int], str]) -> str:
    """MyBB's ``multipage``: previous, the pages, next."""
    if pages <= 1:
        return ""
    items = [f'<span class="pages">Pages ({pages}):</span>']
    if page > 1:
        items.append(f'<a href="{link(page - 1)}" class="pagination_previous">&laquo; Previous</a>')
    for number in range(1, pages + 1):
        if number == page:
            items.append(f' <span class="pagination_current">{number}</span>')
        else:
            items.append(f'<a href="{link(number)}" class="pagination_page">{number}</a>')
    if page < pages:
        items.append(f'<a href="{link(page + 1)}" class="pagination_next">Next &raquo;</a>')
    return f'<div class="pagination">\n{"".join(items)}\n</div>'


def _index(world: World) -> str:
    rows = "".join(
        f'<tr><td class="trow1"><strong><a href="forumdisplay.php?fid={fid}">'
        f'{esc(world.board_name(fid))}</a></strong></td><td class="trow1" align="center">'
        f"{world.threads_per_board}</td></tr>"
        for fid in world.board_ids()
    )
    return (
        '<table border="0" cellspacing="0" cellpadding="5" class="tborder"><thead><tr><td class='
        f'"thead" colspan="2"><div><strong>{_SITE}</strong></div></td></tr></thead>'
        f"<tbody>{rows}</tbody></table>"
    )


def _layout(template: str, title: str, content: str) -> str:
    return (
        '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/'
        'xhtml1/DTD/xhtml1-transitional.dtd"><!-- start: ' + template + " -->\n"
        '<html xml:lang="en" lang="en" xmlns="http://www.w3.org/1999/xhtml">\n<head>\n'
        f"<title>{esc(title)}</title>\n<!-- start: headerinclude -->\n"
        '<meta http-equiv="Content-Type" content="text/html; charset=UTF-8" />\n'
        '<script type="text/javascript" src="https://127.0.0.1/jscripts/general.js?ver=1827">'
        "</script>\n"
        '<link type="text/css" rel="stylesheet" href="cache/themes/theme1/global.css?t=1" />\n'
        '<script type="text/javascript">\n<!--\n\tvar cookieDomain = "";\n\tvar cookiePath = "/";'
        '\n\tvar my_post_key = "0d1e5f3a9b7c2d4e6f8a0b1c3d5e7f9a";\n// -->\n</script>\n'
        "<!-- end: headerinclude -->\n</head>\n<body>\n<!-- start: header -->\n"
        '<div id="container"><a name="top" id="top"></a><div id="header"><div id="logo"><div '
        f'class="wrapper"><a href="index.php">{_SITE}</a></div></div></div>\n'
        '<div id="content"><div class="wrapper">\n<!-- end: header -->\n'
        f"{content}\n"
        '<!-- start: footer -->\n</div></div>\n<div id="footer"><div class="lower"><div class='
        '"wrapper"><span id="copyright">Powered By <a href="https://mybb.com" target="_blank" '
        'rel="noopener">MyBB</a>, &copy; 2002-2026 <a href="https://mybb.com" target="_blank" '
        'rel="noopener">MyBB Group</a>.</span></div></div></div></div>\n<!-- end: footer -->\n'
        f"</body>\n</html>\n<!-- end: {template} -->\n"
    )
