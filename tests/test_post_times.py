"""Post times as forums and blogs write them, read to the minute, never invented."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from crawlers.dates import (
    DATEPARSER_MAX_CHARS,
    MAX_CANDIDATE_CHARS,
    PostTime,
    parse_datetime,
    post_time,
)
from watchlist.sites import SiteConfig

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2025, 7, 8, 10, 30, 45, tzinfo=SHANGHAI)  # a Tuesday morning in Shanghai


def read(text: str, timezone: str = "Asia/Shanghai", language: str | None = None) -> PostTime:
    return post_time([text], timezone, language=language, now=NOW)


def local(text: str, language: str | None = None) -> datetime | None:
    """The reading as a naive Shanghai wall-clock time."""
    at = read(text, language=language).at
    return at.astimezone(SHANGHAI).replace(tzinfo=None) if at else None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("发表于 2026-11-20 12:30", datetime(2026, 11, 20, 12, 30)),
        ("2026-1-5 08:03:09", datetime(2026, 1, 5, 8, 3, 9)),
        ("2026年11月20日 09:15", datetime(2026, 11, 20, 9, 15)),
        ("2025年7月7日 下午3:20", datetime(2025, 7, 7, 15, 20)),
        ("2026/11/20 23:05", datetime(2026, 11, 20, 23, 5)),
        ("2025-07-07 8:19 PM", datetime(2025, 7, 7, 20, 19)),
        ("07.07.2025, 10:20", datetime(2025, 7, 7, 10, 20)),
        ("03.07.2025 в 10:20", datetime(2025, 7, 3, 10, 20)),  # day first, never March
        ("January 05, 2026, 10:00:00 AM", datetime(2026, 1, 5, 10, 0)),  # SMF
        ("Mon Jan 05, 2026 10:00 pm", datetime(2026, 1, 5, 22, 0)),  # phpBB
        ("Jan 5, 2026 at 10:00 AM", datetime(2026, 1, 5, 10, 0)),  # XenForo
        ("5 January 2026, 22:00", datetime(2026, 1, 5, 22, 0)),
        ("7月3日 10:20", datetime(2025, 7, 3, 10, 20)),
        ("07-03 10:20", datetime(2025, 7, 3, 10, 20)),
    ],
)
def test_forum_times_are_read_in_the_site_zone(raw: str, expected: datetime) -> None:
    at = read(raw).at
    assert at is not None
    assert at.utcoffset() == timedelta(hours=8)
    assert at.replace(tzinfo=None) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("July 7, 2025, 8:19 p.m.", datetime(2025, 7, 7, 20, 19)),
        ("July 7, 2025, 9 a.m.", datetime(2025, 7, 7, 9, 0)),
        ("July 7, 2025, noon", datetime(2025, 7, 7, 12, 0)),
        ("July 7, 2025, midnight", datetime(2025, 7, 7, 0, 0)),
        ("Sept. 3, 2024, 12:05 a.m.", datetime(2024, 9, 3, 0, 5)),
        ("Aug. 1, 2024, 12:30 p.m.", datetime(2024, 8, 1, 12, 30)),
    ],
)
def test_django_default_datetime_format_is_read(raw: str, expected: datetime) -> None:
    assert local(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("9 a.m.", datetime(2025, 7, 8, 9, 0)),  # a clock alone: today's ...
        ("10:20", datetime(2025, 7, 8, 10, 20)),
        ("noon", datetime(2025, 7, 7, 12, 0)),  # ... or yesterday's, when today's is to come
        ("23:59", datetime(2025, 7, 7, 23, 59)),
        ("midnight", datetime(2025, 7, 8, 0, 0)),
        ("Sept. 3, 10:20 a.m.", datetime(2024, 9, 3, 10, 20)),  # no year: the latest past one
        ("Jul 7 at 8:19pm", datetime(2025, 7, 7, 20, 19)),
        ("12月25日 10:20", datetime(2024, 12, 25, 10, 20)),
        ("12-25 10:20", datetime(2024, 12, 25, 10, 20)),
    ],
)
def test_a_missing_day_or_year_is_the_latest_that_is_not_to_come(
    raw: str, expected: datetime
) -> None:
    assert local(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("5m", datetime(2025, 7, 8, 10, 25)),
        ("3h", datetime(2025, 7, 8, 7, 30)),
        ("12 minutes ago", datetime(2025, 7, 8, 10, 18)),
        ("an hour ago", datetime(2025, 7, 8, 9, 30)),
        ("half an hour ago", datetime(2025, 7, 8, 10, 0)),
        ("just now", datetime(2025, 7, 8, 10, 30)),
        ("刚刚", datetime(2025, 7, 8, 10, 30)),
        ("3分钟前", datetime(2025, 7, 8, 10, 27)),
        ("3 分钟前", datetime(2025, 7, 8, 10, 27)),
        ("二十三分钟前", datetime(2025, 7, 8, 10, 7)),
        ("半小时前", datetime(2025, 7, 8, 10, 0)),
        ("2 小时前", datetime(2025, 7, 8, 8, 30)),
        ("昨天 10:20", datetime(2025, 7, 7, 10, 20)),
        ("前天 下午 3:20", datetime(2025, 7, 6, 15, 20)),
        ("今天 08:05", datetime(2025, 7, 8, 8, 5)),
        ("Yesterday at 10:20 PM", datetime(2025, 7, 7, 22, 20)),
        ("Today at 10:00:00 AM", datetime(2025, 7, 8, 10, 0)),
    ],
)
def test_relative_times_count_back_from_now(raw: str, expected: datetime) -> None:
    assert local(raw) == expected


def test_relative_times_count_back_from_the_current_time_by_default() -> None:
    before = datetime.now(UTC).replace(second=0, microsecond=0)
    at = post_time(["5 minutes ago"], "UTC").at
    after = datetime.now(UTC)
    assert at is not None
    assert before - timedelta(minutes=5) <= at <= after - timedelta(minutes=5)


@pytest.mark.parametrize(
    ("raw", "instant", "offset"),
    [
        ("2026-01-05T10:00:00Z", datetime(2026, 1, 5, 10, 0, tzinfo=UTC), 0),
        ("2025-07-07T20:19:00+08:00", datetime(2025, 7, 7, 12, 19, tzinfo=UTC), 8),
        ("2025-07-07T20:19:00.123456+0800", datetime(2025, 7, 7, 12, 19, tzinfo=UTC), 8),
        ("2025-07-07 10:00 -0530", datetime(2025, 7, 7, 15, 30, tzinfo=UTC), -5.5),
        ("2025-07-07 10:00 GMT+3", datetime(2025, 7, 7, 7, 0, tzinfo=UTC), 3),
        ("Mon, 07 Jul 2025 10:00:00 GMT", datetime(2025, 7, 7, 10, 0, tzinfo=UTC), 0),
        ("July 7, 2025, 8:19 p.m. UTC", datetime(2025, 7, 7, 20, 19, tzinfo=UTC), 0),
    ],
)
def test_an_offset_in_the_text_wins_over_the_site_zone(
    raw: str, instant: datetime, offset: float
) -> None:
    at = read(raw, timezone="America/New_York").at
    assert at == instant
    assert at is not None and at.utcoffset() == timedelta(hours=offset)


def test_the_site_zone_is_honoured_with_its_daylight_saving() -> None:
    summer, winter = (
        read("2025-07-07 10:00", "Europe/Berlin"),
        read("2025-01-07 10:00", "Europe/Berlin"),
    )
    assert summer.at == datetime(2025, 7, 7, 8, 0, tzinfo=UTC)
    assert winter.at == datetime(2025, 1, 7, 9, 0, tzinfo=UTC)


def test_unix_timestamps_in_data_time_attributes_are_read() -> None:
    expected = datetime(2025, 7, 7, 9, 20, tzinfo=UTC)
    assert read("1751880000").at == expected
    assert read("1751880000000").at == expected


@pytest.mark.parametrize(
    "raw",
    [
        "2025-07-07",
        "posted 2026/11/20",
        "2026年11月20日",
        "07.07.2025",
        "Sept. 3",
        "Sept. 3, 2025",
        "5 January 2026",
        "7月3日",
        "2 days ago",
        "2d",
        "1w",
        "3 天前",
        "半年前",
        "昨天",
        "yesterday",
    ],
)
def test_a_date_without_a_clock_is_never_midnight(raw: str) -> None:
    assert read(raw) == PostTime(None, "no_clock")


@pytest.mark.parametrize(
    "raw",
    ["garbage", "Reply #3", "2026-13-40 12:00", "25:61", "13 p.m.", "Page 2", "十十十分钟前", "#1"],
)
def test_what_is_not_a_time_is_unreadable(raw: str) -> None:
    assert read(raw) == PostTime(None, "unreadable")


def test_no_text_at_all_is_missing() -> None:
    assert post_time([], "UTC") == PostTime(None, "missing")
    assert post_time([None, "", "  \n"], "UTC") == PostTime(None, "missing")


def test_the_first_exact_candidate_wins_and_a_date_before_a_time_counted_back() -> None:
    attribute, text = "2025-07-07T20:19:00+08:00", "3h"
    exact = datetime(2025, 7, 7, 12, 19, tzinfo=UTC)
    assert post_time([attribute, text], "UTC", now=NOW).at == exact
    # "3h" is rounded to the hour: a date anywhere is read before it
    assert post_time([text, attribute], "UTC", now=NOW).at == exact
    assert post_time([text, "by admin"], "UTC", now=NOW).at == NOW.replace(second=0) - timedelta(
        hours=3
    )
    first, second = "2025-07-07 20:19", "2025-07-07 20:25"
    assert post_time([second, first], "UTC", now=NOW).at == datetime(2025, 7, 7, 20, 25, tzinfo=UTC)
    # a title with only the day gives way to the text's exact time
    title, text = "2 days ago", "July 6, 2025, 8:19 p.m."
    assert post_time([None, title, text], "Asia/Shanghai", now=NOW).at == datetime(
        2025, 7, 6, 20, 19, tzinfo=SHANGHAI
    )


def test_dateparser_reads_only_when_no_candidate_has_a_plain_time() -> None:
    from crawlers import dates

    dates._dateparser_cached.cache_clear()
    # SMF's time link: a title attribute that holds no date, then the plain text
    title, text = "Reply #3 - Re: 出U 收U 2026", "November 20, 2026, 10:20:00 am"
    assert post_time([title, text], "UTC", now=NOW).at == datetime(2026, 11, 20, 10, 20, tzinfo=UTC)
    assert dates._dateparser_cached.cache_info().misses == 0
    # an attribute only dateparser reads gives way to a later plain date...
    russian, plain = "вчера в 10:20", "2025-07-06 09:15"
    assert post_time([russian, plain], "Asia/Shanghai", language="ru", now=NOW).at == datetime(
        2025, 7, 6, 9, 15, tzinfo=SHANGHAI
    )
    # ...but not to a time counted back from now (MyBB: title="01-01-2026, 06:32 AM", text
    # "7 hours ago"), and is read when nothing else is
    assert post_time([russian, "3h"], "Asia/Shanghai", language="ru", now=NOW).at == (
        datetime(2025, 7, 7, 10, 20, tzinfo=SHANGHAI)
    )
    assert post_time([russian, "by admin"], "Asia/Shanghai", language="ru", now=NOW).at == (
        datetime(2025, 7, 7, 10, 20, tzinfo=SHANGHAI)
    )
    assert dates._dateparser_cached.cache_info().misses >= 1


@pytest.mark.parametrize("language", [None, "en", "de", "fr", "es", "ru", "tr", "vi", "zh", "ko"])
def test_month_first_dash_dates_read_as_dateparser_reads_them(language: str | None) -> None:
    from crawlers import dates

    # MyBB's and vBulletin's default "m-d-Y, h:i A"; the day comes first only when the first
    # number cannot be a month, and a date neither way round is left to dateparser
    texts = [
        "01-02-2026, 06:32 AM",
        "1-2-2026, 6:32 PM",
        "12-31-2025, 12:05 AM",
        "12-01-2026, 12:30 PM",
        "13-01-2026, 06:32 AM",
        "01-13-2026,\xa0 11:19 PM",
        "07-08-2025 23:59",
        "02-29-2024, 08:00 AM",
    ]
    zone = ZoneInfo("Asia/Shanghai")
    for text in texts:
        fast = dates._fast_reading(text, zone, NOW)
        assert isinstance(fast, datetime), text
        assert fast == dates._dateparser_reading(text, "Asia/Shanghai", language, NOW), text
    for text in ("13-13-2026, 06:32 AM", "02-30-2026, 06:32 AM"):
        assert dates._fast_reading(text, zone, NOW) is None


def test_a_date_without_a_clock_is_the_problem_named_over_unreadable_text() -> None:
    assert post_time(["by admin", "Sept. 3"], "UTC", now=NOW) == PostTime(None, "no_clock")
    assert post_time(["Sept. 3", "by admin"], "UTC", now=NOW) == PostTime(None, "no_clock")


@pytest.mark.parametrize(
    ("raw", "language", "expected"),
    [
        ("вчера в 10:20", "ru", datetime(2025, 7, 7, 10, 20)),
        ("5 минут назад", "ru", datetime(2025, 7, 8, 5, 25)),
        ("3 июля 2025 г. в 14:05", "ru", datetime(2025, 7, 3, 14, 5)),
        ("Опубликовано: вчера в 10:20", "ru", datetime(2025, 7, 7, 10, 20)),
        ("gestern um 10:20", "de", datetime(2025, 7, 7, 10, 20)),
        ("vor 5 Minuten", "de", datetime(2025, 7, 8, 5, 25)),
        ("hace 2 horas", "es", datetime(2025, 7, 8, 3, 30)),
    ],
)
def test_times_are_read_in_the_site_language(raw: str, language: str, expected: datetime) -> None:
    at = post_time([raw], "Europe/Moscow", language=language, now=NOW).at
    assert at is not None
    assert at.astimezone(ZoneInfo("Europe/Moscow")).replace(tzinfo=None) == expected


def test_without_the_site_language_a_foreign_time_is_unreadable() -> None:
    assert post_time(["вчера в 10:20"], "Europe/Moscow", now=NOW).problem == "unreadable"


def test_a_foreign_date_without_a_clock_is_never_midnight() -> None:
    assert post_time(["3 июля"], "Europe/Moscow", language="ru", now=NOW).problem == "no_clock"


def test_only_short_candidates_reach_the_fallback_parser() -> None:
    short = "Опубликовано: вчера в 10:20"
    long = "Опубликовано:" + " " * DATEPARSER_MAX_CHARS + "вчера в 10:20"  # read if handed
    assert len(short) <= DATEPARSER_MAX_CHARS < len(long)
    assert post_time([short], "Europe/Moscow", language="ru", now=NOW).at is not None
    assert post_time([long], "Europe/Moscow", language="ru", now=NOW).problem == "unreadable"


@pytest.mark.parametrize(
    "hostile",
    [
        "1" * 1_000_000,
        "2025-07-07" + " " * 1_000_000 + "x",
        "2025-07-07 " * 90_000,
        "a " * 500_000,
        "July " * 200_000,
        "3" * 1_000_000 + "分钟前",
        "10:" * 330_000,
        "十" * 1_000_000 + "分钟前",
        "5 " * 500_000 + "ago",
    ],
)
def test_a_megabyte_of_hostile_text_is_read_without_backtracking(hostile: str) -> None:
    # a quadratic pattern would run for hours here and hit the suite's timeout
    assert read(hostile).at is None


def test_a_long_text_gives_the_time_near_its_start() -> None:
    near = "发表于 2025-07-07 10:20 " + "正文 " * 300_000
    far = "正文 " * 300_000 + "2025-07-07 10:20"
    assert local(near) == datetime(2025, 7, 7, 10, 20)
    assert len(far) > MAX_CANDIDATE_CHARS and read(far) == PostTime(None, "unreadable")


def test_parse_datetime_reads_one_text_for_the_other_spiders() -> None:
    assert parse_datetime("2026-11-20 12:30", "UTC") == datetime(2026, 11, 20, 12, 30, tzinfo=UTC)
    assert parse_datetime("2026-11-20", "UTC") is None
    assert parse_datetime("", "UTC") is None


def test_a_site_language_must_be_one_dateparser_knows() -> None:
    site = {"name": "x", "type": "forum", "engine": "discuz", "start_urls": ["https://x.example/"]}
    assert SiteConfig.model_validate({**site, "language": "zh-Hant"}).language == "zh-Hant"
    assert SiteConfig.model_validate(site).language is None
    with pytest.raises(ValidationError, match="unknown language 'klingon'"):
        SiteConfig.model_validate({**site, "language": "klingon"})


def test_a_mybb_date_followed_by_its_edit_note_is_read_from_the_part_before_the_note() -> None:
    shown = "01-13-2026, 10:07 PM (This post was last modified: 01-14-2026, 09:00 AM by Bob.)"
    assert post_time([shown], "UTC").at == datetime(2026, 1, 13, 22, 7, tzinfo=ZoneInfo("UTC"))
