"""The pages of a :class:`World` rendered as a Discuz! X3 forum with rewrite-style URLs.

Routes: ``/forum.php`` (board index), ``/forum-{fid}-{page}.html`` (a board's thread list),
``/thread-{tid}-{page}-1.html`` (a thread page), ``/data/attachment/forum/*.png`` (images),
``/robots.txt`` (allows everything); any other
path is a 404. Markup follows the real engine's classes and ids (``a.xst``, ``a.nxt``,
``div[id^=post_]``, ``td.t_f``, ``.authi a``, ``em[id^=authorposton]``). Text is HTML-escaped and
control characters become numeric references, so hostile names survive a parse unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import urlsplit

from watchlist.demo.images import attachment
from watchlist.demo.page import ALLOW_ALL_ROBOTS, PNG_TYPE, TEXT_TYPE, Page, esc, html_page
from watchlist.demo.world import DemoPost, World

ROBOTS_TXT = ALLOW_ALL_ROBOTS
_BOARD = re.compile(r"/forum-(\d+)-(\d+)\.html")
_THREAD = re.compile(r"/thread-(\d+)-(\d+)-(\d+)\.html")
_SITE = "OTC 交易论坛"


class DiscuzSite:
    """A :class:`World` served as a Discuz! X3 forum (the demo server's ``DemoSite``)."""

    def __init__(self, world: World) -> None:
        self.world = world

    def render(self, target: str) -> Page:
        """The page at ``target``; the query string is ignored, as the rewrite rules do."""
        return render(self.world, urlsplit(target).path)


def render(world: World, path: str) -> Page:
    """The page at ``path`` (no query string), or a 404 page."""
    if path in ("/", "/forum.php"):
        return html_page(200, _index(world))
    if path == "/robots.txt":
        return Page(200, TEXT_TYPE, ROBOTS_TXT.encode())
    if (image := attachment(world.seed, path)) is not None:
        return Page(200, PNG_TYPE, image)
    if match := _BOARD.fullmatch(path):
        fid, page = int(match[1]), int(match[2])
        canonical = f"/forum-{fid}-{page}.html" == path
        if canonical and fid in world.board_ids() and 1 <= page <= world.board_page_count(fid):
            return html_page(200, _board(world, fid, page))
    if match := _THREAD.fullmatch(path):
        tid, page = int(match[1]), int(match[2])
        canonical = f"/thread-{tid}-{page}-{int(match[3])}.html" == path
        if canonical and world.has_thread(tid) and 1 <= page <= world.thread_page_count(tid):
            return html_page(200, _thread(world, tid, page))
    return html_page(
        404, _layout("提示信息", '<div id="messagetext"><p>抱歉，指定的页面不存在</p></div>')
    )


def _layout(title: str, content: str, crumbs: str = "") -> str:
    return (
        '<!DOCTYPE html>\n<html>\n<head>\n<meta charset="utf-8">\n'
        f"<title>{esc(title)} - {_SITE} - Powered by Discuz!</title>\n"
        '<meta name="generator" content="Discuz! X3.4">\n</head>\n<body id="nv_forum">\n'
        f'<div id="hd"><div class="wp"><h2><a href="forum.php" title="{_SITE}">{_SITE}</a></h2>'
        f'</div></div>\n<div id="wp" class="wp">\n<div id="pt" class="bm cl"><div class="z">'
        f'<a href="./" class="nvhm" title="首页">{_SITE}</a> <em>&rsaquo;</em> '
        f'<a href="forum.php">论坛</a>{crumbs}</div></div>\n{content}\n</div>\n'
        '<div id="ft" class="wp cl"><p>Powered by <strong>Discuz!</strong> X3.4</p></div>\n'
        "</body>\n</html>\n"
    )


def _pager(page: int, pages: int, href: Callable[[int], str]) -> str:
    """Discuz's ``div.pg``: a window of page links, ``a.nxt`` on every page but the last."""
    if pages <= 1:
        return ""
    low, high = max(1, page - 4), min(pages, max(page + 5, 10))
    parts = [f'<a href="{href(page - 1)}" class="prev">&nbsp;&nbsp;</a>'] if page > 1 else []
    if low > 1:
        parts.append(f'<a href="{href(1)}" class="first">1 ...</a>')
    for number in range(low, high + 1):
        link = f'<a href="{href(number)}">{number}</a>'
        parts.append(f"<strong>{number}</strong>" if number == page else link)
    if high < pages:
        parts.append(f'<a href="{href(pages)}" class="last">... {pages}</a>')
    parts.append(
        f'<label><input type="text" name="custompage" class="px" size="2" value="{page}" />'
        f'<span title="共 {pages} 页"> / {pages} 页</span></label>'
    )
    if page < pages:
        parts.append(f'<a href="{href(page + 1)}" class="nxt">下一页</a>')
    return '<div class="pg">' + "".join(parts) + "</div>"


def _index(world: World) -> str:
    rows = []
    for fid in world.board_ids():
        rows.append(
            f'<tr><td class="fl_g"><dl><dt><a href="forum-{fid}-1.html">'
            f"{esc(world.board_name(fid))}</a></dt><dd><em>主题: {world.threads_per_board}</em>"
            "</dd></dl></td></tr>"
        )
    content = (
        '<div class="bm bmw flg cl"><div class="bm_h cl"><h2>场外交易</h2></div>'
        f'<div class="bm_c"><table cellspacing="0" cellpadding="0" class="fl_tb">{"".join(rows)}'
        "</table></div></div>"
    )
    return _layout("论坛", content)


def _board(world: World, fid: int, page: int) -> str:
    name = esc(world.board_name(fid))
    pager = _pager(page, world.board_page_count(fid), lambda n: f"forum-{fid}-{n}.html")
    rows = []
    for tid in world.board_thread_ids(fid, page):
        thread = world.thread(tid)
        first, last = world.post(tid, 0, thread), world.post(tid, thread.post_count - 1, thread)
        href = f"thread-{tid}-1-1.html"
        rows.append(
            f'<tbody id="normalthread_{tid}"><tr><td class="icn"><a href="{href}" '
            'title="新窗口打开"><img src="static/image/common/folder_common.gif" /></a></td>'
            '<th class="common">'
            f'<a href="{href}" onclick="atarget(this)" class="s xst">{esc(thread.title)}</a></th>'
            f'<td class="by"><cite><a href="space-uid-{thread.author_uid}.html" c="1">'
            f"{esc(first.author)}</a></cite><em><span>{first.posted_at[:10]}</span></em></td>"
            f'<td class="num"><a href="{href}" class="xi2">{thread.post_count - 1}</a>'
            f'<em>{thread.views}</em></td><td class="by"><cite><a href="space-uid-'
            f'{last.author_uid}.html" c="1">{esc(last.author)}</a></cite><em><a href="forum.php'
            f'?mod=redirect&amp;tid={tid}&amp;goto=lastpost#lastpost">{_minute(last)}</a></em>'
            "</td></tr></tbody>"
        )
    content = (
        '<div class="bm bml pbn"><div class="bm_h cl"><h1 class="xs2"><a href="'
        f'forum-{fid}-1.html">{name}</a></h1></div></div>\n'
        f'<div id="pgt" class="bm bw0 pgs cl">{pager}</div>\n'
        '<div id="threadlist" class="tl bm bmw"><div class="bm_c"><form method="post" '
        f'name="moderate" id="moderate"><table summary="forum_{fid}" cellspacing="0" '
        'cellpadding="0" id="threadlisttableid">\n<tbody id="separatorline" class="emptb"><tr '
        'class="ts"><td></td><th></th><td class="by"></td><td class="num"></td><td class="by">'
        "</td></tr></tbody>\n" + "\n".join(rows) + "\n</table></form></div></div>\n"
        f'<div class="bm bw0 pgs cl">{pager}</div>'
    )
    crumb = f' <em>&rsaquo;</em> <a href="forum-{fid}-1.html">{name}</a>'
    return _layout(world.board_name(fid), content, crumb)


def _minute(post: DemoPost) -> str:
    return post.posted_at[:16].replace("T", " ")


def _post(post: DemoPost, floor: int) -> str:
    pid = post.post_id
    second = post.posted_at[:19].replace("T", " ")
    body = "<br />\n".join(esc(line) for line in post.text.split("\n"))
    for n, path in enumerate(post.images):
        # As Discuz! lazy-loads attachments: a placeholder src, the real file in zoomfile/file.
        body += (
            f'<br />\n<img id="aimg_{pid}{n}" class="zoom" src="static/image/common/none.gif" '
            f'zoomfile="{path[1:]}" file="{path[1:]}" alt="" />'
        )
    floor_label = "楼主" if floor == 1 else f"<em>{floor}</em>#"
    author = esc(post.author)
    return (
        f'<div id="post_{pid}"><table id="pid{pid}" class="plhin" summary="pid{pid}" '
        'cellspacing="0" cellpadding="0"><tr><td class="pls" rowspan="2"><div class="pi">'
        f'<div class="authi"><a href="space-uid-{post.author_uid}.html" target="_blank" '
        f'class="xw1">{author}</a></div></div></td><td class="plc"><div class="pi"><strong>'
        f'<a href="{post.url_path[1:]}" id="postnum{pid}">{floor_label}</a></strong>'
        '<div class="pti"><div class="authi">'
        f'<em id="authorposton{pid}">发表于 <span title="{second}">{_minute(post)}</span></em>'
        '</div></div></div><div class="pct"><div class="pcb"><div class="t_fsz"><table '
        f'cellspacing="0" cellpadding="0"><tr><td class="t_f" id="postmessage_{pid}">{body}'
        "</td></tr></table></div></div></div></td></tr></table></div>"
    )


def _thread(world: World, tid: int, page: int) -> str:
    thread = world.thread(tid)
    pager = _pager(page, world.thread_page_count(tid), lambda n: f"thread-{tid}-{n}-1.html")
    first_floor = (page - 1) * world.posts_per_page + 1
    posts = world.thread_posts(tid, page)
    title = esc(thread.title)
    content = (
        f'<div id="pgt" class="pgs mbm cl">{pager}</div>\n<div id="postlist" class="pl bm">'
        '<table cellspacing="0" cellpadding="0"><tr><td class="pls ptn pbn"><div class="hm ptn">'
        f'<span class="xg1">查看:</span> <span class="xi1">{thread.views}</span> <span class="xg1">'
        f'回复:</span> <span class="xi1">{thread.post_count - 1}</span></div></td><td class="plc '
        f'ptm pbn vwthd"><h1 class="ts"><span id="thread_subject">{title}</span></h1></td></tr>'
        "</table>\n"
        + "\n".join(_post(post, first_floor + n) for n, post in enumerate(posts))
        + f'\n</div>\n<div class="pgs mtm mbm cl">{pager}</div>'
    )
    fid = thread.board_id
    crumb = (
        f' <em>&rsaquo;</em> <a href="forum-{fid}-1.html">{esc(world.board_name(fid))}</a>'
        f' <em>&rsaquo;</em> <a href="thread-{tid}-1-1.html">{title}</a>'
    )
    return _layout(thread.title, content, crumb)
