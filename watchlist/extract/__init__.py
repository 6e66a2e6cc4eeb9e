"""Find payment handles and websites in a text: ``extract(text) -> Extraction``.

The pipeline, all pure functions over one string:

1. ``normalize`` makes one pass (skipped when nothing needs it): removes invisible characters
   and dots inserted between CJK characters, maps full-width forms, odd spaces and dashes,
   circled / keycap / mathematical digits and look-alike letters to ASCII, and keeps a map back
   to the original offsets. It gives three same-length views: the text, a digits view (Chinese
   and spoken numerals as digits) and the lower-cased text.
2. One finder per kind family returns candidates with canonical values, each validating its own:
   ``phones`` and ``cards`` (digit windows of ``numbers``: libphonenumber; issuer prefix, length
   and Luhn), ``emails``, ``telegram``, ``crypto`` (checksums), ``paylinks`` and ``domains``
   (public suffix list).
3. A candidate lying strictly inside a longer candidate's span is dropped (the ``qq.com`` of an
   email, the national digits of ``+86 138…``, the host of a ``t.me`` link); so is a bare
   ``@name`` in a post that reads like Twitter/X or GitHub (``platforms``).
4. ``providers`` finds the provider cues once; ``accounts`` turns cue + value into WeChat, QQ,
   Alipay and bare Telegram handles (a phone or email named as an account keeps its own kind
   too), and finds ``wxid_…`` and ``2088…`` ids.
5. Each handle gets its provider (``providers``) and role (``roles``), its span mapped back to
   the original text; ``score`` gives the text's OTC score. ``known`` tells public contract
   addresses apart for the store.

Importing the package is cheap (the model only): the finders, the public suffix list and
libphonenumber load on the first use of :func:`extract`, so commands that never extract (the
review queue, exports) do not pay for them at start-up.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from watchlist.extract.model import KINDS, ROLES, Extraction, Handle, Kind, Role

if TYPE_CHECKING:
    from watchlist.extract.pipeline import drop_contained, extract

__all__ = ["KINDS", "ROLES", "Extraction", "Handle", "Kind", "Role", "drop_contained", "extract"]


def __getattr__(name: str) -> Any:
    if name in ("extract", "drop_contained", "FINDERS"):
        from watchlist.extract import pipeline

        return getattr(pipeline, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
