"""A dry run of one site config: the real crawl of a few pages into a throw-away database.

``dry_run(site, pages)`` starts ``python -m crawlers.dryrun`` (the Twisted reactor starts once
per process, and the caller may have run one already), which crawls the site with its own
spider, settings and middlewares, ``max_pages`` lowered to ``pages``, into a temporary SQLite
file that is deleted afterwards — nothing reaches the user's database — and answers with a
:class:`DryRun`: the pages fetched and the posts each gave, a sample of posts with the handles
the extractor found in them, and what looks wrong (:func:`problems`).
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from watchlist import errors
from watchlist.errors import CrawlError, WatchlistError
from watchlist.sites import SiteConfig

SAMPLE = 5  # posts shown
TIMEOUT = 900  # seconds the child crawl may take
# Counters of the crawl that say something looks wrong, and what to say.
WARNINGS = {
    "watchlist/board_pages_without_threads": "{n} board pages listed no thread: check thread_links",
    "watchlist/thread_pages_without_posts": "{n} thread pages showed no post: check post",
    "watchlist/permalink_collisions": "{n} posts shared a permalink with another post",
    "watchlist/pagination_not_followed": "{n} pages show pagination the crawl did not follow",
    "watchlist/private_address_refused": "{n} requests to private addresses were refused",
    "watchlist/unreadable_json": "{n} answers were not JSON (a login page?)",
    "watchlist/images_unreadable": "{n} images were unreadable or over the pixel cap",
}


@dataclass(frozen=True, slots=True)
class SamplePost:
    """One post the dry run read."""

    url: str
    author: str | None
    posted_at: str | None  # ISO 8601
    first_line: str
    handles: list[tuple[str, str]]  # (kind, value)


@dataclass(frozen=True, slots=True)
class PageRead:
    """A page the dry run fetched and the posts it gave."""

    url: str
    status: int
    posts: int


@dataclass(slots=True)
class DryRun:
    """What a dry run of a site config found."""

    site: str
    budget: int = 0  # requests the dry run could send
    pages: list[PageRead] = field(default_factory=list)
    posts: int = 0
    without_date: int = 0
    without_author: int = 0
    same_url: int = 0  # posts stored under a URL another post of the run had
    handles: dict[str, int] = field(default_factory=dict)  # kind -> handles found
    sample: list[SamplePost] = field(default_factory=list)
    finish_reason: str = ""
    failed_requests: int = 0
    last_error: str | None = None
    counters: dict[str, int] = field(default_factory=dict)  # the crawl's watchlist/ stats

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> DryRun:
        """The report from its JSON form."""
        run = cls(**{k: v for k, v in data.items() if k not in ("pages", "sample")})
        run.pages = [PageRead(**p) for p in data.get("pages", [])]
        run.sample = [
            SamplePost(**{**s, "handles": [tuple(h) for h in s["handles"]]})
            for s in data.get("sample", [])
        ]
        return run


def problems(run: DryRun) -> list[str]:
    """What looks wrong in a dry run, one line each; empty when it all looks right."""
    found: list[str] = []
    if not run.pages:
        found.append("no page could be fetched" + (f": {run.last_error}" if run.last_error else ""))
    elif run.failed_requests:
        found.append(f"{run.failed_requests} requests failed (last: {run.last_error})")
    if run.finish_reason not in ("finished", "closespider_pagecount", ""):
        found.append(f"the crawl ended with {run.finish_reason!r}")
    if run.pages and not run.posts:
        found.append("no posts found: check the post and post_body selectors")
        if len(run.pages) == 1:
            found.append("only the start page was read: check thread_links")
    if run.without_date:
        found.append(f"{run.without_date} of {run.posts} posts have no date: check posted_at")
    if run.without_author:
        found.append(f"{run.without_author} of {run.posts} posts have no author: check author")
    if run.same_url and not run.counters.get("watchlist/permalink_collisions"):
        found.append(f"{run.same_url} posts had the URL of another post (permalink collision)")
    cut = bool(run.counters.get("watchlist/max_pages_reached"))
    for counter, message in WARNINGS.items():
        if cut and counter == "watchlist/pagination_not_followed":
            continue  # the dry run's own budget left it unread
        if run.counters.get(counter):
            found.append(message.format(n=run.counters[counter]))
    return found


def dry_run(site: SiteConfig, pages: int = 10) -> DryRun:
    """Dry-run ``site`` for at most ``pages`` requests in a child process."""
    request = json.dumps({"site": site.model_dump(mode="json"), "pages": pages})
    try:
        child = subprocess.run(
            [sys.executable, "-m", "crawlers.dryrun"],
            input=request,
            capture_output=True,
            text=True,
            encoding="utf-8",
            timeout=TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise CrawlError(f"the dry run of {site.name!r} took longer than {TIMEOUT} s") from exc
    lines = child.stdout.strip().splitlines()
    if child.returncode != 0 or not lines:
        tail = (child.stderr.strip().splitlines() or ["no output"])[-1]
        raise CrawlError(f"the dry run of {site.name!r} failed: {tail}")
    answer = json.loads(lines[-1])
    if "error" in answer:  # a library error in the child, raised again here
        kind = getattr(errors, str(answer["error"]), WatchlistError)
        raise kind(str(answer["message"]))
    return DryRun.from_json(answer)


def _crawl(site: SiteConfig, pages: int) -> DryRun:
    """The dry run itself, in this process: one real crawl into a temporary database."""
    from scrapy import signals
    from scrapy.crawler import CrawlerProcess

    from crawlers.items import PostItem
    from crawlers.runner import project_settings, spider_for
    from watchlist.store import open_store

    site = site.model_copy(update={"max_pages": pages})
    spidercls = spider_for(site)
    spidercls.preflight(site)
    run = DryRun(site.name, pages)
    per_page: Counter[str] = Counter()
    fetched: list[tuple[str, int]] = []
    urls: Counter[str] = Counter()
    handles: Counter[str] = Counter()

    def on_response(response: Any, request: Any, spider: Any) -> None:
        if getattr(request.callback, "__self__", None) is spider:  # not robots.txt or images
            fetched.append((response.url, response.status))

    def on_item(item: Any, response: Any, spider: Any) -> None:
        if not isinstance(item, PostItem):
            return
        run.posts += 1
        per_page[response.url] += 1
        urls[item.url] += 1
        run.without_date += item.posted_at is None
        run.without_author += not item.author
        handles.update(found.handle.kind for found in item.found)
        if len(run.sample) < SAMPLE:
            text = item.text.strip()
            run.sample.append(
                SamplePost(
                    item.url,
                    item.author,
                    item.posted_at.isoformat() if item.posted_at else None,
                    text.splitlines()[0][:120] if text else "",
                    [(f.handle.kind, f.handle.value) for f in item.found],
                )
            )

    with tempfile.TemporaryDirectory(prefix="watchlist-dry-run-") as folder:
        database = f"sqlite:///{Path(folder) / 'dry-run.db'}"
        open_store(database).close()
        process = CrawlerProcess(project_settings(database, "WARNING"))
        crawler = process.create_crawler(spidercls)
        crawler.signals.connect(on_response, signal=signals.response_received)
        crawler.signals.connect(on_item, signal=signals.item_scraped)
        process.crawl(crawler, config=site)
        process.start()
        stats: dict[str, Any] = crawler.stats.get_stats() if crawler.stats else {}
    run.pages = [PageRead(url, status, per_page[url]) for url, status in fetched]
    run.same_url = sum(n - 1 for n in urls.values() if n > 1)
    run.handles = dict(handles.most_common())
    run.finish_reason = str(stats.get("finish_reason", ""))
    run.failed_requests = int(stats.get("watchlist/failed_requests", 0))
    run.last_error = stats.get("watchlist/last_error")
    run.counters = {
        k: int(v)
        for k, v in stats.items()
        if k.startswith("watchlist/") and isinstance(v, int | float) and not isinstance(v, bool)
    }
    return run


def main() -> None:
    """``python -m crawlers.dryrun``: a JSON request on stdin, the report as JSON on stdout."""
    request = json.loads(sys.stdin.read())
    site = SiteConfig.model_validate(request["site"])
    try:
        answer: dict[str, Any] = asdict(_crawl(site, int(request.get("pages", 10))))
    except WatchlistError as exc:
        answer = {"error": type(exc).__name__, "message": str(exc)}
    sys.stdout.write(json.dumps(answer, ensure_ascii=False, default=str) + "\n")


if __name__ == "__main__":
    main()
