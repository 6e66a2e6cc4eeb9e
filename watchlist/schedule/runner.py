"""``watchlist schedule``: each site's crawls on its cron, for months, unattended.

One long-running APScheduler 3 scheduler (``BackgroundScheduler``, a memory job store: one
scheduler process, nothing shared — the store's ``crawl_runs`` log is what survives a restart):

- a job per site on its cron (``timing``), with up to ``jitter`` seconds added to each fire time
  at random so that sites on the same cron do not all fire at once;
- each run is ``watchlist crawl NAME`` in its own process with a hard timeout (``child``);
- one run per site at a time (``max_instances=1``): a fire time that comes while the site's
  run is still going (or waiting for a free slot) is refused, counted and logged; so is a run
  whose site a crawl in another process is crawling (its ``crawl_runs`` row is open and alive);
- at most ``parallel`` crawls at once (the thread pool's size); the others wait their turn;
- missed runs coalesce: at start, a site whose next fire time after its last run has passed
  (the scheduler was down) runs once, however many fire times it missed; within a run of the
  scheduler APScheduler coalesces the same way (``coalesce=True``, no misfire grace limit);
- after a crawl that found changes, the sync (``sync_hook``);
- SIGTERM (or Ctrl-C) drains: no new run starts, running crawls get SIGTERM (they store what
  they fetched and resume next time), SIGKILL after ``grace`` seconds, then a summary, exit 0.

``once()`` runs whatever is due now (a site never run is due) and returns: for cron and systemd
timers.
"""

from __future__ import annotations

import logging
import random
import signal
import threading
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import FrameType
from typing import Any

from watchlist.schedule.child import Child, Outcome
from watchlist.schedule.sync_hook import SyncHook
from watchlist.schedule.timing import DEFAULT_SCHEDULE, Due, cron_trigger, due_now, schedule_of
from watchlist.sites import SiteConfig
from watchlist.store import open_store
from watchlist.store.feed import last_seq
from watchlist.store.run_history import last_started

log = logging.getLogger("watchlist.schedule")


@dataclass(frozen=True, slots=True)
class ScheduleOptions:
    """How the scheduler runs (``watchlist schedule``'s options)."""

    database_url: str
    seeds_dir: Path
    parallel: int = 2  # crawls at once
    timeout: float = 7200.0  # seconds one crawl may run before it is stopped
    grace: float = 60.0  # seconds a stopped crawl (or sync) has to finish before SIGKILL
    jitter: float = 120.0  # at most this many seconds added to each fire time
    default_schedule: str = DEFAULT_SCHEDULE
    sync_config: Path | None = None  # the targets file; None: nothing to sync
    sync_timeout: float = 1800.0
    seconds: bool = False  # the test clock (timing.py)


@dataclass(slots=True)
class Tally:
    """What the scheduler did, counted (the summary)."""

    started: int = 0
    ok: int = 0
    failed: int = 0
    timed_out: int = 0
    stopped: int = 0  # by a drain: they resume next time
    killed: int = 0  # did not stop within the grace period
    overlaps: int = 0  # refused: the site's previous run was still going
    not_started: int = 0  # due or queued when the drain began
    syncs: int = 0
    syncs_failed: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, **counts: int) -> None:
        """Add to the counters (thread-safe)."""
        with self._lock:
            for name, n in counts.items():
                setattr(self, name, getattr(self, name) + n)

    @property
    def failures(self) -> int:
        """Crawls that failed or timed out, and syncs that failed."""
        return self.failed + self.timed_out + self.syncs_failed

    def line(self) -> str:
        """The summary in one line."""
        parts = [
            f"{self.started} crawls started: {self.ok} ok, {self.failed} failed, "
            f"{self.timed_out} timed out, {self.stopped} stopped by the drain "
            f"(they resume next time)",
            f"{self.killed} killed after the grace period",
            f"{self.overlaps} overlapping runs refused",
            f"{self.not_started} not started (draining)",
            f"{self.syncs} syncs ({self.syncs_failed} failed)",
        ]
        return "; ".join(parts)


class Scheduler:
    """The sites' crawls on their crons (see the module's docstring)."""

    def __init__(self, sites: Iterable[SiteConfig], options: ScheduleOptions) -> None:
        self.options = options
        self.sites = {site.name: site for site in sites}
        self.crons = {
            name: schedule_of(site, options.default_schedule) for name, site in self.sites.items()
        }
        # Checked now, for every site: a schedule the scheduler cannot keep fails the start.
        self.triggers = {
            name: cron_trigger(cron, seconds=options.seconds, site=name)
            for name, cron in self.crons.items()
        }
        self.store = open_store(options.database_url, create=True)
        self.tally = Tally()
        self.draining = threading.Event()
        self.stop_requested = threading.Event()
        self._lock = threading.Lock()
        self._children: dict[str, Child] = {}
        self.sync = SyncHook(
            options.sync_config,
            options.database_url,
            options.sync_timeout,
            options.grace,
            self.draining,
            on_done=lambda o: self.tally.add(syncs=1, syncs_failed=0 if o.ok else 1),
        )

    # -- what is due ------------------------------------------------------------------------

    def due(self, now: datetime) -> list[Due]:
        """Each site: due now or not, and why."""
        last = last_started(self.store)
        return [due_now(name, self.triggers[name], last.get(name), now) for name in self.sites]

    # -- one run ----------------------------------------------------------------------------

    def run_site(self, name: str) -> None:
        """Crawl ``name`` in a subprocess (the job of a site), then the sync if it found changes."""
        if self.draining.is_set():
            self.tally.add(not_started=1)
            log.info("%s: not started: draining", name)
            return
        elsewhere = self._running_elsewhere(name)
        if elsewhere is not None:
            self.tally.add(overlaps=1)
            log.warning("%s: already being crawled (%s): this run is refused", name, elsewhere)
            return
        args = ["crawl", name, "--seeds", str(self.options.seeds_dir)]
        child = Child(name, [*args, "--db", self.options.database_url])
        with self._lock:
            if self.draining.is_set():
                self.tally.add(not_started=1)
                return
            if name in self._children:
                self.tally.add(overlaps=1)
                log.warning("%s: its previous run is still going: this run is refused", name)
                return
            self._children[name] = child
        self.tally.add(started=1)
        before = last_seq(self.store)
        log.info("%s: crawl started", name)
        try:
            outcome = child.run(self.options.timeout, self.options.grace)
        finally:
            with self._lock:
                self._children.pop(name, None)
        if outcome.code != 0 and child.pid is not None:
            self._close_left_rows(name, child.pid, outcome)
        self._count(name, outcome)
        self.sync.after_crawl(name, last_seq(self.store) > before)

    def _count(self, name: str, outcome: Outcome) -> None:
        took = f"after {outcome.elapsed:.1f}s"
        killed = " (killed: it did not stop within the grace period)" if outcome.killed else ""
        self.tally.add(killed=int(outcome.killed))
        if outcome.stopped:
            self.tally.add(stopped=1)
            log.info("%s: stopped by the drain %s%s; it resumes next time", name, took, killed)
        elif outcome.timed_out:
            self.tally.add(timed_out=1)
            log.warning("%s: timed out %s%s; the next run resumes its work", name, took, killed)
        elif outcome.code == 0:
            self.tally.add(ok=1)
            log.info("%s: crawl finished %s: ok", name, took)
        else:
            self.tally.add(failed=1)
            log.warning("%s: crawl failed %s (exit %d)", name, took, outcome.code)

    def _close_left_rows(self, name: str, pid: int, outcome: Outcome) -> None:
        """Mark interrupted the rows the exited crawl left open (killed, or signalled before
        it could close them), so none stays ``running`` until the next crawl's start."""
        from crawlers.run_log import close_runs_of  # no Scrapy: store and process checks only

        how = "killed after its grace period" if outcome.killed else f"exit {outcome.code}"
        why = f"the crawl (pid {pid}) ended ({how}) without closing its row"
        for run in close_runs_of(self.store, name, pid, why):
            log.warning("%s: the run started %s was left open: marked interrupted", name,
                        f"{run.started_at:%Y-%m-%d %H:%M:%S}")  # fmt: skip

    def _running_elsewhere(self, name: str) -> str | None:
        """Which live process another crawl of ``name`` runs in, if one does."""
        from crawlers.run_log import STALE_AFTER, is_alive  # no Scrapy: process checks only
        from watchlist.store.runs import open_runs

        now = datetime.now(UTC)
        for run in open_runs(self.store):
            if run.site != name:
                continue
            alive = is_alive(dict(run.process))
            if alive or (alive is None and now - run.heard_at < STALE_AFTER):
                where = f"pid {run.process.get('pid', '?')} on {run.process.get('host', '?')}"
                return f"{where}, started {run.started_at:%Y-%m-%d %H:%M:%S} UTC"
        return None

    # -- the two modes ----------------------------------------------------------------------

    def serve(self) -> Tally:
        """Run until SIGTERM or SIGINT, then drain; the tally."""
        from apscheduler.events import EVENT_JOB_MAX_INSTANCES, JobSubmissionEvent
        from apscheduler.executors.pool import ThreadPoolExecutor as Pool
        from apscheduler.schedulers.background import BackgroundScheduler

        scheduler = BackgroundScheduler(
            executors={"default": Pool(self.options.parallel)},
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
            timezone=UTC,
        )

        def refused(event: JobSubmissionEvent) -> None:
            self.tally.add(overlaps=1)
            times = event.scheduled_run_times or [datetime.now(UTC)]
            log.warning(
                "%s: its previous run is still going (or waiting for a free slot): the run "
                "due at %s is refused",
                event.job_id,
                f"{times[-1]:%Y-%m-%d %H:%M:%S}",
            )

        scheduler.add_listener(refused, EVENT_JOB_MAX_INSTANCES)
        now = datetime.now(UTC)
        for due in self.due(now):
            trigger = cron_trigger(
                self.crons[due.site],
                seconds=self.options.seconds,
                jitter=self.options.jitter,
                site=due.site,
            )
            extra: dict[str, Any] = {}
            if due.due:
                delay = random.uniform(0, self.options.jitter)
                extra["next_run_time"] = now + timedelta(seconds=delay)
                coalesced = (
                    f" ({due.missed} missed runs coalesced into one)" if due.missed > 1 else ""
                )
                log.info("%s: %s: runs now%s", due.site, due.reason, coalesced)
            scheduler.add_job(
                self.run_site, trigger, args=[due.site], id=due.site, name=due.site, **extra
            )
        with _signals(self):
            scheduler.start()
            for job in scheduler.get_jobs():
                log.info(
                    "%s: on %r%s; next run at %s",
                    job.id,
                    self.crons[job.id],
                    "" if self.sites[job.id].schedule else " (the default)",
                    f"{job.next_run_time:%Y-%m-%d %H:%M:%S} UTC",
                )
            log.info(
                "scheduler started: %d sites, up to %d crawls at once; SIGTERM drains",
                len(self.sites),
                self.options.parallel,
            )
            while not self.stop_requested.wait(0.5):
                pass
            scheduler.pause()
            self._drain()
            scheduler.shutdown(wait=True)
        self.store.close()
        return self.tally

    def once(self) -> Tally:
        """Run whatever is due now, at most ``parallel`` at once; the tally."""
        dues = self.due(datetime.now(UTC))
        for due in dues:
            coalesced = f" ({due.missed} missed runs coalesced into one)" if due.missed > 1 else ""
            log.info("%s: %s%s", due.site, due.reason, coalesced)
        names = [due.site for due in dues if due.due]
        if not names:
            log.info("nothing is due")
        with _signals(self), ThreadPoolExecutor(max(1, self.options.parallel)) as pool:
            futures = [pool.submit(self.run_site, name) for name in names]
            while wait(futures, timeout=0.5).not_done:
                if self.stop_requested.is_set() and not self.draining.is_set():
                    self._drain()
            for future in futures:
                future.result()  # a bug in a run surfaces here, not silently
        self.store.close()
        return self.tally

    def request_stop(self, signum: int, _frame: FrameType | None = None) -> None:
        """The signal handler: drain (once; a second signal is only logged)."""
        name = signal.Signals(signum).name
        if self.stop_requested.is_set():
            log.info("%s: already draining", name)
            return
        log.info("%s: draining: no new runs; running crawls are stopped and resume next time", name)
        self.stop_requested.set()

    def _drain(self) -> None:
        with self._lock:
            self.draining.set()
            running = list(self._children.items())
        for name, child in running:
            log.info("%s: stopping (SIGTERM; SIGKILL after %gs)", name, self.options.grace)
            child.stop()
        self.sync.stop()


class _signals:
    """SIGTERM and SIGINT drain ``scheduler`` while the block runs (the main thread only)."""

    def __init__(self, scheduler: Scheduler) -> None:
        self.scheduler = scheduler
        self.saved: dict[int, Any] = {}

    def __enter__(self) -> None:
        for signum in (signal.SIGTERM, signal.SIGINT):
            self.saved[signum] = signal.signal(signum, self.scheduler.request_stop)

    def __exit__(self, *_exc: object) -> None:
        for signum, handler in self.saved.items():
            signal.signal(signum, handler)
