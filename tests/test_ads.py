"""Ad sites: JS listings, "show contact" buttons, blocked resources, with and without a browser.

The crawls run the real CLI in a subprocess against the demo ad site (``watchlist.demo.ads``)
on a loopback port and compare the store with the site's ground truth. Tests marked
``browser`` need a Chromium: they skip with the finder's reason when there is none, and fail
instead when ``WATCHLIST_REQUIRE_SERVICES=1``.
"""

from __future__ import annotations

import asyncio
import json
import socket
import stat
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from conftest import CliResult, run_cli, stored_sightings, write_site
from scrapy.http import HtmlResponse, Request
from scrapy.utils.test import get_crawler

from crawlers.items import PostItem
from crawlers.playwright_pages import (
    BLOCKED_TYPES,
    ResourceBlocker,
    configured_chromium,
    page_meta,
    require_chromium,
)
from crawlers.spiders.ads import AdsSpider
from watchlist import settings
from watchlist.chromium import find_chromium
from watchlist.demo.ads import DEMO_PORT, AdSite, site_config
from watchlist.demo.server import RunningServer, serve
from watchlist.errors import NotAvailable
from watchlist.sites import Render, find_site
from watchlist.store import open_store, recent_runs

BASE = "http://127.0.0.1:8770"
COOKIES = {"sid": "signed-in"}  # a site behind a login: its cookies go with every request


@pytest.fixture(scope="module")
def ads() -> AdSite:
    return AdSite()


@pytest.fixture(scope="module")
def ad_server(ads: AdSite) -> Iterator[RunningServer]:
    with serve(ads) as server:
        yield server


@pytest.fixture(scope="module")
def chromium() -> str:
    """The browser the crawls will find, or a skip (a failure under REQUIRE_SERVICES)."""
    lookup = find_chromium(configured_chromium())
    if lookup.path is None:
        if settings.load().require_services:
            pytest.fail(f"a Chromium is required (WATCHLIST_REQUIRE_SERVICES=1): {lookup.reason}")
        pytest.skip(f"needs a Chromium: {lookup.reason}")
    return lookup.path


def last_run_stats(db: str, site: str) -> dict[str, Any]:
    """The Scrapy stats of the last crawl of ``site`` ({} when it never ran)."""
    store = open_store(db)
    try:
        runs = recent_runs(store, site, limit=1)
        return dict(json.loads(runs[0].stats)) if runs else {}
    finally:
        store.close()


@dataclass
class Crawl:
    result: CliResult
    db: str
    seeds: Path
    hits: Counter[str]  # the requests this crawl made to the demo site
    stats: dict[str, Any]  # the crawl's Scrapy stats, from the crawl_runs log
    headers: dict[str, dict[str, str]]  # the request headers the demo site saw, per target


def crawl(server: RunningServer, seeds: Path, db: str, **changes: Any) -> Crawl:
    """Crawl the demo ad site (its config changed by ``changes``) with the CLI."""
    config = site_config(server.base_url, name="ads").model_dump()
    config.update(changes)
    write_site(seeds, config)
    before = server.hits.copy()
    result = run_cli("crawl", "ads", "--seeds", str(seeds), db=db)
    hits = server.hits - before
    headers = {target: server.headers_of(target) for target in hits}
    return Crawl(result, db, seeds, hits, last_run_stats(db, "ads"), headers)


@pytest.fixture(scope="module")
def full_crawl(
    chromium: str, ad_server: RunningServer, tmp_path_factory: pytest.TempPathFactory
) -> Crawl:
    """One crawl of the whole JS ad site in Chromium, shared by the tests that read it."""
    folder = tmp_path_factory.mktemp("ads")
    done = crawl(
        ad_server, folder / "seeds", f"sqlite:///{folder / 'watchlist.db'}", cookies=COOKIES
    )
    assert done.result.code == 0, done.result.stderr + done.result.stdout
    return done


# --- finding a browser ------------------------------------------------------------------------


def fake_browser(path: Path, executable: bool = True) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#!/bin/sh\nexit 1\n")
    if executable:
        path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


def test_finder_honours_an_explicit_path_over_the_system_browsers(tmp_path: Path) -> None:
    explicit = fake_browser(tmp_path / "my-chrome")
    system = fake_browser(tmp_path / "usr-bin-chromium")
    lookup = find_chromium(str(explicit), candidates=[str(system)], cache=tmp_path / "none")
    assert lookup.path == str(explicit)


@pytest.mark.parametrize(("make", "problem"), [(False, "no such file"), (True, "not executable")])
def test_finder_reports_an_unusable_explicit_path_instead_of_using_another(
    tmp_path: Path, make: bool, problem: str
) -> None:
    explicit = tmp_path / "chrome"
    if make:
        fake_browser(explicit, executable=False)
    system = fake_browser(tmp_path / "usr-bin-chromium")
    lookup = find_chromium(str(explicit), candidates=[str(system)])
    assert lookup.path is None
    assert lookup.reason == f"CHROMIUM_PATH={explicit}: {problem}"


def test_finder_takes_the_first_system_browser_then_the_newest_playwright_build(
    tmp_path: Path,
) -> None:
    cache = tmp_path / "ms-playwright"
    fake_browser(cache / "chromium-1100" / "chrome-linux" / "chrome")
    newest = fake_browser(cache / "chromium-1200" / "chrome-linux64" / "chrome")
    missing, system = str(tmp_path / "nothing"), fake_browser(tmp_path / "chromium")
    assert find_chromium(candidates=[missing, str(system)], cache=cache).path == str(system)
    assert find_chromium(candidates=[missing], cache=cache).path == str(newest)


def test_finder_without_any_browser_says_where_it_looked_and_what_to_do(tmp_path: Path) -> None:
    lookup = find_chromium(candidates=[str(tmp_path / "chromium")], cache=tmp_path / "cache")
    assert lookup.path is None and not lookup.found
    assert str(tmp_path / "chromium") in lookup.reason
    assert "CHROMIUM_PATH" in lookup.reason and "apt-get install chromium" in lookup.reason
    assert "\n" not in lookup.reason


def test_a_browser_site_without_a_browser_is_refused_with_one_line(tmp_path: Path) -> None:
    config = site_config(BASE)
    with pytest.raises(NotAvailable) as refused:
        require_chromium(config, str(tmp_path / "gone"))
    message = str(refused.value)
    assert "'demo-ads'" in message and f"CHROMIUM_PATH={tmp_path / 'gone'}" in message
    assert "\n" not in message


def test_the_blocker_stops_heavy_resources_private_addresses_and_all_that_leaves_the_site() -> None:
    blocker = ResourceBlocker(site_config(BASE).model_copy(update={"allow_private": False}))
    for kind in BLOCKED_TYPES:
        assert blocker.reason("https://127.0.0.1:8770/x", kind) == kind
    assert blocker.reason("http://10.0.0.1/api", "fetch") == "private_address"
    assert blocker.reason("https://ads.example.net/frame", "document") == "offsite"
    assert blocker.reason("https://cdn.example.net/app.js", "script") == "offsite"  # any type


def test_the_browser_context_carries_the_sites_proxy_and_cookies_for_every_request() -> None:
    site = site_config(BASE).model_copy(
        update={"proxy": "http://proxy.example:3128", "cookies": {"sid": "abc"}}
    )
    meta = page_meta(site, [])
    assert meta["playwright_context"] == "site:demo-ads" and meta["watchlist_pooled"]
    context = meta["playwright_context_kwargs"]
    assert context["proxy"] == {"server": "http://proxy.example:3128"}
    assert context["storage_state"]["cookies"] == [
        {"name": "sid", "value": "abc", "domain": "127.0.0.1", "path": "/"}
    ]


def test_the_shipped_demo_ads_config_is_the_one_site_config_builds() -> None:
    shipped = find_site("demo-ads", Path(__file__).resolve().parent.parent / "seeds")
    built = site_config(f"http://127.0.0.1:{DEMO_PORT}")
    assert shipped.model_dump(exclude={"schedule"}) == built.model_dump(exclude={"schedule"})


# --- parsing ad pages (no engine, no browser) -------------------------------------------------


def ad_response(ads: AdSite, target: str, contact: str | None = None) -> HtmlResponse:
    body = ads.render(target).body.decode()
    if contact is not None:  # what the page shows after "show contact" was clicked
        body = body.replace(
            '<span class="contact"></span>', f'<span class="contact">{contact}</span>'
        )
    return HtmlResponse(BASE + target, body=body, encoding="utf-8", request=Request(BASE + target))


def parse_ad(render: Render, response: HtmlResponse) -> list[PostItem]:
    spider = AdsSpider(config=site_config(BASE, render=render))
    spider._set_crawler(get_crawler(AdsSpider))
    return [item for item in spider.parse_ad(response) if isinstance(item, PostItem)]


def test_an_ad_page_gives_one_item_with_its_text_contact_author_date_and_qr_images(
    ads: AdSite,
) -> None:
    ad = next(a for a in ads.ads if a.images)
    [item] = parse_ad("http", ad_response(ads, f"/classic/ad-{ad.ad_id}.html"))
    assert item.url == f"{BASE}/classic/ad-{ad.ad_id}.html"
    assert item.text == f"{ad.text}\n{ad.contact}"
    assert item.title == ad.title and item.author == ad.author
    assert item.posted_at is not None and item.posted_at.isoformat() == ad.posted_at
    assert item.image_urls == [BASE + path for path in ad.images]  # banners are not the ad's


def test_a_revealed_contact_is_added_to_the_text_and_an_unrevealed_one_is_not(
    ads: AdSite,
) -> None:
    ad = ads.ads[0]
    [hidden] = parse_ad("browser", ad_response(ads, f"/ad/{ad.ad_id}"))
    [shown] = parse_ad("browser", ad_response(ads, f"/ad/{ad.ad_id}", contact=ad.contact))
    assert hidden.text == ad.text
    assert shown.text == f"{ad.text}\n{ad.contact}"


def test_the_js_listing_holds_no_ad_until_its_script_runs(ads: AdSite) -> None:
    listing = ads.render("/ads").body.decode()
    assert 'class="ad-card"' not in listing.split("<script>")[0]
    assert all(f"/ad/{ad.ad_id}" not in listing for ad in ads.ads)


# --- crawls without a browser -----------------------------------------------------------------


def test_a_server_rendered_ad_site_is_crawled_over_http_without_starting_a_browser(
    ads: AdSite, ad_server: RunningServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CHROMIUM_PATH", str(tmp_path / "no-chrome"))  # never looked for
    db = f"sqlite:///{tmp_path / 'watchlist.db'}"
    config = site_config(ad_server.base_url, name="ads", render="http").model_dump()
    write_site(tmp_path / "seeds", config)
    result = run_cli("crawl", "ads", "--seeds", str(tmp_path / "seeds"), db=db)
    assert result.code == 0, result.stderr + result.stdout
    assert stored_sightings(db) == ads.expected_sightings(render="http")
    stats = last_run_stats(db, "ads")
    assert not [key for key in stats if key.startswith("playwright/")]
    assert stats["watchlist/posts_read"] == len(ads.ads)


# --- crawls in Chromium -----------------------------------------------------------------------


@pytest.mark.browser
def test_the_js_ad_site_crawled_in_chromium_stores_exactly_its_ground_truth(
    ads: AdSite, full_crawl: Crawl
) -> None:
    assert stored_sightings(full_crawl.db) == ads.expected_sightings()
    stats = full_crawl.stats
    assert stats["watchlist/posts_read"] == len(ads.ads)
    assert stats.get("watchlist/failed_requests", 0) == 0
    assert stats["watchlist/browser/contacts_revealed"] == len(ads.ads)
    assert f"{len(ads.ads)} posts" in full_crawl.result.stdout


@pytest.mark.browser
def test_each_ad_page_is_rendered_once_and_its_contact_fetched_once_by_xhr(
    ads: AdSite, full_crawl: Crawl
) -> None:
    hits = full_crawl.hits
    for ad in ads.ads:
        assert hits[f"/ad/{ad.ad_id}"] == 1
        assert hits[f"/api/contact/{ad.ad_id}"] == 1
    assert ads.contact_only_sightings() <= stored_sightings(full_crawl.db)
    # Infinite scroll and "load more" fetched every page of the listing, each once.
    assert {t: n for t, n in hits.items() if t.startswith("/api/ads")} == dict.fromkeys(
        ads.listing_api_targets(), 1
    )


@pytest.mark.browser
def test_the_sites_cookies_go_with_the_pages_own_requests_too(full_crawl: Crawl) -> None:
    browser_requests = [t for t in full_crawl.hits if t.startswith(("/ad", "/api/"))]
    assert browser_requests
    for target in browser_requests:  # the navigations and the XHRs of listing and reveal
        assert full_crawl.headers[target].get("Cookie") == "sid=signed-in", target


@pytest.mark.browser
def test_a_recrawl_renders_only_the_listing_and_stores_nothing_new(
    ads: AdSite, full_crawl: Crawl, ad_server: RunningServer
) -> None:
    before = stored_sightings(full_crawl.db)
    again = crawl(ad_server, full_crawl.seeds, full_crawl.db)
    assert again.result.code == 0, again.result.stderr + again.result.stdout
    assert not [t for t in again.hits if t.startswith(("/ad/", "/api/contact/", "/uploads/"))]
    assert again.hits["/ads"] == 1
    assert again.stats["watchlist/threads_unchanged"] == len(ads.ads)
    assert stored_sightings(full_crawl.db) == before


@pytest.mark.browser
def test_the_browser_never_fetches_styles_fonts_media_or_images_but_qr_images_are_fetched_once(
    ads: AdSite, full_crawl: Crawl
) -> None:
    decoration = {t: n for t, n in full_crawl.hits.items() if t.startswith(("/static/", "/media/"))}
    assert decoration == {}
    assert {t: n for t, n in full_crawl.hits.items() if t.startswith("/uploads/")} == dict.fromkeys(
        ads.image_paths(), 1
    )
    stats = full_crawl.stats
    assert (
        stats["watchlist/browser_blocked/font"] > 0 and stats["watchlist/browser_blocked/media"] > 0
    )
    # One context; pages reused from the pool, never more than the site's concurrency.
    assert stats["playwright/context_count"] == 1
    assert stats["playwright/page_count"] <= site_config(BASE).concurrency
    assert stats["watchlist/browser_pages/reused"] >= len(ads.ads) - site_config(BASE).concurrency
    assert stats["watchlist/browser_pages/closed"] == stats["playwright/page_count"]  # no leak


@pytest.mark.browser
def test_a_page_whose_download_fails_is_closed_and_counted_as_a_failed_request(
    ads: AdSite, chromium: str, ad_server: RunningServer, tmp_path: Path
) -> None:
    with socket.socket() as probe:  # a loopback port where nothing listens
        probe.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{probe.getsockname()[1]}/ads"
    start = site_config(ad_server.base_url).start_urls
    done = crawl(
        ad_server,
        tmp_path / "seeds",
        f"sqlite:///{tmp_path / 'w.db'}",
        start_urls=[dead, *start],
        obey_robots=False,
        max_pages=8,
    )
    stats = done.stats
    assert stats["watchlist/failed_requests"] == 1
    assert (
        dead in stats["watchlist/last_error"]
        and "ERR_CONNECTION_REFUSED" in stats["watchlist/last_error"]
    )
    assert stats["watchlist/browser_pages/closed_on_error"] == 1
    assert stats["watchlist/posts_read"] == 6  # the rest of the crawl went on
    assert stats["watchlist/browser_pages/closed"] == stats["playwright/page_count"]


@pytest.mark.browser
def test_the_demo_ad_pages_do_ask_for_what_the_blocker_blocks(
    chromium: str, ads: AdSite, ad_server: RunningServer
) -> None:
    """Without blocking, a browser fetches the decoration: the test above can fail."""
    from playwright.sync_api import sync_playwright

    from crawlers.playwright_pages import launch_options

    ad = next(a for a in ads.ads if a.images)
    before = ad_server.hits.copy()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(**launch_options(chromium))
        try:
            page = browser.new_page()
            page.goto(f"{ad_server.base_url}/ad/{ad.ad_id}", wait_until="load")
            page.wait_for_timeout(300)
        finally:
            browser.close()
    fetched = set(ad_server.hits - before)
    assert {"/static/site.css", "/static/fonts/adsans.woff2", "/media/promo.mp4"} <= fetched
    assert f"/static/banners/{ad.ad_id}-1.jpg" in fetched and set(ad.images) <= fetched


@pytest.mark.browser
@pytest.mark.parametrize("strict", [False, True], ids=["scripted-click", "trusted-click"])
def test_reveal_shows_the_contact_even_on_a_page_that_ignores_scripted_clicks(
    chromium: str, ads: AdSite, ad_server: RunningServer, strict: bool
) -> None:
    from playwright.async_api import async_playwright

    from crawlers.playwright_pages import launch_options, reveal_contacts

    ad = ads.ads[1]
    url = f"{ad_server.base_url}/ad/{ad.ad_id}" + ("?strict" if strict else "")

    async def reveal() -> tuple[dict[str, int], str]:
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(**launch_options(chromium))
            try:
                page = await browser.new_page()
                await page.goto(url)
                done = await reveal_contacts(page, ["button.show-contact"], ".contact", 1000)
                return done, await page.inner_text(".contact")
            finally:
                await browser.close()

    done, contact = asyncio.run(reveal())
    assert contact == ad.contact
    assert done["contacts_revealed"] == 1
    assert done.get("reveal_trusted_clicks", 0) == (1 if strict else 0)


@pytest.mark.browser
def test_without_reveal_the_contacts_stay_hidden_and_are_never_fetched(
    ads: AdSite, chromium: str, ad_server: RunningServer, tmp_path: Path
) -> None:
    done = crawl(
        ad_server, tmp_path / "seeds", f"sqlite:///{tmp_path / 'w.db'}", reveal=[], max_pages=9
    )
    assert done.result.code == 0, done.result.stderr + done.result.stdout
    rendered = {target for target in done.hits if target.startswith("/ad/")}
    assert len(rendered) == 8
    assert not [target for target in done.hits if target.startswith("/api/contact/")]
    expected = {s for s in ads.expected_sightings() if s[0] in rendered}
    hidden = ads.contact_only_sightings() & expected
    assert hidden  # these ads do have contacts that only "show contact" shows
    assert stored_sightings(done.db) == expected - hidden


@pytest.mark.browser
@pytest.mark.parametrize(
    ("scrolls", "load_more", "pages"),
    [(10, None, 5), (2, None, 3), (0, "button.load-more", 5)],
    ids=["scroll-to-the-end", "scrolls-bounded", "load-more-until-gone"],
)
def test_the_listing_is_scrolled_or_load_more_clicked_until_no_new_ads(
    ads: AdSite,
    chromium: str,
    ad_server: RunningServer,
    tmp_path: Path,
    scrolls: int,
    load_more: str | None,
    pages: int,
) -> None:
    selectors = site_config(BASE).selectors.model_copy(update={"load_more": load_more})
    done = crawl(
        ad_server,
        tmp_path / "seeds",
        f"sqlite:///{tmp_path / 'w.db'}",
        scrolls=scrolls,
        selectors=selectors.model_dump(exclude_none=True),
        max_pages=1,  # the listing only: the ads it shows are counted, not fetched
    )
    assert done.result.code == 0, done.result.stderr + done.result.stdout
    api = {t: n for t, n in done.hits.items() if t.startswith("/api/ads")}
    assert api == dict.fromkeys(ads.listing_api_targets()[:pages], 1)
    stats = done.stats
    assert stats["watchlist/max_pages_reached"] == min(len(ads.ads), pages * 8)


def test_a_browser_that_cannot_start_fails_the_crawl_with_failed_requests(
    ad_server: RunningServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CHROMIUM_PATH", str(fake_browser(tmp_path / "broken-chrome")))
    done = crawl(ad_server, tmp_path / "seeds", f"sqlite:///{tmp_path / 'w.db'}")
    assert done.result.code == 1, done.result.stdout
    assert "crawl failed for ads" in done.result.stderr
    assert f"Chromium did not start ({tmp_path / 'broken-chrome'})" in done.result.stdout
    stats = done.stats
    assert stats["watchlist/failed_requests"] == 1 and "watchlist/posts_read" not in stats
    assert not [target for target in done.hits if target.startswith(("/ads", "/ad/"))]


def test_a_missing_browser_skips_the_site_before_any_request(
    ad_server: RunningServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CHROMIUM_PATH", str(tmp_path / "no-chrome"))
    done = crawl(ad_server, tmp_path / "seeds", f"sqlite:///{tmp_path / 'w.db'}")
    assert done.result.code == 1, done.result.stdout + done.result.stderr
    assert "ads: skipped · site 'ads' needs a browser" in done.result.stdout
    assert f"CHROMIUM_PATH={tmp_path / 'no-chrome'}: no such file" in done.result.stdout
    assert done.result.stderr.strip().splitlines() == [
        f"created a new store at {tmp_path / 'w.db'}",
        "error: skipped ads (could not be crawled)",
    ]
    assert not done.hits
