"""Engine presets: the CSS selectors each forum engine's real markup needs.

A site config names its ``engine``; any selector it sets itself overrides the preset's. The
selectors a forum crawl reads (``watchlist.sites.Selectors`` documents each):

- board pages: ``thread_row`` (one thread's row), inside it ``thread_links`` (the link to the
  thread) and ``thread_mark`` (what moves when someone replies: reply count, last-post time);
  ``next_page``;
- thread pages: ``title``; ``post`` (one post), inside it ``post_body``, ``author``,
  ``posted_at`` (a ``datetime`` or ``title`` attribute is read before the text) and
  ``permalink`` (the post's own link; without it, the post element's id makes the anchor).

A mark must not hold view counts (they move on every read, so the thread would be re-fetched
on every crawl).

Discourse, Flarum and NodeBB are read through their public JSON APIs, not their HTML
(:data:`JSON_ENGINES`): their spiders need no selectors, and they have no preset.
"""

from __future__ import annotations

from watchlist.selectors import Selectors

ENGINES = (
    "discuz",
    "phpbb",
    "smf",
    "xenforo",
    "discourse",
    "wordpress",
    "mybb",
    "vbulletin",
    "flarum",
    "nodebb",
)
# Engines read through their public JSON APIs by a spider of their own: no selectors.
JSON_ENGINES = ("discourse", "flarum", "nodebb")


PRESETS: dict[str, Selectors] = {
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
    # phpBB 3.1-3.3 (prosilver and styles built on it): viewforum.php?f=<id>&start=<n>,
    # viewtopic.php?t=<id>&start=<n>; posts div#p<id>; permalinks viewtopic.php?p=<id>#p<id>.
    # Attachments shown below the text (dl.attachbox) are read for their images; the first
    # body match (div.content) gives the text. Views (dd.views) stay out of the mark.
    "phpbb": Selectors(
        thread_row="ul.topiclist.topics > li.row",
        thread_links="a.topictitle",
        thread_mark="dd.posts, dd.lastpost",
        next_page="div.pagination a[rel=next]",
        title="h2.topic-title a",
        post="div.post[id^=p]",
        post_body="div.content, dl.attachbox",
        author="dl.postprofile dt :is(.username, .username-coloured)",
        posted_at="p.author time",
        permalink=".postbody a[href*='p='][href*='#p']",
    ),
    # SMF 2.1 and 2.0, and the SMF 1.x tables bitcointalk.org still serves:
    # index.php?board=<id>.<start>, index.php?topic=<id>.<start>; permalinks
    # index.php?topic=<id>.msg<msg>#msg<msg>. SMF prints dates as English text
    # ("January 05, 2026, 10:00:00 AM"). Pages link no "next": the link after the current
    # page's marker is the next page. Views stay out of the mark (last-post cell only).
    "smf": Selectors(
        thread_row="#topic_container > div, #messageindex tbody > tr, table.bordercolor tr",
        thread_links="span[id^=msg_] a",
        thread_mark="div.lastpost, td.lastpost, td > span.smalltext",
        next_page=":is(span.current_page, strong, b) + a:is(.nav_page, .navPages)",
        title="title",
        post="div.post_wrapper, #quickModForm td.windowbg, #quickModForm td.windowbg2",
        post_body="div.post, div.attachments",
        author=":is(div.poster, td.poster_info, td[rowspan='2']) > :is(h4, b)",
        posted_at=(
            "div.keyinfo .smalltext, div.subject + div.smalltext, div[id^=subject_] + div.smalltext"
        ),
        permalink="a[href*='.msg'][href*='#msg']",
    ),
    # XenForo 2: /forums/<slug>.<id>/page-<n>, /threads/<slug>.<id>/page-<n>; posts
    # article.message--post with <time datetime> and a /threads/<slug>.<id>/post-<id> link.
    # Thread prefixes are links too, hence the /threads/ filter on the title link.
    "xenforo": Selectors(
        thread_row="div.structItem--thread",
        thread_links=".structItem-title a[href*='/threads/']",
        thread_mark=(".structItem-cell--meta dl:not(.structItem-minor) dd, .structItem-latestDate"),
        next_page="a.pageNav-jump--next",
        title="h1.p-title-value",
        post="article.message--post",
        post_body=".message-body .bbWrapper, .message-attachments",
        author=".message-name .username",
        posted_at=".message-attribution-main time.u-dt",
        permalink=".message-attribution a[href*='/post-']",
    ),
    # WordPress: an article and its comments are the posts of one page. Block themes (Twenty
    # Twenty-Two on: the article is <main>, comments li.comment from the comment-template
    # block) and classic themes (article#post-<id>.hentry, comments from core's
    # Walker_Comment: li/div.comment > article.comment-body). Index rows li.wp-block-post or
    # article#post-<id>; the mark is the comment count where the theme prints one. No
    # next_page: the usual pagination (query and comment pagination, either order) is
    # followed and the previous/next *article* links are not.
    "wordpress": Selectors(
        thread_row="li.wp-block-post, article[id^=post-]",
        thread_links=":is(.wp-block-post-title, .entry-title) a",
        thread_mark=".comments-link, .wp-block-post-comments-count, .wp-block-post-comments-link",
        title="h1:is(.wp-block-post-title, .entry-title)",
        post="main:not(:has(article[id^=post-])), article[id^=post-], li.comment, div.comment",
        post_body=(
            ".wp-block-post-content, .entry-content, .wp-block-comment-content, .comment-content"
        ),
        author=(
            ".wp-block-post-author__name, .wp-block-post-author-name, .byline a.fn,"
            " .byline a[rel~=author], .wp-block-comment-author-name, .comment-author .fn"
        ),
        posted_at=(
            ".wp-block-post-date time, time.entry-date.published, .wp-block-comment-date time,"
            " .comment-metadata time, .commentmetadata > a"
        ),
        permalink=".wp-block-comment-date a, .comment-metadata > a, .commentmetadata > a",
    ),
    # MyBB 1.8 (default theme templates forumdisplay_thread, postbit, postbit_classic):
    # forumdisplay.php?fid=<id>&page=<n>, showthread.php?tid=<id>&page=<n> (or the
    # search-engine-friendly forum-<id>.html, thread-<id>.html); permalinks
    # showthread.php?tid=<id>&pid=<pid>#pid<pid>. Dates are MyBB's "m-d-Y, h:i A" (the text
    # before an edit note), or "N hours ago" with the date in a title. The mark is the reply
    # count (the last-post date is relative: "Today" turns into "Yesterday" unreplied).
    "mybb": Selectors(
        thread_row="tr.inline_row",
        thread_links="span[id^=tid_] > a",
        thread_mark="a[href*='action=whoposted']",
        next_page="div.pagination a.pagination_next",
        title="head > title",
        post="div.post[id^=post_]",
        post_body="div.post_body, div.post_content > fieldset",
        author=".author_information .largetext",
        posted_at="span.post_date",
        permalink=".post_head a[href*='#pid']",
    ),
    # vBulletin 4 and 5 (not open source: modelled on public descriptions of its pages).
    # vB4: forumdisplay.php?f=<id>&page=<n>, showthread.php?t=<id>&page=<n> (or
    # showthread.php/<id>-<slug>/page<n>); posts li#post_<pid> in ol#posts, text in
    # div#post_message_<pid> > blockquote, permalinks …&p=<pid>&viewfull=1#post<pid>
    # (a.postcounter). vB5: /forum/<channel>/<id>-<slug>/page<n>; posts li[data-node-id] in
    # ul.conversation-list, text div[itemprop=text], <time itemprop=dateCreated datetime>,
    # permalinks <topic>?p=<node>#post<node> (a.b-post__count). Marks: the reply count (the
    # last-post date says "Today"). Dates "m-d-Y, h:i A" where no datetime is given.
    "vbulletin": Selectors(
        thread_row="li.threadbit, tr.topic-item",
        thread_links="h3.threadtitle a.title, a.topic-title",
        thread_mark="ul.threadstats li:first-child, .cell-count .posts-count",
        next_page="span.prev_next a[rel=next], link[rel=next]",
        title="#pagetitle .threadtitle, h1.main-title",
        post="ol#posts > li[id^=post_], ul.conversation-list > li[data-node-id]",
        post_body="div[id^=post_message_] > blockquote, div.attachments, div[itemprop=text]",
        author="div.userinfo a.username, [itemprop=author] .author",
        posted_at="span.postdate span.date, time[itemprop=dateCreated]",
        permalink="a.postcounter, a.b-post__count",
    ),
}
