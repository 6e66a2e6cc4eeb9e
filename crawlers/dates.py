"""Post times as forums and blogs write them, read to the minute in the site's time zone.

:func:`post_time` reads the candidate strings of one post (its ``datetime`` / ``data-time`` /
``title`` attributes, then its text) and keeps the first reading exact to the minute: the first
date the hand-written forms read in any candidate (not a time counted back from now), else the
first exact reading in the order given. Readers, fastest first:

1. Hand-written forms: ISO 8601 and ``2026-1-5 08:03`` / ``2026年1月5日 下午3:20`` /
   ``05.01.2026, 10:00`` / ``01-05-2026, 06:32 AM``; English dates (SMF, phpBB, XenForo,
   Django's ``July 7, 2025, 8:19 p.m.``, ``9 a.m.``, ``noon``, ``midnight``, ``Sept. 3``);
   relative times (``5m``, ``3h``, ``2 days ago``, ``刚刚``, ``3分钟前``, ``昨天 10:20``,
   ``Yesterday at 10:20 PM``); Unix timestamps.
2. ``dateparser`` for everything else, in the site's ``language`` (imported on first use: its
   import and first call take a fraction of a second). No language detection is configured, so
   it only reads its bundled locale data and never touches the network.

A time is never invented: a date without a clock (``Sept. 3``, ``2025-07-07``, ``2 days ago``)
gives no time (problem ``no_clock``), never midnight. Relative times count back from ``now``
(default: the current time) and are exact when they count seconds, minutes or hours. A clock
with no day (``9 a.m.``) is today's, or yesterday's if that is still to come; a month and day
with no year are the latest such day that is not in the future.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from datetime import timezone as dt_timezone
from functools import lru_cache
from typing import Any, Literal
from zoneinfo import ZoneInfo

Problem = Literal["missing", "unreadable", "no_clock"]
_NoClock = Literal["no_clock"]
_Reading = datetime | _NoClock | None
NO_CLOCK: _NoClock = "no_clock"
# How much of a candidate is read: a time is written near the start of its element, and the
# bound keeps a megabyte of hostile text to microseconds.
MAX_CANDIDATE_CHARS = 1_000
# What dateparser is handed: a longer candidate is a text blob, not a date string.
DATEPARSER_MAX_CHARS = 100
# A reading of a day the text did not name (no year, no day) may lie this far in the future.
_SKEW = timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class PostTime:
    """What was read from a post's time: ``at`` (aware, to the minute or better), or why not.

    ``problem``: ``missing`` (no candidate had any text), ``unreadable`` (text, but no date in
    it), ``no_clock`` (a date without a time of day); ``None`` when ``at`` is set.
    """

    at: datetime | None
    problem: Problem | None = None


def post_time(
    candidates: Iterable[str | None],
    timezone: str,
    *,
    language: str | None = None,
    now: datetime | None = None,
) -> PostTime:
    """The first reading, exact to the minute, of one post's candidate time strings.

    The hand-written forms read every candidate first; dateparser only when none of them gives
    an exact date (a time counted back from now, such as "7 hours ago", does not count there).
    ``candidates`` in the order the spider finds them (attributes first, then
    the text; a ``None`` is skipped); ``timezone``: the site's, used unless the text carries an
    offset; ``language``: the site's (a dateparser code such as ``zh``, ``ru``), for the
    fallback. Only the first :data:`MAX_CANDIDATE_CHARS` characters of a candidate are read.
    Without an exact reading, ``at`` is ``None`` and ``problem`` says why.
    """
    zone = ZoneInfo(timezone)
    texts = [c.strip()[:MAX_CANDIDATE_CHARS].rstrip() for c in candidates if c]
    # The hand-written forms first, over every candidate: dateparser (about a millisecond a
    # call) reads only when none of them gives an exact time that is no count back from now.
    # An attribute that holds no date (SMF's title="Reply #1 - Re: …") then costs it no call
    # when the text's date is plain, and an attribute's date still wins over the text's
    # "7 hours ago" (MyBB).
    base = now if now is not None else datetime.now(UTC)
    fast: list[tuple[str, _Reading, str | None, _Reading]] = []  # each read once, kept for below
    for text in texts:
        whole = _fast_reading(text, zone, base) if text else None
        head, head_reading = None, None
        if not isinstance(whole, datetime) and "(" in text:  # MyBB: "… (last modified: …)"
            head = text.split("(")[0].rstrip(" ,")
            head_reading = _fast_reading(head, zone, base)
        exact, read = (whole, text) if isinstance(whole, datetime) else (head_reading, head)
        if isinstance(exact, datetime) and read is not None and _absolute(exact, read, zone, base):
            return PostTime(exact)
        fast.append((text, whole, head, head_reading))
    problem: Problem = "missing"
    for text, whole, head, head_reading in fast:
        if not text:
            continue
        reading = _read_further(text, whole, timezone, language, base)
        if not isinstance(reading, datetime) and head is not None:
            reading = _read_further(head, head_reading, timezone, language, base)
        if isinstance(reading, datetime):
            return PostTime(reading)
        if reading == NO_CLOCK:
            problem = "no_clock"
        elif problem == "missing":
            problem = "unreadable"
    return PostTime(None, problem)


_ANOTHER_NOW = timedelta(days=400, hours=7, minutes=13)


def _absolute(reading: datetime, text: str, zone: tzinfo, now: datetime) -> bool:
    """Whether the hand-written forms' ``reading`` of ``text`` does not count back from ``now``
    (it reads the same from another now): a date, not "7 hours ago" or "9 a.m."."""
    return reading == _fast_reading(text, zone, now - _ANOTHER_NOW)


def _read_further(
    text: str, fast: _Reading, timezone: str, language: str | None, now: datetime
) -> _Reading:
    """A candidate's reading: the hand-written forms' (``fast``), else dateparser's."""
    if fast is None or (fast == NO_CLOCK and _CLOCK_HINT.search(text)):
        return _dateparser_reading(text, timezone, language, now) or fast
    return fast


def parse_datetime(text: str, timezone: str) -> datetime | None:
    """The first time in ``text`` exact to the minute (:func:`post_time` of one candidate)."""
    return post_time((text,), timezone).at


def _now(now: datetime | None, zone: tzinfo) -> datetime:
    """``now`` in the site's zone, to the minute: what relative times count back from."""
    moment = now.astimezone(zone) if now is not None else datetime.now(zone)
    return moment.replace(second=0, microsecond=0)


# ---- hand-written forms -------------------------------------------------------------------

_MONTH_NAMES = [  # English, never the locale's (calendar.month_name follows LC_TIME)
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
]
_MONTHS = {
    **{name: n for n, name in enumerate(_MONTH_NAMES, 1)},
    **{name[:3]: n for n, name in enumerate(_MONTH_NAMES, 1)},
    "sept": 9,
}
_MONTH = "|".join(sorted(_MONTHS, key=len, reverse=True))
_ZONE = r"(?:Z|(?:UTC|GMT)(?:\s?[+-]\d{1,2}(?::?\d{2})?)?|[+-]\d{2}:?\d{2})(?![\w:])"
_MERIDIEM_ZH = {"上午": 0, "早上": 0, "凌晨": 0, "中午": 12, "下午": 12, "晚上": 12}


def _clock(p: str) -> str:
    """A time of day, its groups named with prefix ``p``: ``20:19[:05]``, ``8:19 p.m.``,
    ``9 a.m.``, ``下午3:20``, ``noon``, ``midnight``; then an optional offset."""
    ampm = r"[ap]\.?\s?m\b\.?"
    return (
        rf"(?:(?P<{p}zh>{'|'.join(_MERIDIEM_ZH)})\s{{0,2}})?"
        rf"(?:(?P<{p}h>\d{{1,2}}):(?P<{p}m>\d{{2}})(?::(?P<{p}s>\d{{2}}))?(?:[.,]\d+)?"
        rf"(?:\s?(?P<{p}ap>{ampm}))?"
        rf"|(?P<{p}h2>\d{{1,2}})\s?(?P<{p}ap2>{ampm})"
        rf"|(?P<{p}word>noon|midnight))"
        rf"(?:\s?(?P<{p}zone>{_ZONE}))?"
    )


# Between a date and its clock: "T", ", ", " at ", " - ", " в ", " um ", "@".
_JOIN = r"(?:T|,?\s{0,3}(?:(?:[-@|·]|[^\W\d_]{1,5}\.?)\s{1,3})?)"
_DATE = re.compile(  # 2026-1-5, 2026/01/05, 2026.01.05, 2026年1月5日; 05.01.2026 (day first);
    # 01-05-2026 (month first, MyBB's and vBulletin's default, as dateparser reads it in every
    # language: the day first only when the first number cannot be a month)
    r"(?<!\d)(?:(\d{4})[-/年.](\d{1,2})[-/月.](\d{1,2})(?!\d)日?|(\d{1,2})\.(\d{1,2})\.(\d{4})(?!\d)"
    r"|(\d{1,2})-(\d{1,2})-(\d{4})(?!\d))"
)
_PLAIN_CLOCK = re.compile(  # " 10:20[:30]" and nothing more: most forum times, read fast
    r"(?:\s{1,3}|T)(\d{1,2}):(\d{2})(?::(\d{2}))?(?![\d.,:]|\s?(?:[ap]\.?\s?m\b|[-+]\d|z\b|utc|gmt))",
    re.IGNORECASE,
)
_DATE_CLOCK = re.compile(f"{_JOIN}{_clock('')}", re.IGNORECASE)  # any clock after a date
_NO_YEAR = re.compile(  # 7月3日 [10:20], 07-03 10:20 (a clock is needed after the dash form)
    rf"(?<![\d-])(?:(?P<mo>\d{{1,2}})月(?P<d>\d{{1,2}})日(?:{_JOIN}{_clock('')})?"
    rf"|(?P<mo2>\d{{1,2}})-(?P<d2>\d{{1,2}})\s{{1,3}}{_clock('c')})",
    re.IGNORECASE,
)
_ENGLISH = re.compile(
    rf"\b(?:(?P<mon>{_MONTH})\b\.?\s{{1,3}}(?P<d>\d{{1,2}})(?:st|nd|rd|th)?"
    rf"|(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?\s{{1,3}}(?P<mon2>{_MONTH})\b\.?)(?!\d)"
    r"(?:,?\s{1,3}(?P<y>\d{4})(?!\d))?"
    rf"(?:{_JOIN}{_clock('')})?",
    re.IGNORECASE,
)
_DAY_WORD = re.compile(
    r"(?P<dayword>\b(?:today|yesterday)\b|今天|今日|昨天|昨日|前天)"
    rf"(?:,?\s{{0,3}}(?:at\s{{1,3}})?{_clock('')})?",
    re.IGNORECASE,
)
_DAYS_BACK = {"today": 0, "今天": 0, "今日": 0, "yesterday": 1, "昨天": 1, "昨日": 1, "前天": 2}
_CLOCK_ONLY = re.compile(rf"(?:at\s{{1,3}})?{_clock('')}", re.IGNORECASE)
_JUST_NOW = re.compile(
    r"just now|now|moments? ago|a moment ago|a few seconds ago|刚刚|刚才|片刻前|几秒前", re.I
)
# Seconds per unit; days and longer say a day, not a clock (they are no_clock).
_UNIT_SECONDS = {
    **dict.fromkeys(("s", "sec", "second", "秒", "秒钟"), 1),
    **dict.fromkeys(("m", "min", "minute", "分", "分钟"), 60),
    **dict.fromkeys(("h", "hr", "hour", "小时", "个小时", "钟头", "个钟头"), 3600),
}
_COUNTS = {"a": 1, "an": 1, "one": 1, "半": 0.5, "half a": 0.5, "half an": 0.5}
_DIGITS_ZH = {c: n for n, c in enumerate("零一二三四五六七八九")} | {"两": 2}
_NUMERAL_ZH = "[一二两三四五六七八九]?十[一二三四五六七八九]?|[一二两三四五六七八九]"  # 1–99
_AGO = re.compile(
    r"(?<![\d.])\b(?P<n>\d{1,4}|half an?|an?|one)\s{0,3}"
    r"(?P<unit>(?:sec|min|hr|second|minute|hour|day|week|month|year)s?)\s{1,3}ago\b"
    rf"|(?<![\d零一二两三四五六七八九十])(?P<zn>\d{{1,4}}|半|{_NUMERAL_ZH})\s{{0,3}}"
    r"(?P<zunit>秒钟?|分钟?|个?小时|个?钟头|天|日|周|星期|礼拜|个月|年)\s{0,2}之?前",
    re.IGNORECASE,
)
_COMPACT = re.compile(
    r"(?P<n>\d{1,4})\s?(?P<unit>s|secs?|m|mins?|h|hrs?|d|w|wk|mo|y|yr)(?:\s+ago)?"
)
_TIMESTAMP = re.compile(r"\d{10}(?:\d{3})?")
_CLOCK_HINT = re.compile(r"\d:\d\d")  # a clock the fast forms may have missed


def _fast_reading(text: str, zone: tzinfo, now: datetime | None) -> _Reading:
    """The hand-written forms, in order; the first exact reading wins."""
    if len(text) >= 16 and text[4] == "-" and text[7] == "-" and text[13] == ":":
        try:  # the ISO 8601 of datetime attributes, to the minute at least: C speed
            moment = datetime.fromisoformat(text)
        except ValueError:
            pass
        else:
            return datetime(
                *(moment.year, moment.month, moment.day, moment.hour, moment.minute, moment.second),
                tzinfo=moment.tzinfo or zone,
            )
    found: _Reading = None
    for reader in (_read_numeric, _read_english, _read_relative, _read_no_year):
        reading = reader(text, zone, now)
        if isinstance(reading, datetime):
            return reading
        found = found or reading
    if found is None and _TIMESTAMP.fullmatch(text):
        seconds = int(text) / (1000 if len(text) == 13 else 1)
        return datetime.fromtimestamp(seconds, zone).replace(microsecond=0)
    return found


def _read_numeric(text: str, zone: tzinfo, now: datetime | None) -> _Reading:
    found: _Reading = None
    date_match = _DATE.search(text)
    while date_match:
        y, mo, d, d2, mo2, y2, mo3, d3, y3 = date_match.groups()
        if y3:
            month, day = int(mo3), int(d3)
            month, day = (day, month) if month > 12 >= day else (month, day)
            year = int(y3)
        else:
            year, month, day = int(y or y2), int(mo or mo2), int(d or d2)
        end = date_match.end()
        plain = _PLAIN_CLOCK.match(text, end)
        if plain:
            hour, minute, second = plain.groups()
            try:
                return datetime(
                    year, month, day, int(hour), int(minute), int(second or 0), tzinfo=zone
                )
            except ValueError:
                pass
        else:
            found = _at(_DATE_CLOCK.match(text, end), "", year, month, day, zone) or found
            if isinstance(found, datetime):
                return found
        date_match = _DATE.search(text, end)
    return found


def _read_english(text: str, zone: tzinfo, now: datetime | None) -> _Reading:
    found: _Reading = None
    for match in _ENGLISH.finditer(text):
        mon, mon2, d, d2, y = match.group("mon", "mon2", "d", "d2", "y")
        month, day = _MONTHS[(mon or mon2).lower()], int(d or d2)
        if y:
            found = _at(match, "", int(y), month, day, zone) or found
        else:
            found = _latest(match, "", month, day, zone, now) or found
        if isinstance(found, datetime):
            return found
    return found


def _read_no_year(text: str, zone: tzinfo, now: datetime | None) -> _Reading:
    found: _Reading = None
    for match in _NO_YEAR.finditer(text):
        mo, mo2, d, d2 = match.group("mo", "mo2", "d", "d2")
        found = _latest(match, "" if mo else "c", int(mo or mo2), int(d or d2), zone, now) or found
        if isinstance(found, datetime):
            return found
    return found


def _read_relative(text: str, zone: tzinfo, now: datetime | None) -> _Reading:
    """Counted back from ``now``: ago forms, day words, a bare clock, "just now"."""
    if _JUST_NOW.fullmatch(text):
        return _now(now, zone)
    match = _COMPACT.fullmatch(text) or _AGO.search(text)
    if match:
        g = match.groupdict()
        count = (g.get("n") or g.get("zn") or "").lower()
        unit = (g.get("unit") or g.get("zunit") or "").lower()
        if unit not in _UNIT_SECONDS and unit.endswith("s"):
            unit = unit[:-1]  # minutes, hrs, secs
        if unit not in _UNIT_SECONDS:
            return NO_CLOCK  # days, weeks, months, years ago: a day at best
        amount = _COUNTS[count] if count in _COUNTS else _number(count)
        return _now(now, zone) - timedelta(seconds=amount * _UNIT_SECONDS[unit])
    day_word = _DAY_WORD.search(text)
    if day_word:
        day = (_now(now, zone) - timedelta(days=_DAYS_BACK[day_word["dayword"].lower()])).date()
        return _at(day_word, "", day.year, day.month, day.day, zone)
    clock = _CLOCK_ONLY.fullmatch(text)
    if clock:
        today = _now(now, zone).date()
        return _latest_day(clock, today, zone, now)
    return None


def _number(count: str) -> int:
    """``12`` or a Chinese numeral below 100 (``三``, ``十五``, ``二十三``)."""
    if count.isascii():
        return int(count)
    tens, ten, ones = count.rpartition("十")
    if not ten:
        return _DIGITS_ZH[ones]
    return (_DIGITS_ZH[tens] if tens else 1) * 10 + (_DIGITS_ZH[ones] if ones else 0)


def _latest(
    g: re.Match[str], p: str, month: int, day: int, zone: tzinfo, now: datetime | None
) -> _Reading:
    """Month and day without a year: the latest such day that has begun."""
    this_year = _now(now, zone).year
    for year in (this_year, this_year - 1):
        reading = _at(g, p, year, month, day, zone)
        if reading is None:  # 29 February of a common year
            continue
        start = datetime(year, month, day, tzinfo=zone)
        if start <= _now(now, zone) + _SKEW:
            return reading
    return None


def _latest_day(g: re.Match[str], today: date, zone: tzinfo, now: datetime | None) -> _Reading:
    """A clock without a day: today's, or yesterday's if today's is still to come."""
    reading = _at(g, "", today.year, today.month, today.day, zone)
    if isinstance(reading, datetime) and reading > _now(now, zone) + _SKEW:
        reading = reading - timedelta(days=1)
    return reading


def _at(g: re.Match[str] | None, p: str, year: int, month: int, day: int, zone: tzinfo) -> _Reading:
    """The date with the clock in groups ``p…`` of ``g``; ``no_clock`` without one; ``None``
    when the date or the clock is impossible (``2026-13-40``, ``25:61``, ``13 p.m.``)."""
    groups = g.group(*_CLOCK_GROUPS[p]) if g is not None else (None,) * 9
    word, hour, hour2, minute, second, ampm, ampm2, zh, offset = groups
    try:
        if word:
            clock = (12 if word.lower() == "noon" else 0), 0, 0
        elif hour or hour2:
            clock = _clock_of(int(hour or hour2 or 0), minute, second, ampm or ampm2, zh)
        else:
            datetime(year, month, day)
            return NO_CLOCK
        return datetime(year, month, day, *clock, tzinfo=_offset(offset) or zone)
    except ValueError:
        return None


_CLOCK_GROUPS = {
    p: tuple(p + name for name in ("word", "h", "h2", "m", "s", "ap", "ap2", "zh", "zone"))
    for p in ("", "c")
}


def _clock_of(
    hour: int, minute: str | None, second: str | None, ampm: str | None, zh: str | None
) -> tuple[int, int, int]:
    """(hour, minute, second) of a clock; ``ValueError`` for an impossible one (``13 p.m.``)."""
    if ampm:
        if not 1 <= hour <= 12:
            raise ValueError(f"{hour} {ampm}")
        hour = hour % 12 + (12 if ampm[0] in "pP" else 0)
    elif zh and hour < 12:
        hour += _MERIDIEM_ZH[zh]
    return hour, int(minute or 0), int(second or 0)


@lru_cache(maxsize=64)
def _offset(text: str | None) -> tzinfo | None:
    """``Z``, ``UTC``, ``GMT+8``, ``+08:00``, ``-0530`` as a fixed zone."""
    if not text:
        return None
    text = text.upper().removeprefix("UTC").removeprefix("GMT")
    if text in ("", "Z"):
        return UTC
    sign = -1 if text[0] == "-" else 1
    hours, _, minutes = text[1:].partition(":")
    if not minutes and len(hours) > 2:
        hours, minutes = hours[:-2], hours[-2:]
    delta = timedelta(hours=int(hours), minutes=int(minutes or 0))
    return dt_timezone(sign * delta) if delta < timedelta(hours=24) else None


# ---- dateparser, the fallback -------------------------------------------------------------


def _dateparser_reading(
    text: str, timezone: str, language: str | None, now: datetime | None
) -> _Reading:
    """dateparser's reading of a short candidate (or of what follows its ``Label:``): exact when
    it read a time of day, ``no_clock`` when it read a day only."""
    if len(text) > DATEPARSER_MAX_CHARS:
        return None
    zone = ZoneInfo(timezone)
    return _dateparser_cached(text, timezone, language, _now(now, zone).replace(tzinfo=None))


@lru_cache(maxsize=4096)
def _dateparser_cached(text: str, timezone: str, language: str | None, base: datetime) -> _Reading:
    """dateparser costs about a millisecond a call: the same text in the same minute is read
    once (forum pages repeat "yesterday at 10:20", user names and labels)."""
    zone = ZoneInfo(timezone)
    parser = _date_parser(language, timezone, base)
    label = _LABEL.match(text)
    for string in (text, text[label.end() :]) if label else (text,):
        try:
            data = parser.get_date_data(string)
        except Exception:  # a third-party parser on hostile text: what it cannot read is unread
            continue
        parts = data.parts or ()
        if data.date_obj is not None and "time" in parts:
            moment: datetime = data.date_obj
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=zone)
            return moment.astimezone(zone).replace(microsecond=0)
        if data.date_obj is not None and "day" in parts:
            return NO_CLOCK
    return None


_LABEL = re.compile(r"[^\d:：]{1,40}[:：]\s*(?=\S)")  # "Опубликовано: …", "发表时间：…"


@lru_cache(maxsize=16)
def _date_parser(language: str | None, timezone: str, base: datetime) -> Any:
    """A dateparser parser for the site (one per minute of ``now``: its relative base)."""
    from dateparser.date import DateDataParser

    languages = ["en", "zh"] if language is None else list(dict.fromkeys([language, "en"]))
    settings = {
        "TIMEZONE": timezone,
        "RETURN_AS_TIMEZONE_AWARE": True,
        "PREFER_DATES_FROM": "past",
        "RELATIVE_BASE": base,
        "PARSERS": ["timestamp", "relative-time", "absolute-time"],
    }
    return DateDataParser(languages=languages, settings=settings)
