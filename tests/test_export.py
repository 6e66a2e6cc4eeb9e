"""`watchlist export` as csv, json and ndjson: what a spreadsheet, a person and a program get.

Stores are filled through the real extractor and the real ingest; files are read back with
Python's csv and json readers, and spreadsheet safety is checked cell by cell.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from conftest import run_cli

from watchlist.export import ExportOptions, export
from watchlist.export.hashing import hashed_value
from watchlist.export.spreadsheet import COLUMNS, FORMULA_START, safe_cell
from watchlist.extract import extract
from watchlist.store import EntryFilter, Found, PostRecord, open_store, save_posts, set_status
from watchlist.store.allowlist import AllowItem, allow
from watchlist.store.export_view import iter_export_rows, iter_flat_rows

FETCHED = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
OFFER = "长期出U，支付宝 13800138000，微信 usdt_king88，TRC20 TGEcGedAW2cmPho9Pm72CbUdij26FMkFgq"
WARNING = "避雷！骗子 13800138000 收了钱不放币，大家别信"
HOSTILE_NOTE = '=HYPERLINK("http://evil.test","click")'


def post(url: str, text: str, posted: datetime, site: str = "forum-a") -> PostRecord:
    """A post with what the real extractor finds in it."""
    found = extract(text)
    return PostRecord(
        url=url,
        site=site,
        text=text,
        fetched_at=FETCHED,
        posted_at=posted,
        author="老王",
        otc_score=found.otc_score,
        found=tuple(Found(h) for h in found.handles),
    )


@pytest.fixture
def store_url(sqlite_url: str) -> str:
    """A store with an offer and a warning naming the same phone, all entries confirmed."""
    store = open_store(sqlite_url)
    save_posts(
        store,
        [
            # the warning is the newer post: the offer must still be the evidence shown
            post("http://forum-a.test/t/1#p1", OFFER, datetime(2026, 11, 1, 8, 30, tzinfo=UTC)),
            post("http://forum-a.test/t/2#p9", WARNING, datetime(2026, 11, 20, 9, 0, tzinfo=UTC)),
        ],
    )
    ids = [row.id for row in iter_export_rows(store, EntryFilter())]
    set_status(store, ids, "confirmed", "=cmd|' /C calc'!A0", HOSTILE_NOTE, four_eyes=False)
    store.close()
    return sqlite_url


def csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def exported(url: str, fmt: str, options: ExportOptions | None = None, **where: str) -> str:
    out = io.StringIO()
    store = open_store(url)
    try:
        export(store, fmt, EntryFilter(**where), out, options)  # type: ignore[arg-type]
    finally:
        store.close()
    return out.getvalue()


def test_csv_has_the_role_mix_post_times_and_the_offer_as_evidence_never_the_warning(
    store_url: str,
) -> None:
    rows = csv_rows(exported(store_url, "csv"))
    assert list(rows[0]) == list(COLUMNS)
    phone = next(r for r in rows if r["kind"] == "phone")
    assert phone["value"] == "'+8613800138000"  # formula-guarded, still the number
    assert (phone["offered"], phone["reported"], phone["mentioned"]) == ("1", "1", "0")
    assert phone["first_posted"] == "2026-11-01T08:30:00Z"
    assert phone["last_posted"] == "2026-11-20T09:00:00Z"
    seen = datetime.fromisoformat(phone["first_seen"])  # when it was stored: a crawl time
    assert phone["first_seen"].endswith("Z") and abs(datetime.now(UTC) - seen).total_seconds() < 60
    assert phone["sightings"] == "2"
    assert phone["evidence_url"] == "http://forum-a.test/t/1#p1"
    assert phone["evidence_role"] == "offered"
    assert phone["evidence_posted_at"] == "2026-11-01T08:30:00Z"
    assert "13800138000" in phone["evidence_snippet"]
    assert phone["provider"] == "alipay"
    assert phone["status"] == "confirmed"


def test_no_csv_cell_would_run_as_a_formula_in_a_spreadsheet(store_url: str) -> None:
    text = exported(store_url, "csv")
    rows = list(csv.reader(io.StringIO(text)))
    assert len(rows) > 3
    for row in rows:
        for cell in row:
            assert not cell.lstrip(" ").startswith(FORMULA_START), cell
    note = csv_rows(text)[0]["note"]
    assert note == "'" + HOSTILE_NOTE
    assert all(line.startswith('"') for line in text.splitlines() if line[:1].isdigit())


def test_the_database_and_python_guard_cells_alike(sqlite_url: str) -> None:
    # the flat CSV path guards in SQL, the terminal and hashed paths in Python: same cells
    hostile = ["=1+1", " =1", "+86138", "-2", "@SUM(A1)", "\tx", "x\ry", "＝1", "a=1", "  -x"]
    store = open_store(sqlite_url)
    try:
        save_posts(store, [post("http://forum-a.test/t/1#p1", OFFER, FETCHED)])
        first = min(row.id for row in iter_export_rows(store))
        for note in hostile:
            set_status(store, [first], "confirmed", note, note, four_eyes=False)
            set_status(store, [first], "dismissed", note, note, reason="other", four_eyes=False)
            flat = next(iter_flat_rows(store, EntryFilter(), guarded=True))
            assert flat[COLUMNS.index("id")] == first
            assert flat[COLUMNS.index("note")] == safe_cell(note), note
            assert flat[COLUMNS.index("reviewed_by")] == safe_cell(note), note
    finally:
        store.close()


def test_raw_csv_keeps_values_exactly_for_machines(store_url: str) -> None:
    rows = csv_rows(exported(store_url, "csv", ExportOptions(raw=True)))
    phone = next(r for r in rows if r["kind"] == "phone")
    assert phone["value"] == "+8613800138000"
    assert phone["note"] == HOSTILE_NOTE


def test_excel_csv_starts_with_a_byte_order_mark(store_url: str, tmp_path: Path) -> None:
    out = tmp_path / "w.csv"
    result = run_cli("export", "--excel", "-o", str(out), db=store_url)
    assert result.code == 0, result.stderr
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    assert data[3:].decode("utf-8").startswith('"id","kind"')


def test_export_defaults_to_confirmed_entries_and_says_so(store_url: str) -> None:
    store = open_store(store_url)
    first = next(iter_export_rows(store))
    set_status(store, [first.id], "dismissed", "tester", reason="not-otc", four_eyes=False)
    store.close()
    default = csv_rows(run_cli("export", db=store_url).stdout)
    assert first.id not in {int(r["id"]) for r in default}
    assert all(r["status"] == "confirmed" for r in default)
    every = csv_rows(run_cli("export", "--status", "all", db=store_url).stdout)
    assert len(every) == len(default) + 1
    dismissed = next(r for r in every if int(r["id"]) == first.id)
    assert dismissed["reason"] == "not-otc"
    assert "default: confirmed" in run_cli("export", "--help").stdout


def test_allowlisted_values_never_appear_in_any_format(store_url: str) -> None:
    store = open_store(store_url)
    allow(store, [AllowItem("phone", "138 0013 8000", "our own hotline")], "tester")
    store.close()
    rows = csv_rows(exported(store_url, "csv"))
    array = json.loads(exported(store_url, "json"))
    lines = [json.loads(line) for line in exported(store_url, "ndjson").splitlines()]
    for found in (rows, array, lines):
        kinds = {e["kind"] for e in found}
        assert "phone" not in kinds  # allowlisted as a phone: the Alipay account stays
        assert {"alipay", "wechat", "tron"} <= kinds


def test_json_and_ndjson_carry_each_entry_with_its_evidence(store_url: str) -> None:
    array = json.loads(exported(store_url, "json"))
    lines = [json.loads(line) for line in exported(store_url, "ndjson").splitlines()]
    assert array == lines
    phone = next(e for e in array if e["kind"] == "phone")
    assert phone["value"] == "+8613800138000"
    assert phone["roles"] == {"offered": 1, "reported": 1, "mentioned": 0}
    assert [e["role"] for e in phone["evidence"]] == ["offered", "reported"]
    first = phone["evidence"][0]
    assert set(first) == {"url", "site", "posted_at", "role", "snippet", "source"}
    assert first["site"] == "forum-a" and first["source"] == "text"
    assert first["posted_at"] == "2026-11-01T08:30:00Z"


def test_hashed_exports_hold_no_raw_value_snippet_or_note(store_url: str) -> None:
    salt = b"s3cret-salt"
    store = open_store(store_url)
    values = [(r.kind, r.value) for r in iter_export_rows(store, EntryFilter(status="confirmed"))]
    store.close()
    for fmt in ("csv", "json", "ndjson"):
        text = exported(store_url, fmt, ExportOptions(salt=salt), status="confirmed")
        for kind, value in values:
            assert value not in text and value.lstrip("+") not in text, (fmt, value)
            assert hashed_value(kind, value, salt) in text
        assert "s3cret-salt" not in text and "HYPERLINK" not in text


def test_hashed_export_without_a_salt_is_a_clear_error(store_url: str) -> None:
    result = run_cli("export", "--hashed", db=store_url)
    assert result.code == 2
    assert result.stderr.startswith("error: --hashed needs a salt: set WATCHLIST_HASH_SALT")
    with_salt = run_cli("export", "--hashed", db=store_url, env={"WATCHLIST_HASH_SALT": "x"})
    assert with_salt.code == 0 and "+8613800138000" not in with_salt.stdout


def test_the_hashing_recipe_is_the_documented_one() -> None:
    import hashlib

    expected = hashlib.sha256(b"salt" + b"phone:+8613800138000").hexdigest()
    assert hashed_value("phone", "+8613800138000", b"salt") == expected


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "xml"], "error: --format: 'xml' is not one of csv, json, ndjson, stix, misp"),
        (["--status", "pending"], "error: --status: 'pending' is not one of"),
        (["--format", "misp"], "error: --format misp writes a folder of files"),
    ],
)
def test_a_wrong_export_option_is_a_usage_error(
    store_url: str, args: list[str], message: str
) -> None:
    result = run_cli("export", *args, db=store_url)
    assert result.code == 2
    assert result.stderr.startswith(message), result.stderr
    assert "Traceback" not in result.stderr


def test_format_and_status_are_read_in_any_case(store_url: str) -> None:
    result = run_cli("export", "--format", "CSV", "--status", "Confirmed", db=store_url)
    assert result.code == 0, result.stderr
    assert result.stdout.startswith('"id","kind"')


def test_writing_into_a_missing_folder_is_one_line_and_leaves_nothing(
    store_url: str, tmp_path: Path
) -> None:
    target = tmp_path / "nonexistent" / "x.csv"
    result = run_cli("export", "-o", str(target), db=store_url)
    assert result.code == 1
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("error: cannot write")
    assert not target.parent.exists()


def test_an_export_file_is_complete_and_its_count_is_said(store_url: str, tmp_path: Path) -> None:
    out = tmp_path / "w.ndjson"
    result = run_cli("export", "-f", "ndjson", "-o", str(out), db=store_url)
    assert result.code == 0
    count = len(out.read_text(encoding="utf-8").splitlines())
    noun = "entry" if count == 1 else "entries"
    assert result.stderr.strip() == f"{count} {noun} written to {out}"
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".part")]


def test_export_streams_every_entry_of_a_table_larger_than_a_partition(sqlite_url: str) -> None:
    texts = [f"出U 微信 seller{n:05d}x 秒放" for n in range(2500)]
    store = open_store(sqlite_url)
    save_posts(
        store, [post(f"http://forum-a.test/t/{n}#p1", t, FETCHED) for n, t in enumerate(texts)]
    )
    store.close()
    rows = csv_rows(exported(sqlite_url, "csv", status="new"))
    assert len(rows) == 2500
    assert [int(r["id"]) for r in rows] == sorted(int(r["id"]) for r in rows)
    assert len(exported(sqlite_url, "ndjson", status="new").splitlines()) == 2500


@pytest.mark.postgres
def test_csv_export_on_postgresql_matches_sqlite(postgres_url: str, sqlite_url: str) -> None:
    posts = [
        post("http://forum-a.test/t/1#p1", OFFER, datetime(2026, 11, 1, 8, 30, tzinfo=UTC)),
        post("http://forum-a.test/t/2#p9", WARNING, datetime(2026, 11, 20, 9, 0, tzinfo=UTC)),
    ]
    crawl_times = ("first_seen", "last_seen")  # when each store saved them
    found = []
    for url in (sqlite_url, postgres_url):
        store = open_store(url)
        save_posts(store, posts)
        store.close()
        rows = csv_rows(exported(url, "csv", status="new"))
        lines = [json.loads(line) for line in exported(url, "ndjson", status="new").splitlines()]
        found.append(
            (
                [{k: v for k, v in r.items() if k not in crawl_times} for r in rows],
                [{k: v for k, v in e.items() if k not in crawl_times} for e in lines],
            )
        )
    assert found[0] == found[1]
    assert len(found[0][0]) == 4


def test_sqlite_built_csv_lines_equal_what_pythons_csv_writer_writes(sqlite_url: str) -> None:
    # SQLite writes the plain CSV itself (printf); quotes, commas, newlines, formulas, bidi
    # and an evidence URL an older store kept raw must come out as Python's csv writer has them
    hostile = 'say "hi", =1+1\r\nnext\tline ⁦‮ 微信'
    store = open_store(sqlite_url)
    try:
        save_posts(
            store,
            [
                post("http://forum-a.test/t/1#p1", OFFER, FETCHED),
                post("http://forum-b.test/t/2#p2", "避雷！骗子微信 pianzi_wx2024", FETCHED, "b"),
            ],
        )
        ids = [row.id for row in iter_export_rows(store, EntryFilter())]
        set_status(store, ids[:2], "confirmed", hostile, hostile, four_eyes=False)
        with store.engine.begin() as connection:  # an URL written before URLs were kept inert
            connection.exec_driver_sql(
                "UPDATE posts SET url = 'http://forum-b.test/t/2 x\u202e#p2' WHERE site = 'b'"
            )
        got = exported(sqlite_url, "csv")
        buffer = io.StringIO()
        writer = csv.writer(buffer, quoting=csv.QUOTE_ALL)
        writer.writerow(COLUMNS)
        url = COLUMNS.index("evidence_url")
        for row in iter_flat_rows(store, EntryFilter(), guarded=True):
            cells = list(row)
            if cells[url] and " " in cells[url]:
                cells[url] = "http://forum-b.test/t/2%20x%E2%80%AE#p2"
            writer.writerow(cells)
    finally:
        store.close()
    assert got == buffer.getvalue()
    assert "%20x%E2%80%AE" in got and '"say ""hi"", =1+1\r\nnext\tline' in got


def test_sqlite_built_json_equals_the_python_objects_and_stays_inert(sqlite_url: str) -> None:
    # SQLite writes NDJSON and JSON objects itself (json_object); Python finishes entries seen
    # more than once, raw URLs of an older store and sync answers: the same data as
    # entry_object, and no raw control, bidi or format character in any string
    from watchlist.export.objects import entry_object
    from watchlist.inert import UNSAFE, json_text

    hostile = 'a "quoted" \\ back\u202eslash\x85 and\ttab\x01 ⁦微信⁩'
    scammer = "骗子微信 pianzi_wx2024 " + hostile
    store = open_store(sqlite_url)
    try:
        save_posts(
            store,
            [
                post("http://forum-a.test/t/1#p1", OFFER, FETCHED),
                post("http://forum-a.test/t/2#p2", WARNING, FETCHED),
                post("http://forum-b.test/t/3#p3", scammer, FETCHED, "b"),
            ],
        )
        ids = [row.id for row in iter_export_rows(store, EntryFilter())]
        set_status(store, ids, "confirmed", hostile, hostile, four_eyes=False)
        with store.engine.begin() as connection:
            connection.exec_driver_sql(
                "UPDATE posts SET url = 'http://forum-b.test/t/3 x\u202e#p3' WHERE site = 'b'"
            )
            connection.exec_driver_sql(
                "INSERT INTO enforcement_results (entry_id, target, result, reason, batch_id, at)"
                f" VALUES ({ids[0]}, 'bank', 'rejected', 'x\u202ey', 'b1', '2026-12-01 10:00:00')"
            )
        expected = [
            json_text(entry_object(row)) for row in iter_export_rows(store, evidence=5, order="id")
        ]
    finally:
        store.close()
    ndjson = exported(sqlite_url, "ndjson").splitlines()
    assert [json.loads(line) for line in ndjson] == [json.loads(line) for line in expected]
    assert json.loads(exported(sqlite_url, "json")) == [json.loads(line) for line in expected]
    assert not any(UNSAFE.search(line) for line in ndjson)
    several = [json.loads(line) for line in ndjson if json.loads(line)["sightings"] > 1]
    assert several and all(len(obj["evidence"]) > 1 for obj in several)
    assert any("%E2%80%AE" in obj["evidence"][0]["url"] for obj in map(json.loads, ndjson))
    assert any(obj["enforcement"] for obj in map(json.loads, ndjson))


def test_json_blocks_joined_by_sqlite_equal_the_python_objects_and_stay_inert(
    sqlite_url: str,
) -> None:
    # no URL to encode and no sync answer: every block's lines come joined by SQLite in one
    # text (hostile text in values, notes and snippets); two blocks, read by two threads
    from watchlist.export.objects import entry_object
    from watchlist.inert import UNSAFE, json_text
    from watchlist.store.export_view import iter_json_rows

    hostile = 'a "quoted" \\ back\u202eslash\x85 and\ttab\x01 ⁦微信⁩'
    texts = [f"出U 微信 seller{n:05d}x 秒放 {hostile}" for n in range(4500)]
    posts = [post(f"http://forum-a.test/t/{n}#p1", t, FETCHED) for n, t in enumerate(texts)]
    store = open_store(sqlite_url)
    try:
        save_posts(store, [*posts, post("http://forum-a.test/t/x#p2", texts[7], FETCHED)])
        ids = [row.id for row in iter_export_rows(store, EntryFilter())]
        set_status(store, ids[:50], "confirmed", hostile, hostile, four_eyes=False)
        partitions = list(iter_json_rows(store, EntryFilter()))
        expected = [
            json_text(entry_object(row)) for row in iter_export_rows(store, evidence=5, order="id")
        ]
    finally:
        store.close()
    assert len(partitions) > 1 and all(p.text is not None for p in partitions)
    ndjson = exported(sqlite_url, "ndjson").splitlines()
    assert [json.loads(line) for line in ndjson] == [json.loads(line) for line in expected]
    arrayed = json.loads(exported(sqlite_url, "json"))
    assert arrayed == [json.loads(line) for line in expected]
    assert not any(UNSAFE.search(line) for line in ndjson)
    assert any(len(obj["evidence"]) > 1 for obj in map(json.loads, ndjson))
