"""Valid invented values for the blind corpus, and a check of the corpus's labels.

``python tests/data/blind/make_values.py values`` prints pools of valid, invented values (phones
per region by libphonenumber, Luhn cards with real issuer prefixes, Alipay user ids, TRON / ETH /
BTC addresses with their checksums) from a fixed seed; the posts were written by hand around them.

``python tests/data/blind/make_values.py check`` loads the corpus with bench/corpus_tools.py and
reports every invalid label (corpus_tools' validator), every value not found in its post's text
(plainly for ordinary posts, after corpus_tools' generous folding for obfuscated ones), and the
corpus's figures per market. It never imports ``watchlist.extract``.
"""

from __future__ import annotations

import hashlib
import importlib.util
import random
import re
import sys
import unicodedata
from collections import Counter
from pathlib import Path
from types import ModuleType

import phonenumbers
from Crypto.Hash import keccak

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
REGIONS = ("CN", "HK", "TW", "MY", "VN", "PH", "NG", "KE", "KR", "RU", "TR", "US", "GB", "TH", "ID")
MARKETS = ("cn", "hk", "tw", "my", "vn", "ph", "ng", "ke", "kr", "ru", "tr", "us", "uk")
# Styles whose values are written in a form a plain reading does not find (folded check only).
OBFUSCATED = re.compile(
    r"numerals|fullwidth|zero_width|spaced|defang|lookalike|dotted|percent|circled|commas|"
    r"split|spoken|obfusc|dashes|financial"
)
B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
BECH32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"


def corpus_tools() -> ModuleType:
    """bench/corpus_tools.py, imported by path (bench/ is not a package)."""
    spec = importlib.util.spec_from_file_location("corpus_tools", ROOT / "bench/corpus_tools.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["corpus_tools"] = module
    spec.loader.exec_module(module)
    return module


# --- values ---------------------------------------------------------------------------------


def phones(region: str, rng: random.Random, count: int) -> list[str]:
    """``count`` valid mobile numbers of ``region`` (E.164), varied from its example number."""
    example = phonenumbers.example_number_for_type(region, phonenumbers.PhoneNumberType.MOBILE)
    if example is None:
        raise ValueError(f"libphonenumber has no example mobile for {region}")
    national = str(example.national_number)
    found: list[str] = []
    while len(found) < count:
        keep = max(3, len(national) - 6)
        digits = national[:keep] + "".join(rng.choice("0123456789") for _ in national[keep:])
        number = phonenumbers.parse("+" + str(example.country_code) + digits)
        kind = phonenumbers.number_type(number)
        mobile = kind in (
            phonenumbers.PhoneNumberType.MOBILE,
            phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
        )
        e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
        if phonenumbers.is_valid_number(number) and mobile and e164 not in found:
            found.append(e164)
    return found


def luhn_complete(body: str) -> str:
    """``body`` plus the Luhn check digit."""
    for digit in "0123456789":
        candidate = body + digit
        total = 0
        for i, char in enumerate(reversed(candidate)):
            value = int(char) * (2 if i % 2 else 1)
            total += value - 9 if value > 9 else value
        if total % 10 == 0:
            return candidate
    raise AssertionError(body)


def card(prefix: str, length: int, rng: random.Random) -> str:
    """A Luhn-valid card number of ``length`` digits starting with ``prefix``."""
    body = prefix + "".join(rng.choice("0123456789") for _ in range(length - len(prefix) - 1))
    return luhn_complete(body)


def b58check(payload: bytes) -> str:
    """Base58Check of ``payload``."""
    raw = payload + hashlib.sha256(hashlib.sha256(payload).digest()).digest()[:4]
    number = int.from_bytes(raw, "big")
    out = ""
    while number:
        number, rest = divmod(number, 58)
        out = B58[rest] + out
    return "1" * (len(raw) - len(raw.lstrip(b"\0"))) + out


def bech32_v0(program: bytes) -> str:
    """The bech32 (witness v0) mainnet address of ``program``."""
    bits, acc, data = 0, 0, [0]
    for byte in program:
        acc = acc << 8 | byte
        bits += 8
        while bits >= 5:
            bits -= 5
            data.append(acc >> bits & 31)
    if bits:
        data.append(acc << (5 - bits) & 31)
    hrp = "bc"
    values = [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp] + data + [0] * 6
    chk = 1
    for value in values:
        top = chk >> 25
        chk = (chk & 0x1FFFFFF) << 5 ^ value
        for i, gen in enumerate((0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)):
            chk ^= gen if (top >> i) & 1 else 0
    chk ^= 1
    checksum = [(chk >> 5 * (5 - i)) & 31 for i in range(6)]
    return hrp + "1" + "".join(BECH32[d] for d in data + checksum)


def eip55(body: bytes) -> str:
    """The EIP-55 form of a 20-byte address."""
    hexed = body.hex()
    digest = keccak.new(digest_bits=256, data=hexed.encode()).hexdigest()
    return "0x" + "".join(
        c.upper() if c.isalpha() and int(digest[i], 16) >= 8 else c for i, c in enumerate(hexed)
    )


def print_values() -> None:
    """Print the pools the posts draw on."""
    rng = random.Random(20261202)
    for region in REGIONS:
        for e164 in phones(region, rng, 8):
            number = phonenumbers.parse(e164)
            national = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
            print(f"phone {region} {e164}  [{national}]")
    for name, prefix, length in (
        ("unionpay16", "622202", 16),
        ("unionpay19", "621700", 19),
        ("unionpay19", "622848", 19),
        ("unionpay16", "621483", 16),
        ("visa", "4", 16),
        ("mastercard", "53", 16),
        ("mastercard", "2223", 16),
        ("amex", "37", 15),
    ):
        for _ in range(4):
            print(f"card {name} {card(prefix, length, rng)}")
    for _ in range(8):
        print("alipay_uid 2088" + "".join(rng.choice("0123456789") for _ in range(12)))
    for _ in range(12):
        print("tron " + b58check(b"\x41" + rng.randbytes(20)))
    for _ in range(10):
        print("eth " + eip55(rng.randbytes(20)))
    for _ in range(4):
        print("btc_p2pkh " + b58check(b"\x00" + rng.randbytes(20)))
        print("btc_p2sh " + b58check(b"\x05" + rng.randbytes(20)))
        print("btc_bech32 " + bech32_v0(rng.randbytes(20)))


# --- check ----------------------------------------------------------------------------------


def plain_found(text: str, kind: str, value: str) -> bool:
    """True when ``value`` is in ``text`` read plainly: NFKC, case folded, and for numbers the
    digits of the text with their usual separators (space, -, ., /, brackets) taken out."""
    text = unicodedata.normalize("NFKC", text).lower()
    if value.startswith("+"):
        digits = re.sub(r"(?<=\d)[\s\-./()]+(?=[\d(])|[()]", "", text)
        national = str(phonenumbers.parse(value).national_number)
        return national in digits
    if kind in ("bank_card", "tron", "btc"):
        return value.lower() in re.sub(r"(?<=\w)[\s\-/]+(?=\w)", "", text)
    if kind == "payment_link":
        return value.lower().removeprefix("https://") in text
    return value.lower() in text


def check() -> int:
    """Validate the corpus; print figures; return the number of problems."""
    tools = corpus_tools()
    posts = tools.load_corpus(HERE)
    problems: list[str] = []
    ids = Counter(post.id for post in posts)
    problems += [f"{i}: id used {n} times" for i, n in ids.items() if n > 1]
    for post in posts:
        where = f"{post.source} {post.id}"
        problems += [f"{where}: {why}" for why in tools.label_problems(post)]
        if post.market not in (*MARKETS, "global"):
            problems.append(f"{where}: market {post.market!r}")
        if not isinstance(post.otc, bool):
            problems.append(f"{where}: otc missing")
        if not tools.lang_ok(post.lang):
            problems.append(f"{where}: lang {post.lang!r}")
        if not post.id.startswith(f"{post.market}-"):
            problems.append(f"{where}: id does not start with its market")
        if post.text != post.text.strip() or " \n" in post.text:
            problems.append(f"{where}: trailing spaces")
        if post.is_negative and post.otc is None:
            problems.append(f"{where}: negative without otc")
        if post.is_negative and not all(s.startswith("neg_") for s in post.styles):
            problems.append(f"{where}: negative with a style not prefixed neg_")
        if not post.is_negative and any(s.startswith("neg_") for s in post.styles):
            problems.append(f"{where}: positive with a neg_ style")
        if any(label.role is None for label in post.expected):
            problems.append(f"{where}: a label without a role")
        obfuscated = any(OBFUSCATED.search(style) for style in post.styles)
        for label in post.expected:
            if not obfuscated and not plain_found(post.text, label.kind, label.value):
                problems.append(f"{where}: {label.kind} {label.value} not found plainly")
    for line in problems:
        print(line)
    negatives = sum(post.is_negative for post in posts)
    print(f"{len(posts)} posts, {negatives} negatives ({negatives / max(len(posts), 1):.0%}), ")
    print(f"otc true: {sum(bool(p.otc) for p in posts)}; problems: {len(problems)}")
    per_market = Counter(post.market for post in posts)
    neg_market = Counter(post.market for post in posts if post.is_negative)
    print("  ".join(f"{m}:{per_market[m]}/{neg_market[m]}" for m in MARKETS))
    kinds = Counter(label.kind for post in posts for label in post.expected)
    roles = Counter(label.role for post in posts for label in post.expected)
    print(dict(kinds), dict(roles))
    return len(problems)


if __name__ == "__main__":
    if sys.argv[1:] == ["values"]:
        print_values()
    elif sys.argv[1:] == ["check"]:
        sys.exit(1 if check() else 0)
    else:
        sys.exit("usage: make_values.py values|check")
