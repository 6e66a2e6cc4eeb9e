"""Standard Webhooks signatures, by the maintained ``standardwebhooks`` library.

``webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">``, one ``v1,`` per secret
during key rotation, space-separated. The library's ``sign()`` replaces the timestamp's tzinfo
with UTC (it signs the wrong instant for a naive local or +08:00 time): we always pass
``datetime.now(timezone.utc)``. ``verify()`` needs the exact raw body, and checks the
timestamp against a fixed 5-minute window; it does not dedupe ids (the receiver does).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from math import floor
from typing import Any

from standardwebhooks.webhooks import Webhook, WebhookVerificationError


class BadSignature(Exception):
    """A request whose signature, timestamp or headers do not verify (the reason in args)."""


def signed_headers(
    secrets: Sequence[str], msg_id: str, body: bytes, *, at: datetime | None = None
) -> dict[str, str]:
    """The ``webhook-*`` headers of ``body`` under ``msg_id``, signed with every secret."""
    moment = datetime.now(UTC) if at is None else at.astimezone(UTC)
    data = body.decode()
    signatures = [Webhook(secret).sign(msg_id, moment, data) for secret in secrets]
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(floor(moment.timestamp())),
        "webhook-signature": " ".join(signatures),
    }


def verify(secrets: Sequence[str], body: bytes, headers: Mapping[str, str]) -> None:
    """Check ``body`` and its headers against any of ``secrets``; :class:`BadSignature` if not.

    The library does the work (headers present, timestamp within 5 minutes, a ``v1`` signature
    matching); a malformed header it would trip over (a signature without a comma, bad base64,
    a body that is not UTF-8) is a bad signature too.
    """
    wanted = {
        key.lower(): value for key, value in headers.items() if key.lower().startswith("webhook-")
    }
    last: str = "no secret to verify with"
    for secret in secrets:
        try:
            Webhook(secret).verify(body, wanted, json_parse=False)
            return
        except WebhookVerificationError as exc:
            last = str(exc)
            if "timestamp" in last.lower() or "headers" in last.lower():
                break  # the same for every secret
        except (ValueError, TypeError, UnicodeDecodeError) as exc:
            last = f"malformed signature headers ({type(exc).__name__})"
            break
    raise BadSignature(last)


def header_dict(items: Any) -> dict[str, str]:
    """Request headers (any mapping or list of pairs) as a plain lower-cased dict."""
    pairs = items.items() if hasattr(items, "items") else items
    return {str(k).lower(): str(v) for k, v in pairs}
