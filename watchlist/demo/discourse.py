"""A :class:`World` served as a Discourse forum through Discourse's public JSON endpoints.

Boards are categories, threads are topics, posts are posts (``post_number`` 1 is the opening
post). Routes, as a real Discourse answers them to an anonymous reader:

- ``/latest.json?page=N`` and ``/c/<slug>/<id>.json?page=N`` (also ``/c/<slug>/<id>/l/latest
  .json``): ``topic_list.topics`` newest bump first, ``per_page`` at a time (pages count from
  0), ``topic_list.more_topics_url`` (``/c/<slug>/<id>/l/latest?page=N+1``) while more follow;
- ``/t/<slug>/<id>.json`` (or ``/t/<id>.json``): the topic with its first :data:`CHUNK_SIZE`
  posts in ``post_stream.posts`` and every post id in ``post_stream.stream``;
- ``/t/<id>/posts.json?post_ids[]=…``: those posts of the topic;
- ``/uploads/default/original/1X/<file>`` and ``…/optimized/1X/<file>``: the world's images;
- ``/robots.txt``: Discourse's usual rules (none of them covers the routes above).

A post's ``cooked`` HTML holds its text (``<br>`` between lines, URLs linked), its images
(a plain ``<img>``, or a shrunk one in a ``lightbox`` anchor to the original) and, now and then,
an emoji. A notice topic ends with a "pinned" small-action post (``post_type`` 3), which has
no text. Times are ISO 8601 UTC with milliseconds, as Discourse writes them.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

from watchlist.demo.configs import shipped_config
from watchlist.demo.images import ATTACHMENTS, attachment
from watchlist.demo.page import JSON_TYPE, PNG_TYPE, TEXT_TYPE, Page, esc
from watchlist.demo.world import DemoPost, DemoThread, World
from watchlist.sites import SiteConfig

DEMO_SITE = "demo-discourse"
DEMO_PORT = 8769
CHUNK_SIZE = 20  # posts a topic's JSON carries; the rest are fetched by id
ORIGINAL = "/uploads/default/original/1X/"
OPTIMIZED = "/uploads/default/optimized/1X/"
ROBOTS_TXT = (
    "User-agent: *\nDisallow: /admin/\nDisallow: /auth/\nDisallow: /email/\nDisallow: /session\n"
    "Disallow: /user-api-key\nDisallow: /*?api_key*\nDisallow: /badges\nDisallow: /u/\n"
    "Disallow: /my\nDisallow: /search\nDisallow: /tag/*/l\nDisallow: /g\n"
    "Disallow: /t/*/*.rss\nDisallow: /c/*.rss\n"
)
SMALL_ACTION_ID = 1_000_000  # + topic id: the id of a notice topic's small-action post
_SLUGS = ("usdt-otc", "exchange", "scam-alerts", "english-otc-desk")
_LIST = re.compile(r"/c/([^/]+)/(\d+)(?:/l/latest)?\.json")
_TOPIC = re.compile(r"/t/(?:([^/]+)/)?(\d+)\.json")
_POSTS = re.compile(r"/t/(\d+)/posts\.json")
_URL = re.compile(r"https?://[^\s<>\"'&，。、]+")
_USERNAME = re.compile(r"[\w.-]+")
_NOT_FOUND = {"errors": ["The requested URL or resource could not be found."]}


def default_world() -> World:
    """The world ``watchlist demo`` serves as its Discourse forum."""
    return World(seed=9)


def category_slug(world: World, fid: int) -> str:
    """The URL slug of board ``fid``'s category."""
    index = fid - min(world.board_ids())
    return _SLUGS[index % 4] + (f"-{index // 4 + 1}" if index >= 4 else "")


def topic_slug(title: str) -> str:
    """Discourse's ASCII slug of a title: ``topic`` when nothing ASCII is left."""
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-") or "topic"


def iso(moment: str | datetime) -> str:
    """A time as Discourse writes it: ``2026-01-01T00:37:00.000Z``."""
    value = datetime.fromisoformat(moment) if isinstance(moment, str) else moment
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


class DiscourseSite:
    """A :class:`World` served as a Discourse forum (the demo server's ``DemoSite``)."""

    def __init__(self, world: World) -> None:
        self.world = world

    def render(self, target: str) -> Page:
        """The answer to ``GET target`` (path and query string)."""
        parts = urlsplit(target)
        path, query = parts.path, parse_qs(parts.query)
        if path == "/robots.txt":
            return Page(200, TEXT_TYPE, ROBOTS_TXT.encode())
        for prefix in (ORIGINAL, OPTIMIZED):
            if path.startswith(prefix):
                image = attachment(self.world.seed, ATTACHMENTS + path[len(prefix) :])
                if image is not None:
                    return Page(200, PNG_TYPE, image)
        body: dict[str, Any] | None = None
        if path == "/latest.json":
            body = self._list(None, _page(query))
        elif match := _LIST.fullmatch(path):
            fid = int(match[2])
            if fid in self.world.board_ids() and match[1] == category_slug(self.world, fid):
                body = self._list(fid, _page(query))
        elif match := _TOPIC.fullmatch(path):
            tid = int(match[2])
            if self.world.has_thread(tid) and match[1] in (None, self.slug(tid)):
                body = self._topic(tid)
        elif match := _POSTS.fullmatch(path):
            tid = int(match[1])
            if self.world.has_thread(tid):
                ids = {int(v) for v in query.get("post_ids[]", []) if v.isdigit()}
                posts = [p for p in self._posts(tid) if p["id"] in ids]
                body = {"post_stream": {"posts": posts}, "id": tid}
        if body is None:
            return _json(404, _NOT_FOUND)
        return _json(200, body)

    def slug(self, tid: int) -> str:
        """The slug of topic ``tid``."""
        return topic_slug(self.world.thread(tid).title)

    def start_paths(self) -> list[str]:
        """The category pages a crawl of the whole forum starts from."""
        return [f"/c/{category_slug(self.world, fid)}/{fid}" for fid in self.world.board_ids()]

    def expected_sightings(self) -> set[tuple[str, str, str]]:
        """(post permalink path, kind, value) of every handle a post publishes."""
        found: set[tuple[str, str, str]] = set()
        for tid, thread in self._threads():
            for index in range(thread.post_count):
                post = self.world.post(tid, index, thread)
                path = f"/t/{self.slug(tid)}/{tid}/{index + 1}"
                found.update((path, kind, value) for kind, value in post.handles)
        return found

    def post_count(self) -> int:
        """How many posts with text the forum holds (small actions not counted)."""
        return sum(thread.post_count for _, thread in self._threads())

    def _threads(self) -> list[tuple[int, DemoThread]]:
        count = self.world.boards * self.world.threads_per_board
        return [(tid, self.world.thread(tid)) for tid in range(1, count + 1)]

    def _bumped(self, tid: int, thread: DemoThread) -> datetime:
        return self.world.posted_at(tid, thread.post_count - 1)

    def _list(self, fid: int | None, page: int) -> dict[str, Any]:
        threads = [(t, th) for t, th in self._threads() if fid is None or th.board_id == fid]
        threads.sort(key=lambda pair: (self._bumped(*pair), pair[0]), reverse=True)
        size = self.world.threads_per_page
        shown = threads[page * size : (page + 1) * size]
        topic_list: dict[str, Any] = {
            "can_create_topic": False,
            "per_page": size,
            "top_tags": [],
            "topics": [self._summary(tid, thread) for tid, thread in shown],
        }
        if (page + 1) * size < len(threads):
            where = "/latest?no_definitions=true&" if fid is None else self._category(fid) + "?"
            topic_list["more_topics_url"] = f"{where}page={page + 1}"
        users = {u: self._user(u) for tid, th in shown for u in (th.author_uid, self._last(tid))}
        return {"users": list(users.values()), "primary_groups": [], "topic_list": topic_list}

    def _category(self, fid: int) -> str:
        return f"/c/{category_slug(self.world, fid)}/{fid}/l/latest"

    def _last(self, tid: int) -> int:
        thread = self.world.thread(tid)
        return self.world.post(tid, thread.post_count - 1, thread).author_uid

    def _summary(self, tid: int, thread: DemoThread) -> dict[str, Any]:
        notice = thread.type == "notice"
        return {
            "id": tid,
            "title": thread.title,
            "fancy_title": esc(thread.title),
            "slug": self.slug(tid),
            "posts_count": thread.post_count + notice,
            "reply_count": thread.post_count - 1,
            "highest_post_number": thread.post_count + notice,
            "image_url": None,
            "created_at": iso(self.world.posted_at(tid, 0)),
            "last_posted_at": iso(self._bumped(tid, thread)),
            "bumped": True,
            "bumped_at": iso(self._bumped(tid, thread)),
            "archetype": "regular",
            "unseen": False,
            "pinned": False,
            "unpinned": None,
            "visible": True,
            "closed": False,
            "archived": False,
            "bookmarked": None,
            "liked": None,
            "views": thread.views,
            "like_count": 0,
            "has_summary": False,
            "last_poster_username": self._user(self._last(tid))["username"],
            "category_id": thread.board_id,
            "pinned_globally": False,
            "featured_link": None,
            "posters": [
                {"extras": "latest", "description": "Original Poster, Most Recent Poster",
                 "user_id": thread.author_uid, "primary_group_id": None},
            ],
        }  # fmt: skip

    def _topic(self, tid: int) -> dict[str, Any]:
        thread = self.world.thread(tid)
        posts = self._posts(tid)
        return self._summary(tid, thread) | {
            "post_stream": {
                "posts": posts[:CHUNK_SIZE],
                "stream": [post["id"] for post in posts],
            },
            "timeline_lookup": [[1, 0]],
            "tags": [],
            "chunk_size": CHUNK_SIZE,
            "word_count": sum(len(post["cooked"]) for post in posts),
            "deleted_at": None,
            "user_id": thread.author_uid,
            "current_post_number": 1,
            "details": {"can_create_post": False, "participants": []},
        }

    def _posts(self, tid: int) -> list[dict[str, Any]]:
        thread = self.world.thread(tid)
        posts = [
            self._post(self.world.post(tid, i, thread), i + 1) for i in range(thread.post_count)
        ]
        if thread.type == "notice":  # moderators pin the forum rules: a small-action post
            pinned = self._post(self.world.post(tid, 0, thread), thread.post_count + 1)
            pinned |= {"id": SMALL_ACTION_ID + tid, "post_type": 3, "cooked": ""}
            pinned["action_code"] = "pinned.enabled"
            posts.append(pinned)
        return posts

    def _user(self, uid: int) -> dict[str, Any]:
        name = self.world.user_name(uid)
        username = name if _USERNAME.fullmatch(name) else f"user{uid}"
        return {
            "id": uid,
            "username": username,
            "name": name,
            "avatar_template": f"/user_avatar/forum/{username}/{{size}}/{uid}_2.png",
        }

    def _post(self, post: DemoPost, number: int) -> dict[str, Any]:
        user = self._user(post.author_uid)
        return {
            "id": post.post_id,
            "name": user["name"],
            "username": user["username"],
            "avatar_template": user["avatar_template"],
            "created_at": iso(post.posted_at),
            "cooked": cooked(post),
            "post_number": number,
            "post_type": 1,
            "updated_at": iso(post.posted_at),
            "reply_count": 0,
            "reply_to_post_number": None,
            "quote_count": 0,
            "incoming_link_count": 0,
            "reads": 1,
            "score": 0,
            "yours": False,
            "topic_id": post.thread_id,
            "topic_slug": topic_slug(post.title),
            "display_username": user["name"],
            "version": 1,
            "user_id": post.author_uid,
            "hidden": False,
            "trust_level": 1,
            "deleted_at": None,
            "user_deleted": False,
            "wiki": False,
        }


def cooked(post: DemoPost) -> str:
    """A post's HTML as Discourse cooks it from the author's Markdown."""
    lines = [_URL.sub(_link, esc(line)) for line in post.text.split("\n")]
    html = "<p>" + "<br>\n".join(lines) + "</p>"
    for path in post.images:
        name = path.rsplit("/", 1)[-1]
        image = f'src="{{}}{name}" alt="{name}" width="200" height="200"'
        if post.post_id % 2:
            html += f"\n<p><img {image.format(ORIGINAL)}></p>"
        else:  # shrunk: the original behind a lightbox link
            html += (
                f'\n<div class="lightbox-wrapper"><a class="lightbox" href="{ORIGINAL}{name}" '
                f'title="{name}"><img {image.format(OPTIMIZED)}></a></div>'
            )
    if post.post_id % 5 == 0:
        html += (
            '\n<p><img src="/images/emoji/twitter/handshake.png?v=12" title=":handshake:" '
            'class="emoji" alt=":handshake:" loading="lazy" width="20" height="20"></p>'
        )
    return html


def _link(match: re.Match[str]) -> str:
    return f'<a href="{match[0]}" rel="noopener nofollow ugc">{match[0]}</a>'


def _page(query: dict[str, list[str]]) -> int:
    value = query.get("page", ["0"])[0]
    return int(value) if value.isdigit() else 0


def _json(status: int, body: dict[str, Any]) -> Page:
    return Page(status, JSON_TYPE, json.dumps(body, ensure_ascii=False).encode("utf-8"))


def site_config(base_url: str, name: str = DEMO_SITE, world: World | None = None) -> SiteConfig:
    """The shipped demo-discourse config, crawling the forum of ``world`` at ``base_url``."""
    paths = DiscourseSite(world or default_world()).start_paths()
    return shipped_config(
        "demo-discourse", base_url, name=name, start_paths=paths, max_pages=100_000
    )
