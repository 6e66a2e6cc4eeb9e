"""What the watchlist prints or writes cannot attack its reader; what goes wrong is one line.

A hostile forum on loopback puts escape sequences and a bidi override into a post's permalink
(and a database written by an earlier version kept them raw); a reviewer's note carries some
too. Through the real CLI in subprocesses: an export to a terminal (a real pseudo-terminal) is
inert; files and pipes keep the data exact, but URL fields never hold a raw control and JSON
never holds a raw control or format character. Bad ids, bad output paths and a database that
is not one give one line, never a traceback, and leave no ``.part`` file behind.
"""

from __future__ import annotations

import csv
import io
import json
import os
import pty
import re
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import CliResult, run_cli, write_site

from watchlist.demo import serve
from watchlist.demo.page import ALLOW_ALL_ROBOTS, TEXT_TYPE, Page, html_page
from watchlist.store import list_entries, open_store

# What must never reach a terminal raw: C0/C1 controls (the pty adds \r itself), DEL, bidi.
RAW_UNSAFE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]"
)
HOSTILE = "\x1b[2J\x1b]0;owned\x07\u202e"  # clear screen, retitle the window, flip the line
NOTE = f"seller {HOSTILE}txt.exe"


class HostileForum:
    """One board, one thread whose post links itself through a hostile permalink."""

    def render(self, target: str) -> Page:
        if target == "/robots.txt":
            return Page(200, TEXT_TYPE, ALLOW_ALL_ROBOTS.encode())
        if target == "/board":
            return html_page(200, '<a class="xst" href="/t/1">thread</a>')
        if target == "/t/1":
            link = f'<a class="perma" href="/t/1?p=1{HOSTILE}">#1</a>'
            post = f'<div id="post_1"><td class="t_f">QQ 632144500</td>{link}</div>'
            return html_page(200, f"<html><body>{post}</body></html>")
        return html_page(404, "not found")


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store file holding the hostile forum's entry, confirmed with a hostile note."""
    folder = tmp_path_factory.mktemp("hostile")
    db = f"sqlite:///{folder / 'watchlist.db'}"
    with serve(HostileForum()) as running:
        config = {
            "name": "hostile",
            "type": "forum",
            "engine": "discuz",
            "start_urls": [running.base_url + "/board"],
            "allow_private": True,
            "delay": 0,
            "selectors": {"post": "div[id^=post_]", "post_body": "td.t_f", "permalink": "a.perma"},
        }
        write_site(folder / "seeds", config)
        result = run_cli("crawl", "hostile", "--seeds", str(folder / "seeds"), db=db)
    assert result.code == 0, result.stdout + result.stderr
    store = open_store(db)
    try:
        (entry,) = list_entries(store)
    finally:
        store.close()
    confirmed = run_cli("confirm", str(entry.id), "--note", NOTE, db=db)
    assert confirmed.code == 0, confirmed.stderr
    return folder / "watchlist.db"


@pytest.fixture
def hostile_db(crawled: Path, tmp_path: Path) -> str:
    """A copy of the crawled store, for this test alone."""
    copy = tmp_path / "hostile.db"
    shutil.copyfile(crawled, copy)
    return f"sqlite:///{copy}"


def with_raw_urls(db: str) -> str:
    """``db`` as an earlier version left it: the post URLs hold the hostile characters raw."""
    with sqlite3.connect(db.removeprefix("sqlite:///")) as connection:
        connection.execute("UPDATE posts SET url = url || ?", (HOSTILE,))
    return db


def cli_env(db: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WATCHLIST_")}
    env.update({"WATCHLIST_DB": db, "PYTHONUTF8": "1", "COLUMNS": "200", "TERM": "xterm"})
    return env


def on_a_terminal(db: str, *args: str) -> tuple[int, str]:
    """Run the CLI with its stdout on a pseudo-terminal; what the terminal received."""
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "watchlist", *args],
        stdin=subprocess.DEVNULL,
        stdout=follower,
        stderr=subprocess.PIPE,
        env=cli_env(db),
    )
    os.close(follower)
    received = bytearray()
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the follower side closed: the process is done
            break
        if not chunk:
            break
        received += chunk
    os.close(leader)
    _, errors = process.communicate(timeout=120)
    assert process.returncode == 0, errors
    return process.returncode, received.decode("utf-8")


@pytest.mark.parametrize("raw_urls", [False, True], ids=["as-stored", "older-database"])
@pytest.mark.parametrize("fmt", ["csv", "json", "ndjson"])
def test_an_export_to_a_terminal_is_inert(hostile_db: str, fmt: str, raw_urls: bool) -> None:
    db = with_raw_urls(hostile_db) if raw_urls else hostile_db

    _, shown = on_a_terminal(db, "export", "--format", fmt, "--status", "all")

    assert "632144500" in shown
    assert RAW_UNSAFE.search(shown) is None, repr(shown)
    assert "owned" in shown  # the note is there, visibly escaped
    assert "\\x1b" in shown or "\\u001b" in shown


@pytest.mark.parametrize("raw_urls", [False, True], ids=["as-stored", "older-database"])
def test_files_keep_the_data_exact_but_urls_and_json_hold_no_raw_control(
    hostile_db: str, tmp_path: Path, raw_urls: bool
) -> None:
    db = with_raw_urls(hostile_db) if raw_urls else hostile_db
    as_csv, as_json = tmp_path / "out.csv", tmp_path / "out.json"

    every = ("--status", "all")
    assert run_cli("export", *every, "-f", "csv", "-o", str(as_csv), db=db).code == 0
    assert run_cli("export", *every, "-f", "json", "-o", str(as_json), db=db).code == 0
    piped = run_cli("export", *every, "-f", "ndjson", db=db)

    (row,) = csv.DictReader(io.StringIO(as_csv.read_text(encoding="utf-8")))
    assert row["note"] == NOTE  # a file keeps the reviewer's note exactly
    assert row["evidence_url"] and RAW_UNSAFE.search(row["evidence_url"]) is None
    assert "%1B" in row["evidence_url"].upper()
    raw_json = as_json.read_text(encoding="utf-8")
    assert RAW_UNSAFE.search(raw_json) is None
    assert "\\u202e" in raw_json
    (entry,) = json.loads(raw_json)
    assert entry["note"] == NOTE
    assert [e["url"] for e in entry["evidence"]] == [row["evidence_url"]]
    assert RAW_UNSAFE.search(piped.stdout) is None
    assert json.loads(piped.stdout)["note"] == NOTE
    assert sorted(p.name for p in tmp_path.iterdir() if ".part" in p.name) == []


def test_show_and_entries_on_a_terminal_never_replay_the_page_s_sequences(
    hostile_db: str,
) -> None:
    db = with_raw_urls(hostile_db)
    store = open_store(db)
    try:
        (entry,) = list_entries(store)
    finally:
        store.close()

    _, shown = on_a_terminal(db, "show", str(entry.id))
    _, listed = on_a_terminal(db, "entries", "--json")

    for output in (shown, listed):
        for sequence in ("\x1b[2J", "\x1b]0;", "\x07", "\u202e"):
            assert sequence not in output
    assert "632144500" in shown and "owned" in shown


def one_line(result: CliResult, *expected: str) -> None:
    assert result.code != 0
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    for part in expected:
        assert part in lines[0]


def test_ids_no_database_can_hold_are_one_line(sqlite_url: str) -> None:
    one_line(run_cli("show", "99999999999999999999", db=sqlite_url), "no entry with id")
    one_line(run_cli("confirm", "99999999999999999999", db=sqlite_url), "no entry with id")
    one_line(run_cli("show", "0", db=sqlite_url), "no entry with id 0")


def test_export_to_a_folder_or_a_missing_one_is_one_line_and_leaves_nothing(
    hostile_db: str, tmp_path: Path
) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    before = set(tmp_path.iterdir())

    one_line(run_cli("export", "-o", str(folder), db=hostile_db), "is a directory")
    one_line(run_cli("export", "-o", str(tmp_path / "no" / "x.csv"), db=hostile_db), "cannot write")
    one_line(
        run_cli("export", "-f", "bogus", "-o", str(tmp_path / "x.csv"), db=hostile_db),
        "'bogus' is not one of csv",
    )

    assert set(tmp_path.iterdir()) == before  # no .part file, no half-written export
    assert list(folder.iterdir()) == []


def test_a_file_that_is_not_a_watchlist_database_is_one_line(tmp_path: Path) -> None:
    text_file = tmp_path / "README.md"
    text_file.write_text("# not a database\n" * 100, encoding="utf-8")
    other = tmp_path / "places.sqlite"
    with sqlite3.connect(other) as connection:
        connection.execute("CREATE TABLE moz_places (id INTEGER)")

    for db in (f"sqlite:///{text_file}", f"sqlite:///{other}"):
        for args in (["entries"], ["export"], ["show", "1"]):
            one_line(run_cli(*args, db=db), "cannot open the database")
    with sqlite3.connect(other) as connection:
        tables = {name for (name,) in connection.execute("SELECT name FROM sqlite_master")}
    assert tables == {"moz_places"}  # another program's database is left as it was
    assert text_file.read_text(encoding="utf-8").startswith("# not a database")
