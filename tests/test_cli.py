"""The command line: help, review decisions, safe rendering of hostile text, exports."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from datetime import UTC, datetime

from conftest import run_cli
from sqlalchemy import select
from typer.main import get_command

from watchlist.cli import full_app
from watchlist.extract.model import Handle
from watchlist.store import Found, PostRecord, open_store, save_posts
from watchlist.store.tables import Change, Review

app = full_app()

CONTRACT_COMMANDS = {
    "demo",
    "crawl",
    "worker",
    "extract",
    "entries",
    "show",
    "review",
    "confirm",
    "dismiss",
    "export",
    "serve",
    "sync",
    "schedule",
    "runs",
    "allow",
    "clusters",
    "history",
    "sites",
    "token",
    "reconcile",
    "receiver",
}
HOSTILE = "\x1b[2J\x1b]0;pwned\x07[bold red]FAKE[/bold red] \u202eevil"


def seed_store(db: str, text: str = "出U 联系 13800138000", title: str = "收U") -> None:
    start = text.index("138")
    handle = Handle("phone", "+8613800138000", start, start + 11, None, "offered")
    store = open_store(db)
    save_posts(
        store,
        [
            PostRecord(
                url="http://127.0.0.1/thread-1-1-1.html#pid1",
                site="demo",
                text=text,
                title=title,
                author=HOSTILE,
                fetched_at=datetime.now(UTC),
                otc_score=0.8,
                found=(Found(handle),),
            )
        ],
    )
    store.close()


def test_help_lists_every_command_of_the_contract() -> None:
    result = run_cli("--help")
    assert result.code == 0
    listed = {line.split()[0] for line in result.stdout.splitlines() if line.startswith("  ")}
    assert listed >= CONTRACT_COMMANDS


def test_every_command_has_help_with_an_example() -> None:
    group = get_command(app)
    commands = group.commands  # type: ignore[attr-defined]
    assert set(commands) == CONTRACT_COMMANDS
    for name, command in commands.items():
        assert command.help and "Example:" in command.help, name
        assert f"watchlist {name}" in command.help.split("Example:")[1], name


def test_confirm_and_dismiss_write_audit_and_change_rows(sqlite_url: str) -> None:
    seed_store(sqlite_url)
    confirmed = run_cli("confirm", "1", "--reviewer", "alice", "--note", "ad", db=sqlite_url)
    assert confirmed.code == 0, confirmed.stderr
    assert "new → confirmed" in confirmed.stdout
    dismissed = run_cli("dismiss", "1", "--reviewer", "bob", db=sqlite_url)
    assert dismissed.code == 0
    again = run_cli("dismiss", "1", "--reviewer", "bob", db=sqlite_url)
    assert "already dismissed" in again.stdout

    store = open_store(sqlite_url)
    with store.read() as session:
        reviews = session.exec(select(Review).order_by(Review.id)).scalars().all()  # type: ignore[call-overload]
        changes = session.exec(select(Change).order_by(Change.seq)).scalars().all()  # type: ignore[call-overload]
    store.close()
    assert [(r.from_status, r.to_status, r.reviewer, r.note) for r in reviews] == [
        ("new", "confirmed", "alice", "ad"),
        ("confirmed", "dismissed", "bob", None),
    ]
    assert [(c.entry_id, c.op, c.status) for c in changes] == [
        (1, "upsert", "confirmed"),
        (1, "remove", "dismissed"),
    ]
    assert changes[0].seq is not None and changes[1].seq == changes[0].seq + 1


def test_confirm_of_an_unknown_id_fails_cleanly_and_changes_nothing(sqlite_url: str) -> None:
    seed_store(sqlite_url)
    result = run_cli("confirm", "1", "99", db=sqlite_url)
    assert result.code == 1
    assert result.stderr.strip() == "error: no entry with id 99"
    listed = run_cli("entries", "--json", db=sqlite_url)
    assert json.loads(listed.stdout.splitlines()[0])["status"] == "new"


def test_show_prints_hostile_page_text_inertly(sqlite_url: str) -> None:
    seed_store(sqlite_url, text=f"{HOSTILE} 联系 13800138000", title=HOSTILE)
    result = run_cli("show", "1", db=sqlite_url)
    assert result.code == 0, result.stderr
    out = result.stdout
    assert "\x1b" not in out and "\x07" not in out and "\u202e" not in out
    assert "␛[2J" in out and "\\u202e" in out  # the store keeps ESC as its picture
    assert "[bold red]FAKE[/bold red]" in out  # markup printed as text, not applied
    assert "+8613800138000" in out


def test_entries_json_is_one_object_per_line_with_filters(sqlite_url: str) -> None:
    seed_store(sqlite_url)
    rows = [
        json.loads(line) for line in run_cli("entries", "--json", db=sqlite_url).stdout.splitlines()
    ]
    assert [(r["kind"], r["value"], r["sites"]) for r in rows] == [
        ("phone", "+8613800138000", ["demo"])
    ]
    assert run_cli("entries", "--json", "--kind", "email", db=sqlite_url).stdout == ""
    assert run_cli("entries", "--json", "--site", "demo", db=sqlite_url).stdout.count("\n") == 1
    assert run_cli("entries", "--json", "--status", "new", db=sqlite_url).stdout.count("\n") == 1


def test_csv_export_neutralizes_formulas_and_json_keeps_values(sqlite_url: str) -> None:
    seed_store(sqlite_url)
    run_cli("confirm", "1", "--note", '=HYPERLINK("http://x")', db=sqlite_url)
    as_csv = run_cli("export", "--format", "csv", db=sqlite_url)
    assert as_csv.code == 0
    rows = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    assert rows[0]["value"] == "'+8613800138000"
    assert rows[0]["note"] == '\'=HYPERLINK("http://x")'
    assert rows[0]["evidence_url"] == "http://127.0.0.1/thread-1-1-1.html#pid1"
    as_json = json.loads(run_cli("export", "--format", "json", db=sqlite_url).stdout)
    assert as_json[0]["value"] == "+8613800138000"
    assert as_json[0]["status"] == "confirmed"


def test_export_to_a_file_writes_it_whole(sqlite_url: str, tmp_path: object) -> None:
    from pathlib import Path

    seed_store(sqlite_url)
    target = Path(str(tmp_path)) / "out.ndjson"
    result = run_cli("export", "-f", "ndjson", "--status", "new", "-o", str(target), db=sqlite_url)
    assert result.code == 0
    assert "1 entry written" in result.stderr
    assert json.loads(target.read_text(encoding="utf-8"))["kind"] == "phone"


def test_extract_follows_the_json_lines_contract_in_order() -> None:
    lines = [
        {"id": "a", "text": "出U 加飞机 @usdt_king"},
        {"id": 2, "text": "nothing here"},
    ]
    stdin = "\n".join(json.dumps(line, ensure_ascii=False) for line in lines) + "\nnot json\n"
    result = run_cli("extract", "-", stdin=stdin)
    assert result.code == 1  # the bad line
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o["id"] for o in out] == ["a", 2, None]
    first = out[0]
    assert set(first) == {"id", "handles", "otc_score"}
    assert first["handles"] == [
        {
            "kind": "telegram",
            "value": "usdt_king",
            "start": 7,
            "end": 17,
            "provider": "telegram",
            "role": first["handles"][0]["role"],
        }
    ]
    assert first["handles"][0]["role"] in ("offered", "reported", "mentioned")
    assert 0 < first["otc_score"] <= 1
    assert out[1]["handles"] == []
    assert out[2]["line"] == 3 and "not JSON" in out[2]["error"]


def test_a_database_url_that_cannot_be_opened_is_one_clear_line(tmp_path: object) -> None:
    result = run_cli("entries", db="postgresql+psycopg://127.0.0.1:1/none")
    assert result.code == 1
    assert result.stderr.startswith("error: cannot open the database")
    assert len(result.stderr.strip().splitlines()) == 1


def test_every_command_is_mapped_to_the_module_that_registers_it() -> None:
    # `watchlist NAME` imports only COMMANDS[NAME]'s module: a command missing from the map
    # would still work (every module is loaded then) but start slowly; a wrong one would fail.
    import typer

    from watchlist import cli

    for module in cli.MODULES:
        alone = typer.Typer()
        __import__(f"watchlist.cli.{module}", fromlist=["register"]).register(alone)
        names = {c.name for c in alone.registered_commands} | {
            g.name for g in alone.registered_groups
        }
        assert names, module
        for name in names:
            assert cli.COMMANDS.get(name) == module, (name, module)
    assert set(cli.COMMANDS.values()) == set(cli.MODULES)


def test_the_review_command_does_not_load_the_crawler_or_the_extractor() -> None:
    code = (
        "import sys; from watchlist import cli; cli.register(['review']); "
        "print(sorted(m for m in sys.modules if m.startswith(('scrapy', 'tldextract', "
        "'phonenumbers', 'watchlist.extract.pipeline', 'watchlist.crawlers', 'crawlers'))))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "[]"
