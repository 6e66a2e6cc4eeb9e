"""The reference receiver's HTTP side: ``POST /`` takes batches, ``GET /`` answers reconcile.

Every request is verified with the ``standardwebhooks`` library (headers, a timestamp within
5 minutes, a ``v1`` signature over ``id.timestamp.body`` of the raw body under any of its
secrets): 401 when it does not verify, with the library's reason. A verified batch is applied
once (``ledger``): a replayed batch id is answered 200 with the first reply and not applied
again. The reply carries per-entry results ``{"results": [{"kind", "value", "result",
"reason"}]}``.

Fault mode (for tests and benchmarks): ``faults=(p5xx, ptimeout, preset)`` answers that share
of batches with 503 (before applying), with silence past the client's timeout (after applying:
the reply is lost), or with a connection reset (after applying), from a seeded generator.
"""

from __future__ import annotations

import contextlib
import json
import random
import socket
import struct
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from watchlist.receiver.ledger import Ledger
from watchlist.sync.signing import BadSignature, verify

BODY_MAX = 64 * 1024 * 1024
PAGE = 1000


@dataclass(frozen=True, slots=True)
class Faults:
    """Shares of batches answered 503, timed out, and reset; the generator's seed."""

    error: float = 0.0
    timeout: float = 0.0
    reset: float = 0.0
    seed: int = 1
    sleep: float = 2.0  # seconds of silence for a timeout (past the client's timeout)

    @classmethod
    def parse(cls, text: str | None, seed: int = 1, sleep: float = 2.0) -> Faults:
        """``"0.3,0.1,0.05"`` → 30 % 503, 10 % timeouts, 5 % resets."""
        if not text:
            return cls(seed=seed, sleep=sleep)
        parts = [float(p) for p in text.split(",")]
        if len(parts) != 3 or any(not 0 <= p <= 1 for p in parts) or sum(parts) > 1:
            raise ValueError("faults are three shares 0–1 (5xx,timeout,reset) summing to ≤ 1")
        return cls(parts[0], parts[1], parts[2], seed, sleep)


class Receiver(ThreadingHTTPServer):
    """The server: its secrets, ledger and fault generator."""

    daemon_threads = True
    request_queue_size = 1024  # ThreadingHTTPServer's 5 drops SYNs under load

    def __init__(
        self, address: tuple[str, int], secrets: tuple[str, ...], ledger: Ledger, faults: Faults
    ) -> None:
        super().__init__(address, _Handler)
        self.secrets = secrets
        self.ledger = ledger
        self.faults = faults
        self._rng = random.Random(faults.seed)
        self._rng_lock = threading.Lock()

    def fault(self) -> str | None:
        """The fault this batch gets, if any."""
        f = self.faults
        if not (f.error or f.timeout or f.reset):
            return None
        with self._rng_lock:
            draw = self._rng.random()
        if draw < f.error:
            return "error"
        if draw < f.error + f.timeout:
            return "timeout"
        if draw < f.error + f.timeout + f.reset:
            return "reset"
        return None


class _Handler(BaseHTTPRequestHandler):
    server: Receiver
    protocol_version = "HTTP/1.1"  # keep-alive: a sync reuses one connection

    def log_message(self, format: str, *args: Any) -> None:  # quiet: one line per batch is noise
        return

    def do_POST(self) -> None:
        body = self._body()
        if body is None:
            return
        if not self._verified(body):
            return
        try:
            batch = json.loads(body)
            if not isinstance(batch, dict) or not isinstance(batch.get("changes"), list):
                raise ValueError("not a batch")
            if str(batch.get("batch_id")) != self.headers.get("webhook-id"):
                raise ValueError("batch_id differs from webhook-id")
        except (ValueError, UnicodeDecodeError) as exc:
            self._json(400, {"error": f"not a batch: {exc}"})
            return
        fault = self.server.fault()
        if fault == "error":
            self._json(503, {"error": "fault mode: try again"})
            return
        reply, _duplicate = self.server.ledger.apply(batch)
        if fault == "timeout":
            time.sleep(self.server.faults.sleep)
            self.close_connection = True
            return
        if fault == "reset":
            self._reset()
            return
        self._json(200, reply)

    def do_GET(self) -> None:
        if not self._verified(b""):
            return
        query = parse_qs(urlsplit(self.path).query)
        try:
            cursor = int(query.get("cursor", ["0"])[0] or 0)
        except ValueError:
            self._json(400, {"error": "cursor must be a number"})
            return
        entries, following = self.server.ledger.page(cursor, PAGE)
        self._json(200, {"entries": entries, "next_cursor": following})

    def _body(self) -> bytes | None:
        try:
            length = int(self.headers.get("content-length") or 0)
        except ValueError:
            length = -1
        if not 0 <= length <= BODY_MAX:
            self._json(413, {"error": "body too large or no length"})
            self.close_connection = True
            return None
        return self.rfile.read(length)

    def _verified(self, body: bytes) -> bool:
        headers = {k.lower(): v for k, v in self.headers.items()}
        try:
            verify(self.server.secrets, body, headers)
        except BadSignature as exc:
            self._json(401, {"error": f"signature: {exc}"})
            return False
        return True

    def _json(self, status: int, payload: Any) -> None:
        data = json.dumps(payload, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _reset(self) -> None:
        """Close the socket with an RST (SO_LINGER 0), no reply."""
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.close_connection = True
        self.connection.close()

    def finish(self) -> None:
        with contextlib.suppress(OSError):  # the socket was reset on purpose, or the client left
            super().finish()

    def handle(self) -> None:
        try:
            super().handle()
        except (ConnectionError, OSError):  # writing to a client that gave up
            self.close_connection = True


def serve(
    host: str,
    port: int,
    secrets: tuple[str, ...],
    db: Path,
    faults: Faults | None = None,
    ready: Any = None,
) -> None:
    """Serve until interrupted; ``ready(url)`` is called once the socket listens."""
    ledger = Ledger(db)
    server = Receiver((host, port), secrets, ledger, faults or Faults())
    try:
        if ready is not None:
            bound_host, bound_port = server.server_address[:2]
            ready(f"http://{bound_host!s}:{bound_port}/")
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()
        ledger.close()
