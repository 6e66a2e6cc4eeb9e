"""Export the watchlist: CSV for spreadsheets, JSON and NDJSON for programs.

CSV cells that a spreadsheet would run as a formula (starting with ``=``, ``+``, ``-``, ``@``,
tab or carriage return) are prefixed with ``'``, as OWASP recommends: an E.164 phone reads
``'+8613800138000`` in the file and shows as ``+8613800138000`` in the sheet.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from typing import Any, TextIO

from watchlist.errors import NotAvailable, WatchlistError
from watchlist.store import EntryFilter, Store, list_entries
from watchlist.store.queries import evidence_urls

FORMATS = ("csv", "json", "ndjson", "stix", "misp")
COLUMNS = (
    "id",
    "kind",
    "value",
    "status",
    "score",
    "first_seen",
    "last_seen",
    "sightings",
    "sites",
    "note",
    "reviewed_by",
    "reviewed_at",
    "evidence",
)
EVIDENCE_PER_ENTRY = 5
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def entry_rows(store: Store, where: EntryFilter) -> list[dict[str, Any]]:
    """The entries matching ``where`` as plain rows, with up to five evidence URLs each."""
    entries = list_entries(store, where)
    urls = evidence_urls(store, [e.id for e in entries if e.id is not None], EVIDENCE_PER_ENTRY)
    rows = []
    for entry in entries:
        row = entry.model_dump(mode="json")
        row["sites"] = [s for s in entry.sites.split(",") if s]
        row["evidence"] = urls.get(entry.id or 0, [])
        rows.append({column: row.get(column) for column in COLUMNS})
    return rows


def safe_cell(value: Any) -> str:
    """A CSV cell that no spreadsheet will evaluate."""
    if value is None:
        return ""
    if isinstance(value, list):
        value = " ".join(str(v) for v in value)
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def write_csv(rows: Iterable[dict[str, Any]], out: TextIO) -> None:
    """Rows as CSV with a header, formula-safe."""
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([safe_cell(row[c]) for c in COLUMNS])


def write_json(rows: list[dict[str, Any]], out: TextIO) -> None:
    """Rows as one JSON array."""
    json.dump(rows, out, ensure_ascii=False, indent=2)
    out.write("\n")


def write_ndjson(rows: Iterable[dict[str, Any]], out: TextIO) -> None:
    """One JSON object per line."""
    for row in rows:
        out.write(json.dumps(row, ensure_ascii=False) + "\n")


def export(store: Store, fmt: str, where: EntryFilter, out: TextIO) -> int:
    """Write the entries matching ``where`` to ``out`` in ``fmt``; returns how many."""
    if fmt not in FORMATS:
        raise WatchlistError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    if fmt in ("stix", "misp"):
        raise NotAvailable(f"export --format {fmt} is not available yet")
    rows = entry_rows(store, where)
    {"csv": write_csv, "json": write_json, "ndjson": write_ndjson}[fmt](rows, out)
    return len(rows)
