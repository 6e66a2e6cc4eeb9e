"""Shared fixtures: the demo forum on a loopback port, stores, and the CLI in a subprocess.

Crawls run in their own process (the Twisted reactor cannot restart), exactly as a user runs
them: ``python -m watchlist crawl ...``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

from watchlist import settings
from watchlist.demo import World, serve
from watchlist.demo.server import RunningServer
from watchlist.demo.site import demo_site
from watchlist.store import get_entry, list_entries, open_store
from watchlist.store.queries import summary

PG_BASE = "postgresql+psycopg://127.0.0.1:5432/test"


@pytest.fixture(scope="session")
def demo_world() -> World:
    """The default demo world."""
    return World(seed=7)


@pytest.fixture(scope="session")
def demo_server(demo_world: World) -> Iterator[RunningServer]:
    """The demo forum served on a random loopback port for the whole session."""
    with serve(demo_world) as server:
        yield server


@pytest.fixture
def seeds(tmp_path: Path, demo_world: World, demo_server: RunningServer) -> Path:
    """A seeds folder whose ``demo`` site points at the running demo forum."""
    folder = tmp_path / "seeds"
    write_site(folder, demo_site(demo_world, demo_server.base_url, name="demo").model_dump())
    return folder


def write_site(seeds_dir: Path, config: dict[str, object], file_name: str | None = None) -> Path:
    """Write a site config as YAML into ``seeds_dir/sites/``."""
    sites = seeds_dir / "sites"
    sites.mkdir(parents=True, exist_ok=True)
    path = sites / (file_name or f"{config['name']}.yaml")
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return path


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A fresh SQLite database file."""
    return f"sqlite:///{tmp_path / 'watchlist.db'}"


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh schema in the local PostgreSQL ``test`` database, dropped afterwards.

    Skipped when PostgreSQL is unreachable, unless ``WATCHLIST_REQUIRE_SERVICES=1``.
    """
    import psycopg

    schema = f"t_{uuid.uuid4().hex[:12]}"
    try:
        admin = psycopg.connect("host=127.0.0.1 port=5432 dbname=test", autocommit=True)
    except psycopg.OperationalError as exc:
        if settings.load().require_services:
            pytest.fail(f"PostgreSQL at 127.0.0.1:5432 is required but unreachable: {exc}")
        pytest.skip(f"PostgreSQL at 127.0.0.1:5432/test is unreachable: {exc}")
    with admin:
        admin.execute(f'CREATE SCHEMA "{schema}"')
        try:
            yield f"{PG_BASE}?options=-csearch_path%3D{schema}"
        finally:
            admin.execute(f'DROP SCHEMA "{schema}" CASCADE')


@dataclass
class CliResult:
    """What a CLI run printed and returned."""

    code: int
    stdout: str
    stderr: str


def run_cli(
    *args: str,
    db: str | None = None,
    stdin: str | None = None,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
) -> CliResult:
    """Run ``python -m watchlist ARGS`` in a subprocess, as a user would (``env``: extra)."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("WATCHLIST_")}
    environment["PYTHONUTF8"] = "1"
    environment["COLUMNS"] = "200"
    environment.update(env or {})
    if db is not None:
        environment["WATCHLIST_DB"] = db
    proc = subprocess.run(
        [sys.executable, "-m", "watchlist", *args],
        input=stdin,
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=environment,
        cwd=cwd,
        timeout=240,
        check=False,
    )
    return CliResult(proc.returncode, proc.stdout, proc.stderr)


def stored_sightings(db: str) -> set[tuple[str, str, str]]:
    """(post URL path, kind, value) of every sighting in the store at ``db``."""
    store = open_store(db)
    try:
        return {
            (urlsplit(ev.post.url).path, e.kind, e.value)
            for e in list_entries(store)
            if e.id is not None
            for ev in get_entry(store, e.id).evidence
        }
    finally:
        store.close()


def wait_for_posts(db: str, at_least: int, process: subprocess.Popen[bytes]) -> int:
    """Poll the store until it holds ``at_least`` posts, while ``process`` (a crawl) runs."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        assert process.poll() is None, "the crawl ended before it could be killed"
        if Path(urlsplit(db).path).exists():
            store = open_store(db)
            try:
                posts = summary(store).posts
            finally:
                store.close()
            if posts >= at_least:
                return posts
        time.sleep(0.05)
    raise AssertionError(f"fewer than {at_least} posts stored after 120 s")
