"""The extraction pipeline: ``extract(text) -> Extraction`` (see the package docstring)."""

from __future__ import annotations

from collections.abc import Callable

from watchlist.extract import cues
from watchlist.extract.accounts import find_accounts
from watchlist.extract.cards import find_cards
from watchlist.extract.crypto import find_crypto
from watchlist.extract.domains import find_domains
from watchlist.extract.emails import find_emails
from watchlist.extract.model import Extraction, Handle
from watchlist.extract.normalize import Normalized, normalize
from watchlist.extract.otc_model import READ, probability
from watchlist.extract.paylinks import find_payment_links
from watchlist.extract.phones import find_phones
from watchlist.extract.platforms import drop_platform_mentions
from watchlist.extract.providers import GROUP as provider_group
from watchlist.extract.providers import ProviderCues
from watchlist.extract.roles import GROUP as role_group
from watchlist.extract.roles import RoleCues
from watchlist.extract.score import GROUP as score_group
from watchlist.extract.score import score_of
from watchlist.extract.telegram import find_telegram

Finder = Callable[[Normalized], list[Handle]]
FINDERS: tuple[Finder, ...] = (
    lambda n: find_phones(n.digits, n.lowered),
    lambda n: find_cards(n.digits, n.lowered),
    # Chinese or spoken numerals in a local part are its digits: "wang一二三四五@163.com".
    lambda n: find_emails(n.digits if n.digits is not n.text and "@" in n.text else n.text),
    lambda n: find_telegram(n.text),
    lambda n: find_crypto(n.text),
    lambda n: find_payment_links(n.text, n.lowered),
    lambda n: find_domains(n.text),
)


def extract(text: str) -> Extraction:
    """Every handle in ``text`` with its provider and role, and the text's OTC score.

    The OTC score is ``otc_model``'s probability; the roles read the lexicon score (``score``).

    Handles are sorted by ``start``; the same (kind, value, start) appears once;
    ``text[h.start:h.end]`` is what was written. Any ``str`` is accepted (NUL, lone surrogates,
    controls); every value is printable ASCII.
    """
    norm = normalize(text)
    lowered = norm.lowered
    found = cues.scan(lowered)
    score = score_of(found[score_group])
    candidates = drop_contained([handle for finder in FINDERS for handle in finder(norm)])
    hits = found[provider_group]
    if "@" in norm.text:
        candidates = drop_platform_mentions(norm.text, lowered, candidates, hits)
    if hits or "wxid_" in lowered or "2088" in norm.digits:
        candidates = drop_contained(
            candidates + find_accounts(norm.text, norm.digits, lowered, candidates, hits)
        )
    roles = RoleCues(lowered, score, found[role_group])
    if not candidates:
        return Extraction(
            [], probability(lowered, score, roles.reports, found[role_group]), roles.reports
        )
    providers = ProviderCues(lowered, hits)
    unique: dict[tuple[str, str, int], Handle] = {}
    for handle in candidates:
        if not (handle.value.isascii() and handle.value.isprintable()):
            continue  # canonical values are printable ASCII: never NUL, a control, a surrogate
        start, end = norm.span(handle.start, handle.end)
        key = (handle.kind, handle.value, start)
        if key not in unique:
            provider = providers.provider_for(handle)
            role = roles.role_for(handle, provider)
            unique[key] = Handle(handle.kind, handle.value, start, end, provider, role)
    handles = sorted(unique.values(), key=_order)
    otc = probability(lowered, score, roles.reports, found[role_group], roles.asks_within(READ))
    return Extraction(handles, otc, roles.reports)


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
