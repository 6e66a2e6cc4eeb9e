"""The site configs shipped in seeds/ are valid, and the demo one matches the demo world."""

from __future__ import annotations

from pathlib import Path

from watchlist.demo import World
from watchlist.demo.site import demo_site
from watchlist.sites import all_sites, find_site

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def test_every_shipped_site_config_is_valid() -> None:
    assert [site.name for site in all_sites(SEEDS)]


def test_the_shipped_demo_config_starts_where_watchlist_demo_does() -> None:
    shipped = find_site("demo-discuz", SEEDS)
    generated = demo_site(World(seed=7), "http://127.0.0.1:8765")
    assert shipped.start_urls == generated.start_urls
    assert shipped.engine == generated.engine and shipped.allow_private
