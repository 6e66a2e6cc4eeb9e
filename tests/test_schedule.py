"""``watchlist schedule``: a real APScheduler scheduler running real crawls in subprocesses
against demo forums on loopback ports, into real SQLite stores, and a real sync to the reference
receiver. Crons are short through ``--seconds-resolution`` (the test clock: a cron's minute field
counts seconds) or, for the downtime test, a daily cron and a store whose last run is days old.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from conftest import run_cli, wait_for_posts, write_site
from sqlalchemy import update
from sync_world import SECRET_ENV, receiver, target, write_config
from sync_world import env as sync_env

from watchlist.demo import World, serve
from watchlist.demo.discuz import DiscuzSite
from watchlist.demo.server import RunningServer
from watchlist.demo.site import demo_site
from watchlist.errors import ConfigError
from watchlist.schedule.timing import cron_trigger, due_now
from watchlist.store import get_entry, list_entries, open_store, recent_runs
from watchlist.store.queries import summary
from watchlist.store.run_history import RUNS
from watchlist.store.tables import CrawlRun

WORLD = World(seed=31, boards=2, threads_per_board=12)
YEARLY = "0 0 1 1 *"  # not due again within a test
pytestmark = pytest.mark.slow


@pytest.fixture
def forum() -> Iterator[RunningServer]:
    """A demo forum of its own (some tests change what it serves)."""
    with serve(DiscuzSite(WORLD)) as running:
        yield running


def site_config(running: RunningServer, name: str, schedule: str | None, **extra: object) -> dict:
    config = demo_site(WORLD, running.base_url, name=name).model_dump()
    return {**config, "schedule": schedule, **extra}


def environment(db: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WATCHLIST_")}
    return {**env, "WATCHLIST_DB": db, "PYTHONUTF8": "1", "COLUMNS": "200", **extra}


class Scheduler:
    """``watchlist schedule ARGS`` in the background; its log in a file."""

    def __init__(self, tmp: Path, db: str, *args: str, env: dict[str, str] | None = None) -> None:
        self.log = tmp / f"schedule-{time.monotonic_ns()}.log"
        self.out = self.log.with_suffix(".out")
        with self.log.open("w") as err, self.out.open("w") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "watchlist", "schedule", *args],
                stdout=out,
                stderr=err,
                env={**environment(db), **(env or {})},
                cwd=tmp,
            )

    def text(self) -> str:
        return self.log.read_text(encoding="utf-8")

    def wait_for(self, needle: str, count: int = 1, within: float = 120) -> str:
        """Wait until the log holds ``needle`` ``count`` times; the log."""
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            text = self.text()
            if text.count(needle) >= count:
                return text
            assert self.process.poll() is None, f"the scheduler ended:\n{text}"
            time.sleep(0.1)
        raise AssertionError(f"{needle!r} not logged {count} times:\n{self.text()}")

    def terminate(self) -> tuple[int, str, str]:
        """SIGTERM; exit code, summary (stdout) and log."""
        self.process.send_signal(signal.SIGTERM)
        code = self.process.wait(timeout=120)
        return code, self.out.read_text(encoding="utf-8"), self.text()


def runs_of(db: str, site: str | None = None) -> list[CrawlRun]:
    store = open_store(db)
    try:
        return list(reversed(recent_runs(store, site, limit=1000)))
    finally:
        store.close()


def once(tmp: Path, db: str, seeds: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "watchlist", "schedule", "--once", "--seeds", str(seeds), *args],
        capture_output=True,
        text=True,
        env={**environment(db), **env},
        cwd=tmp,
        timeout=300,
        check=False,
    )


def test_crontab_weekdays_count_from_sunday_as_cron_does() -> None:
    monday_9 = cron_trigger("0 9 * * 1")
    after = datetime(2026, 12, 5, tzinfo=UTC)  # a Saturday
    assert monday_9.get_next_fire_time(None, after) == datetime(2026, 12, 7, 9, tzinfo=UTC)
    sunday = cron_trigger("30 2 * * 0").get_next_fire_time(None, after)
    assert sunday == datetime(2026, 12, 6, 2, 30, tzinfo=UTC)
    assert cron_trigger("0 0 * * 7").get_next_fire_time(None, after) == datetime(
        2026, 12, 6, tzinfo=UTC
    )


def test_a_cron_naming_both_month_days_and_weekdays_is_refused() -> None:
    with pytest.raises(ConfigError, match="both days of the month and days of the week"):
        cron_trigger("0 0 1 * 1", site="x")


def test_due_counts_the_fire_times_missed_since_the_last_run() -> None:
    trigger = cron_trigger("0 */6 * * *")
    now = datetime(2026, 12, 2, 5, 0, tzinfo=UTC)
    assert due_now("s", trigger, None, now).due
    ahead = due_now("s", trigger, now - timedelta(hours=1), now)
    assert not ahead.due and "next run at 2026-12-02 06:00:00" in ahead.reason
    missed = due_now("s", trigger, now - timedelta(days=2), now)
    assert missed.due and missed.missed == 8


def test_runs_fire_on_their_crons_one_per_site_at_a_time_within_the_parallel_bound(
    tmp_path: Path, sqlite_url: str, forum: RunningServer
) -> None:
    seeds = tmp_path / "seeds"
    for name in ("alpha", "beta"):
        write_site(seeds, site_config(forum, name, "*/2 * * * *"))  # every 2 s on the test clock
    scheduler = Scheduler(
        tmp_path,
        sqlite_url,
        *("--seeds", str(seeds), "--seconds-resolution", "--jitter", "0", "--parallel", "1"),
    )
    scheduler.wait_for("crawl finished", count=3)
    scheduler.wait_for("is refused")  # a crawl lasts longer than 2 s: the next fire time waits
    code, summary_line, log = scheduler.terminate()

    assert code == 0, log
    runs = runs_of(sqlite_url)
    assert {r.site for r in runs if r.ok} == {"alpha", "beta"}
    finished = sorted((r.started_at, r.finished_at) for r in runs)
    for (_, end), (start, _) in pairwise(finished):
        assert start >= end, "two crawls ran at once with --parallel 1"
    refused = int(summary_line.split(" overlapping runs refused")[0].rsplit(" ", 1)[1])
    assert refused >= 1
    assert log.count("is refused") == refused


def test_runs_missed_during_downtime_coalesce_into_one(
    tmp_path: Path, sqlite_url: str, forum: RunningServer
) -> None:
    seeds = tmp_path / "seeds"
    write_site(seeds, site_config(forum, "forum", "0 0 * * *"))  # daily at midnight UTC
    assert run_cli("crawl", "forum", "--seeds", str(seeds), db=sqlite_url).code == 0
    (run,) = runs_of(sqlite_url, "forum")
    store = open_store(sqlite_url)  # the scheduler was down for five days since that run
    with store.write() as session:
        session.execute(
            update(RUNS)
            .where(RUNS.c.id == run.id)
            .values(
                started_at=run.started_at - timedelta(days=5),
                finished_at=run.finished_at - timedelta(days=5),
            )
        )
    store.close()

    scheduler = Scheduler(tmp_path, sqlite_url, "--seeds", str(seeds), "--jitter", "0")
    scheduler.wait_for("5 missed runs coalesced into one")
    scheduler.wait_for("forum: crawl finished")
    code, summary_line, log = scheduler.terminate()

    assert code == 0, log
    assert "1 crawls started: 1 ok" in summary_line
    assert len(runs_of(sqlite_url, "forum")) == 2


def test_sigterm_drains_a_running_crawl_and_the_next_run_resumes_losing_nothing(
    tmp_path: Path, sqlite_url: str
) -> None:
    world = World(seed=32, boards=2, threads_per_board=30)
    with serve(DiscuzSite(world), delay=0.02) as running:
        config = demo_site(world, running.base_url, name="forum").model_dump()
        write_site(tmp_path / "seeds", {**config, "schedule": YEARLY, "concurrency": 2})
        seeds = str(tmp_path / "seeds")
        scheduler = Scheduler(tmp_path, sqlite_url, "--seeds", seeds, "--jitter", "0")
        stored = wait_for_posts(sqlite_url, at_least=100, process=scheduler.process)
        code, summary_line, log = scheduler.terminate()

        assert code == 0, log
        assert "1 stopped by the drain" in summary_line and "0 killed" in summary_line
        total = sum(1 for _ in world.posts())
        assert 100 <= stored < total, "the crawl was stopped midway"
        (stopped,) = runs_of(sqlite_url, "forum")
        assert stopped.finish_reason == "interrupted", stopped.problem
        assert "SIGTERM" in (stopped.problem or ""), stopped.problem  # the signal that came
        store = open_store(sqlite_url)
        kept = summary(store).posts
        store.close()
        assert stored <= kept < total

        resumed = once(tmp_path, sqlite_url, tmp_path / "seeds")  # the stopped run is due

    assert resumed.returncode == 0, resumed.stderr
    assert "forum: never run" in resumed.stderr  # an interrupted run does not count as a run
    store = open_store(sqlite_url)
    totals = summary(store)
    seen = sorted(
        (f"{urlsplit(ev.post.url).path}#{urlsplit(ev.post.url).fragment}", e.kind, e.value)
        for e in list_entries(store)
        if e.id is not None
        for ev in get_entry(store, e.id).evidence
    )
    store.close()
    assert totals.posts == total
    truth = sorted((p.url_path, kind, value) for p in world.posts() for kind, value in p.handles)
    assert seen == truth


def test_once_runs_a_never_run_site_and_not_one_whose_next_cron_time_is_ahead(
    tmp_path: Path, sqlite_url: str, forum: RunningServer
) -> None:
    seeds = tmp_path / "seeds"
    write_site(seeds, site_config(forum, "fresh", YEARLY))
    write_site(seeds, site_config(forum, "recent", YEARLY))
    assert run_cli("crawl", "recent", "--seeds", str(seeds), db=sqlite_url).code == 0

    first = once(tmp_path, sqlite_url, seeds)
    again = once(tmp_path, sqlite_url, seeds)

    assert first.returncode == 0, first.stderr
    assert "fresh: never run" in first.stderr
    assert "recent: not due: next run at" in first.stderr
    assert "no watchlist.toml: crawls are not followed by a sync" in first.stderr
    assert "1 crawls started: 1 ok" in first.stdout
    assert [r.site for r in runs_of(sqlite_url)] == ["recent", "fresh"]
    assert again.returncode == 0 and "nothing is due" in again.stderr
    assert "0 crawls started" in again.stdout


def test_a_crawl_past_its_timeout_is_stopped_counted_and_fails_once(
    tmp_path: Path, sqlite_url: str
) -> None:
    world = World(seed=32, boards=2, threads_per_board=30)
    with serve(DiscuzSite(world), delay=0.2) as running:
        config = demo_site(world, running.base_url, name="slow").model_dump()
        write_site(tmp_path / "seeds", {**config, "schedule": YEARLY, "concurrency": 1})
        result = once(tmp_path, sqlite_url, tmp_path / "seeds", "--timeout", "4")

    assert result.returncode == 1
    assert "slow: ran past its timeout of 4s: stopping it" in result.stderr
    assert "1 timed out" in result.stdout
    assert result.stderr.strip().splitlines()[-1].startswith("error: 1 crawls or syncs failed")
    (run,) = runs_of(sqlite_url, "slow")
    assert run.finish_reason == "interrupted"


def test_a_crawl_that_found_changes_is_followed_by_a_sync_one_without_is_not(
    tmp_path: Path, sqlite_url: str, forum: RunningServer
) -> None:
    seeds = tmp_path / "seeds"
    write_site(seeds, site_config(forum, "forum", "* * * * *"))  # every second on the test clock
    assert run_cli("crawl", "forum", "--seeds", str(seeds), db=sqlite_url).code == 0
    grown, tid = next(
        (world, t)
        for t in WORLD.board_thread_ids(2, 1)
        if WORLD.thread(t).post_count < 25
        and (world := replace(WORLD, grown=((t, 1),))).post(t, WORLD.thread(t).post_count).handles
        & WORLD.ground_truth()
    )
    reply = grown.post(tid, WORLD.thread(tid).post_count)
    kind, value = sorted(reply.handles & WORLD.ground_truth())[0]
    store = open_store(sqlite_url)
    (entry,) = [e for e in list_entries(store) if (e.kind, e.value) == (kind, value)]
    store.close()
    assert run_cli("confirm", str(entry.id), "--reviewer", "t", db=sqlite_url).code == 0

    with receiver(tmp_path) as r:
        config = write_config(tmp_path / "targets.toml", {"risk": target(r.url)})
        args = ("--seconds-resolution", "--config", str(config))
        env = {SECRET_ENV: sync_env()[SECRET_ENV]}
        quiet = once(tmp_path, sqlite_url, seeds, *args, **env)  # nothing changed on the forum
        assert r.applied() == []
        forum.replace(DiscuzSite(grown))
        time.sleep(1.1)  # the next fire time of a cron of every second
        synced = once(tmp_path, sqlite_url, seeds, *args, **env)
        held = r.held()

    assert quiet.returncode == 0, quiet.stderr
    assert "forum: no changes for the enforcement side: no sync" in quiet.stderr
    assert "0 syncs" in quiet.stdout
    assert synced.returncode == 0, synced.stderr
    assert "sync: done" in synced.stderr and "1 syncs (0 failed)" in synced.stdout
    assert (kind, value) in held


def test_a_schedule_the_scheduler_cannot_keep_fails_the_start_in_one_line(
    tmp_path: Path, sqlite_url: str, forum: RunningServer
) -> None:
    seeds = tmp_path / "seeds"
    write_site(seeds, site_config(forum, "forum", "0 0 1 * 1"))

    result = once(tmp_path, sqlite_url, seeds)

    assert result.returncode == 2
    assert result.stderr.startswith("error: site 'forum': schedule '0 0 1 * 1' names both")
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.postgres
def test_once_on_postgresql_runs_the_due_site_and_records_its_run(
    tmp_path: Path, postgres_url: str, forum: RunningServer
) -> None:
    seeds = tmp_path / "seeds"
    write_site(seeds, site_config(forum, "forum", YEARLY))

    first = once(tmp_path, postgres_url, seeds)
    again = once(tmp_path, postgres_url, seeds)

    assert first.returncode == 0, first.stderr
    assert "forum: never run" in first.stderr and "1 crawls started: 1 ok" in first.stdout
    assert again.returncode == 0 and "forum: not due: next run at" in again.stderr
    (run,) = runs_of(postgres_url, "forum")
    assert run.ok and run.posts == len(list(WORLD.posts()))
