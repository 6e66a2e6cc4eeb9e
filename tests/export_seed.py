"""A store holding an entry of every kind, for the STIX and MISP export tests.

Posts go in through the store's real ingest (``save_posts``), so entries, sightings, role mix
and best evidence are made exactly as a crawl makes them. QQ and KakaoTalk share the value
``12345678``: two accounts on two platforms, which must never share an id.
"""

from __future__ import annotations

from datetime import UTC, datetime

from watchlist.extract.model import Handle
from watchlist.store import EntryFilter, Found, PostRecord, open_store, save_posts, set_status
from watchlist.store.export_view import ExportRow, iter_export_rows

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
# (kind, canonical value, as written in the post)
EVERY_KIND = (
    ("phone", "+8613800138000", "13800138000"),
    ("email", "usdt.king@example.com", "usdt.king@example.com"),
    ("alipay", "2088123412341234", "2088123412341234"),
    ("wechat", "usdt_king88", "usdt_king88"),
    ("qq", "12345678", "QQ 12345678"),
    ("bank_card", "6222021234567890128", "6222021234567890128"),
    ("telegram", "usdtking", "@usdtking"),
    ("btc", "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa"),
    (
        "eth",
        "0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48",
        "0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48",
    ),
    ("tron", "TGEcGedAW2cmPho9Pm72CbUdij26FMkFgq", "TGEcGedAW2cmPho9Pm72CbUdij26FMkFgq"),
    ("payment_link", "https://qr.alipay.com/fkx12345abcde", "https://qr.alipay.com/fkx12345abcde"),
    ("payment_link", "wxp://f2f0abcdefGHIJ", "wxp://f2f0abcdefGHIJ"),
    ("kakaotalk", "12345678", "카톡 12345678"),
    ("domain", "fastu.com.cn", "pay.fastu.com.cn"),
)
NOTE = "seller admitted in DM 老王"


def _post(url: str, site: str, text: str, handles: list[tuple[str, str, str]]) -> PostRecord:
    found = []
    cursor = 0
    for kind, value, written in handles:
        start = text.index(written, cursor)
        cursor = start + len(written)
        handle = Handle(kind, value, start, cursor, None, "offered")  # type: ignore[arg-type]
        found.append(Found(handle))
    return PostRecord(
        url=url,
        site=site,
        text=text,
        fetched_at=NOW,
        posted_at=NOW,
        title="出U 收U",
        author="老王",
        otc_score=0.9,
        found=tuple(found),
    )


def seed(db: str) -> None:
    """Fill the store at ``db`` with one entry of every kind, all confirmed (one with a note)."""
    text = " ".join(written for _, _, written in EVERY_KIND)
    posts = [
        _post("http://forum-a.test/t/1#p1", "forum-a", "出U 白U秒放 " + text, list(EVERY_KIND)),
        # the Telegram handle's own page on a site named after it: both spell the value
        _post("https://t.me/usdtking/12", "usdt-king-tg", "出U @usdtking", [EVERY_KIND[6]]),
    ]
    store = open_store(db)
    try:
        save_posts(store, posts)
        ids = [row.id for row in iter_export_rows(store, EntryFilter())]
        set_status(store, ids, "confirmed", "tester", NOTE, four_eyes=False)
    finally:
        store.close()


def export_rows(db: str) -> list[ExportRow]:
    """The confirmed entries of the store at ``db``, as the exports read them."""
    store = open_store(db)
    try:
        return list(iter_export_rows(store, EntryFilter(status="confirmed"), evidence=5))
    finally:
        store.close()
