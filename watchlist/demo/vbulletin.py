"""The pages of a :class:`World` rendered as a vBulletin 4 or vBulletin 5 forum.

vBulletin is not open source: this markup is modelled on public descriptions of its pages
(tools that read vBulletin threads describe the elements they take), not on its templates.

vBulletin 4 (``version=4``, the default style): ``/forumdisplay.php?f=<id>[&page=<n>]``,
``/showthread.php?t=<id>[&page=<n>]``, permalinks ``showthread.php?t=<id>&p=<pid>&viewfull=1
#post<pid>`` (``a.postcounter``), ``/attachment.php?attachmentid=<n>``. Thread rows
``ol#threads > li.threadbit`` with ``h3.threadtitle a.title`` and ``ul.threadstats`` (replies,
then views); posts ``ol#posts > li.postcontainer#post_<pid>`` with ``div.userinfo
a.username``, ``span.postdate span.date`` ("01-05-2026, 10:00 AM"), the text in
``div#post_message_<pid> > blockquote.postcontent``, images in ``div.attachments``; paging
``span.prev_next a[rel=next]``.

vBulletin 5 (``version=5``): channels ``/forum/otc-<id>[/page<n>]``, topics
``/forum/otc-<id>/<tid>-<slug>[/page<n>]``, permalinks ``<topic>?p=<node>#post<node>``
(``a.b-post__count``). Topic rows ``tr.topic-item`` with ``a.topic-title`` and
``.cell-count .posts-count``; posts ``ul.conversation-list > li.b-post[data-node-id]`` with
``div[itemprop=author] .author``, ``<time itemprop=dateCreated datetime>`` and the text in
``div[itemprop=text]``; paging ``<link rel="next">``. Text is HTML-escaped.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from urllib.parse import parse_qs, urlsplit

from watchlist.demo.configs import shipped_config
from watchlist.demo.images import attachment, attachment_id, attachment_path
from watchlist.demo.page import ALLOW_ALL_ROBOTS, PNG_TYPE, TEXT_TYPE, Page, esc, html_page
from watchlist.demo.world import DemoPost, World
from watchlist.sites import SiteConfig

DEMO_SITE = "demo-vbulletin"
DEMO_PORT = 8774
SEED = 33
SEED_5 = 34
NODE = 100_000  # vBulletin 5 post node ids: the world's post id plus this
_SITE = "OTC Exchange Forums"
_CHANNEL = re.compile(r"/forum/otc-(\d+)(?:/(\d+)-[a-z0-9-]+)?(?:/page(\d+))?")


class VbulletinSite:
    """A :class:`World` served as vBulletin ``version`` 4 or 5 (a ``DemoSite``)."""

    def __init__(self, world: World | None = None, version: int = 4) -> None:
        self.world = world or World(seed=SEED if version == 4 else SEED_5)
        self.version = version

    def render(self, target: str) -> Page:
        """The page at ``target`` (path and query string)."""
        parts = urlsplit(target)
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        world = self.world
        if parts.path == "/robots.txt":
            return Page(200, TEXT_TYPE, ALLOW_ALL_ROBOTS.encode())
        if parts.path == "/attachment.php":
            number = _int(query.get("attachmentid", ""))
            image = attachment(world.seed, attachment_path(number)) if number >= 0 else None
            if image is not None:
                return Page(200, PNG_TYPE, image)
        if self.version == 4:
            page = _int(query.get("page", "1"))
            if parts.path == "/forumdisplay.php":
                fid = _int(query.get("f", ""))
                if fid in world.board_ids() and 1 <= page <= world.board_page_count(fid):
                    return html_page(
                        200, self._layout(world.board_name(fid), self._board4(fid, page))
                    )
            if parts.path == "/showthread.php":
                tid = _int(query.get("t", ""))
                if world.has_thread(tid) and 1 <= page <= world.thread_page_count(tid):
                    return html_page(
                        200, self._layout(world.thread(tid).title, self._thread4(tid, page))
                    )
        elif match := _CHANNEL.fullmatch(parts.path):
            fid, tid, page = int(match[1]), int(match[2] or 0), int(match[3] or 1)
            board = tid == 0 and fid in world.board_ids() and page <= world.board_page_count(fid)
            topic = tid > 0 and world.has_thread(tid) and world.thread(tid).board_id == fid
            if match[3] != "1" and board:  # page 1 has no /page1 URL of its own
                return self._page5(world.board_name(fid), self._board5(fid, page), fid, page, 0)
            if match[3] != "1" and topic and page <= world.thread_page_count(tid):
                return self._page5(
                    world.thread(tid).title, self._thread5(tid, page), fid, page, tid
                )
        return html_page(
            404,
            self._layout("Error", '<div class="blockrow restore">Invalid Thread specified.</div>'),
        )

    def board_paths(self) -> list[str]:
        """The crawl's start paths: the first page of every forum (channel)."""
        return [self.board_path(fid, 1) for fid in self.world.board_ids()]

    def board_path(self, fid: int, page: int) -> str:
        """The path of page ``page`` of forum ``fid``."""
        if self.version == 4:
            return f"/forumdisplay.php?f={fid}" + (f"&page={page}" if page > 1 else "")
        return f"/forum/otc-{fid}" + (f"/page{page}" if page > 1 else "")

    def thread_path(self, tid: int, page: int) -> str:
        """The path of page ``page`` of thread ``tid``."""
        if self.version == 4:
            return f"/showthread.php?t={tid}" + (f"&page={page}" if page > 1 else "")
        fid = self.world.thread(tid).board_id
        return f"/forum/otc-{fid}/{tid}-otc-topic-{tid}" + (f"/page{page}" if page > 1 else "")

    def post_path(self, post: DemoPost) -> str:
        """A post's permalink as vBulletin prints it (and the crawl stores it)."""
        pid = post.post_id
        if self.version == 4:
            return f"/showthread.php?t={post.thread_id}&p={pid}&viewfull=1#post{pid}"
        node = NODE + pid
        return f"{self.thread_path(post.thread_id, 1)}?p={node}#post{node}"

    def expected_sightings(self) -> set[tuple[str, str, str]]:
        """(post URL path, kind, value) for every handle every post publishes."""
        return {
            (self.post_path(post), kind, value)
            for post in self.world.posts()
            for kind, value in post.handles
        }

    # ---- vBulletin 4 ------------------------------------------------------------------------

    def _board4(self, fid: int, page: int) -> str:
        world = self.world
        rows = "\n".join(self._row4(tid) for tid in world.board_thread_ids(fid, page))
        nav = self._pagenav4(page, world.board_page_count(fid), lambda n: self.board_path(fid, n))
        return (
            f'<div id="pagetitle"><h1>Forum: <span class="forumtitle">{esc(world.board_name(fid))}'
            f'</span></h1></div>\n<div id="above_threadlist" class="above_threadlist">{nav}</div>\n'
            '<div id="threadlist" class="threadlist"><ol id="threads" class="threads">\n'
            f'{rows}\n</ol></div>\n<div id="below_threadlist">{nav}</div>'
        )

    def _row4(self, tid: int) -> str:
        world = self.world
        thread = world.thread(tid)
        first, last = world.post(tid, 0, thread), world.post(tid, thread.post_count - 1, thread)
        return (
            f'<li class="threadbit " id="thread_{tid}"><div class="rating0 nonsticky"><div class='
            '"threadinfo" title=""><div class="inner"><h3 class="threadtitle"><a class="title" '
            f'href="{self.thread_path(tid, 1)}" id="thread_title_{tid}">{esc(thread.title)}</a>'
            '</h3><div class="threadmeta"><div class="author"><span class="label">Started by '
            f'<a href="member.php?u={first.author_uid}" class="username understate">'
            f"{esc(first.author)}</a>, {_shown4(first)}</span></div></div></div></div>\n"
            f'<ul class="threadstats td alt" title=""><li>Replies: <a href="misc.php?do='
            f'whoposted&amp;t={tid}" class="understate">{thread.post_count - 1}</a></li>'
            f"<li>Views: {thread.views}</li></ul>\n"
            '<dl class="threadlastpost td"><dt class="lastpostby hidden">Last Post By:</dt><dd>'
            f'<div class="popupmenu memberaction"><a class="username offline" href="member.php?u='
            f'{last.author_uid}"><strong>{esc(last.author)}</strong></a></div></dd><dd>'
            f"{_shown4(last)}</dd></dl></div></li>"
        )

    def _thread4(self, tid: int, page: int) -> str:
        world = self.world
        thread = world.thread(tid)
        nav = self._pagenav4(page, world.thread_page_count(tid), lambda n: self.thread_path(tid, n))
        first = (page - 1) * world.posts_per_page
        posts = "\n".join(
            self._post4(post, first + n + 1) for n, post in enumerate(world.thread_posts(tid, page))
        )
        return (
            f'<div id="pagetitle"><h1>Thread: <span class="threadtitle"><a href="'
            f'{self.thread_path(tid, 1)}" title="Reload this Page">{esc(thread.title)}</a></span>'
            f'</h1></div>\n<div id="pagination_top" class="pagination_top">{nav}</div>\n'
            f'<div id="postlist" class="postlist restrain"><ol id="posts" class="posts" start="1">'
            f'\n{posts}\n</ol></div>\n<div id="pagination_bottom">{nav}</div>'
        )

    def _post4(self, post: DemoPost, number: int) -> str:
        pid = post.post_id
        body = "<br />\n".join(esc(line) for line in post.text.split("\n"))
        images = "".join(
            f'<li><img class="thumbnail" src="attachment.php?attachmentid={attachment_id(path)}'
            f'&amp;d=1767225600&amp;thumb=1" alt="{esc(path.rsplit("/", 1)[-1])}" /></li>'
            for path in post.images
        )
        attachments = (
            '<div class="attachments"><fieldset class="postcontent"><legend>Attached Thumbnails'
            f"</legend><ul>{images}</ul></fieldset></div>"
            if images
            else ""
        )
        link = f"showthread.php?t={post.thread_id}&amp;p={pid}&amp;viewfull=1#post{pid}"
        return (
            f'<li class="postbitlegacy postbitim postcontainer old" id="post_{pid}">\n'
            f'<div class="posthead"><span class="postdate old"><span class="date">{_date4(post)}'
            '</span></span><span class="nodecontrols"><a name="post'
            f'{pid}" href="{link}" class="postcounter">#{number}</a><a id="postcount{pid}" '
            f'name="{number}"></a></span></div>\n<div class="postdetails"><div class="userinfo">'
            f'<div class="username_container"><div class="popupmenu memberaction"><a class='
            f'"username offline popupctrl" href="member.php?u={post.author_uid}" title="'
            f'{esc(post.author)} is offline"><strong>{esc(post.author)}</strong></a></div></div>'
            '<span class="usertitle">Junior Member</span><dl class="userinfo_extra"><dt>Posts</dt>'
            f"<dd>{post.author_uid * 7 % 300 + 1}</dd></dl></div>\n"
            '<div class="postbody"><div class="postrow"><div class="content"><div id="post_message_'
            f'{pid}"><blockquote class="postcontent restore ">{body}</blockquote>'
            "</div></div>"
            f"{attachments}</div></div></div>\n"
            '<div class="postfoot"><div class="textcontrols floatcontainer">'
            '<span class="postcontrols">'
            f'<a id="qrwq_{pid}" class="newreply" href="newreply.php?do=newreply&amp;p={pid}" '
            'rel="nofollow">Reply With Quote</a></span></div></div>\n</li>'
        )

    def _pagenav4(self, page: int, pages: int, link: Callable[[int], str]) -> str:
        if pages <= 1:
            return ""
        items = []
        if page > 1:
            previous = link(page - 1)
            items.append(f'<span class="prev_next"><a rel="prev" href="{previous}">&lt;</a></span>')
        for number in range(1, pages + 1):
            if number == page:
                items.append(f'<span class="selected"><a href="javascript://">{number}</a></span>')
            else:
                items.append(f'<span><a href="{link(number)}">{number}</a></span>')
        if page < pages:
            following = link(page + 1)
            items.append(
                f'<span class="prev_next"><a rel="next" href="{following}">&gt;</a></span>'
            )
        return (
            '<div class="pagination"><form action="" method="get" class="pagination popupmenu '
            f'nohovermenu"><span><a href="javascript://" class="popupctrl">Page {page} of {pages}'
            f"</a></span>{''.join(items)}</form></div>"
        )

    def _layout(self, title: str, content: str) -> str:
        return (
            '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/'
            'TR/xhtml1/DTD/xhtml1-transitional.dtd">\n<html xmlns="http://www.w3.org/1999/xhtml" '
            'dir="ltr" lang="en" id="vbulletin_html">\n<head>\n<meta http-equiv="Content-Type" '
            'content="text/html; charset=UTF-8" />\n<meta name="generator" content="vBulletin '
            '4.2.5" />\n<script type="text/javascript">\n<!--\nvar SESSIONURL = "";\nvar '
            'SECURITYTOKEN = "guest";\n// -->\n</script>\n<script type="text/javascript" src="'
            'clientscript/vbulletin_global.js?v=425"></script>\n'
            f"<title>{esc(title)}</title>\n</head>\n<body>\n"
            f'<div class="above_body"><div id="header" class="floatcontainer doc_header"><div>'
            f'<a name="top" href="forum.php" class="logo-image">{_SITE}</a></div></div></div>\n'
            f'<div class="body_wrapper">\n{content}\n</div>\n'
            '<div id="footer_copyright" class="shade footer_copyright">Powered by <a href="https://'
            'www.vbulletin.com" id="vbulletinlink">vBulletin&reg;</a> Version 4.2.5 <br />'
            "Copyright &copy; 2026 vBulletin Solutions, Inc. All rights reserved.</div>\n"
            "</body>\n</html>\n"
        )

    # ---- vBulletin 5 ------------------------------------------------------------------------

    def _board5(self, fid: int, page: int) -> str:
        world = self.world
        rows = "\n".join(self._row5(tid) for tid in world.board_thread_ids(fid, page))
        return (
            f'<h1 class="main-title js-main-title hide-on-editmode">{esc(world.board_name(fid))}'
            '</h1>\n<div id="topic-tab" class="conversation-list-tab"><table class="topic-list-'
            f'container"><tbody class="topic-list">\n{rows}\n</tbody></table></div>\n'
            f"{_pagenav5(page, world.board_page_count(fid), lambda n: self.board_path(fid, n))}"
        )

    def _row5(self, tid: int) -> str:
        world = self.world
        thread = world.thread(tid)
        first, last = world.post(tid, 0, thread), world.post(tid, thread.post_count - 1, thread)
        replies = thread.post_count - 1
        return (
            f'<tr class="topic-item " id="topic-{tid}" data-node-id="{tid}"><td class="cell-topic">'
            f'<div class="topic-wrapper"><a href="{self.thread_path(tid, 1)}" class="topic-title '
            f'js-topic-title">{esc(thread.title)}</a><div class="topic-info">Started by <a href="'
            f'/member/{first.author_uid}">{esc(first.author)}</a>, {_shown4(first)}</div></div>'
            f'</td><td class="cell-count"><div class="posts-count">{replies} '
            f'{"reply" if replies == 1 else "replies"}</div><div class="views-count">{thread.views}'
            ' views</div></td><td class="cell-lastpost"><div class="lastpost-by">by <a href="'
            f'/member/{last.author_uid}">{esc(last.author)}</a></div><span class="post-date">'
            f"{_shown4(last)}</span></td></tr>"
        )

    def _thread5(self, tid: int, page: int) -> str:
        world = self.world
        thread = world.thread(tid)
        first = (page - 1) * world.posts_per_page
        posts = "\n".join(
            self._post5(post, first + n + 1) for n, post in enumerate(world.thread_posts(tid, page))
        )
        return (
            f'<h1 class="main-title js-main-title hide-on-editmode">{esc(thread.title)}</h1>\n'
            '<div id="thread-view-tab" class="conversation-view"><ul class="conversation-list '
            f'list-container thread-view">\n{posts}\n</ul>\n'
            f"{_pagenav5(page, world.thread_page_count(tid), lambda n: self.thread_path(tid, n))}"
            "</div>"
        )

    def _post5(self, post: DemoPost, number: int) -> str:
        node = NODE + post.post_id
        body = "<br />\n".join(esc(line) for line in post.text.split("\n"))
        images = "".join(
            f'<a class="bbcode-attachment" href="/filedata/fetch?id={attachment_id(path)}"><img '
            f'src="/attachment.php?attachmentid={attachment_id(path)}" alt="" /></a>'
            for path in post.images
        )
        moment = datetime.fromisoformat(post.posted_at)
        permalink = f"{self.thread_path(post.thread_id, 1)}?p={node}#post{node}"
        return (
            f'<li class="b-post js-post js-comment-entry__parent h-restore" data-node-id="{node}" '
            'itemscope itemtype="http://schema.org/DiscussionForumPosting">\n<div class="b-post__'
            'grid-container"><div class="b-userinfo" itemprop="author" itemscope itemtype="http://'
            f'schema.org/Person"><div class="author h-text-size--14"><strong><a href="/member/'
            f'{post.author_uid}" itemprop="url"><span itemprop="name">{esc(post.author)}</span>'
            '</a></strong></div><div class="b-userinfo__rank">Member</div></div>\n'
            '<div class="b-post__content js-post__content"><div class="b-post__timestamp"><time '
            f'itemprop="dateCreated" datetime="{moment.isoformat()}">{_shown4(post)}</time></div>'
            f'<div class="b-post__count"><a class="b-post__count" href="{permalink}">#{number}</a>'
            f'</div><div class="js-post__content-wrapper"><div class="js-post__content-text '
            f'restore h-wordwrap" itemprop="text">{body}{images}</div></div></div>\n'
            "</div></li>"
        )

    def _page5(self, title: str, content: str, fid: int, page: int, tid: int) -> Page:
        world = self.world
        pages = world.thread_page_count(tid) if tid else world.board_page_count(fid)
        path = self.thread_path(tid, page + 1) if tid else self.board_path(fid, page + 1)
        nxt = f'<link rel="next" href="{path}" />\n' if page < pages else ""
        html = (
            '<!DOCTYPE html>\n<html id="htmlTag" xmlns="http://www.w3.org/1999/xhtml" lang="en" '
            'dir="ltr">\n<head>\n<meta charset="utf-8" />\n<meta name="generator" content="'
            f'vBulletin 5.7.5" />\n<title>{esc(title)} - {_SITE}</title>\n{nxt}'
            '<script type="text/javascript">\nif (typeof window.vBulletin === "undefined") { '
            'window.vBulletin = {}; }\nvBulletin.version = "5.7.5";\nwindow.vBulletin.'
            'pageData = {"baseurl": "", "baseurl_core": "/core"};\n</script>\n</head>\n<body '
            'id="vb-page-body" class="l-desktop page60 vb-page">\n<div id="outer-wrapper"><div '
            f'id="wrapper"><div id="header" class="noselect"><a href="/">{_SITE}</a></div>\n'
            f'<main id="content">\n{content}\n</main>\n'
            '<div id="footer"><div id="footer-copyright">Powered by <a href="https://www.'
            'vbulletin.com">vBulletin&reg;</a> Version 5.7.5 Copyright &copy; 2026 MH Sub I, LLC'
            " dba vBulletin. All rights reserved.</div></div></div></div>\n</body>\n</html>\n"
        )
        return html_page(200, html)


def site_config(
    base_url: str, name: str = DEMO_SITE, world: World | None = None, version: int = 4
) -> SiteConfig:
    """The shipped demo-vbulletin config, crawling a vBulletin ``version`` at ``base_url``."""
    paths = VbulletinSite(world, version).board_paths()
    return shipped_config(DEMO_SITE, base_url, name=name, start_paths=paths, max_pages=100_000)


def _int(text: str) -> int:
    return int(text) if text.isdigit() else -1


def _shown4(post: DemoPost) -> str:
    """vBulletin's default date and time: "m-d-Y, h:i A" (no seconds)."""
    return datetime.fromisoformat(post.posted_at).strftime("%m-%d-%Y, %I:%M %p")


def _date4(post: DemoPost) -> str:
    moment = datetime.fromisoformat(post.posted_at)
    return f'{moment:%m-%d-%Y},&nbsp;<span class="time">{moment:%I:%M %p}</span>'


def _pagenav5(page: int, pages: int, link: Callable[[int], str]) -> str:
    if pages <= 1:
        return ""
    buttons = "".join(
        f'<a class="js-pagenav-button b-button" href="{link(n)}" data-page="{n}">{n}</a>'
        for n in range(1, pages + 1)
        if n != page
    )
    return (
        '<div class="pagenav-container h-clearfix"><div class="pagenav-controls"><span class='
        f'"pagenav-current">{page}</span> of <span class="pagetotal">{pages}</span></div>'
        f'<div class="pagenav h-left">{buttons}</div></div>'
    )
