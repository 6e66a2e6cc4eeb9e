"""A hostile page cannot make the crawl fetch elsewhere, nor exhaust it over HTTP.

Each case is a real crawl (``watchlist crawl`` in a subprocess) of a small site served on
127.0.0.1, with the hosts a hostile post points at served on other loopback addresses
(127.0.0.2, 127.0.0.3: a host name match ignores ports, so another port of 127.0.0.1 would be
the site itself). Images go only to the site's own hosts and its ``image_domains``, under each
image host's robots.txt; a slow-loris answer is cut at the site's ``request_deadline`` and not
retried; many huge images keep the crawl process within its memory budget.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from conftest import CliResult, run_cli, write_site
from PIL import Image, ImageDraw

from watchlist.demo import serve
from watchlist.demo.page import ALLOW_ALL_ROBOTS, PNG_TYPE, TEXT_TYPE, Page, html_page
from watchlist.errors import ConfigError
from watchlist.qrcodes import qr_png
from watchlist.sites import load_site
from watchlist.store import get_entry, list_entries, open_store, recent_runs

SITE_PAYLOAD = "wxp://f2f0SiteOwnImage0000000000"
FOREIGN_PAYLOAD = "wxp://f2f0ForeignHost00000000000"
CDN_PAYLOAD = "wxp://f2f0CdnImage000000000000000"


class Pages:
    """A tiny site: ``{path: Page}`` (or a function of the path) plus a robots.txt."""

    def __init__(
        self, pages: dict[str, Page] | Callable[[str], Page | None], robots: str = ALLOW_ALL_ROBOTS
    ) -> None:
        self.pages = pages
        self.robots = robots

    def render(self, target: str) -> Page:
        if target == "/robots.txt":
            return Page(200, TEXT_TYPE, self.robots.encode())
        page = self.pages(target) if callable(self.pages) else self.pages.get(target)
        return page or html_page(404, "<html><body>not found</body></html>")


def png(payload: str) -> Page:
    return Page(200, PNG_TYPE, qr_png(payload))


def board(*threads: str) -> Page:
    return html_page(200, "".join(f'<a class="xst" href="{t}">t</a>' for t in threads))


def thread(number: int, text: str) -> Page:
    return html_page(200, f'<div id="post_{number}"><td class="t_f">{text}</td></div>')


def site_config(base_url: str, **changes: object) -> dict[str, object]:
    config: dict[str, object] = {
        "name": "site",
        "type": "forum",
        "engine": "discuz",
        "start_urls": [base_url + "/board"],
        "allow_private": True,
        "delay": 0,
        "retries": 0,
    }
    config.update(changes)
    return config


def crawl(tmp_path: Path, db: str, config: dict[str, object]) -> CliResult:
    write_site(tmp_path / "seeds", config)
    return run_cli("crawl", str(config["name"]), "--seeds", str(tmp_path / "seeds"), db=db)


def last_run_stats(db: str) -> dict[str, Any]:
    store = open_store(db)
    try:
        return dict(json.loads(recent_runs(store)[0].stats))
    finally:
        store.close()


def image_sightings(db: str) -> set[tuple[str, str]]:
    """(image URL, value) of every sighting decoded from an image."""
    store = open_store(db)
    try:
        return {
            (ev.sighting.source, entry.value)
            for entry in list_entries(store)
            if entry.id is not None
            for ev in get_entry(store, entry.id).evidence
            if ev.sighting.source.startswith(("http", "file"))
        }
    finally:
        store.close()


def test_an_image_on_a_foreign_host_is_never_requested(tmp_path: Path, sqlite_url: str) -> None:
    local_qr = tmp_path / "qr.png"
    local_qr.write_bytes(qr_png(FOREIGN_PAYLOAD))
    with serve(Pages({"/qr.png": png(FOREIGN_PAYLOAD)}), host="127.0.0.2") as foreign:
        images = [
            "/own.png",  # the site's own image: fetched
            foreign.url("/qr.png"),  # another host: never contacted
            "/moved.png",  # the site's own URL, redirected to the other host
            local_qr.as_uri(),  # a file on the crawler's machine
            f"//127.0.0.2:{foreign.port}/other.png",  # scheme-relative
        ]
        body = "QQ 632144500 " + "".join(f'<img src="{src}">' for src in images)
        pages = {
            "/board": board("/t/1"),
            "/t/1": thread(1, body),
            "/own.png": png(SITE_PAYLOAD),
            "/moved.png": Page(302, "text/html", b"", (("Location", foreign.url("/qr.png")),)),
        }
        with serve(Pages(pages)) as site:
            result = crawl(tmp_path, sqlite_url, site_config(site.base_url))
            site_hits = dict(site.hits)
        foreign_hits = dict(foreign.hits)

    assert result.code == 0, result.stdout + result.stderr
    assert foreign_hits == {}  # not even its robots.txt
    assert site_hits.get("/own.png") == 1 and site_hits.get("/moved.png") == 1
    stats = last_run_stats(sqlite_url)
    assert stats["watchlist/images_off_site"] == 4
    assert stats["watchlist/images_fetched"] == 1
    assert "watchlist/images_failed" not in stats  # a refusal is not a failure
    assert image_sightings(sqlite_url) == {(site.url("/own.png"), SITE_PAYLOAD)}
    assert stats["watchlist/posts_read"] == 1


def test_an_image_domains_cdn_is_fetched_only_when_the_site_names_it(
    tmp_path: Path, sqlite_url: str
) -> None:
    with serve(Pages({"/i/qr.png": png(CDN_PAYLOAD)}), host="127.0.0.3") as cdn:
        pages = {"/board": board("/t/1"), "/t/1": thread(1, f'<img src="{cdn.url("/i/qr.png")}">')}
        with serve(Pages(pages)) as site:
            without = crawl(tmp_path, sqlite_url, site_config(site.base_url))
            hits_without = dict(cdn.hits)
            other_db = f"sqlite:///{tmp_path / 'cdn.db'}"
            named = crawl(
                tmp_path, other_db, site_config(site.base_url, image_domains=["127.0.0.3"])
            )
            hits_named = dict(cdn.hits)

    assert without.code == 0 and named.code == 0, named.stdout + named.stderr
    assert hits_without == {}
    assert last_run_stats(sqlite_url)["watchlist/images_off_site"] == 1
    assert hits_named == {"/robots.txt": 1, "/i/qr.png": 1}
    assert "watchlist/images_off_site" not in last_run_stats(other_db)
    assert image_sightings(other_db) == {(cdn.url("/i/qr.png"), CDN_PAYLOAD)}


def test_an_image_host_robots_txt_is_obeyed(tmp_path: Path, sqlite_url: str) -> None:
    robots = "User-agent: *\nDisallow: /private/\n"
    cdn_pages = {"/private/qr.png": png(FOREIGN_PAYLOAD), "/public/qr.png": png(CDN_PAYLOAD)}
    with serve(Pages(cdn_pages, robots=robots), host="127.0.0.3") as cdn:
        images = [cdn.url("/private/qr.png"), cdn.url("/public/qr.png")]
        body = "".join(f'<img src="{src}">' for src in images)
        pages = {"/board": board("/t/1", cdn.url("/public/page")), "/t/1": thread(1, body)}
        with serve(Pages(pages)) as site:
            result = crawl(
                tmp_path, sqlite_url, site_config(site.base_url, image_domains=["127.0.0.3"])
            )
        cdn_hits = dict(cdn.hits)

    assert result.code == 0, result.stdout + result.stderr
    # Neither the disallowed image nor a page of the CDN (it hosts images, not pages).
    assert cdn_hits == {"/robots.txt": 1, "/public/qr.png": 1}
    stats = last_run_stats(sqlite_url)
    assert stats["watchlist/images_robots_forbidden"] == 1
    assert image_sightings(sqlite_url) == {(cdn.url("/public/qr.png"), CDN_PAYLOAD)}


class _Hostile(BaseHTTPRequestHandler):
    """Serves a :class:`Pages` site, except the slow answers of its server's ``slow`` map."""

    protocol_version = "HTTP/1.1"
    server: SlowServer

    def do_GET(self) -> None:
        with self.server.lock:
            self.server.hits[self.path] += 1
        kind = self.server.slow.get(self.path)
        if kind == "drip":  # slow loris: headers at once, then a byte every 0.2 s
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", "100000")
            self.end_headers()
            for _ in range(600):  # 2 minutes at most, unless the crawler hangs up first
                try:
                    self.wfile.write(b" ")
                    self.wfile.flush()
                except OSError:
                    return
                time.sleep(0.2)
            return
        if kind == "slow503":  # every try takes 1.5 s, then fails with a retryable status
            time.sleep(1.5)
            page = html_page(503, "busy")
        else:
            page = self.server.site.render(self.path)
        self.send_response(page.status)
        self.send_header("Content-Type", page.content_type)
        self.send_header("Content-Length", str(len(page.body)))
        self.end_headers()
        self.wfile.write(page.body)

    def log_message(self, format: str, *args: object) -> None:
        """Silenced."""


class SlowServer(ThreadingHTTPServer):
    request_queue_size = 1024  # PITFALLS.md: the default backlog of 5 drops connections
    daemon_threads = True

    def __init__(self, site: Pages, slow: dict[str, str]) -> None:
        self.site = site
        self.slow = slow
        self.hits: Counter[str] = Counter()
        self.lock = threading.Lock()
        super().__init__(("127.0.0.1", 0), _Hostile)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


@pytest.fixture
def slow_server() -> Iterator[Callable[[Pages, dict[str, str]], SlowServer]]:
    servers: list[tuple[SlowServer, threading.Thread]] = []

    def start(site: Pages, slow: dict[str, str]) -> SlowServer:
        server = SlowServer(site, slow)
        worker = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
        worker.start()
        servers.append((server, worker))
        return server

    yield start
    for server, worker in servers:
        server.shutdown()
        server.server_close()
        worker.join()


def test_a_slow_loris_page_and_image_are_cut_at_the_request_deadline_and_not_retried(
    tmp_path: Path, sqlite_url: str, slow_server: Callable[[Pages, dict[str, str]], SlowServer]
) -> None:
    pages = {
        "/board": board("/t/1", "/slow"),
        "/t/1": thread(1, 'QQ 632144500 <img src="/slow.png"><img src="/own.png">'),
        "/own.png": png(SITE_PAYLOAD),
    }
    server = slow_server(Pages(pages), {"/slow": "drip", "/slow.png": "drip"})
    config = site_config(server.base_url, retries=2, request_deadline=2)
    result = crawl(tmp_path, sqlite_url, config)

    assert result.code == 0, result.stdout + result.stderr
    assert server.hits["/slow"] == 1 and server.hits["/slow.png"] == 1  # retries: 2, yet once
    stats = last_run_stats(sqlite_url)
    assert stats["watchlist/request_deadline_exceeded"] == 2
    assert stats["watchlist/failed_requests"] == 1  # the page; the image is an image failure
    assert stats["watchlist/images_failed"] == 1
    assert stats["watchlist/posts_read"] == 1
    assert image_sightings(sqlite_url) == {(server.base_url + "/own.png", SITE_PAYLOAD)}


def test_the_request_deadline_spans_the_tries_of_a_request(
    tmp_path: Path, sqlite_url: str, slow_server: Callable[[Pages, dict[str, str]], SlowServer]
) -> None:
    pages = {"/board": board("/t/1", "/busy"), "/t/1": thread(1, "QQ 632144500")}
    server = slow_server(Pages(pages), {"/busy": "slow503"})
    result = crawl(
        tmp_path, sqlite_url, site_config(server.base_url, retries=3, request_deadline=2)
    )
    hits_short = server.hits["/busy"]
    server.hits.clear()
    other_db = f"sqlite:///{tmp_path / 'long.db'}"
    crawl(tmp_path, other_db, site_config(server.base_url, retries=3, request_deadline=60))

    assert result.code == 0, result.stdout + result.stderr
    assert hits_short == 1  # 1.5 s spent of 2: too little left for another try
    assert last_run_stats(sqlite_url)["watchlist/request_deadline_exceeded"] == 1
    assert server.hits["/busy"] == 4  # with time left, every retry is made
    assert "watchlist/request_deadline_exceeded" not in last_run_stats(other_db)


def huge_png() -> bytes:
    """A 16-megapixel (4000 × 4000) PNG holding a QR code: 0.6 MB that decodes to 64 MB."""
    image = Image.new("RGB", (4000, 4000), "white")
    draw = ImageDraw.Draw(image)
    for x in range(0, 4000, 50):
        draw.line([(x, 0), (4000 - x, 4000)], fill=(x % 255, 80, 160), width=3)
    code = Image.open(io.BytesIO(qr_png(SITE_PAYLOAD, scale=8))).convert("RGB")
    image.paste(code, (1800, 1800))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def test_many_huge_images_keep_the_crawl_within_its_memory_budget(
    tmp_path: Path, sqlite_url: str
) -> None:
    threads, per_post = 6, 8  # 48 images: the old code peaked at ~0.8 GB, ~1 GB for 64
    picture = Page(200, PNG_TYPE, huge_png())

    def pages(target: str) -> Page | None:
        if target == "/board":
            return board(*(f"/t/{n}" for n in range(threads)))
        if target.startswith("/t/"):
            n = int(target[3:])
            images = "".join(f'<img src="/img/{n}-{k}.png">' for k in range(per_post))
            return thread(n, f"post {n} {images}")
        return picture if target.startswith("/img/") else None

    with serve(Pages(pages)) as site:
        write_site(tmp_path / "seeds", site_config(site.base_url))
        peak_mb = crawl_peak_rss_mb(tmp_path, sqlite_url)

    stats = last_run_stats(sqlite_url)
    assert stats["watchlist/qr_codes_decoded"] == threads * per_post  # every image, each once
    print(f"peak RSS of the crawl: {peak_mb:.0f} MB for {threads * per_post} 16 MP images")
    assert peak_mb < 500  # ~280 MB measured; decoding in the reactor's 10 threads: ~1 GB


# Runs the CLI and, at its exit, writes the process's own peak RSS (VmHWM: the memory map's
# high-water mark, which starts afresh at exec). The kernel's ru_maxrss does not: it keeps the
# parent's size at fork, so a child of a test process grown to 600 MB reported 600 MB.
_REPORT_PEAK = """
import atexit, runpy, sys
report = sys.argv.pop(1)
def peak():
    with open("/proc/self/status") as status, open(report, "w") as out:
        out.write(next(line.split()[1] for line in status if line.startswith("VmHWM:")))
atexit.register(peak)
sys.argv[0] = "watchlist"
runpy.run_module("watchlist", run_name="__main__")
"""


def crawl_peak_rss_mb(tmp_path: Path, db: str) -> float:
    """Run ``watchlist crawl site`` and return the peak RSS of that process alone, in MB."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("WATCHLIST_")}
    env["WATCHLIST_DB"] = db
    report = tmp_path / "peak.txt"
    command = [sys.executable, "-c", _REPORT_PEAK, str(report), "crawl", "site"]
    command += ["--seeds", str(tmp_path / "seeds")]
    with open(tmp_path / "out.txt", "wb") as out, open(tmp_path / "err.txt", "wb") as err:
        process = subprocess.run(command, stdout=out, stderr=err, env=env, check=False)
    assert process.returncode == 0, (tmp_path / "out.txt").read_text()
    return int(report.read_text()) / 1024  # KiB


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("image_domains", ["https://cdn.example.com/img"], "is not a host name"),
        ("image_domains", ["cdn.example.com:8080"], "is not a host name"),
        ("request_deadline", 0, "greater than or equal to 1"),
        ("request_deadline", float("inf"), "finite number"),
    ],
)
def test_image_domains_and_request_deadline_are_checked_when_the_config_loads(
    tmp_path: Path, field: str, value: object, message: str
) -> None:
    path = write_site(tmp_path / "seeds", site_config("http://127.0.0.1:8080", **{field: value}))
    with pytest.raises(ConfigError, match=f"site.yaml: {field}(.0)?: .*{message}"):
        load_site(path)


def test_image_domains_are_kept_as_requests_spell_their_hosts(tmp_path: Path) -> None:
    domains = ["CDN.Example.com.", "bücher.example", "[2001:db8::1]"]
    path = write_site(
        tmp_path / "seeds", site_config("http://127.0.0.1:8080", image_domains=domains)
    )
    assert load_site(path).image_domains == [
        "cdn.example.com",
        "xn--bcher-kva.example",
        "2001:db8::1",
    ]
