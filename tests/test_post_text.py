"""Post HTML to the text the extractor reads (post times: tests/test_post_times.py)."""

from __future__ import annotations

import pytest
from parsel import Selector

from crawlers.text import element_text, image_sources


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


def test_image_sources_prefer_lazy_loading_attributes_and_skip_placeholders() -> None:
    html = (
        '<div id="b"><img src="static/image/common/none.gif" zoomfile="a/1.png" file="a/2.png">'
        '<img data-original="b.jpg" src="data:image/gif;base64,R0lGOD">'
        '<img src="c.png"><img src="c.png"><img src="/img/loading.gif"><img></div>'
    )
    assert image_sources(Selector(text=html).css("#b")) == ["a/1.png", "b.jpg", "c.png"]
