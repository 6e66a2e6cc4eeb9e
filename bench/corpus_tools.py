"""The labelled extraction corpora (tests/data/extraction/, tests/data/blind/): load and validate.

The validator is deliberately independent of ``watchlist.extract``: it re-implements Luhn,
Base58Check, bech32/bech32m and EIP-55 here and asks libphonenumber and the public suffix list
(tldextract's bundled snapshot, offline) directly, so a label is trusted only when it is valid and
canonical by ARCHITECTURE.md's table on its own terms.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from urllib.parse import unquote

import phonenumbers
import tldextract
from Crypto.Hash import keccak

CORPUS_DIR = Path(__file__).resolve().parent.parent / "tests" / "data" / "extraction"
KINDS = (
    "phone",
    "email",
    "alipay",
    "wechat",
    "qq",
    "bank_card",
    "telegram",
    "kakaotalk",
    "btc",
    "eth",
    "tron",
    "payment_link",
    "domain",
)
ROLES = ("offered", "reported", "mentioned")
LANGS = ("zh", "en", "mixed")  # the extraction corpus's; lang_ok() also takes ISO 639-1 codes
NOT_DOMAINS = {"t.me", "telegram.me", "wa.me", "alipay.com"}


@dataclass(frozen=True)
class Label:
    """One expected (kind, value) of a post, with its role when given."""

    kind: str
    value: str
    role: str | None


@dataclass(frozen=True)
class Post:
    """One labelled post of the corpus."""

    id: str
    lang: str
    styles: tuple[str, ...]
    text: str
    expected: tuple[Label, ...]
    source: str
    market: str | None = None
    otc: bool | None = None

    @property
    def is_negative(self) -> bool:
        """True when the post publishes no handle at all."""
        return not self.expected


def load_corpus(directory: Path = CORPUS_DIR) -> list[Post]:
    """Every post of every ``*.jsonl`` file in ``directory``, files in name order."""
    posts: list[Post] = []
    for path in sorted(directory.glob("*.jsonl")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            raw = json.loads(line)
            posts.append(
                Post(
                    id=raw["id"],
                    lang=raw["lang"],
                    styles=tuple(raw["styles"]),
                    text=raw["text"],
                    expected=tuple(
                        Label(item["kind"], item["value"], item.get("role"))
                        for item in raw["expected"]
                    ),
                    source=f"{path.name}:{number}",
                    market=raw.get("market"),
                    otc=raw.get("otc"),
                )
            )
    return posts


def lang_ok(lang: str) -> bool:
    """True for one of LANGS or a two-letter ISO 639-1 code (``ko``, ``vi``, ``ru``...)."""
    return lang in LANGS or re.fullmatch(r"[a-z]{2}", lang) is not None


def documented_styles(readme: Path = CORPUS_DIR / "README.md") -> set[str]:
    """The style tags the corpus README documents (its table rows starting ``| `tag` |``)."""
    text = readme.read_text(encoding="utf-8")
    return set(re.findall(r"^\| `([a-z0-9_]+)` \|", text, flags=re.MULTILINE))


# --- independent validity checks ---------------------------------------------------------------

_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_BECH32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"


def luhn_ok(digits: str) -> bool:
    """True when ``digits`` passes the Luhn check."""
    total = 0
    for i, char in enumerate(reversed(digits)):
        value = int(char) * (2 if i % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def issuer_ok(digits: str) -> bool:
    """True when the card number's prefix belongs to a real issuer that uses its length."""
    n = len(digits)
    two, four = int(digits[:2]), int(digits[:4])
    rules = (
        (digits.startswith("62"), range(16, 20)),  # UnionPay
        (digits.startswith("4"), (13, 16, 19)),  # Visa
        (51 <= two <= 55 or 2221 <= four <= 2720, (16,)),  # Mastercard
        (two in (34, 37), (15,)),  # American Express
        (3528 <= four <= 3589, range(16, 20)),  # JCB
        (digits.startswith(("6011", "65")), range(16, 20)),  # Discover
    )
    return any(match and n in lengths for match, lengths in rules)


def b58check_payload(text: str) -> bytes | None:
    """The payload of a Base58Check string, or None."""
    number = 0
    for char in text:
        index = _B58.find(char)
        if index < 0:
            return None
        number = number * 58 + index
    body = number.to_bytes((number.bit_length() + 7) // 8, "big")
    raw = b"\0" * (len(text) - len(text.lstrip("1"))) + body
    payload, check = raw[:-4], raw[-4:]
    digest = hashlib.sha256(hashlib.sha256(payload).digest()).digest()
    return payload if len(raw) > 4 and digest[:4] == check else None


def segwit_ok(address: str) -> bool:
    """True for a valid mainnet segwit address (bech32 for v0, bech32m for v1+), any one case."""
    if address not in (address.lower(), address.upper()):
        return False
    address = address.lower()
    hrp, sep, data_part = address.rpartition("1")
    if hrp != "bc" or not sep or len(data_part) < 7 or any(c not in _BECH32 for c in data_part):
        return False
    data = [_BECH32.index(c) for c in data_part]
    chk = 1
    for value in [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp] + data:
        top = chk >> 25
        chk = (chk & 0x1FFFFFF) << 5 ^ value
        for i, gen in enumerate((0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)):
            chk ^= gen if (top >> i) & 1 else 0
    version = data[0]
    bits = (len(data) - 7) * 5
    program_len = bits // 8
    expected_const = 1 if version == 0 else 0x2BC830A3
    if chk != expected_const or version > 16 or not 2 <= program_len <= 40:
        return False
    return version != 0 or program_len in (20, 32)


def eip55_form(address: str) -> str:
    """The EIP-55 checksummed form of a ``0x`` + 40-hex address."""
    body = address[2:].lower()
    digest = keccak.new(digest_bits=256, data=body.encode()).hexdigest()
    return "0x" + "".join(
        ch.upper() if ch.isalpha() and int(digest[i], 16) >= 8 else ch for i, ch in enumerate(body)
    )


@cache
def _psl() -> tldextract.TLDExtract:
    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


def registered_domain(host: str) -> str:
    """The registered domain of ``host`` by the public suffix list (bundled snapshot)."""
    return str(_psl()(host).top_domain_under_public_suffix)


def phone_ok(value: str) -> bool:
    """True for a valid number in E.164 form."""
    if not re.fullmatch(r"\+[1-9]\d{6,14}", value):
        return False
    parsed = phonenumbers.parse(value)
    e164 = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    return bool(phonenumbers.is_valid_number(parsed)) and e164 == value


def email_ok(value: str) -> bool:
    """True for a lower-case address whose domain has a public suffix."""
    match = re.fullmatch(r"[a-z0-9._%+\-]+@([a-z0-9\-]+(?:\.[a-z0-9\-]+)+)", value)
    return match is not None and registered_domain(match.group(1)) != ""


def label_problems(post: Post) -> list[str]:
    """Why any label of ``post`` is invalid, not canonical or inconsistent (empty: all good)."""
    problems: list[str] = []
    pairs = {(label.kind, label.value) for label in post.expected}
    if len(pairs) != len(post.expected):
        problems.append("a (kind, value) is listed twice")
    for label in post.expected:
        why = _value_problem(label, pairs)
        if why:
            problems.append(f"{label.kind} {label.value!r}: {why}")
        if label.role is not None and label.role not in ROLES:
            problems.append(f"{label.kind} {label.value!r}: unknown role {label.role!r}")
        if not appears_in(post.text, label):
            problems.append(f"{label.kind} {label.value!r}: not found in the text")
    return problems


def _value_problem(label: Label, pairs: set[tuple[str, str]]) -> str | None:
    kind, value = label.kind, label.value
    if kind not in KINDS:
        return "unknown kind"
    if kind == "phone":
        return None if phone_ok(value) else "not a valid E.164 number"
    if kind == "email":
        return None if email_ok(value) else "not a lower-case address with a public suffix"
    if kind == "alipay":
        if re.fullmatch(r"2088\d{12}", value):
            return None
        if value.startswith("+"):
            ok = bool(phone_ok(value) and ("phone", value) in pairs)
            return None if ok else "phone account without a valid matching phone label"
        ok = bool(email_ok(value) and ("email", value) in pairs)
        return None if ok else "not 2088…, or an e-mail/phone with its matching label"
    if kind == "wechat":
        if value.startswith("+"):
            ok = bool(phone_ok(value) and ("phone", value) in pairs)
            return None if ok else "bound phone without a valid matching phone label"
        ok = bool(re.fullmatch(r"wxid_[a-z0-9_\-]+|[a-z][a-z0-9_\-]{5,19}", value))
        return None if ok else "not a lower-case WeChat ID"
    if kind == "qq":
        return None if re.fullmatch(r"[1-9]\d{4,10}", value) else "not 5–11 digits"
    if kind == "bank_card":
        ok = bool(re.fullmatch(r"\d{13,19}", value) and luhn_ok(value) and issuer_ok(value))
        return None if ok else "fails Luhn, length or issuer prefix"
    if kind == "telegram":
        ok = bool(re.fullmatch(r"[a-z][a-z0-9_]{3,31}", value) and "__" not in value)
        return None if ok and not value.endswith("_") else "not a lower-case username"
    if kind == "kakaotalk":
        ok = bool(re.fullmatch(r"[a-z0-9._\-]{4,20}", value))
        return None if ok else "not a lower-case KakaoTalk ID"
    if kind == "btc":
        if value[:1] in "13":
            payload = b58check_payload(value)
            ok = bool(payload is not None and len(payload) == 21 and payload[0] in (0, 5))
            return None if ok else "Base58Check fails"
        return None if value == value.lower() and segwit_ok(value) else "not lower-case bech32"
    if kind == "eth":
        ok = bool(re.fullmatch(r"0x[0-9a-fA-F]{40}", value) and eip55_form(value) == value)
        return None if ok else "not EIP-55 checksummed"
    if kind == "tron":
        payload = b58check_payload(value)
        ok = bool(payload is not None and len(payload) == 21 and payload[0] == 0x41)
        return None if ok else "Base58Check (0x41) fails"
    if kind == "payment_link":
        ok = bool(re.fullmatch(r"https://qr\.alipay\.com/[a-z0-9]+|wxp://[A-Za-z0-9_\-]+", value))
        return None if ok else "not a canonical Alipay or wxp link"
    if kind == "domain":
        ok = bool(value.isascii() and value == value.lower() and registered_domain(value) == value)
        return None if ok and value not in NOT_DOMAINS else "not a registered domain"
    return None


# --- the value must be in the text (catches template slips) ------------------------------------

_DIGIT_WORDS = dict(
    zip(
        "零〇一二三四五六七八九壹贰叁肆伍陆柒捌玖幺两拐勾洞⓪⓿",
        "001234567891234567891279000",
        strict=True,
    )
)
_DIGIT_WORDS.update({chr(0x2460 + i): str(i + 1) for i in range(9)})  # ①…⑨
_DIGIT_WORDS.update({chr(0x2776 + i): str(i + 1) for i in range(9)})  # ❶…❾
_LOOKALIKES = dict(zip("аеорсхуіјѕνκοΑΒΕΚΜΗΟΡΤΧ", "aeopcxyijsvkoabekmhoptx", strict=True))


def reference_fold(text: str) -> str:
    """A crude, generous normal form of ``text`` for finding where a label came from: NFKC,
    digit words to digits, look-alikes to Latin, URL-decoded, lower-case, and only [a-z0-9] kept.
    """
    text = unquote(unicodedata.normalize("NFKC", text))
    text = re.sub(r"[\[({](?:at|dot)[\])}]", "", text, flags=re.IGNORECASE)
    text = "".join(_DIGIT_WORDS.get(ch, _LOOKALIKES.get(ch, ch)) for ch in text)
    return re.sub(r"[^a-z0-9]", "", text.lower())


def appears_in(text: str, label: Label) -> bool:
    """True when the label's value can be found in ``text`` once both are folded."""
    folded = reference_fold(text)
    value = label.value
    if value.startswith("+"):
        national = str(phonenumbers.parse(value).national_number)
        return national in folded
    if label.kind == "domain":
        value = value.encode("ascii").decode("idna")
        return reference_fold(value) in folded or value in text
    if label.kind == "payment_link" and value.startswith("https://qr.alipay.com/"):
        value = value.removeprefix("https://")
    return reference_fold(value) in folded
