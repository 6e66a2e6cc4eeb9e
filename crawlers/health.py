"""What makes a crawl healthy: failed requests sorted into classes, and our own code's errors.

A real forum answers a 503 now and then, an image host is slow, a hostile URL never finishes:
those are *failed requests*. Each is counted once, by the spider's errback, under a class
(``HTTP 503``, ``connection refused``, ``timed out``…): ``watchlist/failed/<class>`` with the
first URL in ``watchlist/failed_url/<class>``. Requests the crawl chose not to send (robots.txt,
off-site, a private address) are classes starting with ``refused:``. Failed requests count
against the site's ``expect.max_failed_share``; they never fail a crawl by themselves.

An *error* is an exception in our own code: a spider callback, an item pipeline, a signal
handler, a close hook. :class:`OwnErrors` collects them per site — from Scrapy's
``spider_error`` and ``item_error`` signals and from any other record logged at ERROR that is
not a request failure — as one line each, and any one fails the crawl. Scrapy's own "Gave up
retrying" and robots.txt download errors are request failures, not errors.

:class:`QuietLog` keeps a crawl's terminal short without ``-v``: request failures and errors
are left out of the live log (the summary prints one line per failed-request class and one per
error), and no traceback is printed.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.logformatter import ITEMERRORMSG, SPIDERERRORMSG
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.statscollectors import StatsCollector
from twisted.python.failure import Failure

FAILED = "watchlist/failed/"
FAILED_URL = "watchlist/failed_url/"
REFUSED = "refused: "
MAX_ERROR_LINES = 10  # distinct error lines kept per site; the rest are only counted
MAX_CLASSES = 20  # classes of failed requests kept per site; the rest are "other"

_FRIENDLY = {
    "ConnectionRefusedError": "connection refused",
    "DownloadConnectionRefusedError": "connection refused",
    "TimeoutError": "timed out",
    "TCPTimedOutError": "timed out",
    "DownloadTimeoutError": "timed out",
    "UserTimeoutError": "timed out",
    "DNSLookupError": "host does not resolve",
    "CannotResolveHostError": "host does not resolve",
    "ConnectionLost": "connection lost",
    "ConnectionDone": "connection lost",
    "ConnectionAborted": "connection lost",
    "ResponseNeverReceived": "connection lost",
    "ResponseFailed": "connection lost",
    "ResponseDataLossError": "connection lost",
    "DownloadFailedError": "connection lost",
    "RequestDeadlineExceeded": "over the request deadline",
}
_CHROMIUM_NET_ERROR = re.compile(r"net::(ERR_[A-Z_]+)")
_CHROMIUM_FRIENDLY = {
    "ERR_CONNECTION_REFUSED": "connection refused",
    "ERR_NAME_NOT_RESOLVED": "host does not resolve",
    "ERR_NAME_RESOLUTION_FAILED": "host does not resolve",
    "ERR_TIMED_OUT": "timed out",
    "ERR_CONNECTION_TIMED_OUT": "timed out",
    "ERR_CONNECTION_RESET": "connection lost",
    "ERR_CONNECTION_CLOSED": "connection lost",
    "ERR_CONNECTION_ABORTED": "connection lost",
    "ERR_EMPTY_RESPONSE": "connection lost",
}
TOO_LARGE = "too large: exceeded DOWNLOAD_MAXSIZE (the site's max_page_bytes)"
_URL = re.compile(r"""\S+://\S+|<[A-Z]+ [^>]*>""")


def failure_class(failure: Failure) -> str:
    """The class of a failed request, short and without URLs: ``HTTP 503``, ``timed out``…"""
    exc = failure.value
    if isinstance(exc, HttpError):
        return f"HTTP {exc.response.status}"
    # Scrapy cancels a download only over the size cap; a decompressed body over it is ignored.
    if type(exc).__name__ == "DownloadCancelledError" or "DOWNLOAD_MAXSIZE" in str(exc):
        return TOO_LARGE
    if isinstance(exc, IgnoreRequest):
        message = str(exc)
        if type(exc).__name__ == "PrivateAddressRefused":
            return REFUSED + "private address"
        if message.startswith("Forbidden by robots.txt"):
            return REFUSED + "robots.txt"
        if message.startswith("Filtered offsite request"):
            return REFUSED + "off-site"
    name = type(exc).__name__
    if name in _FRIENDLY:
        return _FRIENDLY[name]
    browser = _CHROMIUM_NET_ERROR.search(str(exc))  # Playwright: "Page.goto: net::ERR_… at URL"
    if browser is not None:
        return _CHROMIUM_FRIENDLY.get(browser.group(1), f"browser: net::{browser.group(1)}")
    first = (str(exc).strip().splitlines() or [""])[0]
    first = " ".join(_URL.sub("…", first).split())[:80]
    return f"{name}: {first}" if first else name


def count_failed_request(stats: StatsCollector, failure: Failure) -> str:
    """Count one failed request under its class (see the module docstring); the class.

    A crawl keeps at most :data:`MAX_CLASSES` classes (an error message may be the site's):
    further ones are counted as ``other``.
    """
    label = failure_class(failure)
    if stats.get_value(FAILED + label) is None:
        classes = sum(1 for key in stats.get_stats() if key.startswith(FAILED))
        label = label if classes < MAX_CLASSES else "other"
    stats.inc_value(FAILED + label)
    request = getattr(failure, "request", None)
    if request is not None and stats.get_value(FAILED_URL + label) is None:
        stats.set_value(FAILED_URL + label, request.url)
    return label


def requests_failed(stats: dict[str, Any]) -> int:
    """Requests that failed after their retries, not counting the ones we chose not to send."""
    refused = sum(
        n for label, (n, _) in failure_classes(stats).items() if label.startswith(REFUSED)
    )
    return max(0, int(stats.get("watchlist/failed_requests", 0) or 0) - refused)


def failure_classes(stats: dict[str, Any]) -> dict[str, tuple[int, str | None]]:
    """``{class: (count, first URL)}`` of a crawl's failed requests, most frequent first."""
    found = {
        key.removeprefix(FAILED): (int(value), stats.get(FAILED_URL + key.removeprefix(FAILED)))
        for key, value in stats.items()
        if key.startswith(FAILED)
    }
    return dict(sorted(found.items(), key=lambda item: (-item[1][0], item[0])))


def _one_line(text: str, limit: int = 200) -> str:
    return " ".join(text.split())[:limit]


def _exception_line(exc: BaseException | None) -> str:
    """``Type: first line of the message``; a database error as its driver's (no SQL)."""
    if exc is None:
        return ""
    cause = getattr(exc, "orig", None) or exc
    message = _one_line((str(cause).strip().splitlines() or [""])[0], 160)
    return f"{type(cause).__name__}: {message}" if message else type(cause).__name__


PAGES_ANSWERED = "watchlist/pages_answered"


def count_pages(crawler: Crawler) -> None:
    """Count in ``watchlist/pages_answered`` the answers (2xx, 304) bound for a spider callback.

    Images, robots.txt and answers that end as failed requests (a final 503) are not pages.
    """
    from scrapy import signals
    from scrapy.http.request import NO_CALLBACK

    def answered(response: Any, request: Any, **_: Any) -> None:
        status = response.status
        if request.callback not in (None, NO_CALLBACK) and (200 <= status < 300 or status == 304):
            assert crawler.stats is not None
            crawler.stats.inc_value(PAGES_ANSWERED)

    def opened(**_: Any) -> None:
        assert crawler.stats is not None
        crawler.stats.set_value(PAGES_ANSWERED, 0)  # present, even when no page is answered

    crawler.signals.connect(opened, signal=signals.spider_opened, weak=False)
    crawler.signals.connect(answered, signal=signals.response_received, weak=False)


class OwnErrors:
    """The errors of our own code in one site's crawl, as distinct one-line descriptions."""

    def __init__(self) -> None:
        self.lines: Counter[str] = Counter()

    @property
    def count(self) -> int:
        """How many errors, repeats included."""
        return sum(self.lines.values())

    def add(self, line: str) -> None:
        """Count one error; only the first :data:`MAX_ERROR_LINES` distinct lines are kept."""
        if line in self.lines or len(self.lines) < MAX_ERROR_LINES:
            self.lines[line] += 1
        else:
            self.lines["(other errors)"] += 1

    def summary(self) -> list[str]:
        """One line per distinct error, ``×N`` when it repeated."""
        return [line + (f" ×{n}" if n > 1 else "") for line, n in self.lines.items()]

    def watch(self, crawler: Crawler) -> None:
        """Collect the errors of ``crawler``'s spider callbacks and item pipelines."""
        from scrapy import signals

        crawler.signals.connect(self._spider_error, signal=signals.spider_error)
        crawler.signals.connect(self._item_error, signal=signals.item_error)

    def _spider_error(self, failure: Failure, response: Any = None, **_: Any) -> None:
        where = getattr(response, "url", None)
        self.add(f"spider: {_exception_line(failure.value)}" + (f" (at {where})" if where else ""))

    def _item_error(self, failure: Failure, item: Any = None, **_: Any) -> None:
        where = getattr(item, "url", None)
        self.add(
            f"pipeline: {_exception_line(failure.value)}" + (f" (post {where})" if where else "")
        )


def is_request_failure(record: logging.LogRecord) -> bool:
    """Whether a log record reports a failed request (counted elsewhere), not an error."""
    if str(record.msg).startswith(("Error downloading", "Gave up retrying", "request failed:")):
        return True
    per_request = ("scrapy.downloadermiddlewares.", "scrapy.core.downloader.")
    return record.levelno < logging.ERROR and record.name.startswith(per_request)


def is_reported_by_signal(record: logging.LogRecord) -> bool:
    """Whether a record is Scrapy's log line of an error its signals also report."""
    message = str(record.msg)
    return message in (SPIDERERRORMSG, ITEMERRORMSG) or message.startswith(
        "Error while reading start items"
    )


class ErrorLog(logging.Handler):
    """Files every ERROR record that is neither a request failure nor signalled, by site.

    ``sites`` maps a spider's site name to its :class:`OwnErrors`; a record that names no
    spider is filed under every site of the crawl (it may be any one's).
    """

    def __init__(self, sites: dict[str, OwnErrors]) -> None:
        super().__init__(level=logging.ERROR)
        self.sites = sites

    def emit(self, record: logging.LogRecord) -> None:
        if is_request_failure(record) or is_reported_by_signal(record):
            return
        exc = record.exc_info[1] if record.exc_info else None
        receiver = record.args.get("receiver") if isinstance(record.args, dict) else None
        if receiver is not None:  # "Error caught on signal handler: <bound method …>"
            owner = getattr(receiver, "__self__", None)  # a bound method: name its class
            name = getattr(receiver, "__qualname__", None) or type(receiver).__name__
            name = f"{type(owner).__name__}.{name}" if owner is not None else name
            line = f"signal handler {name}"
        else:
            line = _one_line(record.getMessage().split("\n", 1)[0], 120)
        if exc is not None:
            line += f": {_exception_line(exc)}"
        config = getattr(getattr(record, "spider", None), "config", None)
        name = getattr(config, "name", None)
        for site, errors in self.sites.items():
            if name is None or name == site:
                errors.add(line)


class QuietLog(logging.Filter):
    """The live log without ``-v``: no request failures, no errors, no tracebacks.

    Both are in the summary (one line per failed-request class, one per error); warnings of
    what the crawl could not read still show, on one line each.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if is_request_failure(record) or record.levelno >= logging.ERROR:
            return False
        if record.exc_info or record.exc_text:
            record.exc_info, record.exc_text = None, None
        return True
