"""What a page's machine-readable metadata says about its main article: author and time.

The forum spider falls back on it when a post has no author or time of its own. Read with
extruct: JSON-LD (each ``<script>`` on its own, ``@graph`` and ``@id`` references included),
microdata and OpenGraph (``article:published_time``, ``article:author``); then
``<meta name="author">`` and the first ``<article>``'s ``<time datetime>``. Article-like nodes
(``Article``, ``BlogPosting``, ``DiscussionForumPosting``, …) come before the rest (``WebPage``);
comments and answers are replies, never the page's author. The metadata describes the page's
main article — a thread's first post — not its replies.

Hostile pages are read within bounds (the first :data:`MAX_HTML_CHARS` characters, JSON-LD
blocks up to :data:`MAX_SCRIPT_CHARS`, :data:`MAX_NODES` nodes, :data:`MAX_ITEMS` microdata
items nested at most :data:`MAX_NESTING` deep); what cannot be read is skipped and named in
:attr:`PageMeta.unreadable`. :func:`page_meta` never raises.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from crawlers.dates import post_time

MAX_HTML_CHARS = 2_000_000
MAX_SCRIPT_CHARS = 500_000
MAX_NODES = 5_000
MAX_ITEMS = 2_000  # microdata items (a forum page has a few per post)
MAX_NESTING = 16  # microdata items inside items
MAX_NAME_CHARS = 200
_ARTICLES = {
    "article",
    "blogposting",
    "newsarticle",
    "techarticle",
    "report",
    "scholarlyarticle",
    "socialmediaposting",
    "discussionforumposting",
    "liveblogposting",
    "question",
}
_REPLIES = {"comment", "answer", "review"}


@dataclass(frozen=True, slots=True)
class PageMeta:
    """The page's author and publication time (``None`` where it names none or none exact to
    the minute); ``unreadable``: the kinds of metadata found but not readable (``html``,
    ``json-ld``, ``microdata``, ``opengraph``)."""

    author: str | None = None
    published: datetime | None = None
    unreadable: tuple[str, ...] = ()


def page_meta(html: str, url: str, timezone: str) -> PageMeta:
    """The author and publication time the page at ``url`` declares; never raises."""
    try:
        return _page_meta(html, url, timezone)
    except Exception:  # third-party parsers on hostile markup: the promise is to never raise
        return PageMeta(unreadable=("html",))


def _page_meta(html: str, url: str, timezone: str) -> PageMeta:
    import extruct  # imported on first use: only pages whose posts lack an author or a time
    from extruct.utils import parse_html

    unreadable: list[str] = []
    try:
        tree = parse_html(html[:MAX_HTML_CHARS].encode("utf-8", "replace"), encoding="utf-8")
    except Exception:  # lxml on an empty or broken document
        return PageMeta(unreadable=("html",))
    jsonld: list[Any] = []
    for script in tree.xpath('//script[@type="application/ld+json"]'):
        try:
            if len(script.text or "") > MAX_SCRIPT_CHARS:
                raise ValueError("JSON-LD block too large")
            jsonld.extend(extruct.extract(script, syntaxes=["json-ld"])["json-ld"])
        except Exception:  # broken JSON, nesting past the recursion limit
            unreadable.append("json-ld")
    structured: dict[str, list[Any]] = {"json-ld": jsonld}
    for syntax in ("microdata", "opengraph"):
        try:
            if syntax == "microdata" and _too_many_items(tree):
                raise ValueError("too many microdata items, or nested too deep")
            found = extruct.extract(tree, base_url=url, syntaxes=[syntax], uniform=True)
            structured[syntax] = found[syntax]
        except Exception:
            structured[syntax] = []
            unreadable.append(syntax)
    authors, times = _candidates(structured, tree)
    published = next(
        (t.at for t in (post_time((raw,), timezone) for raw in times) if t.at is not None), None
    )
    author = next((name for name in authors if name), None)
    return PageMeta(author, published, tuple(dict.fromkeys(unreadable)))


def _too_many_items(tree: Any) -> bool:
    """More microdata items than extruct reads quickly (~50 µs each, and quadratic in their
    nesting)."""
    if tree.xpath("count(//*[@itemscope])") > MAX_ITEMS:
        return True
    return bool(tree.xpath(f"//*[@itemscope][count(ancestor::*[@itemscope]) >= {MAX_NESTING}]"))


def _candidates(structured: dict[str, list[Any]], tree: Any) -> tuple[list[str], list[str]]:
    """Author names and time strings, best first."""
    jsonld, microdata = list(_nodes(structured["json-ld"])), list(_nodes(structured["microdata"]))
    ids: dict[str, dict[str, Any]] = {}
    for node in jsonld:  # the nodes an "@id" names, not the bare references to them
        if isinstance(node.get("@id"), str) and len(node) > 1:
            ids.setdefault(node["@id"], node)
    authors: list[str] = []
    times: list[str] = []
    graph = {"ld": jsonld, "md": microdata}
    for articles_only in (True, False):
        for kind in ("ld", "md"):
            for node in graph[kind]:
                types = _types(node)
                if types & _REPLIES or (articles_only and not types & _ARTICLES):
                    continue
                authors.extend(_names(node.get("author") or node.get("creator"), ids))
                times.extend(_strings(node.get("datePublished") or node.get("dateCreated")))
        if articles_only:
            for og in structured["opengraph"]:
                times.extend(_strings(og.get("article:published_time")))
                authors.extend(_strings(og.get("article:author")))
            authors.extend(_clean(str(a)) for a in tree.xpath('//meta[@name="author"]/@content'))
    times.extend(str(t) for t in tree.xpath("(//article//time[@datetime])[1]/@datetime"))
    return [a for a in authors if a and not _is_url(a)], times


def _nodes(items: list[Any]) -> Iterator[dict[str, Any]]:
    """Every object in the items, breadth first (top-level nodes before nested ones)."""
    queue: deque[Any] = deque(items)
    seen = 0
    while queue and seen < MAX_NODES:
        value = queue.popleft()
        seen += 1
        if isinstance(value, list):
            queue.extend(value)
        elif isinstance(value, dict):
            yield value
            queue.extend(v for v in value.values() if isinstance(v, dict | list))


def _types(node: dict[str, Any]) -> set[str]:
    """The node's ``@type`` names, lower case, without a schema.org prefix."""
    return {t.rsplit("/", 1)[-1].lower() for t in _strings(node.get("@type"))}


def _names(value: Any, ids: dict[str, dict[str, Any]]) -> Iterator[str]:
    """Author names from a string, a Person/Organization (or an ``@id`` of one), or a list."""
    for author in value if isinstance(value, list) else [value]:
        if isinstance(author, dict):
            if "name" not in author and isinstance(author.get("@id"), str):
                author = ids.get(author["@id"], author)
            yield from (_clean(n) for n in _strings(author.get("name")))
        elif isinstance(author, str):
            yield _clean(author)


def _strings(value: Any) -> list[str]:
    """The string(s) of a metadata value: a string, ``{"@value": …}``, or a list of them."""
    values = value if isinstance(value, list) else [value]
    out: list[str] = []
    for item in values:
        if isinstance(item, dict):
            item = item.get("@value")
        if isinstance(item, str) and item.strip():
            out.append(item.strip())
    return out


def _clean(name: str) -> str:
    return " ".join(name.split())[:MAX_NAME_CHARS]


def _is_url(text: str) -> bool:
    return text.startswith(("http://", "https://", "//", "/"))
