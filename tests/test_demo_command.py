"""`watchlist demo` serves every bundled demo site, crawls them all, and a re-run adds nothing.

It binds the demo's fixed ports (8765-8776), exactly as a user's `make demo` does.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import run_cli

from watchlist.chromium import find_chromium
from watchlist.demo.catalog import CATALOG
from watchlist.settings import load
from watchlist.store import open_store, recent_runs
from watchlist.store.queries import summary

pytestmark = pytest.mark.slow


@pytest.mark.browser
def test_demo_crawls_every_demo_site_and_a_rerun_fetches_nothing_new(
    tmp_path: Path, sqlite_url: str
) -> None:
    if find_chromium(load().chromium_path).path is None and not load().require_services:
        pytest.skip("no Chromium: the ad site would be skipped")

    first = run_cli("demo", db=sqlite_url, cwd=tmp_path)
    store = open_store(sqlite_url)
    before = summary(store)
    second = run_cli("demo", db=sqlite_url, cwd=tmp_path)
    after = summary(store)
    runs = recent_runs(store, limit=2 * len(CATALOG))
    store.close()

    assert first.code == 0, first.stdout + first.stderr
    assert second.code == 0, second.stdout + second.stderr
    assert {r.site for r in runs} == {spec.name for spec in CATALOG}
    assert all(r.ok for r in runs)
    assert before.posts > 1500 and before.entries > 300
    assert (after.posts, after.entries, after.sightings) == (
        before.posts,
        before.entries,
        before.sightings,
    )
    newest = runs[: len(CATALOG)]
    assert sum(r.new_posts for r in newest) == 0
    assert sum(r.unchanged for r in newest) > 0


def test_demo_without_a_browser_skips_the_ad_site_with_the_reason(
    tmp_path: Path, sqlite_url: str
) -> None:
    result = run_cli(
        "demo",
        "--site",
        "demo-ads",
        "--site",
        "demo-telegram",
        db=sqlite_url,
        cwd=tmp_path,
        env={"CHROMIUM_PATH": str(tmp_path / "no-such-chromium")},
    )

    assert result.code == 0, result.stdout + result.stderr
    assert "demo-ads: skipped: CHROMIUM_PATH=" in result.stdout
    assert "no such file" in result.stdout
    store = open_store(sqlite_url)
    sites = {r.site for r in recent_runs(store)}
    store.close()
    assert sites == {"demo-telegram"}
