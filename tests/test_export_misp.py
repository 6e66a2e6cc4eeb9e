"""MISP feed export, checked by its real consumer: PyMISP (strict loading, its event schema, its
object templates, its own feed generator's manifest and hashes)."""

from __future__ import annotations

import dataclasses
import json
import shutil
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from export_seed import EVERY_KIND, NOTE, export_rows, seed
from pymisp import MISPAttribute, MISPEvent, MISPObject
from pymisp.tools.feed import feed_meta_generator

from watchlist.errors import WatchlistError
from watchlist.export.misp import write_misp
from watchlist.store.export_view import ExportRow

SALT = b"partner-salt-7f3a"
# kind → ("attribute", MISP type) or ("object", template name, relation holding the value)
MAPPING = {
    "phone": ("attribute", "phone-number"),
    "email": ("attribute", "email"),
    "domain": ("attribute", "domain"),
    "payment_link": ("attribute", "url"),
    "btc": ("attribute", "btc"),
    "bank_card": ("attribute", "cc-number"),
    "eth": ("object", "coin-address", "address-crypto"),
    "tron": ("object", "coin-address", "address-crypto"),
    "telegram": ("object", "telegram-account", "username"),
    "qq": ("object", "user-account", "user-id"),
    "wechat": ("object", "user-account", "user-id"),
    "alipay": ("object", "user-account", "user-id"),
    "kakaotalk": ("object", "user-account", "user-id"),
}


@pytest.fixture(scope="module")
def rows(tmp_path_factory: pytest.TempPathFactory) -> list[ExportRow]:
    db = f"sqlite:///{tmp_path_factory.mktemp('misp') / 'watchlist.db'}"
    seed(db)
    return export_rows(db)


def shifted(text: str, delta: timedelta) -> str:
    """An ISO 8601 UTC time as ``ExportRow`` holds it, moved by ``delta``."""
    return (datetime.fromisoformat(text) + delta).strftime("%Y-%m-%dT%H:%M:%SZ")


def two_days(rows: list[ExportRow]) -> list[ExportRow]:
    """The rows with every other entry first seen a day earlier: two events."""
    return [
        dataclasses.replace(r, first_seen_text=shifted(r.first_seen_text, -timedelta(days=1)))
        if i % 2
        else r
        for i, r in enumerate(rows)
    ]


def files(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir())}


def events(directory: Path) -> list[MISPEvent]:
    found = []
    for path in sorted(directory.glob("*.json")):
        if path.name != "manifest.json":
            event = MISPEvent(strict_validation=True)
            event.load_file(str(path))
            found.append(event)
    return found


def manifest(directory: Path) -> dict[str, Any]:
    found: dict[str, Any] = json.loads((directory / "manifest.json").read_text())
    return found


@pytest.mark.parametrize("salt", [None, SALT], ids=["raw", "hashed"])
def test_every_event_loads_strictly_and_fits_misps_types_and_object_templates(
    rows: list[ExportRow], tmp_path: Path, salt: bytes | None
) -> None:
    feed = tmp_path / "feed"
    assert write_misp(two_days(rows), feed, salt=salt) == len(rows)
    loaded = events(feed)
    assert len(loaded) == 2
    for event in loaded:
        for attribute in event.attributes:
            MISPAttribute(strict=True).from_dict(**attribute.to_dict())  # type/category pair
        for obj in event.objects:
            strict = MISPObject(obj.name, strict=True)
            strict.from_dict(**obj.to_dict())
            strict.to_json(strict=True)  # the template's required attributes are there


def test_kinds_become_misp_attribute_types_or_objects(
    rows: list[ExportRow], tmp_path: Path
) -> None:
    write_misp(rows, tmp_path / "feed")
    [event] = events(tmp_path / "feed")
    found = {("attribute", a.type, a.value) for a in event.attributes}
    for obj in event.objects:
        found |= {("object", obj.name, a.object_relation, a.value) for a in obj.attributes}
    for row in rows:
        assert (*MAPPING[row.kind], row.value) in found, row.kind
    symbols = {a.value for o in event.objects if o.name == "coin-address" for a in o.attributes} & {
        "ETH",
        "TRX",
    }
    assert symbols == {"ETH", "TRX"}
    platforms = sorted(
        a.value
        for o in event.objects
        if o.name == "user-account"
        for a in o.attributes
        if a.object_relation == "description"
    )
    assert platforms == ["Alipay account", "KakaoTalk account", "QQ account", "WeChat account"]


def test_regenerating_with_nothing_changed_gives_byte_identical_files(
    rows: list[ExportRow], tmp_path: Path
) -> None:
    write_misp(two_days(rows), tmp_path / "feed")
    first = files(tmp_path / "feed")
    write_misp(list(reversed(two_days(rows))), tmp_path / "feed")
    assert files(tmp_path / "feed") == first
    write_misp(two_days(rows), tmp_path / "elsewhere")
    assert files(tmp_path / "elsewhere") == first
    assert sorted(p.name for p in tmp_path.iterdir()) == ["elsewhere", "feed"]  # no temp dir left


def test_a_changed_entry_moves_only_its_own_events_timestamp(
    rows: list[ExportRow], tmp_path: Path
) -> None:
    feed = tmp_path / "feed"
    spread = two_days(rows)
    write_misp(spread, feed)
    before, before_files = manifest(feed), files(feed)
    later = shifted(spread[1].last_seen_text, timedelta(hours=3))
    changed = dataclasses.replace(spread[1], last_seen_text=later)
    write_misp([changed, *spread[:1], *spread[2:]], feed)
    after = manifest(feed)
    assert after.keys() == before.keys()
    moved = [u for u in after if after[u]["timestamp"] != before[u]["timestamp"]]
    assert len(moved) == 1
    assert after[moved[0]]["timestamp"] > before[moved[0]]["timestamp"]
    [still] = [u for u in after if u not in moved]
    assert files(feed)[f"{still}.json"] == before_files[f"{still}.json"]


def test_an_entry_that_leaves_the_feed_stays_in_its_event_marked_deleted(
    rows: list[ExportRow], tmp_path: Path
) -> None:
    feed = tmp_path / "feed"
    write_misp(rows, feed)
    before = manifest(feed)
    [phone] = [r for r in rows if r.kind == "phone"]
    [telegram] = [r for r in rows if r.kind == "telegram"]
    rest = [r for r in rows if r not in (phone, telegram)]
    write_misp(rest, feed)
    [event] = events(feed)
    [gone] = [a for a in event.attributes if a.value == phone.value]
    assert gone.deleted
    [gone_object] = [o for o in event.objects if o.name == "telegram-account"]
    assert gone_object.deleted and all(a.deleted for a in gone_object.attributes)
    assert manifest(feed)[event.uuid]["timestamp"] > before[event.uuid]["timestamp"]
    assert "+8613800138000" not in (feed / "hashes.csv").read_text()  # md5s only, and not it
    settled = files(feed)
    write_misp(rest, feed)
    assert files(feed) == settled
    write_misp([], feed)  # no entry left that day: the event stays, everything deleted
    [emptied] = events(feed)
    assert all(a.deleted for a in emptied.attributes)
    assert all(o.deleted for o in emptied.objects)
    assert (feed / "hashes.csv").read_text() == ""


def test_manifest_and_hashes_are_what_pymisps_feed_generator_writes_for_the_events(
    rows: list[ExportRow], tmp_path: Path
) -> None:
    ours = tmp_path / "ours"
    write_misp(two_days(rows), ours)
    theirs = tmp_path / "theirs"
    theirs.mkdir()
    for path in ours.glob("*-*.json"):
        shutil.copy(path, theirs / path.name)
    feed_meta_generator(theirs)
    assert manifest(ours) == json.loads((theirs / "manifest.json").read_text())
    lines = sorted((ours / "hashes.csv").read_text().splitlines())
    assert lines == sorted((theirs / "hashes.csv").read_text().splitlines())
    assert len({line.split(",")[1] for line in lines}) == 2


def test_a_hashed_feed_spells_no_value_snippet_or_note(
    rows: list[ExportRow], tmp_path: Path
) -> None:
    feed = tmp_path / "feed"
    write_misp(rows, feed, salt=SALT)
    text = "\n".join(
        json.dumps(json.loads(p.read_text()), ensure_ascii=False)
        if p.suffix == ".json"
        else p.read_text()
        for p in feed.iterdir()
    ).casefold()
    secrets = {v.casefold() for _, v, _ in EVERY_KIND} | {w.casefold() for _, _, w in EVERY_KIND}
    secrets |= {e.snippet.casefold() for r in rows for e in r.evidence if e.snippet}
    secrets |= {NOTE.casefold(), SALT.decode(), "13800138000", "usdt-king-tg", "t.me/usdtking"}
    for secret in secrets:
        assert secret not in text, secret
    assert "(site withheld)" in text  # the channel named after the handle
    [event] = events(feed)
    assert {a.type for a in event.attributes} == {"text"}
    assert event.objects == []
    assert len(event.attributes) == len(rows)


def test_raw_and_hashed_feeds_of_the_same_day_are_different_events(
    rows: list[ExportRow], tmp_path: Path
) -> None:
    write_misp(rows, tmp_path / "raw")
    write_misp(rows, tmp_path / "hashed", salt=SALT)
    assert manifest(tmp_path / "raw").keys().isdisjoint(manifest(tmp_path / "hashed"))


def test_hostile_text_from_pages_is_never_raw_in_the_feed(
    rows: list[ExportRow], tmp_path: Path
) -> None:
    [row] = [r for r in rows if r.kind == "phone"]
    evidence = dataclasses.replace(row.evidence[0], url="http://forum-a.test/t/\x1b[2J\u202e1")
    hostile = dataclasses.replace(row, sites=("forum-\u202ea",), evidence=(evidence,))
    write_misp([hostile], tmp_path / "feed")
    for path in (tmp_path / "feed").iterdir():
        assert path.read_bytes().isascii()
    [event] = events(tmp_path / "feed")
    [attribute] = event.attributes
    assert attribute.comment.endswith("evidence: http://forum-a.test/t/%1B[2J%E2%80%AE1")


def test_a_feed_path_that_is_a_file_is_one_clear_error_and_the_file_is_left(
    rows: list[ExportRow], tmp_path: Path
) -> None:
    target = tmp_path / "feed"
    target.write_text("not a folder")
    with pytest.raises(WatchlistError, match="it is a file; name a folder"):
        write_misp(rows, target)
    assert target.read_text() == "not a folder"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["feed"]


@pytest.mark.postgres
def test_a_postgresql_store_exports_the_same_feed_uuids(
    rows: list[ExportRow], postgres_url: str, tmp_path: Path
) -> None:
    seed(postgres_url)
    write_misp(export_rows(postgres_url), tmp_path / "pg")
    write_misp(rows, tmp_path / "sqlite")
    [pg], [lite] = events(tmp_path / "pg"), events(tmp_path / "sqlite")
    assert sorted(a.uuid for a in pg.attributes) == sorted(a.uuid for a in lite.attributes)
    assert sorted(o.uuid for o in pg.objects) == sorted(o.uuid for o in lite.objects)
