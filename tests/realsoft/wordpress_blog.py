"""The ground truth of the real-WordPress test: a small OTC blog with threaded comment pages.

Seven articles in two categories by two authors; comment threads by eight commenters, replies
nested three deep, from none to a dozen top-level comments per article (so 5 top-level comments
per page makes one to three comment pages). Every article and every comment publishes its own
payment handles, written the way OTC sellers write them (the field notes), so
a handle sighted in the wrong post shows which posts a crawl merged.

Texts avoid what WordPress's display filters rewrite (quotes, ``--``, ``...``, ``1x2``): the
text a crawl stores is the text inserted here, paragraph for paragraph.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import count
from zoneinfo import ZoneInfo

TIMEZONE = "Asia/Shanghai"
ZONE = ZoneInfo(TIMEZONE)
_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"

Handle = tuple[str, str]  # (kind, canonical value)


@dataclass(frozen=True)
class Comment:
    """One comment as inserted (``key`` is ours; WordPress gives it an id)."""

    key: str
    article: str
    parent: str | None
    author: str
    author_url: str
    posted_at: datetime
    text: str
    handles: frozenset[Handle]


@dataclass(frozen=True)
class Article:
    """One blog post as inserted."""

    key: str
    slug: str
    title: str
    author: str  # the display name
    login: str
    category: str
    posted_at: datetime
    paragraphs: tuple[str, ...]
    handles: frozenset[Handle]

    @property
    def text(self) -> str:
        return "\n".join(self.paragraphs)


@dataclass
class Blog:
    """The articles and comments, and the spec ``wordpress_php/build.php`` fills WordPress from."""

    articles: list[Article] = field(default_factory=list)
    comments: list[Comment] = field(default_factory=list)

    def spec(self, options: dict[str, object]) -> dict[str, object]:
        """The JSON ``build.php`` reads."""
        users = {(a.login, a.author) for a in self.articles}
        return {
            "title": "U商之家",
            "permalink_structure": "/%year%/%monthnum%/%day%/%postname%/",
            "options": options,
            "users": [{"login": login, "display_name": name} for login, name in sorted(users)],
            "categories": sorted({a.category for a in self.articles}),
            "posts": [
                {
                    "key": a.key,
                    "slug": a.slug,
                    "title": a.title,
                    "author": a.login,
                    "category": a.category,
                    "date": _local(a.posted_at),
                    "content": "\n\n".join(
                        f"<!-- wp:paragraph -->\n<p>{p}</p>\n<!-- /wp:paragraph -->"
                        for p in a.paragraphs
                    ),
                }
                for a in self.articles
            ],
            "comments": [
                {
                    "key": c.key,
                    "post": c.article,
                    "parent": c.parent,
                    "author": c.author,
                    "email": f"{c.key}@mail.test",
                    "author_url": c.author_url,
                    "date": _local(c.posted_at),
                    "content": c.text,
                }
                for c in self.comments
            ],
        }


def _local(moment: datetime) -> str:
    return moment.astimezone(ZONE).strftime("%Y-%m-%d %H:%M:%S")


def tron_address(seed: int) -> str:
    """A valid TRON address (Base58Check, version byte 0x41), one per seed."""
    payload = b"\x41" + hashlib.sha256(f"wordpress-{seed}".encode()).digest()[:20]
    data = payload + hashlib.sha256(hashlib.sha256(payload).digest()).digest()[:4]
    number = int.from_bytes(data, "big")
    digits = ""
    while number:
        number, rest = divmod(number, 58)
        digits = _B58[rest] + digits
    return digits


class _Handles:
    """Fresh handles, each value used once in the whole blog, in a seller's wording."""

    def __init__(self) -> None:
        self._n = count(11)

    def phone(self) -> tuple[str, Handle]:
        number = f"1389{next(self._n):03d}{next(self._n) % 100:02d}66"
        return f"电话 {number}", ("phone", f"+86{number}")

    def wechat(self) -> tuple[str, Handle]:
        wechat_id = f"otc_hk{next(self._n)}"
        return f"微信: {wechat_id}", ("wechat", wechat_id)

    def telegram(self) -> tuple[str, Handle]:
        name = f"usdt_seller{next(self._n)}"
        return f"飞机 @{name}", ("telegram", name)

    def tron(self) -> tuple[str, Handle]:
        address = tron_address(next(self._n))
        return f"TRC20 收款地址 {address}", ("tron", address)


COMMENTERS = [
    ("USDT小陈", ""),
    ("Bob Lee", "https://bob-otc.example/"),
    ("阿杰", ""),
    ("Cathy W", ""),
    ("担保人老李", "https://laoli-danbao.example/"),
    ("Mr Zhou", ""),
    ("币圈小白", ""),
    ("Ivy", ""),
]
# (slug, title, author login, author display name, category, top-level comments, reply depth)
ARTICLES = [
    ("changqi-shou-u", "长期收U 出U 秒放", "laowang", "老王承兑", "收U出U", 12, 3),
    ("dae-chengdui", "大额承兑 白U 先币后款", "mia", "Mia Chen", "收U出U", 7, 2),
    ("pianzi-baoguang", "曝光一个骗子 大家小心", "laowang", "老王承兑", "防骗曝光", 3, 3),
    ("huilv-jintian", "今日汇率 7.28", "mia", "Mia Chen", "收U出U", 0, 0),
    ("u-ka-dongka", "U卡冻卡怎么办", "laowang", "老王承兑", "防骗曝光", 6, 1),
    ("mianjiao-shanghai", "上海面交 现金收U", "mia", "Mia Chen", "收U出U", 2, 2),
    ("xinren-baodao", "新人报到 求带", "laowang", "老王承兑", "防骗曝光", 0, 0),
]
_WORDS = ["秒放不墨迹", "大额可谈", "先款后币", "支持担保", "汇率好说", "白U 不收黑U"]


def build_blog() -> Blog:
    """The blog, the same on every call."""
    blog = Blog()
    handles = _Handles()
    makers = [handles.phone, handles.wechat, handles.telegram, handles.tron]
    turn = count()

    def contacts(how_many: int) -> tuple[str, frozenset[Handle]]:
        found = [makers[next(turn) % len(makers)]() for _ in range(how_many)]
        return "，".join(text for text, _ in found), frozenset(h for _, h in found)

    start = datetime(2025, 7, 1, 9, 5, tzinfo=ZONE)
    for n, (slug, title, login, name, category, top, depth) in enumerate(ARTICLES, 1):
        key = f"a{n}"
        posted = start + timedelta(days=3 * n, hours=n * 5 % 11, minutes=n * 7)
        text, found = contacts(2)
        paragraphs = (f"{title}，{_WORDS[n % len(_WORDS)]}。", f"联系方式：{text}。", "非诚勿扰。")
        article = Article(key, slug, title, name, login, category, posted, paragraphs, found)
        blog.articles.append(article)
        moment = posted
        for t in range(top):
            # Every third thread is a reply chain ``depth`` deep; every fourth has a second
            # reply beside the first; a comment in five names two handles.
            top_key = f"{key}c{t + 1}"
            chain = [f"{top_key}r{level}" for level in range(1, depth if t % 3 == 0 else 1)]
            sibling = [f"{top_key}s"] if t % 4 == 1 and depth >= 2 else []
            keys = [top_key, *chain, *sibling]
            parents = [None, *[top_key, *chain][: len(chain)], *[top_key] * len(sibling)]
            for level, (ckey, parent) in enumerate(zip(keys, parents, strict=True)):
                moment += timedelta(hours=1 + (t + level) % 5, minutes=13 * (t + level + 1) % 60)
                who, url = COMMENTERS[(n + t + level) % len(COMMENTERS)]
                text, found = contacts(2 if (t + level) % 5 == 2 else 1)
                words = _WORDS[(t + level) % len(_WORDS)]
                body = f"{'回复楼上，' if parent else ''}{words}，{text}"
                blog.comments.append(Comment(ckey, key, parent, who, url, moment, body, found))
    return blog
