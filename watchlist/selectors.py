"""The CSS selectors of a site's parts (``selectors:`` in a site config; docs/sites.md)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, field_validator


class Selectors(BaseModel):
    """CSS selectors for the parts of a site; any may be omitted where a preset knows it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    thread_row: str | None = None  # board page: one thread's row (holds link and mark)
    thread_links: str | None = None  # board page: links to threads (ads: links to ads)
    thread_mark: str | None = None  # in a row: what moves on a reply (count, last-post time)
    next_page: str | None = None  # board or thread page: the links to the next pages (all)
    load_more: str | None = None  # browser listing: a "load more" button to click
    title: str | None = None
    post: str | None = None  # thread page: one post (ads: the ad)
    post_body: str | None = None  # in a post: its text
    author: str | None = None
    posted_at: str | None = None
    permalink: str | None = None  # in a post: the link to the post itself
    page_author: str | None = None  # anywhere on the page: the author of posts without one
    page_posted_at: str | None = None  # anywhere on the page: the time of posts without one
    contact: str | None = None  # ad page: where a revealed contact appears (added to the text)

    @field_validator("*")
    @classmethod
    def _is_css(cls, css: str | None) -> str | None:
        """Every selector must parse, at load time: never a traceback in the middle of a crawl."""
        if css is not None:
            from cssselect import SelectorError
            from parsel.csstranslator import css2xpath

            try:
                css2xpath(css)
            except SelectorError as exc:
                raise ValueError(f"{css!r} is not a CSS selector ({exc})") from exc
        return css

    def over(self, preset: Selectors) -> Selectors:
        """These selectors, with the preset's filling whatever these leave out."""
        mine = self.model_dump(exclude_none=True)
        return preset.model_copy(update=mine)
