"""Post HTML to the text the extractor reads, and post times."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from parsel import Selector

from crawlers.text import element_text, image_sources, parse_datetime


def body(html: str) -> str:
    return element_text(Selector(text=f"<div id=b>{html}</div>").css("#b")[0])


@pytest.mark.parametrize(
    ("html", "text"),
    [
        ("出U<br />\n联系 138 0013 8000", "出U\n联系 138 0013 8000"),
        ("a<b>b<i>c</i>d</b>e", "abcde"),
        ("one\n   two\tthree", "one two three"),
        ("x<script>alert(1)</script>y<style>p{}</style>z", "xyz"),
        ("tom &amp; jerry &lt;3", "tom & jerry <3"),
        ("<p>para one</p><p>para two</p>", "para one\npara two"),
        ("a<!-- hidden -->b", "ab"),
        ("<br><br><br>x<br><br><br>y", "x\n\ny"),
    ],
)
def test_element_text_keeps_visible_text_and_line_breaks(html: str, text: str) -> None:
    assert body(html) == text


def test_malformed_html_still_gives_its_text() -> None:
    assert body("<td>unclosed <b>bold <i>both</td> tail") == "unclosed bold both tail"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("发表于 2026-11-20 12:30", datetime(2026, 11, 20, 12, 30)),
        ("2026-1-5 08:03:09", datetime(2026, 1, 5, 8, 3, 9)),
        ("2026年11月20日 09:15", datetime(2026, 11, 20, 9, 15)),
        ("posted 2026/11/20", datetime(2026, 11, 20)),
    ],
)
def test_parse_datetime_reads_forum_times_in_the_site_zone(raw: str, expected: datetime) -> None:
    parsed = parse_datetime(raw, "Asia/Shanghai")
    assert parsed is not None
    assert parsed.utcoffset() == timedelta(hours=8)
    assert parsed.replace(tzinfo=None) == expected


@pytest.mark.parametrize("raw", ["昨天 12:30", "2026-13-40 12:00", ""])
def test_parse_datetime_gives_none_for_what_it_cannot_read(raw: str) -> None:
    assert parse_datetime(raw, "UTC") is None


def test_parse_datetime_in_utc() -> None:
    assert parse_datetime("2026-11-20 12:30", "UTC") == datetime(2026, 11, 20, 12, 30, tzinfo=UTC)


def test_image_sources_prefer_lazy_loading_attributes_and_skip_placeholders() -> None:
    html = (
        '<div id="b"><img src="static/image/common/none.gif" zoomfile="a/1.png" file="a/2.png">'
        '<img data-original="b.jpg" src="data:image/gif;base64,R0lGOD">'
        '<img src="c.png"><img src="c.png"><img src="/img/loading.gif"><img></div>'
    )
    assert image_sources(Selector(text=html).css("#b")) == ["a/1.png", "b.jpg", "c.png"]
