"""The sync the scheduler runs after a crawl that found changes.

A crawl *found changes* when the change log (``changes``, what the sync sends) grew while it ran:
a confirmed entry seen again has new evidence and a new ``last_seen``. New entries wait for a
review and are not sent, so a crawl that found only those starts no sync. The sync is
``watchlist sync`` (every target of the targets file) in a subprocess, like the crawls and for
the same reasons: a hard timeout (a target that hangs cannot stall the scheduler), a crash or a
leak stays in that process, and the sync is built to be killed at any moment (each batch is
stored before it is sent and sent again with the same id), so a timeout or a drain loses
nothing. It sends everything after each target's cursor, review decisions made since the last
sync included.

One sync at a time: a request that comes while one runs makes it run once more afterwards
(requests coalesce; none is dropped). Without a targets file there is nothing to sync: the log
says so once per crawl.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path

from watchlist.schedule.child import Child, Outcome

log = logging.getLogger("watchlist.schedule")


class SyncHook:
    """Runs ``watchlist sync`` when asked, one at a time; counts the runs and the failures."""

    def __init__(
        self,
        config: Path | None,
        database_url: str,
        timeout: float,
        grace: float,
        draining: threading.Event,
        on_done: Callable[[Outcome], None] | None = None,
    ) -> None:
        self.config = config
        self.database_url = database_url
        self.timeout = timeout
        self.grace = grace
        self.draining = draining
        self.on_done = on_done
        self._wanted = threading.Event()
        self._running = threading.Lock()
        self._child: Child | None = None

    def after_crawl(self, site: str, changed: bool) -> None:
        """Called by the thread of a crawl of ``site`` when it has ended."""
        if not changed:
            log.info("%s: no changes for the enforcement side: no sync", site)
            return
        if self.config is None:
            log.info("%s: changes found; no watchlist.toml: nothing to sync", site)
            return
        if self.draining.is_set():
            log.info("%s: changes found; draining: the next sync sends them", site)
            return
        self._wanted.set()
        while self._wanted.is_set() and self._running.acquire(blocking=False):
            try:
                while self._wanted.is_set() and not self.draining.is_set():
                    self._wanted.clear()
                    self._sync_once()
            finally:
                self._running.release()
            # a request that came just before the release finds the lock free on this loop

    def stop(self) -> None:
        """Stop a sync that is running (a drain): it resumes from its cursor next time."""
        child = self._child
        if child is not None:
            child.stop()

    def _sync_once(self) -> None:
        assert self.config is not None
        args = ["sync", "--config", str(self.config), "--db", self.database_url]
        self._child = Child("sync", args)
        log.info("sync: sending the changes to every target of %s", self.config)
        try:
            outcome = self._child.run(self.timeout, self.grace)
        finally:
            self._child = None
        if outcome.ok:
            log.info("sync: done in %.1fs", outcome.elapsed)
        else:
            why = "timed out" if outcome.timed_out else f"exit {outcome.code}"
            log.warning("sync: failed (%s); the next sync goes on from each cursor", why)
        if self.on_done is not None:
            self.on_done(outcome)
