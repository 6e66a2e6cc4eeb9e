"""``watchlist serve`` and ``watchlist token`` as a user runs them, and schemathesis against the
running server's ``/openapi.json``."""

from __future__ import annotations

import hashlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
from conftest import run_cli
from review_seed import seed
from sqlmodel import select

from watchlist.store import open_store, set_status
from watchlist.store.tables import ApiToken

SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")
# What our contract answers on purpose, beyond schemathesis's defaults: a cursor this server did
# not hand out is 400 however well-formed it looks (it is opaque), and a query string over the
# server's limit is 414 (URI Too Long).
SCHEMATHESIS_CONFIG = """
[checks.negative_data_rejection]
expected-statuses = ["400", "401", "403", "404", "405", "406", "409", "414", "415", "422", "428",
                     "429"]

[[operations]]
include-path = "/v1/entries"
checks.positive_data_acceptance.expected-statuses = ["2xx", "3xx", "400", "401", "403", "404"]
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class Server:
    """A running ``watchlist serve``: its base URL; what it wrote on stderr once it stopped."""

    base: str
    stderr: str = ""


@contextmanager
def serving(db: str, *args: str) -> Iterator[Server]:
    """``watchlist serve`` in a subprocess on a free port, until /healthz answers."""
    port = free_port()
    environment = {k: v for k, v in os.environ.items() if not k.startswith("WATCHLIST_")}
    environment |= {"WATCHLIST_DB": db, "PYTHONUTF8": "1"}
    command = [sys.executable, "-m", "watchlist", "serve", "--port", str(port), *args]
    process = subprocess.Popen(
        command, env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    server = Server(f"http://127.0.0.1:{port}")
    base = server.base
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, process.communicate()
            try:
                if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "the server did not answer within 60 s"
            time.sleep(0.1)
        yield server
    finally:
        process.terminate()
        _out, server.stderr = process.communicate(timeout=30)


def test_token_create_prints_the_token_once_and_stores_only_its_hash(sqlite_url: str) -> None:
    seed(sqlite_url)
    created = run_cli("token", "create", "risk-team", "--status", "Confirmed", db=sqlite_url)
    assert created.code == 0, created.stderr
    token = created.stdout.strip()
    assert len(token) >= 43 and "\n" not in token
    assert "shown only this once" in created.stderr
    listed = run_cli("token", "list", db=sqlite_url)
    assert token not in listed.stdout
    assert "risk-team · active · statuses confirmed · kinds all" in listed.stdout
    store = open_store(sqlite_url)
    with store.read() as session:
        assert (
            session.exec(select(ApiToken.digest)).one()
            == hashlib.sha256(token.encode()).hexdigest()
        )
    store.close()
    revoked = run_cli("token", "revoke", "risk-team", db=sqlite_url)
    assert (revoked.code, revoked.stdout.strip()) == (0, "token 'risk-team' revoked")
    assert "risk-team · revoked" in run_cli("token", "list", db=sqlite_url).stdout


def test_token_commands_refuse_bad_values_in_one_line(sqlite_url: str) -> None:
    seed(sqlite_url)
    bad_kind = run_cli("token", "create", "a", "--kind", "phones", db=sqlite_url)
    assert bad_kind.code == 2
    assert bad_kind.stderr.startswith("error: --kind: 'phones' is not one of phone")
    unknown = run_cli("token", "revoke", "nobody", db=sqlite_url)
    assert (unknown.code, unknown.stderr) == (1, "error: no token named 'nobody'\n")
    assert run_cli("token", "create", "a", db=sqlite_url).code == 0
    again = run_cli("token", "create", "a", db=sqlite_url)
    assert again.code == 2 and "exists already" in again.stderr


def test_serve_listens_on_loopback_and_serves_the_feed_with_a_token(sqlite_url: str) -> None:
    ids = seed(sqlite_url)
    token = run_cli("token", "create", "t", db=sqlite_url).stdout.strip()
    with serving(sqlite_url, "--no-access-log") as server:
        base = server.base
        assert httpx.get(f"{base}/v1/entries").status_code == 401
        headers = {"Authorization": f"Bearer {token}"}
        body = httpx.get(f"{base}/v1/entries", headers=headers).json()
        assert sorted(e["id"] for e in body["entries"]) == sorted(ids.values())
        assert httpx.get(f"{base}/openapi.json").status_code == 200
        assert httpx.get(f"{base}/docs").status_code == 404  # no page loading scripts from a CDN


def test_serve_beyond_loopback_without_a_token_warns(sqlite_url: str) -> None:
    seed(sqlite_url)
    with serving(sqlite_url, "--host", "0.0.0.0", "--no-access-log") as server:
        pass
    stderr = server.stderr
    assert "warning: serving on 0.0.0.0, beyond this machine, and no token exists" in stderr


def test_serve_without_a_store_says_so_and_exits_2(tmp_path: Path) -> None:
    result = run_cli("serve", db=f"sqlite:///{tmp_path / 'none.db'}")
    assert result.code == 2
    assert result.stderr.startswith("error: no watchlist store at")


def test_schemathesis_finds_no_failure_against_the_running_server(
    sqlite_url: str, tmp_path: Path
) -> None:
    ids = seed(sqlite_url)
    store = open_store(sqlite_url)
    set_status(store, [ids["+8613800138000"], ids["12345678"]], "confirmed", "alice")
    store.close()
    token = run_cli("token", "create", "fuzz", db=sqlite_url).stdout.strip()
    config = tmp_path / "schemathesis.toml"
    config.write_text(SCHEMATHESIS_CONFIG, encoding="utf-8")
    with serving(sqlite_url, "--no-access-log") as server:
        result = subprocess.run(
            [
                str(SCHEMATHESIS),
                "--config-file",
                str(config),
                "run",
                f"{server.base}/openapi.json",
                "--header",
                f"Authorization: Bearer {token}",
                "--checks",
                "all",
                "--max-examples",
                "40",
                "--seed",
                "11",
                "--generation-database",
                "none",
                "--no-color",
                "--workers",
                "2",
            ],
            capture_output=True,
            text=True,
            timeout=180,
            cwd=tmp_path,
            check=False,
        )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    assert "No issues found" in result.stdout
