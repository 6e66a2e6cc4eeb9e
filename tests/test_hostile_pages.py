"""Hostile page markup loses no post: content after ``</html>``, markup nested 1,000 deep.

A small forum is served on loopback and crawled by the real CLI in a subprocess.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import run_cli, write_site

from watchlist.demo import serve
from watchlist.demo.page import HTML_TYPE, Page
from watchlist.demo.server import RunningServer
from watchlist.store import list_entries, open_store
from watchlist.store.queries import summary

DEEP = 1_000


def post(pid: int, body: str) -> str:
    who = f"<b class='who'>u{pid}</b>"
    return f"<div class='post' id='p{pid}'>{who}<div class='body'>{body}</div></div>"


class HostileForum:
    """A board with two threads: one ends after ``</html>``, one nests a post 1,000 deep."""

    def render(self, target: str) -> Page:
        pages = {
            "/": "<html><body><a class='t' href='/late'>late</a> <a class='t' href='/deep'>deep</a>"
            "</body></html>",
            "/late": "<html><body>"
            + post(1, "before the end 微信: early_bird1")
            + "</body></html>"
            + post(2, "after the end 飞机 @after_the_end")
            + post(3, "and one more QQ 632144500"),
            "/deep": "<html><body>"
            + post(4, "plain 13800138000")
            + post(5, "<div>" * DEEP + "deep inside wxid_deepdown1" + "</div>" * DEEP)
            + post(6, "after the deep one @last_post_tg")
            + "</body></html>",
        }
        if target == "/robots.txt":
            return Page(404, HTML_TYPE, b"")
        body = pages.get(target)
        return Page(200, HTML_TYPE, body.encode()) if body else Page(404, HTML_TYPE, b"")


@pytest.fixture
def forum() -> Iterator[RunningServer]:
    with serve(HostileForum()) as running:
        yield running


def test_posts_after_the_closing_html_tag_and_deeply_nested_posts_are_all_stored(
    tmp_path: Path, sqlite_url: str, forum: RunningServer
) -> None:
    write_site(
        tmp_path / "seeds",
        {
            "name": "hostile",
            "type": "forum",
            "start_urls": [forum.base_url + "/"],
            "allow_private": True,
            "delay": 0,
            "selectors": {
                "thread_links": "a.t",
                "post": "div.post",
                "post_body": ".body",
                "author": ".who",
            },
        },
    )
    result = run_cli("crawl", "hostile", "--seeds", str(tmp_path / "seeds"), db=sqlite_url)
    assert result.code == 0, result.stdout + result.stderr
    store = open_store(sqlite_url)
    try:
        assert summary(store).posts == 6
        values = {e.value for e in list_entries(store)}
    finally:
        store.close()
    assert {"after_the_end", "632144500", "wxid_deepdown1", "last_post_tg"} <= values
