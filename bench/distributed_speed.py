"""Distributed crawl speed (1, 2 and 4 workers) and the memory of one long single-process crawl.

Run from the project root with the project's venv, with Redis and PostgreSQL on loopback::

    .venv/bin/python bench/distributed_speed.py                  # both parts
    .venv/bin/python bench/distributed_speed.py --part workers   # 1/2/4 workers only
    .venv/bin/python bench/distributed_speed.py --part memory --big-pages 20000  # a quick look

Part 1, workers: a generated Discuz! demo forum (``World.for_pages``) served on loopback by the
demo server in this process, answering each request after ``--delay`` seconds (default 50 ms).
It is crawled three times into a fresh PostgreSQL schema each time, by 1, 2 and 4
``watchlist worker`` processes started together (``WATCHLIST_REDIS_URL``, a fresh key prefix
each time), each at ``--concurrency`` requests at once (default 1, so that the 50 ms answer and
not the 2 cores set the pace). pages/s = forum pages answered by the server / the seconds from
the first forum page asked for to the last (the wall time with start-up and exit is printed
too). Scaling efficiency at N workers =
pages/s(N) / (N × pages/s(1)); target >= 0.85 at 4 workers.

Part 2, memory: one single-process ``watchlist crawl`` of a ``--big-pages`` (default 200,000)
page forum into SQLite, no delay. The crawl process's own VmRSS and VmHWM are read from
``/proc/<pid>/status`` (not ``ru_maxrss``, which a child inherits from its parent) when the
server has answered 20k, 100k and 200k pages (10%, 50% and 100% of the forum). Target: RSS at
the end <= 1.2 × RSS at 20k — the crawl's memory does not grow with the crawl.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
TARGET_EFFICIENCY = 0.85
TARGET_RSS_GROWTH = 1.2
PG_BASE = "postgresql+psycopg://127.0.0.1:5432/test"


def write_config(world: Any, base_url: str, workdir: Path, **overrides: Any) -> Path:
    """A seeds folder whose ``bench`` site is the demo forum at ``base_url``."""
    import yaml

    from watchlist.demo.site import demo_site

    config = demo_site(world, base_url, name="bench").model_dump()
    config.update(autothrottle=False, max_pages=10**7, max_depth=0, delay=0.0, **overrides)
    seeds = workdir / "seeds"
    (seeds / "sites").mkdir(parents=True, exist_ok=True)
    (seeds / "sites" / "bench.yaml").write_text(yaml.safe_dump(config), "utf-8")
    return seeds


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WATCHLIST_")}
    env.update(extra)
    return env


def pg_schema() -> tuple[str, Any]:
    """A fresh PostgreSQL schema: its URL and a callable that drops it."""
    import psycopg

    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = psycopg.connect("host=127.0.0.1 port=5432 dbname=test", autocommit=True)
    admin.execute(f'CREATE SCHEMA "{schema}"')

    def drop() -> None:
        admin.execute(f'DROP SCHEMA "{schema}" CASCADE')
        admin.close()

    return f"{PG_BASE}?options=-csearch_path%3D{schema}", drop


class Timed:
    """The demo forum, noting when the first and the last forum page were asked for."""

    def __init__(self, world: Any) -> None:
        from watchlist.demo.discuz import DiscuzSite

        self.site = DiscuzSite(world)
        self.pages = set(world.pages())
        self.first = self.last = 0.0

    def render(self, target: str) -> Any:
        if target in self.pages:
            now = time.monotonic()
            self.first = self.first or now
            self.last = now
        return self.site.render(target)


def run_workers(count: int, seeds: Path, running: Any, world: Any, timed: Timed) -> float:
    """Crawl the forum with ``count`` workers; pages/s from the first page to the last."""
    import redis

    db, drop = pg_schema()
    prefix = f"bench-{uuid.uuid4().hex[:8]}"
    env = clean_env(
        WATCHLIST_DB=db,
        WATCHLIST_REDIS_URL="redis://127.0.0.1:6379/0",
        WATCHLIST_REDIS_PREFIX=prefix,
    )
    subprocess.run(
        [sys.executable, "-m", "watchlist", "entries"], env=env, capture_output=True, check=False
    )  # creates the schema once, before the workers race to
    running.httpd.hits.clear()
    timed.first = timed.last = 0.0
    argv = [sys.executable, "-m", "watchlist", "worker", "--seeds", str(seeds), "--site", "bench"]
    started = time.monotonic()
    procs = [
        subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        for _ in range(count)
    ]
    codes = [p.wait() for p in procs]
    seconds = time.monotonic() - started
    for proc, code in zip(procs, codes, strict=True):
        if code != 0:
            err = proc.stderr.read().decode() if proc.stderr else ""
            raise RuntimeError(f"a worker exited {code}: {err[-1500:]}")
    pages = sum(n for target, n in running.hits.items() if target in set(world.pages()))
    server = redis.Redis.from_url("redis://127.0.0.1:6379/0")
    for key in server.scan_iter(f"{prefix}:*"):
        server.delete(key)
    drop()
    window = timed.last - timed.first
    rate = pages / window if window > 0 else 0.0
    print(
        f"  {count} worker(s): {pages:,} pages in {window:.1f} s from the first page to the "
        f"last ({seconds:.1f} s with start-up and exit): {rate:.1f} pages/s"
    )
    return rate


def status_kb(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM of process ``pid``, in KiB."""
    found: dict[str, int] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            found[name] = int(value.split()[0])
    return found


def memory_run(pages: int) -> bool:
    """One single-process crawl of a ``pages``-page forum; RSS read at 10%, 50% and 100%."""
    from watchlist.demo import World, serve

    world = World.for_pages(pages)
    total = world.page_count()
    marks = [total // 10, total // 2, total]
    with serve(world) as running, tempfile.TemporaryDirectory(prefix="dist-bench-") as tmp:
        seeds = write_config(world, running.base_url, Path(tmp), concurrency=8)
        env = clean_env(WATCHLIST_DB=f"sqlite:///{Path(tmp) / 'big.db'}")
        argv = [sys.executable, "-m", "watchlist", "crawl", "bench", "--seeds", str(seeds)]
        print(f"\nmemory: one crawl of {total:,} pages, single process", flush=True)
        started = time.monotonic()
        proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        page_set = set(world.pages())
        readings: list[tuple[int, float, dict[str, int]]] = []
        last: dict[str, int] = {}
        while proc.poll() is None:
            try:
                last = status_kb(proc.pid)
            except OSError:
                break
            done = sum(n for t, n in list(running.hits.items()) if t in page_set) if marks else 0
            while marks and done >= marks[0] and marks[0] < total:
                readings.append((marks.pop(0), time.monotonic() - started, last))
                at, when, kb = readings[-1]
                print(
                    f"  at {at:>8,} pages ({when:6.0f} s): VmRSS {kb.get('VmRSS', 0) / 1024:6.0f}"
                    f" MB, VmHWM {kb.get('VmHWM', 0) / 1024:6.0f} MB",
                    flush=True,
                )
            time.sleep(1.0)
        seconds = time.monotonic() - started
        err = proc.stderr.read().decode() if proc.stderr else ""
        if proc.returncode != 0:
            print(f"  the crawl exited {proc.returncode}: {err[-1500:]}")
            return False
        fetched = sum(n for t, n in running.hits.items() if t in page_set)
        readings.append((fetched, seconds, last))  # the last reading before it exited
    print(f"  {fetched:,} pages in {seconds:.0f} s: {fetched / seconds:.1f} pages/s")
    for at, when, kb in readings:
        rss, hwm = kb.get("VmRSS", 0) / 1024, kb.get("VmHWM", 0) / 1024
        print(f"  at {at:>8,} pages ({when:6.0f} s): VmRSS {rss:6.0f} MB, VmHWM {hwm:6.0f} MB")
    first, final = readings[0][2].get("VmRSS", 0), readings[-1][2].get("VmRSS", 0)
    growth = final / first if first else 0.0
    passed = growth <= TARGET_RSS_GROWTH
    print(
        f"  RSS at the end / RSS at {readings[0][0]:,} pages: {growth:.2f} "
        f"(target <= {TARGET_RSS_GROWTH}): {'PASS' if passed else 'MISS'}"
    )
    return passed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--part", choices=["workers", "memory", "both"], default="both")
    parser.add_argument("--pages", type=int, default=1000, help="forum size for the workers")
    parser.add_argument("--delay", type=float, default=0.05, help="seconds before each answer")
    parser.add_argument("--concurrency", type=int, default=1, help="requests at once per worker")
    parser.add_argument("--big-pages", type=int, default=200_000, help="forum size for memory")
    args = parser.parse_args(argv)
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
    print(f"date:    {time.strftime('%Y-%m-%d %H:%M', time.gmtime())} UTC")
    print(f"machine: {os.cpu_count()} cores, {cpu} ({platform.machine()}, {platform.system()})")
    ok = True
    if args.part in ("workers", "both"):
        world = World.for_pages(args.pages)
        print(
            f"\nworkers: {world.page_count():,}-page forum answering after "
            f"{args.delay * 1000:.0f} ms, {args.concurrency} request(s) at once per worker"
        )
        timed = Timed(world)
        with serve(timed, delay=args.delay) as running, tempfile.TemporaryDirectory() as tmp:
            seeds = write_config(world, running.base_url, Path(tmp), concurrency=args.concurrency)
            rates = {n: run_workers(n, seeds, running, world, timed) for n in (1, 2, 4)}
        for n in (2, 4):
            efficiency = rates[n] / (n * rates[1]) if rates[1] else 0.0
            verdict = ""
            if n == 4:
                ok &= efficiency >= TARGET_EFFICIENCY
                verdict = f" (target >= {TARGET_EFFICIENCY}): "
                verdict += "PASS" if efficiency >= TARGET_EFFICIENCY else "MISS"
            print(f"  scaling efficiency at {n} workers: {efficiency:.2f}{verdict}")
    if args.part in ("memory", "both"):
        ok &= memory_run(args.big_pages)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
