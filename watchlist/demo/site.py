"""The site config that points a crawl at a running demo forum."""

from __future__ import annotations

from watchlist.demo.configs import shipped_config
from watchlist.demo.world import World
from watchlist.sites import SiteConfig

DEMO_SITE = "demo-discuz"


def demo_site(world: World, base_url: str, name: str = DEMO_SITE) -> SiteConfig:
    """The shipped demo-discuz config, crawling ``world`` served at ``base_url``."""
    paths = world.board_paths()
    return shipped_config(DEMO_SITE, base_url, name=name, start_paths=paths, max_pages=100_000)
