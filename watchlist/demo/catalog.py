"""The bundled demo sites: one of each kind, each on a fixed loopback port.

``watchlist demo`` serves them all and crawls each with its shipped config,
``seeds/sites/<name>.yaml`` (the one source of every demo site's config), whose start URLs
point at the same ports (a test keeps the two in step). Ports are fixed so re-runs crawl the
same URLs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from watchlist.demo import (
    ads,
    discourse,
    flarum,
    mybb,
    nodebb,
    phpbb,
    smf,
    telegram,
    vbulletin,
    wordpress,
    xenforo,
)
from watchlist.demo.configs import shipped_config
from watchlist.demo.discuz import DiscuzSite
from watchlist.demo.server import DemoSite
from watchlist.demo.world import World
from watchlist.sites import SiteConfig


@dataclass(frozen=True, slots=True)
class DemoSpec:
    """One demo site: its name, port, what it serves and the config that crawls it."""

    name: str
    port: int
    site: Callable[[str], DemoSite]  # from the base URL it is served at
    needs_browser: bool = False

    def config(self, base_url: str) -> SiteConfig:
        """The shipped config of this demo site, served at ``base_url``."""
        return shipped_config(self.name, base_url)


CATALOG: tuple[DemoSpec, ...] = (
    DemoSpec("demo-discuz", 8765, lambda _base: DiscuzSite(World(seed=7))),
    DemoSpec("demo-phpbb", 8766, lambda _base: phpbb.PhpbbSite()),
    DemoSpec("demo-smf", 8767, lambda base: smf.SmfSite(None, 2, base)),
    DemoSpec("demo-xenforo", 8768, lambda _base: xenforo.XenforoSite()),
    DemoSpec(
        "demo-discourse",
        discourse.DEMO_PORT,
        lambda _base: discourse.DiscourseSite(discourse.default_world()),
    ),
    DemoSpec("demo-ads", ads.DEMO_PORT, lambda _base: ads.AdSite(), needs_browser=True),
    DemoSpec(
        "demo-telegram",
        telegram.DEMO_PORT,
        lambda _base: telegram.TelegramChannel(World(seed=11)),
    ),
    # The later engines' demo sites hold half the threads (the demo stays quick on 2 cores);
    # their tests crawl full-size worlds.
    DemoSpec(
        "demo-wordpress",
        wordpress.DEMO_PORT,
        lambda _: wordpress.WordpressSite(_half(wordpress.SEED)),
    ),
    DemoSpec("demo-mybb", mybb.DEMO_PORT, lambda _: mybb.MybbSite(_half(mybb.SEED))),
    DemoSpec(
        "demo-vbulletin",
        vbulletin.DEMO_PORT,
        lambda _: vbulletin.VbulletinSite(_half(vbulletin.SEED)),
    ),
    DemoSpec("demo-flarum", flarum.DEMO_PORT, lambda _: flarum.FlarumSite(_half(flarum.SEED))),
    DemoSpec("demo-nodebb", nodebb.DEMO_PORT, lambda _: nodebb.NodebbSite(_half(nodebb.SEED))),
)


def _half(seed: int) -> World:
    return World(seed=seed, threads_per_board=6)


def spec(name: str) -> DemoSpec:
    """The demo site called ``name``."""
    for entry in CATALOG:
        if entry.name == name:
            return entry
    raise KeyError(name)
