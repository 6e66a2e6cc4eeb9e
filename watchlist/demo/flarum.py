"""A :class:`World` served as a Flarum 1.8 forum: its JSON:API and its HTML shell.

Boards are tags, threads discussions, posts comments (``number`` 1 opens the discussion).
Routes, as Flarum answers an anonymous reader (modelled on ``flarum/framework``'s API
controllers and its ``app.blade.php`` / ``content.blade.php`` views):

- ``/``, ``/t/<tag>``, ``/d/<id>[-<slug>]``: the HTML shell (``#flarum-loading``, the
  ``<noscript id="flarum-content">`` list a crawler without JavaScript sees);
- ``/api``: the forum resource (``type: forums``, ``attributes.baseUrl``);
- ``/api/discussions?filter[tag]=<tag>&sort=-lastPostedAt&page[offset]=N``: :data:`PER_PAGE`
  discussions (``title``, ``slug``, ``commentCount``, ``createdAt``, ``lastPostedAt``) and
  ``links.next`` while more follow;
- ``/api/discussions/<id>``: the discussion, every post id in ``relationships.posts.data``,
  and its first :data:`INCLUDED` posts with their users in ``included``;
- ``/api/posts?filter[id]=1,2,…&include=user``: those posts and their users;
- ``/assets/files/2026-01-01/<file>``: the world's images; ``/robots.txt``.

A post's ``contentHtml`` is its text (``<p>`` per line) with its images; each discussion of
the first tag starts with a "renamed" event post (``contentType: discussionRenamed``), which
is not a comment. Times are ISO 8601 with ``+00:00``, as Flarum writes them.
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

DEMO_SITE = "demo-flarum"
DEMO_PORT = 8775
SEED = 35
PER_PAGE = 10  # discussions a list page holds (Flarum's default is 20)
INCLUDED = 20  # posts a discussion's answer includes (as Flarum's near-post window)
FILES = "/assets/files/2026-01-01/"
EVENT_ID = 1_000_000  # + discussion id: the id of a "renamed" event post
_DISCUSSION = re.compile(r"/api/discussions/(\d+)")
_NOT_FOUND = {"errors": [{"status": "404", "code": "not_found"}]}


def tag_slug(fid: int) -> str:
    """The slug of the tag a board is."""
    return f"otc-{fid}"


class FlarumSite:
    """A :class:`World` served as a Flarum forum (a ``DemoSite`` for the demo server)."""

    def __init__(self, world: World | None = None) -> None:
        self.world = world or World(seed=SEED)

    def render(self, target: str) -> Page:
        """The answer at ``target`` (path and query string)."""
        parts = urlsplit(target)
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        path, world = parts.path, self.world
        if path == "/robots.txt":
            return Page(200, TEXT_TYPE, ALLOW_ALL_ROBOTS.encode())
        if path.startswith(FILES):
            image = attachment(world.seed, ATTACHMENTS + path.removeprefix(FILES))
            if image is not None:
                return Page(200, PNG_TYPE, image)
        if path == "/api":
            attributes = {"title": "OTC 论坛", "baseUrl": "http://127.0.0.1", "basePath": ""}
            return _json({"data": {"type": "forums", "id": "1", "attributes": attributes}})
        if path == "/api/discussions":
            return self._list(query)
        if match := _DISCUSSION.fullmatch(path):
            tid = int(match[1])
            if world.has_thread(tid):
                return _json(self._discussion(tid))
        if path == "/api/posts":
            ids = [int(i) for i in query.get("filter[id]", "").split(",") if i.isdigit()]
            return _json(self._posts(ids))
        if path.startswith("/api/"):
            return _json(_NOT_FOUND, 404)
        if path in ("/", "/all") or path.startswith(("/t/", "/d/")):
            return Page(200, "text/html; charset=utf-8", self._shell(path).encode("utf-8"))
        return _json(_NOT_FOUND, 404)

    def board_paths(self) -> list[str]:
        """The crawl's start paths: every tag's page."""
        return [f"/t/{tag_slug(fid)}" for fid in self.world.board_ids()]

    def discussion_path(self, tid: int) -> str:
        """Flarum's URL of discussion ``tid``: ``/d/<id>-<slug>`` (``/d/<id>`` without one)."""
        name = slug(self.world.thread(tid).title)
        return f"/d/{tid}" + (f"-{name}" if name else "")

    def post_path(self, post: DemoPost) -> str:
        """A comment's permalink: its discussion's URL and its number."""
        index = (post.post_id - 1) % self.world.posts_per_thread
        return f"{self.discussion_path(post.thread_id)}/{index + 1}"

    def expected_sightings(self) -> set[tuple[str, str, str]]:
        """(post URL path, kind, value) for every handle every post publishes."""
        return {
            (self.post_path(post), kind, value)
            for post in self.world.posts()
            for kind, value in post.handles
        }

    def _list(self, query: dict[str, str]) -> Page:
        world = self.world
        tag = query.get("filter[tag]")
        boards = [f for f in world.board_ids() if tag in (None, tag_slug(f))]
        if not boards:
            return _json(_NOT_FOUND, 404)
        tids = [
            t
            for f in boards
            for p in range(1, world.board_page_count(f) + 1)
            for t in world.board_thread_ids(f, p)
        ]
        tids.sort(key=self._last, reverse=True)
        given = query.get("page[offset]", "0")
        offset = int(given) if given.isdigit() else 0
        shown = tids[offset : offset + PER_PAGE]
        links: dict[str, str] = {"first": _list_url(tag, 0)}
        if offset + PER_PAGE < len(tids):
            links["next"] = _list_url(tag, offset + PER_PAGE)
        return _json({"links": links, "data": [self._resource(t) for t in shown]})

    def _last(self, tid: int) -> str:
        thread = self.world.thread(tid)
        return self.world.post(tid, thread.post_count - 1, thread).posted_at

    def _resource(self, tid: int) -> dict[str, Any]:
        world = self.world
        thread = world.thread(tid)
        first = world.post(tid, 0, thread)
        return {
            "type": "discussions",
            "id": str(tid),
            "attributes": {
                "title": thread.title,
                "slug": self.discussion_path(tid).removeprefix(f"/d/{tid}").lstrip("-"),
                "commentCount": thread.post_count,
                "participantCount": 2,
                "createdAt": _time(first.posted_at),
                "lastPostedAt": _time(self._last(tid)),
                "lastPostNumber": thread.post_count,
            },
            "relationships": {"tags": {"data": [{"type": "tags", "id": str(thread.board_id)}]}},
        }

    def _ids(self, tid: int) -> list[int]:
        """The discussion's post ids in order: its event post first (first tag only)."""
        world = self.world
        thread = world.thread(tid)
        ids = [world.post(tid, i, thread).post_id for i in range(thread.post_count)]
        return [EVENT_ID + tid, *ids] if thread.board_id == world.board_ids()[0] else ids

    def _discussion(self, tid: int) -> dict[str, Any]:
        resource = self._resource(tid)
        ids = self._ids(tid)
        resource["relationships"]["posts"] = {
            "data": [{"type": "posts", "id": str(i)} for i in ids]
        }
        return {"data": resource, "included": self._included(ids[:INCLUDED])}

    def _posts(self, ids: list[int]) -> dict[str, Any]:
        resources = self._included(ids)
        posts = [r for r in resources if r["type"] == "posts"]
        return {"data": posts, "included": [r for r in resources if r["type"] == "users"]}

    def _included(self, ids: list[int]) -> list[dict[str, Any]]:
        world = self.world
        posts: list[dict[str, Any]] = []
        users: dict[int, dict[str, Any]] = {}
        per = world.posts_per_thread
        for pid in ids:
            if pid > EVENT_ID:
                tid = pid - EVENT_ID
                if world.has_thread(tid):
                    posts.append(self._event(tid))
                continue
            tid, index = (pid - 1) // per + 1, (pid - 1) % per
            if not world.has_thread(tid) or index >= world.thread(tid).post_count:
                continue
            post = world.post(tid, index)
            posts.append(_post(post, index + 1))
            users[post.author_uid] = {
                "type": "users",
                "id": str(post.author_uid),
                "attributes": {"username": post.author, "displayName": post.author},
            }
        return posts + list(users.values())

    def _event(self, tid: int) -> dict[str, Any]:
        first = self.world.post(tid, 0)
        return {
            "type": "posts",
            "id": str(EVENT_ID + tid),
            "attributes": {
                "number": 0,
                "createdAt": _time(first.posted_at),
                "contentType": "discussionRenamed",
                "content": ["旧标题", first.title],
            },
            "relationships": {"user": {"data": {"type": "users", "id": "1"}}},
        }

    def _shell(self, path: str) -> str:
        world = self.world
        fid = next((f for f in world.board_ids() if path == f"/t/{tag_slug(f)}"), None)
        tids = world.board_thread_ids(fid, 1) if fid else []
        items = "".join(
            f'<li><a href="{self.discussion_path(t)}">{esc(world.thread(t).title)}</a></li>'
            for t in tids
        )
        return (
            '<!doctype html>\n<html dir="ltr" lang="zh">\n<head>\n<meta charset="utf-8">\n'
            "<title>OTC 论坛</title>\n"
            '<link rel="stylesheet" href="/assets/forum.css?v=8f2e7a1c">\n</head>\n<body>\n'
            '<div id="app" class="App"><div id="app-navigation" class="App-navigation"></div>'
            '<div id="drawer" class="App-drawer"></div><main class="App-content"><div id="content">'
            '</div><div id="flarum-loading" style="display: none">Loading...</div><noscript><div '
            'class="Alert"><div class="container">This site is best viewed in a modern browser '
            'with JavaScript enabled.</div></div><div id="flarum-content"><div class="container">'
            f"<h2>All Discussions</h2><ul>{items}</ul></div></div></noscript></main></div>\n"
            '<script src="/assets/forum.js?v=3a9b5c1d"></script>\n'
            '<script>document.getElementById("flarum-loading").style.display = "block";\n'
            "var flarum = {extensions: {}};</script>\n</body>\n</html>\n"
        )


def site_config(base_url: str, name: str = DEMO_SITE, world: World | None = None) -> SiteConfig:
    """The shipped demo-flarum config, crawling a :class:`FlarumSite` served at ``base_url``."""
    paths = FlarumSite(world).board_paths()
    return shipped_config(DEMO_SITE, base_url, name=name, start_paths=paths, max_pages=100_000)


def _post(post: DemoPost, number: int) -> dict[str, Any]:
    paragraphs = "".join(f"<p>{esc(line)}</p>\n" for line in post.text.split("\n"))
    images = "".join(
        f'<p><img src="{FILES}{esc(path.rsplit("/", 1)[-1])}" alt="qr"></p>' for path in post.images
    )
    return {
        "type": "posts",
        "id": str(post.post_id),
        "attributes": {
            "number": number,
            "createdAt": _time(post.posted_at),
            "contentType": "comment",
            "contentHtml": paragraphs + images,
            "renderFailed": False,
        },
        "relationships": {"user": {"data": {"type": "users", "id": str(post.author_uid)}}},
    }


def _list_url(tag: str | None, offset: int) -> str:
    query = f"filter%5Btag%5D={tag}&" if tag else ""
    paging = f"&page%5Boffset%5D={offset}" if offset else ""
    return f"/api/discussions?{query}sort=-lastPostedAt{paging}"


def _time(stamp: str) -> str:
    return datetime.fromisoformat(stamp).isoformat()


def _json(data: object, status: int = 200) -> Page:
    body = json.dumps(data, ensure_ascii=False).encode("utf-8")
    return Page(status, "application/vnd.api+json", body)
