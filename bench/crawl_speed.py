"""Crawl speed: our full pipeline against a bare Scrapy spider on the same local forum.

Run from the project root with the project's venv::

    .venv/bin/python bench/crawl_speed.py                 # 5,000 pages, then 20,000 for RSS
    .venv/bin/python bench/crawl_speed.py --pages 1000 --rss-pages 0     # a quick look

What it measures: a generated Discuz! demo forum (``World.for_pages``), rendered ahead of time,
is served on loopback by the demo server in this process. Each crawler runs in its own process,
one after the other, with the same Scrapy settings (concurrency, no delay, no AutoThrottle,
robots.txt obeyed):

- ours: ``watchlist crawl`` — ForumSpider with the Discuz! preset, the image pipeline (QR
  codes), extraction and the SQLite store, into a fresh database;
- bare: a Scrapy spider that only follows the same thread and next-page links and yields
  nothing (no parsing of posts, no items, no store).

pages/s = pages fetched (responses for board and thread pages; images excluded) / the crawl's
own ``elapsed_time_seconds``. Peak RSS is the crawl process's ``ru_maxrss``. Targets: ours /
bare >= 0.8, and peak RSS < 500 MB over a 20,000-page crawl.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
TARGET_RATIO = 0.8
TARGET_RSS_MB = 500.0
CONCURRENCY = 8


class Prerendered:
    """A demo forum rendered ahead of time, so the server answers as fast as it can.

    Rendering a page of the generated world costs milliseconds of the server's CPU; measured
    live, the server (not the crawler) set the pace of both crawls. Pre-rendered, the server
    only writes bytes and the figures compare the crawlers.
    """

    def __init__(self, world: Any) -> None:
        from watchlist.demo.discuz import DiscuzSite

        site = DiscuzSite(world)
        targets = ["/robots.txt", *world.pages(), *world.attachments()]
        self.pages = {target: site.render(target) for target in targets}
        self.site = site

    def render(self, target: str) -> Any:
        page = self.pages.get(target)
        return page if page is not None else self.site.render(target)


@dataclass(frozen=True, slots=True)
class Run:
    """One crawl's figures."""

    pages: int
    seconds: float
    peak_rss_mb: float
    posts: int
    cpu_seconds: float = 0.0

    @property
    def pages_per_second(self) -> float:
        return self.pages / self.seconds if self.seconds else 0.0


def bare_spider_main(start_urls: list[str], stats_file: Path) -> None:
    """The baseline: follow board → thread → next-page links, fetch, parse nothing else."""
    import scrapy
    from scrapy.crawler import CrawlerProcess

    class Bare(scrapy.Spider):
        name = "bare"

        async def start(self) -> Any:
            for url in start_urls:
                yield scrapy.Request(url, callback=self.parse_board)

        def parse_board(self, response: Any) -> Any:
            for href in response.css("tbody[id^=normalthread_] a.xst::attr(href)").getall():
                yield response.follow(href, callback=self.parse_thread)
            for href in response.css("div.pg a.nxt::attr(href)").getall()[:1]:
                yield response.follow(href, callback=self.parse_board)

        def parse_thread(self, response: Any) -> Any:
            for href in response.css("div.pg a.nxt::attr(href)").getall()[:1]:
                yield response.follow(href, callback=self.parse_thread)

    process = CrawlerProcess(
        {
            "LOG_LEVEL": "WARNING",
            "ROBOTSTXT_OBEY": True,
            "CONCURRENT_REQUESTS": CONCURRENCY,
            "CONCURRENT_REQUESTS_PER_DOMAIN": CONCURRENCY,
            "DOWNLOAD_DELAY": 0,
            "AUTOTHROTTLE_ENABLED": False,
            "TELNETCONSOLE_ENABLED": False,
            "TWISTED_REACTOR": "twisted.internet.asyncioreactor.AsyncioSelectorReactor",
        }
    )
    crawler = process.create_crawler(Bare)
    process.crawl(crawler)
    process.start()
    stats = crawler.stats.get_stats() if crawler.stats else {}
    stats_file.write_text(json.dumps(stats, default=str), "utf-8")


def run_process(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Run a crawl process to its end; its peak RSS in MB and its CPU seconds."""
    process = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _pid, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    stderr = process.stderr.read().decode() if process.stderr else ""
    if process.returncode != 0:
        raise RuntimeError(f"{argv[:4]} exited {process.returncode}: {stderr[-2000:]}")
    return usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime  # ru_maxrss: KiB on Linux


def time_ours(base_url: str, world: Any, workdir: Path) -> Run:
    """Our full pipeline: ``watchlist crawl`` into a fresh SQLite file."""
    import yaml

    from watchlist.demo.site import demo_site
    from watchlist.store import open_store, recent_runs

    config = demo_site(world, base_url, name="bench").model_dump()
    config.update(concurrency=CONCURRENCY, autothrottle=False, max_pages=10**7, max_depth=0)
    (workdir / "seeds" / "sites").mkdir(parents=True, exist_ok=True)
    (workdir / "seeds" / "sites" / "bench.yaml").write_text(yaml.safe_dump(config), "utf-8")
    db = f"sqlite:///{workdir / 'bench.db'}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("WATCHLIST_")}
    env["WATCHLIST_DB"] = db
    argv = [sys.executable, "-m", "watchlist", "crawl", "bench", "--seeds", str(workdir / "seeds")]
    rss, cpu = run_process(argv, env)
    store = open_store(db)
    try:
        run = recent_runs(store, "bench", limit=1)[0]
    finally:
        store.close()
    stats = json.loads(run.stats)
    return Run(run.pages, float(stats["elapsed_time_seconds"]), rss, run.posts, cpu)


def time_bare(base_url: str, world: Any, workdir: Path) -> Run:
    """The bare Scrapy spider over the same start URLs."""
    stats_file = workdir / "bare-stats.json"
    starts = [base_url + path for path in world.board_paths()]
    argv = [sys.executable, __file__, "--run-bare", str(stats_file), *starts]
    rss, cpu = run_process(argv, dict(os.environ))
    stats = json.loads(stats_file.read_text("utf-8"))
    pages = int(stats.get("response_received_count", 0)) - int(
        stats.get("robotstxt/response_count", 0)
    )
    return Run(pages, float(stats["elapsed_time_seconds"]), rss, 0, cpu)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--pages", type=int, default=5000, help="forum size for the ratio")
    parser.add_argument("--rss-pages", type=int, default=20000, help="forum size for peak RSS")
    parser.add_argument("--run-bare", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.run_bare:
        bare_spider_main(args.run_bare[1:], Path(args.run_bare[0]))
        return 0

    sys.path.insert(0, str(ROOT))
    from watchlist.demo import World, serve

    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    print(f"date:    {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    print(f"machine: {os.cpu_count()} cores, {cpu} ({platform.machine()}, {platform.system()})")
    print(f"python:  {platform.python_version()}; concurrency {CONCURRENCY}, no delay\n")

    ok = True
    world = World.for_pages(args.pages)
    with (
        serve(Prerendered(world)) as running,
        tempfile.TemporaryDirectory(prefix="crawl-bench-") as tmp,
    ):
        print(f"forum:   {world.page_count():,} pages at {running.base_url}", flush=True)
        bare = time_bare(running.base_url, world, Path(tmp))
        ours = time_ours(running.base_url, world, Path(tmp))
    ratio = ours.pages_per_second / bare.pages_per_second if bare.pages_per_second else 0.0
    print(f"\n{'crawler':<40}{'pages':>8}{'seconds':>9}{'pages/s':>9}{'peak RSS':>10}{'CPU s':>8}")
    for name, run in (
        ("bare Scrapy spider (fetch only)", bare),
        ("ours (spider+extract+SQLite)", ours),
    ):
        print(
            f"{name:<40}{run.pages:>8}{run.seconds:>9.1f}{run.pages_per_second:>9.1f}"
            f"{run.peak_rss_mb:>8.0f}MB{run.cpu_seconds:>8.1f}"
        )
    print(f"ours stored {ours.posts:,} posts; ratio ours/bare: {ratio:.2f}")
    ok &= ratio >= TARGET_RATIO
    verdict = "PASS" if ratio >= TARGET_RATIO else "MISS"
    print(f"\ntargets:\n  ours/bare >= {TARGET_RATIO}: {ratio:.2f} {verdict}")

    if args.rss_pages:
        big = World.for_pages(args.rss_pages)
        with (
            serve(Prerendered(big)) as running,
            tempfile.TemporaryDirectory(prefix="crawl-bench-") as tmp,
        ):
            print(f"\nRSS run: {big.page_count():,} pages ...", flush=True)
            run = time_ours(running.base_url, big, Path(tmp))
        passed = run.peak_rss_mb < TARGET_RSS_MB
        ok &= passed
        print(
            f"  ours over {run.pages:,} pages ({run.pages_per_second:.1f} pages/s): peak RSS "
            f"{run.peak_rss_mb:.0f} MB < {TARGET_RSS_MB:.0f} MB: {'PASS' if passed else 'MISS'}"
        )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
