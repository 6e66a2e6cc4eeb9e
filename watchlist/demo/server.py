"""Serve demo sites over HTTP on 127.0.0.1, in the background or in the foreground.

A demo site is anything with ``render(target) -> Page`` (``target``: the request path with its
query string). ``serve(site)`` is a context manager for tests and benchmarks: it binds a port
(0: any free one), counts the requests per target, and shuts down cleanly on exit. Every 200
answer carries an ``ETag`` and a ``Last-Modified`` of its body, and a conditional request whose
validator still matches gets ``304 Not Modified`` — as real forums behind a cache answer.
``python -m watchlist.demo.server`` serves the demo forum until interrupted.
"""

from __future__ import annotations

import argparse
import hashlib
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Protocol

from watchlist.demo.discuz import DiscuzSite
from watchlist.demo.page import Page
from watchlist.demo.world import World

# The Last-Modified of every demo page: the world is generated, so one fixed date will do.
LAST_MODIFIED = formatdate(1767225600, usegmt=True)  # 2026-01-01 00:00:00 GMT


class DemoSite(Protocol):
    """What the server serves: a page for every request target."""

    def render(self, target: str) -> Page:
        """The answer to ``GET target`` (path and query string)."""
        ...


class DemoHTTPServer(ThreadingHTTPServer):
    """A threading server with a deep listen backlog (the default of 5 drops SYNs under load).

    ``site`` may be replaced while serving (a test grows the world between two crawls);
    ``delay`` seconds are slept before each answer (a crawl slow enough to be killed midway).
    """

    request_queue_size = 1024
    daemon_threads = True

    def __init__(self, address: tuple[str, int], site: DemoSite, delay: float = 0.0) -> None:
        self.site = site
        self.delay = delay
        self.hits: Counter[str] = Counter()
        self.last_headers: dict[str, dict[str, str]] = {}
        self.hits_lock = threading.Lock()
        super().__init__(address, _Handler)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "DemoSite/1.0"
    timeout = 60
    server: DemoHTTPServer

    def do_GET(self) -> None:
        self._answer(send_body=True)

    def do_HEAD(self) -> None:
        self._answer(send_body=False)

    def _answer(self, send_body: bool) -> None:
        with self.server.hits_lock:
            self.server.hits[self.path] += 1
            self.server.last_headers[self.path] = dict(self.headers.items())
        if self.server.delay:
            time.sleep(self.server.delay)
        page = self.server.site.render(self.path)
        etag = None
        if page.status == 200:
            etag = '"' + hashlib.sha1(page.body).hexdigest()[:20] + '"'
            if self.headers.get("If-None-Match") == etag:
                self.send_response(304)
                self.send_header("ETag", etag)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
        self.send_response(page.status)
        self.send_header("Content-Type", page.content_type)
        self.send_header("Content-Length", str(len(page.body)))
        if etag is not None:
            self.send_header("ETag", etag)
            self.send_header("Last-Modified", LAST_MODIFIED)
        for name, value in page.headers:
            self.send_header(name, value)
        self.end_headers()
        if send_body:
            self.wfile.write(page.body)

    def log_message(self, format: str, *args: object) -> None:
        """Silenced: one line per request drowns test and benchmark output."""


class RunningServer:
    """A demo server running in a background thread."""

    def __init__(self, httpd: DemoHTTPServer) -> None:
        self.httpd = httpd
        self.host = str(httpd.server_address[0])
        self.port = int(httpd.server_address[1])
        self.base_url = f"http://{self.host}:{self.port}"

    @property
    def hits(self) -> Counter[str]:
        """Requests so far per request target (query string included)."""
        return self.httpd.hits

    def headers_of(self, target: str) -> dict[str, str]:
        """The headers of the last request for ``target`` ({} if never requested)."""
        return self.httpd.last_headers.get(target, {})

    def url(self, path: str) -> str:
        """The absolute URL of ``path`` on this server."""
        return self.base_url + path

    def replace(self, site: DemoSite) -> None:
        """Serve ``site`` from now on (and forget the hits so far)."""
        with self.httpd.hits_lock:
            self.httpd.site = site
            self.httpd.hits.clear()
            self.httpd.last_headers.clear()


@contextmanager
def serve(
    site: DemoSite | World, host: str = "127.0.0.1", port: int = 0, delay: float = 0.0
) -> Iterator[RunningServer]:
    """Serve ``site`` in a background thread while the ``with`` block runs.

    A :class:`World` is served as its Discuz! forum.
    """
    if isinstance(site, World):
        site = DiscuzSite(site)
    httpd = DemoHTTPServer((host, port), site, delay)
    thread = threading.Thread(
        target=httpd.serve_forever, args=(0.05,), name="demo-server", daemon=True
    )
    thread.start()
    try:
        yield RunningServer(httpd)
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join()


def main(argv: list[str] | None = None) -> None:
    """Serve the demo forum in the foreground until Ctrl-C."""
    parser = argparse.ArgumentParser(description="Serve the demo OTC forum (Discuz! style).")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--boards", type=int, default=2)
    parser.add_argument("--threads-per-board", type=int, default=12)
    args = parser.parse_args(argv)
    world = World(seed=args.seed, boards=args.boards, threads_per_board=args.threads_per_board)
    httpd = DemoHTTPServer((args.host, args.port), DiscuzSite(world))
    host, port = httpd.server_address[:2]
    print(
        f"Demo forum: http://{host!s}:{port}/forum.php ({world.page_count()} pages; Ctrl-C stops)"
    )
    try:
        httpd.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        httpd.server_close()


if __name__ == "__main__":
    main()
