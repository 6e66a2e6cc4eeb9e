"""Engine presets: the CSS selectors each forum engine's real markup needs.

A site config names its ``engine``; any selector it sets itself overrides the preset's. The
selectors a forum crawl reads (``watchlist.sites.Selectors`` documents each):

- board pages: ``thread_row`` (one thread's row), inside it ``thread_links`` (the link to the
  thread) and ``thread_mark`` (what moves when someone replies: reply count, last-post time);
  ``next_page``;
- thread pages: ``title``; ``post`` (one post), inside it ``post_body``, ``author``,
  ``posted_at`` (a ``datetime`` or ``title`` attribute is read before the text) and
  ``permalink`` (the post's own link; without it, the post element's id makes the anchor).

Discourse is read through its public JSON endpoints, not its HTML: its spider needs no
selectors, and its preset is empty.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from watchlist.sites import Selectors

ENGINES = ("discuz", "phpbb", "smf", "xenforo", "discourse")


def presets() -> dict[str, Selectors]:
    """``{engine: selectors}`` for every engine that has HTML selectors."""
    from watchlist.sites import Selectors

    return {
        # Discuz! X3: board pages forum-<fid>-<page>.html, threads thread-<tid>-<page>-1.html.
        "discuz": Selectors(
            thread_row="tbody[id^=normalthread_]",
            thread_links="a.xst",
            thread_mark="td.num a, td.by:last-child em",
            next_page="div.pg a.nxt",
            title="#thread_subject",
            post="div[id^=post_]",
            post_body="td.t_f",
            author=".authi a",
            posted_at="em[id^=authorposton]",
            permalink="a[id^=postnum]",
        ),
    }
