"""Board and blog index pages: the links to threads or articles, and the next page.

The thread links are the largest group of same-shaped links (same parent tag, classes and URL
form) with long, distinct texts that are not dates, numbers or navigation; their selector is
the simplest CSS whose links are the group's (best F1 over URLs). ``next_page`` is a
``rel=next`` link, a link classed or labelled "next", or the link after the current page's
number in a paginator.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

from watchlist.proposal.structure import (
    classes_of,
    common_classes,
    common_descriptors,
    descriptors_of,
    in_chrome,
    looks_like_date,
    parse_html,
    same_host,
    select,
    text_of,
    url_shape,
    weight,
)

_NEXT_TEXT = re.compile(
    r"^(?:next(?:\s+page)?|下一页|下页|后页|次へ|다음|suivant|weiter|siguiente|следующая|"
    r"[›»→>]|>>|›››)\W*$",
    re.I,
)


@dataclass(frozen=True, slots=True)
class IndexProposal:
    """What a board or blog index page proposes."""

    thread_links: str | None
    next_page: str | None
    links: tuple[str, ...]  # the thread URLs the selector finds, in page order
    notes: tuple[str, ...]


def propose_index(html: str, url: str) -> IndexProposal:
    """The thread (or article) links and the next-page link of an index page."""
    root = parse_html(html)
    page = url.split("#")[0]
    groups: dict[tuple[Any, ...], list[tuple[Any, str]]] = defaultdict(list)
    for anchor in root.iter("a"):
        href = (anchor.get("href") or "").strip()
        if not href or href.startswith(("#", "javascript:", "mailto:")):
            continue
        target = urljoin(url, href).split("#")[0]
        if not target.startswith(("http://", "https://")) or target == page:
            continue
        if not same_host(target, url):
            continue
        parent = anchor.getparent()
        key = (parent.tag if parent is not None else "", tuple(sorted(classes_of(anchor))))
        groups[(*key, url_shape(target))].append((anchor, target))
    scored = sorted(((_link_score(g), i, g) for i, g in enumerate(groups.values())), reverse=True)
    next_page, next_note = _next_page(root, url)
    if not scored or scored[0][0] <= 0:
        nothing = ("no repeated links to threads or articles were found", next_note)
        return IndexProposal(None, next_page, (), nothing)
    best = scored[0][2]
    selector, f1 = _link_selector(root, url, best)
    links = tuple(dict.fromkeys(t for _, t in best))
    example = urlsplit(links[0])
    notes: list[str] = [
        f"thread_links: {len(links)} links like {example.path}"
        + (f"?{example.query}" if example.query else "")
        + ("" if f1 >= 0.9 else f" (the selector also finds other links: F1 {f1:.2f})"),
        next_note,
    ]
    return IndexProposal(selector, next_page, links, tuple(notes))


def _link_score(group: list[tuple[Any, str]]) -> float:
    urls = {target for _, target in group}
    if len(urls) < 2:
        return 0.0
    texts = [text_of(anchor) for anchor, _ in group]
    mean = sum(min(weight(t), 40) for t in texts) / len(texts)
    bad = sum(1 for t in texts if not t or t.isdigit() or looks_like_date(t)) / len(texts)
    chrome = sum(1 for anchor, _ in group if in_chrome(anchor)) / len(group)
    distinct = len(set(texts)) / len(texts)
    return len(urls) * (mean / 40) * distinct * (1 - bad) * (1 - chrome)


def _link_selector(root: Any, url: str, group: list[tuple[Any, str]]) -> tuple[str, float]:
    """The simplest CSS selector whose links are the group's, with its F1 over URLs."""
    wanted = {target for _, target in group}
    anchors = [anchor for anchor, _ in group]
    candidates = [f"a.{c}" for c in common_classes(classes_of(a) for a in anchors)]
    for depth in (1, 2, 3):
        parents = [list(a.iterancestors())[depth - 1 : depth] for a in anchors]
        if all(parents):
            joiner = " > " if depth == 1 else " "
            for d in common_descriptors(p[0] for p in parents)[:3]:
                candidates.append(f"{d}{joiner}a")
    token = _href_token(wanted)
    if token:
        candidates += [f"a[href*='{token}']"] + [f"{c}[href*='{token}']" for c in candidates[:4]]
    scored: list[tuple[float, int, int, str]] = []
    for css in candidates:
        found = {
            urljoin(url, (e.get("href") or "").strip()).split("#")[0] for e in select(root, css)
        }
        f1 = 2 * len(found & wanted) / (len(found) + len(wanted)) if found else 0.0
        specific = 1 if any(mark in css for mark in ".[#") else 0
        scored.append((round(f1, 3), specific, -len(css), css))
    if not scored:  # pragma: no cover - "a" is always a candidate of a group of links
        return "a", 0.0
    f1, _, _, best = max(scored)
    return best, f1


def _href_token(urls: set[str]) -> str | None:
    """A path piece every URL holds (``viewtopic.php``, ``/threads/``, ``thread-``)."""
    firsts = {[*p.path.split("/"), "", ""][1] for p in map(urlsplit, urls)}
    if len(firsts) != 1:
        return None
    first = firsts.pop()
    if not first:
        return None
    if not re.search(r"\d", first):
        return f"/{first}/" if all(urlsplit(u).path.count("/") > 1 for u in urls) else first
    head = re.match(r"[A-Za-z_.-]{3,}", first)
    return head.group(0) if head else None


def _next_page(root: Any, url: str) -> tuple[str | None, str]:
    for css in ("a[rel~=next]", "link[rel~=next]"):
        if select(root, css):
            return css, f"next_page: a rel=next link ({css})"
    for anchor in root.iter("a"):
        label = " ".join(
            [text_of(anchor), anchor.get("title") or "", anchor.get("aria-label") or ""]
        ).strip()
        classes = classes_of(anchor)
        named = [c for c in classes if re.search(r"next|nxt", c, re.I)]
        if anchor.get("href") and (named or _NEXT_TEXT.match(text_of(anchor) or label)):
            for css in [f"a.{c}" for c in named + classes]:
                if len({e.get("href") for e in select(root, css)}) == 1:
                    return css, f"next_page: the link «{label[:20]}» ({css})"
    return _after_current(root)


def _after_current(root: Any) -> tuple[str | None, str]:
    """A paginator's current page marker followed by the link to the next number."""
    for marker in root.iter("span", "strong", "b", "em", "li"):
        number = text_of(marker).strip("[] ")
        if not number.isdigit() or next(marker.iter("a"), None) is not None:
            continue
        if any(node.tag == "a" for node in marker.iterancestors()):
            continue
        following = marker.getnext()
        link = following if following is not None and following.tag == "a" else None
        if link is None and following is not None and following.tag == "li":
            link = next(following.iter("a"), None)
        if link is None or text_of(link) != str(int(number) + 1):
            continue
        joiner = " > a" if link is not following else ""
        for d in descriptors_of(marker):
            css = f"{d} + {following.tag}{joiner}" if joiner else f"{d} + a"
            found = select(root, css)
            if found and all(text_of(e) == text_of(link) for e in found):
                return css, f"next_page: the link after the current page «{number}» ({css})"
    return None, "next_page: none found (no rel=next, no 'next' link, no page numbers)"
