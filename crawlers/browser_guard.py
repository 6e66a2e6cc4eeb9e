"""What a hostile page cannot do to a crawl in the browser: leave the site, hang, or outlive it.

The sites we crawl are run by the people we list, so every page is treated as adversarial.
:class:`GuardedDownloadHandler` is scrapy-playwright's download handler with these guards (it
overrides a few of the handler's internals: constraints.txt pins scrapy-playwright 0.0.48):

- **Nothing leaves the site.** Chromium itself is launched so that every host outside the
  site's ``allowed_domains`` (and its proxy) fails to resolve (:func:`host_rules`): popups,
  redirects, beacons, web sockets, favicons — no request reaches another host, whatever the
  page does. On top, every request the browser makes is judged by the crawl's rules
  (``ResourceBlocker``: counted ``watchlist/browser_blocked/<reason>``); web sockets to other
  hosts are closed before they connect; every popup is closed at once
  (``watchlist/browser/popups_blocked``) and may fetch nothing (its requests reach only the
  context's catch-all route, which aborts them).
- **A page stays where it was sent.** The main-frame navigation to the download's URL is the
  page's own (one of the page shown before, whose scripts run until it is replaced, is
  refused); any later one (``location = …``, a form, ``<meta refresh>``, ``history.back()``)
  is refused and counted once per page (``watchlist/browser/navigated_away``). Refused after
  the page loaded, the ad stays readable and is read; refused during its load, the page shows
  an error page, which is never handed to the spider: the request fails with
  :class:`NavigatedAway`.
- **Every page has a deadline.** A download has a total deadline (the navigation timeout plus
  what its page actions may wait, ``watchlist_actions_seconds`` in the request meta), and its
  renderer is asked for a trivial answer every second: a page that does not answer for
  ``WATCHLIST_BROWSER_HANG_SECONDS`` (10) — a script in a busy loop blocks every call into the
  page — or that runs past its deadline is killed (:func:`kill_page`), counted
  (``watchlist/browser/page_deadline_exceeded``) and skipped with :class:`PageDeadlineExceeded`;
  the crawl goes on. An idle pooled page is asked the same before it is reused (``PagePool``):
  one whose scripts went into a busy loop after it was read is killed, so the next ad does not
  pay for it. (Sending each page to ``about:blank`` after its download would stop its scripts
  sooner, but costs a renderer swap: about 50 ms of CPU per page.)
- **Closing cannot hang.** Every close has a deadline: a page that does not close is closed
  through the browser (``Target.closeTarget``); a browser that does not close is killed by its
  process id, and scrapy-playwright starts a new one for the next request.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import posixpath
import signal
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar
from urllib.parse import urlsplit

from playwright.async_api import Browser, CDPSession, Frame, Page, Route, WebSocketRoute
from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Request as BrowserRequest
from scrapy.crawler import Crawler
from scrapy.http import Request, Response
from scrapy_playwright.handler import ScrapyPlaywrightDownloadHandler
from w3lib.url import canonicalize_url

T = TypeVar("T")

HANG_SECONDS = 10.0  # a renderer silent this long is hung (WATCHLIST_BROWSER_HANG_SECONDS)
PROBE_INTERVAL = 1.0  # seconds between two liveness probes of a page in a download
CLOSE_SECONDS = 5.0  # per step of closing a page or the browser
DEADLINE_SLACK = 15.0  # seconds over navigation + page actions before a download is cut


class PageDeadlineExceeded(Exception):
    """A page that stopped answering or ran past its deadline: it was killed and skipped."""


class NavigatedAway(Exception):
    """A page that navigated away while it loaded (or never got where it was sent): what it
    shows is not the page asked for."""


class Rules(Protocol):
    """The crawl's verdict on a request the browser makes (``ResourceBlocker``)."""

    def reason(self, url: str, resource_type: str) -> str | None:
        """Why a request for ``url`` is blocked, or None to let it go."""
        ...


def host_rules(hosts: Iterable[str]) -> str:
    """Chromium's ``--host-resolver-rules``: every host but ``hosts`` (and their subdomains)
    fails to resolve, IP literals included, so the browser cannot contact any other host."""
    rules = ["MAP * ~NOTFOUND"]
    for host in dict.fromkeys(h.strip("[]").lower().rstrip(".") for h in hosts if h):
        rules += [f"EXCLUDE {host}", f"EXCLUDE *.{host}"]
    return ", ".join(rules)


async def within(awaitable: Awaitable[T], seconds: float) -> T:
    """``awaitable``'s result, or :class:`TimeoutError` after ``seconds`` (it is cancelled)."""
    return await asyncio.wait_for(awaitable, max(seconds, 0.0))


async def kill_page(page: Page, seconds: float = CLOSE_SECONDS, pid: int | None = None) -> str:
    """Close ``page`` whatever it runs; say how (``closed``, ``target_closed``, ``browser_killed``).

    ``page.close()`` first; when that does not finish in ``seconds``, the browser closes the
    page's target (a busy renderer cannot block that); when that fails too, the browser is
    closed, and killed by ``pid`` (its process id) if even that does not finish.
    """
    with contextlib.suppress(TimeoutError, PlaywrightError):
        await within(page.close(), seconds)
    if page.is_closed():
        return "closed"
    browser = page.context.browser
    with contextlib.suppress(TimeoutError, PlaywrightError):
        session = await within(page.context.new_cdp_session(page), seconds)
        info = await within(session.send("Target.getTargetInfo"), seconds)
        if browser is not None:
            own = await within(browser.new_browser_cdp_session(), seconds)
            target = {"targetId": info["targetInfo"]["targetId"]}
            await within(own.send("Target.closeTarget", target), seconds)
            await within(own.detach(), seconds)
            return "target_closed"
    if page.is_closed():
        return "closed"
    await kill_browser(browser, seconds, pid)
    return "browser_killed"


async def kill_browser(browser: Browser | None, seconds: float, pid: int | None) -> None:
    """Close ``browser`` within ``seconds``, else kill its process ``pid``."""
    if browser is not None:
        with contextlib.suppress(TimeoutError, PlaywrightError):
            await within(browser.close(), seconds)
            return
    if pid is not None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGKILL)


async def browser_pid(browser: Browser) -> int | None:
    """The process id of ``browser`` (None when it will not say), for killing it if it hangs."""
    with contextlib.suppress(TimeoutError, PlaywrightError, KeyError, TypeError):
        session = await within(browser.new_browser_cdp_session(), CLOSE_SECONDS)
        info = await within(session.send("SystemInfo.getProcessInfo"), CLOSE_SECONDS)
        await session.detach()
        for process in info["processInfo"]:
            if process.get("type") == "browser":
                return int(process["id"])
    return None


async def _has_loaded(frame: Frame) -> bool:
    """Whether ``frame``'s document has loaded (its "load" event may not have reached us yet)."""
    with contextlib.suppress(TimeoutError, PlaywrightError):
        state = await within(frame.evaluate("document.readyState"), 1.0)
        return bool(state == "complete")
    return False


def same_url(first: str, second: str) -> bool:
    """Whether two spellings of a URL name the same page (as Chromium and Scrapy write it)."""
    return _normal(first) == _normal(second)


def _normal(url: str) -> tuple[str, str, str, str]:
    parts = urlsplit(canonicalize_url(url))
    default = {"http": 80, "https": 443}.get(parts.scheme)
    with contextlib.suppress(ValueError):
        port = parts.port
        host = (parts.hostname or "").rstrip(".")
        netloc = host if port in (None, default) else f"{host}:{port}"
        return parts.scheme, netloc, posixpath.normpath(parts.path or "/"), parts.query
    return parts.scheme, parts.netloc, parts.path, parts.query


async def answers(page: Page, seconds: float) -> bool:
    """Whether ``page`` answers a trivial script within ``seconds`` (not hung, not crashed)."""
    with contextlib.suppress(TimeoutError, PlaywrightError):
        await within(page.evaluate("0"), seconds)
        return True
    return False


def _retrieve(task: asyncio.Future[Any]) -> None:
    if not task.cancelled():
        task.exception()


@dataclass  # no slots: Playwright keeps its wrapper of a listener on the listener's object
class PageWatch:
    """What a page did during its current download."""

    url: str = ""  # where the download sends it
    expecting: bool = False  # its own navigation (to url) has not been seen yet
    loaded: bool = False  # its document fired "load"
    away: str | None = None  # where it tried to go after its own navigation
    session: CDPSession | None = None  # for the liveness probe

    def begin(self, url: str) -> None:
        """A download of ``url`` starts on the page."""
        self.url, self.expecting, self.loaded, self.away = url, True, False, None

    def on_load(self, _: Page) -> None:
        self.loaded = True


class GuardedDownloadHandler(ScrapyPlaywrightDownloadHandler):  # type: ignore[misc]
    """scrapy-playwright's handler, with the guards of this module (see its docstring)."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.hang_seconds = crawler.settings.getfloat(
            "WATCHLIST_BROWSER_HANG_SECONDS", HANG_SECONDS
        )
        self.rules: Rules | None = (
            self.abort_request if hasattr(self.abort_request, "reason") else None
        )
        self.watches: dict[Page, PageWatch] = {}
        self.pid: int | None = None

    def _count(self, key: str, n: int = 1) -> None:
        self.stats.inc_value(f"watchlist/{key}", n)

    # --- the browser, its contexts and pages ---------------------------------------------------

    async def _maybe_launch_browser(self) -> None:
        had = hasattr(self, "browser")
        await super()._maybe_launch_browser()
        if not had and hasattr(self, "browser"):
            self.pid = await browser_pid(self.browser)

    async def _create_browser_context(self, *args: Any, **kwargs: Any) -> Any:
        wrapper = await super()._create_browser_context(*args, **kwargs)
        # Page routes come first: only requests of pages that are not ours (popups) get here.
        await wrapper.context.route("**", self._outside_request)
        await wrapper.context.route_web_socket("**", self._websocket)
        return wrapper

    async def _create_page(self, request: Request, spider: Any) -> Page:
        page: Page = await super()._create_page(request, spider)
        watch = self.watches[page] = PageWatch()
        page.on("popup", self._close_popup)
        page.on("load", watch.on_load)
        page.on("close", self._forget)
        return page

    def _forget(self, page: Page) -> None:
        self.watches.pop(page, None)

    async def _close_popup(self, popup: Page) -> None:
        self._count("browser/popups_blocked")
        popup.on("popup", self._close_popup)  # and whatever it opens before it is gone
        with contextlib.suppress(TimeoutError, PlaywrightError):
            await within(popup.close(), CLOSE_SECONDS)

    async def _outside_request(self, route: Route, request: BrowserRequest) -> None:
        reason = self.rules.reason(request.url, request.resource_type) if self.rules else None
        self._count(f"browser_blocked/{reason or 'popup'}")
        with contextlib.suppress(PlaywrightError):
            await route.abort()

    async def _websocket(self, socket: WebSocketRoute) -> None:
        reason = self.rules.reason(socket.url, "websocket") if self.rules else None
        if reason is None:
            socket.connect_to_server()
            return
        self._count(f"browser_blocked/{reason}")
        with contextlib.suppress(PlaywrightError):
            await socket.close()

    def _make_request_handler(self, **kwargs: Any) -> Callable[[Route, BrowserRequest], Any]:
        theirs = super()._make_request_handler(**kwargs)

        async def guarded(route: Route, request: BrowserRequest) -> None:
            if not await self._refused_navigation(route, request):
                await theirs(route, request)

        return guarded

    async def _refused_navigation(self, route: Route, request: BrowserRequest) -> bool:
        """Refuse a main-frame navigation that is not the page's own; say whether it was."""
        if not request.is_navigation_request():
            return False
        try:
            frame = request.frame
            watch = self.watches.get(frame.page)
        except PlaywrightError:  # a frame still being created: not a main frame of ours
            return False
        if watch is None or frame.parent_frame is not None:
            return False
        if watch.expecting and same_url(request.url, watch.url):
            watch.expecting = False
            return False
        if self.rules is not None and (reason := self.rules.reason(request.url, "document")):
            self._count(f"browser_blocked/{reason}")
        if watch.expecting:  # the last page shown, whose scripts run on until this one commits
            with contextlib.suppress(PlaywrightError):
                await route.fulfill(status=204)
            return True
        watch.away = watch.away or request.url
        loaded = watch.loaded or await _has_loaded(frame)
        with contextlib.suppress(PlaywrightError):
            if loaded:  # "No Content": the browser stays on the page, which stays readable
                await route.fulfill(status=204)
            else:  # while loading, a refused navigation would leave the page without "load"
                await route.abort()
        return True

    # --- downloads -------------------------------------------------------------------------------

    async def _download_request(self, request: Request, spider: Any = None) -> Response:
        deadline = self._deadline(request)
        work = asyncio.ensure_future(super()._download_request(request, spider))
        probe = asyncio.ensure_future(self._until_hung(request))
        try:
            done, _ = await asyncio.wait(
                {work, probe}, timeout=deadline, return_when=asyncio.FIRST_COMPLETED
            )
        except asyncio.CancelledError:
            work.cancel()
            raise
        finally:
            probe.cancel()
        if work in done:
            response: Response = work.result()
            return response
        work.cancel()
        work.add_done_callback(_retrieve)  # whatever it raises while it winds down
        if probe in done:
            why = f"did not answer for {self.hang_seconds:g} s (a script in a busy loop?)"
        else:
            why = f"was not read within its {deadline:g} s deadline"
        page = request.meta.get("playwright_page")
        if isinstance(page, Page):
            await self._kill(page)
        elif hasattr(self, "browser"):  # no page yet after all this time: the browser is stuck
            await kill_browser(self.browser, CLOSE_SECONDS, self.pid)
            self._count("browser_pages/browser_killed")
        self._count("browser/page_deadline_exceeded")
        raise PageDeadlineExceeded(f"the page {why}: closed and skipped")

    def _deadline(self, request: Request) -> float:
        navigation = (self.config.navigation_timeout_ms or 30_000) / 1000
        actions = float(request.meta.get("watchlist_actions_seconds") or 0)
        return navigation + actions + max(DEADLINE_SLACK, self.hang_seconds)

    async def _until_hung(self, request: Request) -> None:
        """Return once the request's page stops answering for ``hang_seconds``."""
        while True:
            await asyncio.sleep(PROBE_INTERVAL)
            page = request.meta.get("playwright_page")
            if not isinstance(page, Page) or page.is_closed() or page not in self.watches:
                continue
            watch = self.watches[page]
            try:
                if watch.session is None:
                    watch.session = await within(
                        page.context.new_cdp_session(page), self.hang_seconds
                    )
                session: CDPSession = watch.session
                await within(
                    session.send("Runtime.evaluate", {"expression": "0"}), self.hang_seconds
                )
            except TimeoutError:
                return
            except PlaywrightError:  # closed, crashed or navigating: the download will tell
                watch.session = None
            except Exception:  # never taken for a hung page; the deadline still holds
                self._count("browser/probe_failed")
                await asyncio.Event().wait()

    async def _download_request_with_page(
        self, request: Request, page: Page, spider: Any
    ) -> Response:
        watch = self.watches.setdefault(page, PageWatch())
        watch.begin(request.url)
        try:
            response: Response = await super()._download_request_with_page(request, page, spider)
        except Exception as exc:
            if watch.expecting:
                raise NavigatedAway(f"the page never went to {request.url}") from exc
            if watch.away is None:
                raise
            self._count("browser/navigated_away")
            raise NavigatedAway(f"the page navigated away, to {watch.away}") from exc
        if watch.expecting:  # what it shows is whatever it showed before
            raise NavigatedAway(f"the page never went to {request.url}")
        shown = urlsplit(response.url).scheme in ("http", "https")  # not an error page
        away = watch.away or (None if shown else response.url)
        if away is not None:
            self._count("browser/navigated_away")
        if not shown:
            raise NavigatedAway(f"the page navigated away, to {away}")
        return response

    async def _kill(self, page: Page) -> None:
        how = await kill_page(page, CLOSE_SECONDS, self.pid)
        self._count("browser_pages/closed")
        if how != "closed":
            self._count(f"browser_pages/{how}")

    async def _close(self) -> None:
        try:
            await within(super()._close(), 2 * CLOSE_SECONDS)
        except TimeoutError:
            await kill_browser(getattr(self, "browser", None), CLOSE_SECONDS, self.pid)
            provider = getattr(self, "browser_provider", None)
            if provider is not None:
                with contextlib.suppress(TimeoutError, PlaywrightError):
                    await within(provider.close(), CLOSE_SECONDS)
