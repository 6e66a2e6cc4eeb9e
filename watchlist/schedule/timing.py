"""When a site's crawls run: its cron as an APScheduler trigger, what is due, its interval.

A site's ``schedule`` is a five-field crontab line in UTC (``DEFAULT_SCHEDULE`` when it has
none). It is expanded by croniter — the library that validated it — and handed to APScheduler's
:class:`CronTrigger` field by field: APScheduler 3 numbers weekdays from Monday (crontab from
Sunday) and ``CronTrigger.from_crontab`` takes no jitter, so neither raw string is passed on.
Two cron features have no faithful trigger and are refused with the site named: a day of the
month *and* a day of the week together (cron fires on either; APScheduler on both), and
``#``/``L`` weekdays.

``seconds=True`` is the test clock (``watchlist schedule --seconds-resolution``): every field
moves one unit down — the minute field counts seconds, the hour field minutes — so that
``*/2 * * * *`` fires every two seconds. It exists for tests; never use it in production.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from apscheduler.triggers.cron import CronTrigger

from watchlist.errors import ConfigError
from watchlist.sites import SiteConfig

DEFAULT_SCHEDULE = "0 */6 * * *"  # every six hours, on the hour (UTC)
_WEEKDAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")  # crontab's 0..6
_SAMPLES = 12  # fire times looked at to find a schedule's interval


def schedule_of(site: SiteConfig, default: str = DEFAULT_SCHEDULE) -> str:
    """The cron line a site runs on: its own, else ``default``."""
    return site.schedule or default


def cron_trigger(
    expression: str, *, seconds: bool = False, jitter: float | None = None, site: str = "?"
) -> CronTrigger:
    """The trigger of a five-field cron line (see the module's docstring); ConfigError if it
    cannot be one. ``jitter``: up to this many seconds added to each fire time at random."""
    from croniter import croniter

    try:
        expanded, nth_weekday = croniter.expand(expression)[:2]
    except (ValueError, KeyError, TypeError) as exc:
        raise ConfigError(f"site {site!r}: schedule {expression!r} is not a cron line") from exc
    if len(expanded) != 5:
        raise ConfigError(f"site {site!r}: schedule {expression!r} is not a five-field cron line")
    minute, hour, day, month, weekday = (_field(values) for values in expanded)
    if nth_weekday or any(v not in ("*", *map(str, range(60))) for v in _atoms(expanded[2])):
        raise ConfigError(
            f"site {site!r}: schedule {expression!r}: '#' and 'L' days are not supported"
        )
    if day != "*" and weekday != "*":
        raise ConfigError(
            f"site {site!r}: schedule {expression!r} names both days of the month and days of "
            "the week (cron runs on either, the scheduler could only run on both): use one"
        )
    if weekday != "*":
        weekday = ",".join(_WEEKDAYS[int(v) % 7] for v in expanded[4])
    fields: dict[str, Any] = {"day": day, "month": month, "day_of_week": weekday}
    if seconds:
        fields |= {"second": minute, "minute": hour}
    else:
        fields |= {"second": "0", "minute": minute, "hour": hour}
    return CronTrigger(**fields, timezone=UTC, jitter=int(jitter) if jitter else None)


def _field(values: list[Any]) -> str:
    return "*" if values == ["*"] else ",".join(str(v) for v in values)


def _atoms(values: list[Any]) -> list[str]:
    return [str(v) for v in values]


@dataclass(frozen=True, slots=True)
class Due:
    """Whether a site's crawl is due now, and why (for the log)."""

    site: str
    due: bool
    reason: str
    missed: int = 0  # fire times since the last run (more than one: coalesced into one run)


def due_now(site: str, trigger: CronTrigger, last_started: datetime | None, now: datetime) -> Due:
    """Is ``site`` due at ``now``? Never run: yes. Else when the first fire time after its last
    run (``last_started``, a run that ran to an end) is not ahead of ``now``."""
    if last_started is None:
        return Due(site, True, "never run", 1)
    following = trigger.get_next_fire_time(None, last_started + timedelta(microseconds=1))
    if following is None or following > now:
        ahead = f"next run at {following:%Y-%m-%d %H:%M:%S} UTC" if following else "no next run"
        return Due(site, False, f"not due: {ahead} (last run {last_started:%Y-%m-%d %H:%M:%S})")
    missed = 0
    fire: datetime | None = following
    while fire is not None and fire <= now and missed < 10_000:
        missed += 1
        fire = trigger.get_next_fire_time(fire, fire + timedelta(microseconds=1))
    return Due(
        site,
        True,
        f"due since {following:%Y-%m-%d %H:%M:%S} UTC (last run {last_started:%Y-%m-%d %H:%M:%S})",
        missed,
    )


def interval_of(trigger: CronTrigger, now: datetime | None = None) -> timedelta:
    """A schedule's interval: the longest gap between its next fire times (a weekday schedule's
    is its weekend)."""
    fire = trigger.get_next_fire_time(None, now or datetime.now(UTC))
    longest = timedelta(0)
    for _ in range(_SAMPLES):
        if fire is None:
            break
        following = trigger.get_next_fire_time(fire, fire + timedelta(microseconds=1))
        if following is None:
            break
        longest = max(longest, following - fire)
        fire = following
    return longest
