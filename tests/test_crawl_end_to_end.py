"""The demo forum crawled by the real spider, in a real subprocess, into a real database."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from conftest import run_cli

from watchlist.demo import World
from watchlist.demo.server import RunningServer
from watchlist.store import EntryFilter, open_store
from watchlist.store.queries import get_entry, list_entries, summary


def stored_entries(db: str) -> set[tuple[str, str]]:
    store = open_store(db)
    try:
        return {(e.kind, e.value) for e in list_entries(store)}
    finally:
        store.close()


def stored_sightings(db: str) -> set[tuple[str, str, str]]:
    """(post URL path, kind, value) of every sighting in the store."""
    store = open_store(db)
    try:
        return {
            (urlsplit(ev.post.url)._replace(scheme="", netloc="").geturl(), e.kind, e.value)
            for e in list_entries(store)
            if e.id is not None
            for ev in get_entry(store, e.id).evidence
        }
    finally:
        store.close()


def true_sightings(world: World) -> set[tuple[str, str, str]]:
    return {(post.url_path, kind, value) for post in world.posts() for kind, value in post.handles}


def crawl_and_compare(db: str, seeds: Path, world: World) -> None:
    first = run_cli("crawl", "demo", "--seeds", str(seeds), db=db)
    assert first.code == 0, first.stderr + first.stdout
    assert stored_entries(db) == world.ground_truth()
    assert stored_sightings(db) == true_sightings(world)
    store = open_store(db)
    before = summary(store)
    assert before.posts == sum(1 for _ in world.posts())

    second = run_cli("crawl", "demo", "--seeds", str(seeds), db=db)
    assert second.code == 0, second.stderr + second.stdout
    after = summary(store)
    store.close()
    assert (after.posts, after.entries, after.sightings) == (
        before.posts,
        before.entries,
        before.sightings,
    )


def test_crawl_stores_exactly_the_ground_truth_and_recrawl_adds_nothing_on_sqlite(
    sqlite_url: str, seeds: Path, demo_world: World
) -> None:
    crawl_and_compare(sqlite_url, seeds, demo_world)


@pytest.mark.postgres
def test_crawl_stores_exactly_the_ground_truth_and_recrawl_adds_nothing_on_postgres(
    postgres_url: str, seeds: Path, demo_world: World
) -> None:
    crawl_and_compare(postgres_url, seeds, demo_world)


def test_crawl_fetches_every_page_of_the_forum_once(
    sqlite_url: str, seeds: Path, demo_world: World, demo_server: RunningServer
) -> None:
    before = demo_server.hits.copy()
    result = run_cli("crawl", "demo", "--seeds", str(seeds), db=sqlite_url)
    assert result.code == 0, result.stderr
    fetched = demo_server.hits - before
    assert set(fetched) == {*demo_world.pages(), *demo_world.attachments(), "/robots.txt"}
    assert all(count == 1 for count in fetched.values())  # a shared QR image: fetched once
    images = demo_world.attachments()
    qr_codes = sum(1 for path in images if "/qr-" in path)
    assert (
        f"{len(images)} images: {qr_codes} QR codes decoded, 2 unreadable or over the pixel cap"
        in result.stdout
    )


def test_handles_decoded_from_qr_images_are_stored_with_their_image_as_source(
    sqlite_url: str, seeds: Path, demo_world: World, demo_server: RunningServer
) -> None:
    result = run_cli("crawl", "demo", "--seeds", str(seeds), db=sqlite_url)
    assert result.code == 0, result.stderr
    store = open_store(sqlite_url)
    links = list_entries(store, EntryFilter(kind="payment_link"))
    expected = {value for kind, value in demo_world.ground_truth() if kind == "payment_link"}
    assert {e.value for e in links} == expected and expected
    for entry in links:
        assert entry.id is not None
        for evidence in get_entry(store, entry.id).evidence:
            source = evidence.sighting.source
            assert source.startswith(demo_server.base_url + "/data/attachment/forum/qr-u")
            begin, end = evidence.highlight
            assert evidence.sighting.snippet[begin:end].lower().startswith(("https://qr", "wxp://"))
            assert evidence.sighting.role == "offered"
    store.close()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db(request: pytest.FixtureRequest) -> str:
    name = "sqlite_url" if request.param == "sqlite" else "postgres_url"
    return str(request.getfixturevalue(name))


def test_two_concurrent_crawls_into_one_database_give_no_error_and_no_duplicate(
    db: str, seeds: Path, demo_world: World
) -> None:
    # No store yet: the two processes race on the migrations too, then on every upsert.
    command = [sys.executable, "-m", "watchlist", "crawl", "demo", "--seeds", str(seeds)]
    env = {"WATCHLIST_DB": db, "PATH": "/usr/bin:/bin", "PYTHONUTF8": "1"}
    procs = [
        subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for _ in range(2)
    ]
    outputs = [proc.communicate(timeout=240) for proc in procs]
    for proc, (_, err) in zip(procs, outputs, strict=True):
        assert proc.returncode == 0, err.decode()
    store = open_store(db)
    totals = summary(store)
    store.close()
    assert stored_entries(db) == demo_world.ground_truth()
    assert totals.posts == sum(1 for _ in demo_world.posts())
    assert totals.sightings == len(true_sightings(demo_world))


def test_scrapy_crawl_command_runs_the_same_spider_and_pipelines(
    sqlite_url: str, seeds: Path, demo_world: World
) -> None:
    root = Path(__file__).resolve().parent.parent
    scrapy = Path(sys.executable).with_name("scrapy")
    env = {"WATCHLIST_DB": sqlite_url, "PATH": "/usr/bin:/bin", "PYTHONUTF8": "1"}
    command = [str(scrapy), "crawl", "forum", "-a", "site=demo", "-a", f"seeds={seeds}"]
    proc = subprocess.run(
        command, cwd=root, env=env, capture_output=True, text=True, timeout=240, check=False
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert stored_sightings(sqlite_url) == true_sightings(demo_world)
