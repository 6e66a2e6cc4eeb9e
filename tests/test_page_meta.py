"""Page-level metadata: the author and time a page declares, read from literal HTML snippets."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from crawlers.page_meta import (
    MAX_HTML_CHARS,
    MAX_ITEMS,
    MAX_NESTING,
    MAX_SCRIPT_CHARS,
    PageMeta,
    page_meta,
)

URL = "https://blog.example/2025/07/otc-usdt/"


def page(head: str = "", body: str = "") -> str:
    return f"<!doctype html><html><head><title>t</title>{head}</head><body>{body}</body></html>"


def ld(data: object) -> str:
    return f'<script type="application/ld+json">{json.dumps(data)}</script>'


def test_wordpress_json_ld_graph_resolves_the_author_reference() -> None:
    graph = {
        "@context": "https://schema.org",
        "@graph": [
            {
                "@type": "WebPage",
                "@id": URL,
                "datePublished": "2025-07-01T08:00:00+00:00",
                "author": {"@id": URL + "#/schema/person/other"},
            },
            {
                "@type": "Article",
                "@id": URL + "#article",
                "isPartOf": {"@id": URL},
                "author": {"name": "Zhang Wei", "@id": URL + "#/schema/person/abc"},
                "datePublished": "2025-07-07T12:19:00+00:00",
            },
            {"@type": "Person", "@id": URL + "#/schema/person/abc", "name": "Zhang Wei"},
            {"@type": "Person", "@id": URL + "#/schema/person/other", "name": "Someone Else"},
        ],
    }
    meta = page_meta(page(ld(graph)), URL, "UTC")
    assert meta == PageMeta("Zhang Wei", datetime(2025, 7, 7, 12, 19, tzinfo=UTC))


def test_an_author_given_only_as_an_id_is_looked_up_in_the_graph() -> None:
    graph = {
        "@graph": [
            {"@type": "BlogPosting", "author": {"@id": "#p"}, "datePublished": "2025-07-07T10:00"},
            {"@type": ["Person"], "@id": "#p", "name": "老王"},
        ]
    }
    meta = page_meta(page(ld(graph)), URL, "Asia/Shanghai")
    assert meta.author == "老王"
    assert meta.published == datetime(2025, 7, 7, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def test_opengraph_article_tags_and_the_author_meta_tag() -> None:
    head = (
        '<meta property="og:type" content="article">'
        '<meta property="article:published_time" content="2025-07-07T20:19:00+08:00">'
        '<meta property="article:author" content="https://blog.example/author/bob/">'
        '<meta name="author" content="Bob Chen">'
    )
    meta = page_meta(page(head), URL, "UTC")
    assert meta.author == "Bob Chen"  # article:author is a profile URL, not a name
    assert meta.published == datetime(2025, 7, 7, 12, 19, tzinfo=UTC)


def test_opengraph_article_author_as_a_name() -> None:
    head = '<meta property="article:author" content="Alice Wu">'
    assert page_meta(page(head), URL, "UTC").author == "Alice Wu"


def test_microdata_blog_posting() -> None:
    body = (
        '<article itemscope itemtype="https://schema.org/BlogPosting">'
        '<h1 itemprop="headline">出U</h1>'
        '<span itemprop="author" itemscope itemtype="https://schema.org/Person">'
        '<a itemprop="url" href="/u/carol"><span itemprop="name">Carol</span></a></span>'
        '<time itemprop="datePublished" datetime="2025-07-06T10:00:00+08:00">July 6</time>'
        "</article>"
    )
    meta = page_meta(page(body=body), URL, "UTC")
    assert meta == PageMeta("Carol", datetime(2025, 7, 6, 2, 0, tzinfo=UTC))


def test_a_forum_thread_json_ld_names_its_first_post() -> None:
    thread = {
        "@context": "https://schema.org",
        "@type": "DiscussionForumPosting",
        "headline": "收U 大量",
        "author": {"@type": "Person", "name": "trader88", "url": "https://f.example/u/88"},
        "datePublished": "2025-07-05T09:30:00+08:00",
        "comment": [
            {
                "@type": "Comment",
                "author": {"@type": "Person", "name": "replier"},
                "datePublished": "2025-07-05T10:00:00+08:00",
            }
        ],
    }
    meta = page_meta(page(ld(thread)), URL, "UTC")
    assert meta == PageMeta("trader88", datetime(2025, 7, 5, 1, 30, tzinfo=UTC))


def test_comments_never_give_the_page_its_author() -> None:
    thread = {
        "@type": "DiscussionForumPosting",
        "comment": [{"@type": "Comment", "author": "replier", "datePublished": "2025-07-05"}],
    }
    assert page_meta(page(ld(thread)), URL, "UTC") == PageMeta()


@pytest.mark.parametrize(
    ("author", "expected"),
    [
        ("Plain String", "Plain String"),
        ({"@type": "Person", "name": "  Spaced \n Name "}, "Spaced Name"),
        ([{"@type": "Person", "name": "First"}, {"@type": "Person", "name": "Second"}], "First"),
        (["One", "Two"], "One"),
        ({"@type": "Person", "name": ["Listed", "Names"]}, "Listed"),
        ({"@type": "Organization", "name": {"@value": "Valued Org"}}, "Valued Org"),
        ([{"@type": "Person"}, "https://x.example/u/1", "Third"], "Third"),
    ],
)
def test_author_as_a_string_an_object_or_a_list(author: object, expected: str) -> None:
    data = {"@type": "NewsArticle", "author": author}
    assert page_meta(page(ld(data)), URL, "UTC").author == expected


@pytest.mark.parametrize("author", [42, None, {"name": 7}, [], [[]], {"@id": "#missing"}, ""])
def test_an_author_that_names_no_one_is_no_author(author: object) -> None:
    assert page_meta(page(ld({"@type": "Article", "author": author})), URL, "UTC").author is None


def test_a_publication_date_without_a_clock_is_never_midnight() -> None:
    data = {"@type": "Article", "author": "A", "datePublished": "2025-07-07"}
    assert page_meta(page(ld(data)), URL, "UTC") == PageMeta("A", None)
    # ... and gives way to a time that has one
    body = '<article><time datetime="2025-07-07T09:15:00Z">July 7</time></article>'
    meta = page_meta(page(ld(data), body), URL, "UTC")
    assert meta.published == datetime(2025, 7, 7, 9, 15, tzinfo=UTC)


def test_a_time_without_an_offset_is_read_in_the_site_zone() -> None:
    data = {"@type": "Article", "datePublished": "2025-07-07 20:19"}
    meta = page_meta(page(ld(data)), URL, "Asia/Shanghai")
    assert meta.published == datetime(2025, 7, 7, 12, 19, tzinfo=UTC)


def test_article_nodes_come_before_the_web_page() -> None:
    graph = [
        {"@type": "WebPage", "author": "Site Owner", "datePublished": "2025-01-01T00:00:00Z"},
        {"@type": "BlogPosting", "author": "Real Author", "dateCreated": "2025-07-07T10:00:00Z"},
    ]
    meta = page_meta(page(ld(graph)), URL, "UTC")
    assert meta == PageMeta("Real Author", datetime(2025, 7, 7, 10, 0, tzinfo=UTC))


def test_the_web_page_is_read_when_no_article_says_more() -> None:
    data = {"@type": "WebPage", "author": "Site Owner", "datePublished": "2025-01-01T08:00:00Z"}
    meta = page_meta(page(ld(data)), URL, "UTC")
    assert meta == PageMeta("Site Owner", datetime(2025, 1, 1, 8, 0, tzinfo=UTC))


def test_the_first_articles_time_element_is_the_last_resort() -> None:
    body = (
        '<article><time datetime="2025-07-07T09:15:00Z">first</time></article>'
        '<article><time datetime="2025-07-08T09:15:00Z">second</time></article>'
    )
    assert page_meta(page(body=body), URL, "UTC").published == datetime(
        2025, 7, 7, 9, 15, tzinfo=UTC
    )


def test_a_page_with_no_metadata_gives_nothing() -> None:
    assert page_meta(page(body="<p>出U 联系 138 0013 8000</p>"), URL, "UTC") == PageMeta()


def test_broken_json_ld_is_skipped_and_named_while_the_rest_is_read() -> None:
    head = '<script type="application/ld+json">{"@type": "Article", "author": </script>' + ld(
        {"@type": "Article", "author": "Survivor", "datePublished": "2025-07-07T10:00Z"}
    )
    meta = page_meta(page(head), URL, "UTC")
    assert meta == PageMeta("Survivor", datetime(2025, 7, 7, 10, 0, tzinfo=UTC), ("json-ld",))


def test_json_ld_after_a_leading_comment_is_still_read() -> None:
    script = (
        '<script type="application/ld+json">\n// generated\n{"@type": "Article", "author": "C"}'
    )
    script += "</script>"
    assert page_meta(page(script), URL, "UTC").author == "C"


@pytest.mark.parametrize(
    "html",
    [
        "",
        "   ",
        "not html at all",
        "<?xml version='1.0' encoding='utf-8'?><html><body>x</body></html>",
        page('<script type="application/ld+json">' + "[" * 100_000 + "</script>"),
        page('<script type="application/ld+json">"just a string"</script>'),
        page('<script type="application/ld+json">12</script>'),
        page(ld({"@graph": {"@type": "Article"}})),
        page(ld({"@graph": [None, 1, "x", [[]], {"@type": 5, "author": {"@id": 7}}]})),
        page(ld({"@type": "Article", "datePublished": ["x", {"@value": 3}], "author": {}})),
        page(ld({"@type": "Article", "datePublished": "9" * 5_000})),
        page('<script type="application/ld+json">{"a": "' + "x" * 1_000_000 + '"}</script>'),
        page(body="<div itemscope>" * 5_000 + "x" + "</div>" * 5_000),
        page(body="<div>" * 100_000),
        page(body="<p>filler</p>" * 400_000),
        page(body='<span itemscope itemprop="author">\ud800</span>'),
        page('<meta property="article:published_time">'),
    ],
)
def test_hostile_pages_never_raise(html: str) -> None:
    meta = page_meta(html, URL, "UTC")
    assert isinstance(meta, PageMeta)
    assert meta.author is None and meta.published is None


def test_a_json_ld_block_past_the_bound_is_named_unreadable() -> None:
    big = {"@type": "Article", "author": "Big", "text": "x" * MAX_SCRIPT_CHARS}
    small = {"@type": "Article", "author": "Small"}
    assert page_meta(page(ld(big) + ld(small)), URL, "UTC") == PageMeta("Small", None, ("json-ld",))


def test_a_page_with_more_or_deeper_microdata_than_the_bounds_skips_it() -> None:
    item = '<div itemscope itemtype="https://schema.org/Comment"><b itemprop="text">x</b></div>'
    post = (
        '<div itemscope itemtype="https://schema.org/BlogPosting">'
        '<span itemprop="author">Poster</span></div>'
    )
    assert page_meta(page(body=post + item * 10), URL, "UTC").author == "Poster"
    crowded = page_meta(page(body=post + item * MAX_ITEMS), URL, "UTC")
    assert crowded == PageMeta(None, None, ("microdata",))
    nest = '<div itemscope itemtype="https://schema.org/Thing">'
    too_deep = nest * (MAX_NESTING + 1) + "</div>" * (MAX_NESTING + 1)
    assert page_meta(page(body=post + too_deep), URL, "UTC") == PageMeta(None, None, ("microdata",))
    shallow = nest * MAX_NESTING + "</div>" * MAX_NESTING
    assert page_meta(page(body=post + shallow), URL, "UTC").author == "Poster"


def test_deeply_nested_json_ld_is_walked_within_bounds() -> None:
    nested: dict[str, object] = {"@type": "Thing"}
    for _ in range(400):
        nested = {"@type": "Thing", "about": nested}
    data = {"@type": "Article", "author": "Top", "mainEntity": nested}
    assert page_meta(page(ld(data)), URL, "UTC").author == "Top"


def test_only_the_start_of_a_huge_page_is_read() -> None:
    data = ld({"@type": "Article", "author": "Early"})
    late = ld({"@type": "Article", "author": "Late"})
    filler = "<p>x</p>" * (MAX_HTML_CHARS // 8)
    assert page_meta(page(data, filler), URL, "UTC").author == "Early"
    assert page_meta(page(body=filler + late), URL, "UTC").author is None
