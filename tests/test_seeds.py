"""The site configs shipped in seeds/ are valid, and the demo ones match `watchlist demo`."""

from __future__ import annotations

from pathlib import Path

import pytest

from watchlist.demo.catalog import CATALOG, DemoSpec
from watchlist.sites import all_sites, find_site

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def test_every_shipped_site_config_is_valid() -> None:
    assert [site.name for site in all_sites(SEEDS)]


@pytest.mark.parametrize("spec", CATALOG, ids=lambda spec: spec.name)
def test_each_shipped_demo_config_crawls_what_watchlist_demo_serves(spec: DemoSpec) -> None:
    shipped = find_site(spec.name, SEEDS)
    generated = spec.config(f"http://127.0.0.1:{spec.port}")
    assert shipped.start_urls == generated.start_urls
    assert (shipped.type, shipped.engine, shipped.render) == (
        generated.type,
        generated.engine,
        generated.render,
    )
    assert shipped.allow_private and generated.allow_private


def test_demo_ports_are_distinct() -> None:
    assert len({spec.port for spec in CATALOG}) == len(CATALOG)
