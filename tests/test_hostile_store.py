"""The store boundary holds against hostile pages: one bad string loses no post, a page cannot
write outside its own site, a huge title is stored once, and concurrent crawls count right.

Real crawls (``run_cli("crawl", …)`` in a subprocess) against pages served on loopback, into
real SQLite and PostgreSQL databases. Where the database must refuse a post, it is made to: a
trigger (SQLite) or a CHECK constraint (PostgreSQL) — a real refusal, not a stand-in.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
import unicodedata
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from alembic import command
from conftest import CliResult, run_cli, stored_sightings, write_site
from sqlmodel import select

from watchlist.demo import World, serve
from watchlist.demo.discourse import DiscourseSite
from watchlist.demo.discourse import site_config as discourse_config
from watchlist.demo.page import ALLOW_ALL_ROBOTS, TEXT_TYPE, Page, html_page
from watchlist.demo.server import RunningServer
from watchlist.extract.model import Handle
from watchlist.store import Found, PostRecord, list_entries, open_store, recent_runs, save_posts
from watchlist.store.engine import _alembic_config, _create_engine
from watchlist.store.queries import summary
from watchlist.store.storable import URL_MAX, storable_url
from watchlist.store.tables import Entry, PageState, Post, Sighting, Title

UNSTORABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")  # what text never keeps
URL_UNSAFE = re.compile(r"[\x00-\x20\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db(request: pytest.FixtureRequest) -> str:
    name = "sqlite_url" if request.param == "sqlite" else "postgres_url"
    return str(request.getfixturevalue(name))


def crawl(seeds: Path, db: str, *sites: str) -> CliResult:
    return run_cli("crawl", *sites, "--seeds", str(seeds), db=db)


def stored_posts(db: str) -> dict[str, Post]:
    store = open_store(db)
    try:
        with store.read() as session:
            return {post.url: post for post in session.exec(select(Post))}
    finally:
        store.close()


def last_stats(db: str, site: str) -> dict[str, Any]:
    store = open_store(db)
    try:
        return dict(json.loads(recent_runs(store, site)[0].stats))
    finally:
        store.close()


def execute(db: str, sql: str) -> None:
    store = open_store(db)
    try:
        with store.engine.begin() as connection:
            connection.exec_driver_sql(sql)
    finally:
        store.close()


# -- one bad string loses no post ---------------------------------------------------------------

HOSTILE_TOPIC = 3


class HostileDiscourse:
    """The demo Discourse forum, with a lone surrogate, a NUL and escapes in one topic.

    Its title gets a JSON ``"\\ud800"`` (which no HTML page can carry) and a NUL; every poster
    of the topic a NUL and an escape sequence in their username; every post an escape in its
    text.
    """

    def __init__(self, world: World) -> None:
        self.site = DiscourseSite(world)

    def render(self, target: str) -> Page:
        page = self.site.render(target)
        if page.status != 200 or not page.content_type.startswith("application/json"):
            return page
        data = json.loads(page.body)
        self._poison(data, in_topic=False)
        return replace(page, body=json.dumps(data).encode())  # "\ud800" escaped, as JSON may

    def _poison(self, node: Any, in_topic: bool) -> None:
        if isinstance(node, list):
            for child in node:
                self._poison(child, in_topic)
        elif isinstance(node, dict):
            if node.get("id") == HOSTILE_TOPIC and isinstance(node.get("title"), str):
                node["title"] = "\ud800" + node["title"] + "\x00\x1b[2J"
                in_topic = True
            if node.get("topic_id") == HOSTILE_TOPIC and isinstance(node.get("cooked"), str):
                node["username"] = node["username"] + "\x00\x1b]0;pwned\x07"
                node["cooked"] = node["cooked"].replace("<p>", "<p>\x1b[31m\x08\ud800", 1)
            for child in node.values():
                self._poison(child, in_topic)


def test_a_lone_surrogate_and_nul_in_a_topic_lose_no_post_and_are_stored_inert(
    tmp_path: Path, db: str
) -> None:
    world = World(seed=9, boards=2, threads_per_board=4)
    hostile = HostileDiscourse(world)
    with serve(hostile) as forum:
        write_site(
            tmp_path / "seeds", discourse_config(forum.base_url, "hostile", world).model_dump()
        )
        result = crawl(tmp_path / "seeds", db, "hostile")

    assert result.code == 0, result.stdout + result.stderr
    posts = stored_posts(db)
    assert len(posts) == hostile.site.post_count()
    assert stored_sightings(db) == hostile.site.expected_sightings()
    topic = [p for p in posts.values() if f"/{HOSTILE_TOPIC}/" in urlsplit(p.url).path]
    assert topic
    for post in topic:
        assert post.title is not None
        assert post.title.startswith("\ufffd") and post.title.endswith("␀␛[2J")
        assert post.author is not None and "␀␛]0;pwned␇" in post.author
        assert "␛[31m" in post.text and "\ufffd" in post.text  # the surrogate in the HTML too
    for post in posts.values():
        for value in (post.url, post.title or "", post.author or "", post.text):
            assert not UNSTORABLE.search(value), (post.url, value)
    assert "posts_set_aside" not in json.dumps(last_stats(db, "hostile"))


def refuse_post(db: str, url: str) -> None:
    """Make the database itself refuse to store the post at ``url``."""
    quoted = url.replace("'", "''")
    if db.startswith("sqlite"):
        execute(
            db,
            f"CREATE TRIGGER refuse_one BEFORE INSERT ON posts WHEN NEW.url = '{quoted}' "
            "BEGIN SELECT RAISE(ABORT, 'refused by the test'); END",
        )
    else:
        execute(db, f"ALTER TABLE posts ADD CONSTRAINT refuse_one CHECK (url <> '{quoted}')")


def accept_posts(db: str) -> None:
    if db.startswith("sqlite"):
        execute(db, "DROP TRIGGER refuse_one")
    else:
        execute(db, "ALTER TABLE posts DROP CONSTRAINT refuse_one")


def thread_marks(db: str) -> dict[str, str | None]:
    store = open_store(db)
    try:
        with store.read() as session:
            rows = session.exec(select(PageState.url, PageState.mark)).all()
    finally:
        store.close()
    return {urlsplit(url).path: mark for url, mark in rows if mark}


def test_a_post_the_database_refuses_is_set_aside_alone_and_its_thread_read_again(
    seeds: Path, db: str, demo_world: World, demo_server: RunningServer
) -> None:
    posts = list(demo_world.posts())
    assert len(posts) == 319  # the forum where one bad title once cost all 319
    victim = [p for p in posts if p.thread_id == 5][-1]
    victim_url = demo_server.base_url + victim.url_path
    open_store(db).close()
    refuse_post(db, victim_url)

    first = crawl(seeds, db, "demo")

    assert first.code == 0, first.stdout + first.stderr
    stored = stored_posts(db)
    assert len(stored) == 318 and victim_url not in stored
    stats = last_stats(db, "demo")
    assert stats["watchlist/posts_set_aside"] == 1
    assert stats["watchlist/posts"] == 318
    assert first.stderr.count(victim_url) == 1  # logged once, with its URL
    assert "1 post was refused by the store" in first.stdout  # and shown in the summary
    thread = f"/thread-{victim.thread_id}-1-1.html"
    threads = {f"/thread-{tid}-1-1.html" for tid in {p.thread_id for p in posts}}
    assert set(thread_marks(db)) == threads - {thread}

    accept_posts(db)
    second = crawl(seeds, db, "demo")

    assert second.code == 0, second.stdout + second.stderr
    assert victim_url in stored_posts(db) and len(stored_posts(db)) == 319
    stats = last_stats(db, "demo")
    assert stats["watchlist/threads_unchanged"] == len(threads) - 1  # only its thread read again
    assert set(thread_marks(db)) == threads


def test_a_database_that_cannot_be_written_drops_each_batch_once_never_retrying_it(
    seeds: Path, sqlite_url: str
) -> None:
    open_store(sqlite_url).close()
    # Every insert now fails as a broken database does (OperationalError), not as one bad row.
    execute(sqlite_url, "CREATE TABLE gone (x)")
    execute(
        sqlite_url, "CREATE TRIGGER broken BEFORE INSERT ON posts BEGIN SELECT * FROM gone; END"
    )
    execute(sqlite_url, "DROP TABLE gone")

    result = crawl(seeds, sqlite_url, "demo")

    assert result.code == 1
    stats = last_stats(sqlite_url, "demo")
    assert stats["watchlist/posts_not_stored"] == stats["watchlist/posts_read"] == 319
    said = result.stdout + result.stderr
    lost = re.findall(r"(\d+) posts could not be stored: OperationalError: no such table", said)
    assert sum(map(int, lost)) == 319  # each batch said once, none carried into the next
    assert "Traceback" not in said
    assert not thread_marks(sqlite_url)


# -- a huge title is stored once, and capped ----------------------------------------------------


class Pages:
    """``{path: Page}`` plus a robots.txt; everything else is a 404."""

    def __init__(self, pages: dict[str, Page]) -> None:
        self.pages = pages

    def render(self, target: str) -> Page:
        if target == "/robots.txt":
            return Page(200, TEXT_TYPE, ALLOW_ALL_ROBOTS.encode())
        return self.pages.get(target) or html_page(404, "<html><body>not found</body></html>")


def forum_config(name: str, base_url: str, **changes: object) -> dict[str, object]:
    config: dict[str, object] = {
        "name": name,
        "type": "forum",
        "engine": "discuz",
        "start_urls": [base_url + "/board"],
        "allow_private": True,
        "delay": 0,
        "retries": 0,
    }
    return config | changes


def post_html(number: int, text: str, author: str = "poster", permalink: str | None = None) -> str:
    href = permalink if permalink is not None else f"/t1#pid{number}"
    return (
        f'<div id="post_{number}"><div class="authi"><a href="/u">{author}</a></div>'
        f'<a id="postnum{number}" href="{href}">#{number}</a>'
        f'<table><tr><td class="t_f">{text}</td></tr></table></div>'
    )


def test_a_huge_title_on_a_thousand_posts_is_stored_once_and_the_database_stays_small(
    tmp_path: Path, sqlite_url: str
) -> None:
    noise = "".join(hashlib.sha256(str(i).encode()).hexdigest() for i in range(8_000))
    title = noise[:500_000]  # 500 KB that no page-level compression would fold
    posts = [post_html(n, f"post number {n}") for n in range(1, 1_001)]
    posts[1] = post_html(2, "long author", author="a" * 5_000)
    posts[2] = post_html(3, "y" * 250_000)
    thread = f'<span id="thread_subject">{title}</span>' + "".join(posts)
    pages = {
        "/board": html_page(200, '<a class="xst" href="/t1">t</a>'),
        "/t1": html_page(200, f"<html><body>{thread}</body></html>"),
    }
    with serve(Pages(pages)) as site:
        write_site(tmp_path / "seeds", forum_config("titled", site.base_url))
        result = crawl(tmp_path / "seeds", sqlite_url, "titled")

    assert result.code == 0, result.stdout + result.stderr
    stored = stored_posts(sqlite_url)
    assert len(stored) == 1_000
    capped = title[:999] + "…"
    assert {post.title for post in stored.values()} == {capped}
    assert sorted(len(post.author or "") for post in stored.values())[-1] == 200
    assert max(len(post.text) for post in stored.values()) == 200_000
    store = open_store(sqlite_url)
    with store.read() as session:
        assert len(session.exec(select(Title)).all()) == 1
    store.close()
    assert last_stats(sqlite_url, "titled")["watchlist/truncated_fields"] == 1_000 + 1 + 1
    database = Path(urlsplit(sqlite_url).path)
    size = sum(p.stat().st_size for p in database.parent.glob(database.name + "*"))
    assert size < 3_000_000  # 501 MB when the title was copied onto every post


# -- a page cannot write outside its own site ---------------------------------------------------


def test_a_permalink_into_another_site_never_rewrites_that_sites_post(
    tmp_path: Path, db: str
) -> None:
    victim_pages = {
        "/board": html_page(200, '<a class="xst" href="/t1">t</a>'),
        "/t1": html_page(
            200,
            '<span id="thread_subject">Victim thread</span>'
            + post_html(1, "victim evidence QQ 632144500", author="victim"),
        ),
    }
    with serve(Pages(victim_pages)) as victim:
        target = f"{victim.base_url}/t1#pid1"
        attacker_pages = {
            "/board": html_page(200, '<a class="xst" href="/t1">t</a>'),
            "/t1": html_page(
                200,
                '<span id="thread_subject">Attacker thread</span>'
                # 127.0.0.1 is in the attacker's allowed domains: the permalink is kept ...
                + post_html(1, "forged text QQ 918273645", "attacker", permalink=target)
                + post_html(2, "an ordinary post QQ 712345678", "attacker"),
            ),
        }
        with serve(Pages(attacker_pages)) as attacker:
            seeds = tmp_path / "seeds"
            write_site(seeds, forum_config("victim", victim.base_url))
            write_site(seeds, forum_config("attacker", attacker.base_url))
            assert crawl(seeds, db, "victim").code == 0
            result = crawl(seeds, db, "attacker")

    assert result.code == 0, result.stdout + result.stderr
    posts = stored_posts(db)
    kept = posts[target]  # ... but the post it names is the victim's and stays so
    assert (kept.site, kept.author, kept.title) == ("victim", "victim", "Victim thread")
    assert kept.text == "victim evidence QQ 632144500"
    assert {p.site for p in posts.values()} == {"victim", "attacker"} and len(posts) == 2
    assert last_stats(db, "attacker")["watchlist/posts_of_another_site"] == 1
    store = open_store(db)
    values = {e.value for e in list_entries(store)}
    store.close()
    assert values == {"632144500", "712345678"}  # the forged post's handle is nowhere


def test_hostile_permalinks_are_stored_percent_encoded_and_stable(
    tmp_path: Path, sqlite_url: str
) -> None:
    long_path = "/t1?id=" + "9" * 5_000
    hostile = [
        "/t1?x=\x1b[31m#pid1",
        "/t1?x=a b\u202eexe.txt#pid2",
        long_path + "#pid3",
        long_path + "#pid4",  # the same first 2,048 characters: still two posts
    ]
    posts = "".join(
        post_html(n, f"post {n} QQ 63214450{n}", permalink=href.replace("&", "&amp;"))
        for n, href in enumerate(hostile, 1)
    )
    pages = {
        "/board": html_page(200, '<a class="xst" href="/t1">t</a>'),
        "/t1": html_page(200, f'<span id="thread_subject">T</span>{posts}'),
    }
    with serve(Pages(pages)) as site:
        write_site(tmp_path / "seeds", forum_config("links", site.base_url))
        first = crawl(tmp_path / "seeds", sqlite_url, "links")
        urls = set(stored_posts(sqlite_url))
        execute(sqlite_url, "DELETE FROM page_states")  # read the thread again
        second = crawl(tmp_path / "seeds", sqlite_url, "links")

    assert first.code == 0 and second.code == 0, first.stderr + second.stderr
    assert len(urls) == 4 and set(stored_posts(sqlite_url)) == urls  # nothing stored twice
    assert all(not URL_UNSAFE.search(url) and len(url) <= URL_MAX for url in urls)
    assert any("%1B[31m" in url for url in urls)
    assert any("a%20b%E2%80%AEexe.txt" in url for url in urls)
    stats = last_stats(sqlite_url, "links")
    assert (stats["watchlist/posts"], stats["watchlist/new_posts"]) == (4, 0)


# -- concurrent crawls count each new row once --------------------------------------------------


@pytest.mark.postgres
def test_four_concurrent_crawls_into_postgresql_count_each_new_row_once(
    seeds: Path, postgres_url: str
) -> None:
    open_store(postgres_url).close()
    env = {k: v for k, v in os.environ.items() if not k.startswith("WATCHLIST_")}
    env |= {"PYTHONUTF8": "1", "WATCHLIST_DB": postgres_url}
    command_line = [sys.executable, "-m", "watchlist", "crawl", "demo", "--seeds", str(seeds)]
    crawls = [
        subprocess.Popen(command_line, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for _ in range(4)
    ]
    outputs = [process.communicate(timeout=240) for process in crawls]
    assert [process.returncode for process in crawls] == [0] * 4, outputs

    store = open_store(postgres_url)
    try:
        runs = recent_runs(store, "demo")
        totals = summary(store)
    finally:
        store.close()
    assert totals.posts == 319
    assert sum(run.new_posts for run in runs) == totals.posts
    assert sum(run.new_entries for run in runs) == totals.entries
    assert sum(run.new_sightings for run in runs) == totals.sightings


# -- the store itself ---------------------------------------------------------------------------

NOW = datetime(2026, 1, 2, tzinfo=UTC)


def hostile_record(url: str = "http://forum.test/t?\x1b[2J\u202e \ud800#p1") -> PostRecord:
    text = "QQ 632144500 \x00 \r\n \x85 \x9b \ud800 \x1b]0;x\x07 end"
    payload = "wxp://f2f0\x00\ud800"
    return PostRecord(
        url=url,
        site="hostile",
        text=text,
        fetched_at=NOW,
        title="\ud800 title \x00",
        author="name\x00\x1b[31m",
        otc_score=0.6,
        found=(
            Found(Handle("qq", "632144500", 3, 12, "q\x00q", "offered")),
            Found(
                Handle("payment_link", "wxp://f2f0", 0, 10, None, "offered"),
                "http://img.test/\x1b[2Jqr.png",
                payload,
            ),
        ),
        thread_url="http://forum.test/t?\x1b[2J",
    )


def stored_strings(db: str) -> dict[str, list[tuple[Any, ...]]]:
    store = open_store(db)
    try:
        with store.read() as session:
            return {
                "posts": [tuple(r) for r in session.exec(
                    select(Post.url, Post.title, Post.author, Post.text, Post.content_hash))],
                "sightings": [tuple(r) for r in session.exec(
                    select(Sighting.snippet, Sighting.provider, Sighting.source)
                    .order_by(Sighting.source))],
                "entries": [tuple(r) for r in session.exec(
                    select(Entry.kind, Entry.value).order_by(Entry.kind))],
                "marks": [tuple(r) for r in session.exec(select(PageState.url, PageState.mark))],
            }  # fmt: skip
    finally:
        store.close()


@pytest.mark.postgres
def test_every_string_column_is_stored_inert_and_identically_on_sqlite_and_postgresql(
    sqlite_url: str, postgres_url: str
) -> None:
    saved = {}
    for url in (sqlite_url, postgres_url):
        store = open_store(url)
        result = save_posts(
            store, [hostile_record()], {"hostile": {"http://forum.test/t?\x1b[2J": "7\x00"}}
        )
        store.close()
        assert (result.posts, result.new_entries, result.threads_remembered) == (1, 2, 1)
        saved[url] = stored_strings(url)

    assert saved[sqlite_url] == saved[postgres_url]
    rows = saved[sqlite_url]
    ((url, title, author, text, _),) = rows["posts"]
    assert url == "http://forum.test/t?%1B[2J%E2%80%AE%20%ED%A0%80#p1"
    assert (title, author) == ("\ufffd title ␀", "name␀␛[31m")
    assert text == "QQ 632144500 ␀ \n\n \n \ufffd \ufffd ␛]0;x␇ end"
    assert rows["sightings"][0][2] == "http://img.test/%1B[2Jqr.png"
    assert rows["sightings"][1][1] == "q␀q"
    assert rows["marks"] == [("http://forum.test/t?%1B[2J", "7␀")]
    for table in rows.values():
        for row in table:
            for value in row:
                assert not isinstance(value, str) or not UNSTORABLE.search(value), row


def test_a_handle_the_store_cannot_keep_exactly_is_set_aside_and_its_post_kept(db: str) -> None:
    text = "QQ 632144500 and something long"
    record = PostRecord(
        url="http://forum.test/t#p1",
        site="s",
        text=text,
        fetched_at=NOW,
        found=(
            Found(Handle("qq", "632144500", 3, 12, None, "offered")),
            Found(Handle("domain", "x" * 600 + ".com", 0, 3, None, "mentioned")),
            Found(Handle("telegram", "na\x00me", 0, 3, None, "mentioned")),
        ),
    )
    store = open_store(db)
    result = save_posts(store, [record])
    values = [e.value for e in list_entries(store)]
    store.close()
    assert (result.posts, result.handles_set_aside, values) == (1, 2, ["632144500"])


def test_a_refused_post_is_set_aside_alone_and_only_its_threads_mark_is_dropped(db: str) -> None:
    def record(n: int) -> PostRecord:
        thread = "http://forum.test/t1" if n <= 3 else "http://forum.test/t2"
        return PostRecord(f"http://forum.test/p{n}", "s", f"post {n}", NOW, thread_url=thread)

    open_store(db).close()
    refuse_post(db, "http://forum.test/p5")
    store = open_store(db)
    marks = {"s": {"http://forum.test/t1": "3", "http://forum.test/t2": "6"}}
    result = save_posts(store, [record(n) for n in range(1, 10)], marks)
    store.close()

    assert [aside.url for aside in result.set_aside] == ["http://forum.test/p5"]
    assert result.set_aside[0].thread_url == "http://forum.test/t2"
    assert "refuse" in result.set_aside[0].reason and "\n" not in result.set_aside[0].reason
    assert (result.posts, result.new_posts, result.threads_remembered) == (8, 8, 1)
    assert len(stored_posts(db)) == 8
    assert thread_marks(db) == {"/t1": "3"}


def test_a_database_from_before_titles_were_stored_once_keeps_every_post_and_sighting(
    db: str,
) -> None:
    engine = _create_engine(db)
    with engine.begin() as connection:
        command.upgrade(_alembic_config(connection), "0002")
        connection.execute(
            sa.text(
                "INSERT INTO posts (url, site, title, author, fetched_at, content_hash, text, "
                "otc_score) VALUES ('u1', 'a', 'T', NULL, :t, 'h', 'x', 0), "
                "('u2', 'a', 'T', NULL, :t, 'h', 'x', 0), ('u3', 'a', NULL, NULL, :t, 'h', 'x', 0)"
            ),
            {"t": NOW},
        )
        connection.execute(
            sa.text(
                "INSERT INTO entries (kind, value, status, score, first_seen, last_seen, "
                "sightings, sites) VALUES ('qq', '632144500', 'new', 0, :t, :t, 2, 'a')"
            ),
            {"t": NOW},
        )
        connection.execute(sa.text(
            "INSERT INTO sightings (entry_id, post_id, snippet, span_start, span_end, role, "
            "source, seen_at) VALUES (1, 1, 's', 0, 1, 'offered', 'text', :t), "
            "(1, 2, 's', 0, 1, 'offered', 'text', :t)"
        ), {"t": NOW})  # fmt: skip
    engine.dispose()

    store = open_store(db)  # migrates to the newest schema
    with store.read() as session:
        titles = session.exec(select(Title.text)).all()
        sightings = session.exec(select(Sighting.post_id)).all()
    store.close()
    assert {url: post.title for url, post in stored_posts(db).items()} == {
        "u1": "T", "u2": "T", "u3": None,
    }  # fmt: skip
    assert list(titles) == ["T"]
    assert sorted(sightings) == [1, 2]  # rebuilding posts would have cascaded to these


def test_every_control_format_space_and_surrogate_code_point_is_percent_encoded_in_urls() -> None:
    categories = {"Cc", "Cf", "Cs", "Zs", "Zl", "Zp"}
    newer = range(0x13439, 0x13440)  # format controls of Unicode 15, newer than Python 3.11's
    for code in range(sys.maxunicode + 1):
        char = chr(code)
        unsafe = unicodedata.category(char) in categories or code in newer
        assert (storable_url(char) != char) == unsafe, f"U+{code:04X}"
    assert storable_url("https://例子.cn/帖子?id=1%202#p") == "https://例子.cn/帖子?id=1%202#p"
