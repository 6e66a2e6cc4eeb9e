"""The reference receiver's own SQLite: the list it holds and the batches it applied.

This is the *enforcement side's* database, not the watchlist store (which it never touches), so
it speaks plain ``sqlite3``. Tables: ``held`` (kind, value, status, seq: the list, one row per
value), ``applied`` (batch id, its seq range, when, and the reply it got: a replay is answered
the same and not applied again), ``deliveries`` (one row per request that carried a batch, with
whether it was applied or a duplicate: what the tests count).

A batch is applied in one transaction with its ``applied`` row, so it is applied entirely or
not at all, and exactly once.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS held (
    kind TEXT NOT NULL, value TEXT NOT NULL, status TEXT NOT NULL, seq INTEGER NOT NULL,
    PRIMARY KEY (kind, value));
CREATE TABLE IF NOT EXISTS applied (
    batch_id TEXT PRIMARY KEY, from_seq INTEGER, to_seq INTEGER, changes INTEGER,
    applied_at REAL NOT NULL, reply TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS deliveries (
    id INTEGER PRIMARY KEY, batch_id TEXT NOT NULL, duplicate INTEGER NOT NULL, at REAL NOT NULL);
"""
KINDS_MAX = 32
VALUE_MAX = 512


class Ledger:
    """The receiver's list, behind one lock (requests are served by several threads)."""

    def __init__(self, path: Path | str) -> None:
        self._lock = threading.Lock()
        self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(SCHEMA)

    def apply(self, batch: dict[str, Any]) -> tuple[dict[str, Any], bool]:
        """Apply ``batch`` once: (the reply, True if it was a duplicate and not applied)."""
        batch_id = str(batch["batch_id"])
        with self._lock:
            db = self._db
            db.execute("BEGIN IMMEDIATE")
            try:
                seen = db.execute(
                    "SELECT reply FROM applied WHERE batch_id = ?", (batch_id,)
                ).fetchone()
                if seen is not None:
                    db.execute(
                        "INSERT INTO deliveries (batch_id, duplicate, at) VALUES (?, 1, ?)",
                        (batch_id, time.time()),
                    )
                    db.execute("COMMIT")
                    reply: dict[str, Any] = json.loads(seen[0])
                    return {**reply, "duplicate": True}, True
                results = [self._change(db, change) for change in batch["changes"]]
                reply = {"batch_id": batch_id, "results": results}
                db.execute(
                    "INSERT INTO applied VALUES (?, ?, ?, ?, ?, ?)",
                    (
                        batch_id,
                        batch.get("from_seq"),
                        batch.get("to_seq"),
                        len(batch["changes"]),
                        time.time(),
                        json.dumps(reply),
                    ),
                )
                db.execute(
                    "INSERT INTO deliveries (batch_id, duplicate, at) VALUES (?, 0, ?)",
                    (batch_id, time.time()),
                )
                db.execute("COMMIT")
                return reply, False
            except BaseException:
                db.execute("ROLLBACK")
                raise

    @staticmethod
    def _change(db: sqlite3.Connection, change: Any) -> dict[str, Any]:
        entry = change.get("entry") if isinstance(change, dict) else None
        if not isinstance(entry, dict):
            return {"kind": None, "value": None, "result": "rejected", "reason": "no entry"}
        kind, value, op = entry.get("kind"), entry.get("value"), change.get("op")
        seq = change.get("seq")
        result = {"kind": kind, "value": value}
        if not (isinstance(kind, str) and isinstance(value, str)) or not kind or not value:
            return result | {"result": "rejected", "reason": "kind and value must be strings"}
        if len(kind) > KINDS_MAX or len(value) > VALUE_MAX:
            return result | {"result": "rejected", "reason": "kind or value too long"}
        if not isinstance(seq, int) or op not in ("upsert", "remove"):
            return result | {
                "result": "rejected",
                "reason": "seq must be a number, op upsert|remove",
            }
        row = db.execute(
            "SELECT seq FROM held WHERE kind = ? AND value = ?", (kind, value)
        ).fetchone()
        if row is not None and row[0] > seq:
            return result | {"result": "known", "reason": f"a later change (seq {row[0]}) holds"}
        if op == "remove":
            if row is None:
                return result | {"result": "known", "reason": "not held"}
            db.execute("DELETE FROM held WHERE kind = ? AND value = ?", (kind, value))
            return result | {"result": "accepted", "reason": "restriction lifted"}
        status = str(entry.get("status") or "confirmed")[:16]
        db.execute(
            "INSERT INTO held (kind, value, status, seq) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (kind, value) DO UPDATE SET status = excluded.status, seq = excluded.seq",
            (kind, value, status, seq),
        )
        if row is not None:
            return result | {"result": "known", "reason": "already restricted"}
        return result | {"result": "restricted", "reason": None}

    def page(self, cursor: int, limit: int) -> tuple[list[dict[str, str]], int | None]:
        """The held list after rowid ``cursor``: (entries, the next cursor or None)."""
        with self._lock:
            rows = self._db.execute(
                "SELECT rowid, kind, value, status FROM held WHERE rowid > ? "
                "ORDER BY rowid LIMIT ?",
                (cursor, limit + 1),
            ).fetchall()
        more = len(rows) > limit
        rows = rows[:limit]
        entries = [{"kind": k, "value": v, "status": s} for _, k, v, s in rows]
        return entries, (rows[-1][0] if more else None)

    def close(self) -> None:
        """Close the database."""
        with self._lock:
            self._db.close()
