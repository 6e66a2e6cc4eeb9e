"""The watchlist as CSV a person can open in a spreadsheet without running anything in it.

Safe by default, as OWASP recommends against CSV injection: every cell is quoted, and a cell
that a spreadsheet would read as a formula — starting with ``=``, ``+``, ``-``, ``@``, a tab or
a carriage return, also after leading spaces or in their full-width forms — is prefixed with
``'``. The spreadsheet then shows it as text: an E.164 phone reads ``'+8613800138000`` (drop
the leading ``'`` to get the value back; Excel's own text marker), never the number
8.6138E+12 or a formula. ``raw=True`` is for machines: values exactly as stored.

URL cells never hold a raw control, format character or space (percent-encoded, the same
address); on a terminal (``terminal=True``) every cell is neutralized so that no escape sequence
or bidi override takes effect on screen.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from itertools import islice
from typing import Any

from watchlist.export.hashing import hashed_value
from watchlist.inert import inert_url, neutralize
from watchlist.store import EntryFilter, Store
from watchlist.store.export_view import (
    FLAT_COLUMNS,
    FORMULA_START,
    GUARDED,
    ExportRow,
    iter_csv_lines,
    iter_export_rows,
    iter_flat_rows,
)

COLUMNS = FLAT_COLUMNS
_FIRST = frozenset(FORMULA_START)
_GUARDED = tuple(COLUMNS.index(name) for name in GUARDED)
_URL = COLUMNS.index("evidence_url")
_LINES_PER_CHUNK = 1000


def safe_cell(text: str, *, terminal: bool = False) -> str:
    """A cell no spreadsheet evaluates as a formula (nor, on a terminal, the terminal runs)."""
    if terminal:
        text = neutralize(text)
    return "'" + text if _formula(text) else text


def _formula(text: str) -> bool:
    return bool(text) and (text[0] in _FIRST or (text[0] == " " and text.lstrip(" ")[:1] in _FIRST))


def _guard(text: str | None) -> str | None:
    """A text cell, formula-safe (None stays an empty cell)."""
    if text and (text[0] in _FIRST or (text[0] == " " and text.lstrip(" ")[:1] in _FIRST)):
        return "'" + text
    return text


def cells(row: ExportRow, *, salt: bytes | None = None) -> list[Any]:
    """The row's values in :data:`COLUMNS` order, exactly as stored (None: an empty cell)."""
    best = row.evidence[0] if row.evidence else None
    hashed = salt is not None
    return [
        row.id,
        row.kind,
        hashed_value(row.kind, row.value, salt) if salt is not None else row.value,
        row.provider,
        row.status,
        row.score,
        row.offered,
        row.reported,
        row.mentioned,
        row.first_seen_text,
        row.last_seen_text,
        row.first_posted_text,
        row.last_posted_text,
        row.sightings,
        " ".join(row.sites),
        row.cluster,
        inert_url(best.url) if best else None,
        best.posted_at_text if best else None,
        best.role if best else None,
        None if best is None or hashed else best.snippet,
        row.reviewed_by,
        row.reviewed_at_text,
        row.reason,
        None if hashed else row.note,
        "; ".join(f"{e.target}:{e.result}" for e in row.enforcement) or None,
    ]


def safe_cells(row: ExportRow, *, salt: bytes | None = None) -> list[Any]:
    """:func:`cells` with every text that came from outside formula-guarded.

    Numbers, times, kinds, statuses and roles are ours and never start a formula; values,
    sites, URLs, snippets, reviewers, reasons and notes are guarded.
    """
    values = cells(row, salt=salt)
    for i in _GUARDED:
        values[i] = _guard(values[i])
    return values


def csv_lines(
    rows: Iterable[ExportRow],
    *,
    raw: bool = False,
    salt: bytes | None = None,
    terminal: bool = False,
) -> Iterator[str]:
    """CSV text, header first, in chunks of about a thousand lines (streams in constant memory).

    Safe for spreadsheets unless ``raw``; ``terminal``: neutralized for a screen as well.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_MINIMAL if raw else csv.QUOTE_ALL)
    writer.writerow(COLUMNS)
    chunk: list[list[Any]] = []
    for row in rows:
        if terminal:
            text = [neutralize("" if v is None else str(v)) for v in cells(row, salt=salt)]
            chunk.append(text if raw else [_guard(v) for v in text])
        else:
            chunk.append(cells(row, salt=salt) if raw else safe_cells(row, salt=salt))
        if len(chunk) == _LINES_PER_CHUNK:
            writer.writerows(chunk)
            chunk.clear()
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    writer.writerows(chunk)
    if buffer.tell():
        yield buffer.getvalue()


def _inert_urls(chunk: list[Sequence[Any]]) -> list[Sequence[Any]]:
    """Rows whose evidence URL holds no raw control, format character or space (an older store
    kept some raw): percent-encoded, the same address. Most rows pass untouched."""
    out = chunk
    for n, row in enumerate(chunk):
        url = row[_URL]
        if url and not (url.isascii() and url.isprintable() and " " not in url):
            if out is chunk:
                out = list(chunk)
            out[n] = (*row[:_URL], inert_url(url), *row[_URL + 1 :])
    return out


class CsvText:
    """The entries matching ``where`` as CSV text, by id, in chunks (constant memory);
    ``count``: the entries written so far.

    Plain files are built by the database (``iter_flat_rows``: cells formula-guarded in SQL);
    hashed values and terminal output go through :func:`csv_lines`.
    """

    def __init__(
        self,
        store: Store,
        where: EntryFilter | None = None,
        *,
        raw: bool = False,
        salt: bytes | None = None,
        terminal: bool = False,
    ) -> None:
        self.store, self.where = store, where
        self.raw, self.salt, self.terminal = raw, salt, terminal
        self.count = 0

    def __iter__(self) -> Iterator[str]:
        if self.salt is not None or self.terminal:
            rows = iter_export_rows(self.store, self.where, order="id")
            yield from csv_lines(
                self._counted(rows), raw=self.raw, salt=self.salt, terminal=self.terminal
            )
            return
        buffer = io.StringIO()
        writer = csv.writer(buffer, quoting=csv.QUOTE_MINIMAL if self.raw else csv.QUOTE_ALL)
        writer.writerow(COLUMNS)
        if not self.raw and self.store.dialect == "sqlite":
            yield buffer.getvalue()
            yield from self._lines(buffer, writer)
            return
        flat = iter_flat_rows(self.store, self.where, guarded=not self.raw)
        while chunk := list(islice(flat, _LINES_PER_CHUNK)):
            self.count += len(chunk)
            writer.writerows(_inert_urls(chunk))
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
        if buffer.tell():
            yield buffer.getvalue()

    def _lines(self, buffer: io.StringIO, writer: Any) -> Iterator[str]:
        """SQLite's own lines (``iter_csv_lines``); the rare row it leaves to Python, written
        by ``writer`` through ``buffer``."""
        for count, partition in iter_csv_lines(self.store, self.where):
            self.count += count
            if all(type(line) is str for line in partition):
                yield "".join(partition)  # type: ignore[arg-type]
                continue
            for line in partition:
                if isinstance(line, str):
                    yield line
                else:
                    buffer.seek(0)
                    buffer.truncate()
                    writer.writerows(_inert_urls([line]))
                    yield buffer.getvalue()

    def _counted(self, rows: Iterable[ExportRow]) -> Iterator[ExportRow]:
        for row in rows:
            self.count += 1
            yield row
