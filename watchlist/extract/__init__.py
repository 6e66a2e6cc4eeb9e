"""Find payment handles and websites in a text: ``extract(text) -> Extraction``.

The pipeline, all pure functions over one string:

1. ``fold`` maps full-width characters, odd spaces and dashes to ASCII one for one, so offsets in
   the folded text are offsets in the original.
2. One finder per kind family (``phones``, ``emails``, ``telegram``, ``crypto``, ``domains``)
   returns candidate handles with canonical values; each validates its own (checksums,
   libphonenumber, public suffix list). A new kind is a new module added to ``FINDERS``.
3. A candidate lying strictly inside a longer candidate's span is dropped (the ``qq.com`` of an
   email, the national digits of ``+86 138…``, the host of a ``t.me`` link).
4. ``providers`` and ``roles`` annotate each handle from nearby cue words; ``score`` gives the
   text's OTC score.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from watchlist.extract.crypto import find_crypto
from watchlist.extract.domains import find_domains
from watchlist.extract.emails import find_emails
from watchlist.extract.fold import fold
from watchlist.extract.model import KINDS, ROLES, Extraction, Handle, Kind, Role
from watchlist.extract.phones import find_phones
from watchlist.extract.providers import ProviderCues
from watchlist.extract.roles import RoleCues
from watchlist.extract.score import otc_score
from watchlist.extract.telegram import find_telegram

__all__ = ["KINDS", "ROLES", "Extraction", "Handle", "Kind", "Role", "extract"]

Finder = Callable[[str], list[Handle]]
FINDERS: tuple[Finder, ...] = (find_phones, find_emails, find_telegram, find_crypto, find_domains)


def extract(text: str) -> Extraction:
    """Every handle in ``text`` with its provider and role, and the text's OTC score.

    Handles are sorted by ``start``; the same (kind, value, start) appears once;
    ``text[h.start:h.end]`` is what was written.
    """
    folded = fold(text)
    candidates = [handle for finder in FINDERS for handle in finder(folded)]
    lowered = folded.lower()  # same length: fold() maps the one exception, U+0130
    score = otc_score(lowered)
    if not candidates:
        return Extraction([], score)
    providers = ProviderCues(lowered)
    roles = RoleCues(lowered, score)
    unique: dict[tuple[str, str, int], Handle] = {}
    for handle in drop_contained(candidates):
        key = (handle.kind, handle.value, handle.start)
        if key not in unique:
            unique[key] = replace(
                handle, provider=providers.provider_for(handle), role=roles.role_for(handle)
            )
    return Extraction(sorted(unique.values(), key=_order), score)


def _order(handle: Handle) -> tuple[int, int, str, str]:
    return handle.start, handle.end, handle.kind, handle.value


def drop_contained(candidates: list[Handle]) -> list[Handle]:
    """The candidates not lying strictly inside another candidate's longer span."""
    ordered = sorted(candidates, key=lambda h: (h.start, -h.end))
    kept: list[Handle] = []
    cover_start, cover_end = -1, -1
    for handle in ordered:
        if handle.end <= cover_end and (handle.start, handle.end) != (cover_start, cover_end):
            continue
        kept.append(handle)
        if handle.end > cover_end:
            cover_start, cover_end = handle.start, handle.end
    return kept
