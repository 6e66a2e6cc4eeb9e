"""How the crawl of one site went, and whether it was healthy (see :class:`CrawlReport`).

A report is read from the crawl's Scrapy stats (our ``watchlist/…`` counters among them) and
from the errors of our own code that :class:`crawlers.health.OwnErrors` collected.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from scrapy.crawler import Crawler

from crawlers.health import (
    PAGES_ANSWERED,
    REFUSED,
    OwnErrors,
    failure_classes,
    requests_failed,
)
from watchlist.presets import JSON_ENGINES
from watchlist.sites import Expectations, SiteConfig
from watchlist.store import RunRecord


@dataclass(slots=True)
class CrawlReport:
    """How the crawl of one site went."""

    site: str
    pages: int
    unchanged: int
    posts: int
    new_posts: int
    new_entries: int
    new_sightings: int
    images: int
    qr_codes: int
    images_unreadable: int
    failed_requests: int  # sent and failed (see crawlers.health); refused ones are not
    errors: int  # raised by our own code (see crawlers.health), every one fails the crawl
    finish_reason: str
    last_error: str | None
    elapsed: float
    started_at: datetime
    expect: Expectations = field(default_factory=Expectations)
    stats: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # how the site is crawled, said once
    skipped: str | None = None  # why the site could not be crawled at all (mark_skipped)
    error_lines: list[str] = field(default_factory=list)  # one line per distinct error
    refused: int = 0  # requests the crawl chose not to send (robots.txt, off-site, private)

    def count(self, name: str) -> int:
        """The crawl's ``watchlist/<name>`` counter."""
        return int(self.stats.get(f"watchlist/{name}", 0) or 0)

    @property
    def result(self) -> str:
        """``ok``, ``warning`` (see :attr:`warnings`) or ``FAILED`` (see :attr:`problem`).

        ``skipped`` when the site could not be crawled at all (see :attr:`skipped`).
        """
        if self.skipped:
            return "skipped"
        if not self.ok:
            return "FAILED"
        return "warning" if self.warnings else "ok"

    @property
    def warnings(self) -> list[str]:
        """What the crawl could not read well: shown in the summary, kept in ``crawl_runs``.

        A warning does not fail the crawl (its exit code stays 0) but the result reads
        "warning", never "ok": pages left unread, posts that had to be told apart by a
        made-up anchor on most of a page, most posts without a date or an author.
        """
        found: list[str] = []
        unread = self.count("pagination_not_followed")
        if unread:
            why = (
                "the page budget (max_pages) ran out"
                if self.count("max_pages_reached")
                else "set selectors.next_page to the site's pagination links"
            )
            found.append(
                f"{_plural(unread, 'page')} {'links' if unread == 1 else 'link'} to further pages "
                f"that were not read ({why})"
            )
        colliding = self.count("pages_mostly_colliding")
        if colliding:
            found.append(
                f"{_plural(colliding, 'page')} where most posts share a permalink "
                "(set selectors.permalink)"
            )
        for name, what in (
            ("posts_unreadable", "could not be read (logged with their page)"),
            ("posts_set_aside", "were refused by the store (logged with their URL)"),
        ):
            lost = self.count(name)
            if lost:
                found.append(f"{_plural(lost, 'post')} {what if lost != 1 else _one(what)}")
        for name, what in (("posts_without_date", "a date"), ("posts_without_author", "an author")):
            missing = self.count(name)
            if self.posts and missing * 2 > self.posts:
                found.append(f"{missing} of {self.posts} posts without {what}")
        if self.failed_requests and not self._too_many_failed:
            found.append(
                f"{self.failed_requests} of {_plural(self.requests_sent, 'request')} failed "
                f"(within expect.max_failed_share {self.expect.max_failed_share:g})"
            )
        images_failed = self.count("images_failed")
        if images_failed:
            found.append(f"{_plural(images_failed, 'image')} could not be fetched")
        return found

    @property
    def requests_sent(self) -> int:
        """Requests for pages that were sent: answered, answered unchanged (304), or failed."""
        return self.pages + self.count("pages_unchanged") + self.failed_requests

    @property
    def failures(self) -> dict[str, tuple[int, str | None]]:
        """``{class: (count, first URL)}`` of the failed and refused requests (crawlers.health)."""
        return failure_classes(self.stats)

    def failure_lines(self) -> list[str]:
        """One line per class of failed or refused requests, most frequent first."""
        lines = []
        for label, (count, url) in self.failures.items():
            what = label if label.startswith(REFUSED) else f"failed: {label}"
            line = f"{_plural(count, 'request')} {what}"
            lines.append(line + (f" (first: {url})" if url else ""))
        return lines

    @property
    def _too_many_failed(self) -> bool:
        sent = self.requests_sent
        return bool(sent) and self.failed_requests / sent > self.expect.max_failed_share

    @property
    def problem(self) -> str | None:
        """Why this crawl counts as failed, or None when it went well."""
        if self.skipped:
            return self.skipped
        if self.finish_reason not in ("finished", "closespider_pagecount"):
            return f"the crawl ended with {self.finish_reason!r}"
        if self.pages == 0 and self.unchanged == 0:
            return "no page could be fetched"
        if self._too_many_failed:
            return (
                f"{self.failed_requests} of {_plural(self.requests_sent, 'request')} failed "
                f"(expect.max_failed_share is {self.expect.max_failed_share:g})"
            )
        if self.errors:
            return f"{_plural(self.errors, 'error')} in the crawler's own code (a bug: report it)"
        if self.posts < self.expect.min_posts:
            return (
                f"{_plural(self.posts, 'post')} read, the site expects at least "
                f"{self.expect.min_posts}"
            )
        return None

    @property
    def ok(self) -> bool:
        """Whether the crawl met its site's expectations (see :attr:`problem`)."""
        return self.problem is None

    def run_record(self) -> RunRecord:
        """This report as a row of the ``crawl_runs`` log."""
        return RunRecord(
            site=self.site,
            started_at=self.started_at,
            finished_at=self.started_at + timedelta(seconds=self.elapsed),
            ok=self.ok,
            finish_reason=self.finish_reason,
            pages=self.pages,
            unchanged=self.unchanged,
            posts=self.posts,
            new_posts=self.new_posts,
            new_entries=self.new_entries,
            new_sightings=self.new_sightings,
            failed_requests=self.failed_requests,
            problem=self.problem or (self.last_error if self.failed_requests else None),
            stats={
                **self.stats,
                "watchlist/warnings": self.warnings,
                "watchlist/notes": self.notes,
                "watchlist/errors": self.error_lines,
            },
        )


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" + ("" if count == 1 else "s")


def _one(what: str) -> str:
    """``were refused …`` said of one post: ``was refused …``."""
    return what.replace("were ", "was ", 1)


def report_of(
    site: SiteConfig,
    crawler: Crawler | None,
    elapsed: float,
    started_at: datetime,
    errors: OwnErrors | None = None,
) -> CrawlReport:
    """The report of ``site``'s crawl, read from its crawler's stats and its own ``errors``."""
    stats: dict[str, Any] = crawler.stats.get_stats() if crawler and crawler.stats else {}
    exceptions = {
        key.rsplit("/", 1)[-1]: value
        for key, value in stats.items()
        if key.startswith("downloader/exception_type_count/")
    }
    last_error = stats.get("watchlist/last_error")
    if last_error is None and exceptions:
        last_error = ", ".join(f"{name} ×{n}" for name, n in exceptions.items())
    images = int(stats.get("watchlist/images_fetched", 0))
    refused = sum(
        n for label, (n, _) in failure_classes(stats).items() if label.startswith(REFUSED)
    )
    failed = requests_failed(stats)
    answered = stats.get(PAGES_ANSWERED)
    if answered is None:  # a crawler the runner did not watch: every response but known ones
        answered = (
            int(stats.get("response_received_count", 0))
            - images
            - int(stats.get("robotstxt/response_count", 0))
        )
    return CrawlReport(
        site=site.name,
        pages=int(answered) - int(stats.get("watchlist/pages_unchanged", 0)),
        unchanged=int(stats.get("watchlist/pages_unchanged", 0))
        + int(stats.get("watchlist/threads_unchanged", 0)),
        posts=int(stats.get("watchlist/posts_read", 0)),
        new_posts=int(stats.get("watchlist/new_posts", 0)),
        new_entries=int(stats.get("watchlist/new_entries", 0)),
        new_sightings=int(stats.get("watchlist/new_sightings", 0)),
        images=images,
        qr_codes=int(stats.get("watchlist/qr_codes_decoded", 0)),
        images_unreadable=int(stats.get("watchlist/images_unreadable", 0)),
        failed_requests=failed,
        errors=errors.count if errors else 0,
        finish_reason=str(stats.get("finish_reason", "not started")),
        last_error=last_error,
        elapsed=float(stats.get("elapsed_time_seconds", elapsed)),
        started_at=stats.get("start_time") or started_at,
        expect=site.expect,
        stats=stats,
        notes=crawl_notes(site),
        error_lines=errors.summary() if errors else [],
        refused=refused,
    )


def crawl_notes(site: SiteConfig) -> list[str]:
    """What a user should know about how the site is crawled (shown once per crawl)."""
    notes: list[str] = []
    forum = site.type == "forum" and site.engine not in JSON_ENGINES
    if forum and site.resolved_selectors().thread_mark is None:
        notes.append("every thread re-read: no thread_mark")
    return notes


def not_run(site: SiteConfig, reason: str) -> CrawlReport:
    """The report of a site that was not crawled: ``reason`` says why."""
    report = report_of(site, None, 0.0, datetime.now(UTC))
    report.skipped = reason
    return report


_DNS_FAILURES = ("CannotResolveHostError", "DNSLookupError")


def mark_skipped(site: SiteConfig, report: CrawlReport) -> CrawlReport:
    """``report``, marked skipped when its stats show the site could not be crawled at all.

    Only a crawl that fetched nothing is judged: every request refused for a private address,
    a host that does not resolve, or a robots.txt that forbids every page asked for.
    """
    if report.pages or report.unchanged or report.skipped:
        return report
    stats = report.stats
    dns_failures = sum(
        int(count)
        for key, count in stats.items()
        if key.startswith("downloader/exception_type_count/") and key.endswith(_DNS_FAILURES)
    )
    if stats.get("watchlist/private_address_refused"):
        why = stats.get("watchlist/private_address_last") or "a private address"
        report.skipped = f"refused: {why}; set allow_private: true for a site on a private network"
    elif dns_failures:
        hosts = ", ".join(sorted({urlsplit(url).hostname or url for url in site.start_urls}))
        report.skipped = f"{hosts} does not resolve (no DNS answer)"
    elif stats.get("robotstxt/forbidden"):
        report.skipped = (
            f"robots.txt forbids every page asked for ({stats['robotstxt/forbidden']} requests); "
            "obey_robots: false only with the site's permission"
        )
    return report
