"""Propose a forum config's selectors from a page's repeated structure: pure functions.

For a site whose engine has no preset. Nothing here knows any site or engine; it reads what
repeats:

- ``propose_index(html, url)`` (:mod:`.index`), a board or blog index: the links to threads or
  articles are the largest group of same-shaped links (same parent tag, classes and URL form)
  with long, distinct texts that are not dates, numbers or navigation; ``next_page`` is a
  ``rel=next`` link, a link classed or labelled "next", or the link after the current page's
  number in a paginator.
- ``propose_thread(html, url)`` (:mod:`.thread`), a thread or article page: the posts are the
  outermost repeated siblings of one signature (tag with its classes, or an id like
  ``post_123`` / ``comment-45``) that each hold substantial, distinct text and a date; in a
  post, the body is the tightest element covering most of the text that varies from post to
  post, the author a short varying text marked as a name (class ``author``/``username``…, a
  profile link), the time a ``<time>`` or date-looking text.

Every selector is checked against the page the way the forum spider will use it, and the
notes say what each one found.
"""

from __future__ import annotations

from watchlist.proposal.index import IndexProposal, propose_index
from watchlist.proposal.structure import looks_like_date, weight
from watchlist.proposal.thread import ThreadProposal, propose_thread

__all__ = [
    "IndexProposal",
    "ThreadProposal",
    "looks_like_date",
    "propose_index",
    "propose_thread",
    "weight",
]
