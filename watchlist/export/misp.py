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

import hashlib
import json
import os
import pickle
import re
import tempfile
import uuid
from collections.abc import Iterable, Iterator
from datetime import date
from pathlib import Path
from typing import IO, Any

from pymisp import MISPAttribute, MISPEvent, MISPObject, MISPOrganisation

from watchlist.export.intel import KIND_NAMES, Carried, carried, changed_at, evidence_urls, utc
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
_EVENT_FILE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.json$")
_OPEN_SPILLS = 32


def write_misp(rows: Iterable[ExportRow], directory: Path, *, salt: bytes | None = None) -> int:
    """Write ``rows`` as a MISP feed into ``directory``; return the number of entries.

    Rows are spilled to one temporary file per day first, so memory holds one day's event at a
    time (rows in id order, as ``iter_export_rows(order="id")`` gives them, keep few files open).
    """
    directory = Path(directory)
    directory.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=directory.parent, prefix=f".{directory.name}.") as tmp:
        staging = Path(tmp)
        count, days = _spill(rows, staging)
        manifest: dict[str, Any] = {}
        hashes: list[str] = []
        for day in sorted(days):
            event = _event(day, _spilled(staging, day), salt)
            name = f"{event['uuid']}.json"
            _stage(staging / name, _final(event, directory / name), manifest, hashes)
        for path in sorted(directory.glob("*.json")) if directory.is_dir() else ():
            if _EVENT_FILE.match(path.name) and path.stem not in manifest:
                emptied = _emptied(path)  # no entry of that day is exported any more
                if emptied is not None:
                    _stage(staging / path.name, emptied, manifest, hashes)
        (staging / "hashes.csv").write_text("".join(hashes), encoding="ascii")
        (staging / "manifest.json").write_text(_dumps(manifest), encoding="ascii")
        _publish(staging, directory, [f"{u}.json" for u in manifest])
    return count


def _stage(path: Path, text: str, manifest: dict[str, Any], hashes: list[str]) -> None:
    """Write an event file into the staging directory; note its manifest entry and hashes."""
    path.write_text(text, encoding="utf-8")
    event = json.loads(text)["Event"]
    manifest[event["uuid"]] = _manifest_entry(event)
    hashes.extend(_hash_lines(event))


def event_uuid(day: date, *, hashed: bool) -> str:
    """The uuid of the event of the entries first seen on ``day`` (raw and hashed feeds differ)."""
    return str(uuid.uuid5(NAMESPACE, f"event:{'hashed' if hashed else 'raw'}:{day.isoformat()}"))


def _spill(rows: Iterable[ExportRow], staging: Path) -> tuple[int, set[date]]:
    """Pickle each row into the file of its first_seen day; keep a few files open."""
    count = 0
    days: set[date] = set()
    open_files: dict[date, IO[bytes]] = {}
    try:
        for row in rows:
            day = utc(row.first_seen).date()
            spill = open_files.pop(day, None)
            if spill is None:
                if len(open_files) >= _OPEN_SPILLS:
                    open_files.pop(next(iter(open_files))).close()
                spill = (staging / f"{day.isoformat()}.rows").open("ab")
            open_files[day] = spill  # most recently used last
            pickle.dump(row, spill, protocol=pickle.HIGHEST_PROTOCOL)
            days.add(day)
            count += 1
    finally:
        for spill in open_files.values():
            spill.close()
    return count, days


def _spilled(staging: Path, day: date) -> list[ExportRow]:
    path = staging / f"{day.isoformat()}.rows"
    found: list[ExportRow] = []
    with path.open("rb") as spill:
        while True:
            try:
                found.append(pickle.load(spill))
            except EOFError:
                break
    path.unlink()
    return found


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
    text = (
        f"{kind}{' (salted SHA-256)' if value.hashed else ''}: {row.status}, score "
        f"{row.score:.2f}, seen {row.sightings} time(s) on {', '.join(row.sites) or 'no site'}"
    )
    urls = evidence_urls(row, hashed=value.hashed)
    if urls:
        text += f"; evidence: {urls[0][0]}"
    return text


def _final(event: dict[str, Any], existing: Path) -> str:
    """The event file's text: the existing file's when nothing changed, else the new event,
    with what left it carried over as deleted and a timestamp past the existing one."""
    old = _load(existing)
    if old is None:
        return _feed_text(event)
    live = {a["uuid"] for a in event.get("Attribute", [])} | {
        o["uuid"] for o in event.get("Object", [])
    }
    gone = [a for a in old.get("Attribute", []) if a.get("uuid") not in live]
    gone_objects = [o for o in old.get("Object", []) if o.get("uuid") not in live]
    newly_gone = [x for x in (*gone, *gone_objects) if not x.get("deleted")]
    if gone:
        event["Attribute"] = [*event.get("Attribute", []), *gone]
    if gone_objects:
        event["Object"] = [*event.get("Object", []), *gone_objects]
    if not newly_gone and _without_stamps(event) == _without_stamps(old):
        return existing.read_text(encoding="utf-8")
    stamp = str(max(int(event["timestamp"]), int(old.get("timestamp", 0)) + 1))
    event["timestamp"] = event["publish_timestamp"] = stamp
    for item in newly_gone:
        item["deleted"] = True
        item["timestamp"] = stamp
        for attribute in item.get("Attribute", []):
            attribute["deleted"] = True
            attribute["timestamp"] = stamp
    return _feed_text(event)


def _emptied(existing: Path) -> str | None:
    """An event file no entry belongs to any more, with everything in it marked deleted."""
    old = _load(existing)
    if old is None:
        return None
    shell = {k: v for k, v in old.items() if k not in ("Attribute", "Object")}
    return _final(shell, existing)


def _load(path: Path) -> dict[str, Any] | None:
    try:
        event = json.loads(path.read_text(encoding="utf-8"))["Event"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return event if isinstance(event, dict) else None


def _without_stamps(event: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in event.items() if k not in ("timestamp", "publish_timestamp")}


def _feed_text(event: dict[str, Any]) -> str:
    return _dumps({"Event": event})


def _dumps(obj: Any) -> str:
    """Stable JSON: sorted keys, ASCII only (no raw control or bidi character survives)."""
    return json.dumps(obj, sort_keys=True, ensure_ascii=True, indent=1) + "\n"


def _manifest_entry(event: dict[str, Any]) -> dict[str, Any]:
    """The event's line of ``manifest.json``, as PyMISP's ``MISPEvent.manifest`` writes it."""
    return {
        "Orgc": event["Orgc"],
        "Tag": event.get("Tag", []),
        "info": event["info"],
        "date": event["date"],
        "analysis": int(event["analysis"]),
        "threat_level_id": int(event["threat_level_id"]),
        "timestamp": int(event["timestamp"]),
    }


def _hash_lines(event: dict[str, Any]) -> Iterator[str]:
    """``md5(value),event uuid`` for every live attribute (object attributes included)."""
    attributes = [*event.get("Attribute", [])]
    for obj in event.get("Object", []):
        if not obj.get("deleted"):
            attributes.extend(obj.get("Attribute", []))
    for attribute in attributes:
        if attribute.get("deleted"):
            continue
        digest = hashlib.md5(str(attribute["value"]).encode("utf-8")).hexdigest()
        yield f"{digest},{event['uuid']}\n"


def _publish(staging: Path, directory: Path, events: list[str]) -> None:
    """Move the staged files into ``directory``: the events first, the manifest last, so a
    MISP pulling meanwhile never reads a manifest naming an event not written yet."""
    directory.mkdir(parents=True, exist_ok=True)
    for name in [*events, "hashes.csv", "manifest.json"]:
        os.replace(staging / name, directory / name)
