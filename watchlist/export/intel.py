"""What the threat-intel exports (STIX 2.1, MISP) share: UTC times, an entry's change time, the
value they carry (raw or hashed), and the evidence URLs a hashed export may show.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import quote, unquote, urlsplit, urlunsplit

import phonenumbers

from watchlist.export.hashing import hashed_value
from watchlist.inert import inert_url
from watchlist.store.export_view import EvidenceRow, ExportRow

# RFC 3986 characters each URI part may hold as they are ("%" keeps existing escapes).
_PATH_SAFE = "/%:@!$&'()*+,;=-._~"
_QUERY_SAFE = _PATH_SAFE + "?"
_HOST_SAFE = "%:@!$&'()*+,;=-._~[]"
WITHHELD = "(site withheld)"
_PUNCTUATION = re.compile(r"[\W_]+")
# How a person names each kind (indicator names, event comments).
KIND_NAMES = {
    "phone": "Phone",
    "email": "Email",
    "alipay": "Alipay",
    "wechat": "WeChat",
    "qq": "QQ",
    "bank_card": "Bank card",
    "telegram": "Telegram",
    "btc": "BTC address",
    "eth": "ETH address",
    "tron": "TRON address",
    "payment_link": "Payment link",
    "kakaotalk": "KakaoTalk",
    "domain": "Domain",
}


def utc(moment: datetime) -> datetime:
    """``moment`` in UTC (SQLite hands back naive UTC), to the second."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).replace(microsecond=0)


def changed_at(row: ExportRow) -> datetime:
    """When the entry last changed as an export sees it: seen again, or reviewed."""
    moments = [row.first_seen, row.last_seen]
    if row.reviewed_at is not None:
        moments.append(row.reviewed_at)
    return max(utc(m) for m in moments)


@dataclass(frozen=True, slots=True)
class Carried:
    """The value an export carries for an entry: raw, or its salted hash."""

    kind: str
    value: str
    hashed: bool


def carried(row: ExportRow, salt: bytes | None) -> Carried:
    """``row``'s value as exported: :func:`hashed_value` with a salt, else the value itself."""
    if salt is None:
        return Carried(row.kind, row.value, False)
    return Carried(row.kind, hashed_value(row.kind, row.value, salt), True)


def evidence_urls(row: ExportRow, *, hashed: bool) -> list[tuple[str, EvidenceRow]]:
    """The entry's evidence as (inert URL, evidence), best first, one per URL.

    A hashed export leaves out every URL that spells the value (``t.me/<name>``, a search
    page, a phone written without its country code): the URL would undo the hash.
    """
    found: dict[str, EvidenceRow] = {}
    for evidence in row.evidence:
        url = inert_url(evidence.url)
        if url not in found and not (hashed and spells(row, url)):
            found[url] = evidence
    return list(found.items())


def shown_site(row: ExportRow, site: str, *, hashed: bool) -> str:
    """``site`` as an export names it: a hashed export withholds a name that spells the value
    (a channel named after its seller's handle)."""
    return WITHHELD if hashed and spells(row, site) else site


def shown_sites(row: ExportRow, *, hashed: bool) -> list[str]:
    """The entry's sites as :func:`shown_site` names them."""
    return [shown_site(row, site, hashed=hashed) for site in row.sites]


def spells(row: ExportRow, text: str) -> bool:
    """Whether ``text`` (a URL, a site name) spells ``row``'s value, however punctuated or
    percent-encoded, or a phone's number without its country code."""
    folded = text.casefold()
    plain = unquote(folded)
    squeezed = _PUNCTUATION.sub("", plain)
    return any(
        form in folded or form in plain or (_PUNCTUATION.sub("", form) or form) in squeezed
        for form in _spellings(row)
    )


def uri(url: str) -> str:
    """``url`` as an RFC 3986 URI: what :func:`inert_url` leaves (``[``, ``|``, ``{``, non-ASCII
    letters …) percent-encoded too, the host in IDNA; the same address to a browser."""
    parts = urlsplit(inert_url(url))
    netloc = parts.netloc
    if not netloc.isascii():
        try:
            netloc = netloc.encode("idna").decode("ascii")
        except UnicodeError:
            netloc = quote(netloc, safe=_HOST_SAFE)
    return urlunsplit(
        (
            parts.scheme,
            netloc,
            quote(parts.path, safe=_PATH_SAFE),
            quote(parts.query, safe=_QUERY_SAFE),
            quote(parts.fragment, safe=_QUERY_SAFE),
        )
    )


def _spellings(row: ExportRow) -> tuple[str, ...]:
    value = row.value.casefold()
    forms = {value, value.lstrip("+")}
    if row.kind == "phone":
        with contextlib.suppress(phonenumbers.NumberParseException):
            forms.add(str(phonenumbers.parse(row.value).national_number))
    return tuple(f for f in forms if f)
