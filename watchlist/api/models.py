"""The API's public models: what the OpenAPI document promises, never the store's tables.

The routes render their JSON themselves (one pass, no re-validation of every field); these
models name the shapes for ``/openapi.json``, and schemathesis checks each response against them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

# The contract kinds (watchlist.extract.model.ENTRY_KINDS, checked by tests/test_api.py).
KindName = Literal[
    "phone",
    "email",
    "alipay",
    "wechat",
    "qq",
    "bank_card",
    "telegram",
    "btc",
    "eth",
    "tron",
    "payment_link",
    "kakaotalk",
    "domain",
]
StatusName = Literal["new", "confirmed", "dismissed"]
RoleName = Literal["offered", "reported", "mentioned"]


class Public(BaseModel):
    """Base of the public models: no field beyond those listed."""

    model_config = ConfigDict(extra="forbid")


class ErrorPublic(Public):
    """Every error: one line that says what was wrong."""

    error: str = Field(examples=["limit: input should be less than or equal to 1000"])


class HealthPublic(Public):
    """``/healthz``: the server answers and can read its store."""

    ok: bool
    error: str | None = None


class RolesPublic(Public):
    """How many sightings had each role."""

    offered: int
    reported: int
    mentioned: int


class EvidencePublic(Public):
    """One sighting: the post's URL, site and time, the role, the text around the value."""

    url: str
    site: str
    posted_at: datetime | None
    role: str
    snippet: str | None
    source: str = Field(description='"text", or the URL of the image the value was read from')


class EnforcementPublic(Public):
    """What a sync target last said it did with the entry (``watchlist sync``)."""

    target: str
    result: Literal["accepted", "restricted", "rejected", "known"]
    reason: str | None
    at: datetime


class EntryPublic(Public):
    """A key website or account of the watchlist, with its best evidence first."""

    id: int
    kind: KindName
    value: str
    hashed: bool
    provider: str | None
    status: StatusName
    score: float
    roles: RolesPublic
    first_seen: datetime
    last_seen: datetime
    first_posted: datetime | None
    last_posted: datetime | None
    sightings: int
    sites: list[str]
    cluster: int | None
    note: str | None
    reviewed_by: str | None
    reviewed_at: datetime | None
    reason: str | None
    evidence: list[EvidencePublic]
    enforcement: list[EnforcementPublic]


class EntriesPage(Public):
    """One page of entries in ascending id; ``next_cursor`` fetches the next (null: the end)."""

    entries: list[EntryPublic]
    next_cursor: str | None


class ChangeEntryPublic(Public):
    """The entry of a change, as the sync sends it."""

    kind: KindName
    value: str
    status: StatusName
    score: float
    first_seen: datetime
    last_seen: datetime
    evidence: list[str]


class ChangePublic(Public):
    """One change of the confirmed list: ``upsert`` (hold it) or ``remove`` (drop it)."""

    seq: int
    op: Literal["upsert", "remove"]
    entry: ChangeEntryPublic


class ChangesPage(Public):
    """Changes after ``after`` in commit order; ask again with ``after=next_after``."""

    changes: list[ChangePublic]
    next_after: int
