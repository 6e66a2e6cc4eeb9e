"""Serve a :class:`World` over HTTP on 127.0.0.1, in the background or in the foreground.

``serve(world)`` is a context manager for tests and benchmarks: it binds a free port, counts
the requests per path, and shuts down cleanly on exit. ``python -m watchlist.demo.server``
serves the demo forum until interrupted, for a person to look at.
"""

from __future__ import annotations

import argparse
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from watchlist.demo.discuz import render
from watchlist.demo.world import World


class DemoHTTPServer(ThreadingHTTPServer):
    """A threading server with a deep listen backlog (the default of 5 drops SYNs under load)."""

    request_queue_size = 1024
    daemon_threads = True

    def __init__(self, address: tuple[str, int], world: World) -> None:
        self.world = world
        self.hits: Counter[str] = Counter()
        self.hits_lock = threading.Lock()
        super().__init__(address, _Handler)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "DemoDiscuz/1.0"
    timeout = 60
    server: DemoHTTPServer

    def do_GET(self) -> None:
        self._answer(send_body=True)

    def do_HEAD(self) -> None:
        self._answer(send_body=False)

    def _answer(self, send_body: bool) -> None:
        with self.server.hits_lock:
            self.server.hits[self.path] += 1
        page = render(self.server.world, urlsplit(self.path).path)
        self.send_response(page.status)
        self.send_header("Content-Type", page.content_type)
        self.send_header("Content-Length", str(len(page.body)))
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
        """Requests so far per request path (query string included)."""
        return self.httpd.hits

    def url(self, path: str) -> str:
        """The absolute URL of ``path`` on this server."""
        return self.base_url + path


@contextmanager
def serve(world: World, host: str = "127.0.0.1", port: int = 0) -> Iterator[RunningServer]:
    """Serve ``world`` in a background thread while the ``with`` block runs (port 0: any free)."""
    httpd = DemoHTTPServer((host, port), world)
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
    httpd = DemoHTTPServer((args.host, args.port), world)
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
