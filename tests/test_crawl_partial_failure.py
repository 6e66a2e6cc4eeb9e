"""One site that cannot be crawled is skipped with its reason; the others are crawled in full.

Each case crawls a healthy demo forum next to a site that cannot run — its robots.txt forbids
everything, its host does not resolve, it needs a browser that is not there — in one real
subprocess crawl, then checks the summary, the exit code and the ``crawl_runs`` log. A bad
config, by contrast, stops everything before any request.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import CliResult, run_cli, write_site

from watchlist.demo import World, serve
from watchlist.demo.ads import AdSite
from watchlist.demo.ads import site_config as ads_config
from watchlist.demo.discuz import DiscuzSite
from watchlist.demo.page import TEXT_TYPE, Page
from watchlist.demo.server import RunningServer
from watchlist.demo.site import demo_site
from watchlist.store import open_store, recent_runs
from watchlist.store.queries import summary

WORLD = World(seed=41, boards=2, threads_per_board=4)


class RobotsForbidAll:
    """The demo forum behind a robots.txt that forbids every page."""

    def __init__(self) -> None:
        self.forum = DiscuzSite(WORLD)

    def render(self, target: str) -> Page:
        if target == "/robots.txt":
            return Page(200, TEXT_TYPE, b"User-agent: *\nDisallow: /\n")
        return self.forum.render(target)


@pytest.fixture
def healthy() -> Iterator[RunningServer]:
    """The demo forum every case must still crawl in full."""
    with serve(WORLD) as running:
        yield running


@pytest.fixture
def seeds(tmp_path: Path, healthy: RunningServer) -> Path:
    """A seeds folder holding the healthy ``demo`` site."""
    folder = tmp_path / "seeds"
    write_site(folder, demo_site(WORLD, healthy.base_url, name="demo").model_dump())
    return folder


def assert_demo_crawled_in_full(db: str, result: CliResult, healthy: RunningServer) -> None:
    """Every page of the demo forum fetched once, every post stored, its run ok."""
    assert set(healthy.hits) == {*WORLD.pages(), *WORLD.attachments(), "/robots.txt"}
    assert all(count == 1 for count in healthy.hits.values())
    store = open_store(db)
    try:
        assert summary(store).posts == sum(1 for _ in WORLD.posts())
        (run,) = recent_runs(store, "demo")
    finally:
        store.close()
    assert run.ok, run.problem
    assert "demo: skipped" not in result.stdout and "demo: FAILED" not in result.stdout


def skipped_run(db: str, site: str) -> str:
    """The problem recorded for ``site``'s one run, which must not be ok."""
    store = open_store(db)
    try:
        (run,) = recent_runs(store, site)
    finally:
        store.close()
    assert not run.ok
    assert run.problem is not None
    return run.problem


def test_a_site_whose_robots_txt_forbids_everything_is_skipped(
    seeds: Path, sqlite_url: str, healthy: RunningServer
) -> None:
    with serve(RobotsForbidAll()) as forbidding:
        config = demo_site(WORLD, forbidding.base_url, name="closed").model_dump()
        write_site(seeds, config)
        result = run_cli("crawl", "--all", "--seeds", str(seeds), db=sqlite_url)
        hits = dict(forbidding.hits)

    assert result.code == 1
    assert hits == {"/robots.txt": 1}
    assert "closed: skipped · robots.txt forbids every page asked for" in result.stdout
    assert "skipped closed" in result.stderr
    assert "robots.txt forbids" in skipped_run(sqlite_url, "closed")
    assert_demo_crawled_in_full(sqlite_url, result, healthy)


def test_a_site_whose_host_does_not_resolve_is_skipped(
    seeds: Path, sqlite_url: str, healthy: RunningServer
) -> None:
    config = demo_site(WORLD, "http://otc-forum.invalid", name="gone").model_dump()
    config["allow_private"] = False
    write_site(seeds, config)

    result = run_cli("crawl", "gone", "demo", "--seeds", str(seeds), db=sqlite_url)

    assert result.code == 1
    assert "gone: skipped · otc-forum.invalid does not resolve" in result.stdout
    assert "does not resolve" in skipped_run(sqlite_url, "gone")
    assert_demo_crawled_in_full(sqlite_url, result, healthy)


def test_a_browser_site_without_a_browser_is_skipped_and_never_requested(
    seeds: Path, sqlite_url: str, tmp_path: Path, healthy: RunningServer
) -> None:
    missing = tmp_path / "no-chromium"
    with serve(AdSite(WORLD)) as ads:
        write_site(seeds, ads_config(ads.base_url, name="ads").model_dump())
        result = run_cli(
            "crawl",
            "--all",
            "--seeds",
            str(seeds),
            db=sqlite_url,
            env={"CHROMIUM_PATH": str(missing)},
        )
        hits = dict(ads.hits)

    assert result.code == 1
    assert hits == {}
    assert "ads: skipped · site 'ads' needs a browser (render: browser)" in result.stdout
    assert f"CHROMIUM_PATH={missing}" in skipped_run(sqlite_url, "ads")
    assert_demo_crawled_in_full(sqlite_url, result, healthy)


def test_a_bad_config_stops_every_crawl_before_any_request(
    seeds: Path, sqlite_url: str, healthy: RunningServer
) -> None:
    write_site(seeds, {"name": "broken", "type": "forum", "start_urls": ["ftp://x/"]})

    result = run_cli("crawl", "--all", "--seeds", str(seeds), db=sqlite_url)

    assert result.code == 2
    assert "broken.yaml" in result.stderr
    assert dict(healthy.hits) == {}
    store = open_store(sqlite_url)
    try:
        assert recent_runs(store) == []
    finally:
        store.close()
