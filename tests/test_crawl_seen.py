"""What a crawl remembers having seen, kept compact, still filters and counts exactly.

The digest sets on their own; Scrapy's duplicate-filter contract on :class:`CompactDupeFilter`
built by a real Scrapy crawler; and real crawls (``python -m watchlist crawl``) of a demo forum
on a loopback port: a repeated request fetched once, and the pages whose pagination the crawl
did not follow counted exactly.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import run_cli, write_site
from scrapy import Request
from scrapy.dupefilters import RFPDupeFilter
from scrapy.utils.test import get_crawler

from crawlers.digests import DigestSet, UrlSet
from crawlers.dupefilter import CompactDupeFilter
from watchlist.demo import World, serve
from watchlist.demo.server import RunningServer
from watchlist.demo.site import demo_site
from watchlist.store import open_store, recent_runs

# 12 list pages a board: the first shows links to pages 1-10 and the last one, read later.
WORLD = World(seed=5, boards=2, threads_per_board=120)
BOARD = "/forum-2-1.html"


@pytest.fixture(scope="module")
def forum() -> Iterator[RunningServer]:
    with serve(WORLD) as running:
        yield running


def thread_page_hits(running: RunningServer) -> dict[str, int]:
    return {t: n for t, n in running.hits.items() if t.startswith("/thread-")}


def crawl(
    tmp_path: Path, running: RunningServer, db: str, **changes: object
) -> tuple[str, dict[str, Any]]:
    """Crawl the forum with its config changed by ``changes``: the summary and the run's stats."""
    config = demo_site(WORLD, running.base_url, name="seen").model_dump()
    config.update(changes)
    write_site(tmp_path / "seeds", config)
    running.replace(running.httpd.site)  # forget earlier hits
    result = run_cli("crawl", "seen", "--seeds", str(tmp_path / "seeds"), db=db)
    assert result.code == 0, result.stdout + result.stderr
    store = open_store(db)
    try:
        stats: dict[str, Any] = json.loads(recent_runs(store, "seen")[0].stats)
    finally:
        store.close()
    return result.stdout, stats


def test_a_digest_set_holds_every_digest_it_was_given_across_growth() -> None:
    rng = random.Random(3)
    members = {rng.getrandbits(64) for _ in range(50_000)}
    others = {rng.getrandbits(64) for _ in range(50_000)} - members
    digests = DigestSet()

    assert all(digests.add(d) for d in members)

    assert len(digests) == len(members)
    assert all(d in digests for d in members)
    assert not any(d in digests for d in others)
    assert not any(digests.add(d) for d in members)  # already there: not added twice
    assert len(digests) == len(members)


def test_a_url_set_tells_exact_urls_apart() -> None:
    urls = UrlSet(["http://a.example/t?page=2"])
    urls.update(["http://a.example/t?page=3"])

    assert "http://a.example/t?page=2" in urls and "http://a.example/t?page=3" in urls
    assert "http://a.example/t?page=4" not in urls and "http://a.example/t?page=20" not in urls
    assert not urls.add("http://a.example/t?page=3") and len(urls) == 2


def test_the_compact_dupefilter_filters_as_scrapys_own_does(tmp_path: Path) -> None:
    crawler = get_crawler(
        settings_dict={"DUPEFILTER_CLASS": "crawlers.dupefilter.CompactDupeFilter"}
    )
    ours = CompactDupeFilter.from_crawler(crawler)
    scrapys = RFPDupeFilter.from_crawler(crawler)
    requests = [
        Request("http://a.example/t?b=2&a=1"),
        Request("http://a.example/t?a=1&b=2#p5"),  # the same page, canonicalized
        Request("http://a.example/t?a=1&b=2", method="POST"),
        Request("http://a.example/t?a=1&b=2", method="POST", body=b"x"),
        Request("http://a.example/t?a=1&b=2", method="POST"),
        Request("http://a.example/u"),
    ]

    assert [ours.request_seen(r) for r in requests] == [scrapys.request_seen(r) for r in requests]
    assert [ours.request_seen(r) for r in requests[:1]] == [True]
    assert len(ours) == 4


def test_the_compact_dupefilter_keeps_its_jobdir_file_in_scrapys_format(tmp_path: Path) -> None:
    crawler = get_crawler(settings_dict={"JOBDIR": str(tmp_path)})
    first = CompactDupeFilter.from_crawler(crawler)
    assert not first.request_seen(Request("http://a.example/1"))
    first.close("shutdown")
    scrapys = RFPDupeFilter.from_crawler(crawler)
    assert scrapys.request_seen(Request("http://a.example/1"))  # read back by Scrapy's own
    assert not scrapys.request_seen(Request("http://a.example/2"))
    scrapys.close("shutdown")

    resumed = CompactDupeFilter.from_crawler(crawler)

    assert resumed.request_seen(Request("http://a.example/1"))
    assert resumed.request_seen(Request("http://a.example/2"))
    assert not resumed.request_seen(Request("http://a.example/3"))
    resumed.close("finished")


def test_a_request_scheduled_twice_is_fetched_once_and_counted_as_filtered(
    tmp_path: Path, sqlite_url: str, forum: RunningServer
) -> None:
    board = forum.url(BOARD)

    _, stats = crawl(tmp_path, forum, sqlite_url, start_urls=[board, board + "#top"])

    assert forum.hits[BOARD] == 1
    assert stats.get("dupefilter/filtered") == 1
    assert set(thread_page_hits(forum).values()) == {1}
    assert len(thread_page_hits(forum)) == sum(
        WORLD.thread_page_count(tid)
        for tid in range(1, 121)  # board 2's threads
    )


def test_pages_whose_pagination_was_not_followed_are_counted_once_each(
    tmp_path: Path, sqlite_url: str, forum: RunningServer
) -> None:
    # The list pages' "next" is followed; a thread's pagination never is.
    longer = [t for t in range(1, 2 * 120 + 1) if WORLD.thread_page_count(t) > 1]
    assert len(longer) > 10

    summary, stats = crawl(
        tmp_path, forum, sqlite_url, selectors={"next_page": "div.pg a.nxt[href^='forum-']"}
    )

    # Each long thread's first page shows its unread pages; the list pages' links to pages
    # 3-10 and to the last page were all read later, so no list page is counted.
    assert stats.get("watchlist/pagination_not_followed") == len(longer)
    assert f"{len(longer)} pages with pagination not followed" in summary
    assert not [t for t in thread_page_hits(forum) if not t.endswith("-1-1.html")]
    assert {t for t in forum.hits if t.startswith("/forum-")} == {
        f"/forum-{fid}-{n}.html" for fid in (2, 3) for n in range(1, 13)
    }


def test_a_crawl_that_follows_all_pagination_counts_none_unread(
    tmp_path: Path, sqlite_url: str, forum: RunningServer
) -> None:
    summary, stats = crawl(tmp_path, forum, sqlite_url)

    assert "watchlist/pagination_not_followed" not in stats
    assert "pagination not followed" not in summary
    assert set(thread_page_hits(forum)) == {
        f"/thread-{tid}-{n}-1.html"
        for tid in range(1, 2 * 120 + 1)
        for n in range(1, WORLD.thread_page_count(tid) + 1)
    }
