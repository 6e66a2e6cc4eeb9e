"""Thread and article pages: the posts, and in each its body, author and time.

The posts are the outermost repeated siblings of one signature (tag with its classes, or an id
like ``post_123`` / ``comment-45``) whose members hold substantial, distinct, dated text;
replies nested in posts with numbered ids are posts too. In a post, the body is the tightest
element covering most of what varies from post to post; the author a short varying text marked
as a name (class ``author``/``username``…, a link to a profile); the time a ``<time>`` or
date-looking text. Each selector is checked against every post it should find.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from watchlist.proposal.structure import (
    SKIP,
    common_descriptors,
    descriptors_of,
    in_chrome,
    looks_like_date,
    parse_html,
    select,
    signature_of,
    specificity,
    text_of,
    weight,
)

_AUTHOR_WORDS = ("author", "username", "user", "poster", "name", "nick", "byline", "member")


@dataclass(frozen=True, slots=True)
class ThreadProposal:
    """What a thread or article page proposes."""

    post: str | None
    post_body: str | None
    author: str | None
    posted_at: str | None
    title: str | None
    posts: int  # posts the selectors find on the page
    notes: tuple[str, ...]

    def selectors(self) -> dict[str, str]:
        """The proposed selectors that were found, by config key."""
        found = {
            "title": self.title,
            "post": self.post,
            "post_body": self.post_body,
            "author": self.author,
            "posted_at": self.posted_at,
        }
        return {key: value for key, value in found.items() if value}


def propose_thread(html: str, url: str) -> ThreadProposal:
    """The post, body, author and time selectors of a thread page (``posts`` 0: none found)."""
    root = parse_html(html)
    members = _posts(root)
    title = _title(root)
    if not members:
        nothing = ("post: no repeated blocks of substantial text were found",)
        return ThreadProposal(None, None, None, None, title, 0, nothing)
    post = _best_selector(root, members)
    owner = _Owner(members)
    authors = [owner.first(m, _author_of) for m in members]
    author = _relative(owner, authors, exact=True)
    names = {text_of(a) for a in authors if a is not None}
    titles = [" ".join(root.xpath("string(//title)").split())]
    titles += [text_of(e) for e in select(root, title)] if title != "title" else []
    body = _relative(owner, _body_targets(owner, names, titles), exact=False) or post
    stamp = _relative(owner, [owner.first(m, _date_of) for m in members], exact=True)
    found = len(select(root, post))
    notes: list[str] = [f"post: {found} posts on the page ({post})", f"post_body: {body}"]
    notes.append(f"author: {author}" if author else "author: none found")
    notes.append(f"posted_at: {stamp}" if stamp else "posted_at: no <time> or dates found")
    return ThreadProposal(post, body, author, stamp, title, found, tuple(notes))


def _title(root: Any) -> str:
    """The heading that the page's <title> repeats (the thread's title), else ``title``."""
    page_title = " ".join(root.xpath("string(//title)").split())
    best: tuple[int, str] | None = None
    for heading in root.iter("h1", "h2", "h3"):
        text = text_of(heading)
        if not text or text not in page_title or in_chrome(heading):
            continue
        for css in descriptors_of(heading):
            if len(select(root, css)) == 1 and (best is None or weight(text) > best[0]):
                best = (weight(text), css)
                break
    return best[1] if best else "title"


def _posts(root: Any) -> list[Any]:
    """The outermost repeated siblings that look like posts, with same-shaped nested replies."""
    candidates: list[tuple[int, float, Any, list[Any]]] = []
    for parent in root.iter():
        if not isinstance(parent.tag, str) or parent.tag in SKIP:
            continue
        siblings: dict[tuple[str, str], list[Any]] = defaultdict(list)
        for child in parent:
            if isinstance(child.tag, str) and child.tag not in SKIP:
                siblings[signature_of(child)].append(child)
        for members in siblings.values():
            if len(members) >= 2 and not in_chrome(members[0]):
                score = _post_score(members)
                if score is not None:
                    depth = -len(list(members[0].iterancestors()))
                    candidates.append((score, depth, parent, members))
    if not candidates:
        return []
    most = max(c[0] for c in candidates)
    _, _, parent, members = max((c for c in candidates if c[0] >= 0.8 * most), key=lambda c: c[1])
    signature = signature_of(members[0])
    if not signature[1].startswith("#"):
        return members
    # Posts with numbered ids (comment-12): replies nested in them are posts too.
    return [e for e in parent.iter() if isinstance(e.tag, str) and signature_of(e) == signature]


def _post_score(members: list[Any]) -> int | None:
    """How many members hold substantial, distinct text; None when they are not posts."""
    texts = [text_of(m) for m in members]
    substantial = [t for t in texts if weight(t) >= 25]
    if len(substantial) < 2 or len(substantial) < len(members) / 2:
        return None
    if len(set(substantial)) < 0.7 * len(substantial):
        return None
    dated = sum(1 for m in members if _date_of(m) is not None)
    return len(substantial) if dated >= 0.75 * len(members) else None  # posts show their time


def _best_selector(root: Any, members: list[Any]) -> str:
    """The CSS selector finding these elements on the page and few others (best F1)."""
    wanted = set(members)
    options = common_descriptors(members)
    for depth in (1, 2, 3):
        ancestors = [list(m.iterancestors())[depth - 1 : depth] for m in members]
        if all(ancestors):
            joiner = " > " if depth == 1 else " "
            for a in common_descriptors(x[0] for x in ancestors)[:3]:
                options += [f"{a}{joiner}{d}" for d in common_descriptors(members)[:3]]
    scored = []
    for css in options:
        found = set(select(root, css))
        f1 = 2 * len(found & wanted) / (len(found) + len(wanted)) if found else 0.0
        specific = 1 if any(mark in css for mark in ".[#") else 0
        scored.append((round(f1, 3), specificity(css), specific, -len(css), css))
    return max(scored)[-1]


class _Owner:
    """Which post an element belongs to: the nearest post around it (replies nest)."""

    def __init__(self, members: list[Any]) -> None:
        self.members = members
        self.ids = {id(m) for m in members}

    def of(self, element: Any) -> Any:
        for node in (element, *element.iterancestors()):
            if id(node) in self.ids:
                return node
        return None

    def own(self, member: Any) -> Iterator[Any]:
        """The elements of ``member`` that belong to it, not to a reply nested in it."""
        for element in member.iter():
            usable = isinstance(element.tag, str) and element.tag not in SKIP
            if usable and (element is member or self.of(element) is member):
                yield element

    def first(self, member: Any, find: Callable[[Any, Iterable[Any]], Any]) -> Any:
        return find(member, list(self.own(member)))


def _strings(elements: Iterable[Any], top: Any) -> Iterator[str]:
    for node in elements:
        for piece in (node.text, node.tail if node is not top else None):
            if piece and piece.strip():
                yield " ".join(piece.split())


def _body_targets(owner: _Owner, names: set[str], titles: list[str]) -> list[Any]:
    """In each post, the element of one signature that covers most of what varies between
    posts (boilerplate such as "Quote" or "Posts:" and dates left out) with the least text."""
    own = {id(m): list(owner.own(m)) for m in owner.members}
    common = Counter(s for m in owner.members for s in set(_strings(own[id(m)], m)))
    boiler = {s for s, n in common.items() if n >= max(2, len(owner.members) / 2)} | names
    # The thread's title, repeated in posts ("Re: …"), is not what a post says.
    boiler |= {s for s in common if len(s) >= 6 and any(s in t or t in s for t in titles if t)}

    def varying(elements: Iterable[Any], top: Any) -> int:
        # Squared: the long lines of a body outweigh the post counts and "#3"s around it.
        return sum(
            weight(s) ** 2
            for s in _strings(elements, top)
            if s not in boiler and not s.isdigit() and not looks_like_date(s)
        )

    total = sum(varying(own[id(m)], m) for m in owner.members) or 1
    firsts: dict[tuple[str, str], dict[int, Any]] = defaultdict(dict)
    for member in owner.members:
        for element in own[id(member)][1:]:
            firsts[signature_of(element)].setdefault(id(member), element)
    best: tuple[int, tuple[str, str]] | None = None
    for signature, chosen in firsts.items():
        if len(chosen) < 0.7 * len(owner.members):
            continue
        inside = [e for e in chosen.values()]
        covered = sum(
            varying([x for x in e.iter() if owner.of(x) is owner.of(e)], e) for e in inside
        )
        size = sum(weight(text_of(e)) for e in inside)
        if covered >= 0.7 * total and (best is None or size < best[0]):
            best = (size, signature)
    if best is None:
        return list(owner.members)
    return [firsts[best[1]].get(id(m)) for m in owner.members]


def _author_of(member: Any, elements: Iterable[Any]) -> Any:
    """The post's author: a short, non-date text marked as a name, or a link to a profile."""
    best, best_score = None, 0.0
    for element in elements:
        text = text_of(element)
        if not text or weight(text) > 40 or len(text.split()) > 5 or looks_like_date(text):
            continue
        if text.isdigit():
            continue
        own = " ".join(element.get(name) or "" for name in ("class", "itemprop", "rel"))
        near = " ".join(p.get("class") or "" for p in list(element.iterancestors())[:2])
        score = sum(1.0 for w in _AUTHOR_WORDS if w in own.lower())
        score += sum(0.5 for w in _AUTHOR_WORDS if w in near.lower())
        href = (element.get("href") or "").lower()
        if element.tag == "a" and re.search(r"user|member|profile|author|u=|uid|/u/", href):
            score += 1.5
        if score > best_score:
            best, best_score = element, score
    return best


def _date_of(member: Any, elements: Iterable[Any] | None = None) -> Any:
    candidates = list(member.iter() if elements is None else elements)
    for element in candidates:
        if element.tag == "time":
            return element
    for element in candidates:
        if not isinstance(element.tag, str) or element.tag in SKIP:
            continue
        stamp = element.get("datetime") or element.get("data-time") or element.get("title")
        text = text_of(element)
        dated = (stamp and looks_like_date(stamp)) or (
            0 < weight(text) <= 60 and looks_like_date(text)
        )
        if dated and not any(looks_like_date(text_of(child)) for child in element):
            return element
    return None


def _relative(owner: _Owner, targets: list[Any], *, exact: bool) -> str | None:
    """A CSS selector that finds, inside each post, its target first (``exact``: alone);
    None when none does so for most posts that have a target."""
    pairs = [(m, t) for m, t in zip(owner.members, targets, strict=True) if t is not None]
    if not pairs or len(pairs) < 0.5 * len(owner.members):
        return None
    usual = Counter(signature_of(t) for _, t in pairs).most_common(1)[0][0]
    typical = [(m, t) for m, t in pairs if signature_of(t) == usual]
    described = common_descriptors(t for _, t in typical)
    options = [(0, d) for d in described]  # (kind: the element, inside, after; selector)
    for depth in (1, 2, 3):
        ancestors = [list(t.iterancestors())[depth - 1 : depth] for _, t in typical]
        if all(a and owner.of(a[0]) is m for a, (m, _) in zip(ancestors, typical, strict=True)):
            joiner = " > " if depth == 1 else " "
            for a in common_descriptors(x[0] for x in ancestors)[:4]:
                options += [(1, f"{a}{joiner}{d}") for d in described[:3]]
    before = [t.getprevious() for _, t in typical]
    if all(b is not None and isinstance(b.tag, str) for b in before):
        options += [(2, f"{b} + {d}") for b in common_descriptors(before)[:3] for d in described]
    needed = 0.5 if len(pairs) <= 3 else 0.8
    passing: list[tuple[int, int, int, int, int, str]] = []
    for kind, css in options:
        good = 0
        for member, target in pairs:
            found = [e for e in select(member, css) if owner.of(e) is member]
            if found and _same(found[0], target) and (not exact or len(found) == 1):
                good += 1
        if good >= needed * len(pairs):
            specific = 1 if any(mark in css for mark in ".[#") else 0
            passing.append((-good, kind, -specificity(css), -specific, len(css), css))
    return min(passing)[-1] if passing else None


def _same(found: Any, target: Any) -> bool:
    """The element wanted, or one wrapping it (or wrapped in it) that holds the same text."""
    if found is target:
        return True
    nested = any(e is target for e in found.iter()) or any(e is found for e in target.iter())
    return nested and text_of(found) == text_of(target)
