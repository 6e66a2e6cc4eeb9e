"""The ``watchlist extract`` contract: JSON lines in, one JSON line out per input, in order.

In: ``{"id": ..., "text": "..."}``. Out: ``{"id", "handles": [{"kind", "value", "start", "end",
"provider", "role"}], "otc_score"}``. A line that is not such an object gives
``{"id": <id or null>, "line": N, "error": "..."}`` in its place, so nothing shifts or is lost:
a line that is not UTF-8 (lines given as bytes are decoded one by one), not JSON, nested too
deeply for the parser, or whose ``text`` or ``id`` holds a lone surrogate (``"\\ud800"``: no
Unicode text, so no offsets can index it). An ``id`` is echoed only when it is a string, a
finite number, a boolean or null; a line with another id gives an error with ``"id": null``.
A byte-order mark starting the first line is skipped.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Iterator
from typing import Any

from watchlist.extract import extract

_SURROGATE = re.compile("[\ud800-\udfff]")
EXPECTED = 'expected {"id", "text": string}'


def extract_record(record: Any, line_number: int) -> dict[str, Any]:
    """The output object for one parsed input line."""
    if not isinstance(record, dict):
        return _error(None, line_number, EXPECTED)
    record_id = record.get("id")
    if not _is_id(record_id):
        if isinstance(record_id, str):
            return _error(None, line_number, "id holds a lone surrogate: not Unicode")
        return _error(None, line_number, "id must be a string, a finite number, a boolean or null")
    text = record.get("text")
    if not isinstance(text, str):
        return _error(record_id, line_number, EXPECTED)
    surrogate = _SURROGATE.search(text)
    if surrogate is not None:
        code = f"U+{ord(surrogate.group()):04X}"
        message = f"text holds a lone surrogate ({code} at {surrogate.start()}): not Unicode"
        return _error(record_id, line_number, message)
    result = extract(text)
    return {
        "id": record_id,
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


def extract_line(line: str | bytes, line_number: int) -> dict[str, Any] | None:
    """The output object for one input line (bytes are decoded as UTF-8); None when blank."""
    if isinstance(line, bytes):
        raw = line
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            message = f"not UTF-8: byte 0x{raw[exc.start]:02x} at {exc.start}"
            return _error(_salvaged_id(raw), line_number, message)
    if line_number == 1:
        line = line.removeprefix("\ufeff")
    if not line.strip():
        return None
    record, problem = _parse(line)
    if problem is not None:
        return _error(None, line_number, problem)
    return extract_record(record, line_number)


def extract_lines(lines: Iterable[str | bytes]) -> Iterator[dict[str, Any]]:
    """One output object per non-blank input line, in order; a bad line never stops the rest."""
    for number, line in enumerate(lines, start=1):
        result = extract_line(line, number)
        if result is not None:
            yield result


def _parse(line: str) -> tuple[Any, str | None]:
    """The JSON value of ``line``, or why it has none."""
    try:
        return json.loads(line), None
    except json.JSONDecodeError as exc:
        return None, f"not JSON: {exc.msg}"
    except RecursionError:
        return None, "not JSON: nested too deeply"
    except ValueError:  # an integer of more digits than Python converts (4,300)
        return None, "not JSON: a number too long to read"


def _is_id(value: Any) -> bool:
    """Whether ``value`` can be echoed as an id: a JSON scalar that is valid Unicode."""
    if value is None or isinstance(value, int):
        return True
    if isinstance(value, float):
        return math.isfinite(value)
    return isinstance(value, str) and _SURROGATE.search(value) is None


def _salvaged_id(raw: bytes) -> Any:
    """The id of a line that is not UTF-8, when the rest of it still says one exactly."""
    record, problem = _parse(raw.decode("utf-8", errors="replace"))
    if problem is not None or not isinstance(record, dict):
        return None
    record_id = record.get("id")
    if not _is_id(record_id) or (isinstance(record_id, str) and "\ufffd" in record_id):
        return None
    return record_id


def _error(record_id: Any, line_number: int, message: str) -> dict[str, Any]:
    return {"id": record_id, "line": line_number, "error": message}
