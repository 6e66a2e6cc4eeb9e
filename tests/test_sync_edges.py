"""The sync's edges: config errors, receivers that refuse, redirect, vanish or slow us down,
private endpoints, reconcile both ways, and the enforcement results shown and filtered."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from pathlib import Path

import pytest
from rich.console import Console
from sync_world import (
    SECRET_ENV,
    add_entries,
    cli,
    confirmed_set,
    new_store,
    receiver,
    scripted,
    target,
    write_config,
)

from watchlist.review.panels import entry_text
from watchlist.store import open_store, set_status
from watchlist.store.entry_view import entry_view
from watchlist.store.sync_state import target_state

OK = (200, {"content-type": "application/json"}, b'{"results": []}')


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"colour": "red"}, "targets.risk.colour: Extra inputs are not permitted"),
        ({"endpoint": "ftp://x.example/"}, "targets.risk.endpoint: 'ftp://x.example/' is not"),
        ({"secret_env": "NOT_SET_ANYWHERE"}, "targets.risk.secret_env: the environment variable"),
        ({"statuses": ["new"]}, "targets.risk.statuses: 'new' cannot be synced: the change log"),
        ({"kinds": ["phones"]}, "targets.risk.kinds: 'phones' is not one of"),
        ({"batch_size": 0}, "targets.risk.batch_size: Input should be greater than"),
    ],
    ids=["unknown-key", "bad-url", "unset-secret", "status-new", "bad-kind", "batch-size"],
)
def test_a_bad_target_is_one_line_naming_the_file_and_field_exit_2(
    tmp_path: Path, fields: dict[str, object], expected: str
) -> None:
    url, _ = new_store(tmp_path)
    config = write_config(
        tmp_path / "watchlist.toml", {"risk": target("https://e.example/") | fields}
    )
    result = cli("sync", "--config", str(config), "--db", url)
    assert result.returncode == 2
    assert result.stderr.startswith(f"error: {config}: {expected}"), result.stderr
    assert len(result.stderr.splitlines()) == 1


def test_a_private_endpoint_is_refused_without_allow_private(tmp_path: Path) -> None:
    url, store = new_store(tmp_path)
    set_status(store, add_entries(store, 3), "confirmed", "alice")
    with scripted([OK]) as server:
        fields = target(server.url, allow_private=False)
        config = write_config(tmp_path / "watchlist.toml", {"risk": fields})
        result = cli("sync", "--config", str(config), "--db", url)
        assert result.returncode == 2
        assert "127.0.0.1 is a private or loopback address" in result.stderr
        assert "allow_private = true" in result.stderr
        assert server.hits == []


def test_a_target_answering_400_stops_at_once_with_its_message(tmp_path: Path) -> None:
    url, store = new_store(tmp_path)
    set_status(store, add_entries(store, 3), "confirmed", "alice")
    refusal = (400, {"content-type": "application/json"}, b'{"error": "kind phone not taken"}')
    with scripted([refusal]) as server:
        config = write_config(tmp_path / "watchlist.toml", {"risk": target(server.url)})
        result = cli("sync", "--config", str(config), "--db", url)
        assert result.returncode == 1
        assert "refused it: 400 Bad Request: kind phone not taken" in result.stderr
        assert len(server.hits) == 1  # not retried
    assert target_state(store, "risk").cursor == 0


def test_a_410_disables_the_target_and_status_says_so(tmp_path: Path) -> None:
    url, store = new_store(tmp_path)
    set_status(store, add_entries(store, 3), "confirmed", "alice")
    with scripted([(410, {}, b"gone for good")]) as server:
        config = write_config(tmp_path / "watchlist.toml", {"risk": target(server.url)})
        gone = cli("sync", "--config", str(config), "--db", url)
        assert gone.returncode == 1
        assert "410 Gone: gone for good: the target is disabled" in gone.stderr
        status = cli("sync", "--status", "--config", str(config), "--db", url)
        assert "DISABLED since" in status.stdout
        later = cli("sync", "--config", str(config), "--db", url)
        assert later.returncode == 0 and "skipped, disabled since" in later.stdout
        assert len(server.hits) == 1
    with scripted([OK]) as server:
        config = write_config(tmp_path / "watchlist.toml", {"risk": target(server.url)})
        again = cli("sync", "--enable", "--config", str(config), "--db", url)
        assert again.returncode == 0, again.stderr
        assert target_state(store, "risk").cursor == 3


def test_redirects_are_not_followed(tmp_path: Path) -> None:
    url, store = new_store(tmp_path)
    set_status(store, add_entries(store, 3), "confirmed", "alice")
    with scripted([OK]) as elsewhere:
        moved = (307, {"location": elsewhere.url}, b"")
        with scripted([moved]) as server:
            config = write_config(tmp_path / "watchlist.toml", {"risk": target(server.url)})
            result = cli("sync", "--config", str(config), "--db", url)
            assert result.returncode == 1
            assert "307 (a redirect to" in result.stderr and "not followed" in result.stderr
        assert elsewhere.hits == []


def test_429_waits_as_long_as_retry_after_says_then_delivers(tmp_path: Path) -> None:
    url, store = new_store(tmp_path)
    set_status(store, add_entries(store, 3), "confirmed", "alice")
    with scripted([(429, {"retry-after": "1"}, b""), OK]) as server:
        config = write_config(tmp_path / "watchlist.toml", {"risk": target(server.url)})
        result = cli("sync", "--config", str(config), "--db", url)
        assert result.returncode == 0, result.stderr
        assert "1 retry" in result.stdout
        (_, _, first, t1), (_, _, second, t2) = server.hits
        assert t2 - t1 >= 1.0  # the wait is the receiver's, not our 0.05 s backoff
        assert first["webhook-id"] == second["webhook-id"]
        assert first["webhook-signature"].startswith("v1,")


def test_dry_run_counts_compacted_ops_and_sends_and_stores_nothing(tmp_path: Path) -> None:
    url, store = new_store(tmp_path)
    ids = add_entries(store, 30)
    set_status(store, ids, "confirmed", "alice")
    set_status(store, ids[:10], "dismissed", "bob", reason="other")
    with scripted([OK]) as server:
        config = write_config(
            tmp_path / "watchlist.toml", {"risk": target(server.url, batch_size=50)}
        )
        result = cli("sync", "--dry-run", "--config", str(config), "--db", url)
        assert result.returncode == 0, result.stderr
        # One window of 40 log rows: the 10 confirmed-then-dismissed entries are one remove each.
        assert "would send 1 batch from cursor 0: 10 remove, 20 upsert" in result.stdout
        first = json.loads(result.stdout.splitlines()[1])
        assert first["op"] == "upsert" and first["entry"]["kind"] == "phone"
        assert server.hits == []
    assert target_state(store, "risk").pending is None


def test_results_come_back_shown_by_show_and_filtered_by_entries(tmp_path: Path) -> None:
    url, store = new_store(tmp_path)
    ids = add_entries(store, 5)
    set_status(store, ids, "confirmed", "alice")
    with receiver(tmp_path) as r:
        config = write_config(tmp_path / "watchlist.toml", {"risk": target(r.url)})
        assert cli("sync", "--config", str(config), "--db", url).returncode == 0
        set_status(store, ids[:2], "dismissed", "bob", reason="other")
        result = cli("sync", "--config", str(config), "--db", url)
        assert "2 accepted" in result.stdout
    shown = cli("show", str(ids[0]), "--db", url)
    assert "enforcement risk: accepted (restriction lifted)" in " ".join(shown.stdout.split())
    listed = cli("entries", "--enforced", "restricted", "--target", "risk", "--json", "--db", url)
    assert sorted(json.loads(line)["id"] for line in listed.stdout.splitlines()) == ids[2:]
    status = cli("sync", "--status", "--config", str(config), "--db", url)
    assert "results:         2 accepted, 3 restricted" in status.stdout
    bad = cli("entries", "--enforced", "frozen", "--db", url)
    assert bad.returncode == 2 and "--enforced: 'frozen' is not one of" in bad.stderr
    panel = Console(width=100, record=True)
    panel.print(entry_text(entry_view(store, ids[3])))  # the review queue's entry panel
    assert "enforcement risk: restricted" in panel.export_text()
    # and exported: a CSV column (built by the database) and a JSON key
    rows = list(csv.DictReader(io.StringIO(cli("export", "--status", "all", "--db", url).stdout)))
    told = {int(row["id"]): row["enforcement"] for row in rows}
    assert [told[i] for i in ids] == ["risk:accepted"] * 2 + ["risk:restricted"] * 3
    lines = cli("export", "-f", "ndjson", "--status", "all", "--db", url).stdout.splitlines()
    by_id = {e["id"]: e["enforcement"] for e in map(json.loads, lines)}
    assert [r["result"] for r in by_id[ids[3]]] == ["restricted"]
    assert by_id[ids[3]][0]["target"] == "risk" and by_id[ids[3]][0]["at"].endswith("Z")


def test_reconcile_reports_drift_both_ways_and_fix_closes_it(tmp_path: Path) -> None:
    url, store = new_store(tmp_path)
    ids = add_entries(store, 50)
    set_status(store, ids, "confirmed", "alice")
    with receiver(tmp_path) as r:
        config = write_config(tmp_path / "watchlist.toml", {"risk": target(r.url)})
        assert cli("sync", "--config", str(config), "--db", url).returncode == 0
        set_status(store, ids[:1], "dismissed", "bob", reason="other")
        with sqlite3.connect(r.db) as db:  # the enforcement side drifted on its own
            db.execute("DELETE FROM held WHERE value IN ('+8613800000010', '+8613800000011')")
            db.execute("INSERT INTO held VALUES ('phone', '+8613899999999', 'confirmed', 1)")
        drift = cli("reconcile", "--target", "risk", "--config", str(config), "--db", url)
        assert drift.returncode == 0, drift.stderr
        text = drift.stdout
        assert "ours 49 confirmed, theirs 49 (1 page); missing there 2, extra there 2" in text
        assert "missing there: phone +8613800000010" in text
        assert "extra there: phone +8613800000000" in text  # dismissed here, not sent yet
        assert "1 extra there are unknown to the watchlist" in text
        assert "1 change not sent yet" in text
        fixed = cli("reconcile", "--target", "risk", "--fix", "--config", str(config), "--db", url)
        assert "queued 3 changes" in fixed.stdout
        assert cli("sync", "--config", str(config), "--db", url).returncode == 0
        assert r.held() - {("phone", "+8613899999999")} == confirmed_set(store)
        clean = cli("reconcile", "--target", "risk", "--config", str(config), "--db", url)
        assert "missing there 0, extra there 1" in clean.stdout


@pytest.mark.postgres
def test_sync_from_a_postgresql_store_converges(tmp_path: Path, postgres_url: str) -> None:
    store = open_store(postgres_url)
    ids = add_entries(store, 1500)
    set_status(store, ids, "confirmed", "alice")
    set_status(store, ids[::2], "dismissed", "bob", reason="other")
    with receiver(tmp_path, faults="0.3,0.1,0.05", fault_sleep=1.0) as r:
        fields = target(r.url, batch_size=300, timeout=0.4)
        config = write_config(tmp_path / "watchlist.toml", {"risk": fields})
        result = cli("sync", "--config", str(config), "--db", postgres_url)
        assert result.returncode == 0, result.stderr
        assert r.held() == confirmed_set(store)
        applied = [batch_id for batch_id, *_ in r.applied()]
        assert len(applied) == len(set(applied))


def test_the_secret_env_names_a_variable_not_a_secret(tmp_path: Path) -> None:
    url, _ = new_store(tmp_path)
    fields = target("https://e.example/", secret_env="whsec_abc")
    config = write_config(tmp_path / "watchlist.toml", {"risk": fields})
    result = cli("sync", "--config", str(config), "--db", url)
    assert result.returncode == 2
    assert "name the environment variable that holds the secret" in result.stderr
    assert SECRET_ENV not in result.stderr


def test_without_a_targets_file_sync_says_where_targets_are_configured(tmp_path: Path) -> None:
    url, _ = new_store(tmp_path)
    result = cli("sync", "--db", url, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr == (
        "error: watchlist.toml: no such file: sync targets are configured in watchlist.toml "
        "(see docs/sync.md), or name another file with --config\n"
    )
    unknown = write_config(tmp_path / "watchlist.toml", {"risk": target("https://e.example/")})
    other = cli("sync", "--target", "nope", "--config", str(unknown), "--db", url)
    assert other.returncode == 2 and "no target named 'nope' (targets: risk)" in other.stderr


def test_the_sync_connects_only_to_the_address_it_vetted_never_resolving_again() -> None:
    # DNS rebinding: a name checked at one address must not be connected at another. The
    # pinned client never resolves the name: `receiver.invalid` cannot resolve at all, yet the
    # request reaches the vetted address (here a loopback server) with its own Host header.
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from watchlist.sync.config import Target
    from watchlist.sync.delivery import client

    seen: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            seen.append(self.headers["host"])
            self.send_response(200)
            self.send_header("content-length", "2")
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    try:
        endpoint = f"http://receiver.invalid:{port}/hook"
        target = Target(name="t", endpoint=endpoint, secret_env="X")
        with client(target, "127.0.0.1") as http:
            assert http.get(endpoint).status_code == 200
    finally:
        server.shutdown()
        server.server_close()
    assert seen == [f"receiver.invalid:{port}"]
