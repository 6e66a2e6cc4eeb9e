"""The pages of a :class:`World` rendered as an SMF forum: 2.1 (Curve2), or the 1.x tables
bitcointalk.org still serves.

Routes, as SMF's own: ``/index.php`` (board index), ``/index.php?board=<id>.<start>``,
``/index.php?topic=<id>.<start>``, ``/index.php?topic=<id>.msg<msg>`` and ``?msg=<msg>`` (the
page holding a message), ``/index.php?action=dlattach;attach=<n>;image`` (2.1 attachments),
``/data/attachment/forum/*.png`` (images posted inline), ``/robots.txt``. Links are absolute
when ``base_url`` is given, as SMF writes them (``$scripturl``). Dates are SMF's default
English format ("January 05, 2026, 10:00:00 AM"). SMF 2.1 markup: topic rows
``#topic_container > div.windowbg`` with ``span#msg_<id> a``, posts ``div.windowbg#msg<id> >
div.post_wrapper`` with ``div.poster h4``, ``div.keyinfo``, ``div.inner#msg_<id>``; 1.x: a
``table.bordercolor`` topic list and posts in ``#quickModForm td.windowbg`` with
``td.poster_info``, ``div.subject``, ``div.post``, served in ISO-8859-1 with numeric character
references, as bitcointalk does. Text is HTML-escaped.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Literal
from urllib.parse import urlsplit

from watchlist.demo.configs import shipped_config
from watchlist.demo.images import attachment, attachment_id, attachment_path
from watchlist.demo.page import ALLOW_ALL_ROBOTS, PNG_TYPE, TEXT_TYPE, Page, esc, html_page
from watchlist.demo.world import DemoPost, World
from watchlist.sites import SiteConfig

DEMO_SITE = "demo-smf"
SEED = 22  # SMF 2.1
SEED_1 = 23  # SMF 1.x
Version = Literal[1, 2]
_SITE = "OTC Forum"
_TOPIC = re.compile(r"(\d+)\.(?:(\d+)|msg(\d+))")
_LATIN1 = "text/html; charset=ISO-8859-1"


class SmfSite:
    """A :class:`World` served as an SMF forum (a ``DemoSite`` for the demo server)."""

    def __init__(
        self, world: World | None = None, version: Version = 2, base_url: str = ""
    ) -> None:
        self.world = world or World(seed=SEED if version == 2 else SEED_1)
        self.version = version
        self.url = base_url + "/index.php"

    def render(self, target: str) -> Page:
        """The page at ``target`` (path and query string)."""
        parts, world = urlsplit(target), self.world
        if parts.path == "/robots.txt":
            return Page(200, TEXT_TYPE, ALLOW_ALL_ROBOTS.encode())
        if (image := attachment(world.seed, parts.path)) is not None:
            return Page(200, PNG_TYPE, image)
        if parts.path not in ("/", "/index.php"):
            return self._html(404, "An Error Has Occurred!", "<p>The page does not exist.</p>")
        query = dict(p.partition("=")[::2] for p in re.split("[;&]", parts.query) if p)
        if query.get("action") == "dlattach" and query.get("attach", "").isdigit():
            image = attachment(world.seed, attachment_path(int(query["attach"])))
            return Page(200, PNG_TYPE, image) if image else self._html(404, "Error", "")
        if not query:
            return self._html(200, _SITE, self._index())
        per_board, per_topic = world.threads_per_page, world.posts_per_page
        if match := _TOPIC.fullmatch(query.get("board", "")):
            fid, start = int(match[1]), int(match[2] or -1)
            page = start // per_board + 1 if start >= 0 and start % per_board == 0 else 0
            if fid in world.board_ids() and 1 <= page <= world.board_page_count(fid):
                board = self._board if self.version == 2 else self._board_1
                return self._html(200, world.board_name(fid), board(fid, page))
        tid, page = -1, 0
        if match := _TOPIC.fullmatch(query.get("topic", "")):
            tid, start = int(match[1]), int(match[2] or -1)
            page = start // per_topic + 1 if start >= 0 and start % per_topic == 0 else 0
            if match[3]:
                tid, page = self._page_of(int(match[3]))
        elif query.get("msg", "").isdigit():
            tid, page = self._page_of(int(query["msg"]))
        if world.has_thread(tid) and 1 <= page <= world.thread_page_count(tid):
            topic = self._topic if self.version == 2 else self._topic_1
            return self._html(200, world.thread(tid).title, topic(tid, page))
        message = "<p>The topic or board you are looking for appears to be either missing or "
        return self._html(404, "An Error Has Occurred!", message + "off limits to you.</p>")

    def board_paths(self) -> list[str]:
        """The crawl's start paths: the first page of every board."""
        return [self.board_path(fid, 1) for fid in self.world.board_ids()]

    def board_path(self, fid: int, page: int) -> str:
        """The path of page ``page`` of board ``fid``."""
        return f"/index.php?board={fid}.{(page - 1) * self.world.threads_per_page}"

    def thread_path(self, tid: int, page: int) -> str:
        """The path of page ``page`` of topic ``tid``."""
        return f"/index.php?topic={tid}.{(page - 1) * self.world.posts_per_page}"

    def post_path(self, post: DemoPost) -> str:
        """A message's permalink as SMF prints it (and the crawl stores it)."""
        return f"/index.php?topic={post.thread_id}.msg{post.post_id}#msg{post.post_id}"

    def expected_sightings(self) -> set[tuple[str, str, str]]:
        """(post URL path, kind, value) for every handle every post publishes."""
        return {
            (self.post_path(post), kind, value)
            for post in self.world.posts()
            for kind, value in post.handles
        }

    def _page_of(self, msg: int) -> tuple[int, int]:
        world = self.world
        tid, index = (msg - 1) // world.posts_per_thread + 1, (msg - 1) % world.posts_per_thread
        if msg < 1 or not world.has_thread(tid) or index >= world.thread(tid).post_count:
            return -1, 0
        return tid, index // world.posts_per_page + 1

    def _html(self, status: int, title: str, content: str) -> Page:
        if self.version == 1:
            page = _layout_1(self.url, title, content)
            return Page(status, _LATIN1, page.encode("latin-1", "xmlcharrefreplace"))
        return html_page(status, _layout(self.url, title, content))

    def _member(self, post: DemoPost) -> str:
        name = esc(post.author)
        return (
            f'<a href="{self.url}?action=profile;u={post.author_uid}" '
            f'title="View the profile of {name}">{name}</a>'
        )

    def _pages(self, kind: str, item: int, page: int, pages: int, per_page: int) -> str:
        """SMF's page index: no "next" link; the link after the current page's marker."""
        links = []
        for number in range(1, pages + 1):
            href = f"{self.url}?{kind}={item}.{(number - 1) * per_page}"
            if self.version == 1:
                link = f'<a class="navPages" href="{href}">{number}</a>'
                links.append(f"[<b>{number}</b>]" if number == page else link)
            else:
                link = f'<a class="nav_page" href="{href}">{number}</a>'
                links.append(
                    f'<span class="current_page">{number}</span>' if number == page else link
                )
        if self.version == 1:
            return "Pages: " + " ".join(links)
        return '<span class="pages">Pages</span>' + " ".join(links)

    def _index(self) -> str:
        world = self.world
        rows = "".join(
            f'<div class="up_contain"><div class="info"><a class="subject mobile_subject" '
            f'href="{self.url}?board={fid}.0" id="b{fid}">{esc(world.board_name(fid))}</a></div>'
            f'<div class="board_stats"><p>{world.threads_per_board} Topics</p></div></div>'
            for fid in world.board_ids()
        )
        return f'<div id="boardindex_table" class="boardindex_table">{rows}</div>'

    def _board(self, fid: int, page: int) -> str:
        world = self.world
        pages = self._pages("board", fid, page, world.board_page_count(fid), world.threads_per_page)
        rows = []
        for tid in world.board_thread_ids(fid, page):
            thread = world.thread(tid)
            first, last = world.post(tid, 0, thread), world.post(tid, thread.post_count - 1, thread)
            rows.append(
                '<div class="windowbg"><div class="board_icon"><img src="/Themes/default/images/'
                'post/xx.png" alt=""></div><div class="info info_block"><div class="message_index'
                f'_title"><span class="preview" title=""><span id="msg_{first.post_id}"><a href="'
                f'{self.url}?topic={tid}.0">{esc(thread.title)}</a></span></span></div><p class='
                f'"floatleft">Started by {self._member(first)}</p></div><div class="board_stats '
                f'centertext"><p>Replies: {thread.post_count - 1}<br>Views: {thread.views}</p>'
                f'</div><div class="lastpost"><p><a href="{self.url}?topic={tid}.msg'
                f'{last.post_id}#new">{_date(last.posted_at)}</a><br>by {self._member(last)}</p>'
                "</div></div>"
            )
        return (
            '<div id="display_head"><h2 class="display_title">'
            f"{esc(world.board_name(fid))}</h2></div>\n"
            f'<div class="pagesection"><div class="pagelinks floatleft"><a href="#bot" '
            f'class="button">Go Down</a> {pages}</div></div>\n<div id="messageindex"><div '
            'class="title_bar" id="topic_header"><div class="board_icon"></div><div class="info">'
            'Subject / Started by</div><div class="board_stats centertext">Replies / Views</div>'
            '<div class="lastpost">Last post</div></div>\n<div id="topic_container">\n'
            + "\n".join(rows)
            + "\n</div></div>\n"
            f'<div class="pagesection"><div class="pagelinks floatleft">{pages}</div></div>'
        )

    def _board_1(self, fid: int, page: int) -> str:
        world = self.world
        pages = self._pages("board", fid, page, world.board_page_count(fid), world.threads_per_page)
        rows = []
        for tid in world.board_thread_ids(fid, page):
            thread = world.thread(tid)
            first, last = world.post(tid, 0, thread), world.post(tid, thread.post_count - 1, thread)
            rows.append(
                '<tr><td class="windowbg2" valign="middle" align="center" width="5%"><img src="'
                '/Themes/custom1/images/topic/normal_post.gif" alt="" /></td><td class="windowbg"'
                f' valign="middle"><span id="msg_{first.post_id}"><a href="{self.url}?topic='
                f'{tid}.0">{esc(thread.title)}</a></span></td><td class="windowbg2" valign="'
                f'middle" width="14%">{self._member(first)}</td><td class="windowbg" valign="'
                f'middle" width="4%" align="center">{thread.post_count - 1}</td><td class="'
                f'windowbg" valign="middle" width="4%" align="center">{thread.views}</td><td '
                f'class="windowbg2" valign="middle" width="22%"><a href="{self.url}?topic={tid}'
                f'.msg{last.post_id}#new"><img src="/Themes/custom1/images/icons/last_post.gif" '
                'alt="Last post" title="Last post" border="0" style="float: right;" /></a><span '
                f'class="smalltext">{_date(last.posted_at)}<br />by {self._member(last)}</span>'
                "</td></tr>"
            )
        return (
            '<table width="100%" cellpadding="3" cellspacing="0"><tr><td class="middletext">'
            f'{pages}</td></tr></table>\n<div class="tborder"><table border="0" width="100%" '
            'cellspacing="1" cellpadding="4" class="bordercolor"><tr><td width="9%" colspan="2" '
            'class="catbg3"></td><td class="catbg3">Subject</td><td class="catbg3">Started by</td>'
            '<td class="catbg3">Replies</td><td class="catbg3">Views</td><td class="catbg3">Last '
            "post</td></tr>\n" + "\n".join(rows) + "\n</table></div>"
        )

    def _topic(self, tid: int, page: int) -> str:
        world, thread = self.world, self.world.thread(tid)
        pages = self._pages("topic", tid, page, world.thread_page_count(tid), world.posts_per_page)
        first = (page - 1) * world.posts_per_page
        posts = "\n".join(
            self._post(post, first + n) for n, post in enumerate(world.thread_posts(tid, page))
        )
        return (
            f'<div id="display_head" class="information"><h2 class="display_title"><span id="'
            f'top_subject">{esc(thread.title)}</span></h2></div>\n<div class="pagesection top">'
            f'<div class="pagelinks floatleft"><a href="#bot" class="button">Go Down</a> {pages}'
            f'</div></div>\n<div id="forumposts"><form action="{self.url}?action=quickmod2;topic='
            f'{tid}.{first}" method="post" accept-charset="UTF-8" name="quickModForm" id="'
            f'quickModForm">\n{posts}\n</form></div>\n<div class="pagesection"><div class="'
            f'pagelinks floatleft"><a href="#main_content_section" class="button" id="bot">Go Up'
            f"</a> {pages}</div></div>"
        )

    def _post(self, post: DemoPost, counter: int) -> str:
        msg, tid = post.post_id, post.thread_id
        subject = esc(post.title if counter == 0 else f"Re: {post.title}")
        body = "<br>".join(esc(line) for line in post.text.split("\n"))
        attached = "".join(
            '<div class="attached"><div class="attachments_top"><img src="'
            f'{self.url}?action=dlattach;attach={attachment_id(path)};image" alt="" class="'
            'atc_img"></div><div class="attachments_bot"><a href="'
            f'{self.url}?action=dlattach;attach={attachment_id(path)}">'
            f"{esc(path.rsplit('/', 1)[-1])}</a><br>1 KB - viewed 12 times.</div></div>"
            for path in post.images
        )
        footer = (
            f'<div id="msg_{msg}_footer" class="attachments">{attached}</div>' if attached else ""
        )
        reply = f"Reply #{counter} - " if counter else ""
        return (
            f'<div class="windowbg" id="msg{msg}"><div class="post_wrapper"><div class="poster">'
            '<h4><span class="off" title="Offline"></span>'
            f'{self._member(post)}</h4><ul class="user_info"><li class="postcount">Posts: '
            f'{post.author_uid * 7 % 300 + 1}</li></ul></div><div class="postarea"><div class="'
            f'keyinfo"><div id="subject_{msg}" class="subject_title subject_hidden"><a href="'
            f'{self.url}?msg={msg}" rel="nofollow">{subject}</a></div>'
            + (f'<span class="page_number floatright">#{counter}</span>' if counter else "")
            + f'<div class="postinfo"><a href="{self.url}?topic={tid}.msg{msg}#msg{msg}" rel="'
            f'nofollow" title="{reply}{subject}" class="smalltext">{_date(post.posted_at)}</a>'
            f'<span class="spacer"></span><span class="smalltext modified floatright" id="'
            f'modified_{msg}"></span></div><div id="msg_{msg}_quick_mod"></div></div><div class'
            f'="post"><div class="inner" data-msgid="{msg}" id="msg_{msg}">{body}</div></div>'
            f'{footer}</div></div></div>\n<hr class="post_separator">'
        )

    def _topic_1(self, tid: int, page: int) -> str:
        world, thread = self.world, self.world.thread(tid)
        pages = self._pages("topic", tid, page, world.thread_page_count(tid), world.posts_per_page)
        first = (page - 1) * world.posts_per_page
        posts = "\n".join(
            self._post_1(post, first + n) for n, post in enumerate(world.thread_posts(tid, page))
        )
        return (
            '<a name="top"></a><table width="100%" cellpadding="3" cellspacing="0"><tr><td '
            f'valign="bottom" class="middletext">{pages} <a href="#lastPost"><b>Go Down</b></a>'
            '</td></tr></table>\n<table width="100%" cellpadding="3" cellspacing="0" border="0" '
            'class="tborder"><tr class="catbg3"><td width="13%"> Author</td><td valign="middle" '
            f'width="85%" id="top_subject">Topic: {esc(thread.title)} &nbsp;(Read {thread.views}'
            f' times)</td></tr></table>\n<form action="{self.url}?action=quickmod2;topic={tid}.'
            f'{first}" method="post" accept-charset="ISO-8859-1" name="quickModForm" id="quick'
            'ModForm" style="margin: 0;"><table cellpadding="0" cellspacing="0" border="0" '
            f'width="100%" class="bordercolor">\n{posts}\n</table></form>\n<a name="lastPost">'
            '</a><table width="100%" cellpadding="3" cellspacing="0"><tr><td class="middletext">'
            f"{pages}</td></tr></table>"
        )

    def _post_1(self, post: DemoPost, counter: int) -> str:
        msg, tid = post.post_id, post.thread_id
        href = f"{self.url}?topic={tid}.msg{msg}#msg{msg}"
        subject = esc(post.title if counter == 0 else f"Re: {post.title}")
        body = "<br />".join(esc(line) for line in post.text.split("\n"))
        body += "".join(
            f'<br /><img class="userimg" src="{path}" alt="" />' for path in post.images
        )
        return (
            f'<tr><td class="windowbg{"2" if counter % 2 else ""}"><a name="msg{msg}"></a>'
            '<table width="100%" cellpadding="5" cellspacing="0" style="table-layout: fixed;"><tr>'
            '<td valign="top" width="16%" rowspan="2" style="overflow: hidden;" class="poster_'
            f'info"><b>{self._member(post)}</b><div class="smalltext">Full Member<br />Activity: '
            f'{post.author_uid * 7 % 300 + 1}<br /></div></td><td valign="top" width="85%" '
            'height="100%" class="td_headerandpost with_column_dividers"><table width="100%" '
            f'border="0"><tr><td valign="middle" width="5%" class="td_buttons"><a href="{href}">'
            '<img src="/Themes/custom1/images/post/xx.gif" alt="" border="0" /></a></td><td '
            f'valign="middle"><div class="subject"><a href="{href}">{subject}</a></div><div '
            f'class="smalltext">{_date(post.posted_at)}</div></td><td align="right" valign="'
            'bottom" height="20" nowrap="nowrap" style="font-size: smaller;" class="td_buttons">'
            f'<div align="right"><a class="message_number" href="{href}">#{counter + 1}</a></div>'
            '</td></tr></table><hr width="100%" size="1" class="hrcolor" /><div class="post">'
            f'{body}</div></td></tr><tr><td valign="bottom" class="smalltext" width="85%"><table '
            'width="100%" border="0" style="table-layout: fixed;"><tr><td valign="bottom" class='
            f'"smalltext" id="modified_{msg}"></td><td align="right" valign="bottom" class="small'
            'text">Logged</td></tr></table><div class="signature"></div></td></tr></table></td>'
            "</tr>"
        )


def site_config(
    base_url: str, name: str = DEMO_SITE, version: Version = 2, world: World | None = None
) -> SiteConfig:
    """The shipped demo-smf config, crawling an :class:`SmfSite` served at ``base_url``."""
    paths = SmfSite(world, version).board_paths()
    return shipped_config("demo-smf", base_url, name=name, start_paths=paths, max_pages=100_000)


def _date(stamp: str) -> str:
    """SMF's default time format, "%B %d, %Y, %I:%M:%S %p"."""
    return datetime.fromisoformat(stamp).strftime("%B %d, %Y, %I:%M:%S %p")


def _layout(url: str, title: str, content: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="en-US">\n<head>\n<meta charset="UTF-8">\n'
        f"<title>{esc(title)}</title>\n"
        '<link rel="stylesheet" href="/Themes/default/css/index.css?smf216">\n</head>\n<body '
        'id="chrome" class="action_messageindex">\n<div id="footerfix"><div id="header"><h1 '
        f'class="forumtitle"><a id="top" href="{url}">{_SITE}</a></h1></div>\n<div id="wrapper">'
        f'<div id="content_section"><div id="main_content_section">\n{content}\n</div></div>'
        '</div></div>\n<div id="footer"><ul><li class="copyright"><a href="https://www.simple'
        'machines.org" title="Simple Machines Forum" target="_blank" class="new_win">SMF 2.1.6 '
        "&copy; 2025</a>, Simple Machines</li></ul></div>\n</body>\n</html>\n"
    )


def _layout_1(url: str, title: str, content: str) -> str:
    return (
        '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/'
        'xhtml1/DTD/xhtml1-transitional.dtd">\n<html xmlns="http://www.w3.org/1999/xhtml">\n'
        '<head>\n<meta http-equiv="Content-Type" content="text/html; charset=ISO-8859-1" />\n'
        f'<title>{esc(title)}</title>\n</head>\n<body>\n<div class="tborder"><table width='
        f'"100%" cellpadding="0" cellspacing="0" border="0"><tr><td class="catbg"><a href="{url}">'
        f'{_SITE}</a></td></tr></table></div>\n<div id="bodyarea" style="padding: 1ex 0px 2ex '
        f'0px;">\n{content}\n</div>\n<div id="footerarea" style="text-align: center;"><span '
        'class="smalltext">Powered by SMF 1.1.19 | SMF &copy; 2006-2009, Simple Machines</span>'
        "</div>\n</body>\n</html>\n"
    )
