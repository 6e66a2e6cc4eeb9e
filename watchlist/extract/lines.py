"""The ``watchlist extract`` contract: JSON lines in, one JSON line out per input, in order.

In: ``{"id": ..., "text": "..."}``. Out: ``{"id", "handles": [{"kind", "value", "start", "end",
"provider", "role"}], "otc_score"}``. A line that is not such an object gives
``{"id": <id or null>, "line": N, "error": "..."}`` in its place, so nothing shifts or is lost.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

from watchlist.extract import extract


def extract_record(record: Any, line_number: int) -> dict[str, Any]:
    """The output object for one parsed input line."""
    if not isinstance(record, dict) or not isinstance(record.get("text"), str):
        record_id = record.get("id") if isinstance(record, dict) else None
        return {"id": record_id, "line": line_number, "error": 'expected {"id", "text": string}'}
    result = extract(record["text"])
    return {
        "id": record.get("id"),
        "handles": [
            {
                "kind": h.kind,
                "value": h.value,
                "start": h.start,
                "end": h.end,
                "provider": h.provider,
                "role": h.role,
            }
            for h in result.handles
        ],
        "otc_score": result.otc_score,
    }


def extract_lines(lines: Iterable[str]) -> Iterator[dict[str, Any]]:
    """One output object per non-blank input line, in order."""
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            yield {"id": None, "line": number, "error": f"not JSON: {exc.msg}"}
            continue
        yield extract_record(record, number)
