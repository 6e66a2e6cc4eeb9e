"""What the Spirit forum fixture holds: users, categories, topics and comments, as plain data.

Deterministic (one seed) and independent of Django: the seeding script (``spirit_seed.py``)
reads it as JSON inside the Django process; the tests read it as the ground truth. Every
comment carries one or two payment handles written the way OTC sellers write them
(shared/FIELD-NOTES.md), each a valid value (checksums, issuer prefixes, numbering plans), and
every comment's text is unique, so a stored post can be matched back to its comment.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import phonenumbers

TIME_ZONE = "Asia/Shanghai"  # the forum's TIME_ZONE: what it shows anonymous visitors
COMMENTS_PER_PAGE = 5
TOPICS_PER_PAGE = 2
SEED = 20250707


@dataclass(frozen=True)
class User:
    username: str
    nickname: str  # what the forum shows as the author


@dataclass(frozen=True)
class Comment:
    author: str  # username
    posted_at: str  # ISO 8601 with the forum's offset, whole minutes
    text: str
    handles: tuple[tuple[str, str], ...]  # (kind, canonical value)


@dataclass(frozen=True)
class Topic:
    title: str
    category: str  # the category's title
    comments: tuple[Comment, ...]


@dataclass(frozen=True)
class Plan:
    users: tuple[User, ...]
    categories: tuple[str, ...]
    crawled_category: str  # the category the site config starts from
    topics: tuple[Topic, ...]
    comments_per_page: int = COMMENTS_PER_PAGE
    topics_per_page: int = TOPICS_PER_PAGE
    time_zone: str = TIME_ZONE

    def crawled_topics(self) -> list[Topic]:
        return [t for t in self.topics if t.category == self.crawled_category]

    def as_json(self) -> dict[str, object]:
        return asdict(self)


USERS = (
    User("usdt_king", "币商老王"),
    User("chengdui88", "承兑小李"),
    User("trader_amy", "Amy OTC"),
    User("baoyu", "宝鱼"),
)
OTC = "OTC 场外交易"
WARNINGS = "曝光台"
# (title, category, number of comments): 5 topics in the crawled category span 3 listing pages
# of 2; 14/11/12/7/13 comments span 3, 3, 3, 2 and 3 pages of 5.
TOPICS = (
    ("【长期收U】白U秒放 大额可谈", OTC, 14),
    ("USDT 承兑 先款后币", OTC, 11),
    ("Selling USDT for CNY, fast release", OTC, 12),
    ("换汇 面交 出金", OTC, 7),
    ("跑分平台招码商 日结", OTC, 13),
    ("骗子曝光：此人收款不放币", WARNINGS, 4),
)

OPENERS = (
    "长期收U出U，秒放",
    "承兑商 白U 大额可谈",
    "出U 汇率好说",
    "本人长期出U，先款后币",
    "Selling USDT, fast release",
    "换汇 场外 面交",
    "代收代付 通道稳定",
    "U商 在线",
)
CLOSERS = ("秒回", "非诚勿扰", "随时联系", "24h online", "白天在线", "")


def build(seed: int = SEED) -> Plan:
    """The fixture's forum, the same for the same seed."""
    rng = random.Random(seed)
    zone = ZoneInfo(TIME_ZONE)
    moment = datetime(2025, 7, 7, 8, 19, tzinfo=zone)
    topics = []
    for number, (title, category, count) in enumerate(TOPICS):
        comments = []
        for index in range(count):
            author = USERS[(number + index * (1 + number % 3)) % len(USERS)].username
            text, handles = _comment_text(rng)
            comments.append(Comment(author, moment.isoformat(), text, handles))
            moment = _next_moment(rng, moment)
        topics.append(Topic(title, category, tuple(comments)))
        moment += timedelta(days=rng.randint(1, 9))
    return Plan(
        users=USERS,
        categories=(OTC, WARNINGS),
        crawled_category=OTC,
        topics=tuple(topics),
    )


def _next_moment(rng: random.Random, moment: datetime) -> datetime:
    """A later whole minute; now and then on the hour, at noon or at midnight.

    Django writes those without minutes or as words: "8 p.m.", "noon", "midnight".
    """
    later = moment + timedelta(minutes=rng.choice((7, 23, 41, 59, 97, 131, 288, 611)))
    draw = rng.random()
    if draw < 0.06:  # the next noon or midnight
        return later.replace(hour=12 if later.hour < 12 else 0, minute=0) + timedelta(
            days=0 if later.hour < 12 else 1
        )
    if draw < 0.25:
        return later.replace(minute=0) + timedelta(hours=1)
    return later


def _comment_text(rng: random.Random) -> tuple[str, tuple[tuple[str, str], ...]]:
    parts, handles = [], []
    styles = rng.sample(STYLES, k=rng.choice((1, 1, 2)))
    for style in styles:
        phrase, found = style(rng)
        parts.append(phrase)
        handles.extend(found)
    # One contact a line, as sellers list them (Spirit renders a line break as <br>).
    text = "\n".join([rng.choice(OPENERS), *parts, rng.choice(CLOSERS)]).strip()
    return text, tuple(dict.fromkeys(handles))


# --- handles, written as sellers write them ------------------------------------------------


def _mobile(rng: random.Random) -> str:
    while True:
        number = rng.choice(("138", "139", "136", "135", "150", "158", "186", "188", "177"))
        number += "".join(rng.choice("0123456789") for _ in range(8))
        if phonenumbers.is_valid_number(phonenumbers.parse(number, "CN")):
            return number


def _word(rng: random.Random) -> str:
    stem = rng.choice(("yunqw", "mingrui", "baolong", "tiger", "longan", "feng", "xincheng"))
    return stem + str(rng.randint(100, 99999))


def _phone(rng: random.Random) -> tuple[str, list[tuple[str, str]]]:
    number = _mobile(rng)
    return f"电话 {number}", [("phone", f"+86{number}")]


def _wechat_same_as_phone(rng: random.Random) -> tuple[str, list[tuple[str, str]]]:
    number = _mobile(rng)
    return f"手机：{number}（微信同号）", [("phone", f"+86{number}"), ("wechat", f"+86{number}")]


def _wechat(rng: random.Random) -> tuple[str, list[tuple[str, str]]]:
    wechat = _word(rng)
    return rng.choice((f"微信：{wechat}", f"请加微信{wechat}", f"V {wechat}")), [("wechat", wechat)]


def _qq(rng: random.Random) -> tuple[str, list[tuple[str, str]]]:
    qq = str(rng.randint(10_000_000, 3_999_999_999))
    return rng.choice((f"QQ：{qq}", f"扣：{qq}", f"可以加我qq {qq}")), [("qq", qq)]


def _telegram(rng: random.Random) -> tuple[str, list[tuple[str, str]]]:
    name = _word(rng)
    phrase = rng.choice((f"Telegram：@{name}", f"飞机 @{name}", f"TG: t.me/{name}"))
    return phrase, [("telegram", name)]


def _alipay(rng: random.Random) -> tuple[str, list[tuple[str, str]]]:
    number = _mobile(rng)
    return f"支付宝：{number}", [("alipay", f"+86{number}"), ("phone", f"+86{number}")]


def _tron(rng: random.Random) -> tuple[str, list[tuple[str, str]]]:
    address = _base58check(b"\x41" + bytes(rng.randrange(256) for _ in range(20)))
    return f"USDT-TRC20 收款地址：{address}", [("tron", address)]


def _card(rng: random.Random) -> tuple[str, list[tuple[str, str]]]:
    digits = rng.choice(("622848", "621700", "622202")) + "".join(
        rng.choice("0123456789") for _ in range(9)
    )
    card = digits + _luhn_digit(digits)
    return f"收款卡号：{card} 建设银行", [("bank_card", card)]


STYLES: tuple[Callable[[random.Random], tuple[str, list[tuple[str, str]]]], ...] = (
    _phone,
    _wechat_same_as_phone,
    _wechat,
    _qq,
    _telegram,
    _alipay,
    _tron,
    _card,
)

_BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def _base58check(payload: bytes) -> str:
    data = payload + hashlib.sha256(hashlib.sha256(payload).digest()).digest()[:4]
    number, text = int.from_bytes(data, "big"), ""
    while number:
        number, rest = divmod(number, 58)
        text = _BASE58[rest] + text
    return "1" * (len(data) - len(data.lstrip(b"\0"))) + text


def _luhn_digit(digits: str) -> str:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char) * (2 if position % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return str(-total % 10)
