"""Sync speed: changes/s from a store to the reference receiver on loopback, 1,000-change batches.

A generated SQLite store (``bench/review_world.py``) whose confirmed entries become change-log
rows (one ``upsert`` each, through ``set_status``) is synced to ``watchlist receiver`` (its own
process, its own SQLite) by the library (``watchlist.sync.run.sync``) in this process: twice,
once without faults and once with the receiver answering 30 % of batches with 503, 10 % with
silence past the client's timeout (after applying: the reply is lost) and 5 % with a connection
reset (after applying). Each run starts from cursor 0 on a fresh receiver database and is
checked: the receiver ends up holding exactly the confirmed set, no batch applied twice.

Usage: ``.venv/bin/python bench/sync_speed.py [--changes N]``. Target (issue 12): ≥ 5,000
changes/s without faults.
"""

from __future__ import annotations

import argparse
import base64
import os
import platform
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from review_world import generate

from watchlist.store import open_store, set_status
from watchlist.store.sync_state import confirmed_keys
from watchlist.sync.config import Target
from watchlist.sync.run import sync

SECRET = "whsec_" + base64.b64encode(b"bench-sync-secret-of-32-bytes!!!").decode()
SECRET_ENV = "WATCHLIST_BENCH_SYNC_SECRET"


def machine() -> str:
    """The CPU model, as lscpu names it."""
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, check=False).stdout
    except OSError:
        return platform.processor() or "?"
    for line in out.splitlines():
        if line.startswith("Model name"):
            return line.split(":", 1)[1].strip()
    return "?"


def build(folder: Path, changes: int) -> str:
    """A store whose change log holds ``changes`` upserts; its URL."""
    url = f"sqlite:///{folder / 'bench.db'}"
    store = open_store(url)
    generate(store, entries=changes, sightings=changes)
    connection = store.engine.raw_connection()
    try:  # the generator's statuses came without change-log rows: start every entry as new
        connection.execute("UPDATE entries SET status = 'new'")
        ids = [int(i) for (i,) in connection.execute("SELECT id FROM entries ORDER BY id")]
        connection.commit()
    finally:
        connection.close()
    set_status(store, ids, "confirmed", "bench")  # one upsert each in the change log
    return url


def run(url: str, folder: Path, faults: str | None, label: str, key: str) -> float:
    """One sync from cursor 0 into a fresh receiver; prints and returns changes/s."""
    db = folder / f"receiver-{key}.db"
    command = [sys.executable, "-m", "watchlist", "receiver", "--port", "0"]
    command += ["--secret-env", SECRET_ENV, "--db", str(db), "--fault-sleep", "0.6"]
    if faults:
        command += ["--faults", faults, "--seed", "3"]
    receiver = subprocess.Popen(
        command, stdout=subprocess.PIPE, text=True, env={**os.environ, SECRET_ENV: SECRET}
    )
    try:
        assert receiver.stdout is not None
        endpoint = receiver.stdout.readline().split("listening on", 1)[1].strip()
        target = Target(
            name=f"bench-{key}",
            endpoint=endpoint,
            secret_env=SECRET_ENV,
            allow_private=True,
            batch_size=1000,
            timeout=0.5,
            max_attempts=50,
            retry_wait_initial=0.01,
            retry_wait_max=0.05,
        )
        store = open_store(url)
        started = time.perf_counter()
        (report,) = sync(store, [target])
        seconds = time.perf_counter() - started
    finally:
        receiver.terminate()
        receiver.communicate(timeout=10)
    with sqlite3.connect(db) as conn:
        held = {(k, v) for k, v in conn.execute("SELECT kind, value FROM held")}
        applied = [b for (b,) in conn.execute("SELECT batch_id FROM applied")]
        duplicates = conn.execute("SELECT count(*) FROM deliveries WHERE duplicate").fetchone()[0]
    assert held == set(confirmed_keys(store)), "the receiver does not hold the confirmed set"
    assert len(applied) == len(set(applied)), "a batch was applied twice"
    rate = report.changes / seconds
    print(
        f"{label:<22} {report.changes:>8} changes in {seconds:6.2f} s = {rate:8.0f} changes/s  "
        f"({report.batches} batches, {report.retries} retries, {duplicates} replays deduped)"
    )
    return rate


def main() -> None:
    """Build the store, run both syncs, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--changes", type=int, default=50_000)
    args = parser.parse_args()
    os.environ[SECRET_ENV] = SECRET  # the targets read their secret from the environment
    print(f"# sync_speed {datetime.now(UTC):%Y-%m-%d %H:%M} UTC · {machine()}")
    print(f"# python {platform.python_version()} · load {os.getloadavg()[0]:.2f} (1 min)")
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        started = time.perf_counter()
        url = build(folder, args.changes)
        print(f"# store: {args.changes} changes logged in {time.perf_counter() - started:.1f} s")
        plain = run(url, folder, None, "no faults", "plain")
        faulty = run(url, folder, "0.3,0.1,0.05", "faults 30/10/5 %", "faults")
    print(f"target ≥ 5,000 changes/s without faults: {plain / 5000:.2f}× the target")
    print(f"with faults: {faulty / plain:.2f}× the fault-free rate")
    print(f"# load after: {os.getloadavg()[0]:.2f} (1 min)")


if __name__ == "__main__":
    main()
