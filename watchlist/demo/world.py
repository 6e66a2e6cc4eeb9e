"""A deterministic OTC forum world: boards, threads, posts and the handles they publish.

Every thread and post is computed on its own from ``(seed, id)`` with a private
``random.Random(f"{seed}:{kind}:{id}")``, so one page of a world of any size renders without
building the rest, and two worlds with the same parameters are identical. The ground truth
(which handles each post publishes, in canonical form) comes from the same computation.
Times are UTC; the demo forum displays them in UTC too.
"""

from __future__ import annotations

import math
import random
import string
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache

import phonenumbers

from watchlist.demo import phrases
from watchlist.demo.images import ATTACHMENTS, qr_path, seller_qr
from watchlist.demo.phrases import ThreadType
from watchlist.extract.checksums import b58check_encode, eip55, segwit_encode
from watchlist.extract.model import Kind

HandleKey = tuple[Kind, str]

BASE_TIME = datetime(2026, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class DemoPost:
    """One post as the forum shows it, with the handles it publishes (canonical values)."""

    url_path: str
    thread_id: int
    post_id: int
    author: str
    posted_at: str
    title: str
    text: str
    handles: frozenset[HandleKey]
    author_uid: int
    images: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class DemoThread:
    """A thread's summary: what its board page lists."""

    thread_id: int
    board_id: int
    type: ThreadType
    title: str
    author_uid: int
    post_count: int
    views: int


@dataclass(frozen=True, slots=True)
class _Handle:
    kind: Kind
    value: str
    raw: str
    also: tuple[HandleKey, ...] = ()  # entries the same writing yields too (alipay → phone)

    def keys(self) -> tuple[HandleKey, ...]:
        return ((self.kind, self.value), *self.also)


def _mobile(rng: random.Random) -> str:
    while True:
        number = rng.choice(phrases.MOBILE_PREFIXES.split()) + "".join(
            rng.choices(string.digits, k=8)
        )
        if phonenumbers.is_valid_number(phonenumbers.parse(number, "CN")):
            return number


def _new_handle(kind: Kind, rng: random.Random) -> _Handle:
    words = phrases.WORDS
    word = f"{rng.choice(words)}{rng.choice(['', '_'])}{rng.choice(words)}{rng.randint(1, 999)}"
    if kind == "phone":
        number = _mobile(rng)
        return _Handle(kind, "+86" + number, number)
    if kind == "email":
        address = f"{word.replace('_', '.')}@{rng.choice(phrases.MAIL)}"
        return _Handle(kind, address, address.capitalize() if rng.random() < 0.3 else address)
    if kind == "telegram":
        return _Handle(kind, word, word)
    if kind == "tron":
        address = b58check_encode(b"\x41" + rng.randbytes(20))
        return _Handle(kind, address, address)
    if kind == "eth":
        address = eip55(rng.randbytes(20).hex())
        return _Handle(kind, address, address)
    if kind == "btc":
        if rng.random() < 0.5:
            address = b58check_encode(b"\x00" + rng.randbytes(20))
        else:
            address = segwit_encode("bc", 0, rng.randbytes(20))
        return _Handle(kind, address, address)
    if kind in ("alipay", "wechat", "qq", "bank_card"):
        return _payment_handle(kind, rng, word)
    suffix = rng.choice(phrases.SUFFIXES)
    domain = f"{rng.choice(words)}{rng.choice(words)}{rng.randint(10, 99)}.{suffix}"
    return _Handle("domain", domain, domain)


def _payment_handle(kind: Kind, rng: random.Random, word: str) -> _Handle:
    """Chinese payment accounts, written with their cue the way sellers write them."""
    if kind == "alipay":
        style = rng.choice(("phone", "email", "userid"))
        cue = rng.choice(("支付宝：", "ZFB ", "Alipay: ", "支.付.宝 "))
        if style == "phone":
            number = _mobile(rng)
            return _Handle(kind, "+86" + number, cue + number, (("phone", "+86" + number),))
        if style == "email":
            address = f"{word.replace('_', '.')}@{rng.choice(phrases.MAIL)}"
            return _Handle(kind, address, cue + address, (("email", address),))
        user_id = "2088" + "".join(rng.choices(string.digits, k=12))
        return _Handle(kind, user_id, cue + user_id)
    if kind == "wechat":
        if rng.random() < 0.3:
            number = _mobile(rng)
            e164 = "+86" + number
            written = rng.choice(("手机 {}（微信同号）", "电话/微信 {}")).format(number)
            return _Handle(kind, e164, written, (("phone", e164),))
        wechat_id = rng.choice(string.ascii_lowercase) + word.replace("_", "")[:12]
        cue = rng.choice(("微信：{}", "加V {}", "请加微信{}", "VX: {}", "WeChat {}", "V信 {}"))
        return _Handle(kind, wechat_id, cue.format(wechat_id))
    if kind == "qq":
        number = str(rng.randint(10_000, 2_999_999_999))
        cue = rng.choice(("QQ {}", "扣：{}", "企鹅 {}", "Q {}"))
        return _Handle(kind, number, cue.format(number))
    card = _unionpay_card(rng)
    grouped = " ".join(card[i : i + 4] for i in range(0, len(card), 4))
    return _Handle(kind, card, rng.choice((card, grouped)))


def _unionpay_card(rng: random.Random) -> str:
    """A Luhn-valid 16- or 19-digit UnionPay card number on a real bank's BIN."""
    bin_ = rng.choice(("622202", "622848", "621700", "622588", "621226", "622700"))
    body = bin_ + "".join(rng.choices(string.digits, k=rng.choice((9, 12))))
    total = 0
    for i, digit in enumerate(reversed(body)):
        value = int(digit) * (2 if i % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return body + str((10 - total % 10) % 10)


_FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def _written(handle: _Handle, rng: random.Random) -> str:
    raw = handle.raw
    if handle.kind == "phone":
        spaced = f"{raw[:3]} {raw[3:7]} {raw[7:]}"
        dashed = f"{raw[:3]}-{raw[3:7]}-{raw[7:]}"
        wide = raw.translate(_FULL_WIDTH)  # １３８…: full-width digits
        return rng.choice((raw, spaced, "+86 " + spaced, "+86" + raw, dashed, wide))
    if handle.kind == "telegram":
        return rng.choice(("TG: @", "飞机 @", "https://t.me/", "t.me/")) + raw
    if handle.kind == "eth":
        return raw if rng.random() < 0.6 else raw.lower()
    if handle.kind == "domain":
        return rng.choice(("https://www.{}/pay", "{}", "www.{}", "http://pay.{}/")).format(raw)
    return raw


def _negative(rng: random.Random) -> str:
    values = {"a": rng.randint(10, 30), "d": rng.randint(1, 28), "h": rng.randint(0, 23)}
    values |= {"b": rng.randint(1000, 9999), "o": rng.randrange(10**15, 10**16)}
    return rng.choice(phrases.NEGATIVES).format(
        p=rng.choice(phrases.MOBILE_PREFIXES.split()), **values
    )


@lru_cache(maxsize=4096)
def _seller_handles(seed: int, uid: int) -> tuple[_Handle, ...]:
    rng = random.Random(f"{seed}:seller:{uid}")
    kinds = rng.sample(phrases.SELLER_KINDS, rng.randint(1, 3))
    return tuple(_new_handle(kind, rng) for kind in dict.fromkeys(kinds))


@dataclass(frozen=True)
class World:
    """A demo OTC forum of ``boards`` boards with ``threads_per_board`` threads each.

    A thread holds 1 to ``posts_per_thread`` posts (each board's first thread holds the
    maximum, so some threads always span several pages).
    """

    seed: int = 7
    boards: int = 2
    threads_per_board: int = 12
    posts_per_thread: int = 25
    threads_per_page: int = 10
    posts_per_page: int = 10
    # (thread id, replies) pairs: threads that have grown since (re-crawl tests); a thread
    # holds at most ``posts_per_thread`` posts however much it grows.
    grown: tuple[tuple[int, int], ...] = ()

    @classmethod
    def for_pages(cls, pages: int, seed: int = 7) -> World:
        """The smallest default-shaped world (4 boards) with at least ``pages`` pages."""
        world = cls(seed=seed, boards=4, threads_per_board=1)
        while (count := world.page_count()) < pages:
            grow = max(1, math.ceil((pages - count) / world.boards / 2))
            world = cls(seed=seed, boards=4, threads_per_board=world.threads_per_board + grow)
        return world

    @property
    def users(self) -> int:
        """How many user ids authors are drawn from."""
        return max(45, self.boards * self.threads_per_board)

    def board_ids(self) -> range:
        """The forum ids (``fid``) of the boards."""
        return range(2, 2 + self.boards)

    def board_name(self, fid: int) -> str:
        """The display name of a board."""
        names = ("USDT 场外交易区", "承兑换汇区", "骗子曝光台", "English OTC Desk")
        index = fid - 2
        return names[index % 4] + (f" {index // 4 + 1}" if index >= 4 else "")

    def board_page_count(self, fid: int) -> int:
        """How many pages a board's thread list spans."""
        return max(1, math.ceil(self.threads_per_board / self.threads_per_page))

    def board_thread_ids(self, fid: int, page: int) -> list[int]:
        """The thread ids a board page lists, newest first."""
        last = (fid - 1) * self.threads_per_board
        start = last - (page - 1) * self.threads_per_page
        stop = max(last - self.threads_per_board, start - self.threads_per_page)
        return list(range(start, stop, -1))

    def board_paths(self) -> list[str]:
        """The crawl's start paths: page 1 of every board."""
        return [f"/forum-{fid}-1.html" for fid in self.board_ids()]

    def has_thread(self, tid: int) -> bool:
        """Whether ``tid`` is a thread of this world."""
        return 1 <= tid <= self.boards * self.threads_per_board

    def thread(self, tid: int) -> DemoThread:
        """The summary of thread ``tid``."""
        rng = random.Random(f"{self.seed}:thread:{tid}")
        type_ = phrases.FIXED_TYPES.get(tid, rng.choice(phrases.TYPES))
        title = phrases.HOSTILE_TITLES.get(tid) or rng.choice(phrases.TITLES[type_]).format(
            rate=f"{7 + rng.randint(0, 30) / 100:.2f}"
        )
        if tid in phrases.HOSTILE_NAMES:
            uid = tid
        elif type_ in ("sell", "buy", "exchange"):
            uid = self._seller_uid(rng)
        else:
            uid = self._other_uid(rng)
        first = (tid - 1) % self.threads_per_board == 0
        count = self.posts_per_thread if first else rng.randint(1, self.posts_per_thread)
        count = min(self.posts_per_thread, count + dict(self.grown).get(tid, 0))
        board = 2 + (tid - 1) // self.threads_per_board
        return DemoThread(tid, board, type_, title, uid, count, count * rng.randint(8, 60))

    def thread_page_count(self, tid: int) -> int:
        """How many pages thread ``tid`` spans."""
        return math.ceil(self.thread(tid).post_count / self.posts_per_page)

    def user_name(self, uid: int) -> str:
        """The display name of user ``uid`` (two of them hostile: markup and an ANSI escape)."""
        if uid in phrases.HOSTILE_NAMES:
            return phrases.HOSTILE_NAMES[uid]
        rng = random.Random(f"{self.seed}:user:{uid}")
        return f"{rng.choice(phrases.NAME_A)}{rng.choice(phrases.NAME_B)}{rng.randint(1, 99)}"

    def posted_at(self, tid: int, index: int) -> datetime:
        """When post number ``index`` (0 = the opening post) of thread ``tid`` was written."""
        rng = random.Random(f"{self.seed}:time:{tid}:{index}")
        start = BASE_TIME + timedelta(minutes=tid * 37)
        if index == 0:
            return start
        return start + timedelta(
            minutes=index * 97 - rng.randint(0, 90), seconds=rng.randint(0, 59)
        )

    def post(self, tid: int, index: int, thread: DemoThread | None = None) -> DemoPost:
        """Post number ``index`` (0 = the opening post) of thread ``tid``."""
        thread = thread or self.thread(tid)
        pid = (tid - 1) * self.posts_per_thread + index + 1
        rng = random.Random(f"{self.seed}:post:{pid}")
        if index == 0:
            uid, type_ = thread.author_uid, thread.type
        elif rng.random() < 0.35:
            uid, type_ = self._seller_uid(rng), "sell"
        else:
            uid = self._other_uid(rng)
            type_ = rng.choices(("warning", "question", "chat"), (15, 20, 65))[0]
        lines, handles = self._body(type_, uid, index == 0, rng)
        images = self._images(tid, index, pid, type_, uid, handles)
        page = index // self.posts_per_page + 1
        return DemoPost(
            url_path=f"/thread-{tid}-{page}-1.html#pid{pid}",
            thread_id=tid,
            post_id=pid,
            author=self.user_name(uid),
            posted_at=self.posted_at(tid, index).isoformat(),
            title=thread.title,
            text="\n".join(lines),
            handles=frozenset(handles),
            author_uid=uid,
            images=images,
        )

    def _images(
        self, tid: int, index: int, pid: int, type_: ThreadType, uid: int, handles: set[HandleKey]
    ) -> tuple[str, ...]:
        """A seller's payment QR now and then; a broken image and a pixel bomb in thread 1."""
        rng = random.Random(f"{self.seed}:images:{pid}")  # its own stream: texts stay the same
        if tid == 1 and index in (1, 2):
            return (f"{ATTACHMENTS}{'broken' if index == 1 else 'bomb'}-{pid}.png",)
        if type_ in ("sell", "buy", "exchange") and uid % 3 == 0 and rng.random() < 0.4:
            handles.add(("payment_link", seller_qr(self.seed, uid)[1]))
            return (qr_path(uid),)
        return ()

    def attachments(self) -> set[str]:
        """The path of every image some post shows."""
        return {path for post in self.posts() for path in post.images}

    def thread_posts(self, tid: int, page: int) -> list[DemoPost]:
        """The posts shown on page ``page`` of thread ``tid``."""
        thread = self.thread(tid)
        first = (page - 1) * self.posts_per_page
        last = min(first + self.posts_per_page, thread.post_count)
        return [self.post(tid, index, thread) for index in range(first, last)]

    def posts(self) -> Iterator[DemoPost]:
        """Every post of the world, thread by thread."""
        for tid in range(1, self.boards * self.threads_per_board + 1):
            thread = self.thread(tid)
            for index in range(thread.post_count):
                yield self.post(tid, index, thread)

    def pages(self) -> Iterator[str]:
        """Every path a full crawl fetches: all board pages, then all thread pages."""
        for fid in self.board_ids():
            for page in range(1, self.board_page_count(fid) + 1):
                yield f"/forum-{fid}-{page}.html"
        for tid in range(1, self.boards * self.threads_per_board + 1):
            for page in range(1, self.thread_page_count(tid) + 1):
                yield f"/thread-{tid}-{page}-1.html"

    def page_count(self) -> int:
        """How many paths ``pages()`` yields (computed without rendering anything)."""
        boards = sum(self.board_page_count(fid) for fid in self.board_ids())
        threads = range(1, self.boards * self.threads_per_board + 1)
        return boards + sum(self.thread_page_count(tid) for tid in threads)

    def ground_truth(self) -> set[tuple[str, str]]:
        """Every (kind, canonical value) some post of the world publishes."""
        return {handle for post in self.posts() for handle in post.handles}

    def sightings(self) -> Counter[tuple[str, str]]:
        """For every ground-truth handle, how many posts publish it."""
        return Counter(handle for post in self.posts() for handle in post.handles)

    def operators(self) -> dict[int, frozenset[HandleKey]]:
        """Who is behind what: each seller's user id and the handles of theirs that posts publish.

        Read-only ground truth for the operator clusters (their own ads, the QR codes they
        attach and the warnings other users write about them all publish a seller's handles).
        """
        published = self.ground_truth()
        owned: dict[int, frozenset[HandleKey]] = {}
        for uid in range(1, self.users + 1):  # a user whose handles no post shows is no seller
            keys: set[HandleKey] = {("payment_link", seller_qr(self.seed, uid)[1])}
            for handle in _seller_handles(self.seed, uid):
                keys.update(handle.keys())
            if mine := frozenset(keys & published):
                owned[uid] = mine
        return owned

    def _seller_uid(self, rng: random.Random) -> int:
        return 3 * rng.randint(1, self.users // 3)

    def _other_uid(self, rng: random.Random) -> int:
        base = rng.choice((1, 2, 4, 5, 7, 8))  # never a multiple of 3: those are the sellers
        return base + 9 * rng.randrange(self.users // 9)

    def _body(
        self, type_: ThreadType, uid: int, opening: bool, rng: random.Random
    ) -> tuple[list[str], set[HandleKey]]:
        handles: set[HandleKey] = set()
        if type_ == "notice":
            return ["本版只讨论场外交易，禁止发布违法内容。", "交易前请走担保，谨防诈骗。"], handles
        lines: list[str] = []
        if type_ in phrases.INTROS:
            lines.append(rng.choice(phrases.INTROS[type_]))
        if type_ in ("sell", "buy", "exchange"):
            own = _seller_handles(self.seed, uid)
            if rng.random() < (0.85 if opening else 0.6):
                for handle in rng.sample(own, rng.randint(1, len(own))):
                    lines.append(
                        rng.choice(phrases.OFFER[handle.kind]).format(h=_written(handle, rng))
                    )
                    handles.update(handle.keys())
        elif type_ == "warning":
            handle = rng.choice(_seller_handles(self.seed, self._seller_uid(rng)))
            lines.append(rng.choice(phrases.REPORT).format(h=_written(handle, rng)))
            handles.update(handle.keys())
        else:
            lines.extend(rng.sample(phrases.CHAT, rng.randint(1, 2)))
        if rng.random() < 0.45:
            lines.insert(rng.randint(0, len(lines)), _negative(rng))
        return lines, handles
