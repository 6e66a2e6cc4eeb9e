"""``watchlist review`` in a real pseudo-terminal (pexpect), read back through a terminal emulator.

Each test starts the real CLI (``python -m watchlist review``) in an 80×24 pty, types keys as a
reviewer would, and reads the screen the way a terminal would draw it (pyte), then checks what
was written to the store. One smoke test per path: confirm, dismiss with a reason, undo, batch by
site and by cluster, quit and resume, four-eyes, hostile evidence rendered inertly.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import pexpect
import pyte
import pytest
from conftest import run_cli
from review_seed import seed
from sqlmodel import col, select

from watchlist.store import open_store
from watchlist.store.tables import Change, Entry, Review

ROOT = Path(__file__).resolve().parent.parent
WAIT = 60  # seconds for a screen to show what a step expects (a loaded CI machine is slow)


class Terminal:
    """The CLI in an 80×24 pty; ``screen()`` is what a terminal shows, ``raw`` every byte sent."""

    def __init__(self, db: str, *args: str, env: dict[str, str] | None = None) -> None:
        environment = {k: v for k, v in os.environ.items() if not k.startswith("WATCHLIST_")}
        environment.update(TERM="xterm-256color", PYTHONUTF8="1", WATCHLIST_DB=db, **(env or {}))
        environment.pop("COLUMNS", None)
        environment.pop("LINES", None)
        self.child = pexpect.spawn(
            sys.executable,
            ["-m", "watchlist", "review", *args],
            cwd=str(ROOT),
            env=environment,
            dimensions=(24, 80),
            encoding="utf-8",
            codec_errors="replace",
        )
        self.emulator = pyte.Screen(80, 24)
        self.stream = pyte.Stream(self.emulator)
        self.raw = ""

    def _read(self) -> None:
        while True:
            try:
                chunk = self.child.read_nonblocking(65536, timeout=0.05)
            except (pexpect.TIMEOUT, pexpect.EOF):
                return
            self.raw += chunk
            self.stream.feed(chunk)

    def screen(self) -> str:
        self._read()
        rows, width = self.emulator.buffer, self.emulator.columns
        # not ``display``: pyte 0.8.2 fails there on a zero-width cell
        return "\n".join(
            "".join(rows[y][x].data for x in range(width)) for y in range(self.emulator.lines)
        )

    def wait_for(self, *texts: str) -> str:
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline:
            screen = self.screen()
            if all(t in screen for t in texts):
                return screen
            if not self.child.isalive():
                break
        raise AssertionError(f"never shown: {texts!r}\n--- screen ---\n{self.screen()}")

    def keys(self, *keys: str, then: str | None = None) -> str:
        """Type ``keys`` one by one; wait for ``then`` to show, if given."""
        for key in keys:
            self.child.send(key)
            time.sleep(0.05)
        return self.wait_for(then) if then else self.screen()

    def quit(self) -> str:
        """Press q and read what the command printed after the queue closed."""
        self.child.send("q")
        self.child.expect(pexpect.EOF, timeout=WAIT)
        self.raw += self.child.before or ""
        self.child.close()
        assert self.child.exitstatus == 0, self.raw[-2000:]
        return self.raw


def rows(db: str, entry_id: int | None = None) -> list[Review]:
    store = open_store(db)
    try:
        with store.read() as session:
            query = select(Review).order_by(col(Review.id))
            if entry_id is not None:
                query = query.where(Review.entry_id == entry_id)
            return list(session.exec(query))
    finally:
        store.close()


def statuses(db: str) -> dict[str, str]:
    store = open_store(db)
    try:
        with store.read() as session:
            return {e.value: e.status for e in session.exec(select(Entry))}
    finally:
        store.close()


def change_ops(db: str) -> list[str]:
    store = open_store(db)
    try:
        with store.read() as session:
            return [c.op for c in session.exec(select(Change).order_by(col(Change.seq)))]
    finally:
        store.close()


@pytest.fixture
def db(sqlite_url: str) -> str:
    seed(sqlite_url)
    return sqlite_url


def test_confirm_dismiss_with_a_reason_and_undo_in_a_real_terminal(db: str) -> None:
    term = Terminal(db, "--reviewer", "alice")
    term.wait_for("phone +8613800138000", "q quit")
    term.keys("c", then="new → confirmed")
    term.wait_for("wechat evil_seller")
    term.keys("d", then="victim-or-warning")
    term.keys("1", then="new → dismissed")
    term.keys("z", then="undone:")
    output = term.quit()
    assert "1 confirmed, 1 dismissed, 1 undone" in output
    assert statuses(db)["+8613800138000"] == "confirmed"
    assert statuses(db)["evil_seller"] == "new"
    actions = [(r.action, r.reason, r.reviewer) for r in rows(db)]
    assert actions == [
        ("confirm", None, "alice"),
        ("dismiss", "not-otc", "alice"),
        ("undo", None, "alice"),
    ]
    assert change_ops(db) == ["upsert"]


def test_batch_by_site_and_by_cluster_in_a_real_terminal(db: str) -> None:
    term = Terminal(db, "--reviewer", "alice")
    term.wait_for("phone +8613800138000")
    term.keys("C", then="1 site forum-a")
    term.keys("2", then="Confirm every new entry of site forum-b?")
    term.wait_for("4 entries: 2 phone, 1 qq, 1 telegram")
    term.keys("n")
    term.keys("o", then="operator cluster")
    term.keys("D", then="Dismiss: why?")
    term.keys("4", then="Dismiss every new entry of cluster")
    term.keys("y", then="5 of 5 entries decided")
    term.quit()
    cluster = {"+8613800138000", "usdt_king88", "2088123412341234", "usdtking"}
    assert all(statuses(db)[v] == "dismissed" for v in cluster)
    batches = {r.batch for r in rows(db)}
    assert len(rows(db)) == 5 and len(batches) == 1
    assert {r.reason for r in rows(db)} == {"test-data"}


def test_quit_and_start_again_resumes_where_the_reviewer_left_off(db: str) -> None:
    term = Terminal(db, "--reviewer", "alice")
    term.wait_for("phone +8613800138000")
    term.keys("s", then="wechat evil_seller")
    term.keys("j")
    third = term.wait_for("3/9").splitlines()[1].strip()
    term.quit()
    again = Terminal(db, "--reviewer", "alice")
    screen = again.wait_for("resumed where you left off", "3/9")
    assert screen.splitlines()[1].strip() == third
    again.quit()
    fresh = Terminal(db, "--reviewer", "alice", "--from-top")
    fresh.wait_for("1/9", "phone +8613800138000")
    fresh.quit()
    assert rows(db) == []  # moving and skipping decide nothing


def test_four_eyes_needs_a_second_reviewer_in_the_queue_and_on_the_command_line(db: str) -> None:
    four_eyes = {"WATCHLIST_FOUR_EYES": "1"}
    alice = Terminal(db, "--reviewer", "alice", env=four_eyes)
    alice.wait_for("four-eyes", "phone +8613800138000")
    alice.keys("c", then="awaiting a second reviewer")
    alice.quit()
    assert statuses(db)["+8613800138000"] == "new"
    bob = Terminal(db, "--reviewer", "bob", env=four_eyes)
    bob.wait_for("awaiting a second review (confirmed by alice)")
    bob.keys("c", then="new → confirmed")
    bob.quit()
    assert statuses(db)["+8613800138000"] == "confirmed"
    # `watchlist confirm` obeys the same rule
    listed = run_cli("entries", "--kind", "qq", "--json", db=db).stdout
    qq_id = str(json.loads(listed.splitlines()[0])["id"])
    first = run_cli("confirm", qq_id, "--reviewer", "alice", db=db, env=four_eyes)
    assert "awaiting a second, different reviewer" in first.stdout, first
    again = run_cli("confirm", qq_id, "--reviewer", "alice", db=db, env=four_eyes)
    assert "a second, different reviewer must" in again.stdout
    second = run_cli("confirm", qq_id, "--reviewer", "carol", db=db, env=four_eyes)
    assert "new → confirmed (second review; first: alice)" in second.stdout
    assert statuses(db)["12345678"] == "confirmed"


def test_hostile_evidence_reaches_the_terminal_inert(db: str) -> None:
    term = Terminal(db, "--reviewer", "alice", "--kind", "WeChat", "--site", "Forum-C")
    screen = term.wait_for("evil_seller", "⟨U+202E⟩", "⟨U+200B⟩")
    assert "[bold red]FAKE[/bold red]" in screen
    term.quit()
    # nothing the page held reached the terminal raw: no title-setting OSC, no bidi override
    assert "\x1b]0;pwned" not in term.raw and "\u202e" not in term.raw
    assert "\u200b" not in term.raw and "\x1b[2J\x1b]" not in term.raw


def test_review_without_a_terminal_or_with_bad_choices_is_one_line_exit_2(db: str) -> None:
    piped = run_cli("review", db=db)
    assert piped.code == 2 and piped.stderr.startswith("error: watchlist review needs a terminal")
    kind = run_cli("review", "--kind", "phones", db=db)
    assert kind.code == 2 and "phone, email" in kind.stderr
    # the shared options: the same one-line errors as `entries` and `export`
    assert kind.stderr == run_cli("entries", "--kind", "phones", db=db).stderr
    site = run_cli("review", "--site", "nosuch", db=db)
    assert site.code == 2 and site.stderr.startswith("error: --site: no site 'nosuch'")
    assert site.stderr == run_cli("export", "--format", "csv", "--site", "nosuch", db=db).stderr
    reason = run_cli("dismiss", "1", "--reason", "because", db=db)
    assert reason.code == 2 and "not-otc, victim-or-warning" in reason.stderr
    ok = run_cli("dismiss", "1", "--reason", "Victim-Or-Warning", "--reviewer", "bob", db=db)
    assert ok.code == 0 and "new → dismissed" in ok.stdout
    assert rows(db)[-1].reason == "victim-or-warning"
    empty = Terminal(db, "--reviewer", "alice", "--kind", "btc")
    empty.child.expect(pexpect.EOF, timeout=WAIT)
    assert "nothing to review (kind=btc)" in (empty.child.before or "")
