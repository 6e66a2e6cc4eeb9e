"""The reference receiver (``watchlist receiver``) in its own process on loopback: it verifies
with the standardwebhooks library, refuses what does not verify, and applies a batch once."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from standardwebhooks.webhooks import Webhook
from sync_world import OTHER_SECRET, SECRET, receiver

from watchlist.sync.signing import signed_headers


def _batch(batch_id: str, values: list[str], op: str = "upsert", seq: int = 1) -> bytes:
    changes = [
        {"seq": seq + n, "op": op, "entry": {"kind": "phone", "value": v, "status": "confirmed"}}
        for n, v in enumerate(values)
    ]
    body = {"batch_id": batch_id, "source": "t", "from_seq": seq, "to_seq": seq + len(values)}
    return json.dumps(body | {"changes": changes}).encode()


def _library_headers(secret: str, msg_id: str, body: bytes, at: datetime) -> dict[str, str]:
    """Headers signed by the standardwebhooks library itself (not our signing module)."""
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": Webhook(secret).sign(msg_id, at, body.decode()),
        "content-type": "application/json",
    }


def test_a_batch_signed_by_the_library_is_applied_with_per_entry_results(tmp_path: Path) -> None:
    body = _batch("b1", ["+8613800000001", "+8613800000002"])
    with receiver(tmp_path) as r:
        reply = httpx.post(
            r.url, content=body, headers=_library_headers(SECRET, "b1", body, datetime.now(UTC))
        )
        assert reply.status_code == 200, reply.text
        results = reply.json()["results"]
        assert [x["result"] for x in results] == ["restricted", "restricted"]
        assert r.held() == {("phone", "+8613800000001"), ("phone", "+8613800000002")}


def test_missing_or_wrong_signatures_are_refused_401_and_not_applied(tmp_path: Path) -> None:
    body = _batch("b2", ["+8613800000003"])
    now = datetime.now(UTC)
    with receiver(tmp_path) as r:
        unsigned = httpx.post(r.url, content=body)
        assert unsigned.status_code == 401
        wrong = _library_headers(OTHER_SECRET, "b2", body, now)
        assert httpx.post(r.url, content=body, headers=wrong).status_code == 401
        garbled = _library_headers(SECRET, "b2", body, now) | {"webhook-signature": "v1"}
        assert httpx.post(r.url, content=body, headers=garbled).status_code == 401
        tampered = _library_headers(SECRET, "b2", body, now)
        other_body = body.replace(b"+8613800000003", b"+8613800000004")
        assert httpx.post(r.url, content=other_body, headers=tampered).status_code == 401
        assert r.held() == set()
        assert r.deliveries() == []


def test_stale_and_future_timestamps_are_refused(tmp_path: Path) -> None:
    body = _batch("b3", ["+8613800000005"])
    with receiver(tmp_path) as r:
        for skew in (timedelta(minutes=-10), timedelta(minutes=10)):
            headers = _library_headers(SECRET, "b3", body, datetime.now(UTC) + skew)
            reply = httpx.post(r.url, content=body, headers=headers)
            assert reply.status_code == 401
            assert "timestamp too" in reply.json()["error"]
        assert r.held() == set()


def test_a_replayed_batch_id_is_acknowledged_but_not_applied_twice(tmp_path: Path) -> None:
    first = _batch("b4", ["+8613800000006"])
    removal = _batch("b5", ["+8613800000006"], op="remove", seq=2)
    with receiver(tmp_path) as r:
        for body, msg_id in ((first, "b4"), (removal, "b5"), (first, "b4")):
            reply = httpx.post(r.url, content=body, headers=signed_headers([SECRET], msg_id, body))
            assert reply.status_code == 200
        assert reply.json()["duplicate"] is True
        assert r.held() == set()  # the replayed upsert did not bring the value back
        assert [batch_id for batch_id, *_ in r.applied()] == ["b4", "b5"]
        assert r.deliveries() == [("b4", 0), ("b5", 0), ("b4", 1)]


def test_during_rotation_a_request_signed_with_two_secrets_verifies_with_either(
    tmp_path: Path,
) -> None:
    body = _batch("b6", ["+8613800000007"])
    headers = signed_headers([OTHER_SECRET, SECRET], "b6", body)
    assert headers["webhook-signature"].count("v1,") == 2
    with (
        receiver(tmp_path, secrets=SECRET) as old,
        receiver(tmp_path, secrets=OTHER_SECRET, name="new") as new,
    ):
        assert httpx.post(old.url, content=body, headers=headers).status_code == 200
        assert httpx.post(new.url, content=body, headers=headers).status_code == 200


def test_the_reconcile_listing_is_signed_and_paged(tmp_path: Path) -> None:
    values = [f"+86138{n:08d}" for n in range(1500)]
    body = _batch("b7", values)
    with receiver(tmp_path) as r:
        httpx.post(r.url, content=body, headers=signed_headers([SECRET], "b7", body))
        assert httpx.get(r.url).status_code == 401
        seen: list[str] = []
        cursor = None
        while True:
            params = {"cursor": str(cursor)} if cursor is not None else {}
            page = httpx.get(r.url, params=params, headers=signed_headers([SECRET], "l", b""))
            assert page.status_code == 200
            seen += [e["value"] for e in page.json()["entries"]]
            cursor = page.json()["next_cursor"]
            if cursor is None:
                break
        assert sorted(seen) == values
