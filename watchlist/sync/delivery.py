"""One signed request to a target, retried as the protocol says.

5xx, 429 (its ``Retry-After`` honoured), timeouts and broken connections are retried by
``stamina`` (exponential backoff with jitter, the target's ``max_attempts``,
``retry_wait_initial``, ``retry_wait_max``); each attempt is signed afresh (a new timestamp,
the same id and body). When the attempts run out: :class:`DeliveryFailed`. A 410 is
:class:`TargetGone`; a redirect (never followed) or another 4xx is :class:`Refused` with the
receiver's message. The endpoint obeys the crawl's private-address rule
(:mod:`watchlist.addresses`) unless the target sets ``allow_private``.
"""

from __future__ import annotations

import ipaddress
import json
import socket
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

import httpx
import stamina
import stamina.instrumentation

from watchlist.addresses import is_private_address, is_private_host
from watchlist.errors import ConfigError, WatchlistError
from watchlist.inert import neutralize
from watchlist.sync.config import Target
from watchlist.sync.signing import signed_headers

# stamina logs every scheduled retry (to stderr, without structlog): the run's summary counts
# them instead, and the last error is named when the attempts run out.
stamina.instrumentation.set_on_retry_hooks([])

RETRY_AFTER_MAX = 600.0  # seconds: a longer Retry-After gives up instead of waiting
MESSAGE_MAX = 300


class DeliveryFailed(WatchlistError):
    """The target kept failing (5xx, 429, timeouts, resets) until the attempts ran out."""


class Refused(WatchlistError):
    """The target refused the request (a 4xx other than 410 and 429, or a redirect)."""


class TargetGone(WatchlistError):
    """The target answered 410 Gone: it is disabled."""


class _Retryable(Exception):
    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after


@dataclass(frozen=True, slots=True)
class Reply:
    """A 2xx reply: its status, parsed JSON body (or None) and how many retries it took."""

    status: int
    body: Any
    retries: int


def check_endpoint(target: Target) -> str | None:
    """Refuse an endpoint on a private or loopback address unless ``allow_private``.

    A literal address or ``localhost`` is judged as written; a name is resolved and refused if
    any of its addresses is private (as the crawl's resolver does). Returns the address the
    name was vetted at (None for a literal address or an ``allow_private`` target): the run
    connects to that address only (:func:`client`), so a second DNS answer — a rebinding to
    127.0.0.1 between the check and the connection — is never used.
    """
    if target.allow_private:
        return None
    host = urlsplit(target.endpoint).hostname or ""
    fix = "set allow_private = true for a receiver on loopback or a private network"
    if is_private_host(host):
        raise ConfigError(
            f"target {target.name}: endpoint: {host} is a private or loopback address: {fix}"
        )
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except OSError as exc:
        raise DeliveryFailed(f"target {target.name}: cannot resolve {host}: {exc}") from exc
    for info in infos:
        address = str(info[4][0])
        if is_private_address(address):
            raise ConfigError(
                f"target {target.name}: endpoint: {host} resolves to the private address "
                f"{address}: {fix}"
            )
    try:
        ipaddress.ip_address(host)
        return None  # a literal address: nothing to resolve again
    except ValueError:
        return str(infos[0][4][0]) if infos else None


class PinnedTransport(httpx.BaseTransport):
    """Connect to the vetted ``address`` whatever the endpoint's name resolves to now.

    The request keeps its name where it matters: the ``Host`` header, and the TLS server name
    (httpx's ``sni_hostname`` extension), against which the certificate is still verified.
    """

    def __init__(self, address: str, inner: httpx.BaseTransport) -> None:
        self.address = address
        self.inner = inner

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        name = request.url.host
        request.url = request.url.copy_with(host=self.address)
        request.extensions = {**request.extensions, "sni_hostname": name}
        return self.inner.handle_request(request)

    def close(self) -> None:
        self.inner.close()


def client(target: Target, pinned: str | None = None) -> httpx.Client:
    """An HTTP client for ``target``: its timeout, redirects never followed, connections only
    to ``pinned`` (the address :func:`check_endpoint` vetted) when given."""
    inner = httpx.HTTPTransport()
    return httpx.Client(
        timeout=httpx.Timeout(target.timeout),
        follow_redirects=False,
        headers={"user-agent": "otc-watchlist-sync"},
        trust_env=False,
        transport=PinnedTransport(pinned, inner) if pinned else inner,
    )


def send(
    http: httpx.Client,
    target: Target,
    secrets: Sequence[str],
    method: str,
    msg_id: str,
    body: bytes,
    *,
    params: dict[str, str] | None = None,
    on_retry: Any = None,
) -> Reply:
    """Send one signed request, retrying what may be retried; the 2xx :class:`Reply`."""
    attempts = 0
    try:
        for attempt in stamina.retry_context(
            on=_backoff,
            attempts=target.max_attempts,
            timeout=None,
            wait_initial=target.retry_wait_initial,
            wait_max=target.retry_wait_max,
            wait_jitter=target.retry_wait_initial,
        ):
            with attempt:
                attempts += 1
                if attempts > 1 and on_retry is not None:
                    on_retry()
                return _once(http, target, secrets, method, msg_id, body, params, attempts - 1)
    except _Retryable as exc:
        raise DeliveryFailed(
            f"target {target.name}: gave up after {attempts} attempts: {exc.reason}"
        ) from exc
    raise AssertionError("unreachable")  # pragma: no cover


def _backoff(exc: Exception) -> bool | float:
    if isinstance(exc, _Retryable):
        return exc.retry_after if exc.retry_after is not None else True
    return False


def _once(
    http: httpx.Client,
    target: Target,
    secrets: Sequence[str],
    method: str,
    msg_id: str,
    body: bytes,
    params: dict[str, str] | None,
    retries: int,
) -> Reply:
    headers = signed_headers(secrets, msg_id, body)
    if method == "POST":
        headers["content-type"] = "application/json"
    try:
        response = http.request(
            method, target.endpoint, content=body or None, headers=headers, params=params
        )
    except httpx.TimeoutException as exc:
        raise _Retryable(f"timed out after {target.timeout:g} s ({type(exc).__name__})") from exc
    except httpx.TransportError as exc:
        raise _Retryable(f"connection failed: {_transport(exc)}") from exc
    status = response.status_code
    if 200 <= status < 300:
        return Reply(status, _json(response), retries)
    message = _message(response)
    if status >= 500:
        raise _Retryable(f"{status} {response.reason_phrase}{message}")
    if status == 429:
        wait = _retry_after(response.headers.get("retry-after"))
        if wait is not None and wait > RETRY_AFTER_MAX:
            raise DeliveryFailed(
                f"target {target.name}: 429 with Retry-After {wait:.0f} s (more than "
                f"{RETRY_AFTER_MAX:.0f} s): try again later"
            )
        raise _Retryable(f"429 Too Many Requests{message}", wait)
    if status == 410:
        raise TargetGone(f"target {target.name}: the receiver answered 410 Gone{message}")
    if 300 <= status < 400:
        where = _inert(response.headers.get("location", "?"))[:MESSAGE_MAX]
        raise Refused(
            f"target {target.name}: the receiver answered {status} (a redirect to {where}); "
            "redirects are not followed: set endpoint to the URL that takes the batches"
        )
    raise Refused(
        f"target {target.name}: the receiver refused it: {status} {response.reason_phrase}{message}"
    )


def _transport(exc: httpx.TransportError) -> str:
    text = str(exc) or type(exc).__name__
    return f"{type(exc).__name__}: {text}" if text != type(exc).__name__ else text


def _json(response: httpx.Response) -> Any:
    try:
        return response.json() if response.content else None
    except (json.JSONDecodeError, UnicodeDecodeError):
        return None


def _message(response: httpx.Response) -> str:
    """The receiver's message, on one line and inert: `: …` (or nothing)."""
    text = ""
    body = _json(response)
    if isinstance(body, dict):
        for key in ("error", "message", "detail"):
            if isinstance(body.get(key), str):
                text = body[key]
                break
    if not text:
        try:
            text = response.text
        except UnicodeDecodeError:
            text = ""
    text = " ".join(_inert(text).split())[:MESSAGE_MAX]
    return f": {text}" if text else ""


def _retry_after(value: str | None) -> float | None:
    """Seconds from a ``Retry-After`` header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max(0.0, (moment - datetime.now(UTC)).total_seconds())


def _inert(text: str) -> str:
    return neutralize(text, keep_newlines=False)
