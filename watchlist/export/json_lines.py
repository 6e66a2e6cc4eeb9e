"""JSON lines of entries as the database writes them, finished by Python where it must.

SQLite builds each entry's object (``store.export_view.iter_json_rows``); Python adds the
evidence of entries seen more than once (or whose URLs must be percent-encoded first) and what
the sync targets said, then makes every string inert (:func:`watchlist.inert.json_text`'s
rule: no raw control, format or surrogate character). The objects are those of
:func:`watchlist.export.objects.entry_object`, key for key.
"""

from __future__ import annotations

from collections.abc import Iterator

from watchlist.export.objects import evidence_object
from watchlist.inert import UNSAFE_IN_JSON, inert_json, json_text
from watchlist.store import EntryFilter, Store
from watchlist.store.export_view import JsonPartition, iter_json_rows


def json_lines(store: Store, where: EntryFilter, evidence: int) -> Iterator[tuple[int, str]]:
    """The entries matching ``where``, by id, one inert JSON text each, a partition at a time:
    ``(count, text)``, the partition's ``count`` lines joined by newlines (no newline last;
    a JSON text holds none raw)."""
    for partition in iter_json_rows(store, where, evidence=evidence):
        if partition.text is not None:  # every line written by the database: one scan, no split
            yield partition.count, inert_json(partition.text)
            continue
        lines = _finished(partition, evidence)
        if _unsafe_in(lines):
            lines = [inert_json(line) for line in lines]
        yield len(lines), "\n".join(lines)


def _unsafe_in(lines: list[str]) -> bool:
    """Whether a character :func:`inert_json` escapes is in ``lines`` (one scan of them all)."""
    return UNSAFE_IN_JSON.search("".join(lines)) is not None


def _finished(partition: JsonPartition, evidence: int) -> list[str]:
    lines = []
    for entry_id, head, best in partition.rows:
        if best is None:
            found = partition.more.get(entry_id, [])[:evidence]
            best = json_text([evidence_object(e) for e in found])
        told = partition.told.get(entry_id)
        enforcement = "[]"
        if told:
            enforcement = json_text(
                [{"target": e.target, "result": e.result, "reason": e.reason, "at": e.at_text}
                 for e in told]
            )  # fmt: skip
        lines.append(f'{head[:-1]},"evidence":{best},"enforcement":{enforcement}}}')
    return lines
