"""Browser speed: rendered ad pages/s, our Playwright settings against a plain scrapy-playwright.

Run from the project root with the project's venv (needs a Chromium: CHROMIUM_PATH or a
system one)::

    .venv/bin/python bench/browser_speed.py                  # 60 heavy ad pages, 4 at a time
    .venv/bin/python bench/browser_speed.py --ads 24 --asset-delay 0.1      # a quick look

What it measures: the demo ad site (``watchlist.demo.ads.AdSite``) is served on loopback by the
demo server in this process, with heavy pages (``heavy=True``): each ad page carries three
photo-sized banner JPEGs, a 120 KB stylesheet, a 300 KB web font and a 2 MB video, each answered
after ``--asset-delay`` seconds, as real ad sites are heavy. Each crawler runs in its own process,
one after the other, and renders the same ad pages with the same page actions — wait for the ad,
click "show contact", wait for the contact the XHR brings — at the same concurrency, with the
same Chromium launch options, no pipelines, no AutoThrottle:

- ours: ``AdsSpider``'s browser settings (``crawlers.playwright_pages``): images, fonts, media and
  stylesheets blocked, one browser context for the site, pages pooled and reused;
- plain: scrapy-playwright as its README sets it up: no request blocking, a new page for every
  request (closed after it), the default context.

pages/s = ad pages rendered / the crawl's own ``elapsed_time_seconds`` (browser start
included). Both must render every ad with its contact revealed, or the run fails. Target:
ours / plain >= 2.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
TARGET_RATIO = 2.0
# What each profile keeps of ours: request blocking, and context + page reuse.
PROFILES: dict[str, dict[str, bool]] = {
    "ours": {"block": True, "reuse": True},
    "plain": {"block": False, "reuse": False},
    "block-only": {"block": True, "reuse": False},
    "reuse-only": {"block": False, "reuse": True},
}


@dataclass(frozen=True, slots=True)
class Run:
    """One crawl's figures."""

    profile: str
    pages: int
    revealed: int
    seconds: float
    pages_created: int
    browser_requests: int
    blocked: int

    @property
    def pages_per_second(self) -> float:
        return self.pages / self.seconds if self.seconds else 0.0


def child_main(
    profile: str, base_url: str, ad_paths: list[str], concurrency: int, out: Path
) -> None:
    """Crawl ``ad_paths`` in Chromium with ``profile``'s settings; write the figures to ``out``."""
    from scrapy.crawler import CrawlerProcess
    from scrapy.settings import Settings

    from crawlers.spiders.ads import AdsSpider
    from watchlist.demo.ads import site_config

    config = site_config(base_url, name="bench-ads").model_copy(
        update={"concurrency": concurrency, "autothrottle": False, "retries": 0}
    )

    class BenchSpider(AdsSpider):
        name = "ads-bench"

        @classmethod
        def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> BenchSpider:
            spider = super().from_crawler(crawler, *args, **kwargs)
            undo: dict[str, Any] = {}
            if not PROFILES[profile]["block"]:
                undo["PLAYWRIGHT_ABORT_REQUEST"] = None
            if not PROFILES[profile]["reuse"]:  # a new page per request, default contexts
                undo["WATCHLIST_PAGE_POOL"] = False
                undo["PLAYWRIGHT_MAX_CONTEXTS"] = 0  # 0: scrapy-playwright's defaults
                undo["PLAYWRIGHT_MAX_PAGES_PER_CONTEXT"] = 0
            crawler.settings.setdict(undo, priority="cmdline")
            return spider

        async def start(self) -> Any:
            for path in ad_paths:
                request = self.request(base_url + path, self.parse_ad, meta=self.ad_meta())
                if request is not None:
                    yield request

        def ad_meta(self) -> dict[str, Any]:
            meta = super().ad_meta()
            if not PROFILES[profile]["reuse"]:
                return {
                    "playwright": True,
                    "playwright_page_methods": meta["playwright_page_methods"],
                }
            return meta

    settings = Settings()
    settings.setmodule("crawlers.settings", priority="project")
    settings.setdict(
        {
            "ITEM_PIPELINES": {},
            "LOG_LEVEL": "WARNING",
            "ROBOTSTXT_OBEY": False,
            "WATCHLIST_DB": f"sqlite:///{out.with_suffix('.db')}",
        },
        priority="cmdline",
    )
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(BenchSpider)
    process.crawl(crawler, config=config)
    process.start()
    stats = crawler.stats.get_stats() if crawler.stats else {}
    figures = {
        "profile": profile,
        "pages": int(stats.get("response_received_count", 0)),
        "revealed": int(stats.get("watchlist/browser/contacts_revealed", 0)),
        "seconds": float(stats.get("elapsed_time_seconds", 0.0)),
        "pages_created": int(stats.get("playwright/page_count", 0)),
        "browser_requests": int(stats.get("playwright/request_count", 0)),
        "blocked": int(stats.get("playwright/request_count/aborted", 0)),
    }
    out.write_text(json.dumps(figures))


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _children_cpu() -> float:
    """CPU seconds used so far by finished child processes (the browser's included)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_child(profile: str, base_url: str, ad_paths: list[str], concurrency: int) -> Run:
    with tempfile.TemporaryDirectory(prefix="browser-speed-") as folder:
        out = Path(folder) / "figures.json"
        paths = Path(folder) / "paths.json"
        paths.write_text(json.dumps(ad_paths))
        command = [
            sys.executable,
            str(Path(__file__).resolve()),
            "--child",
            profile,
            "--base-url",
            base_url,
            "--paths-file",
            str(paths),
            "--concurrency",
            str(concurrency),
            "--out",
            str(out),
        ]
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        proc = subprocess.run(
            command, cwd=ROOT, env=env, capture_output=True, text=True, check=False
        )
        if proc.returncode != 0 or not out.exists():
            raise SystemExit(
                f"{profile} crawl failed (exit {proc.returncode}):\n{proc.stderr[-3000:]}"
            )
        return Run(**json.loads(out.read_text()))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ads", type=int, default=60, help="ad pages rendered per crawl")
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--asset-delay", type=float, default=0.3, help="seconds per heavy asset")
    parser.add_argument(
        "--breakdown", action="store_true", help="also run blocking alone and reuse alone"
    )
    parser.add_argument("--only", choices=tuple(PROFILES), help="run this profile alone")
    parser.add_argument("--child", choices=tuple(PROFILES), help=argparse.SUPPRESS)
    parser.add_argument("--base-url", help=argparse.SUPPRESS)
    parser.add_argument("--paths-file", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        paths = json.loads(args.paths_file.read_text())
        child_main(args.child, args.base_url, paths, args.concurrency, args.out)
        return

    from crawlers.playwright_pages import configured_chromium
    from watchlist.chromium import find_chromium
    from watchlist.demo.ads import AdSite
    from watchlist.demo.server import serve

    lookup = find_chromium(configured_chromium())
    if lookup.path is None:
        raise SystemExit(f"cannot run: {lookup.reason}")
    site = AdSite(count=args.ads, heavy=True, asset_delay=args.asset_delay)
    ad_paths = [site.ad_path(ad) for ad in site.ads]
    print(f"browser_speed — {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    print(
        f"machine: {os.cpu_count()} cores, {_cpu_model()}, "
        f"Python {platform.python_version()}; Chromium: {lookup.path}"
    )
    print(
        f"site: {len(ad_paths)} heavy ad pages (3 banners, CSS, font, video; "
        f"{args.asset_delay:.2f} s per asset); concurrency {args.concurrency}"
    )
    runs: dict[str, Run] = {}
    with serve(site) as server:
        # A page closed mid-download (the plain profile's videos) resets its connection:
        # expected here, so not worth a traceback from the server on every one.
        server.httpd.handle_error = lambda request, client_address: None  # type: ignore[method-assign]
        profiles = list(PROFILES) if args.breakdown else ["ours", "plain"]
        if args.only:
            profiles = [args.only]
        for profile in profiles:
            before = sum(server.hits.values())
            cpu_before = _children_cpu()
            run = run_child(profile, server.base_url, ad_paths, args.concurrency)
            runs[profile] = run
            served = sum(server.hits.values()) - before
            cpu = _children_cpu() - cpu_before
            print(
                f"{profile:>10}: {run.pages_per_second:6.2f} ad pages/s ({run.pages} pages in "
                f"{run.seconds:.1f} s; {run.revealed} contacts revealed; {run.pages_created} "
                f"pages opened; {run.browser_requests} browser requests, {run.blocked} blocked; "
                f"{served} requests served; {cpu / max(run.pages, 1):.2f} CPU s per page)"
            )
    for run in runs.values():
        if run.pages != len(ad_paths) or run.revealed != len(ad_paths):
            raise SystemExit(f"{run.profile}: not every ad was rendered with its contact")
    if "plain" not in runs or "ours" not in runs:
        return
    ratio = runs["ours"].pages_per_second / runs["plain"].pages_per_second
    verdict = "met" if ratio >= TARGET_RATIO else "NOT met"
    print(f"ratio ours/plain: {ratio:.2f}x (target >= {TARGET_RATIO:.0f}x: {verdict})")


if __name__ == "__main__":
    main()
