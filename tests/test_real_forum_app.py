"""A real forum app from PyPI (Spirit, a Django forum), crawled as a new user would configure it.

Issue 8: on a second real forum app, ``next_page: "ul.paginator a"`` went forward once, then
back to page 1, and stopped; post times are shown as "July 7, 2025, 8:19 p.m." in a ``title``.
Here the user's config names the listing's topic links, the comment containers, body, author and
date, and every paginator link as ``next_page`` (Spirit's listing paginator is numbered, its
topic paginator is "previous / next"); no permalink. Every comment of the category must be
stored exactly once, with its author, its time to the minute and its handles, and a re-crawl
must add nothing. The forum is served by ``tests/realsoft/spirit_app.py`` with the data of
``tests/realsoft/spirit_world.py``.
"""

from __future__ import annotations

import shutil
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from conftest import CliResult, run_cli, write_site
from realsoft import spirit_app
from realsoft.spirit_app import SpiritForum, running_forum
from realsoft.spirit_world import Plan, build
from sqlmodel import select

from watchlist import settings
from watchlist.store import get_entry, list_entries, open_store
from watchlist.store.queries import summary
from watchlist.store.tables import Post

pytestmark = pytest.mark.slow

SITE = "spirit-otc"
Key = tuple[str, int]  # (topic title, comment number in the topic, from 1)


@pytest.fixture(scope="session")
def spirit_forum(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SpiritForum]:
    """Spirit, migrated and filled with the plan, on a free loopback port for the session.

    Skipped when Django or django-spirit is not installed, unless
    ``WATCHLIST_REQUIRE_SERVICES=1``.
    """
    reason = spirit_app.missing()
    if reason is not None:
        if settings.load().require_services:
            pytest.fail(f"the Spirit forum app is required: {reason}")
        pytest.skip(reason)
    folder = tmp_path_factory.mktemp("spirit")
    with running_forum(folder, build()) as forum:
        yield forum
    shutil.rmtree(folder, ignore_errors=True)


def site_config(forum: SpiritForum) -> dict[str, object]:
    """The config a new user writes after looking at the forum's pages in a browser."""
    return {
        "name": SITE,
        "type": "forum",
        "start_urls": [forum.url(forum.category_paths[forum.plan.crawled_category])],
        "allow_private": True,
        "delay": 0,
        "timezone": forum.plan.time_zone,  # the forum shows Beijing time, without an offset
        "selectors": {
            "thread_links": "a.topic__link",
            "next_page": "ul.paginator a",  # all of the paginator's links
            "title": "h1.headline",
            "post": "div.comments_list__comment",
            "post_body": "div.comment__text",
            "author": "a.comment__info__username__link",
            "posted_at": "ul.comment__info__date li",
        },
    }


@dataclass(frozen=True)
class Crawled:
    forum: SpiritForum
    seeds: Path
    db: str
    result: CliResult


@pytest.fixture(scope="module")
def crawled(spirit_forum: SpiritForum, tmp_path_factory: pytest.TempPathFactory) -> Crawled:
    """The forum's OTC category crawled once into a fresh SQLite store."""
    folder = tmp_path_factory.mktemp("spirit-crawl")
    write_site(folder / "seeds", site_config(spirit_forum))
    db = f"sqlite:///{folder / 'watchlist.db'}"
    result = run_cli("crawl", SITE, "--seeds", str(folder / "seeds"), db=db)
    assert result.code == 0, result.stderr[-3000:] + result.stdout[-3000:]
    return Crawled(spirit_forum, folder / "seeds", db, result)


@dataclass(frozen=True)
class StoredPost:
    url: str
    title: str | None
    author: str | None
    posted_at: datetime | None
    handles: frozenset[tuple[str, str]]


def stored_posts(db: str) -> list[tuple[str, StoredPost]]:
    """Every stored post with its text (whitespace folded) and the handles seen in it."""
    store = open_store(db)
    try:
        with store.read() as session:
            posts = session.exec(select(Post)).all()
        seen: dict[str, set[tuple[str, str]]] = {}
        for entry in list_entries(store):
            assert entry.id is not None
            for evidence in get_entry(store, entry.id).evidence:
                seen.setdefault(evidence.post.url, set()).add((entry.kind, entry.value))
    finally:
        store.close()
    return [
        (
            fold(post.text),
            StoredPost(
                post.url,
                post.title,
                post.author,
                utc(post.posted_at),
                frozenset(seen.get(post.url, ())),
            ),
        )
        for post in posts
    ]


def planned(plan: Plan) -> dict[str, Key]:
    """Each comment of the crawled category by its text (whitespace folded)."""
    return {
        fold(comment.text): (topic.title, number)
        for topic in plan.crawled_topics()
        for number, comment in enumerate(topic.comments, start=1)
    }


def stored_by_comment(crawled: Crawled) -> tuple[dict[Key, list[StoredPost]], list[StoredPost]]:
    """The stored posts of each planned comment, and the posts that are no planned comment."""
    expected = planned(crawled.forum.plan)
    matched: dict[Key, list[StoredPost]] = {key: [] for key in expected.values()}
    strangers: list[StoredPost] = []
    for text, post in stored_posts(crawled.db):
        key = expected.get(text)
        if key is None:
            strangers.append(post)
        else:
            matched[key].append(post)
    return matched, strangers


def test_crawl_stores_every_comment_of_the_category_exactly_once(crawled: Crawled) -> None:
    plan = crawled.forum.plan
    topics = plan.crawled_topics()
    assert len(topics) >= 4 and len(topics) > 2 * plan.topics_per_page  # 3 listing pages
    assert max(len(t.comments) for t in topics) > 2 * plan.comments_per_page  # 3 topic pages
    matched, strangers = stored_by_comment(crawled)
    per_topic = {
        topic.title: (
            len(topic.comments),
            sum(1 for n in range(1, len(topic.comments) + 1) if matched[(topic.title, n)]),
        )
        for topic in plan.crawled_topics()
    }
    missing = sorted(key for key, posts in matched.items() if not posts)
    doubled = {key: [p.url for p in posts] for key, posts in matched.items() if len(posts) > 1}
    report = (
        f"{sum(1 for p in matched.values() if p)} of {len(matched)} comments stored; "
        f"per topic (expected, stored): {per_topic}; missing: {missing}; "
        f"stored more than once: {doubled}; not a comment of the category: "
        f"{[p.url for p in strangers]}\n{crawled.result.stdout[-1500:]}"
    )
    assert not missing and not doubled and not strangers, report


def test_crawl_stores_each_comment_with_its_author_time_and_topic(crawled: Crawled) -> None:
    plan = crawled.forum.plan
    clocks = {
        (moment.hour, moment.minute)
        for moment in (
            datetime.fromisoformat(c.posted_at) for t in plan.crawled_topics() for c in t.comments
        )
    }
    # Django writes these as "noon", "midnight" and "8 p.m.": all three are on the pages.
    assert {(12, 0), (0, 0)} <= clocks and any(m == 0 and h % 12 for h, m in clocks)
    nicknames = {user.username: user.nickname for user in plan.users}
    matched, _ = stored_by_comment(crawled)
    expected = {
        (topic.title, number): (
            nicknames[comment.author],
            datetime.fromisoformat(comment.posted_at).astimezone(UTC),
            topic.title,
        )
        for topic in plan.crawled_topics()
        for number, comment in enumerate(topic.comments, start=1)
    }
    stored = {
        key: (posts[0].author, posts[0].posted_at, posts[0].title)
        for key, posts in matched.items()
        if posts
    }
    assert stored == {key: expected[key] for key in stored}
    assert len(stored) == len(expected)


def test_crawl_stores_each_comment_under_its_topics_page(crawled: Crawled) -> None:
    forum = crawled.forum
    matched, _ = stored_by_comment(crawled)
    paths = {
        key: {unquote(urlsplit(post.url).path) for post in posts}
        for key, posts in matched.items()
        if posts
    }
    assert paths == {key: {unquote(forum.topic_paths[key[0]])} for key in paths}
    assert len(paths) == len(matched)


def test_crawl_finds_every_comments_handles(crawled: Crawled) -> None:
    plan = crawled.forum.plan
    matched, _ = stored_by_comment(crawled)
    expected = {
        (topic.title, number): set(comment.handles)
        for topic in plan.crawled_topics()
        for number, comment in enumerate(topic.comments, start=1)
    }
    found = {key: set().union(*(p.handles for p in posts)) for key, posts in matched.items()}
    assert found == expected
    kinds = Counter(kind for handles in expected.values() for kind, _ in handles)
    assert {"phone", "wechat", "telegram", "tron", "bank_card"} <= set(kinds)


def test_recrawl_of_the_forum_adds_nothing(crawled: Crawled) -> None:
    db = copy_database(crawled.db, "recrawl")  # the other tests read the first crawl's store
    store = open_store(db)
    try:
        before = summary(store)
        result = run_cli("crawl", SITE, "--seeds", str(crawled.seeds), db=db)
        after = summary(store)
    finally:
        store.close()
    assert result.code == 0, result.stderr[-3000:]
    assert before.posts > 0
    assert (after.posts, after.entries, after.sightings) == (
        before.posts,
        before.entries,
        before.sightings,
    )


def fold(text: str) -> str:
    """Text with every run of whitespace folded to one space."""
    return " ".join(text.split())


def utc(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def copy_database(db: str, name: str) -> str:
    """A copy of a SQLite store (no process has it open) under another file name."""
    source = Path(db.removeprefix("sqlite:///"))
    target = source.with_name(f"{name}.db")
    for suffix in ("", "-wal"):
        if Path(f"{source}{suffix}").exists():
            shutil.copyfile(f"{source}{suffix}", f"{target}{suffix}")
    return f"sqlite:///{target}"
