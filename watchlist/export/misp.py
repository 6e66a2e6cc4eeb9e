"""The watchlist as a MISP feed directory (``export --format misp``), built with PyMISP.

One event per UTC day of the entries' ``first_seen`` (an entry stays in its day's event for
life, so a change touches one event only), named ``<event uuid>.json``, plus ``manifest.json``
(what MISP reads first to decide which events to pull) and ``hashes.csv`` (``md5 of a value,
event uuid``: MISP's fast lookup), as MISP's feed format and PyMISP's feed generator write them.

Attributes where MISP has a type (``phone-number``, ``email``, ``domain``, ``url`` for payment
links, ``btc``, ``cc-number``), objects where it has none (``coin-address`` for ETH and TRON,
``telegram-account``, ``user-account`` for QQ, WeChat, Alipay and KakaoTalk, its
``description`` naming the platform). A hashed export has one ``text`` attribute per entry.

Regenerating is stable, so MISP pulls only what changed: every uuid is a UUIDv5 of a fixed
namespace (events by day, attributes and objects by kind and value); timestamps come from the
entries (last seen, last reviewed), never from the clock. An entry that left an event (dismissed,
allowlisted) stays in it marked ``deleted`` (how MISP learns a removal), and the event's
timestamp then moves past the one MISP holds. Files are written into a temporary directory
beside the target and moved in one at a time, the manifest last.
"""

from __future__ import annotations

import tempfile
import uuid
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Any

from pymisp import MISPAttribute, MISPEvent, MISPObject, MISPOrganisation

from watchlist.errors import WatchlistError
from watchlist.export.intel import (
    KIND_NAMES,
    Carried,
    carried,
    changed_at,
    evidence_urls,
    shown_sites,
    utc,
)
from watchlist.export.misp_feed import (
    EVENT_FILE,
    dumps,
    emptied_text,
    publish,
    settled_text,
    spill,
    spilled,
    stage,
)
from watchlist.store.export_view import ExportRow

NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:otc-watchlist:misp")
ORG = ("OTC Watchlist", str(uuid.uuid5(NAMESPACE, "orgc")))
# kind → MISP attribute type (the category is "Financial fraud" where the type allows it)
ATTRIBUTE_TYPES = {
    "phone": "phone-number",
    "email": "email",
    "domain": "domain",
    "payment_link": "url",
    "btc": "btc",
    "bank_card": "cc-number",
}
SYMBOLS = {"eth": "ETH", "tron": "TRX"}  # coin-address objects
ACCOUNT_KINDS = ("qq", "wechat", "alipay", "kakaotalk")  # user-account objects


def write_misp(rows: Iterable[ExportRow], directory: Path, *, salt: bytes | None = None) -> int:
    """Write ``rows`` as a MISP feed into ``directory``; return the number of entries.

    ``directory`` may hold the feed of an earlier run: it is updated in place (that is how an
    unchanged event keeps its bytes and a removed entry is marked deleted), one file at a time,
    the manifest last. Rows are spilled to one temporary file per day first, so memory holds
    one day's event at a time (rows in id order, ``iter_export_rows(order="id")``, keep few
    spill files open). A path that is a file, or any failure to write, is a
    :class:`WatchlistError` naming the folder.
    """
    directory = Path(directory)
    if directory.exists() and not directory.is_dir():
        raise WatchlistError(f"cannot write {directory}: it is a file; name a folder")
    try:
        directory.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=directory.parent, prefix=f".{directory.name}.") as tmp:
            return _write(rows, directory, Path(tmp), salt)
    except OSError as exc:
        raise WatchlistError(f"cannot write {directory}: {exc.strerror or exc}") from exc


def _write(rows: Iterable[ExportRow], directory: Path, staging: Path, salt: bytes | None) -> int:
    count, days = spill(rows, staging)
    manifest: dict[str, Any] = {}
    hashes: list[str] = []
    for day in sorted(days):
        event = _event(day, spilled(staging, day), salt)
        name = f"{event['uuid']}.json"
        stage(staging / name, settled_text(event, directory / name), manifest, hashes)
    for path in sorted(directory.glob("*.json")) if directory.is_dir() else ():
        if EVENT_FILE.match(path.name) and path.stem not in manifest:
            emptied = emptied_text(path)  # no entry of that day is exported any more
            if emptied is not None:
                stage(staging / path.name, emptied, manifest, hashes)
    (staging / "hashes.csv").write_text("".join(hashes), encoding="ascii")
    (staging / "manifest.json").write_text(dumps(manifest), encoding="ascii")
    publish(staging, directory, [f"{u}.json" for u in manifest])
    return count


def event_uuid(day: date, *, hashed: bool) -> str:
    """The uuid of the event of the entries first seen on ``day`` (raw and hashed feeds differ)."""
    return str(uuid.uuid5(NAMESPACE, f"event:{'hashed' if hashed else 'raw'}:{day.isoformat()}"))


def _event(day: date, rows: list[ExportRow], salt: bytes | None) -> dict[str, Any]:
    """The feed form of the event of ``day`` (PyMISP's ``to_feed``), its entries sorted."""
    hashed = salt is not None
    rows.sort(key=lambda r: (r.kind, r.value))
    event = MISPEvent(strict_validation=True)
    event.uuid = event_uuid(day, hashed=hashed)
    event.info = f"OTC watchlist: payment handles first seen on {day.isoformat()}" + (
        " (hashed)" if hashed else ""
    )
    event.set_date(day)
    event.threat_level_id = 2
    event.analysis = 2 if all(r.status == "confirmed" for r in rows) else 1
    org = MISPOrganisation()
    org.from_dict(name=ORG[0], uuid=ORG[1])
    event.Orgc = org
    stamp = max(changed_at(r) for r in rows)
    event.timestamp = stamp
    event.publish_timestamp = stamp
    event.published = True
    for row in rows:
        value = carried(row, salt)
        if hashed:
            event.attributes.append(_attribute(row, value, "text", "Financial fraud"))
        elif row.kind in ATTRIBUTE_TYPES:
            type_ = ATTRIBUTE_TYPES[row.kind]
            event.attributes.append(_attribute(row, value, type_, _category(type_)))
        else:
            event.add_object(_object(row, value))
    feed: dict[str, Any] = event.to_feed(with_distribution=False)["Event"]
    return feed


def _attribute(row: ExportRow, value: Carried, type_: str, category: str | None) -> MISPAttribute:
    attribute = MISPAttribute(strict=True)  # a wrong type/category pair raises, never drifts
    fields: dict[str, Any] = {
        "type": type_,
        "value": value.value,
        "uuid": _uuid("attribute", value),
        "timestamp": changed_at(row),
        "to_ids": not value.hashed,
        "comment": _comment(row, value),
        "first_seen": utc(row.first_seen),
        "last_seen": max(utc(row.first_seen), utc(row.last_seen)),
        "disable_correlation": False,
    }
    if category:
        fields["category"] = category
    attribute.from_dict(**fields)
    return attribute


def _object(row: ExportRow, value: Carried) -> MISPObject:
    if row.kind in SYMBOLS:
        name, relations = (
            "coin-address",
            [("address-crypto", value.value), ("symbol", SYMBOLS[row.kind])],
        )
    elif row.kind == "telegram":
        name, relations = "telegram-account", [("username", value.value)]
    elif row.kind in ACCOUNT_KINDS:
        platform = KIND_NAMES[row.kind]
        name, relations = (
            "user-account",
            [
                ("user-id", value.value),
                ("description", f"{platform} account"),
            ],
        )
    else:
        raise ValueError(f"no MISP attribute type or object for kind {row.kind!r}")
    obj = MISPObject(name, strict=True)
    obj.uuid = _uuid("object", value)
    obj.timestamp = changed_at(row)
    obj.comment = _comment(row, value)
    obj.first_seen = utc(row.first_seen)
    obj.last_seen = max(utc(row.first_seen), utc(row.last_seen))
    for index, (relation, text) in enumerate(relations):
        obj.add_attribute(
            relation,
            value=text,
            uuid=str(uuid.uuid5(NAMESPACE, f"{obj.uuid}:{relation}")),
            timestamp=changed_at(row),
            to_ids=index == 0,
            disable_correlation=index != 0,
        )
    return obj


def _category(type_: str) -> str | None:
    """ "Financial fraud" where MISP allows it for ``type_``; else MISP's default category."""
    return "Financial fraud" if type_ in ("phone-number", "btc", "cc-number") else None


def _uuid(what: str, value: Carried) -> str:
    return str(uuid.uuid5(NAMESPACE, f"{what}:{value.kind}:{value.value}"))


def _comment(row: ExportRow, value: Carried) -> str:
    kind = KIND_NAMES.get(row.kind, row.kind)
    sites = ", ".join(shown_sites(row, hashed=value.hashed)) or "no site"
    text = (
        f"{kind}{' (salted SHA-256)' if value.hashed else ''}: {row.status}, score "
        f"{row.score:.2f}, seen {row.sightings} time(s) on {sites}"
    )
    urls = evidence_urls(row, hashed=value.hashed)
    if urls:
        text += f"; evidence: {urls[0][0]}"
    return text
