"""Which crawl process a ``crawl_runs`` row belongs to, and whether that process is still alive.

A crawl opens its sites' rows at the start (``watchlist.store.runs``) naming its process: host,
boot, pid and the process's start time (a pid is reused; pid and start time together are not).
Before opening its own rows, every crawl looks at the rows still marked running and marks
interrupted those whose process is gone: on this machine that is certain (no such pid, or a pid
started at another time, or the machine rebooted since); for a crawl on another machine sharing
the database, it is a row not heard of for :data:`STALE_AFTER` (a live crawl refreshes its rows
every :data:`HEARTBEAT_SECONDS`). Two crawls at once — of different sites or of the same one —
each keep their own rows and leave the other's alone.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from watchlist.store import Store
from watchlist.store.runs import OpenRun, interrupt_run, open_runs

HEARTBEAT_SECONDS = 30.0
STALE_AFTER = timedelta(minutes=10)


@dataclass(frozen=True, slots=True)
class Interrupted:
    """An earlier crawl found interrupted (and now marked so)."""

    site: str
    started_at: datetime


def this_process() -> dict[str, Any]:
    """What names this process in a ``crawl_runs`` row."""
    pid = os.getpid()
    return {"host": socket.gethostname(), "boot": _boot_id(), "pid": pid, "since": _since(pid)}


def _boot_id() -> str | None:
    try:
        return Path("/proc/sys/kernel/random/boot_id").read_text().strip() or None
    except OSError:
        return None


def _since(pid: int) -> int | None:
    """When process ``pid`` started, in clock ticks since boot (Linux), or None."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[-1].split()  # the command name may hold spaces and ")"
    try:
        return int(fields[19])  # field 22 of the line; the first two are before the ")"
    except (IndexError, ValueError):
        return None


def is_alive(process: dict[str, Any] | Any) -> bool | None:
    """Whether the process a row names still runs; None when this machine cannot tell."""
    if not isinstance(process, dict) or process.get("host") != socket.gethostname():
        return None
    pid = process.get("pid")
    if not isinstance(pid, int) or pid <= 0:
        return None
    boot = _boot_id()
    if boot is not None and process.get("boot") not in (None, boot):
        return False  # the machine rebooted since
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # another user's process: it exists
    since = process.get("since")
    return since is None or _since(pid) in (None, since)


def close_dead_runs(store: Store, now: datetime) -> list[Interrupted]:
    """Mark interrupted every row left running by a crawl that is gone; those marked."""

    def gone(run: OpenRun) -> bool:
        alive = is_alive(run.process)
        return not (now - run.heard_at < STALE_AFTER if alive is None else alive)

    def problem(run: OpenRun) -> str:
        pid = run.process.get("pid", "?")
        host = run.process.get("host", "?")
        return (
            f"interrupted: the crawl (pid {pid} on {host}) stopped before it finished; "
            f"last heard of at {run.heard_at:%Y-%m-%d %H:%M:%S}"
        )

    return _interrupt(store, [run for run in open_runs(store) if gone(run)], problem)


def close_runs_of(store: Store, site: str, pid: int, why: str) -> list[Interrupted]:
    """Mark interrupted the rows of ``site`` that the process ``pid`` (a crawl that has
    exited) left running, with ``why``; those marked. A crawl closes its own row, even when
    stopped; one killed, or stopped in the instant between opening its row and taking the
    signal over, cannot."""
    left = [
        run
        for run in open_runs(store)
        if run.site == site and run.process.get("pid") == pid and not is_alive(run.process)
    ]
    return _interrupt(
        store,
        left,
        lambda run: f"interrupted: {why}; last heard of at {run.heard_at:%Y-%m-%d %H:%M:%S}",
    )


def _interrupt(
    store: Store, runs: list[OpenRun], problem: Callable[[OpenRun], str]
) -> list[Interrupted]:
    """Mark each of ``runs`` interrupted with its ``problem``; those still open to be marked."""
    marked: list[Interrupted] = []
    for run in runs:
        if interrupt_run(store, run.id, problem(run)):
            marked.append(Interrupted(run.site, run.started_at))
    return marked
