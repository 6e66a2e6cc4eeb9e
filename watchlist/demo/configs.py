"""The demo sites' configs: the shipped ``seeds/sites/demo-*.yaml``, pointed where a site runs.

Each demo site has one config, its YAML file in the project's ``seeds/sites/``: `watchlist
demo`, `watchlist crawl demo-…` and the tests all read it. Serving a site elsewhere (a random
port in a test, a world of another size) changes only where the config points — the origin of
its start URLs, its allowed domain, and, where the world has other boards, the start paths.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from watchlist.sites import SiteConfig, load_site, sites_dir

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


def shipped_config(
    demo: str,
    base_url: str,
    *,
    start_paths: list[str] | None = None,
    **changes: Any,
) -> SiteConfig:
    """``seeds/sites/<demo>.yaml`` served at ``base_url``; ``changes`` replace its fields."""
    shipped = load_site(sites_dir(SEEDS) / f"{demo}.yaml")
    if start_paths is None:
        start_paths = [_path(url) for url in shipped.start_urls]
    raw = shipped.model_dump(exclude_unset=True)
    raw.update(
        start_urls=[base_url.rstrip("/") + path for path in start_paths],
        allowed_domains=[urlsplit(base_url).hostname or "127.0.0.1"],
    )
    raw.update(changes)
    return SiteConfig.model_validate(raw)


def _path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")
