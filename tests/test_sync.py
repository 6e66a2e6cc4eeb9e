"""``watchlist sync`` against the reference receiver on loopback, both real processes: the
receiver ends up holding exactly the confirmed set, nothing lost or applied twice, through
faults, kills, removals and re-confirmations."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from sync_world import (
    SECRET,
    add_entries,
    cli,
    confirmed_set,
    env,
    new_store,
    receiver,
    target,
    write_config,
)

from watchlist.store import set_status
from watchlist.store.allowlist import AllowItem, allow
from watchlist.store.feed import last_seq
from watchlist.store.sync_state import target_state


def _no_batch_applied_twice_and_none_lost(applied: list[tuple[str, int, int]]) -> None:
    ids = [batch_id for batch_id, *_ in applied]
    assert len(ids) == len(set(ids))
    expected_from = 1
    for _, from_seq, to_seq in applied:  # contiguous windows: no gap, no overlap
        assert from_seq == expected_from
        expected_from = to_seq + 1


def test_ten_thousand_changes_with_removals_and_reconfirmations_converge_exactly(
    tmp_path: Path,
) -> None:
    url, store = new_store(tmp_path)
    phones = add_entries(store, 7000)
    set_status(store, phones, "confirmed", "alice")
    set_status(store, phones[:2000], "dismissed", "bob", reason="other")
    set_status(store, phones[:1000], "confirmed", "carol")
    allow(store, [AllowItem("phone", "+8613800006999", None, None)], "dave")  # a remove
    assert last_seq(store) == 10_001
    with receiver(tmp_path) as r:
        config = write_config(tmp_path / "watchlist.toml", {"risk": target(r.url)})
        result = cli("sync", "--config", str(config), "--db", url)
        assert result.returncode == 0, result.stderr
        # The allowlisted value's upsert is never sent; its remove is ("known": not held).
        assert "10 batches sent, 10000 changes, 0 retries" in result.stdout
        assert "1 known, 7999 restricted; cursor 10001" in result.stdout
        assert r.held() == confirmed_set(store)
        _no_batch_applied_twice_and_none_lost(r.applied())
        again = cli("sync", "--config", str(config), "--db", url)
        assert again.returncode == 0
        assert "0 batches sent" in again.stdout
    assert target_state(store, "risk").pending is None


def test_faults_of_30_percent_5xx_10_timeouts_5_resets_converge_without_doubles(
    tmp_path: Path,
) -> None:
    url, store = new_store(tmp_path)
    ids = add_entries(store, 3000)
    set_status(store, ids, "confirmed", "alice")
    set_status(store, ids[::3], "dismissed", "bob", reason="other")
    set_status(store, ids[::9], "confirmed", "carol")
    with receiver(tmp_path, faults="0.3,0.1,0.05", fault_sleep=1.0) as r:
        fields = target(r.url, batch_size=200, timeout=0.4)
        config = write_config(tmp_path / "watchlist.toml", {"risk": fields})
        result = cli("sync", "--config", str(config), "--db", url)
        assert result.returncode == 0, result.stderr
        assert r.held() == confirmed_set(store)
        _no_batch_applied_twice_and_none_lost(r.applied())
        deliveries = r.deliveries()
        assert any(duplicate for _, duplicate in deliveries)  # lost replies were sent again
        assert "0 retries" not in result.stdout


def test_a_sync_killed_mid_batch_and_run_again_converges(tmp_path: Path) -> None:
    url, store = new_store(tmp_path)
    ids = add_entries(store, 2500)
    set_status(store, ids, "confirmed", "alice")
    set_status(store, ids[:500], "dismissed", "bob", reason="other")
    # Every batch is applied, then its reply never comes: kill the sync while it waits.
    with receiver(tmp_path, faults="0,1,0", fault_sleep=60) as r:
        config = write_config(tmp_path / "watchlist.toml", {"risk": target(r.url, timeout=50)})
        process = subprocess.Popen(
            [sys.executable, "-m", "watchlist", "sync", "--config", str(config), "--db", url],
            env=env(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while not r.applied() and time.monotonic() < deadline:
            time.sleep(0.05)
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
        first = r.applied()
    assert len(first) == 1
    pending = target_state(store, "risk").pending
    assert pending is not None and pending.id == first[0][0]  # stored before it was sent
    assert target_state(store, "risk").cursor == 0
    with receiver(tmp_path) as r:  # the same receiver database, no faults now
        config = write_config(tmp_path / "watchlist.toml", {"risk": target(r.url)})
        result = cli("sync", "--config", str(config), "--db", url)
        assert result.returncode == 0, result.stderr
        assert r.held() == confirmed_set(store)
        _no_batch_applied_twice_and_none_lost(r.applied())
        assert r.deliveries()[1] == (first[0][0], 1)  # the same batch id, answered as a replay


def test_syncs_killed_at_random_moments_still_converge(tmp_path: Path) -> None:
    url, store = new_store(tmp_path)
    ids = add_entries(store, 4000)
    set_status(store, ids, "confirmed", "alice")
    set_status(store, ids[1::2], "dismissed", "bob", reason="other")
    with receiver(tmp_path) as r:
        fields = target(r.url, batch_size=100)
        config = write_config(tmp_path / "watchlist.toml", {"risk": fields})
        command = [sys.executable, "-m", "watchlist", "sync", "--config", str(config), "--db", url]
        for delay in (1.2, 1.5, 1.8, 2.1):
            process = subprocess.Popen(
                command, env=env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
            )
            time.sleep(delay)
            process.send_signal(signal.SIGKILL)
            process.wait()
        result = cli("sync", "--config", str(config), "--db", url)
        assert result.returncode == 0, result.stderr
        assert r.held() == confirmed_set(store)
        _no_batch_applied_twice_and_none_lost(r.applied())


def test_two_targets_with_different_filters_stay_independent(tmp_path: Path) -> None:
    url, store = new_store(tmp_path)
    phones = add_entries(store, 300)
    qqs = add_entries(store, 200, kind="qq")
    set_status(store, phones + qqs, "confirmed", "alice")
    with receiver(tmp_path, name="phones") as a, receiver(tmp_path, name="qqs") as b:
        targets = {
            "phones": target(a.url, kinds=["phone"]),
            "qqs": target(b.url, kinds=["qq"], max_attempts=2),
        }
        config = write_config(tmp_path / "watchlist.toml", targets)
        b.process.kill()
        b.process.wait()
        down = cli("sync", "--config", str(config), "--db", url)
        assert down.returncode == 1
        assert "target qqs: gave up after 2 attempts" in down.stderr
        assert a.held() == confirmed_set(store, ["phone"])  # phones got theirs all the same
    set_status(store, phones[:50], "dismissed", "bob", reason="other")
    with receiver(tmp_path, name="phones") as a, receiver(tmp_path, name="qqs") as b:
        targets = {"phones": target(a.url, kinds=["phone"]), "qqs": target(b.url, kinds=["qq"])}
        config = write_config(tmp_path / "watchlist.toml", targets)
        result = cli("sync", "--config", str(config), "--db", url)
        assert result.returncode == 0, result.stderr
        assert a.held() == confirmed_set(store, ["phone"])
        assert b.held() == confirmed_set(store, ["qq"])
        assert target_state(store, "phones").cursor == target_state(store, "qqs").cursor


def test_exhausted_retries_exit_1_with_the_cursor_unchanged_and_the_same_batch_later(
    tmp_path: Path,
) -> None:
    url, store = new_store(tmp_path)
    set_status(store, add_entries(store, 10), "confirmed", "alice")
    with receiver(tmp_path, faults="1,0,0") as r:
        config = write_config(tmp_path / "watchlist.toml", {"risk": target(r.url, max_attempts=3)})
        result = cli("sync", "--config", str(config), "--db", url)
        assert result.returncode == 1
        assert "gave up after 3 attempts: 503" in result.stderr
        assert "cursor stays at 0" in result.stderr
    state = target_state(store, "risk")
    assert state.cursor == 0 and state.pending is not None and state.pending.attempts == 3
    status = cli("sync", "--status", "--config", str(config), "--db", url)
    assert "gave up after 3 attempts" in status.stdout
    with receiver(tmp_path) as r:
        config = write_config(tmp_path / "watchlist.toml", {"risk": target(r.url)})
        assert cli("sync", "--config", str(config), "--db", url).returncode == 0
        assert r.applied()[0][0] == state.pending.id


def test_the_secret_never_appears_in_output_batches_or_the_store(tmp_path: Path) -> None:
    url, store = new_store(tmp_path)
    set_status(store, add_entries(store, 5), "confirmed", "alice")
    with receiver(tmp_path, faults="1,0,0") as r:
        config = write_config(tmp_path / "watchlist.toml", {"risk": target(r.url, max_attempts=1)})
        outputs = [
            cli("sync", "--dry-run", "--config", str(config), "--db", url),
            cli("sync", "--config", str(config), "--db", url),
            cli("sync", "--status", "--config", str(config), "--db", url),
        ]
    secret_body = SECRET.removeprefix("whsec_")
    for result in outputs:
        assert secret_body not in result.stdout + result.stderr
    assert secret_body.encode() not in (tmp_path / "watchlist.db").read_bytes()
    assert secret_body not in config.read_text()


def test_a_hashed_target_holds_salted_hashes_only(tmp_path: Path) -> None:
    from watchlist.export.hashing import hashed_value

    url, store = new_store(tmp_path)
    set_status(store, add_entries(store, 20), "confirmed", "alice")
    with receiver(tmp_path) as r:
        config = write_config(tmp_path / "watchlist.toml", {"risk": target(r.url, hashed=True)})
        refused = cli("sync", "--config", str(config), "--db", url)
        assert refused.returncode == 2 and "WATCHLIST_HASH_SALT" in refused.stderr
        result = cli("sync", "--config", str(config), "--db", url, WATCHLIST_HASH_SALT="pepper")
        assert result.returncode == 0, result.stderr
        expected = {(k, hashed_value(k, v, b"pepper")) for k, v in confirmed_set(store)}
        assert r.held() == expected
        drift = cli(
            "reconcile",
            "--target",
            "risk",
            "--config",
            str(config),
            "--db",
            url,
            WATCHLIST_HASH_SALT="pepper",
        )
        assert "missing there 0, extra there 0" in drift.stdout, drift.stdout + drift.stderr
