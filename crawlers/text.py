"""Turn a post's HTML into the plain text the extractor reads."""

from __future__ import annotations

import re
from collections.abc import Collection
from typing import Any

from parsel import Selector, SelectorList
from scrapy.http import TextResponse

_BLOCK_TAGS = {"p", "div", "li", "tr", "blockquote", "h1", "h2", "h3", "h4", "pre"}
_SKIPPED_TAGS = {"script", "style", "template", "noscript"}
# Where a block element starts or ends; consecutive ones make a single line break.
_BLOCK_BREAK = "\x1d"
_BLOCK_BREAKS = re.compile("[ \x1d]*\x1d[ \x1d]*")
_SPACES = re.compile(r"[ \t\r\f\v\u00a0]+")
_BLANK_LINES = re.compile(r"\n\s*\n+")


_SURROGATES = re.compile("[\ud800-\udfff]")


def without_surrogates(text: str) -> str:
    """``text`` with lone surrogates (JSON's ``"\\ud800"``) as U+FFFD: lxml refuses them."""
    return _SURROGATES.sub("\ufffd", text)


_CLOSING_TAGS = ("</html>", "</HTML>", "</body>", "</BODY>")


def document(response: TextResponse) -> Selector:
    """The page as a browser shows it.

    lxml drops whatever follows ``</body></html>``; browsers show it (a hostile or sloppy page
    puts its last posts there). Such a page is parsed again without its closing tags.
    """
    text = response.text
    end = max(text.rfind(tag) for tag in _CLOSING_TAGS)
    if end == -1 or not text[end:].split(">", 1)[-1].strip():
        return response.selector
    for tag in _CLOSING_TAGS:
        text = text.replace(tag, "")
    return Selector(text=text, base_url=response.url)


def element_text(selector: Selector | Any, skip: Collection[Any] = ()) -> str:
    """The visible text of an element (a parsel ``Selector`` or an lxml element).

    Line breaks where the HTML breaks lines: ``<br>`` and block elements break lines; line
    breaks in the source are spaces; runs of spaces fold to one; scripts and styles are skipped,
    and so are the elements in ``skip`` (the replies nested in a post), but not the text after
    them. The walk is iterative: markup nested thousands deep is read like any other.
    """
    root = selector.root if isinstance(selector, Selector) else selector
    if isinstance(root, str):
        return root.strip()
    parts: list[str] = []
    stack: list[tuple[bool, Any]] = [(False, root)]  # (is text, node or text)
    while stack:
        is_text, node = stack.pop()
        if is_text:
            parts.append(node)
            continue
        tag = node.tag if isinstance(node.tag, str) else ""  # comments have a function as tag
        if tag == "br":
            parts.append("\n")
            continue
        if skip and node in skip:
            continue
        if tag in _BLOCK_TAGS:
            parts.append(_BLOCK_BREAK)
            stack.append((True, _BLOCK_BREAK))  # popped after the children: the closing break
        if tag and tag not in _SKIPPED_TAGS:
            if node.text:
                parts.append(_source_text(node.text))
            for child in reversed(node):
                if child.tail:
                    stack.append((True, _source_text(child.tail)))
                stack.append((False, child))
    text = _SPACES.sub(" ", "".join(parts))
    text = _BLOCK_BREAKS.sub("\n", text)
    text = "\n".join(line.strip() for line in text.split("\n"))
    return _BLANK_LINES.sub("\n\n", text).strip()


def _source_text(text: str) -> str:
    """Line breaks in the HTML source are spaces, as a browser shows them."""
    return text.replace("\r", " ").replace("\n", " ")


# Where forums keep an image's real address: lazy-loading attributes first, src last.
_IMAGE_ATTRIBUTES = ("zoomfile", "file", "data-original", "data-src", "src")
_PLACEHOLDERS = re.compile(r"(?:^data:|/(?:none|blank|spacer|loading)\.(?:gif|png)$)", re.I)


def image_sources(
    selector: Selector | SelectorList[Selector] | Any, skip: Collection[Any] = ()
) -> list[str]:
    """The addresses of the images inside an element, placeholders skipped, in order, once.

    ``selector``: parsel selectors, or an lxml element (read directly: no selector objects),
    whose images inside the elements of ``skip`` (nested replies) are left out.
    """
    images: Any
    if isinstance(selector, Selector | SelectorList):
        images = [image.attrib for image in selector.css("img")]
    else:
        images = [
            image.attrib
            for image in selector.iter("img")
            if not skip or not any(a in skip for a in image.iterancestors())
        ]
    sources: list[str] = []
    for attributes in images:
        for attribute in _IMAGE_ATTRIBUTES:
            value = (attributes.get(attribute) or "").strip()
            if value and not _PLACEHOLDERS.search(value):
                sources.append(value)
                break
    return list(dict.fromkeys(sources))
