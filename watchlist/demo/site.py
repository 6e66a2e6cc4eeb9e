"""The site config that points a crawl at a running demo forum."""

from __future__ import annotations

from watchlist.demo.world import World
from watchlist.sites import SiteConfig

DEMO_SITE = "demo-discuz"


def demo_site(world: World, base_url: str, name: str = DEMO_SITE) -> SiteConfig:
    """A Discuz! site config for ``world`` served at ``base_url`` (loopback, no delay)."""
    return SiteConfig(
        name=name,
        type="forum",
        engine="discuz",
        start_urls=[base_url + path for path in world.board_paths()],
        render="http",
        max_pages=100_000,
        delay=0,
        timezone="UTC",
        allow_private=True,
    )
