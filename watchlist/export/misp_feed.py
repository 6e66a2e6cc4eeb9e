"""The files of a MISP feed directory, written so that regenerating is stable.

- Rows are spilled to one temporary file per first-seen day (:func:`spill`), so memory holds one
  day's event at a time.
- An event file is rewritten only when its content changed (:func:`settled_text`); then what
  left it is carried over marked ``deleted`` (how MISP learns a removal) and its timestamp moves
  past the one of the file it replaces, so MISP pulls it again. Unchanged, the old bytes stay.
- ``manifest.json`` and ``hashes.csv`` are made from the final event files exactly as PyMISP's
  feed generator (``pymisp.tools.feed.feed_meta_generator``) makes them, but for deleted
  attributes (a lookup must not find a removed value).
- Files are staged in a temporary directory beside the target and moved in (:func:`publish`),
  the manifest last.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import re
from collections.abc import Iterable, Iterator
from datetime import date
from pathlib import Path
from typing import IO, Any

from watchlist.export.intel import utc
from watchlist.store.export_view import ExportRow

EVENT_FILE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.json$")
_OPEN_SPILLS = 32


def spill(rows: Iterable[ExportRow], staging: Path) -> tuple[int, set[date]]:
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


def spilled(staging: Path, day: date) -> list[ExportRow]:
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


def settled_text(event: dict[str, Any], existing: Path) -> str:
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


def emptied_text(existing: Path) -> str | None:
    """An event file no entry belongs to any more, with everything in it marked deleted."""
    old = _load(existing)
    if old is None:
        return None
    shell = {k: v for k, v in old.items() if k not in ("Attribute", "Object")}
    return settled_text(shell, existing)


def _load(path: Path) -> dict[str, Any] | None:
    try:
        event = json.loads(path.read_text(encoding="utf-8"))["Event"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return event if isinstance(event, dict) else None


def _without_stamps(event: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in event.items() if k not in ("timestamp", "publish_timestamp")}


def _feed_text(event: dict[str, Any]) -> str:
    return dumps({"Event": event})


def dumps(obj: Any) -> str:
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


def stage(path: Path, text: str, manifest: dict[str, Any], hashes: list[str]) -> None:
    """Write an event file into the staging directory; note its manifest entry and hashes."""
    path.write_text(text, encoding="utf-8")
    event = json.loads(text)["Event"]
    manifest[event["uuid"]] = _manifest_entry(event)
    hashes.extend(_hash_lines(event))


def publish(staging: Path, directory: Path, events: list[str]) -> None:
    """Move the staged files into ``directory``: the events first, the manifest last, so a
    MISP pulling meanwhile never reads a manifest naming an event not written yet."""
    directory.mkdir(parents=True, exist_ok=True)
    for name in [*events, "hashes.csv", "manifest.json"]:
        os.replace(staging / name, directory / name)
