"""A :class:`World` served as a NodeBB 3 forum: its JSON API and its HTML pages' shell.

Boards are categories, threads topics, posts posts. Routes, as NodeBB answers a guest
(modelled on ``NodeBB/NodeBB``'s API controllers and the Harmony theme's templates):

- ``/category/<cid>/<slug>``, ``/topic/<tid>/<slug>``: HTML with ``component="category"`` /
  ``component="topic"`` and the client config script (``relative_path``,
  ``socketioTransports``); every answer carries ``X-Powered-By: NodeBB``;
- ``/api/config``: the client config;
- ``/api/category/<cid>/<slug>?page=N``: ``topics[]`` (``tid``, ``slug`` ``"<tid>/<slug>"``,
  ``title``, ``postcount``, ``timestampISO``, ``lastposttimeISO``), newest reply first, and
  ``pagination`` (``currentPage``, ``pageCount``, ``next: {page, qs, active}``);
- ``/api/topic/<tid>/<slug>?page=N``: ``posts[]`` (``pid``, ``index``, ``content`` HTML,
  ``timestampISO``, ``user``) :data:`world.posts_per_page` a page, and ``pagination``;
- ``/assets/uploads/files/<file>``: the world's images; ``/robots.txt``.

Each topic of the first category also holds one deleted post (``deleted: 1``, no content), as
guests see it: it is not a post.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

from watchlist.demo.configs import shipped_config
from watchlist.demo.images import ATTACHMENTS, attachment
from watchlist.demo.page import ALLOW_ALL_ROBOTS, PNG_TYPE, TEXT_TYPE, Page, esc
from watchlist.demo.world import DemoPost, World
from watchlist.demo.xenforo import slug
from watchlist.sites import SiteConfig

DEMO_SITE = "demo-nodebb"
DEMO_PORT = 8776
SEED = 36
UPLOADS = "/assets/uploads/files/"
DELETED_ID = 1_000_000  # + topic id: the pid of a topic's deleted post
_HEADERS = (("X-Powered-By", "NodeBB"),)
_CONFIG = {
    "relative_path": "",
    "upload_url": "/assets/uploads",
    "asset_base_url": "/assets",
    "siteTitle": "USDT 交流社区",
    "socketioTransports": ["polling", "websocket"],
    "websocketAddress": "",
    "version": "3.12.1",
}
_ROUTE = re.compile(r"(/api)?/(category|topic)/(\d+)(?:/([^/]*))?/?")
_NOT_FOUND = {"status": {"code": "not-found", "message": "Not Found"}, "response": {}}


class NodebbSite:
    """A :class:`World` served as a NodeBB forum (a ``DemoSite`` for the demo server)."""

    def __init__(self, world: World | None = None) -> None:
        self.world = world or World(seed=SEED)

    def render(self, target: str) -> Page:
        """The answer at ``target`` (path and query string)."""
        parts = urlsplit(target)
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        world = self.world
        if parts.path == "/robots.txt":
            return Page(200, TEXT_TYPE, ALLOW_ALL_ROBOTS.encode(), _HEADERS)
        if parts.path.startswith(UPLOADS):
            image = attachment(world.seed, ATTACHMENTS + parts.path.removeprefix(UPLOADS))
            if image is not None:
                return Page(200, PNG_TYPE, image, _HEADERS)
        if parts.path == "/api/config":
            return _json(_CONFIG)
        page = int(query["page"]) if query.get("page", "").isdigit() else 1
        if match := _ROUTE.fullmatch(parts.path):
            api, kind, number = bool(match[1]), match[2], int(match[3])
            board = kind == "category" and number in world.board_ids()
            if board and 1 <= page <= world.board_page_count(number):
                return _json(self._category(number, page)) if api else self._html(kind)
            topic = kind == "topic" and world.has_thread(number)
            if topic and 1 <= page <= world.thread_page_count(number):
                return _json(self._topic(number, page)) if api else self._html(kind)
        if parts.path.startswith("/api/"):
            return _json(_NOT_FOUND, 404)
        return Page(404, "text/html; charset=utf-8", b"<h1>Not Found</h1>", _HEADERS)

    def board_paths(self) -> list[str]:
        """The crawl's start paths: every category's page."""
        return [self.category_path(fid) for fid in self.world.board_ids()]

    def category_path(self, fid: int) -> str:
        """The page of category ``fid``."""
        return f"/category/{fid}/otc-{fid}"

    def topic_slug(self, tid: int) -> str:
        """NodeBB's topic slug ``<tid>/<slug>`` (``<tid>/topic`` when the title has none)."""
        return f"{tid}/{slug(self.world.thread(tid).title) or 'topic'}"

    def post_path(self, post: DemoPost) -> str:
        """A post's permalink, as NodeBB links it."""
        return f"/post/{post.post_id}"

    def expected_sightings(self) -> set[tuple[str, str, str]]:
        """(post URL path, kind, value) for every handle every post publishes."""
        return {
            (self.post_path(post), kind, value)
            for post in self.world.posts()
            for kind, value in post.handles
        }

    def _last(self, tid: int) -> str:
        thread = self.world.thread(tid)
        return self.world.post(tid, thread.post_count - 1, thread).posted_at

    def _category(self, fid: int, page: int) -> dict[str, Any]:
        world = self.world
        tids = [
            t
            for p in range(1, world.board_page_count(fid) + 1)
            for t in world.board_thread_ids(fid, p)
        ]
        tids.sort(key=self._last, reverse=True)
        per = world.threads_per_page
        shown = tids[(page - 1) * per : page * per]
        topics = []
        for tid in shown:
            thread = world.thread(tid)
            first = world.post(tid, 0, thread)
            topics.append(
                {
                    "tid": tid,
                    "cid": fid,
                    "title": thread.title,
                    "slug": self.topic_slug(tid),
                    "postcount": thread.post_count,
                    "viewcount": thread.views,
                    "timestampISO": _time(first.posted_at),
                    "lastposttimeISO": _time(self._last(tid)),
                    "user": _user(first),
                    "deleted": 0,
                }
            )
        pages = world.board_page_count(fid)
        return {
            "cid": fid,
            "name": world.board_name(fid),
            "slug": f"{fid}/otc-{fid}",
            "topics": topics,
            "pagination": _pagination(page, pages),
        }

    def _topic(self, tid: int, page: int) -> dict[str, Any]:
        world = self.world
        thread = world.thread(tid)
        posts: list[dict[str, Any]] = []
        first = (page - 1) * world.posts_per_page
        for n, post in enumerate(world.thread_posts(tid, page)):
            posts.append(_post(post, first + n))
            if thread.board_id == world.board_ids()[0] and first + n == 0:
                posts.append(
                    {
                        "pid": DELETED_ID + tid,
                        "tid": tid,
                        "index": 1,
                        "content": "",
                        "timestampISO": _time(post.posted_at),
                        "deleted": 1,
                        "user": {"uid": 0, "username": "[[global:former-user]]"},
                    }
                )
        return {
            "tid": tid,
            "cid": thread.board_id,
            "title": thread.title,
            "slug": self.topic_slug(tid),
            "postcount": thread.post_count,
            "posts": posts,
            "pagination": _pagination(page, world.thread_page_count(tid)),
        }

    def _html(self, kind: str) -> Page:
        config = json.dumps(_CONFIG, ensure_ascii=False).replace("'", "\\'")
        html = (
            '<!DOCTYPE html>\n<html lang="zh-CN" data-dir="ltr">\n<head>\n<title>USDT 交流社区'
            '</title>\n<meta charset="utf-8">\n'
            '<link rel="stylesheet" type="text/css" href="/assets/client.css?v=6vf2b3hvnt0">\n'
            f"<script>var config = JSON.parse('{config}');</script>\n</head>\n<body class=\"page-"
            f'{kind}">\n<main id="panel" class="slideout-panel"><div class="container" id='
            f'"content"><div component="{kind}" class="{kind}"><noscript>Please enable '
            "JavaScript.</noscript></div></div></main>\n"
            '<script defer src="/assets/nodebb.min.js?v=6vf2b3hvnt0"></script>\n</body>\n</html>\n'
        )
        return Page(200, "text/html; charset=utf-8", html.encode("utf-8"), _HEADERS)


def site_config(base_url: str, name: str = DEMO_SITE, world: World | None = None) -> SiteConfig:
    """The shipped demo-nodebb config, crawling a :class:`NodebbSite` served at ``base_url``."""
    paths = NodebbSite(world).board_paths()
    return shipped_config(DEMO_SITE, base_url, name=name, start_paths=paths, max_pages=100_000)


def _user(post: DemoPost) -> dict[str, Any]:
    return {
        "uid": post.author_uid,
        "username": post.author,
        "userslug": f"u{post.author_uid}",
        "displayname": post.author,
    }


def _post(post: DemoPost, index: int) -> dict[str, Any]:
    paragraphs = "".join(f'<p dir="auto">{esc(line)}</p>\n' for line in post.text.split("\n"))
    images = "".join(
        f'<p dir="auto"><img src="{UPLOADS}{esc(path.rsplit("/", 1)[-1])}" alt="qr" '
        'class=" img-fluid img-markdown" /></p>'
        for path in post.images
    )
    return {
        "pid": post.post_id,
        "tid": post.thread_id,
        "index": index,
        "content": paragraphs + images,
        "timestampISO": _time(post.posted_at),
        "deleted": 0,
        "user": _user(post),
    }


def _pagination(page: int, pages: int) -> dict[str, Any]:
    following = min(page + 1, pages)
    return {
        "currentPage": page,
        "pageCount": pages,
        "prev": {"page": max(page - 1, 1), "active": page > 1, "qs": f"page={max(page - 1, 1)}"},
        "next": {"page": following, "active": page < pages, "qs": f"page={following}"},
    }


def _time(stamp: str) -> str:
    """NodeBB's ISO time: UTC with milliseconds and ``Z``."""
    moment = datetime.fromisoformat(stamp)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _json(data: object, status: int = 200) -> Page:
    body = json.dumps(data, ensure_ascii=False).encode("utf-8")
    return Page(status, "application/json; charset=utf-8", body, _HEADERS)
