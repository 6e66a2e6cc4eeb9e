"""Playwright for the sites that need a browser: settings, blocking, page reuse, page actions.

A crawl of a ``render: browser`` site gets these settings on its own crawler only
(:func:`browser_settings`), so HTTP-only crawls never start Chromium:

- scrapy-playwright's download handler for ``http``/``https``; only requests whose meta says
  ``playwright`` go through the browser (listings and ads), everything else — robots.txt, the
  images the image pipeline fetches — stays plain HTTP;
- Chromium launched with the options of PITFALLS.md from the path :mod:`watchlist.chromium`
  found, able to resolve only the site's own hosts (:func:`crawlers.browser_guard.host_rules`);
- :class:`ResourceBlocker` aborts images, fonts, media and stylesheets inside the browser, and
  every request that leaves the site (whatever its type: documents, scripts, XHR, beacons) or
  reaches a private address (unless the site allows it). The ad's own images (QR codes) are
  read from the rendered page and fetched once by the image pipeline over HTTP — downloading
  them in the browser too would fetch each twice;
- :class:`crawlers.browser_guard.GuardedDownloadHandler`, scrapy-playwright's handler with the
  guards against hostile pages: popups closed, navigations away refused, a deadline on every
  page, closing that cannot hang;
- one named browser context per site, at most ``concurrency`` pages in it, and
  :class:`PagePool`, which reuses pages across requests (once blocking has removed the wait
  for heavy resources, opening and closing a page per request halves the throughput:
  ``bench/browser_speed.py --breakdown``) and closes every page it takes on any failure —
  spider code never holds a page, so no callback or errback can leak one. The site's proxy
  and cookies are the context's, so the page's own requests (XHR) carry them too.

The page actions (:func:`expand_listing`, :func:`reveal_contacts`, :func:`wait_for`) are
scrapy-playwright ``PageMethod`` callables; each returns counts that the spider adds to stats.
Each of their waits is bounded (a script of the page runs in the page's own world, where the
page may have replaced ``Date`` or ``setTimeout``), so :func:`actions_seconds` can say how long
they may take at most: the download's deadline.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import suppress
from typing import Any, Self
from urllib.parse import urlsplit

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Locator, Page
from playwright.async_api import Request as BrowserRequest
from playwright.async_api import TimeoutError as PlaywrightTimeout
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Request, Response
from scrapy.settings import BaseSettings
from scrapy_playwright.page import PageMethod

from crawlers.browser_guard import CLOSE_SECONDS, answers, host_rules, kill_page, within
from watchlist import settings
from watchlist.addresses import is_private_host
from watchlist.chromium import find_chromium
from watchlist.errors import NotAvailable
from watchlist.sites import SiteConfig

HANDLER = "crawlers.browser_guard.GuardedDownloadHandler"
PAGE_POOL = "crawlers.playwright_pages.PagePool"
LAUNCH_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    # A page's history.back() would show the previous page without any request to refuse.
    "--disable-back-forward-cache",
    # A page that allocates without end crashes its renderer at this heap size (in MB), not
    # the machine: a crashed page is a failed request.
    "--js-flags=--max-old-space-size=512",
)
BLOCKED_TYPES = frozenset({"image", "font", "media", "stylesheet"})
LOAD_MORE_ROUNDS = 50  # "load more" clicks per listing page at most
TRUSTED_CLICKS = 10  # "show contact" buttons clicked with the mouse per page at most
EVALUATE_SLACK = 2.0  # seconds a script of ours may take over the wait it was given
PAGE_USES = 100  # navigations before a pooled page is closed and a fresh one made
IDLE_PROBE_SECONDS = 2.0  # an idle page that does not answer this fast is not reused


def configured_chromium(crawler_settings: BaseSettings | None = None) -> str | None:
    """The explicit browser path: ``-s WATCHLIST_CHROMIUM_PATH=…``, else ``CHROMIUM_PATH``."""
    explicit = crawler_settings.get("WATCHLIST_CHROMIUM_PATH") if crawler_settings else None
    if explicit:
        return str(explicit)
    return settings.load().chromium_path


def require_chromium(site: SiteConfig, explicit: str | None) -> str:
    """The Chromium that crawls ``site``; :class:`NotAvailable` (one line) when there is none."""
    lookup = find_chromium(explicit)
    if lookup.path is None:
        raise NotAvailable(f"site {site.name!r} needs a browser (render: browser): {lookup.reason}")
    return lookup.path


def launch_options(chromium: str, hosts: Sequence[str] | None = None) -> dict[str, Any]:
    """``PLAYWRIGHT_LAUNCH_OPTIONS`` for a headless Chromium at ``chromium``.

    With ``hosts``, the browser resolves only those hosts and their subdomains: nothing it
    does can reach another host (through a proxy the proxy resolves, so only the request
    rules hold there).
    """
    args = list(LAUNCH_ARGS)
    if hosts is not None:
        args.append(f"--host-resolver-rules={host_rules(hosts)}")
    return {"executable_path": chromium, "headless": True, "args": args}


def reachable_hosts(site: SiteConfig) -> list[str]:
    """The hosts the browser may contact for ``site``: its allowed domains and its proxy."""
    proxy = urlsplit(site.proxy).hostname if site.proxy else None
    return [*site.allowed_domains, *([proxy] if proxy else [])]


def browser_settings(site: SiteConfig, chromium: str, crawler: Crawler) -> dict[str, Any]:
    """The Scrapy settings that crawl ``site`` through Chromium, merged over the crawler's."""
    current = crawler.settings
    handlers = {**current.getdict("DOWNLOAD_HANDLERS"), "http": HANDLER, "https": HANDLER}
    middlewares = {**current.getdict("DOWNLOADER_MIDDLEWARES"), PAGE_POOL: 950}
    return {
        "DOWNLOAD_HANDLERS": handlers,
        "DOWNLOADER_MIDDLEWARES": middlewares,
        "PLAYWRIGHT_BROWSER_TYPE": "chromium",
        "PLAYWRIGHT_LAUNCH_OPTIONS": launch_options(chromium, reachable_hosts(site)),
        "PLAYWRIGHT_ABORT_REQUEST": ResourceBlocker(site, crawler),
        "PLAYWRIGHT_MAX_CONTEXTS": 1,
        "PLAYWRIGHT_MAX_PAGES_PER_CONTEXT": site.concurrency,
        "PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT": current.getfloat("DOWNLOAD_TIMEOUT", 30) * 1000,
        "WATCHLIST_PAGE_POOL": True,
    }


def page_meta(site: SiteConfig, methods: list[PageMethod]) -> dict[str, Any]:
    """Request meta that renders a page in the site's browser context, then runs ``methods``.

    The download's deadline allows for what ``methods`` may wait (:func:`actions_seconds`).
    """
    context: dict[str, Any] = {
        "service_workers": "block",
        "accept_downloads": False,  # a page cannot make the browser write files
        "viewport": {"width": 1280, "height": 900},
    }
    if site.proxy:
        context["proxy"] = {"server": site.proxy}
    if site.cookies:  # for the page's own requests (XHR) too, not only the navigation
        context["storage_state"] = {
            "cookies": [
                {"name": name, "value": value, "domain": domain, "path": "/"}
                for domain in site.allowed_domains
                for name, value in site.cookies.items()
            ]
        }
    return {
        "playwright": True,
        "playwright_context": f"site:{site.name}",
        "playwright_context_kwargs": context,
        "playwright_page_methods": methods,
        "watchlist_pooled": True,
        "watchlist_actions_seconds": actions_seconds(methods),
    }


def actions_seconds(methods: Sequence[PageMethod]) -> float:
    """How long the page actions ``methods`` may take at most, each of their waits run out."""
    total = 0.0
    for method in methods:
        args = method.args
        waits = 1
        if method.method is expand_listing:
            waits += int(args[1]) + (2 * LOAD_MORE_ROUNDS if args[2] else 0)
        elif method.method is reveal_contacts:
            waits += 2 + TRUSTED_CLICKS
        total += waits * (float(args[-1]) / 1000 + EVALUATE_SLACK) if args else 0.0
    return total


class ResourceBlocker:
    """``PLAYWRIGHT_ABORT_REQUEST``: what the browser must not fetch for this site."""

    def __init__(self, site: SiteConfig, crawler: Crawler | None = None) -> None:
        self.domains = tuple(site.allowed_domains)
        self.allow_private = site.allow_private
        self.crawler = crawler  # for its stats, which exist only once the crawl starts

    def __call__(self, request: BrowserRequest) -> bool:
        reason = self.reason(request.url, request.resource_type)
        if reason is not None and self.crawler is not None and self.crawler.stats is not None:
            self.crawler.stats.inc_value(f"watchlist/browser_blocked/{reason}")
        return reason is not None

    def reason(self, url: str, resource_type: str) -> str | None:
        """Why a request for ``url`` of ``resource_type`` is blocked, or None to let it go."""
        if resource_type in BLOCKED_TYPES:
            return resource_type
        host = urlsplit(url).hostname or ""
        if not self.allow_private and is_private_host(host):
            return "private_address"
        if not any(host == domain or host.endswith("." + domain) for domain in self.domains):
            return "offsite"
        return None


class PagePool:
    """Downloader middleware: hands pooled pages to browser requests and takes them back.

    A page is taken just before the download and returned (or closed after ``PAGE_USES``
    navigations) as soon as the response is read, before any callback runs; on any download
    failure it is closed, and an idle page that no longer answers (a script of the last page
    it showed in a busy loop) is closed instead of reused (``watchlist/browser_pages/hung_idle``).
    So a page is always either idle here or in one download, and pages
    never outnumber the downloads in flight (which ``PLAYWRIGHT_MAX_PAGES_PER_CONTEXT`` bounds).
    The idle pages are closed when the spider closes: ``watchlist/browser_pages/closed`` then
    equals ``playwright/page_count``, the pages opened.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.idle: list[Page] = []
        self.uses: dict[int, int] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        if not crawler.settings.getbool("WATCHLIST_PAGE_POOL"):
            raise NotConfigured("WATCHLIST_PAGE_POOL is off")
        pool = cls(crawler)
        crawler.signals.connect(pool.close_all, signal=signals.spider_closed)
        return pool

    async def process_request(self, request: Request) -> None:
        if not (request.meta.get("playwright") and request.meta.get("watchlist_pooled")):
            return
        request.meta["playwright_include_page"] = True
        while self.idle:
            page = self.idle.pop()
            if page.is_closed():
                continue
            # Its scripts ran on since it was read: one stuck in a loop (or crashed) is not
            # handed to the next ad, which would pay with its deadline.
            if not await answers(page, IDLE_PROBE_SECONDS):
                self.uses.pop(id(page), None)
                await self._close(page)
                self._count("hung_idle")
                continue
            request.meta["playwright_page"] = page
            self._count("reused")
            return

    async def process_response(self, request: Request, response: Response) -> Response:
        page = request.meta.pop("playwright_page", None)
        if isinstance(page, Page):
            uses = self.uses.get(id(page), 0) + 1
            if uses >= PAGE_USES or page.is_closed():
                self.uses.pop(id(page), None)
                await self._close(page)
            else:
                self.uses[id(page)] = uses
                self.idle.append(page)
        return response

    async def process_exception(self, request: Request, exception: BaseException) -> None:
        page = request.meta.pop("playwright_page", None)
        if isinstance(page, Page):
            self.uses.pop(id(page), None)
            await self._close(page)
            self._count("closed_on_error")

    async def close_all(self) -> None:
        """Close the idle pages (the handler closes the contexts right after)."""
        pages, self.idle = self.idle, []
        for page in pages:
            await self._close(page)

    async def _close(self, page: Page) -> None:
        with suppress(PlaywrightError):
            if not page.is_closed():
                how = await kill_page(page, CLOSE_SECONDS)
                self._count("closed")
                if how != "closed":
                    self._count(how)

    def _count(self, what: str) -> None:
        if self.crawler.stats is not None:
            self.crawler.stats.inc_value(f"watchlist/browser_pages/{what}")


async def wait_for(page: Page, selector: str, wait_ms: int) -> dict[str, int]:
    """Wait until ``selector`` is in the page (a page that renders its content by script)."""
    try:
        await page.wait_for_selector(selector, state="attached", timeout=wait_ms)
    except PlaywrightTimeout:
        return {"content_timeouts": 1}
    return {}


async def expand_listing(
    page: Page, cards: str, scrolls: int, load_more: str | None, wait_ms: int
) -> dict[str, int]:
    """Show every ad of a listing: scroll to the bottom, then click "load more", until no more.

    Scrolls up to ``scrolls`` times and stops at the first scroll that brings no new card;
    then clicks ``load_more`` until it is gone, brings nothing, or ``LOAD_MORE_ROUNDS``.
    """
    done = {"scrolls": 0, "load_more_clicks": 0}
    try:
        await page.wait_for_selector(cards, state="attached", timeout=wait_ms)
    except PlaywrightTimeout:
        return {**done, "listing_timeouts": 1}
    count = await page.locator(cards).count()
    for _ in range(scrolls):
        try:
            await within(page.evaluate(_SCROLL_JS), wait_ms / 1000 + EVALUATE_SLACK)
        except TimeoutError:  # the page's own scroll handlers never returned
            return {**done, "listing_timeouts": 1}
        # A "load more" button that is gone says the list is complete: no need to wait.
        if not await _grown(page, cards, count, load_more, wait_ms):
            break
        done["scrolls"] += 1
        count = await page.locator(cards).count()
    for _ in range(LOAD_MORE_ROUNDS if load_more else 0):
        assert load_more is not None
        button = page.locator(load_more).first
        if not await button.count() or not await button.is_visible():
            break
        try:
            await button.click(timeout=wait_ms)
        except PlaywrightTimeout:
            break
        done["load_more_clicks"] += 1
        if not await _grown(page, cards, count, load_more, wait_ms):
            break
        count = await page.locator(cards).count()
    return done


_SCROLL_JS = "window.scrollTo(0, document.documentElement.scrollHeight)"


async def _grown(page: Page, cards: str, count: int, button: str | None, wait_ms: int) -> bool:
    """Wait until there are more than ``count`` cards (or ``button`` is gone)."""
    script = (
        "([cards, count, button]) => document.querySelectorAll(cards).length > count"
        " || (button !== null && document.querySelector(button) === null)"
    )
    try:
        await page.wait_for_function(script, arg=[cards, count, button], timeout=wait_ms)
    except PlaywrightTimeout:
        return False
    return await page.locator(cards).count() > count


# Clicks the visible buttons in the page (one round trip, no actionability checks: a
# Playwright click costs ~0.3 s more per page), then polls until the contact texts change.
_REVEAL_JS = """async ([buttons, contact, waitMs]) => {
  const texts = () => contact
    ? Array.from(document.querySelectorAll(contact), (e) => e.textContent.trim()) : [];
  const before = texts();
  let clicked = 0;
  for (const selector of buttons) {
    for (const button of document.querySelectorAll(selector)) {
      if (button.getClientRects().length) { button.click(); clicked += 1; }
    }
  }
  if (!clicked || !contact) return {clicked, changed: null, before};
  const deadline = Date.now() + waitMs;
  while (Date.now() < deadline) {
    const now = texts();
    if (now.length > before.length || (now.length && now.every((t, i) => t !== before[i]))) {
      return {clicked, changed: true, before};
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return {clicked, changed: false, before};
}"""
_CHANGED_JS = (
    "([sel, before]) => { const now = Array.from(document.querySelectorAll(sel),"
    " (e) => e.textContent.trim()); return now.length > before.length"
    " || (now.length > 0 && now.every((t, i) => t !== before[i])); }"
)


async def reveal_contacts(
    page: Page, buttons: list[str], contact: str | None, wait_ms: int
) -> dict[str, int]:
    """Click every visible "show contact" button, then wait for the contact to appear.

    With a ``contact`` selector, waits until its text changes (the XHR answer was written into
    the page); without one, until the network is idle. Buttons are clicked by script first;
    when that reveals nothing in ``wait_ms``, they are clicked again as a user would (trusted
    mouse events, for pages that ignore scripted clicks) and waited for once more.
    """
    try:
        done: dict[str, Any] = await within(
            page.evaluate(_REVEAL_JS, [buttons, contact, wait_ms]),
            wait_ms / 1000 + EVALUATE_SLACK,
        )
    except TimeoutError:  # the page stopped our script's clock or timers, or its clicks hang
        return {"reveal_timeouts": 1}
    result = {"reveal_clicks": int(done["clicked"])}
    if not done["clicked"]:
        return result
    if contact is None:
        try:
            await page.wait_for_load_state("networkidle", timeout=wait_ms)
        except PlaywrightTimeout:
            return {**result, "reveal_timeouts": 1}
        return {**result, "contacts_revealed": 1}
    if done["changed"]:
        return {**result, "contacts_revealed": 1}
    visible: list[Locator] = []  # at most TRUSTED_CLICKS: each click may wait up to wait_ms
    for selector in buttons:
        for button in await page.locator(selector).all():
            with suppress(PlaywrightError):
                if len(visible) < TRUSTED_CLICKS and await button.is_visible():
                    visible.append(button)
    for button in visible:
        with suppress(PlaywrightError):
            await button.click(timeout=wait_ms)
            result["reveal_trusted_clicks"] = result.get("reveal_trusted_clicks", 0) + 1
    try:
        await page.wait_for_function(_CHANGED_JS, arg=[contact, done["before"]], timeout=wait_ms)
    except PlaywrightTimeout:
        return {**result, "reveal_timeouts": 1}
    return {**result, "contacts_revealed": 1}
