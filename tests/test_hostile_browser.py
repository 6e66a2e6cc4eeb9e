"""The browser (``render: browser`` sites) cannot be misused or hung by the pages it renders.

Each scenario is a real crawl (the CLI in a subprocess, real Chromium) of the demo ad site in
which some ads carry a hostile script: popups, beacons and redirects aimed at a second
loopback host (``127.0.0.2``, another host than the site's ``127.0.0.1``, whose server must see
no request at all), navigations away, and busy loops. The other ads must be stored as if
nothing happened, the crawl must end with its summary and its ``crawl_runs`` row, and every
hostile act must show in a counter.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from conftest import CliResult, run_cli, stored_sightings, write_site

from crawlers.browser_guard import host_rules, kill_page, same_url
from crawlers.playwright_pages import (
    ResourceBlocker,
    actions_seconds,
    configured_chromium,
    launch_options,
    page_meta,
    reachable_hosts,
)
from watchlist import settings
from watchlist.chromium import find_chromium
from watchlist.demo.ads import AdSite, DemoAd, site_config
from watchlist.demo.page import TEXT_TYPE, Page, html_page
from watchlist.demo.server import RunningServer, serve
from watchlist.store import open_store, recent_runs

OTHER_HOST = "127.0.0.2"  # loopback too, but another host than the sites' 127.0.0.1
POPUPS = 50

# Every way a page can make a browser contact another host. OTHER is the other host's origin.
CONTACT_ELSEWHERE = """
<link rel="icon" href="OTHER/favicon.png">
<link rel="prefetch" href="OTHER/prefetch">
<a id="pinger" href="#x" ping="OTHER/a-ping">x</a>
<iframe src="OTHER/frame"></iframe>
<script src="OTHER/script.js"></script>
<script>
for (let i = 0; i < POPUPS; i++) window.open("OTHER/popup/" + i);
window.open("OTHER/noopener", "_blank", "noopener");
window.open("/same-site-popup");
navigator.sendBeacon("OTHER/beacon", "seen");
fetch("OTHER/fetch", {mode: "no-cors"}).catch(() => {});
fetch("/bounce").catch(() => {});  // the site itself redirects to the other host
var xhr = new XMLHttpRequest(); xhr.open("GET", "OTHER/xhr"); xhr.send();
new Image().src = "OTHER/pixel.gif";
try { new WebSocket("OTHER/socket".replace("http", "ws")); } catch (e) {}
try { new EventSource("OTHER/events"); } catch (e) {}
document.getElementById("pinger").click();
</script>
"""
# Navigating away: once the page has loaded (the ad is still read), and while it loads.
AWAY_AFTER_LOAD = (
    "<script>addEventListener('load', () => setTimeout(() => location = 'OTHER/away', 0))</script>"
)
AWAY_WHILE_LOADING = "<script>location.href = 'OTHER/away-now';</script>"
AWAY_ON_SITE = "<script>addEventListener('load', () => { location = '/ads'; })</script>"
# Trying again and again, also after it was read, while its page waits for the next ad.
AWAY_AGAIN_AND_AGAIN = (
    "<script>addEventListener('load', () => setInterval(() => { location = '/ads'; }, 5))</script>"
)
# Scripts that never give the renderer back: after loading, while loading, on "show contact",
# and in dialogs without end.
BUSY_AFTER_LOAD = "<script>setTimeout(() => { for (;;) {} }, 0)</script>"
BUSY_WHILE_LOADING = "<script>for (;;) {}</script>"
BUSY_ON_CLICK = (
    "<script>document.querySelector('button.show-contact')"
    ".addEventListener('click', () => { for (;;) {} })</script>"
)
DIALOG_LOOP = (
    "<script>addEventListener('load', () => setTimeout(() => { for (;;) alert('!') }, 0))</script>"
)
# A page that stops time for our scripts and never shows the contact: our waits still end.
FROZEN_CLOCK = (
    "<script>Date.now = () => 0; document.querySelector('button.show-contact')"
    ".replaceWith(Object.assign(document.createElement('button'),"
    " {className: 'show-contact', textContent: '?'}))</script>"
)


class HostileAds:
    """The demo ad site with ``scripts`` added to some ads' pages (by ad id).

    ``/bounce`` answers with a redirect to ``other`` (the site's own server sending the
    browser elsewhere).
    """

    def __init__(self, ads: AdSite, scripts: dict[int, str], other: str) -> None:
        self.ads = ads
        self.other = other
        self.scripts = {
            ad_id: script.replace("OTHER", other).replace("POPUPS", str(POPUPS))
            for ad_id, script in scripts.items()
        }

    def render(self, target: str) -> Page:
        path = urlsplit(target).path
        if path == "/bounce":
            return Page(302, TEXT_TYPE, b"", (("Location", self.other + "/bounced"),))
        page = self.ads.render(target)
        match = re.fullmatch(r"/ad/(\d+)", path)
        if match and int(match[1]) in self.scripts:
            script = self.scripts[int(match[1])].encode()
            return Page(page.status, page.content_type, page.body.replace(b"</body>", script))
        return page


class Elsewhere:
    """The other host: a page for anything, every request recorded."""

    def render(self, target: str) -> Page:
        return html_page(200, "<html><body><p>elsewhere</p></body></html>")


@pytest.fixture(scope="module")
def chromium() -> str:
    """The browser the crawls will find, or a skip (a failure under REQUIRE_SERVICES)."""
    lookup = find_chromium(configured_chromium())
    if lookup.path is None:
        if settings.load().require_services:
            pytest.fail(f"a Chromium is required (WATCHLIST_REQUIRE_SERVICES=1): {lookup.reason}")
        pytest.skip(f"needs a Chromium: {lookup.reason}")
    return lookup.path


@pytest.fixture(scope="module")
def ads() -> AdSite:
    return AdSite(count=12)


@pytest.fixture
def elsewhere() -> Iterator[RunningServer]:
    with serve(Elsewhere(), host=OTHER_HOST) as server:
        yield server


@dataclass
class Crawl:
    result: CliResult
    db: str
    stats: dict[str, Any]
    site_hits: Counter[str]
    runs: int  # rows in crawl_runs


def crawl_hostile(
    ads: AdSite, scripts: dict[DemoAd, str], other: str, tmp_path: Path, *args: str
) -> Crawl:
    """Crawl the ad site whose ``scripts`` ads are hostile (``crawl ads``, or ``args``)."""
    site = HostileAds(ads, {ad.ad_id: script for ad, script in scripts.items()}, other)
    db = f"sqlite:///{tmp_path / 'watchlist.db'}"
    with serve(site) as server:
        write_site(tmp_path / "seeds", site_config(server.base_url, name="ads").model_dump())
        result = run_cli("crawl", *(args or ("ads",)), "--seeds", str(tmp_path / "seeds"), db=db)
        hits = server.hits.copy()
    store = open_store(db)
    try:
        runs = recent_runs(store, "ads", limit=5)
        stats = dict(json.loads(runs[0].stats)) if runs else {}
    finally:
        store.close()
    return Crawl(result, db, stats, hits, len(runs))


def sightings_of(ads: AdSite, chosen: list[DemoAd]) -> set[tuple[str, str, str]]:
    paths = {ads.ad_path(ad) for ad in chosen}
    return {s for s in ads.expected_sightings() if s[0] in paths}


# --- the rules, without a crawl ---------------------------------------------------------------


def test_the_blocker_refuses_every_request_off_the_site_whatever_its_type() -> None:
    blocker = ResourceBlocker(site_config("http://127.0.0.1:8770"))
    for kind in ("document", "script", "xhr", "fetch", "ping", "eventsource", "websocket"):
        assert blocker.reason(f"http://{OTHER_HOST}:9/x", kind) == "offsite", kind
        assert blocker.reason("http://127.0.0.1:8770/x", kind) is None, kind
    assert blocker.reason("ws://cdn.example.net/socket", "websocket") == "offsite"


def test_chromium_resolves_only_the_sites_hosts_their_subdomains_and_its_proxy() -> None:
    site = site_config("http://127.0.0.1:8770").model_copy(
        update={"allowed_domains": ["ads.example.com", "::1"], "proxy": "http://proxy.lan:3128"}
    )
    assert reachable_hosts(site) == ["ads.example.com", "::1", "proxy.lan"]
    assert host_rules(reachable_hosts(site)) == (
        "MAP * ~NOTFOUND, EXCLUDE ads.example.com, EXCLUDE *.ads.example.com, "
        "EXCLUDE ::1, EXCLUDE *.::1, EXCLUDE proxy.lan, EXCLUDE *.proxy.lan"
    )
    args = launch_options("/usr/bin/chromium", reachable_hosts(site))["args"]
    assert f"--host-resolver-rules={host_rules(reachable_hosts(site))}" in args


def test_the_page_s_own_navigation_is_known_by_its_url_however_it_is_spelled() -> None:
    assert same_url("http://127.0.0.1:8770/ad/1", "http://127.0.0.1:8770/ad/1")
    assert same_url(
        "http://Ads.Example.com:80/a/../ad?y=2&x=1#top", "http://ads.example.com/ad?x=1&y=2"
    )
    assert same_url("http://ads.example.com", "http://ads.example.com/")
    assert same_url(
        "http://ads.example.com/广告 1", "http://ads.example.com/%E5%B9%BF%E5%91%8A%201"
    )
    assert not same_url("http://ads.example.com/ad/1", "http://ads.example.com/ad/2")
    assert not same_url("http://ads.example.com/ad/1", "https://ads.example.com/ad/1")
    assert not same_url("http://ads.example.com:8080/ad/1", "http://ads.example.com/ad/1")


def test_a_pages_deadline_allows_for_every_wait_its_actions_may_make() -> None:
    spider_meta = page_meta(site_config("http://127.0.0.1:8770"), [])
    assert spider_meta["watchlist_actions_seconds"] == 0
    assert spider_meta["playwright_context_kwargs"]["accept_downloads"] is False
    from scrapy_playwright.page import PageMethod

    from crawlers.playwright_pages import expand_listing, reveal_contacts, wait_for

    few = actions_seconds([PageMethod(wait_for, "div.ad", 3000)])
    more = actions_seconds(
        [
            PageMethod(wait_for, "div.ad", 3000),
            PageMethod(reveal_contacts, ["button"], ".contact", 3000),
        ]
    )
    listing = actions_seconds([PageMethod(expand_listing, "a", 10, "button.more", 3000)])
    assert 3 < few < more < listing


# --- crawls against hostile pages -------------------------------------------------------------


@pytest.mark.browser
def test_popups_beacons_and_redirects_to_another_host_reach_nothing_and_are_counted(
    chromium: str, ads: AdSite, elsewhere: RunningServer, tmp_path: Path
) -> None:
    hostile = [ads.ads[1], ads.ads[4]]
    done = crawl_hostile(
        ads, dict.fromkeys(hostile, CONTACT_ELSEWHERE), elsewhere.base_url, tmp_path
    )
    assert done.result.code == 0, done.result.stdout + done.result.stderr
    assert dict(elsewhere.hits) == {}  # the other host received nothing at all
    assert stored_sightings(done.db) == ads.expected_sightings()  # the hostile ads too
    stats = done.stats
    assert stats["watchlist/browser/popups_blocked"] == len(hostile) * (POPUPS + 2)
    assert stats["watchlist/browser_blocked/offsite"] >= len(hostile) * 6
    assert done.site_hits["/same-site-popup"] == 0  # a popup fetches nothing, not even on site
    assert stats["watchlist/posts_read"] == len(ads.ads)


@pytest.mark.browser
def test_an_ad_that_navigates_away_is_counted_and_read_if_it_had_loaded(
    chromium: str, ads: AdSite, elsewhere: RunningServer, tmp_path: Path
) -> None:
    after, during, on_site, again = ads.ads[2], ads.ads[5], ads.ads[7], ads.ads[0]
    scripts = {
        after: AWAY_AFTER_LOAD,
        during: AWAY_WHILE_LOADING,
        on_site: AWAY_ON_SITE,
        again: AWAY_AGAIN_AND_AGAIN,  # the next ad its page shows is not refused for it
    }
    done = crawl_hostile(ads, scripts, elsewhere.base_url, tmp_path)
    assert done.result.code == 0, done.result.stdout + done.result.stderr
    assert dict(elsewhere.hits) == {}
    stats = done.stats
    assert stats["watchlist/browser/navigated_away"] == len(scripts)
    # The on-site navigation was refused too: the listing was loaded by the crawl itself (once,
    # or again where a slow machine made Scrapy retry a request) and at most once more by the
    # refused navigation, whose request a busy machine lets out before the refusal lands — it
    # is on the allowed site, and never read (the sightings below are exact).
    assert done.site_hits["/ads"] <= 2 + int(stats.get("retry/count", 0))
    # Refused once loaded, the ad stays on screen and is read; refused while it loaded, the
    # page shows an error page, which is never taken for the ad.
    read = [ad for ad in ads.ads if ad is not during]
    assert stored_sightings(done.db) == sightings_of(ads, read)
    assert stats["watchlist/posts_read"] == len(read)
    assert stats["watchlist/failed_requests"] == 1
    assert "navigated away" in stats["watchlist/last_error"]


@pytest.mark.browser
def test_busy_loop_ads_are_killed_counted_and_skipped_and_crawl_all_ends_with_its_summary(
    chromium: str, ads: AdSite, elsewhere: RunningServer, tmp_path: Path
) -> None:
    busy = {
        ads.ads[0]: BUSY_AFTER_LOAD,
        ads.ads[3]: BUSY_WHILE_LOADING,
        ads.ads[6]: BUSY_ON_CLICK,
        ads.ads[8]: DIALOG_LOOP,
    }
    frozen = ads.ads[9]
    done = crawl_hostile(ads, {**busy, frozen: FROZEN_CLOCK}, elsewhere.base_url, tmp_path, "--all")
    assert "ads" in done.result.stdout and "posts" in done.result.stdout  # the summary
    assert done.runs == 1  # and its crawl_runs row
    stats = done.stats
    assert stats["watchlist/browser/page_deadline_exceeded"] == len(busy)
    assert stats["watchlist/failed_requests"] == len(busy)
    assert "busy loop" in stats["watchlist/last_error"]
    # Every other ad is stored whole; the one that stopped the clock, without its contact.
    read = [ad for ad in ads.ads if ad not in busy]
    expected = sightings_of(ads, read) - sightings_of(ads, [frozen])
    expected |= {(ads.ad_path(frozen), kind, value) for kind, value in frozen.body_handles}
    assert stored_sightings(done.db) == expected
    assert stats["watchlist/browser/reveal_timeouts"] >= 1
    # No page leaked: every page opened was closed, the killed ones included.
    assert stats["watchlist/browser_pages/closed"] == stats["playwright/page_count"]


@pytest.mark.browser
@pytest.mark.parametrize("fallback", ["target_closed", "browser_killed"])
def test_a_busy_page_that_does_not_close_in_time_is_closed_by_the_browser_or_its_process_killed(
    chromium: str, ads: AdSite, fallback: str
) -> None:
    from playwright.async_api import async_playwright

    from crawlers.browser_guard import browser_pid

    busy = HostileAds(ads, {ads.ads[0].ad_id: BUSY_AFTER_LOAD}, f"http://{OTHER_HOST}:9")

    async def never(*args: Any, **kwargs: Any) -> None:
        await asyncio.Event().wait()

    async def kill() -> tuple[str, bool, bool]:
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(**launch_options(chromium))
            pid = await browser_pid(browser)
            page = await browser.new_page()
            with serve(busy) as server:
                await page.goto(server.url(ads.ad_path(ads.ads[0])), wait_until="commit")
                await asyncio.sleep(0.5)  # its script is in its busy loop by now
                if fallback == "target_closed":  # page.close() never returns
                    page.close = never  # type: ignore[method-assign]
                    how = await kill_page(page, 2.0, pid)
                else:  # 0 s: not even the browser has time to close the page or itself
                    how = await kill_page(page, 0.0, pid)
                await asyncio.sleep(1.0)
                return how, page.is_closed(), browser.is_connected()

    how, closed, connected = asyncio.run(kill())
    assert how == fallback
    assert closed
    assert connected == (fallback == "target_closed")


@pytest.mark.browser
def test_an_idle_page_whose_script_went_into_a_busy_loop_is_closed_not_reused(
    chromium: str, ads: AdSite
) -> None:
    from playwright.async_api import async_playwright
    from scrapy.http import Request
    from scrapy.utils.test import get_crawler

    from crawlers.playwright_pages import PagePool

    crawler = get_crawler(settings_dict={"WATCHLIST_PAGE_POOL": True})
    pool = PagePool.from_crawler(crawler)
    busy = HostileAds(ads, {ads.ads[0].ad_id: BUSY_AFTER_LOAD}, f"http://{OTHER_HOST}:9")
    request = Request("http://127.0.0.1/ad/2", meta={"playwright": True, "watchlist_pooled": True})

    async def reuse() -> tuple[bool, bool, bool]:
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(**launch_options(chromium))
            try:
                healthy, stuck = await browser.new_page(), await browser.new_page()
                with serve(busy) as server:
                    await healthy.goto(server.url(ads.ad_path(ads.ads[1])))
                    await stuck.goto(server.url(ads.ad_path(ads.ads[0])), wait_until="commit")
                    await asyncio.sleep(0.5)  # its script is in its busy loop by now
                    pool.idle = [healthy, stuck]  # the stuck one is handed out first
                    await pool.process_request(request)
                    given = request.meta.get("playwright_page")
                    return given is healthy, stuck.is_closed(), healthy.is_closed()
            finally:
                await browser.close()

    got_healthy, stuck_closed, healthy_closed = asyncio.run(reuse())
    assert got_healthy and stuck_closed and not healthy_closed
    assert crawler.stats.get_value("watchlist/browser_pages/hung_idle") == 1
    assert crawler.stats.get_value("watchlist/browser_pages/closed") == 1
