"""One ``watchlist`` command in its own process, with a hard timeout and a clean stop.

Every crawl the scheduler starts is ``python -m watchlist crawl NAME`` in a subprocess (the
Twisted reactor cannot start twice in a process, and a crawl that leaks or hangs takes only its
own process down); so is every sync. The child runs in a session of its own, so that a Ctrl-C
on the scheduler's terminal reaches the scheduler only: the scheduler decides when a child
stops. Stopping is SIGTERM first — ``watchlist crawl`` then finishes its requests in flight,
stores them, marks its ``crawl_runs`` row interrupted and exits 130; the next crawl resumes from
what it stored — and SIGKILL after ``grace`` seconds (a crawl is kill-safe too: each thread's
mark is saved with its posts). Its output is relayed line by line to the log, prefixed with its
label and made inert.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass

from watchlist.inert import neutralize

log = logging.getLogger("watchlist.schedule")
POLL_SECONDS = 0.2


@dataclass(frozen=True, slots=True)
class Outcome:
    """How a child ended: its exit code (negative: killed by that signal) and why it stopped."""

    code: int
    elapsed: float
    timed_out: bool = False  # it ran past its timeout and was stopped
    stopped: bool = False  # the scheduler stopped it (a drain)
    killed: bool = False  # it did not stop within the grace period after SIGTERM: SIGKILL

    @property
    def ok(self) -> bool:
        """Whether it ran to its end and exited 0."""
        return self.code == 0 and not (self.timed_out or self.stopped)


class Child:
    """``python -m watchlist ARGS`` run by :meth:`run` in the calling thread."""

    def __init__(self, label: str, args: list[str], env: dict[str, str] | None = None) -> None:
        self.label = label
        self.argv = [sys.executable, "-m", "watchlist", *args]
        # A summary table as wide as it wants (a pipe is 80 columns by default): lines stay whole.
        self.env = {"COLUMNS": "160", **os.environ, **(env or {})}
        self._stop = threading.Event()
        self.pid: int | None = None

    def stop(self) -> None:
        """Ask the child to stop (from any thread): :meth:`run` sends it SIGTERM."""
        self._stop.set()

    def run(self, timeout: float, grace: float) -> Outcome:
        """Start the child and wait for it: SIGTERM after ``timeout`` seconds or on
        :meth:`stop`, SIGKILL ``grace`` seconds after that."""
        started = time.monotonic()
        if self._stop.is_set():
            return Outcome(0, 0.0, stopped=True)
        process = subprocess.Popen(
            self.argv,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            env=self.env,
            start_new_session=True,
            text=True,
            encoding="utf-8",
            errors="replace",
        )
        self.pid = process.pid
        relay = threading.Thread(target=self._relay, args=(process,), daemon=True)
        relay.start()
        timed_out = stopped = killed = False
        terminated_at: float | None = None
        while True:
            try:
                code = process.wait(timeout=POLL_SECONDS)
                break
            except subprocess.TimeoutExpired:
                pass
            now = time.monotonic()
            if terminated_at is None:
                if self._stop.is_set():
                    stopped = True
                elif now - started >= timeout:
                    timed_out = True
                    log.warning("%s: ran past its timeout of %gs: stopping it", self.label, timeout)
                if stopped or timed_out:
                    process.send_signal(signal.SIGTERM)
                    terminated_at = now
            elif not killed and now - terminated_at >= grace:
                log.warning("%s: still running %gs after SIGTERM: killed", self.label, grace)
                with contextlib.suppress(ProcessLookupError):  # a browser it started too
                    os.killpg(process.pid, signal.SIGKILL)
                killed = True
        relay.join(timeout=5)
        return Outcome(code, time.monotonic() - started, timed_out, stopped, killed)

    def _relay(self, process: subprocess.Popen[str]) -> None:
        assert process.stdout is not None
        with process.stdout:
            for line in process.stdout:
                text = neutralize(line.rstrip("\n"), keep_newlines=False)
                if text.strip():
                    log.info("%s | %s", self.label, text)
