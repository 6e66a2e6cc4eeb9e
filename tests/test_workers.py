"""Workers sharing one crawl through real Redis, into one real PostgreSQL store.

Every worker is a real ``python -m watchlist worker`` subprocess; pages are counted on the
demo server's side. Needs Redis on 127.0.0.1:6379 and PostgreSQL on 127.0.0.1:5432 (db
``test``): skipped with the reason when either is unreachable, failed instead under
``WATCHLIST_REQUIRE_SERVICES=1``. Each test has its own Redis key prefix (deleted afterwards)
and its own PostgreSQL schema. The store concurrency test is in ``test_workers_store.py`` (a
file of its own: the two run side by side).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import run_cli, write_site
from sqlalchemy import create_engine, text

from watchlist import settings
from watchlist.demo import World, serve
from watchlist.demo.server import RunningServer
from watchlist.demo.site import demo_site
from watchlist.store import open_store, recent_runs

pytestmark = [pytest.mark.slow, pytest.mark.postgres]
REDIS = "redis://127.0.0.1:6379/0"
BIG = World.for_pages(2000)  # 2,000-odd pages: boards, thread pages, QR images aside


@pytest.fixture
def redis_prefix() -> Iterator[str]:
    """A key prefix of its own in the local Redis; its keys are deleted afterwards."""
    import redis

    server = redis.Redis.from_url(REDIS, socket_connect_timeout=2)
    try:
        server.ping()
    except redis.RedisError as exc:
        if settings.load().require_services:
            pytest.fail(f"Redis at 127.0.0.1:6379 is required but unreachable: {exc}")
        pytest.skip(f"Redis at 127.0.0.1:6379 is unreachable: {exc}")
    prefix = f"test-{uuid.uuid4().hex[:10]}"
    try:
        yield prefix
    finally:
        for key in server.scan_iter(f"{prefix}:*"):
            server.delete(key)
        server.close()


@pytest.fixture(scope="module")
def big_server() -> Iterator[RunningServer]:
    """The 2,000-page demo forum."""
    with serve(BIG) as running:
        yield running


@pytest.fixture(scope="module")
def big_seeds(tmp_path_factory: pytest.TempPathFactory, big_server: RunningServer) -> Path:
    folder = tmp_path_factory.mktemp("big") / "seeds"
    config = demo_site(BIG, big_server.base_url, name="demo").model_dump()
    config.update(delay=0.0, autothrottle=False, concurrency=4)
    write_site(folder, config)
    return folder


@pytest.fixture(scope="module")
def single_process(
    tmp_path_factory: pytest.TempPathFactory, big_seeds: Path, big_server: RunningServer
) -> dict[str, Any]:
    """What one ``watchlist crawl`` of the big forum leaves in its store."""
    db = f"sqlite:///{tmp_path_factory.mktemp('single') / 'single.db'}"
    result = run_cli("crawl", "demo", "--seeds", str(big_seeds), db=db)
    assert result.code == 0, result.stderr
    return snapshot(db)


def snapshot(db: str) -> dict[str, Any]:
    """The store's posts, entries, sightings and page states, free of ids and times."""
    engine = create_engine(db)
    queries = {
        "posts": "SELECT p.url, p.site, t.text, p.author, p.content_hash, p.text FROM posts p "
        "LEFT JOIN titles t ON t.id = p.title_id",
        "entries": "SELECT kind, value, status, sightings, sites, best_role FROM entries",
        "sightings": "SELECT e.kind, e.value, p.url, s.role, s.source, s.snippet "
        "FROM sightings s JOIN entries e ON e.id = s.entry_id JOIN posts p ON p.id = s.post_id",
        "marks": "SELECT url, mark FROM page_states WHERE mark IS NOT NULL",
        "validators": "SELECT url, etag, last_modified FROM page_states WHERE etag IS NOT NULL",
    }
    try:
        with engine.connect() as connection:
            found = {
                name: {tuple(row) for row in connection.execute(text(sql))}
                for name, sql in queries.items()
            }
    finally:
        engine.dispose()
    return {
        name: {tuple(_relative(v) for v in row) for row in rows} for name, rows in found.items()
    }


def _relative(value: Any) -> Any:
    """URLs without their host: the same forum may be served on another port."""
    if isinstance(value, str) and value.startswith("http://127.0.0.1:"):
        return "/" + value.split("/", 3)[3]
    return value


def start_workers(
    count: int, seeds: Path, db: str, prefix: str, *extra: str
) -> list[subprocess.Popen[str]]:
    """``count`` worker subprocesses on the ``demo`` site."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("WATCHLIST_")}
    env.update(
        WATCHLIST_DB=db,
        WATCHLIST_REDIS_URL=REDIS,
        WATCHLIST_REDIS_PREFIX=prefix,
        PYTHONUTF8="1",
        COLUMNS="200",
    )
    argv = [sys.executable, "-m", "watchlist", "worker", "--seeds", str(seeds), "--site", "demo"]
    return [
        subprocess.Popen(
            [*argv, *extra],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
        )
        for _ in range(count)
    ]


def finish(procs: list[subprocess.Popen[str]]) -> list[tuple[int, str, str]]:
    """Wait for every worker (at most 4 minutes); (exit code, stdout, stderr) of each."""
    done = []
    for proc in procs:
        out, err = proc.communicate(timeout=240)
        done.append((proc.returncode, out, err))
    return done


def wait_for_stored_posts(db: str, at_least: int, worker: subprocess.Popen[str]) -> None:
    """Poll the store until it holds ``at_least`` posts, while ``worker`` still runs."""
    engine = create_engine(db)
    deadline = time.monotonic() + 180
    try:
        while time.monotonic() < deadline:
            assert worker.poll() is None, "the worker ended before it could be killed"
            with engine.connect() as connection:
                try:
                    posts = connection.execute(text("SELECT count(*) FROM posts")).scalar_one()
                except Exception:  # the tables are not there yet
                    posts = 0
            if posts >= at_least:
                return
            time.sleep(0.1)
    finally:
        engine.dispose()
    raise AssertionError(f"fewer than {at_least} posts stored after 180 s")


def create_store(db: str) -> None:
    open_store(db).close()  # migrations once, before the workers start


def page_hits(server: RunningServer, world: World) -> dict[str, int]:
    """Requests per forum page (images and robots.txt aside)."""
    pages = set(world.pages())
    return {target: n for target, n in server.hits.items() if target in pages}


def reset_hits(server: RunningServer) -> None:
    with server.httpd.hits_lock:
        server.httpd.hits.clear()


def redis_keys(prefix: str) -> list[str]:
    import redis

    server = redis.Redis.from_url(REDIS)
    try:
        return [k.decode() for k in server.scan_iter(f"{prefix}:*")]
    finally:
        server.close()


def the_one_run(db: str) -> Any:
    store = open_store(db)
    try:
        runs = recent_runs(store, "demo")
    finally:
        store.close()
    assert len(runs) == 1, [(r.id, r.finish_reason, r.stats[:200]) for r in runs]
    return runs[0]


def test_three_workers_fetch_every_page_once_and_store_what_one_process_stores(
    big_server: RunningServer,
    big_seeds: Path,
    single_process: dict[str, Any],
    postgres_url: str,
    redis_prefix: str,
) -> None:
    create_store(postgres_url)
    reset_hits(big_server)
    results = finish(start_workers(3, big_seeds, postgres_url, redis_prefix))
    for code, _out, err in results:
        assert code == 0, err[-3000:]
    hits = page_hits(big_server, BIG)
    assert set(hits) == set(BIG.pages())
    assert {target: n for target, n in hits.items() if n != 1} == {}
    assert snapshot(postgres_url) == single_process
    run = the_one_run(postgres_url)
    assert run.ok, run.problem
    assert run.finish_reason == "finished"
    assert run.pages == BIG.page_count()
    assert run.posts == sum(1 for _ in BIG.posts())
    assert sum("crawl complete across 3 workers" in out for _code, out, _err in results) == 1
    assert redis_keys(redis_prefix) == []  # the crawl's keys are cleared once it is recorded


def test_a_worker_killed_midway_loses_nothing_and_the_others_finish(
    big_server: RunningServer,
    big_seeds: Path,
    single_process: dict[str, Any],
    postgres_url: str,
    redis_prefix: str,
) -> None:
    create_store(postgres_url)
    reset_hits(big_server)
    procs = start_workers(3, big_seeds, postgres_url, redis_prefix)
    victim = procs[1]
    try:
        wait_for_stored_posts(postgres_url, 600, victim)
        victim.send_signal(signal.SIGKILL)
        victim.communicate()
        results = finish([procs[0], procs[2]])
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.communicate()
    for code, _out, err in results:
        assert code == 0, err[-3000:]
    assert "leases of 1 lost workers requeued" in "".join(err for _c, _o, err in results)
    hits = page_hits(big_server, BIG)
    assert set(hits) == set(BIG.pages())  # some pages twice: those the victim held
    stored = snapshot(postgres_url)
    for part in ("posts", "entries", "sightings", "marks"):
        assert stored[part] == single_process[part], part
    run = the_one_run(postgres_url)
    assert run.ok, run.problem
    assert run.finish_reason == "finished"
    assert redis_keys(redis_prefix) == []


SMALL = World(seed=41, boards=2, threads_per_board=6)


def test_a_second_crawl_by_workers_revisits_the_site(
    tmp_path: Path, postgres_url: str, redis_prefix: str
) -> None:
    with serve(SMALL) as running:
        seeds = tmp_path / "seeds"
        config = demo_site(SMALL, running.base_url, name="demo").model_dump()
        write_site(seeds, {**config, "delay": 0.0, "autothrottle": False})
        create_store(postgres_url)
        for code, _out, err in finish(start_workers(2, seeds, postgres_url, redis_prefix)):
            assert code == 0, err[-3000:]
        first = dict(page_hits(running, SMALL))
        reset_hits(running)
        for code, _out, err in finish(start_workers(1, seeds, postgres_url, redis_prefix)):
            assert code == 0, err[-3000:]
        again = page_hits(running, SMALL)
    assert set(first) == set(SMALL.pages())
    # The fingerprints of the first crawl do not hide the boards from the second: they are
    # asked again (and answer 304, nothing new).
    assert {f"/forum-{fid}-1.html" for fid in SMALL.board_ids()} <= set(again)
    store = open_store(postgres_url)
    try:
        runs = recent_runs(store, "demo")
    finally:
        store.close()
    assert [r.ok for r in runs] == [True, True]
    assert runs[0].new_posts == 0 and runs[1].new_posts == sum(1 for _ in SMALL.posts())


def test_a_worker_without_redis_url_says_so_in_one_line(tmp_path: Path) -> None:
    result = run_cli("worker", "--seeds", str(tmp_path), db=f"sqlite:///{tmp_path / 'w.db'}")
    assert result.code == 2
    assert result.stderr.strip().splitlines() == [
        "error: set WATCHLIST_REDIS_URL (redis://HOST:6379/0) to run workers"
    ]
