"""Helpers of the sync tests: stores with confirmed entries, a reference receiver in its own
process on loopback, watchlist.toml files, and the receiver's own SQLite read back."""

from __future__ import annotations

import base64
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlmodel import SQLModel

from watchlist.store import Store, open_store
from watchlist.store.tables import Entry

ENTRIES = SQLModel.metadata.tables[Entry.__tablename__]
SECRET = "whsec_" + base64.b64encode(b"reference-receiver-secret-32byte").decode()
OTHER_SECRET = "whsec_" + base64.b64encode(b"the-rotated-in-secret-of-32-byte").decode()
SECRET_ENV = "WATCHLIST_TEST_SYNC_SECRET"


def add_entries(store: Store, count: int, kind: str = "phone", start: int = 0) -> list[int]:
    """``count`` new entries of ``kind`` (bulk insert: no ingest), their ids in order."""
    now = datetime.now(UTC)
    rows = [
        {
            "kind": kind,
            "value": _value(kind, start + n),
            "status": "new",
            "score": 0.5,
            "first_seen": now,
            "last_seen": now,
            "sightings": 1,
            "sites": "demo",
        }
        for n in range(count)
    ]
    with store.write() as session:
        for chunk in range(0, len(rows), 5000):
            session.execute(ENTRIES.insert(), rows[chunk : chunk + 5000])
        values = [r["value"] for r in rows]
        found = dict(
            session.execute(
                ENTRIES.select()
                .with_only_columns(ENTRIES.c.value, ENTRIES.c.id)
                .where(ENTRIES.c.kind == kind, ENTRIES.c.value.in_(values))
            ).all()
        )
    return [int(found[v]) for v in values]


def _value(kind: str, n: int) -> str:
    if kind == "phone":
        return f"+86138{n:08d}"
    if kind == "qq":
        return str(10_000 + n)
    return f"{kind[:2]}seller{n}"


def confirmed_set(store: Store, kinds: Sequence[str] = ()) -> set[tuple[str, str]]:
    """(kind, value) of every confirmed entry (of ``kinds``)."""
    from watchlist.store.sync_state import confirmed_keys

    return set(confirmed_keys(store, kinds))


@dataclass
class RunningReceiver:
    """A reference receiver process."""

    url: str
    db: Path
    process: subprocess.Popen[str]

    def held(self) -> set[tuple[str, str]]:
        """What the receiver holds now."""
        with sqlite3.connect(self.db) as db:
            return {(k, v) for k, v in db.execute("SELECT kind, value FROM held")}

    def applied(self) -> list[tuple[str, int, int]]:
        """(batch id, from_seq, to_seq) of every batch applied, in order."""
        with sqlite3.connect(self.db) as db:
            query = "SELECT batch_id, from_seq, to_seq FROM applied ORDER BY applied_at"
            return list(db.execute(query))

    def deliveries(self) -> list[tuple[str, int]]:
        """(batch id, duplicate) of every request that carried a batch."""
        with sqlite3.connect(self.db) as db:
            return list(db.execute("SELECT batch_id, duplicate FROM deliveries ORDER BY id"))


def env(**extra: str) -> dict[str, str]:
    """The environment of a CLI or receiver process: the test secret set."""
    return {**os.environ, SECRET_ENV: SECRET, "COLUMNS": "200", **extra}


@contextmanager
def receiver(
    folder: Path,
    *,
    faults: str | None = None,
    fault_sleep: float = 1.0,
    secrets: str = SECRET,
    name: str = "receiver",
) -> Iterator[RunningReceiver]:
    """The reference receiver (``watchlist receiver``) on a free loopback port."""
    db = folder / f"{name}.db"
    command = [sys.executable, "-m", "watchlist", "receiver", "--port", "0"]
    command += ["--secret-env", SECRET_ENV, "--db", str(db), "--fault-sleep", str(fault_sleep)]
    if faults:
        command += ["--faults", faults, "--seed", "7"]
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env(**{SECRET_ENV: secrets}),
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert "listening on" in line, (line, process.stderr.read() if process.stderr else "")
        yield RunningReceiver(line.split("listening on", 1)[1].strip(), db, process)
    finally:
        process.terminate()
        process.communicate(timeout=10)  # waits, and closes the pipes


def write_config(path: Path, targets: dict[str, dict[str, object]]) -> Path:
    """A watchlist.toml with ``targets`` (string, number, bool and list values)."""
    lines = []
    for name, fields in targets.items():
        lines.append(f"[targets.{name}]")
        for key, value in fields.items():
            lines.append(f"{key} = {_toml(value)}")
        lines.append("")
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def _toml(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def target(url: str, **fields: object) -> dict[str, object]:
    """A loopback target's fields with fast retries (tests stay quick)."""
    base: dict[str, object] = {
        "endpoint": url,
        "secret_env": SECRET_ENV,
        "allow_private": True,
        "timeout": 5,
        "max_attempts": 30,
        "retry_wait_initial": 0.01,
        "retry_wait_max": 0.05,
    }
    return base | fields


def cli(*args: str, cwd: Path | None = None, **extra: str) -> subprocess.CompletedProcess[str]:
    """``python -m watchlist ARGS`` as a user runs it."""
    return subprocess.run(
        [sys.executable, "-m", "watchlist", *args],
        capture_output=True,
        text=True,
        env=env(**extra),
        cwd=cwd,
        timeout=600,
    )


def new_store(folder: Path) -> tuple[str, Store]:
    """A fresh SQLite store in ``folder``: its URL and the store."""
    url = f"sqlite:///{folder / 'watchlist.db'}"
    return url, open_store(url)


@dataclass
class Scripted:
    """A third-party endpoint answering from a script: (status, headers, body) per request;
    the last answer repeats. ``hits``: (method, path, headers, time) of each request."""

    url: str
    hits: list[tuple[str, str, dict[str, str], float]]


@contextmanager
def scripted(answers: list[tuple[int, dict[str, str], bytes]]) -> Iterator[Scripted]:
    """Serve ``answers`` on a free loopback port in a thread."""
    import threading
    import time
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    hits: list[tuple[str, str, dict[str, str], float]] = []
    queue = list(answers)

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            return

        def _answer(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            self.rfile.read(length)
            hits.append((self.command, self.path, dict(self.headers.items()), time.monotonic()))
            status, headers, body = queue.pop(0) if len(queue) > 1 else queue[0]
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_POST = do_GET = _answer

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Scripted(f"http://127.0.0.1:{server.server_address[1]}/hook", hits)
    finally:
        server.shutdown()
        server.server_close()
