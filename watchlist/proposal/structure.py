"""What the proposals read of a page's structure: text, signatures, CSS descriptors, dates.

Shared by :mod:`watchlist.proposal.index` and :mod:`watchlist.proposal.thread`. Elements are
the lxml elements of a parsel-parsed page, and selectors are evaluated the way the forum
spider evaluates them (parsel's CSS translated to XPath).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from lxml import etree
from parsel import Selector
from parsel.csstranslator import css2xpath

SKIP = {"script", "style", "noscript", "template", "svg", "head", "select", "option"}
CHROME_TAGS = {"nav", "header", "footer", "aside"}
# fmt: off
CHROME_WORDS = {"nav", "navbar", "menu", "breadcrumb", "breadcrumbs", "crumbs", "footer",
                "sidebar", "pagination", "pager", "pagenav", "pages", "tags", "tagcloud"}
# fmt: on
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


def weight(text: str) -> int:
    """How much text this is: characters, CJK ones counting double (they say more each)."""
    return len(text) + len(_CJK.findall(text))


def looks_like_date(text: str) -> bool:
    """Whether ``text`` reads like a date or a post time ("2026-01-05", "Jan 5, 2026", "3天前")."""
    return bool(_DATE.search(text))


def parse_html(html: str) -> Any:
    """The lxml root of ``html``, parsed as the spider parses it (parsel)."""
    return Selector(text=html or "<html></html>").root


def text_of(element: Any) -> str:
    """The element's visible text, whitespace folded (scripts, styles and the like skipped)."""
    parts: list[str] = []
    stack = [element]
    while stack:
        node = stack.pop()
        if isinstance(node, str):
            parts.append(node)
            continue
        if not isinstance(node.tag, str) or node.tag in SKIP:
            continue
        parts.append(node.text or "")
        for child in reversed(node):
            if child.tail:
                stack.append(child.tail)
            stack.append(child)
    return " ".join("".join(parts).split())


def classes_of(element: Any) -> list[str]:
    """The element's classes that do not number or alternate it (``bg1``, ``post-12``)."""
    return [c for c in (element.get("class") or "").split() if not has_digits(c)]


def id_prefix(element: Any) -> str | None:
    """The prefix of a numbered id (``post_`` of ``post_123``), or None."""
    match = _ID_PATTERN.match(element.get("id") or "")
    return match.group(1) if match else None


def signature_of(element: Any) -> tuple[str, str]:
    """Tag with id pattern (``div#post_N``) or classes, numbers dropped (``bg1`` ~ ``bg2``)."""
    prefix = id_prefix(element)
    if prefix is not None:
        return element.tag, f"#{prefix}N"
    classes = {re.sub(r"\d+", "", c) for c in (element.get("class") or "").split()}
    return element.tag, ".".join(sorted(classes))


def descriptors_of(element: Any) -> list[str]:
    """CSS descriptors of one element, most specific first."""
    tag = element.tag
    ident = element.get("id") or ""
    found = (
        [f"{tag}#{ident}"]
        if re.fullmatch(r"[A-Za-z][\w-]*", ident) and not has_digits(ident)
        else []
    )
    found += [f"{tag}.{c}" for c in classes_of(element)]
    prefix = id_prefix(element)
    if prefix is not None:
        found.append(f"{tag}[id^={prefix}]")
    return [*found, tag]


def has_digits(text: str) -> bool:
    """Whether ``text`` holds a digit."""
    return bool(re.search(r"\d", text))


def specificity(css: str) -> int:
    """1 when the selector's element names a class, id or attribute; 0 for a bare tag."""
    return 1 if any(mark in css.split()[-1] for mark in ".[#") else 0


def select(root: Any, css: str) -> list[Any]:
    """The elements ``css`` finds from ``root`` (itself included), as the spider queries."""
    try:
        return list(root.xpath(css2xpath(css)))
    except (etree.XPathError, ValueError, SyntaxError):
        return []


def same_host(url: str, base: str) -> bool:
    """Whether ``url`` is on ``base``'s host, a subdomain of it, or a parent of it."""
    host, home = urlsplit(url).hostname or "", urlsplit(base).hostname or ""
    return host == home or host.endswith("." + home) or home.endswith("." + host)


def in_chrome(element: Any) -> bool:
    """Whether the element sits in the page's navigation, header, footer or sidebar."""
    for node in (element, *element.iterancestors()):
        if node.tag in CHROME_TAGS:
            return True
        words = re.split(r"[-_\s]+", f"{node.get('class') or ''} {node.get('id') or ''}".lower())
        if CHROME_WORDS.intersection(words):
            return True
    return False


def url_shape(url: str) -> tuple[Any, ...]:
    """A URL's form: path depth, first segment (numbers as N) and query keys."""
    parts = urlsplit(url)
    segments = [s for s in parts.path.split("/") if s]
    first = re.sub(r"\d+", "N", segments[0]) if segments else ""
    keys = tuple(sorted({kv.split("=")[0] for kv in re.split(r"[&;]", parts.query) if kv}))
    return len(segments), first, keys


def common_classes(class_lists: Iterable[list[str]]) -> list[str]:
    """The classes every list holds, in the first list's order."""
    lists = list(class_lists)
    shared = set(lists[0]).intersection(*map(set, lists[1:])) if lists else set()
    return [c for c in lists[0] if c in shared] if lists else []


def common_descriptors(elements: Iterable[Any]) -> list[str]:
    """The CSS descriptors every element matches, most specific first."""
    described = [descriptors_of(e) for e in elements]
    shared = set(described[0]).intersection(*map(set, described[1:]))
    return [d for d in described[0] if d in shared]
