"""API speed: the first page of 100 entries as JSON, from our feed and from datasette, in one run.

A generated SQLite store (``bench/review_world.py``: 100,000 entries by default) is served by
``watchlist serve`` (``/v1/entries?limit=100``, with a bearer token: ours checks it on every
request) and by ``datasette serve`` on the same file (``/DB/entries.json?_shape=array&_size=100``:
no count, no facets, one table and no join; ours joins each entry's best evidence and cluster and
leaves allowlisted values out). Both run one process with their defaults (uvicorn, access log
on, to /dev/null). The same loopback load from ``wrk`` (``--timeout 30s``) hits each in turn.
Ours is measured twice: as it serves (a rendered page is kept until the store changes:
``watchlist.api.cache``) and with ``--no-cache`` (every request queries and renders). Prints
req/s, p50/p99 latency and the ratios.

Usage: ``.venv/bin/python bench/api_speed.py [--entries N] [--connections C] [--seconds S]``.
Needs ``wrk`` (Debian: ``apt-get install wrk``). Target (issue 11): ours ≥ 2× datasette's req/s.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from review_world import generate

from watchlist.store import open_store
from watchlist.store.tokens import create_token

BIN = Path(sys.executable).parent
_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3}


@dataclass(frozen=True)
class Load:
    """What wrk measured against one URL."""

    requests_per_s: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: str


def build(path: Path, entries: int) -> tuple[str, str]:
    """A store at ``path`` with ``entries`` entries; and a fresh token for it."""
    url = f"sqlite:///{path}"
    store = open_store(url, create=True)
    if store.created:
        started = time.perf_counter()
        generate(store, entries=entries, sightings=entries * 3)
        print(f"generated {entries:,} entries in {time.perf_counter() - started:.1f} s")
    token = create_token(store, f"bench-{int(time.time() * 1000)}")
    store.close()
    return url, token


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(url: str, headers: dict[str, str], server: subprocess.Popen[bytes]) -> bytes:
    """The body of ``url`` once the server answers it (120 s at most)."""
    request = urllib.request.Request(url, headers=headers)
    deadline = time.monotonic() + 120
    while True:
        if server.poll() is not None:
            raise SystemExit(f"{url}: the server exited with {server.returncode}")
        try:
            with urllib.request.urlopen(request, timeout=5) as response:
                body: bytes = response.read()
                return body
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def wrk(url: str, headers: dict[str, str], connections: int, seconds: int) -> Load:
    """Run wrk against ``url``: one thread, ``connections`` connections, ``seconds`` seconds."""
    command = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--timeout", "30s", "--latency"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    out = subprocess.run(
        [*command, url], capture_output=True, text=True, check=True, timeout=seconds + 60
    ).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    total = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    errors = re.search(r"(Non-2xx or 3xx responses: \d+|Socket errors:.*)", out)
    return Load(
        rate,
        _percentile(out, "50%"),
        _percentile(out, "99%"),
        total,
        errors.group(1) if errors else "",
    )


def _percentile(out: str, label: str) -> float:
    match = re.search(rf"{re.escape(label)}\s+([\d.]+)(us|ms|s)\b", out)
    if match is None:
        return float("nan")
    return float(match.group(1)) * _UNITS[match.group(2)]


def serve(command: list[str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def measure(
    name: str, command: list[str], url: str, headers: dict[str, str], args: argparse.Namespace
) -> Load:
    """Start a server, check its first page holds 100 entries, warm it up, load it."""
    server = serve(command)
    try:
        body = json.loads(wait_for(url, headers, server))
        rows = body["entries"] if isinstance(body, dict) else body
        assert len(rows) == 100, f"{name}: {len(rows)} rows on the first page"
        wrk(url, headers, args.connections, 2)  # warm-up: caches, connection pools
        load = wrk(url, headers, args.connections, args.seconds)
    finally:
        server.terminate()
        server.wait(30)
    problems = f"; {load.errors}" if load.errors else ""
    print(
        f"{name:<16} {load.requests_per_s:>9,.0f} req/s   p50 {load.p50_ms:7.2f} ms   "
        f"p99 {load.p99_ms:7.2f} ms   ({load.requests:,} requests{problems})"
    )
    return load


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--keep", type=Path, help="keep the generated store in this folder")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (Debian: apt-get install wrk)")
    folder = args.keep or Path(tempfile.mkdtemp(prefix="api-speed-"))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"api{args.entries}.db"
    url, token = build(path, args.entries)
    print(f"{args.entries:,} entries; wrk -t1 -c{args.connections} -d{args.seconds}s on loopback")
    port = free_port()
    ours = measure(
        "ours",
        [str(BIN / "watchlist"), "serve", "--port", str(port), "--db", url],
        f"http://127.0.0.1:{port}/v1/entries?limit=100",
        {"Authorization": f"Bearer {token}"},
        args,
    )
    port = free_port()
    uncached = measure(
        "ours, no cache",
        [str(BIN / "watchlist"), "serve", "--no-cache", "--port", str(port), "--db", url],
        f"http://127.0.0.1:{port}/v1/entries?limit=100",
        {"Authorization": f"Bearer {token}"},
        args,
    )
    port = free_port()
    theirs = measure(
        "datasette",
        [str(BIN / "datasette"), "serve", str(path), "--port", str(port)],
        f"http://127.0.0.1:{port}/{path.stem}/entries.json?_shape=array&_size=100",
        {},
        args,
    )
    print(f"ratio ours/datasette: {ours.requests_per_s / theirs.requests_per_s:.2f}×")
    print(
        f"ratio ours without the cache/datasette: "
        f"{uncached.requests_per_s / theirs.requests_per_s:.2f}×"
    )
    if args.keep is None:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
