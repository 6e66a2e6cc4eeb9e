"""One PostgreSQL store taking crawls, review decisions and exports at once, for a minute.

Real ``python -m watchlist`` subprocesses (four crawls of demo forums that post the same
handles, ``confirm`` / ``dismiss``, ``export``) against real PostgreSQL on 127.0.0.1:5432 (db
``test``, a schema of its own): skipped with the reason when it is unreachable, failed instead
under ``WATCHLIST_REQUIRE_SERVICES=1``. ``WATCHLIST_TEST_STORE_SECONDS`` sets how long it runs
(default 60).
"""

from __future__ import annotations

import csv
import io
import os
import threading
import time
from pathlib import Path

import pytest
from conftest import run_cli, write_site
from sqlalchemy import create_engine, text

from watchlist.demo import World, serve
from watchlist.demo.site import demo_site
from watchlist.store import open_store

pytestmark = [pytest.mark.slow, pytest.mark.postgres]
STORE_SECONDS = float(os.environ.get("WATCHLIST_TEST_STORE_SECONDS", "60"))


def create_store(db: str) -> None:
    open_store(db).close()  # migrations once, before the crawls start


def test_store_takes_four_crawls_reviews_and_exports_at_once_without_losing_a_write(
    tmp_path: Path, postgres_url: str
) -> None:
    """Four crawls of forums posting the same handles, review decisions and exports, together
    on one PostgreSQL store for ``STORE_SECONDS``: every command succeeds, and every decision
    is in the audit log with the entry ending as the last decision left it."""
    world = World(seed=9, boards=2, threads_per_board=15)
    create_store(postgres_url)
    seeds = tmp_path / "seeds"
    stop = time.monotonic() + STORE_SECONDS
    failures: list[str] = []
    decisions: list[tuple[int, str]] = []
    exports = 0
    crawls = [0] * 4

    def crawl_loop(index: int, base_url: str) -> None:
        while time.monotonic() < stop:
            result = run_cli("crawl", f"forum{index}", "--seeds", str(seeds), db=postgres_url)
            crawls[index] += 1
            if result.code != 0:
                failures.append(f"crawl forum{index}: {result.stdout[-1500:]} {result.stderr}")

    def review_loop() -> None:
        turn = 0
        while time.monotonic() < stop:
            ids = entry_ids(postgres_url)[turn % 7 :: 7][:5]
            if not ids:
                time.sleep(0.5)
                continue
            verb = ("confirm", "dismiss")[turn % 2]
            result = run_cli(verb, *map(str, ids), "--reviewer", "r1", db=postgres_url)
            if result.code != 0:
                failures.append(f"{verb}: {result.stderr[-500:]}")
            else:
                decisions.extend((entry, verb) for entry in ids)
            turn += 1

    def export_loop() -> None:
        nonlocal exports
        while time.monotonic() < stop:
            result = run_cli("export", "--format", "csv", db=postgres_url)
            if result.code != 0:
                failures.append(f"export: {result.stderr[-500:]}")
            else:
                rows = list(csv.DictReader(io.StringIO(result.stdout)))
                assert all(row["kind"] and row["value"] for row in rows)
                exports += 1

    servers = [serve(world, delay=0.02) for _ in range(4)]
    running = [server.__enter__() for server in servers]
    try:
        for index, server in enumerate(running):
            config = demo_site(world, server.base_url, name=f"forum{index}").model_dump()
            write_site(seeds, {**config, "delay": 0.0, "autothrottle": False})
        threads = [
            threading.Thread(target=crawl_loop, args=(i, s.base_url)) for i, s in enumerate(running)
        ]
        threads += [threading.Thread(target=review_loop), threading.Thread(target=export_loop)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        for server in servers:
            server.__exit__(None, None, None)
    assert failures == []
    assert min(crawls) >= 1 and exports >= 1 and decisions
    engine = create_engine(postgres_url)
    try:
        with engine.connect() as connection:
            logged: dict[int, list[str]] = {}
            for entry, status in connection.execute(
                text("SELECT entry_id, to_status FROM reviews ORDER BY id")
            ):
                logged.setdefault(entry, []).append(status)
            final = dict(connection.execute(text("SELECT id, status FROM entries")).all())
            posts = connection.execute(text("SELECT count(*) FROM posts")).scalar_one()
    finally:
        engine.dispose()
    wanted: dict[int, list[str]] = {}
    for entry, verb in decisions:
        wanted.setdefault(entry, []).append("confirmed" if verb == "confirm" else "dismissed")
    for entry, statuses in wanted.items():
        # A decision that changes nothing (confirming a confirmed entry) logs nothing.
        changes = [s for i, s in enumerate(statuses) if i == 0 or s != statuses[i - 1]]
        assert logged.get(entry) == changes, entry
        assert final[entry] == statuses[-1], entry
    assert posts == 4 * sum(1 for _ in world.posts())


def entry_ids(db: str) -> list[int]:
    engine = create_engine(db)
    try:
        with engine.connect() as connection:
            return list(connection.execute(text("SELECT id FROM entries ORDER BY id")).scalars())
    finally:
        engine.dispose()
