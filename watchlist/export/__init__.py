"""Export the watchlist: CSV for spreadsheets, JSON and NDJSON for programs, STIX 2.1 for
threat-intel platforms, a MISP feed for MISP.

Every format streams the entries from one read of the store (``store.export_view``): memory does
not grow with the table. Allowlisted values never appear. What came from crawled pages cannot
attack the reader (:mod:`watchlist.inert`): URL fields never hold a raw control, format
character or space; JSON and NDJSON hold none of them raw in any string (``\\u202e``: decoded,
the data is exact); CSV is safe in spreadsheets (:mod:`watchlist.export.spreadsheet`) and, to a
terminal, neutralized. ``salt`` (``--hashed``): values as salted SHA-256
(:mod:`watchlist.export.hashing`), with nothing that spells them out.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from watchlist.errors import UsageError
from watchlist.export.objects import entry_object
from watchlist.export.spreadsheet import CsvText
from watchlist.inert import inert_url, json_text
from watchlist.store import EntryFilter, Store, list_entries
from watchlist.store.export_view import ExportRow, iter_export_rows
from watchlist.store.queries import evidence_urls

FORMATS = ("csv", "json", "ndjson", "stix", "misp")
DIRECTORY_FORMATS = ("misp",)  # written as a folder of files, not one stream
EVIDENCE_PER_ENTRY = 5  # json / ndjson: the best five sightings of each entry


@dataclass(frozen=True, slots=True)
class ExportOptions:
    """How to write: ``raw`` CSV for machines, ``excel`` (a UTF-8 BOM first), ``salt`` for
    hashed values, ``terminal`` (the output is a screen: every CSV cell neutralized)."""

    raw: bool = False
    excel: bool = False
    salt: bytes | None = None
    terminal: bool = False


def check_format(fmt: str) -> str:
    """``fmt`` lower-cased, or a :class:`UsageError` naming the formats."""
    name = fmt.strip().lower()
    if name not in FORMATS:
        raise UsageError(f"--format: {fmt!r} is not one of {', '.join(FORMATS)}")
    return name


class _Counted:
    """Rows passed through, counted."""

    def __init__(self, rows: Iterable[ExportRow]) -> None:
        self.rows = rows
        self.count = 0

    def __iter__(self) -> Iterator[ExportRow]:
        for row in self.rows:
            self.count += 1
            yield row


def export(
    store: Store,
    fmt: str,
    where: EntryFilter,
    out: TextIO,
    options: ExportOptions | None = None,
) -> int:
    """Write the entries matching ``where`` to ``out`` in ``fmt`` (not ``misp``: see
    :func:`export_directory`); returns how many."""
    fmt = check_format(fmt)
    if fmt in DIRECTORY_FORMATS:
        raise UsageError(f"--format {fmt} writes a folder: give one with -o DIR")
    options = options or ExportOptions()
    evidence = EVIDENCE_PER_ENTRY if fmt in ("json", "ndjson", "stix") else 1
    rows = _Counted(iter_export_rows(store, where, evidence=evidence, order="id"))
    if options.excel:
        out.write("\ufeff")
    if fmt == "csv":
        text = CsvText(store, where, raw=options.raw, salt=options.salt, terminal=options.terminal)
        for chunk in text:
            out.write(chunk)
        return text.count
    elif fmt in ("ndjson", "json") and options.salt is None and store.dialect == "sqlite":
        from watchlist.export.json_lines import json_lines

        return _write_lines(json_lines(store, where, evidence), out, fmt == "json")
    elif fmt == "ndjson":
        for row in rows:
            out.write(json_text(entry_object(row, salt=options.salt)) + "\n")
    elif fmt == "json":
        _write_array((entry_object(row, salt=options.salt) for row in rows), out)
    else:
        from watchlist.export.stix import write_stix

        return write_stix(rows, out, salt=options.salt)
    return rows.count


def export_directory(
    store: Store, fmt: str, where: EntryFilter, directory: Path, options: ExportOptions | None
) -> int:
    """Write the entries matching ``where`` into ``directory`` in ``fmt`` (``misp``)."""
    fmt = check_format(fmt)
    if fmt not in DIRECTORY_FORMATS:
        raise UsageError(f"--format {fmt} writes one file, not a folder")
    from watchlist.export.misp import write_misp

    options = options or ExportOptions()
    rows = iter_export_rows(store, where, order="id")
    return write_misp(rows, directory, salt=options.salt)


def _write_lines(blocks: Iterable[tuple[int, str]], out: TextIO, array: bool) -> int:
    """Blocks of JSON texts (``(count, lines joined by newlines)``) as NDJSON, or (``array``)
    as the JSON array :func:`_write_array` writes: one write per block."""
    count = 0
    if array:
        out.write("[")
    for lines, text in blocks:
        if not lines:
            continue
        if array:
            out.write(("\n  " if count == 0 else ",\n  ") + text.replace("\n", ",\n  "))
        else:
            out.write(text)
            out.write("\n")
        count += lines
    if array:
        out.write("]\n" if count == 0 else "\n]\n")
    return count


def _write_array(objects: Iterable[dict[str, Any]], out: TextIO) -> None:
    out.write("[")
    first = True
    for obj in objects:
        out.write("\n  " if first else ",\n  ")
        out.write(json_text(obj))
        first = False
    out.write("]\n" if first else "\n]\n")


def entry_rows(store: Store, where: EntryFilter) -> list[dict[str, Any]]:
    """The entries matching ``where`` as plain rows, with up to five evidence URLs each (what
    ``watchlist entries --json`` prints)."""
    entries = list_entries(store, where)
    urls = evidence_urls(store, [e.id for e in entries if e.id is not None], EVIDENCE_PER_ENTRY)
    rows = []
    for entry in entries:
        row = entry.model_dump(mode="json")
        row["sites"] = [s for s in entry.sites.split(",") if s]
        row["evidence"] = [inert_url(url) for url in urls.get(entry.id or 0, [])]
        rows.append({column: row.get(column) for column in _ENTRY_ROW_COLUMNS})
    return rows


_ENTRY_ROW_COLUMNS = (
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
