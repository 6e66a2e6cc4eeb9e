"""The watchlist as a STIX 2.1 bundle (``export --format stix``), for OpenCTI-style platforms.

Per entry, four objects built with the ``stix2`` library:

- the observable (SCO): ``email-addr``, ``domain-name``, ``url`` (payment links),
  ``user-account`` with the platform in ``account_type`` (QQ, WeChat, Alipay, Telegram,
  KakaoTalk: QQ 123 and WeChat 123 are two accounts, two ids), or a type declared by
  :mod:`watchlist.export.stix_types` (``phone-number``, ``payment-card``,
  ``cryptocurrency-wallet``; ``hashed-handle`` for every kind in a hashed export);
- an ``observed-data`` of it: first/last observed = the entry's first/last seen, number observed
  = its sightings;
- an ``indicator`` whose pattern matches the observable, valid from the first sighting, with the
  score as confidence and the evidence URLs as external references;
- a ``relationship`` indicator ``based-on`` observed-data: STIX 2.1 names this relationship for
  an indicator derived from what was observed. ``indicates`` would need a threat actor, malware
  or campaign to point at, which the watchlist does not claim to know.

Ids are deterministic (re-exporting an entry gives the same ids): SCOs get the STIX UUIDv5 of
their id-contributing properties (``stix2`` computes it), the other objects the UUIDv5 of a fixed
namespace and ``<type>:<kind>:<value>`` (the hashed value in a hashed export, so no id can be
traced back to a raw value). Timestamps come from the entry, never from the clock.

The bundle is written as it is built, one object at a time: memory does not grow with the
number of entries.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TextIO

from stix2 import (
    URL,
    DomainName,
    EmailAddress,
    ExternalReference,
    Indicator,
    ObservedData,
    Relationship,
    UserAccount,
)

from watchlist.export.intel import (
    KIND_NAMES,
    Carried,
    carried,
    changed_at,
    evidence_urls,
    shown_site,
    shown_sites,
    uri,
    utc,
)
from watchlist.export.stix_types import (
    HASHED_DEFINITIONS,
    NAMESPACE,
    PRODUCER,
    RAW_DEFINITIONS,
    CryptocurrencyWallet,
    HashedHandle,
    PaymentCard,
    PhoneNumber,
)
from watchlist.store.export_view import ExportRow

ACCOUNT_KINDS = ("qq", "wechat", "alipay", "telegram", "kakaotalk")
CURRENCIES = {"btc": "BTC", "eth": "ETH", "tron": "TRX"}
_HASHED: Callable[..., Any] = HashedHandle  # stix2 is untyped: its classes take **properties
_WALLET: Callable[..., Any] = CryptocurrencyWallet
_SIMPLE: dict[str, tuple[str, Callable[..., Any]]] = {
    "phone": ("phone-number", PhoneNumber),
    "bank_card": ("payment-card", PaymentCard),
    "email": ("email-addr", EmailAddress),
    "domain": ("domain-name", DomainName),
    "payment_link": ("url", URL),
}


class _TemplatedIndicator(Indicator):  # type: ignore[misc]
    """An ``Indicator`` whose pattern comes from :func:`_observable`'s templates.

    ``stix2`` parses every pattern with its ANTLR grammar, more than half of an export's time.
    Ours are valid by construction (fixed comparisons around one literal quoted by
    :func:`_quote`), which the tests check with stix2-patterns and stix2-validator; so this
    indicator keeps every other check of ``stix2`` but that parse.
    """

    def _check_object_constraints(self) -> None:
        super(Indicator, self)._check_object_constraints()  # Indicator's own: the parse


def write_stix(rows: Iterable[ExportRow], out: TextIO, *, salt: bytes | None = None) -> int:
    """Write ``rows`` to ``out`` as one STIX 2.1 bundle; return the number of entries.

    With ``salt`` (a hashed export) every observable is a ``hashed-handle`` holding the salted
    SHA-256, and nothing else spells the value: no snippet, no note, no URL that contains it.
    """
    out.write(f'{{"type": "bundle", "id": "bundle--{uuid.uuid4()}", "objects": [\n')
    out.write(PRODUCER.serialize())
    for definition in RAW_DEFINITIONS if salt is None else HASHED_DEFINITIONS:
        out.write(",\n")
        out.write(definition.serialize())
    count = 0
    for row in rows:
        for stix_object in entry_objects(row, salt=salt):
            out.write(",\n")
            out.write(stix_object.serialize())
        count += 1
    out.write("\n]}\n")
    return count


def entry_objects(row: ExportRow, *, salt: bytes | None = None) -> Iterator[Any]:
    """The observable, observed-data, indicator and relationship of one entry."""
    value = carried(row, salt)
    observable, pattern = _observable(value)
    first, last, changed = utc(row.first_seen), utc(row.last_seen), changed_at(row)
    observed = ObservedData(
        id=_id("observed-data", value),
        created_by_ref=PRODUCER.id,
        created=first,
        modified=changed,
        first_observed=first,
        last_observed=max(first, last),
        number_observed=min(max(row.sightings, 1), 999_999_999),
        object_refs=[observable.id],
    )
    indicator = _TemplatedIndicator(
        id=_id("indicator", value),
        created_by_ref=PRODUCER.id,
        created=first,
        modified=changed,
        name=_name(value),
        description=_description(row, hashed=value.hashed),
        pattern=pattern,
        pattern_type="stix",
        valid_from=first,
        indicator_types=[
            "malicious-activity" if row.status == "confirmed" else "anomalous-activity"
        ],
        labels=_labels(row, hashed=value.hashed),
        confidence=max(0, min(100, round(row.score * 100))),
        external_references=_references(row, hashed=value.hashed) or None,
    )
    based_on = Relationship(
        id=_id("relationship", value),
        created_by_ref=PRODUCER.id,
        created=first,
        modified=changed,
        relationship_type="based-on",
        source_ref=indicator.id,
        target_ref=observed.id,
    )
    yield observable
    yield observed
    yield indicator
    yield based_on


def _observable(value: Carried) -> tuple[Any, str]:
    """The SCO of ``value`` and the STIX pattern that matches it."""
    quoted = _quote(value.value)
    if value.hashed:
        sco = _HASHED(kind=value.kind, value=value.value)
        return sco, f"[hashed-handle:kind = '{value.kind}' AND hashed-handle:value = {quoted}]"
    if value.kind in ACCOUNT_KINDS:
        sco = UserAccount(account_type=value.kind, user_id=value.value)
        return sco, (
            f"[user-account:account_type = '{value.kind}' AND user-account:user_id = {quoted}]"
        )
    if value.kind in CURRENCIES:
        sco = _WALLET(value=value.value, currency=CURRENCIES[value.kind])
        return sco, f"[cryptocurrency-wallet:value = {quoted}]"
    if value.kind in _SIMPLE:
        type_, build = _SIMPLE[value.kind]
        return build(value=value.value), f"[{type_}:value = {quoted}]"
    raise ValueError(f"no STIX observable for kind {value.kind!r}")


def _quote(text: str) -> str:
    """``text`` as a STIX pattern string literal."""
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _id(type_: str, value: Carried) -> str:
    return f"{type_}--{uuid.uuid5(NAMESPACE, f'{type_}:{value.kind}:{value.value}')}"


def _name(value: Carried) -> str:
    kind = KIND_NAMES.get(value.kind, value.kind)
    return f"{kind} (hashed) {value.value}" if value.hashed else f"{kind} {value.value}"


def _description(row: ExportRow, *, hashed: bool) -> str:
    roles = f"offered {row.offered}, reported {row.reported}, mentioned {row.mentioned}"
    text = (
        f"OTC watchlist entry ({row.status}, score {row.score:.2f}): seen {row.sightings} "
        f"time(s) on {', '.join(shown_sites(row, hashed=hashed)) or 'no site'} ({roles})."
    )
    if row.provider:
        text += f" Provider: {row.provider}."
    if row.reason:
        text += f" Reason: {row.reason}."
    if row.note and not hashed:
        text += f" Reviewer's note: {row.note}"
    return text


def _labels(row: ExportRow, *, hashed: bool) -> list[str]:
    labels = ["otc-watchlist", f"kind-{row.kind.replace('_', '-')}", f"status-{row.status}"]
    return [*labels, "hashed"] if hashed else labels


def _references(row: ExportRow, *, hashed: bool) -> list[Any]:
    return [
        ExternalReference(
            source_name=shown_site(row, e.site, hashed=hashed),
            url=uri(url),
            description=f"{e.role} post",
        )
        for url, e in evidence_urls(row, hashed=hashed)
    ]
