"""The JSON object of an entry: what ``export --format json|ndjson`` and the API feed hand over.

Datetimes are ISO 8601 in UTC with a ``Z`` (``2026-12-01T10:00:00Z``). With a salt (hashed
exports) the value is replaced by its salted hash (:mod:`watchlist.export.hashing`) and
everything that could spell it out — evidence snippets, the reviewer's note — is left out.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from watchlist.export.hashing import hashed_value
from watchlist.inert import inert_url
from watchlist.store.export_view import EvidenceRow, ExportRow


def iso(moment: datetime | None) -> str | None:
    """``moment`` as ISO 8601 UTC with a ``Z``, seconds precision; None stays None."""
    if moment is None:
        return None
    if moment.tzinfo is None:  # SQLite hands back what it stored: UTC
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def entry_object(row: ExportRow, *, salt: bytes | None = None) -> dict[str, Any]:
    """The entry as a JSON-ready dict, its evidence best first."""
    hashed = salt is not None
    return {
        "id": row.id,
        "kind": row.kind,
        "value": hashed_value(row.kind, row.value, salt) if salt is not None else row.value,
        "hashed": hashed,
        "provider": row.provider,
        "status": row.status,
        "score": row.score,
        "roles": {"offered": row.offered, "reported": row.reported, "mentioned": row.mentioned},
        "first_seen": row.first_seen_text,
        "last_seen": row.last_seen_text,
        "first_posted": row.first_posted_text,
        "last_posted": row.last_posted_text,
        "sightings": row.sightings,
        "sites": list(row.sites),
        "cluster": row.cluster,
        "note": None if hashed else row.note,
        "reviewed_by": row.reviewed_by,
        "reviewed_at": row.reviewed_at_text,
        "reason": row.reason,
        "evidence": [evidence_object(e, hashed=hashed) for e in row.evidence],
        "enforcement": [
            {"target": e.target, "result": e.result, "reason": e.reason, "at": e.at_text}
            for e in row.enforcement
        ],
    }


def evidence_object(evidence: EvidenceRow, *, hashed: bool = False) -> dict[str, Any]:
    """One piece of evidence; a hashed export leaves the snippet out (it spells the value)."""
    return {
        "url": inert_url(evidence.url),
        "site": evidence.site,
        "posted_at": evidence.posted_at_text,
        "role": evidence.role,
        "snippet": None if hashed else evidence.snippet,
        "source": evidence.source if evidence.source == "text" else inert_url(evidence.source),
    }
