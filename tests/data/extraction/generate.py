"""Regenerate the labelled extraction corpus: ``python tests/data/extraction/generate.py``.

Every post is written from a template by hand; only the handle values are drawn (seeded, so the
output is byte-for-byte reproducible) and every drawn value is valid by construction: phones pass
libphonenumber, cards pass Luhn with a real issuer prefix, addresses carry their checksums. The
labels are built from the values put into the text, never by running the extractor.

The families live in ``families_*.py`` next to this file; this module holds the value makers and
the obfuscation renderers they share.
"""

from __future__ import annotations

import json
import random
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import phonenumbers

from watchlist.extract.checksums import b58check_encode, eip55, segwit_encode

HERE = Path(__file__).resolve().parent
SEED = 20240611

Render = Callable[[str], str]
Label = tuple[str, str]  # (kind, canonical value)


@dataclass
class Slot:
    """A handle as written in a post and the (kind, value) labels it publishes."""

    written: str
    labels: list[Label]


@dataclass
class Post:
    """One corpus line."""

    id: str
    lang: str
    styles: list[str]
    text: str
    expected: list[dict[str, str]] = field(default_factory=list)

    def as_json(self) -> str:
        """The JSON line for this post."""
        return json.dumps(
            {
                "id": self.id,
                "lang": self.lang,
                "styles": self.styles,
                "text": self.text,
                "expected": self.expected,
            },
            ensure_ascii=False,
        )


# --- renderers: how a value is written ---------------------------------------------------------

ZH_DIGITS = "零一二三四五六七八九"
FIN_DIGITS = "零壹贰叁肆伍陆柒捌玖"
SPOKEN = {"0": "洞", "1": "幺", "2": "两", "7": "拐", "9": "勾"}
CIRCLED = "⓪①②③④⑤⑥⑦⑧⑨"
NEG_CIRCLED = "⓿❶❷❸❹❺❻❼❽❾"
MATH_BASES = (0x1D7CE, 0x1D7D8, 0x1D7E2, 0x1D7EC, 0x1D7F6)  # bold, double-struck, sans, ...
ZERO_WIDTH = ("\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad")
LOOKALIKE = {
    "a": "а",
    "c": "с",
    "e": "е",
    "i": "і",
    "j": "ј",
    "o": "о",
    "p": "р",
    "s": "ѕ",
    "x": "х",
    "y": "у",
    "v": "ν",
    "k": "κ",
}


def plain(text: str) -> str:
    """As is."""
    return text


def fullwidth(text: str) -> str:
    """ASCII printable characters as their full-width forms (ＡＢＣ１２３＠．＋)."""
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def digits_with(table: str) -> Render:
    """A renderer mapping each ASCII digit through a 10-character table."""
    return lambda text: "".join(table[int(c)] if c.isdigit() else c for c in text)


zh_numerals = digits_with(ZH_DIGITS)
financial = digits_with(FIN_DIGITS)
circled = digits_with(CIRCLED)
neg_circled = digits_with(NEG_CIRCLED)


def spoken(text: str) -> str:
    """Digits as a dispatcher reads them aloud: 幺 两 拐 勾 洞, the rest as 一二三."""
    return "".join(SPOKEN.get(c, ZH_DIGITS[int(c)]) if c.isdigit() else c for c in text)


def keycap(text: str) -> str:
    """Digits as keycap emoji (1️⃣)."""
    return "".join(c + "\ufe0f\u20e3" if c.isdigit() else c for c in text)


def math_digits(base: int) -> Render:
    """Digits as mathematical alphanumeric digits from ``base`` (𝟏, 𝟙, ...)."""
    return lambda text: "".join(chr(base + int(c)) if c.isdigit() else c for c in text)


def grouped(sizes: tuple[int, ...], sep: str = " ") -> Render:
    """Split a digit string into groups of ``sizes`` joined by ``sep`` (the rest at the end)."""

    def render(text: str) -> str:
        parts: list[str] = []
        pos = 0
        for size in sizes:
            if pos >= len(text):
                break
            parts.append(text[pos : pos + size])
            pos += size
        if pos < len(text):
            parts.append(text[pos:])
        return sep.join(parts)

    return render


def each_char(sep: str) -> Render:
    """Every character separated by ``sep``."""
    return lambda text: sep.join(text)


def words(text: str) -> tuple[str, ...]:
    """The space-separated words of ``text``."""
    return tuple(text.split())


class Values:
    """Seeded makers of valid handle values."""

    CN_PREFIXES = words(
        "130 131 132 133 135 136 137 138 139 150 151 152 155 156 157 158 159 166 173 175 176 "
        "177 180 181 182 183 185 186 187 188 189 198 199"
    )
    SYLLABLES = words(
        "yun qw xiao ming li wang zhang chen ah long feng ke jie mei hao da shun fa cai jin bao "
        "xin tian yu hui lin kai rui an le ping"
    )
    TG_WORDS = words(
        "usdt otc pay vip fast king huilv chengdui ubao coin trade bao xin long tiger sky gold "
        "star moon lucky hk macau asia global safe"
    )
    MAIL_DOMAINS = words(
        "gmail.com 163.com 126.com outlook.com hotmail.com proton.me aol.com yahoo.com sina.com "
        "foxmail.com"
    )
    DOMAIN_WORDS = words(
        "usdt otc huilv pay fastu ubao coinx chengdui paofen tianxia jinbi sunpay okpay "
        "globalpay easyu haoyun xinbi dayu quick"
    )
    TLDS = words("com net top cc vip xyz com.cn io org club shop co me")
    UNIONPAY_BINS = words("621700 622848 622202 621483 622588 623058 622908 621661 622609 621226")
    VISA_BINS = words("4367 4563 4026 4392 4218 4581")
    MC_BINS = words("5187 5201 5288 5309 5424 5546 2223 2500 2621 2720")

    def __init__(self, seed: int = SEED) -> None:
        self.rng = random.Random(seed)
        self.used: set[str] = set()

    def _fresh(self, make: Callable[[], str]) -> str:
        while True:
            value = make()
            if value not in self.used:
                self.used.add(value)
                return value

    def digits(self, n: int) -> str:
        """``n`` random digits."""
        return "".join(self.rng.choice("0123456789") for _ in range(n))

    def cn_mobile(self) -> str:
        """A valid Chinese mobile number, national form (11 digits)."""

        def make() -> str:
            while True:
                number = self.rng.choice(self.CN_PREFIXES) + self.digits(8)
                if phonenumbers.is_valid_number(phonenumbers.parse(number, "CN")):
                    return number

        return self._fresh(make)

    def foreign(self, region: str) -> tuple[str, str]:
        """A valid mobile number of ``region``: (national significant number, E.164)."""
        makers: dict[str, Callable[[], str]] = {
            "GB": lambda: "7" + self.rng.choice("45789") + self.digits(8),
            "US": lambda: (
                self.rng.choice(["715", "212", "415", "646", "310", "702", "305"])
                + self.rng.choice("23456789")
                + self.digits(2)
                + self.rng.choice("23456789")
                + self.digits(3)
            ),
            "HK": lambda: self.rng.choice("569") + self.digits(7),
            "SG": lambda: self.rng.choice("89") + self.digits(7),
            "PH": lambda: (
                "9" + self.rng.choice(["17", "27", "05", "15", "77", "98"]) + self.digits(7)
            ),
            "MY": lambda: "1" + self.rng.choice("2346") + self.digits(7),
        }
        while True:
            national = makers[region]()
            parsed = phonenumbers.parse(national, region)
            if phonenumbers.is_valid_number(parsed) and national not in self.used:
                self.used.add(national)
                return national, phonenumbers.format_number(
                    parsed, phonenumbers.PhoneNumberFormat.E164
                )

    def qq(self) -> str:
        """A QQ number, 6 to 10 digits."""
        return self._fresh(lambda: str(self.rng.randint(10**5, 3_999_999_999)))

    def wechat(self) -> str:
        """A WeChat ID as a seller picks one: syllables and digits, 6 to 20 characters."""

        def make() -> str:
            name = "".join(self.rng.choice(self.SYLLABLES) for _ in range(self.rng.randint(1, 3)))
            sep = self.rng.choice(["", "", "", "_", "-"])
            value = (name + sep + self.digits(self.rng.randint(2, 6)))[:20]
            return value if len(value) >= 6 else value + self.digits(6 - len(value))

        return self._fresh(make)

    def wxid(self) -> str:
        """A system-assigned ``wxid_…`` WeChat ID."""
        alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
        return self._fresh(lambda: "wxid_" + "".join(self.rng.choice(alphabet) for _ in range(14)))

    def telegram(self, bot: bool = False) -> str:
        """A Telegram username (5–32 characters); ``bot`` ends it in ``bot``."""

        def make() -> str:
            words = [self.rng.choice(self.TG_WORDS) for _ in range(self.rng.randint(1, 2))]
            name = self.rng.choice(["", "_"]).join(words)
            if self.rng.random() < 0.6:
                name += self.rng.choice(["", "_"]) + self.digits(self.rng.randint(2, 4))
            if bot:
                name += self.rng.choice(["_bot", "bot"])
            return name if len(name) >= 5 else name + self.digits(5 - len(name))

        return self._fresh(make)

    def email(self, domain: str | None = None) -> str:
        """A mailbox: a name or a QQ number at a free-mail domain."""
        domain = domain or self.rng.choice(self.MAIL_DOMAINS)
        if domain == "qq.com":
            return self.qq() + "@qq.com"
        return self._fresh(
            lambda: (
                self.rng.choice(self.SYLLABLES)
                + self.rng.choice(self.SYLLABLES)
                + self.rng.choice(["", ".", "_"])
                + self.digits(self.rng.randint(2, 5))
                + "@"
                + domain
            )
        )

    def alipay_userid(self) -> str:
        """An Alipay user id: 2088 and twelve digits."""
        return self._fresh(lambda: "2088" + self.digits(12))

    def card(self, brand: str = "unionpay") -> str:
        """A Luhn-valid card number with a real issuer prefix for its length."""

        def make() -> str:
            if brand == "unionpay":
                body = self.rng.choice(self.UNIONPAY_BINS)
                length = self.rng.choice([16, 19])
            elif brand == "visa":
                body, length = self.rng.choice(self.VISA_BINS), 16
            else:
                body, length = self.rng.choice(self.MC_BINS), 16
            body += self.digits(length - 1 - len(body))
            return body + luhn_digit(body)

        return self._fresh(make)

    def tron(self) -> str:
        """A TRON address (Base58Check, version 0x41)."""
        return self._fresh(lambda: b58check_encode(b"\x41" + self.rng.randbytes(20)))

    def eth(self) -> str:
        """An Ethereum address in its EIP-55 form."""
        return self._fresh(lambda: eip55(self.rng.randbytes(20).hex()))

    def btc(self, style: str) -> str:
        """A Bitcoin address: p2pkh, p2sh, p2wpkh, p2wsh (bech32) or p2tr (bech32m)."""
        makers: dict[str, Callable[[], str]] = {
            "p2pkh": lambda: b58check_encode(b"\x00" + self.rng.randbytes(20)),
            "p2sh": lambda: b58check_encode(b"\x05" + self.rng.randbytes(20)),
            "p2wpkh": lambda: segwit_encode("bc", 0, self.rng.randbytes(20)),
            "p2wsh": lambda: segwit_encode("bc", 0, self.rng.randbytes(32)),
            "p2tr": lambda: segwit_encode("bc", 1, self.rng.randbytes(32)),
        }
        return self._fresh(makers[style])

    def alipay_code(self) -> str:
        """The code of an Alipay collection link, lower-case (``fkx…``)."""
        alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
        prefix = self.rng.choice(["fkx", "fkx", "fkx", "tsx", "bax"])
        return self._fresh(
            lambda: (
                prefix + "".join(self.rng.choice(alphabet) for _ in range(self.rng.randint(17, 20)))
            )
        )

    def wxp(self) -> str:
        """A WeChat Pay collection link, ``wxp://f2f0…`` (case matters)."""
        alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"
        return self._fresh(
            lambda: "wxp://f2f0" + "".join(self.rng.choice(alphabet) for _ in range(30))
        )

    def domain(self, tld: str | None = None) -> str:
        """A registered domain an OTC shop might run."""
        return self._fresh(
            lambda: (
                self.rng.choice(self.DOMAIN_WORDS)
                + self.rng.choice(["", "", "-"])
                + self.rng.choice(
                    [self.rng.choice(self.DOMAIN_WORDS), self.digits(2), self.digits(3)]
                )
                + "."
                + (tld or self.rng.choice(self.TLDS))
            )
        )

    def zero_width(self, text: str, count: int = 2) -> str:
        """``text`` with ``count`` zero-width characters (or soft hyphens) inside it."""
        chars = list(text)
        for _ in range(count):
            pos = self.rng.randint(1, len(chars) - 1)
            chars.insert(pos, self.rng.choice(ZERO_WIDTH))
        return "".join(chars)

    def lookalike(self, text: str) -> str:
        """``text`` with one to three Latin letters swapped for Cyrillic/Greek look-alikes."""
        positions = [i for i, c in enumerate(text) if c in LOOKALIKE]
        if not positions:
            raise ValueError(f"no look-alike letter in {text!r}")
        chosen = self.rng.sample(positions, min(len(positions), self.rng.randint(1, 3)))
        return "".join(LOOKALIKE[c] if i in chosen else c for i, c in enumerate(text))

    def luhn_fail(self, number: str) -> str:
        """``number`` with its check digit changed so Luhn fails."""
        good = luhn_digit(number[:-1])
        bad = self.rng.choice([d for d in "0123456789" if d != good])
        return number[:-1] + bad


def luhn_digit(body: str) -> str:
    """The Luhn check digit to append to ``body``."""
    total = 0
    for i, char in enumerate(reversed(body)):
        digit = int(char)
        if i % 2 == 0:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return str((10 - total % 10) % 10)


def alipay_link(code: str, form: str = "https") -> str:
    """An Alipay collection link for ``code`` written in ``form``."""
    url = "https://qr.alipay.com/" + code
    forms = {
        "https": url,
        "upper": url.upper(),
        "http": "http://qr.alipay.com/" + code,
        "bare": "qr.alipay.com/" + code,
        "query": url + "?t=1718000000000",
        "alipays": "alipays://platformapi/startapp?saId=10000007&qrcode=" + quote(url, safe=""),
        "alipayqr": "alipayqr://platformapi/startapp?saId=10000007&qrcode=" + quote(url, safe=""),
        "alipays_upper": "alipays://platformapi/startapp?saId=10000007&qrcode="
        + quote(url.upper(), safe=""),
    }
    return forms[form]


# --- building posts ----------------------------------------------------------------------------


class Corpus:
    """Collects posts into files, numbering ids per prefix; makes the slots posts are built of."""

    def __init__(self, values: Values) -> None:
        self.v = values
        self.file = "misc"
        self.files: dict[str, list[Post]] = {}
        self.counters: dict[str, int] = {}

    def t(
        self,
        prefix: str,
        lang: str,
        styles: list[str],
        template: str,
        *labelled: tuple[Slot, str],
    ) -> None:
        """Add a post: ``template`` is filled (``str.format``) with the slots' written forms in
        order, each slot's labels are expected with its role."""
        self.counters[prefix] = self.counters.get(prefix, 0) + 1
        post_id = f"{prefix}-{self.counters[prefix]:03d}"
        text = template.format(*(slot.written for slot, _ in labelled))
        expected: list[dict[str, str]] = []
        seen: set[Label] = set()
        for slot, role in labelled:
            for kind, value in slot.labels:
                if (kind, value) not in seen:
                    seen.add((kind, value))
                    expected.append({"kind": kind, "value": value, "role": role})
        self.files.setdefault(self.file, []).append(Post(post_id, lang, styles, text, expected))

    # slots: ``render`` is applied to what is written (digits for numbers, the ID for names)

    def phone(self, render: Render = plain) -> Slot:
        """A Chinese mobile number (national digits)."""
        n = self.v.cn_mobile()
        return Slot(render(n), [("phone", "+86" + n)])

    def phone_wx(self, render: Render = plain) -> Slot:
        """A Chinese mobile number that is also the WeChat account (微信同号)."""
        n = self.v.cn_mobile()
        return Slot(render(n), [("phone", "+86" + n), ("wechat", "+86" + n)])

    def phone_ali(self, render: Render = plain, wechat: bool = False) -> Slot:
        """A Chinese mobile number that is an Alipay account (and the WeChat one)."""
        n = self.v.cn_mobile()
        labels: list[Label] = [("alipay", "+86" + n), ("phone", "+86" + n)]
        if wechat:
            labels.append(("wechat", "+86" + n))
        return Slot(render(n), labels)

    def wx(self, render: Render = plain, wxid: bool = False) -> Slot:
        """A WeChat ID."""
        value = self.v.wxid() if wxid else self.v.wechat()
        return Slot(render(value), [("wechat", value)])

    def qq(self, render: Render = plain) -> Slot:
        """A QQ number."""
        value = self.v.qq()
        return Slot(render(value), [("qq", value)])

    def email(self, render: Render = plain, domain: str | None = None) -> Slot:
        """A mailbox."""
        value = self.v.email(domain)
        return Slot(render(value), [("email", value)])

    def ali_email(self, render: Render = plain, domain: str | None = None) -> Slot:
        """A mailbox that is an Alipay account."""
        value = self.v.email(domain)
        return Slot(render(value), [("alipay", value), ("email", value)])

    def ali_id(self, render: Render = plain) -> Slot:
        """An Alipay user id (2088…)."""
        value = self.v.alipay_userid()
        return Slot(render(value), [("alipay", value)])

    def tg(self, render: Render = plain, bot: bool = False) -> Slot:
        """A Telegram username (the template writes the ``@`` or ``t.me/``)."""
        value = self.v.telegram(bot)
        return Slot(render(value), [("telegram", value)])

    def card(self, brand: str = "unionpay", render: Render = plain) -> Slot:
        """A bank card number."""
        value = self.v.card(brand)
        return Slot(render(value), [("bank_card", value)])

    def tron(self, render: Render = plain) -> Slot:
        """A TRON address."""
        value = self.v.tron()
        return Slot(render(value), [("tron", value)])

    def eth(self, lower: bool = False) -> Slot:
        """An Ethereum address, checksummed or all lower-case."""
        value = self.v.eth()
        return Slot(value.lower() if lower else value, [("eth", value)])

    def btc(self, style: str = "p2pkh", upper: bool = False) -> Slot:
        """A Bitcoin address."""
        value = self.v.btc(style)
        return Slot(value.upper() if upper else value, [("btc", value)])

    def paylink(self, form: str = "https") -> Slot:
        """An Alipay collection link written in ``form`` (see ``alipay_link``)."""
        code = self.v.alipay_code()
        return Slot(alipay_link(code, form), [("payment_link", "https://qr.alipay.com/" + code)])

    def wxp(self) -> Slot:
        """A WeChat Pay collection link."""
        value = self.v.wxp()
        return Slot(value, [("payment_link", value)])

    def domain(self, form: str = "bare", tld: str | None = None) -> Slot:
        """A website written in ``form`` (a key of ``forms`` below)."""
        value = self.v.domain(tld)
        name, _, suffix = value.partition(".")
        path = self.v.rng.choice(["/login", "/register?code=8866", "/download/app", "/#/trade"])
        sub = self.v.rng.choice(["pay", "m", "app", "h5", "otc"])
        forms = {
            "bare": value,
            "www": "www." + value,
            "https": "https://" + value,
            "path": "https://www." + value + path,
            "sub": sub + "." + value,
            "sub_https": "https://" + sub + "." + value + path,
            "upper": "WWW." + value.upper(),
            "brackets": name + "[.]" + suffix.replace(".", "[.]"),
            "dot_word": name + "[dot]" + suffix,
            "hxxps": "hxxps://" + name + "[.]" + suffix + path,
            "hxxp": "hxxp://www[.]" + value,
            "ideo": name + "。" + suffix.replace(".", "。"),
        }
        return Slot(forms[form], [("domain", value)])

    def foreign(self, region: str, render: Render = plain) -> Slot:
        """A foreign mobile number; ``render`` writes its national significant number."""
        national, e164 = self.v.foreign(region)
        return Slot(render(national), [("phone", e164)])

    def fixed(self, written: str, *labels: Label) -> Slot:
        """A hand-written value with its labels (public addresses, IDN domains)."""
        return Slot(written, list(labels))

    def none(self, written: str) -> Slot:
        """Text that fills a placeholder but publishes nothing (a trap)."""
        return Slot(written, [])


def main(out: Path = HERE) -> int:
    """Write every family's posts to ``<family>.jsonl`` in ``out`` (this folder by default)."""
    import families_contacts
    import families_hostile
    import families_money
    import families_negatives

    corpus = Corpus(Values())
    families_contacts.build(corpus)
    families_money.build(corpus)
    families_negatives.build(corpus)
    families_hostile.build(corpus)
    for stale in out.glob("*.jsonl"):
        stale.unlink()
    for name, posts in corpus.files.items():
        lines = "".join(post.as_json() + "\n" for post in posts)
        (out / f"{name}.jsonl").write_text(lines, encoding="utf-8")
    total = sum(len(posts) for posts in corpus.files.values())
    print(f"wrote {total} posts in {len(corpus.files)} files to {out}")
    return 0


if __name__ == "__main__":
    # Run as a script: import this file as ``generate`` so the families share its classes.
    sys.path.insert(0, str(HERE))
    import generate

    sys.exit(generate.main())
