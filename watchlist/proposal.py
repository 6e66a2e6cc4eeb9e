"""Propose a forum config's selectors from a page's repeated structure: pure functions.

For a site whose engine has no preset. Nothing here knows any site or engine; it reads what
repeats:

- ``propose_index(html, url)``, a board or blog index: the links to threads or articles are the
  largest group of same-shaped links (same ancestors, classes and URL form) with long, distinct
  texts that are not dates, numbers or navigation; ``next_page`` is a ``rel=next`` link, a link
  classed or labelled "next", or the link after the current page's marker in a paginator.
- ``propose_thread(html, url)``, a thread or article page: the posts are the outermost group of
  same-signature elements (tag with its classes, or an id like ``post_123`` / ``comment-45``)
  whose members each hold substantial, distinct text and a date; in a post, the body is the
  tightest element covering most of the text that varies from post to post, the author a short
  varying text marked as a name (class ``author``/``username``…, a profile link), the time a
  ``<time>`` or date-looking text.

Every selector is checked against the page the way the forum spider will use it, and the
notes say what each one found.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

from lxml import etree
from parsel import Selector
from parsel.csstranslator import css2xpath

_SKIP = {"script", "style", "noscript", "template", "svg", "head", "select", "option"}
_CHROME_TAGS = {"nav", "header", "footer", "aside"}
_CHROME_WORDS = set(
    [
        "nav",
        "navbar",
        "menu",
        "breadcrumb",
        "breadcrumbs",
        "crumbs",
        "footer",
        "sidebar",
        "pagination",
        "pager",
        "pagenav",
        "pages",
        "tags",
        "tagcloud",
    ]
)
_AUTHOR_WORDS = ("author", "username", "user", "poster", "name", "nick", "byline", "member")
_NEXT_TEXT = re.compile(
    r"^(?:next(?:\s+page)?|下一页|下页|后页|次へ|다음|suivant|weiter|siguiente|следующая|"
    r"[›»→>]|>>|›››)\W*$",
    re.I,
)
_DATE = re.compile(
    r"\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}"
    r"|\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d{1,2}(?:st|nd|rd|th)?"
    r",?\s+\d{4}|\b\d{1,2}\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?,?\s+"
    r"\d{4}|\b(?:today|yesterday)\b|今天|昨天|前天|\d+\s*(?:秒|分钟|小时|天)前"
    r"|\b\d+\s+(?:seconds?|minutes?|hours?|days?|weeks?)\s+ago\b",
    re.I,
)
_ID_PATTERN = re.compile(r"^([A-Za-z][A-Za-z_-]*?)\d+$")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")


@dataclass(frozen=True, slots=True)
class IndexProposal:
    """What a board or blog index page proposes."""

    thread_links: str | None
    next_page: str | None
    links: tuple[str, ...]  # the thread URLs the selector finds, in page order
    notes: tuple[str, ...]


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


def weight(text: str) -> int:
    """How much text this is: characters, CJK ones counting double (they say more each)."""
    return len(text) + len(_CJK.findall(text))


def looks_like_date(text: str) -> bool:
    """Whether ``text`` reads like a date or a post time ("2026-01-05", "Jan 5, 2026", "3天前")."""
    return bool(_DATE.search(text))


def _root(html: str) -> Any:
    return Selector(text=html or "<html></html>").root


def _text(element: Any) -> str:
    """The element's visible text, whitespace folded (scripts, styles and the like skipped)."""
    parts: list[str] = []
    stack = [element]
    while stack:
        node = stack.pop()
        if isinstance(node, str):
            parts.append(node)
            continue
        if not isinstance(node.tag, str) or node.tag in _SKIP:
            continue
        parts.append(node.text or "")
        for child in reversed(node):
            if child.tail:
                stack.append(child.tail)
            stack.append(child)
    return " ".join("".join(parts).split())


def _classes(element: Any) -> list[str]:
    """The element's classes that do not number or alternate it (``bg1``, ``post-12``)."""
    return [c for c in (element.get("class") or "").split() if not _digits(c)]


def _id_prefix(element: Any) -> str | None:
    match = _ID_PATTERN.match(element.get("id") or "")
    return match.group(1) if match else None


def _signature(element: Any) -> tuple[str, str]:
    """Tag with id pattern (``div#post_N``) or classes, numbers dropped (``bg1`` ~ ``bg2``)."""
    prefix = _id_prefix(element)
    if prefix is not None:
        return element.tag, f"#{prefix}N"
    classes = {re.sub(r"\d+", "", c) for c in (element.get("class") or "").split()}
    return element.tag, ".".join(sorted(classes))


def _descriptors(element: Any) -> list[str]:
    """CSS descriptors of one element, most specific first."""
    tag = element.tag
    ident = element.get("id") or ""
    found = (
        [f"{tag}#{ident}"] if re.fullmatch(r"[A-Za-z][\w-]*", ident) and not _digits(ident) else []
    )
    found += [f"{tag}.{c}" for c in _classes(element)]
    prefix = _id_prefix(element)
    if prefix is not None:
        found.append(f"{tag}[id^={prefix}]")
    return [*found, tag]


def _digits(text: str) -> bool:
    return bool(re.search(r"\d", text))


def _specificity(css: str) -> int:
    """1 when the selector's element names a class, id or attribute; 0 for a bare tag."""
    return 1 if any(mark in css.split()[-1] for mark in ".[#") else 0


def _matches(root: Any, css: str) -> list[Any]:
    try:
        return list(root.xpath(css2xpath(css)))
    except (etree.XPathError, ValueError, SyntaxError):
        return []


def _same_host(url: str, base: str) -> bool:
    host, home = urlsplit(url).hostname or "", urlsplit(base).hostname or ""
    return host == home or host.endswith("." + home) or home.endswith("." + host)


def _chrome(element: Any) -> bool:
    """Whether the element sits in the page's navigation, header, footer or sidebar."""
    for node in (element, *element.iterancestors()):
        if node.tag in _CHROME_TAGS:
            return True
        words = re.split(r"[-_\s]+", f"{node.get('class') or ''} {node.get('id') or ''}".lower())
        if _CHROME_WORDS.intersection(words):
            return True
    return False


def _url_shape(url: str) -> tuple[Any, ...]:
    parts = urlsplit(url)
    segments = [s for s in parts.path.split("/") if s]
    first = re.sub(r"\d+", "N", segments[0]) if segments else ""
    keys = tuple(sorted({kv.split("=")[0] for kv in re.split(r"[&;]", parts.query) if kv}))
    return len(segments), first, keys


# --- board and blog index pages ----------------------------------------------------------


def propose_index(html: str, url: str) -> IndexProposal:
    """The thread (or article) links and the next-page link of an index page."""
    root = _root(html)
    page = url.split("#")[0]
    groups: dict[tuple[Any, ...], list[tuple[Any, str]]] = defaultdict(list)
    for anchor in root.iter("a"):
        href = (anchor.get("href") or "").strip()
        if not href or href.startswith(("#", "javascript:", "mailto:")):
            continue
        target = urljoin(url, href).split("#")[0]
        if not target.startswith(("http://", "https://")) or target == page:
            continue
        if not _same_host(target, url):
            continue
        parent = anchor.getparent()
        key = (parent.tag if parent is not None else "", tuple(sorted(_classes(anchor))))
        groups[(*key, _url_shape(target))].append((anchor, target))
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
    texts = [_text(anchor) for anchor, _ in group]
    mean = sum(min(weight(t), 40) for t in texts) / len(texts)
    bad = sum(1 for t in texts if not t or t.isdigit() or looks_like_date(t)) / len(texts)
    chrome = sum(1 for anchor, _ in group if _chrome(anchor)) / len(group)
    distinct = len(set(texts)) / len(texts)
    return len(urls) * (mean / 40) * distinct * (1 - bad) * (1 - chrome)


def _link_selector(root: Any, url: str, group: list[tuple[Any, str]]) -> tuple[str, float]:
    """The simplest CSS selector whose links are the group's, with its F1 over URLs."""
    wanted = {target for _, target in group}
    anchors = [anchor for anchor, _ in group]
    candidates = [f"a.{c}" for c in _common(_classes(a) for a in anchors)]
    for depth in (1, 2, 3):
        parents = [list(a.iterancestors())[depth - 1 : depth] for a in anchors]
        if all(parents):
            joiner = " > " if depth == 1 else " "
            for d in _common_descriptors(p[0] for p in parents)[:3]:
                candidates.append(f"{d}{joiner}a")
    token = _href_token(wanted)
    if token:
        candidates += [f"a[href*='{token}']"] + [f"{c}[href*='{token}']" for c in candidates[:4]]
    scored: list[tuple[float, int, int, str]] = []
    for css in candidates:
        found = {
            urljoin(url, (e.get("href") or "").strip()).split("#")[0] for e in _matches(root, css)
        }
        f1 = 2 * len(found & wanted) / (len(found) + len(wanted)) if found else 0.0
        specific = 1 if any(mark in css for mark in ".[#") else 0
        scored.append((round(f1, 3), specific, -len(css), css))
    if not scored:  # pragma: no cover - "a" is always a candidate of a group of links
        return "a", 0.0
    f1, _, _, best = max(scored)
    return best, f1


def _common(class_lists: Iterable[list[str]]) -> list[str]:
    lists = list(class_lists)
    shared = set(lists[0]).intersection(*map(set, lists[1:])) if lists else set()
    return [c for c in lists[0] if c in shared] if lists else []


def _common_descriptors(elements: Iterable[Any]) -> list[str]:
    described = [_descriptors(e) for e in elements]
    shared = set(described[0]).intersection(*map(set, described[1:]))
    return [d for d in described[0] if d in shared]


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
        if _matches(root, css):
            return css, f"next_page: a rel=next link ({css})"
    for anchor in root.iter("a"):
        label = " ".join(
            [_text(anchor), anchor.get("title") or "", anchor.get("aria-label") or ""]
        ).strip()
        classes = _classes(anchor)
        named = [c for c in classes if re.search(r"next|nxt", c, re.I)]
        if anchor.get("href") and (named or _NEXT_TEXT.match(_text(anchor) or label)):
            for css in [f"a.{c}" for c in named + classes]:
                if len({e.get("href") for e in _matches(root, css)}) == 1:
                    return css, f"next_page: the link «{label[:20]}» ({css})"
    return _after_current(root)


def _after_current(root: Any) -> tuple[str | None, str]:
    """A paginator's current page marker followed by the link to the next number."""
    for marker in root.iter("span", "strong", "b", "em", "li"):
        number = _text(marker).strip("[] ")
        if not number.isdigit() or next(marker.iter("a"), None) is not None:
            continue
        if any(node.tag == "a" for node in marker.iterancestors()):
            continue
        following = marker.getnext()
        link = following if following is not None and following.tag == "a" else None
        if link is None and following is not None and following.tag == "li":
            link = next(following.iter("a"), None)
        if link is None or _text(link) != str(int(number) + 1):
            continue
        joiner = " > a" if link is not following else ""
        for d in _descriptors(marker):
            css = f"{d} + {following.tag}{joiner}" if joiner else f"{d} + a"
            found = _matches(root, css)
            if found and all(_text(e) == _text(link) for e in found):
                return css, f"next_page: the link after the current page «{number}» ({css})"
    return None, "next_page: none found (no rel=next, no 'next' link, no page numbers)"


# --- thread and article pages ------------------------------------------------------------


def propose_thread(html: str, url: str) -> ThreadProposal:
    """The post, body, author and time selectors of a thread page (``posts`` 0: none found)."""
    root = _root(html)
    members = _posts(root)
    title = _title(root)
    if not members:
        nothing = ("post: no repeated blocks of substantial text were found",)
        return ThreadProposal(None, None, None, None, title, 0, nothing)
    post = _best_selector(root, members)
    owner = _Owner(members)
    authors = [owner.first(m, _author_of) for m in members]
    author = _relative(owner, authors, exact=True)
    names = {_text(a) for a in authors if a is not None}
    titles = [" ".join(root.xpath("string(//title)").split())]
    titles += [_text(e) for e in _matches(root, title)] if title != "title" else []
    body = _relative(owner, _body_targets(owner, names, titles), exact=False) or post
    stamp = _relative(owner, [owner.first(m, _date_of) for m in members], exact=True)
    found = len(_matches(root, post))
    notes: list[str] = [f"post: {found} posts on the page ({post})", f"post_body: {body}"]
    notes.append(f"author: {author}" if author else "author: none found")
    notes.append(f"posted_at: {stamp}" if stamp else "posted_at: no <time> or dates found")
    return ThreadProposal(post, body, author, stamp, title, found, tuple(notes))


def _title(root: Any) -> str:
    """The heading that the page's <title> repeats (the thread's title), else ``title``."""
    page_title = " ".join(root.xpath("string(//title)").split())
    best: tuple[int, str] | None = None
    for heading in root.iter("h1", "h2", "h3"):
        text = _text(heading)
        if not text or text not in page_title or _chrome(heading):
            continue
        for css in _descriptors(heading):
            if len(_matches(root, css)) == 1 and (best is None or weight(text) > best[0]):
                best = (weight(text), css)
                break
    return best[1] if best else "title"


def _posts(root: Any) -> list[Any]:
    """The outermost repeated siblings that look like posts, with same-shaped nested replies."""
    candidates: list[tuple[int, float, Any, list[Any]]] = []
    for parent in root.iter():
        if not isinstance(parent.tag, str) or parent.tag in _SKIP:
            continue
        siblings: dict[tuple[str, str], list[Any]] = defaultdict(list)
        for child in parent:
            if isinstance(child.tag, str) and child.tag not in _SKIP:
                siblings[_signature(child)].append(child)
        for members in siblings.values():
            if len(members) >= 2 and not _chrome(members[0]):
                score = _post_score(members)
                if score is not None:
                    depth = -len(list(members[0].iterancestors()))
                    candidates.append((score, depth, parent, members))
    if not candidates:
        return []
    most = max(c[0] for c in candidates)
    _, _, parent, members = max((c for c in candidates if c[0] >= 0.8 * most), key=lambda c: c[1])
    signature = _signature(members[0])
    if not signature[1].startswith("#"):
        return members
    # Posts with numbered ids (comment-12): replies nested in them are posts too.
    return [e for e in parent.iter() if isinstance(e.tag, str) and _signature(e) == signature]


def _post_score(members: list[Any]) -> int | None:
    """How many members hold substantial, distinct text; None when they are not posts."""
    texts = [_text(m) for m in members]
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
    options = _common_descriptors(members)
    for depth in (1, 2, 3):
        ancestors = [list(m.iterancestors())[depth - 1 : depth] for m in members]
        if all(ancestors):
            joiner = " > " if depth == 1 else " "
            for a in _common_descriptors(x[0] for x in ancestors)[:3]:
                options += [f"{a}{joiner}{d}" for d in _common_descriptors(members)[:3]]
    scored = []
    for css in options:
        found = set(_matches(root, css))
        f1 = 2 * len(found & wanted) / (len(found) + len(wanted)) if found else 0.0
        specific = 1 if any(mark in css for mark in ".[#") else 0
        scored.append((round(f1, 3), _specificity(css), specific, -len(css), css))
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
            usable = isinstance(element.tag, str) and element.tag not in _SKIP
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
            firsts[_signature(element)].setdefault(id(member), element)
    best: tuple[int, tuple[str, str]] | None = None
    for signature, chosen in firsts.items():
        if len(chosen) < 0.7 * len(owner.members):
            continue
        inside = [e for e in chosen.values()]
        covered = sum(
            varying([x for x in e.iter() if owner.of(x) is owner.of(e)], e) for e in inside
        )
        size = sum(weight(_text(e)) for e in inside)
        if covered >= 0.7 * total and (best is None or size < best[0]):
            best = (size, signature)
    if best is None:
        return list(owner.members)
    return [firsts[best[1]].get(id(m)) for m in owner.members]


def _author_of(member: Any, elements: Iterable[Any]) -> Any:
    """The post's author: a short, non-date text marked as a name, or a link to a profile."""
    best, best_score = None, 0.0
    for element in elements:
        text = _text(element)
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
        if not isinstance(element.tag, str) or element.tag in _SKIP:
            continue
        stamp = element.get("datetime") or element.get("data-time") or element.get("title")
        text = _text(element)
        dated = (stamp and looks_like_date(stamp)) or (
            0 < weight(text) <= 60 and looks_like_date(text)
        )
        if dated and not any(looks_like_date(_text(child)) for child in element):
            return element
    return None


def _relative(owner: _Owner, targets: list[Any], *, exact: bool) -> str | None:
    """A CSS selector that finds, inside each post, its target first (``exact``: alone);
    None when none does so for most posts that have a target."""
    pairs = [(m, t) for m, t in zip(owner.members, targets, strict=True) if t is not None]
    if not pairs or len(pairs) < 0.5 * len(owner.members):
        return None
    usual = Counter(_signature(t) for _, t in pairs).most_common(1)[0][0]
    typical = [(m, t) for m, t in pairs if _signature(t) == usual]
    described = _common_descriptors(t for _, t in typical)
    options = [(0, d) for d in described]  # (kind: the element, inside, after; selector)
    for depth in (1, 2, 3):
        ancestors = [list(t.iterancestors())[depth - 1 : depth] for _, t in typical]
        if all(a and owner.of(a[0]) is m for a, (m, _) in zip(ancestors, typical, strict=True)):
            joiner = " > " if depth == 1 else " "
            for a in _common_descriptors(x[0] for x in ancestors)[:4]:
                options += [(1, f"{a}{joiner}{d}") for d in described[:3]]
    before = [t.getprevious() for _, t in typical]
    if all(b is not None and isinstance(b.tag, str) for b in before):
        options += [(2, f"{b} + {d}") for b in _common_descriptors(before)[:3] for d in described]
    needed = 0.5 if len(pairs) <= 3 else 0.8
    passing: list[tuple[int, int, int, int, int, str]] = []
    for kind, css in options:
        good = 0
        for member, target in pairs:
            found = [e for e in _matches(member, css) if owner.of(e) is member]
            if found and _same(found[0], target) and (not exact or len(found) == 1):
                good += 1
        if good >= needed * len(pairs):
            specific = 1 if any(mark in css for mark in ".[#") else 0
            passing.append((-good, kind, -_specificity(css), -specific, len(css), css))
    return min(passing)[-1] if passing else None


def _same(found: Any, target: Any) -> bool:
    """The element wanted, or one wrapping it (or wrapped in it) that holds the same text."""
    if found is target:
        return True
    nested = any(e is target for e in found.iter()) or any(e is found for e in target.iter())
    return nested and _text(found) == _text(target)
