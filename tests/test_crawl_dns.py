"""A name is judged by the DNS answer the crawl connects to, not by a lookup of its own.

This machine's host name resolves to a loopback address (``/etc/hosts``): a site on it, crawled
by name, has a private answer. Real crawls in subprocesses, against servers on 127.0.0.1.
"""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest
from conftest import run_cli, write_site

from watchlist.demo import serve
from watchlist.demo.page import ALLOW_ALL_ROBOTS, TEXT_TYPE, Page, html_page
from watchlist.store import open_store, recent_runs

BOARD = html_page(200, '<a class="xst" href="/t">t</a>')
THREAD = html_page(200, '<div id="post_1"><td class="t_f">QQ 632144500</td></div>')


class Forum:
    """A board and one thread."""

    def render(self, target: str) -> Page:
        if target == "/robots.txt":
            return Page(200, TEXT_TYPE, ALLOW_ALL_ROBOTS.encode())
        return {"/board": BOARD, "/t": THREAD}.get(target) or html_page(404, "not found")


@pytest.fixture
def loopback_name() -> str:
    """This machine's host name, which must resolve to loopback addresses only."""
    host = socket.gethostname()
    try:
        answers = {a[4][0] for a in socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)}
    except OSError:
        pytest.skip(f"this machine's host name {host!r} does not resolve")
    if not answers or not all(a.startswith("127.") or a == "::1" for a in answers):
        pytest.skip(f"{host!r} does not resolve to loopback only: {answers}")
    if host.lower() == "localhost" or host.lower().endswith(".localhost"):
        pytest.skip("the host name is a localhost name, refused without DNS")
    return host


def site(name: str, base_url: str, allow_private: bool) -> dict[str, object]:
    return {
        "name": name,
        "type": "forum",
        "engine": "discuz",
        "start_urls": [base_url + "/board"],
        "selectors": {"post": "div[id^=post_]", "post_body": "td.t_f"},
        "allow_private": allow_private,
        "delay": 0,
        "retries": 2,
    }


def runs_by_site(db: str) -> dict[str, tuple[bool, str | None, dict[str, object]]]:
    store = open_store(db)
    try:
        return {r.site: (r.ok, r.problem, json.loads(r.stats)) for r in recent_runs(store)}
    finally:
        store.close()


def test_a_name_resolving_to_a_private_address_is_refused_at_connect_time(
    tmp_path: Path, sqlite_url: str, loopback_name: str
) -> None:
    seeds = tmp_path / "seeds"
    with serve(Forum()) as running:
        write_site(seeds, site("named", f"http://{loopback_name}:{running.port}", False))
        result = run_cli("crawl", "named", "--seeds", str(seeds), db=sqlite_url)
        hits = dict(running.hits)

    assert hits == {}  # not the page, not even robots.txt
    assert result.code == 1
    assert "resolves to a private address (127." in result.stdout
    assert "named: skipped" in result.stdout
    ok, problem, stats = runs_by_site(sqlite_url)["named"]
    assert not ok and problem is not None and "resolves to a private address" in problem
    assert int(stats["watchlist/private_address_refused"]) >= 1  # type: ignore[call-overload]
    assert "retry/count" not in stats  # a refusal is not retried


def test_the_same_name_is_crawled_when_the_site_allows_private(
    tmp_path: Path, sqlite_url: str, loopback_name: str
) -> None:
    seeds = tmp_path / "seeds"
    with serve(Forum()) as running:
        write_site(seeds, site("named", f"http://{loopback_name}:{running.port}", True))
        result = run_cli("crawl", "named", "--seeds", str(seeds), db=sqlite_url)
        hits = dict(running.hits)

    assert result.code == 0, result.stdout + result.stderr
    assert hits.get("/board") == 1 and hits.get("/t") == 1
    ok, _, stats = runs_by_site(sqlite_url)["named"]
    assert ok and stats["watchlist/posts_read"] == 1
    assert "watchlist/private_address_refused" not in stats


def test_in_one_process_only_the_site_that_allows_private_reaches_its_private_name(
    tmp_path: Path, sqlite_url: str, loopback_name: str
) -> None:
    seeds = tmp_path / "seeds"
    with serve(Forum()) as refused_server, serve(Forum()) as allowed_server:
        write_site(seeds, site("named", f"http://{loopback_name}:{refused_server.port}", False))
        write_site(seeds, site("lan", f"http://localhost:{allowed_server.port}", True))
        result = run_cli("crawl", "--all", "--seeds", str(seeds), db=sqlite_url)
        refused_hits, allowed_hits = dict(refused_server.hits), dict(allowed_server.hits)

    assert result.code == 1
    assert refused_hits == {}
    assert allowed_hits.get("/board") == 1 and allowed_hits.get("/t") == 1
    runs = runs_by_site(sqlite_url)
    assert runs["lan"][0] and not runs["named"][0]
    assert "named: skipped" in result.stdout
    assert "lan: skipped" not in result.stdout and "lan: FAILED" not in result.stdout
