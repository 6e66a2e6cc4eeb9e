"""Which post is which on a page: nesting, own fields, and one permalink per post.

Every element matched by a site's ``post`` selector is its own post, whatever the markup. Its
permalink, in this order (docs/sites.md, "Permalinks"):

1. the ``permalink`` selector's link, when the config or preset gives one (http(s), inside the
   site's allowed domains);
2. the nearest id on the element or on an ancestor that holds no other post: ``li#comment-8``
   gives ``#comment-8``; ``div#post_123`` keeps the older ``#pid123`` form, so URLs already
   stored do not move;
3. an in-page anchor inside the post: ``a[name]``, ``a[id]``, or a link to this page with a
   fragment;
4. a fragment made from the post's own author and text (``#post-<hash>``): stable across
   re-crawls and page shifts.

A candidate that another post of the same page also has is passed over (a reply link that every
post carries, ``#respond``), so each post takes the first candidate that is its own. Two posts
that would still share a URL are both kept: the second gets ``-2`` after its fragment, and the
collision is counted. The rule is a pure function of the page, so the same post on the same
page maps to the same URL on every crawl.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urldefrag, urljoin, urlsplit

_LEGACY_ID = re.compile(r"^(?:post_?|pid)(\d+)$", re.IGNORECASE)


@dataclass(slots=True)
class PostParts:
    """One post element of a page and what identifies it."""

    element: Any  # lxml element
    explicit: str | None = None  # the permalink selector's absolute URL, when it gave one
    key: str = ""  # author and text: what makes the post this post
    candidates: list[str] = field(default_factory=list)  # fragments, best first


@dataclass(frozen=True, slots=True)
class Permalinks:
    """The URL of each post of a page, and how many had to be told apart."""

    urls: list[str]
    collisions: int  # posts whose first candidate another post of the page also had


def nested_posts(elements: Sequence[Any]) -> dict[Any, set[Any]]:
    """``{post: the other posts inside it}`` for the posts that hold other posts (else empty)."""
    members = set(elements)
    inside: dict[Any, set[Any]] = {}
    for element in elements:
        for ancestor in element.iterancestors():
            if ancestor in members:
                inside.setdefault(ancestor, set()).add(element)
    return inside


def own(nodes: Sequence[Any], post: Any, nested: set[Any]) -> list[Any]:
    """``nodes`` found inside ``post`` that are not inside one of the posts nested in it."""
    if not nested:
        return list(nodes)
    kept = []
    for node in nodes:
        for ancestor in _self_and_ancestors(node):
            if ancestor is post:
                kept.append(node)
                break
            if ancestor in nested:
                break
    return kept


def _self_and_ancestors(node: Any) -> Any:
    yield node
    yield from node.iterancestors()


def content_fragment(key: str) -> str:
    """The fallback fragment of a post: a short hash of its author and text."""
    return "post-" + hashlib.sha1(key.encode("utf-8", "surrogatepass")).hexdigest()[:12]


def id_fragment(element_id: str) -> str:
    """The fragment for an element id (``post_123`` and ``pid123`` keep the ``pid123`` form)."""
    legacy = _LEGACY_ID.match(element_id)
    return f"pid{legacy.group(1)}" if legacy else element_id


def candidates(
    post: Any, elements: Sequence[Any], nested: set[Any], page_url: str, base_url: str
) -> list[str]:
    """The fragments that may name ``post`` (rules 2 and 3 of the module docstring), in order."""
    found: list[str] = []
    own_id = _nearest_own_id(post, elements)
    if own_id:
        found.append(id_fragment(own_id))
    anchors = own(list(post.iter("a")), post, nested)
    for anchor in anchors:
        for name in (anchor.get("name"), anchor.get("id")):
            if name and name.strip():
                found.append(name.strip())
    page = urldefrag(page_url).url
    for anchor in anchors:
        href = (anchor.get("href") or "").strip()
        if "#" not in href:
            continue
        if href.startswith("#"):
            fragment = href[1:]
        else:
            target, fragment = urldefrag(urljoin(base_url, href))
            if target != page:
                continue
        if fragment.strip():
            found.append(fragment.strip())
    return list(dict.fromkeys(found))


def _nearest_own_id(post: Any, elements: Sequence[Any]) -> str | None:
    """The id of the post element, or of its nearest ancestor that holds no other post."""
    element_id = (post.get("id") or "").strip()
    if element_id:
        return element_id
    others = [e for e in elements if e is not post]
    for ancestor in post.iterancestors():
        if any(ancestor is other or _contains(ancestor, other) for other in others):
            return None
        ancestor_id = (ancestor.get("id") or "").strip()
        if ancestor_id:
            return ancestor_id
    return None


def _contains(ancestor: Any, node: Any) -> bool:
    return any(a is ancestor for a in node.iterancestors())


def assign(page_url: str, posts: Sequence[PostParts]) -> Permalinks:
    """One URL per post of a page (see the module docstring); ``page_url`` has no fragment."""
    lists: list[list[str]] = []
    for post in posts:
        options = [f"url:{post.explicit}"] if post.explicit else []
        options += [f"#{c}" for c in post.candidates]
        options.append(f"#{content_fragment(post.key)}")
        lists.append(list(dict.fromkeys(options)))
    shared = Counter(option for options in lists for option in options)
    urls: list[str] = []
    taken: Counter[str] = Counter()
    collisions = 0
    for options in lists:
        if shared[options[0]] > 1:
            collisions += 1
        chosen = next((o for o in options if shared[o] == 1), options[-1])
        url = chosen[4:] if chosen.startswith("url:") else page_url + _fragment(chosen[1:])
        taken[url] += 1
        if taken[url] > 1:  # two posts with the same author and text on one page
            url = f"{url}-{taken[url]}" if "#" in url else f"{url}#{taken[url]}"
        urls.append(url)
    return Permalinks(urls, collisions)


def _fragment(fragment: str) -> str:
    return "#" + quote(fragment, safe="-._~!$&'()*+,;=:@/?")


def on_site(url: str, allowed_domains: Sequence[str]) -> bool:
    """Whether ``url`` is http(s) on one of ``allowed_domains`` (or a subdomain of one)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        return False
    host = (parts.hostname or "").lower()
    return any(host == d or host.endswith("." + d) for d in allowed_domains)
