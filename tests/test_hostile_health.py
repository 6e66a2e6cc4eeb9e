"""A crawl's health means something: what fails it, what only warns, and what a kill leaves.

Real crawls through the CLI, in subprocesses, against small sites on loopback. A failed request
(a 503, a URL that never answers, a closed port) counts against the site's
``expect.max_failed_share`` and is shown as one line per class; an image that cannot be fetched
never fails a crawl; only an error of our own code does, and only its own site's, shown on one
line. A crawl killed midway leaves its ``crawl_runs`` row marked interrupted by the next crawl
to start, which leaves the rows of crawls still running alone.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from conftest import CliResult, run_cli, write_site

from crawlers.run_log import is_alive, this_process
from watchlist.demo import World, serve
from watchlist.demo.page import ALLOW_ALL_ROBOTS, TEXT_TYPE, Page, html_page
from watchlist.demo.server import RunningServer
from watchlist.demo.site import demo_site
from watchlist.store import open_store, page_memory, recent_runs
from watchlist.store.queries import summary
from watchlist.store.tables import CrawlRun

THREADS = 40


class Forum:
    """A board listing :data:`THREADS` threads of one post each; ``special`` answers some paths.

    ``special(path)`` returns a Page, or None for the normal answer; it may block (a URL that
    never answers in time) until :attr:`release` is set.
    """

    def __init__(
        self, special: Callable[[str], Page | None] = lambda _: None, image: bool = False
    ) -> None:
        self.special = special
        self.image = image  # the first thread's post shows /slow.png
        self.release = threading.Event()

    def render(self, target: str) -> Page:
        if target == "/robots.txt":
            return Page(200, TEXT_TYPE, ALLOW_ALL_ROBOTS.encode())
        answer = self.special(target)
        if answer is not None:
            return answer
        if target == "/board":
            links = "".join(f'<a class="xst" href="/t/{n}">thread {n}</a>' for n in range(THREADS))
            return html_page(200, f"<html><body>{links}</body></html>")
        if target.startswith("/t/"):
            n = target.rsplit("/", 1)[1]
            image = '<img src="/slow.png">' if n == "0" and self.image else ""
            body = f'<div id="post_{n}"><td class="t_f">QQ 63214450{n[-1]} {image}</td></div>'
            return html_page(200, f"<html><body>{body}</body></html>")
        return html_page(404, "<html><body>not found</body></html>")

    def never_in_time(self) -> Page:
        """Block past any deadline of the crawl (released when the test ends)."""
        self.release.wait(60)
        return html_page(200, "<html><body>too late</body></html>")


@pytest.fixture
def forum_server() -> Iterator[Callable[[Forum], RunningServer]]:
    """Serve a :class:`Forum`; blocked answers are released when the test ends."""
    running: list[tuple[Forum, object]] = []

    def start(forum: Forum) -> RunningServer:
        context = serve(forum)
        running.append((forum, context))
        return context.__enter__()

    yield start
    for forum, context in running:
        forum.release.set()
        context.__exit__(None, None, None)  # type: ignore[attr-defined]


def site_config(base_url: str, name: str = "site", **changes: object) -> dict[str, object]:
    config: dict[str, object] = {
        "name": name,
        "type": "forum",
        "engine": "discuz",
        "start_urls": [base_url + "/board"],
        "allow_private": True,
        "delay": 0,
        "retries": 2,
        "selectors": {"post": "div[id^=post_]", "post_body": "td.t_f"},
    }
    config.update(changes)
    return config


def crawl(seeds: Path, db: str, *names: str, verbose: bool = False) -> CliResult:
    args = ["crawl", *names, "--seeds", str(seeds), *(["-v"] if verbose else [])]
    return run_cli(*args, db=db, env={"WATCHLIST_RETRY_BACKOFF": "0"})


def runs(db: str, site: str | None = None) -> list[CrawlRun]:
    store = open_store(db)
    try:
        return recent_runs(store, site)
    finally:
        store.close()


def assert_no_traceback_or_scrapy_error(result: CliResult) -> None:
    for output in (result.stdout, result.stderr):
        assert "Traceback" not in output
        assert "Gave up retrying" not in output
        assert "] ERROR:" not in output


def test_one_failing_page_among_many_warns_and_only_max_failed_share_fails_it(
    tmp_path: Path, sqlite_url: str, forum_server: Callable[[Forum], RunningServer]
) -> None:
    def unavailable(path: str) -> Page | None:
        return html_page(503, "busy") if path == "/t/17" else None

    server = forum_server(Forum(unavailable))
    seeds = tmp_path / "seeds"
    write_site(seeds, site_config(server.base_url))
    lenient = crawl(seeds, sqlite_url, "site")
    tries = server.hits["/t/17"]
    write_site(seeds, site_config(server.base_url, expect={"max_failed_share": 0.01}))
    strict = crawl(seeds, f"sqlite:///{tmp_path / 'strict.db'}", "site")

    assert lenient.code == 0, lenient.stdout + lenient.stderr
    assert tries == 3  # retried twice, then counted as one failed request
    assert "site: warning · " in lenient.stdout
    assert "1 of 41 requests failed (within expect.max_failed_share 0.5)" in lenient.stdout
    assert f"site: 1 request failed: HTTP 503 (first: {server.base_url}/t/17)" in lenient.stderr
    assert_no_traceback_or_scrapy_error(lenient)
    (run,) = runs(sqlite_url, "site")
    assert run.ok and run.finish_reason == "finished" and run.failed_requests == 1
    store = open_store(sqlite_url)
    try:
        assert summary(store).posts == THREADS - 1
    finally:
        store.close()

    assert strict.code == 1
    assert "1 of 41 requests failed (expect.max_failed_share is 0.01)" in strict.stdout
    assert "crawl failed for site" in strict.stderr


def test_an_image_and_a_page_that_never_answer_in_time_leave_the_crawl_healthy(
    tmp_path: Path, sqlite_url: str, forum_server: Callable[[Forum], RunningServer]
) -> None:
    forum = Forum(
        lambda path: forum.never_in_time() if path in ("/slow.png", "/t/5") else None, image=True
    )
    server = forum_server(forum)
    seeds = tmp_path / "seeds"
    write_site(seeds, site_config(server.base_url, request_deadline=2))

    result = crawl(seeds, sqlite_url, "site")

    assert result.code == 0, result.stdout + result.stderr
    assert server.hits["/slow.png"] >= 1 and server.hits["/t/5"] >= 1
    assert "site: warning · " in result.stdout
    assert "1 image could not be fetched" in result.stdout
    assert "site: 1 request failed: timed out" in result.stderr
    assert_no_traceback_or_scrapy_error(result)
    (run,) = runs(sqlite_url, "site")
    assert run.ok
    stats = json.loads(run.stats)
    assert stats["watchlist/images_failed"] == 1
    assert stats.get("watchlist/errors") == []


def test_an_image_that_fails_alone_still_lets_the_board_validators_be_saved(
    tmp_path: Path, sqlite_url: str, forum_server: Callable[[Forum], RunningServer]
) -> None:
    def broken_image(path: str) -> Page | None:
        return html_page(503, "no") if path == "/slow.png" else None

    server = forum_server(Forum(broken_image, image=True))
    seeds = tmp_path / "seeds"
    write_site(seeds, site_config(server.base_url))

    result = crawl(seeds, sqlite_url, "site")

    assert result.code == 0, result.stdout + result.stderr
    assert "1 image could not be fetched" in result.stdout
    assert_no_traceback_or_scrapy_error(result)
    store = open_store(sqlite_url)
    try:
        board = page_memory(store, "site")[f"{server.base_url}/board"]
    finally:
        store.close()
    assert board.etag is not None  # a crawl that read everything it was shown vouches for it


def refusing_validators_of(site: str, db: str) -> str:
    """``db``, migrated, with a trigger that makes it refuse the validators of ``site``."""
    open_store(db).close()
    with sqlite3.connect(db.removeprefix("sqlite:///")) as connection:
        connection.execute(
            "CREATE TRIGGER refuse BEFORE INSERT ON page_states "
            f"WHEN NEW.site = '{site}' AND NEW.etag IS NOT NULL "
            "BEGIN SELECT RAISE(ABORT, 'validators refused'); END"
        )
    return db


def test_an_error_of_our_own_code_fails_only_its_site_shown_on_one_line(
    tmp_path: Path, sqlite_url: str, forum_server: Callable[[Forum], RunningServer]
) -> None:
    seeds = tmp_path / "seeds"
    write_site(seeds, site_config(forum_server(Forum()).base_url, name="good"))
    write_site(seeds, site_config(forum_server(Forum()).base_url, name="bad"))

    result = crawl(seeds, refusing_validators_of("bad", sqlite_url), "good", "bad")
    verbose = crawl(
        seeds, refusing_validators_of("bad", f"sqlite:///{tmp_path / 'v.db'}"), "bad", verbose=True
    )

    assert result.code == 1
    assert "crawl failed for bad" in result.stderr and "good" not in result.stderr
    assert "good: warning · " in result.stdout  # its posts show no dates or authors
    assert "bad: FAILED · " in result.stdout
    assert "1 error in the crawler's own code" in result.stdout
    error = "error: signal handler Spider.close: IntegrityError: validators refused"
    assert sum(error in line for line in result.stdout.splitlines()) == 1
    assert_no_traceback_or_scrapy_error(result)
    by_site = {run.site: run for run in runs(sqlite_url)}
    assert by_site["good"].ok and not by_site["bad"].ok
    assert by_site["bad"].posts == THREADS  # its posts were stored all the same
    stats = json.loads(by_site["bad"].stats)
    assert stats["watchlist/errors"] == [error.removeprefix("error: ")]
    assert verbose.code == 1
    assert "Traceback" in verbose.stderr and "validators refused" in verbose.stderr


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_a_closed_port_prints_one_line_per_failure_class_then_the_summary(
    tmp_path: Path, sqlite_url: str
) -> None:
    base = f"http://127.0.0.1:{closed_port()}"
    seeds = tmp_path / "seeds"
    config = site_config(base, name="closed")
    config["start_urls"] = [f"{base}/board", f"{base}/other"]
    write_site(seeds, config)

    quiet = crawl(seeds, sqlite_url, "closed")
    verbose = crawl(seeds, f"sqlite:///{tmp_path / 'v.db'}", "closed", verbose=True)

    assert quiet.code == 1
    said = [line for line in quiet.stderr.splitlines() if line.strip()]
    assert said[0].startswith("created a new store at ")
    assert said[1:] == [
        f"closed: 2 requests failed: connection refused (first: {base}/board)",
        "error: crawl failed for closed",
    ]
    assert "closed: FAILED · 0 pages" in quiet.stdout
    assert "no page could be fetched" in quiet.stdout
    assert_no_traceback_or_scrapy_error(quiet)
    assert verbose.code == 1
    assert "Gave up retrying" in verbose.stderr  # -v shows Scrapy's own log


def slow_forum_seeds(folder: Path, base_url: str, *names: str) -> Path:
    world = World(seed=52, boards=3, threads_per_board=12)
    for name in names:
        config = demo_site(world, base_url, name=name).model_dump()
        config["concurrency"] = 1
        write_site(folder, config)
    return folder


def start_crawl(seeds: Path, db: str, name: str) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WATCHLIST_")}
    env["WATCHLIST_DB"] = db
    return subprocess.Popen(
        [sys.executable, "-m", "watchlist", "crawl", name, "--seeds", str(seeds)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def running_row(db: str, site: str, process: subprocess.Popen[bytes]) -> CrawlRun:
    """Wait for the row the crawl of ``site`` opens while it runs."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, "the crawl ended before its row was seen"
        found = [r for r in runs(db, site) if r.finish_reason == "running"]
        if found:
            return found[0]
        time.sleep(0.1)
    raise AssertionError(f"no running row for {site}")


def test_a_killed_crawl_is_marked_interrupted_by_the_next_start_and_live_ones_are_not(
    tmp_path: Path, sqlite_url: str, demo_server: RunningServer
) -> None:
    with serve(World(seed=52, boards=3, threads_per_board=12), delay=1.0) as slow:
        slow_seeds = slow_forum_seeds(tmp_path / "slow", slow.base_url, "slow-a", "slow-b")
        killed = start_crawl(slow_seeds, sqlite_url, "slow-a")
        alive = start_crawl(slow_seeds, sqlite_url, "slow-b")
        try:
            running_row(sqlite_url, "slow-a", killed)
            alive_row = running_row(sqlite_url, "slow-b", alive)
            killed.send_signal(signal.SIGKILL)
            killed.wait()
            # The same site as the live crawl, at once (here on a fast server): a second row.
            quick_seeds = tmp_path / "quick"
            write_site(
                quick_seeds,
                demo_site(World(seed=7), demo_server.base_url, name="slow-b").model_dump(),
            )
            again = run_cli("crawl", "slow-b", "--seeds", str(quick_seeds), db=sqlite_url)
            rows = {r.id: r for r in runs(sqlite_url)}
            assert alive.poll() is None, "the live crawl ended during the test: make it slower"
        finally:
            alive.send_signal(signal.SIGKILL)
            alive.wait()
            killed.kill()

    assert again.code == 0, again.stdout + again.stderr
    assert "slow-a: the crawl started" in again.stderr and "was interrupted" in again.stderr
    interrupted = [r for r in rows.values() if r.site == "slow-a"]
    assert [r.finish_reason for r in interrupted] == ["interrupted"]
    assert (
        interrupted[0].problem is not None
        and "stopped before it finished" in interrupted[0].problem
    )
    assert rows[alive_row.id].finish_reason == "running"  # alive: left alone
    finished = [r for r in rows.values() if r.site == "slow-b" and r.id != alive_row.id]
    assert [(r.finish_reason, r.ok) for r in finished] == [("finished", True)]

    later = run_cli("crawl", "slow-b", "--seeds", str(quick_seeds), db=sqlite_url)
    assert later.code == 0, later.stdout + later.stderr
    assert {r.id: r.finish_reason for r in runs(sqlite_url)}[alive_row.id] == "interrupted"
    assert "slow-b: the crawl started" in later.stderr
    assert "note: the crawl started" in later.stdout and "was interrupted" in later.stdout


def test_a_process_is_told_apart_from_a_later_one_with_its_pid() -> None:
    me = this_process()
    assert is_alive(me) is True
    assert is_alive({**me, "since": (me["since"] or 0) + 1}) is (me["since"] is None)
    assert is_alive({**me, "boot": "another-boot"}) is (me["boot"] is None)
    assert is_alive({**me, "host": me["host"] + "-elsewhere"}) is None  # this machine can't tell
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    assert is_alive({**me, "pid": child.pid, "since": None}) is False
