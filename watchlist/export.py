"""Export the watchlist: CSV for spreadsheets, JSON and NDJSON for programs.

CSV cells that a spreadsheet would run as a formula (starting with ``=``, ``+``, ``-``, ``@``,
tab or carriage return) are prefixed with ``'``, as OWASP recommends: an E.164 phone reads
``'+8613800138000`` in the file and shows as ``+8613800138000`` in the sheet.

What came from crawled pages cannot attack the reader (:mod:`watchlist.inert`): URL fields
never hold a raw control, format character or space (percent-encoded, the same address); JSON
and NDJSON hold none of them raw in any string (``\\u202e``: decoded, the data is exact); and
an export to a terminal (``terminal=True``) writes every CSV cell neutralized, so no escape
sequence or bidi override takes effect on screen. Files keep every other value exact.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from typing import Any, TextIO

from watchlist.errors import NotAvailable, WatchlistError
from watchlist.inert import inert_url, json_text, neutralize
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
URL_FIELDS = ("evidence",)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_SURROGATE = re.compile("[\ud800-\udfff]")  # no encoding can write one: written as \\udNNN


def entry_rows(store: Store, where: EntryFilter) -> list[dict[str, Any]]:
    """The entries matching ``where`` as plain rows, with up to five evidence URLs each."""
    entries = list_entries(store, where)
    urls = evidence_urls(store, [e.id for e in entries if e.id is not None], EVIDENCE_PER_ENTRY)
    rows = []
    for entry in entries:
        row = entry.model_dump(mode="json")
        row["sites"] = [s for s in entry.sites.split(",") if s]
        row["evidence"] = [inert_url(url) for url in urls.get(entry.id or 0, [])]
        rows.append({column: row.get(column) for column in COLUMNS})
    return rows


def safe_cell(value: Any, *, terminal: bool = False) -> str:
    """A CSV cell that no spreadsheet will evaluate (nor, on a terminal, the terminal)."""
    if value is None:
        return ""
    if isinstance(value, list):
        value = " ".join(str(v) for v in value)
    text = _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", str(value))
    if terminal:
        text = neutralize(text)
    return "'" + text if text.startswith(_FORMULA_START) else text


def write_csv(rows: Iterable[dict[str, Any]], out: TextIO, *, terminal: bool = False) -> None:
    """Rows as CSV with a header, formula-safe (and neutralized for a terminal)."""
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([safe_cell(row[c], terminal=terminal) for c in COLUMNS])


def write_json(rows: list[dict[str, Any]], out: TextIO, *, terminal: bool = False) -> None:
    """Rows as one JSON array; no string holds a control or format character raw."""
    out.write(json_text(rows, indent=2) + "\n")


def write_ndjson(rows: Iterable[dict[str, Any]], out: TextIO, *, terminal: bool = False) -> None:
    """One JSON object per line; no string holds a control or format character raw."""
    for row in rows:
        out.write(json_text(row) + "\n")


def export(
    store: Store, fmt: str, where: EntryFilter, out: TextIO, *, terminal: bool = False
) -> int:
    """Write the entries matching ``where`` to ``out`` in ``fmt``; returns how many.

    ``terminal``: ``out`` is a terminal (the CLI's stdout is a TTY): every cell is neutralized.
    """
    if fmt not in FORMATS:
        raise WatchlistError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    if fmt in ("stix", "misp"):
        raise NotAvailable(f"export --format {fmt} is not available yet")
    rows = entry_rows(store, where)
    writers = {"csv": write_csv, "json": write_json, "ndjson": write_ndjson}
    writers[fmt](rows, out, terminal=terminal)
    return len(rows)
