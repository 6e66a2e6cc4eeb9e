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
def test_each_shipped_demo_config_starts_where_its_demo_site_serves(spec: DemoSpec) -> None:
    shipped = find_site(spec.name, SEEDS)
    base = f"http://127.0.0.1:{spec.port}"
    assert shipped.allow_private
    site = spec.site(base)
    for url in shipped.start_urls:
        assert url.startswith(base + "/")
        path = url.removeprefix(base) + (".json" if shipped.engine == "discourse" else "")
        assert site.render(path).status == 200, url  # Discourse is read in its JSON form
    assert spec.config(base).start_urls == shipped.start_urls  # watchlist demo reads the YAML


def test_demo_ports_are_distinct() -> None:
    assert len({spec.port for spec in CATALOG}) == len(CATALOG)
