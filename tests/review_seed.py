"""A small store for the review-queue tests: two sellers, a warning, a mention, a hostile post.

Posts go in through the store's real ingest (``save_posts``), so sightings, scores, best roles,
operator clusters and re-review flags are made exactly as a crawl makes them.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from watchlist.extract.model import Handle
from watchlist.store import Found, PostRecord, open_store, save_posts
from watchlist.store.queries import list_entries

RLO = "\u202e"
ZWSP = "\u200b"
HOSTILE_AUTHOR = "\x1b[2J\x1b]0;pwned\x07[bold red]FAKE[/bold red]"
NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


def post(
    url: str,
    site: str,
    text: str,
    otc: float,
    handles: list[tuple[str, str, str, str]],
    *,
    author: str = "seller",
    title: str | None = None,
    image: str | None = None,
    hours_ago: int = 0,
) -> PostRecord:
    """A post whose ``handles`` are (kind, value, as written in ``text``, role)."""
    found = []
    for kind, value, written, role in handles:
        start = text.index(written)
        handle = Handle(kind, value, start, start + len(written), None, role)  # type: ignore[arg-type]
        found.append(Found(handle) if image is None else Found(handle, image, text))
    return PostRecord(
        url=url,
        site=site,
        text=text,
        fetched_at=NOW - timedelta(hours=hours_ago),
        posted_at=NOW - timedelta(hours=hours_ago + 1),
        title=title,
        author=author,
        otc_score=otc,
        found=tuple(found),
    )


def seed(db: str) -> dict[str, int]:
    """Fill the store at ``db``; return ``{value: entry id}``."""
    posts = [
        post(
            "http://forum-a.test/t/1#p1",
            "forum-a",
            "长期出U 白U秒放 电话 13800138000 微信 usdt_king88 支付宝 2088123412341234 "
            "TRC20 TGEcGedAW2cmPho9Pm72CbUdij26FMkFgq",
            0.92,
            [
                ("phone", "+8613800138000", "13800138000", "offered"),
                ("wechat", "usdt_king88", "usdt_king88", "offered"),
                ("alipay", "2088123412341234", "2088123412341234", "offered"),
                (
                    "tron",
                    "TGEcGedAW2cmPho9Pm72CbUdij26FMkFgq",
                    "TGEcGedAW2cmPho9Pm72CbUdij26FMkFgq",
                    "offered",
                ),
            ],
            author="老王",
            title="出U 收U 大额",
        ),
        post(
            "http://forum-b.test/t/9#p3",
            "forum-b",
            "同一个U商 电话 13800138000 飞机 @usdtking 出U",
            0.9,
            [
                ("phone", "+8613800138000", "13800138000", "offered"),
                ("telegram", "usdtking", "@usdtking", "offered"),
            ],
            author="老王",
            hours_ago=2,
        ),
        post(
            "http://forum-b.test/t/7#p1",
            "forum-b",
            "大家小心 骗子电话 13900139000 收了钱不放币",
            0.9,
            [("phone", "+8613900139000", "13900139000", "reported")],
            author="victim",
            hours_ago=5,
        ),
        post(
            "http://forum-b.test/t/8#p2",
            "forum-b",
            "请问 QQ 12345678 这个人靠谱吗",
            0.3,
            [("qq", "12345678", "12345678", "mentioned")],
            author="asker",
            hours_ago=6,
        ),
        post(
            "http://forum-c.test/t/2#p1",
            "forum-c",
            f"出U{RLO}回款秒到{ZWSP} 微信 evil_seller 支付宝 收款码",
            0.95,
            [("wechat", "evil_seller", "evil_seller", "offered")],
            author=HOSTILE_AUTHOR,
            title="[bold red]官方[/bold red] \x1b[31m担保",
            hours_ago=1,
        ),
        post(
            "http://forum-c.test/t/3#p1",
            "forum-c",
            "https://qr.alipay.com/fkx12345abcde",
            0.7,
            [
                (
                    "payment_link",
                    "https://qr.alipay.com/fkx12345abcde",
                    "https://qr.alipay.com/fkx12345abcde",
                    "offered",
                )
            ],
            image="http://forum-c.test/img/qr.png",
            hours_ago=3,
        ),
    ]
    store = open_store(db)
    try:
        save_posts(store, posts)
        return {e.value: int(e.id or 0) for e in list_entries(store)}
    finally:
        store.close()
