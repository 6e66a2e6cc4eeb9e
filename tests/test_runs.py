"""``watchlist runs``: the latest runs per site from ``crawl_runs`` and ``--health``, after real
crawls of a demo forum on a loopback port into real SQLite stores."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import run_cli, write_site

from watchlist.demo import World, serve
from watchlist.demo.discuz import DiscuzSite
from watchlist.demo.server import RunningServer
from watchlist.demo.site import demo_site

WORLD = World(seed=31, boards=2, threads_per_board=12)
pytestmark = pytest.mark.slow


@pytest.fixture
def forum() -> Iterator[RunningServer]:
    """A demo forum of its own (a test here changes what it serves)."""
    with serve(DiscuzSite(WORLD)) as running:
        yield running


def write(seeds: Path, running: RunningServer, name: str, **changes: object) -> None:
    write_site(seeds, {**demo_site(WORLD, running.base_url, name=name).model_dump(), **changes})


def crawl(seeds: Path, db: str, name: str) -> None:
    result = run_cli("crawl", name, "--seeds", str(seeds), db=db)
    assert result.code == 0, result.stdout + result.stderr


def test_runs_lists_each_sites_latest_runs_within_80_columns(
    tmp_path: Path, sqlite_url: str, forum: RunningServer
) -> None:
    seeds = tmp_path / "seeds"
    write(seeds, forum, "forum")
    write(seeds, forum, "waiting")
    crawl(seeds, sqlite_url, "forum")
    crawl(seeds, sqlite_url, "forum")  # unchanged: board pages only

    result = run_cli("runs", "--seeds", str(seeds), db=sqlite_url, env={"COLUMNS": "80"})

    assert result.code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert all(len(line) <= 80 for line in lines)
    rows = [line.split() for line in lines if line.startswith("forum ")]
    assert len(rows) == 2
    newest, first = rows  # site, started (date, time), result, time, pages, posts, new, failed
    expected = ("ok", str(WORLD.page_count()), str(len(list(WORLD.posts()))))
    assert (first[3], first[5], first[6]) == expected
    assert (newest[3], newest[5], newest[6]) == ("ok", "0", "0")  # both boards answered 304
    assert any(line.startswith("waiting ") and "never run" in line for line in lines)


def test_runs_of_an_unknown_site_is_one_line_exit_2(
    tmp_path: Path, sqlite_url: str, forum: RunningServer
) -> None:
    seeds = tmp_path / "seeds"
    write(seeds, forum, "forum")
    crawl(seeds, sqlite_url, "forum")

    result = run_cli("runs", "--site", "nope", "--seeds", str(seeds), db=sqlite_url)

    assert result.code == 2
    assert result.stderr.startswith("error: --site: no site 'nope' has runs or a config")
    assert len(result.stderr.strip().splitlines()) == 1


def test_health_is_ok_right_after_a_successful_crawl(
    tmp_path: Path, sqlite_url: str, forum: RunningServer
) -> None:
    seeds = tmp_path / "seeds"
    write(seeds, forum, "forum")  # every six hours
    crawl(seeds, sqlite_url, "forum")

    result = run_cli("runs", "--health", "--seeds", str(seeds), db=sqlite_url)

    assert result.code == 0, result.stdout + result.stderr
    assert "health: all 1 configured sites ok" in result.stdout


def test_health_names_a_site_overdue_and_one_never_crawled_and_exits_1(
    tmp_path: Path, sqlite_url: str, forum: RunningServer
) -> None:
    seeds = tmp_path / "seeds"
    write(seeds, forum, "forum", schedule="* * * * *")  # every second on the test clock
    write(seeds, forum, "waiting")
    crawl(seeds, sqlite_url, "forum")
    time.sleep(2.5)  # more than twice the interval since the run ended

    result = run_cli(
        "runs", "--health", "--seconds-resolution", "--seeds", str(seeds), db=sqlite_url
    )

    assert result.code == 1
    assert "forum: overdue: no successful run since" in result.stdout
    assert "(more than twice its interval of 1s)" in result.stdout
    assert "waiting: never crawled" in result.stdout
    assert result.stderr == "error: 2 of 2 sites unhealthy: forum, waiting\n"


def test_health_says_a_site_that_silently_yields_nothing_may_have_changed_its_markup(
    tmp_path: Path, sqlite_url: str, forum: RunningServer
) -> None:
    seeds = tmp_path / "seeds"
    write(seeds, forum, "forum")
    crawl(seeds, sqlite_url, "forum")
    tid = WORLD.board_thread_ids(2, 1)[0]
    forum.replace(DiscuzSite(replace(WORLD, grown=((tid, 1),))))  # a new reply: pages change
    selectors = {"post": "div.gone-since-the-redesign"}  # the site's markup no longer matches
    write(seeds, forum, "forum", selectors=selectors)
    crawl(seeds, sqlite_url, "forum")

    result = run_cli("runs", "--health", "--seeds", str(seeds), db=sqlite_url)

    assert result.code == 1, result.stdout
    assert "forum: degraded: its last run fetched" in result.stdout
    assert "read no posts from them" in result.stdout
    assert "has the site changed its markup? (try `watchlist sites check forum`)" in result.stdout
    assert result.stderr == "error: 1 of 1 sites unhealthy: forum\n"


def test_the_rows_an_exited_crawl_left_open_are_marked_interrupted_and_no_others(
    tmp_path: Path,
) -> None:
    import subprocess
    import sys
    from datetime import UTC, datetime

    from crawlers.run_log import close_runs_of, this_process
    from watchlist.store import open_store
    from watchlist.store.runs import open_run, open_runs

    url = f"sqlite:///{tmp_path / 'watchlist.db'}"
    open_store(url, create=True).close()
    # A crawl process that opens its row and dies without closing it (as SIGKILL leaves it).
    leaver = subprocess.run(
        [
            sys.executable,
            "-c",
            "import os, sys; from datetime import UTC, datetime;"
            "from crawlers.run_log import this_process;"
            "from watchlist.store import open_store;"
            "from watchlist.store.runs import open_run;"
            "store = open_store(sys.argv[1]);"
            "open_run(store, 'forum', datetime.now(UTC), this_process());"
            "print(os.getpid(), flush=True); os._exit(9)",
            url,
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    dead_pid = int(leaver.stdout.strip())
    store = open_store(url)
    open_run(store, "forum", datetime.now(UTC), this_process())  # this live process's own row
    assert len(open_runs(store)) == 2

    assert close_runs_of(store, "other", dead_pid, "gone") == []  # another site: untouched
    (marked,) = close_runs_of(store, "forum", dead_pid, "the crawl ended (exit 9)")
    assert marked.site == "forum"
    (still_open,) = open_runs(store)
    assert still_open.process["pid"] != dead_pid
    assert close_runs_of(store, "forum", still_open.process["pid"], "alive") == []  # it runs
    store.close()
