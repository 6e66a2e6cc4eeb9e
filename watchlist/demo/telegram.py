"""A demo Telegram channel, served as Telegram's web preview (``t.me/s/<channel>``).

An OTC supply-and-demand channel whose messages are a :class:`World`'s posts that publish
something (sellers' offers, scam warnings with their QR codes), plus what real channels show:
service messages (channel created, pinned) without text, photo-only messages (a seller's QR
code with no caption), and replies whose quote of the earlier message must not be read as the
reply's own text. Message ``n`` has id ``n``; the channel is the same for the same world, and
``extra`` appends newer messages (a re-crawl test grows the channel between two crawls).

Routes, as ``t.me`` serves them: ``/s/<channel>`` (the newest ``PAGE_SIZE`` messages, oldest
first), ``/s/<channel>?before=<id>`` (the ``PAGE_SIZE`` before ``id``), ``?after=<id>``,
``/<channel>/<id>`` (one message's page), ``/file/<name>.png`` (photos), ``/robots.txt``.
``python -m watchlist.demo.telegram`` serves it on 127.0.0.1:8771, where
``seeds/sites/demo-telegram.yaml`` points.
Markup follows the real preview's classes (``tgme_widget_message_wrap``,
``tgme_widget_message[data-post]``, ``tgme_widget_message_text``, ``a.tgme_widget_message_date
time[datetime]``, ``a.tgme_widget_message_photo_wrap`` with a ``background-image`` style,
``link[rel=prev]`` and ``a.tme_messages_more[data-before]``); links are relative to the
server, where t.me writes ``https://t.me/…``.
"""

from __future__ import annotations

import argparse
import random
import re
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import parse_qs, urlsplit

from watchlist.demo.configs import shipped_config
from watchlist.demo.images import ATTACHMENTS, attachment, seller_qr
from watchlist.demo.page import ALLOW_ALL_ROBOTS, PNG_TYPE, TEXT_TYPE, Page, esc, html_page
from watchlist.demo.world import BASE_TIME, HandleKey, World
from watchlist.sites import SiteConfig

DEMO_PORT = 8771
CHANNEL = "otc_gongxu_demo"
TITLE = "USDT 供需频道 · OTC 担保交易"
PAGE_SIZE = 20
MESSAGES = 60
FILES = "/file/"
_REPLIES = (
    "收到，已拉黑。",
    "已交易，放币很快。",
    "这个号已经冻结了，别再打款。",
    "Confirmed, fast release.",
)
# Telegram draws emoji as images: the crawl must not take them for photos.
_CHECK_EMOJI = (
    '<i class="emoji" style="background-image:url(\'/img/emoji/40/E29C85.png\')"><b>✅</b></i>'
)
_LINK = re.compile(r"https?://[!-~]+|(?<![\w./@])t\.me/\w+|(?<![\w.@])@[A-Za-z]\w{3,31}")


@dataclass(frozen=True, slots=True)
class ChannelMessage:
    """One message of the channel and the handles it publishes (canonical values)."""

    id: int
    posted_at: datetime
    text: str = ""
    signature: str | None = None  # the author's name under a signed message
    photos: tuple[str, ...] = ()  # file names under FILES
    reply_to: int | None = None
    service: str | None = None  # a service message (no text): what happened
    handles: frozenset[HandleKey] = frozenset()


class TelegramChannel:
    """The channel of ``world``: ``messages`` messages, then ``extra`` newer ones."""

    def __init__(self, world: World, extra: int = 0, messages: int = MESSAGES) -> None:
        self.world = world
        self.channel = CHANNEL
        self.messages = _messages(world, messages + extra)

    def render(self, target: str) -> Page:
        """The answer to ``GET target`` (path and query string)."""
        parts = urlsplit(target)
        path, query = parts.path, parse_qs(parts.query)
        if path == "/robots.txt":
            return Page(200, TEXT_TYPE, ALLOW_ALL_ROBOTS.encode())
        if path.startswith(FILES):
            image = attachment(self.world.seed, ATTACHMENTS + path[len(FILES) :])
            if image is not None:
                return Page(200, PNG_TYPE, image)
        if path == f"/s/{self.channel}":
            before = _number(query.get("before"))
            after = _number(query.get("after"))
            return html_page(200, self._history(before, after))
        if match := re.fullmatch(rf"/{self.channel}/(\d+)", path):
            number = int(match[1])
            if 1 <= number <= len(self.messages):
                return html_page(200, self._single(self.messages[number - 1]))
        return html_page(404, _layout("Telegram", '<div class="tgme_page">Not found</div>'))

    def expected_sightings(self) -> set[tuple[str, str, str]]:
        """Every (permalink path, kind, canonical value) the channel's messages publish."""
        return {
            (f"/{self.channel}/{message.id}", kind, value)
            for message in self.messages
            for kind, value in message.handles
        }

    def pages(self) -> list[str]:
        """The preview pages a full crawl reads, newest first."""
        targets = [f"/s/{self.channel}"]
        oldest = max(1, len(self.messages) - PAGE_SIZE + 1)
        while oldest > 1:
            targets.append(f"/s/{self.channel}?before={oldest}")
            oldest = max(1, oldest - PAGE_SIZE)
        return targets

    def photos(self) -> set[str]:
        """The path of every photo some message shows."""
        return {FILES + name for message in self.messages for name in message.photos}

    def _history(self, before: int | None, after: int | None) -> str:
        if after is not None:
            shown = self.messages[after : after + PAGE_SIZE]
        else:
            end = len(self.messages) if before is None else max(0, before - 1)
            shown = self.messages[max(0, end - PAGE_SIZE) : end]
        head, top, bottom = "", "", ""
        base = f"/s/{self.channel}"
        if shown and shown[0].id > 1:
            older = shown[0].id
            head += f'<link rel="prev" href="{base}?before={older}">\n'
            top = _more(f'href="{base}?before={older}" data-before="{older}"')
        if shown and shown[-1].id < len(self.messages) and (before or after):
            newer = shown[-1].id
            head += f'<link rel="next" href="{base}?after={newer}">\n'
            bottom = _more(f'href="{base}?after={newer}" data-after="{newer}"')
        body = "\n".join(self._message(m) for m in shown)
        return _layout(
            f"{TITLE} – Telegram",
            f'<main class="tgme_main">\n{self._info()}\n'
            f'<section class="tgme_channel_history js-message_history">\n{top}\n{body}\n'
            f"{bottom}\n</section>\n</main>",
            head=f'<link rel="canonical" href="{base}">\n{head}',
            body_class="tgme_channel_messages",
        )

    def _info(self) -> str:
        return (
            '<section class="tgme_right_column"><div class="tgme_channel_info">'
            '<div class="tgme_channel_info_header"><div class="tgme_channel_info_header_title">'
            f'<span dir="auto">{esc(TITLE)}</span></div>'
            '<div class="tgme_channel_info_header_username">'
            f'<a href="/{self.channel}">@{self.channel}</a></div></div>'
            '<div class="tgme_channel_info_description">担保交易，先看置顶。</div>'
            '<div class="tgme_channel_info_counters"><div class="tgme_channel_info_counter">'
            '<span class="counter_value">12.4K</span> <span class="counter_type">subscribers'
            "</span></div></div></div></section>"
        )

    def _message(self, message: ChannelMessage) -> str:
        post = f"{self.channel}/{message.id}"
        link = f"/{post}"
        stamp = message.posted_at.isoformat()
        date = (
            f'<a class="tgme_widget_message_date" href="{link}">'
            f'<time datetime="{stamp}" class="time">{message.posted_at:%H:%M}</time></a>'
        )
        if message.service is not None:
            return (
                '<div class="tgme_widget_message_wrap js-widget_message_wrap">'
                f'<div class="tgme_widget_message service_message js-widget_message" '
                f'data-post="{post}"><div class="tgme_widget_message_bubble">'
                f'<div class="tgme_widget_message_service_text">{esc(message.service)}</div>'
                f'<div class="tgme_widget_message_footer">{date}</div></div></div></div>'
            )
        parts = [
            '<div class="tgme_widget_message_author accent_color">'
            f'<a class="tgme_widget_message_owner_name" href="/{self.channel}">'
            f'<span dir="auto">{esc(TITLE)}</span></a></div>'
        ]
        if message.reply_to is not None:
            quoted = self.messages[message.reply_to - 1]
            parts.append(
                f'<a class="tgme_widget_message_reply" href="/{self.channel}/{quoted.id}">'
                '<div class="tgme_widget_message_author accent_color">'
                f'<span class="tgme_widget_message_author_name" dir="auto">{esc(TITLE)}</span>'
                '</div><div class="tgme_widget_message_metatext js-message_reply_text" '
                f'dir="auto">{_message_html(quoted.text)}</div></a>'
            )
        for name in message.photos:
            parts.append(
                f'<a class="tgme_widget_message_photo_wrap {message.id}" href="{link}" '
                f"style=\"width:400px;background-image:url('{FILES}{name}')\">"
                '<div class="tgme_widget_message_photo" style="padding-top:100%"></div></a>'
            )
        if message.text:
            parts.append(
                '<div class="tgme_widget_message_text js-message_text" dir="auto">'
                f"{_message_html(message.text)}</div>"
            )
        signature = ""
        if message.signature:
            signature = (
                f'<span class="tgme_widget_message_from_author" dir="auto">'
                f"{esc(message.signature)}</span>,&nbsp;"
            )
        views = 300 + message.id * 37 % 900
        parts.append(
            '<div class="tgme_widget_message_footer compact js-message_footer">'
            '<div class="tgme_widget_message_info short js-message_info">'
            f'<span class="tgme_widget_message_views">{views}</span>'
            f'<span class="tgme_widget_message_meta">{signature}{date}</span></div></div>'
        )
        return (
            '<div class="tgme_widget_message_wrap js-widget_message_wrap">'
            '<div class="tgme_widget_message text_not_supported_wrap js-widget_message" '
            f'data-post="{post}" data-view="v{message.id}">'
            f'<div class="tgme_widget_message_user"><a href="/{self.channel}">'
            '<i class="tgme_widget_message_user_photo bgcolor2" data-content="U"></i></a></div>'
            f'<div class="tgme_widget_message_bubble">{"".join(parts)}</div></div></div>'
        )

    def _single(self, message: ChannelMessage) -> str:
        described = message.service or message.text
        return _layout(
            f"{TITLE} – Telegram",
            '<div class="tgme_page_wrap"><div class="tgme_page tgme_page_post">'
            f'<div class="tgme_page_title"><span dir="auto">{esc(TITLE)}</span></div>'
            f'<a class="tgme_action_button_new" href="/s/{self.channel}">View in Telegram</a>'
            "</div></div>",
            head=f'<meta property="og:description" content="{esc(described)}">\n',
        )


def site_config(base_url: str, name: str = "demo-telegram") -> SiteConfig:
    """The shipped demo-telegram config, reading the channel served at ``base_url``."""
    return shipped_config("demo-telegram", base_url, name=name)


def _messages(world: World, count: int) -> tuple[ChannelMessage, ...]:
    """Messages 1..``count``: the world's publishing posts in order, and the extras between."""
    posts = (p for p in world.posts() if p.handles or p.images)
    messages: list[ChannelMessage] = []
    for number in range(1, count + 1):
        rng = random.Random(f"{world.seed}:telegram:{number}")
        when = BASE_TIME + timedelta(hours=2 * number, minutes=rng.randint(0, 110))
        if number == 1:
            message = ChannelMessage(number, when, service="Channel created")
        elif number % 17 == 0:
            message = ChannelMessage(number, when, service=f"{TITLE} pinned a message")
        elif number % 11 == 0:  # a seller's collection code, no caption
            uid = 3 * rng.randint(1, world.users // 3)
            handle: HandleKey = ("payment_link", seller_qr(world.seed, uid)[1])
            message = ChannelMessage(
                number, when, photos=(f"qr-u{uid}.png",), handles=frozenset({handle})
            )
        elif number % 13 == 0:  # a reply: its quote is the earlier message's, not its own
            quoted = next(m for m in reversed(messages) if m.text and m.handles)
            text = "✅ " + rng.choice(_REPLIES)
            message = ChannelMessage(number, when, text=text, reply_to=quoted.id)
        else:
            post = next(posts, None)
            if post is None:
                raise ValueError(f"world seed={world.seed} has too few posts for {count} messages")
            message = ChannelMessage(
                number,
                when,
                text=post.text,
                signature=post.author,
                photos=tuple(path.rsplit("/", 1)[-1] for path in post.images),
                handles=post.handles,
            )
        messages.append(message)
    return tuple(messages)


def _message_html(text: str) -> str:
    """Message text as Telegram writes it: escaped, ``<br/>`` for line breaks, links as ``<a>``."""
    lines = []
    for line in text.split("\n"):
        out, last = [], 0
        for match in _LINK.finditer(line):
            out.append(esc(line[last : match.start()]))
            href = match[0] if "://" in match[0] else _href(match[0])
            out.append(f'<a href="{esc(href)}" target="_blank" rel="noopener">{esc(match[0])}</a>')
            last = match.end()
        out.append(esc(line[last:]))
        lines.append("".join(out).replace("✅", _CHECK_EMOJI))
    return "<br/>".join(lines)


def _href(written: str) -> str:
    if written.startswith("@"):
        return "https://t.me/" + written[1:]
    return "https://" + written


def _more(attributes: str) -> str:
    return (
        '<div class="tgme_widget_message_centered js-messages_more_wrap">'
        f'<a {attributes} class="tme_messages_more js-messages_more"></a></div>'
    )


def _number(values: list[str] | None) -> int | None:
    if values and values[0].isdigit():
        return int(values[0])
    return None


def _layout(title: str, content: str, head: str = "", body_class: str = "") -> str:
    return (
        '<!DOCTYPE html>\n<html>\n<head>\n<meta charset="utf-8">\n'
        f"<title>{esc(title)}</title>\n"
        '<meta name="viewport" content="width=device-width, initial-scale=1.0">\n'
        f'<meta property="og:title" content="{esc(TITLE)}">\n'
        '<meta property="og:site_name" content="Telegram">\n'
        f"{head}</head>\n"
        f'<body class="widget_frame_base tgme_webpage emoji_image {body_class}">\n'
        '<header class="tgme_header search_collapsed"><div class="tgme_header_info">'
        f'<a class="tgme_header_title_link" href="/s/{CHANNEL}"><div class="tgme_header_title">'
        f'<span dir="auto">{esc(TITLE)}</span></div></a></div></header>\n'
        f"{content}\n</body>\n</html>\n"
    )


def main(argv: list[str] | None = None) -> None:
    """Serve the demo channel in the foreground until Ctrl-C."""
    from watchlist.demo.server import serve

    parser = argparse.ArgumentParser(description="Serve the demo Telegram channel preview.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=DEMO_PORT)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--extra", type=int, default=0, help="newer messages to add")
    args = parser.parse_args(argv)
    channel = TelegramChannel(World(seed=args.seed), extra=args.extra)
    with serve(channel, host=args.host, port=args.port) as running:
        print(f"Demo channel: {running.base_url}/s/{CHANNEL} (Ctrl-C stops)", flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
