"""``@name`` on platforms whose own accounts are written that way, and in code: no Telegram
handle there.

In OTC posts a bare ``@name`` is a Telegram username. A post that reads like Twitter/X, GitHub
or GitLab, Instagram, TikTok, Weibo, Mastodon or Bluesky — it names the platform or uses its
idioms (``tweet``, ``RT @``, ``x.com``, 推特, ``pull request``, ``merged``, ``cc @``, ``via @``,
``follow``, ``on X``, LINE's 官方帳號) — writes that platform's accounts as ``@name``; a post that
reads like code (``{``, ``def``, ``import``, ``npm``, a language's name, ``annotation``) writes
decorators, annotations and CSS at-rules that way (``@property``, ``@media``, ``@Override``).
There a bare ``@name`` is not a Telegram handle (the watchlist keeps no kind for those),
unless a Telegram cue (telegram, tg, 飞机, 电报, ✈) stands within ``TELEGRAM_NEAR`` characters
before it on its line (``TG: @name``) or just after it in the same clause (``@name on
Telegram``). ``t.me/name`` and a cue with a bare name stay Telegram handles everywhere.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right

from watchlist.extract import cues
from watchlist.extract.model import Handle

GROUP = "platform"
TELEGRAM_NEAR = 30
TELEGRAM_AFTER = 15
_CLAUSE_END = re.compile(r"[\n.,:;!?，。：；！？@]")
PLATFORM_WORDS = (
    "twitter|twitter.com|x.com|tweet|tweets|tweeted|retweet|retweets|retweeted|rt @|推特|推文|转推"
    "|github|github.com|gitlab|bitbucket|pull request|merge request|merged|pr #|lgtm"
    "|instagram|tiktok|抖音|微博|weibo|mastodon|bluesky|bsky|cc @|via @|h/t @"
    "|on x|facebook|vk|вконтакте|line|官方帳號|官方账号|官方號|follow|takip|подписывайтесь"
    "|shout out"
    # Code: decorators, annotations, CSS at-rules and package scopes are written "@name" too.
    "|{|def|import|npm|pip|java|python|kotlin|typescript|javascript|css|scss|spring|lombok"
    "|annotation|аннотация|decorator|pytest|pushed"
)
_ALNUM = "abcdefghijklmnopqrstuvwxyz0123456789"
cues.register(
    GROUP,
    dict.fromkeys(PLATFORM_WORDS.split("|"), "platform"),
    left=_ALNUM,
    right=_ALNUM,
    on_demand=True,
)


def drop_platform_mentions(
    text: str, lowered: str, candidates: list[Handle], provider_hits: list[cues.Hit]
) -> list[Handle]:
    """``candidates`` without the bare ``@name`` Telegram handles of a platform's post."""
    bare = [h for h in candidates if h.kind == "telegram" and text[h.start] == "@"]
    if not bare:
        return candidates
    near = _TelegramCues(lowered, provider_hits)
    # Fast: the platform words are looked for only when some "@name" has no Telegram cue.
    unnamed = {(h.start, h.end) for h in bare if not near.names(h)}
    if not unnamed or not cues.find(GROUP, lowered):
        return candidates
    return [h for h in candidates if h.kind != "telegram" or (h.start, h.end) not in unnamed]


class _TelegramCues:
    """The Telegram cues of one text, in order (they do not overlap: their ends are in order)."""

    def __init__(self, lowered: str, provider_hits: list[cues.Hit]) -> None:
        self.lowered = lowered
        self.spans = [(start, end) for start, end, name in provider_hits if name == "telegram"]
        self.starts = [start for start, _end in self.spans]
        self.ends = [end for _start, end in self.spans]

    def names(self, handle: Handle) -> bool:
        """Whether a cue names ``handle``: the closest one before it within ``TELEGRAM_NEAR``
        characters on its line, or the closest after it in the same clause (``@name on
        Telegram``) within ``TELEGRAM_AFTER``."""
        lowered = self.lowered
        before = bisect_right(self.ends, handle.start) - 1
        if before >= 0:
            end = self.ends[before]
            if handle.start - end <= TELEGRAM_NEAR and "\n" not in lowered[end : handle.start]:
                return True
        after = bisect_left(self.starts, handle.end)
        if after < len(self.starts):
            start = self.starts[after]
            if start - handle.end <= TELEGRAM_AFTER:
                return _CLAUSE_END.search(lowered, handle.end, start) is None
        return False
